//! `[[waiver]]` tables → validated [`Waiver`]s: a known rule, a well-formed target, a non-empty
//! reason, an expiry date. Whether a waiver applies, has expired or is beyond the horizon is
//! decided at evaluation time ([`crate::policy::waivers`]), not here.

use super::Validator;
use super::raw::RawWaiver;
use super::suggest::unknown_rule;
use crate::diag::{self, Diagnostic};
use crate::path::Path;
use crate::policy::model::{Policy, Waiver};

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
            && !policy.disabled.iter().any(|d| d.id == id)
            && !self.broken_ids.contains(&id)
        {
            self.push(unknown_rule(raw.rule.span(), &id, policy));
        }
        let target = raw
            .target
            .as_ref()
            .and_then(|t| match Path::parse(t.get_ref()) {
                Ok(p) => Some(p.to_string()),
                Err(e) => {
                    self.push(Diagnostic::new(t.span(), e.to_string()));
                    None
                }
            });
        if raw.reason.get_ref().trim().is_empty() {
            self.push(
                Diagnostic::new(raw.reason.span(), "a waiver needs a non-empty `reason`")
                    .help("say why the risk is accepted; auditors read it"),
            );
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
            approved_by: raw.approved_by,
            expires: expires?,
            origin: format!("{origin}:{line}"),
        })
    }
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
