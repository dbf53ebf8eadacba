//! `[[waiver]]` tables → validated [`Waiver`]s: a known rule, a target that is a schema path and
//! one the rule's findings can have, a non-empty reason and approver, an expiry date. Whether a
//! waiver applies, has expired, is beyond the horizon or names a key the snapshot lacks is
//! decided at evaluation time ([`crate::policy::waivers`]), not here.

use super::Validator;
use super::raw::RawWaiver;
use super::suggest::{unknown_path, unknown_rule};
use crate::diag::{self, Diagnostic};
use crate::path::{Path, Seg};
use crate::policy::model::{Policy, Quantifier, Rule, Waiver};
use crate::snapshot::schema;

impl Validator {
    pub(super) fn waiver(
        &mut self,
        policy: &Policy,
        raw: RawWaiver,
        text: &str,
        origin: &str,
    ) -> Option<Waiver> {
        let before = self.diags.len();
        let id = raw.rule.get_ref().clone();
        if policy.rule(&id).is_none()
            && !policy.disabled().any(|(o, _)| o.rule == id)
            && !self.broken_ids.contains(&id)
        {
            self.push(unknown_rule(raw.rule.span(), &id, policy));
        }
        let target = raw.target.as_ref().and_then(|t| {
            let path = match Path::parse(t.get_ref()) {
                Ok(p) => p,
                Err(e) => {
                    self.push(Diagnostic::new(t.span(), e.to_string()));
                    return None;
                }
            };
            if path.0.iter().any(|s| matches!(s, Seg::Key(k) if k == "*")) {
                self.push(
                    Diagnostic::new(t.span(), "a waiver's `target` names one entry, not `[*]`")
                        .help("leave `target` out to waive every finding of the rule"),
                );
            } else if schema::kind_of(&path).is_none() {
                self.push(unknown_path(t.span(), &path.pattern()));
            } else if let Some(rule) = policy.rule(&id)
                && !reaches(rule, &path)
            {
                let on: Vec<String> = finding_targets(rule)
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect();
                self.push(
                    Diagnostic::new(
                        t.span(),
                        format!(
                            "rule `{id}` has no finding on `{path}`: its findings are on {}",
                            on.join(" or ")
                        ),
                    )
                    .help("a target is one of those paths with a key filled in (`jwt_templates[supabase]`) or a path above it; leave `target` out to waive every finding of the rule"),
                );
            }
            Some(path.to_string())
        });
        if raw.reason.get_ref().trim().is_empty() {
            self.push(
                Diagnostic::new(raw.reason.span(), "a waiver needs a non-empty `reason`")
                    .help("say why the risk is accepted; auditors read it"),
            );
        }
        match &raw.approved_by {
            None => self.push(
                Diagnostic::new(raw.rule.span(), "a waiver needs `approved_by`")
                    .help("name who accepted the risk, e.g. approved_by = \"ciso@acme.test\""),
            ),
            Some(a) if a.get_ref().trim().is_empty() => self.push(
                Diagnostic::new(a.span(), "`approved_by` must name who accepted the risk")
                    .help("e.g. approved_by = \"ciso@acme.test\""),
            ),
            Some(_) => {}
        }
        let expires = waiver_date(raw.expires.get_ref());
        if expires.is_none() {
            self.push(
                Diagnostic::new(
                    raw.expires.span(),
                    "`expires` must be a date such as 2026-12-31",
                )
                .help("waivers always expire: pick the last day the exception holds (UTC)"),
            );
        }
        if self.diags.len() != before {
            return None;
        }
        let (line, _) = diag::line_col(text, raw.rule.span().start);
        Some(Waiver {
            rule: id,
            target,
            reason: raw.reason.into_inner().trim().to_owned(),
            approved_by: raw
                .approved_by
                .map(|a| a.into_inner().trim().to_owned())
                .unwrap_or_default(),
            expires: expires?,
            origin: format!("{origin}:{line}"),
        })
    }
}

/// The patterns of the targets `rule`'s findings can have (keys as `[*]`).
fn finding_targets(rule: &Rule) -> Vec<Path> {
    match &rule.each {
        None => vec![generic(&rule.path)],
        Some(each) if rule.quantifier == Quantifier::Each => {
            vec![generic(each), generic(&each.key("*").join(&rule.path))]
        }
        Some(each) => vec![generic(each)],
    }
}

/// Can a waiver on `target` cover one of `rule`'s findings (the path itself or one above it)?
fn reaches(rule: &Rule, target: &Path) -> bool {
    let target = generic(target);
    finding_targets(rule).iter().any(|p| p.starts_with(&target))
}

/// `path` with every key replaced by `*`.
fn generic(path: &Path) -> Path {
    Path(
        path.0
            .iter()
            .map(|s| match s {
                Seg::Field(f) => Seg::Field(f.clone()),
                Seg::Key(_) => Seg::Key("*".to_owned()),
            })
            .collect(),
    )
}

/// A waiver's `expires`: a TOML date (`2026-12-31`) or the same as a string.
fn waiver_date(v: &toml::Value) -> Option<jiff::civil::Date> {
    let text = match v {
        toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
        toml::Value::String(s) => s.clone(),
        _ => return None,
    };
    text.parse().ok()
}
