//! `[[override]]` tables: a layer changing a rule defined below it, by id — its severity, its
//! title, its assertion (validated against the rule's path), or disabling it with a reason. An
//! override never adds a rule and never reads the snapshot. Every override that applies is put on
//! the record ([`Override`]): where it is and each field before → after.

use super::Validator;
use super::raw::RawOverride;
use super::suggest::unknown_rule;
use crate::diag::{self, Diagnostic};
use crate::policy::eval::expectation;
use crate::policy::model::{FieldChange, Override, Policy, Severity};

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
        let disables = raw.disable.as_ref().is_some_and(|d| *d.get_ref());
        if !disables && raw.severity.is_none() && raw.title.is_none() && assertions.is_empty() {
            self.push(
                Diagnostic::new(raw.rule.span(), format!("override of `{id}` changes nothing"))
                    .help("set `severity`, `title`, one assertion (e.g. `max = \"15m\"`), or `disable = true` with a `reason`"),
            );
            return;
        }
        let (line, _) = diag::line_col(text, raw.rule.span().start);
        let by = format!("{origin}:{line}");
        let reason = raw
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned);
        if let Some(disable) = raw.disable.as_ref().filter(|_| disables) {
            match reason {
                Some(reason) => {
                    let rule = policy.rules.remove(index);
                    policy.overrides.push(Override {
                        rule: id,
                        by,
                        defined_in: rule.origin.clone(),
                        changes: vec![FieldChange {
                            field: "status",
                            before: "enabled".to_owned(),
                            after: "disabled".to_owned(),
                        }],
                        reason: Some(reason),
                        disabled: Some(Box::new(rule)),
                    });
                }
                None => self.push(
                    Diagnostic::new(disable.span(), format!("disabling `{id}` needs a `reason`"))
                        .help(
                            "add `reason = \"…\"`: it is shown wherever the rule would have been",
                        ),
                ),
            }
            return;
        }
        let before = &policy.rules[index];
        let mut updated = before.clone();
        if let Some(sev) = &raw.severity {
            match Severity::parse(sev.get_ref()) {
                Some(s) => updated.severity = s,
                None => self.push(
                    Diagnostic::new(sev.span(), format!("unknown severity `{}`", sev.get_ref()))
                        .help("severity is one of critical, high, medium, low, info"),
                ),
            }
        }
        if let Some(title) = &raw.title {
            let t = title.get_ref().trim();
            if t.is_empty() || t.contains('\n') {
                self.push(
                    Diagnostic::new(title.span(), "a rule's `title` is one non-empty line")
                        .help("write the new title on one line, or leave `title` out"),
                );
            } else {
                t.clone_into(&mut updated.title);
            }
        }
        let sets_assertion = !assertions.is_empty();
        if sets_assertion
            && let Some(a) = self.assertions(assertions, updated.kind, raw.rule.span(), &id)
        {
            updated.assertion = a;
        }
        // Each field the override sets, even to the value it had: the record says what was written.
        let mut changes = Vec::new();
        if raw.severity.is_some() {
            changes.push(FieldChange {
                field: "severity",
                before: before.severity.to_string(),
                after: updated.severity.to_string(),
            });
        }
        if raw.title.is_some() {
            changes.push(FieldChange {
                field: "title",
                before: before.title.clone(),
                after: updated.title.clone(),
            });
        }
        if sets_assertion {
            changes.push(FieldChange {
                field: "expects",
                before: expectation(&before.assertion, before.kind),
                after: expectation(&updated.assertion, updated.kind),
            });
        }
        policy.overrides.push(Override {
            rule: id,
            by,
            defined_in: before.origin.clone(),
            changes,
            reason,
            disabled: None,
        });
        policy.rules[index] = updated;
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::{BUILTIN, BUILTIN_NAME, FieldChange, Policy};

    fn change(field: &'static str, before: &str, after: &str) -> FieldChange {
        FieldChange {
            field,
            before: before.to_owned(),
            after: after.to_owned(),
        }
    }

    #[test]
    fn each_layer_records_what_it_found_and_what_it_set() {
        let base = Policy::parse(BUILTIN, BUILTIN_NAME).unwrap_or_else(|e| panic!("{e}"));
        let one = base
            .layer(
                "[[override]]\nrule = \"session.inactivity-timeout\"\nmax = \"15m\"\nseverity = \"medium\"\nreason = \"contract C-12\"\n",
                "a.toml",
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let two = one
            .layer(
                "\n[[override]]\nrule = \"session.inactivity-timeout\"\nseverity = \"critical\"\n\n[[override]]\nrule = \"session.inactivity-timeout\"\ndisable = true\nreason = \"kiosk app\"\n",
                "b.toml",
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let records: Vec<(&str, &[FieldChange], Option<&str>, bool)> = two
            .overrides
            .iter()
            .map(|o| {
                (
                    o.by.as_str(),
                    o.changes.as_slice(),
                    o.reason.as_deref(),
                    o.disabled.is_some(),
                )
            })
            .collect();
        assert_eq!(
            records,
            [
                (
                    "a.toml:2",
                    // Severity set to the value it had is still on the record.
                    &[
                        change("severity", "medium", "medium"),
                        change("expects", "at most 1h", "at most 15m"),
                    ][..],
                    Some("contract C-12"),
                    false
                ),
                (
                    "b.toml:3",
                    &[change("severity", "medium", "critical")][..],
                    None,
                    false
                ),
                (
                    "b.toml:7",
                    &[change("status", "enabled", "disabled")][..],
                    Some("kiosk app"),
                    true
                ),
            ]
        );
        assert!(two.rule("session.inactivity-timeout").is_none());
        let (o, was) = two.disabled().next().expect("disabled");
        assert_eq!(o.defined_in, BUILTIN_NAME);
        assert_eq!(
            (was.severity.as_str(), was.title.as_str()),
            ("critical", "Idle sessions end within 1 hour")
        );
        // The built-in pack alone carries no override.
        let base = Policy::parse(BUILTIN, BUILTIN_NAME).unwrap_or_else(|e| panic!("{e}"));
        assert!(base.overrides.is_empty());
    }
}
