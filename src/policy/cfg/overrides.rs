//! `[[override]]` tables: a layer changing a rule defined below it, by id — its severity, its
//! assertion (validated against the rule's path), or disabling it with a reason. An override
//! never adds a rule and never reads the snapshot.

use super::Validator;
use super::raw::RawOverride;
use super::suggest::unknown_rule;
use crate::diag::{self, Diagnostic};
use crate::policy::model::{Disabled, Policy, Severity};

impl Validator {
    pub(super) fn apply_override(
        &mut self,
        policy: &mut Policy,
        raw: RawOverride,
        text: &str,
        origin: &str,
    ) {
        let id = raw.rule.get_ref().clone();
        let Some(index) = policy.rules.iter().position(|r| r.id == id) else {
            if !self.broken_ids.contains(&id) {
                self.push(unknown_rule(raw.rule.span(), &id, policy));
            }
            return;
        };
        let assertions = raw.assertions();
        if raw.severity.is_none() && raw.disable.is_none() && assertions.is_empty() {
            self.push(
                Diagnostic::new(raw.rule.span(), format!("override of `{id}` changes nothing"))
                    .help("set `severity`, one assertion (e.g. `max = \"15m\"`), or `disable = true` with a `reason`"),
            );
            return;
        }
        if let Some(disable) = &raw.disable
            && *disable.get_ref()
        {
            match raw.reason.as_deref().map(str::trim) {
                Some(reason) if !reason.is_empty() => {
                    let (line, _) = diag::line_col(text, raw.rule.span().start);
                    policy.rules.remove(index);
                    policy.disabled.push(Disabled {
                        id,
                        reason: reason.to_owned(),
                        by: format!("{origin}:{line}"),
                    });
                }
                _ => self.push(
                    Diagnostic::new(disable.span(), format!("disabling `{id}` needs a `reason`"))
                        .help(
                            "add `reason = \"…\"`: it is shown wherever the rule would have been",
                        ),
                ),
            }
            return;
        }
        let mut updated = policy.rules[index].clone();
        if let Some(sev) = &raw.severity {
            match Severity::parse(sev.get_ref()) {
                Some(s) => updated.severity = s,
                None => self.push(
                    Diagnostic::new(sev.span(), format!("unknown severity `{}`", sev.get_ref()))
                        .help("severity is one of critical, high, medium, low, info"),
                ),
            }
        }
        if !assertions.is_empty()
            && let Some(a) = self.assertions(assertions, updated.kind, raw.rule.span(), &id)
        {
            updated.assertion = a;
        }
        policy.rules[index] = updated;
    }
}
