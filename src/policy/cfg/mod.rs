//! Policy files: TOML → spanned raw rules → validated [`Policy`], with every problem reported at
//! once as a diagnostic with `file:line:col`, a caret and a `help:` line.
//!
//! ```toml
//! [[rule]]
//! id = "session.inactivity-timeout"
//! title = "Idle sessions end within 30 minutes"
//! severity = "high"
//! path = "session.inactivity_timeout"
//! max = "30m"
//! ```
//! A rule names one `path` (or, with `each`, a path inside every entry of a collection) and
//! exactly one assertion. See docs/policy.md.
//!
//! The validated model is [`crate::policy::model`]; this module builds it and never evaluates.
//! Here: layering a file on a policy ([`Policy::parse`], [`Policy::layer`]) and the [`Error`];
//! `raw` reads the TOML with spans, `validate` checks each rule, `overrides` and `waivers` the
//! other tables, `suggest` words the "did you mean" help.

mod overrides;
mod raw;
mod suggest;
mod validate;
mod waivers;

use std::collections::BTreeMap;
use std::ops::Range;

use crate::diag::{self, Diagnostic};
use crate::policy::model::{DEFAULT_MAX_WAIVER_DAYS, Policy};

/// A policy file that did not validate; `Display` renders every diagnostic.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{rendered}{origin}: {count} error(s); the policy was not evaluated")]
pub struct Error {
    pub origin: String,
    pub count: usize,
    pub rendered: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl Policy {
    /// Parses and validates a policy on its own; `origin` names the file in diagnostics.
    pub fn parse(text: &str, origin: &str) -> Result<Policy, Error> {
        let empty = Policy {
            origin: String::new(),
            rules: Vec::new(),
            overrides: Vec::new(),
            waivers: Vec::new(),
            max_waiver_days: DEFAULT_MAX_WAIVER_DAYS,
        };
        empty.layer(text, origin)
    }

    /// Parses `text` as a layer on top of this policy: its rules are added, its overrides change
    /// or disable rules by id, its waivers are collected. Everything is validated at once.
    pub fn layer(mut self, text: &str, origin: &str) -> Result<Policy, Error> {
        let fail = |diagnostics: Vec<Diagnostic>| Error {
            origin: origin.to_owned(),
            count: diagnostics.len(),
            rendered: diag::render(origin, text, &diagnostics),
            diagnostics,
        };
        // A syntax error stops here; a malformed table (unknown key, wrong type) is reported and
        // left out, and every well-formed table is still checked, so all mistakes come at once.
        let (raw, structural) = raw::parse_raw(text).map_err(fail)?;
        let mut v = Validator {
            diags: structural,
            broken_ids: raw.broken_ids.clone(),
        };
        let mut ids: BTreeMap<String, Range<usize>> = BTreeMap::new();
        let base_ids: Vec<String> = self.rules.iter().map(|r| r.id.clone()).collect();
        for rule in raw.rule {
            if let Some(first) = ids.get(rule.id.get_ref()) {
                let (line, _) = diag::line_col(text, first.start);
                v.push(
                    Diagnostic::new(
                        rule.id.span(),
                        format!("duplicate rule id `{}`", rule.id.get_ref()),
                    )
                    .help(format!(
                        "the first rule with this id is on line {line}; rule ids must be unique"
                    )),
                );
            } else if base_ids.contains(rule.id.get_ref()) {
                v.push(
                    Diagnostic::new(
                        rule.id.span(),
                        format!("rule id `{}` is already defined by {}", rule.id.get_ref(), self.origin),
                    )
                    .help("to change that rule, use [[override]] with `rule = \"<id>\"`; to add one, pick a new id"),
                );
            } else {
                ids.insert(rule.id.get_ref().clone(), rule.id.span());
            }
            if let Some(mut r) = v.rule(rule) {
                r.origin = origin.to_owned();
                self.rules.push(r);
            }
        }
        for o in raw.overrides {
            v.apply_override(&mut self, o, text, origin);
        }
        for w in raw.waiver {
            if let Some(w) = v.waiver(&self, w, text, origin) {
                self.waivers.push(w);
            }
        }
        if !v.diags.is_empty() {
            v.diags.sort_by_key(|d| d.span.start);
            return Err(fail(v.diags));
        }
        self.origin = if self.origin.is_empty() {
            origin.to_owned()
        } else {
            format!("{} + {origin}", self.origin)
        };
        Ok(self)
    }
}

/// Collects every diagnostic of one layer while its tables are turned into the model.
#[derive(Default)]
struct Validator {
    diags: Vec<Diagnostic>,
    broken_ids: Vec<String>,
}

impl Validator {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> String {
        match Policy::parse(text, "p.toml") {
            Ok(_) => panic!("policy should not validate"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_builtin_pack_validates() {
        let p = Policy::parse(crate::policy::BUILTIN, crate::policy::BUILTIN_NAME)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(p.rules.len() >= 12);
    }

    #[test]
    fn unknown_key_is_located_with_help() {
        let out = errors(
            "[[rule]]\nid = \"a\"\ntitle = \"t\"\nsevrity = \"high\"\npath = \"password.min_length\"\nmin = 8\n",
        );
        assert!(out.contains("p.toml:4:1: unknown field `sevrity`"), "{out}");
        assert!(out.contains("help: a rule holds:"), "{out}");
    }

    #[test]
    fn wrong_type_is_located() {
        let out = errors(
            "[[rule]]\nid = \"a\"\ntitle = \"t\"\nseverity = 3\npath = \"password.min_length\"\nmin = 8\n",
        );
        assert!(
            out.contains("p.toml:4:12: invalid type: integer `3`, expected a string"),
            "{out}"
        );
    }

    #[test]
    fn semantic_errors_are_all_reported_at_once() {
        let text = r#"
[[rule]]
id = "a"
title = "t"
severity = "urgent"
path = "session.inactivty_timeout"
max = "30m"

[[rule]]
id = "a"
title = "t"
severity = "high"
path = "jwt_templates"
matches = "("
"#;
        let out = errors(text);
        assert!(
            out.contains("p.toml:5:12: unknown severity `urgent`"),
            "{out}"
        );
        assert!(
            out.contains("p.toml:6:8: unknown snapshot path `session.inactivty_timeout`"),
            "{out}"
        );
        assert!(
            out.contains("did you mean `session.inactivity_timeout`?"),
            "{out}"
        );
        assert!(out.contains("p.toml:10:6: duplicate rule id `a`"), "{out}");
        assert!(
            out.contains("p.toml:14:11: invalid regular expression"),
            "{out}"
        );
        assert!(out.contains("4 error(s)"), "{out}");
    }

    #[test]
    fn conditions_in_a_when_array_are_validated_and_located() {
        let text = r#"[[rule]]
id = "a"
title = "t"
severity = "high"
path = "password.min_length"
min = 15
when = [{ path = "password.enabled", equals = true }, { path = "mfa.requird", equals = false }, { path = "password.enabled", equals = 3 }]
when_any = []
"#;
        let out = errors(text);
        assert!(
            out.contains("p.toml:7:64: unknown snapshot path `mfa.requird`"),
            "{out}"
        );
        assert!(
            out.contains("p.toml:7:135: `equals` on a boolean setting needs true or false"),
            "{out}"
        );
        assert!(
            out.contains("p.toml:8:12: `when_any` holds no condition"),
            "{out}"
        );
        assert!(out.contains("3 error(s)"), "{out}");
        let out = errors(
            "[[rule]]\nid = \"a\"\ntitle = \"t\"\nseverity = \"high\"\npath = \"password.min_length\"\nmin = 8\nwhen = [{ path = \"password.enabled\", equal = true }]\n",
        );
        assert!(out.contains("p.toml:7:"), "{out}");
        assert!(out.contains("unknown field `equal`"), "{out}");
        // A single table still works, and one condition of an array is all it takes.
        for when in [
            "when = { path = \"password.enabled\", equals = true }",
            "when = [{ path = \"password.enabled\", equals = true }]",
            "when_any = [{ path = \"password.enabled\", equals = true }]",
        ] {
            let text = format!(
                "[[rule]]\nid = \"a\"\ntitle = \"t\"\nseverity = \"high\"\npath = \"password.min_length\"\nmin = 8\n{when}\n"
            );
            Policy::parse(&text, "p.toml").unwrap_or_else(|e| panic!("{when}: {e}"));
        }
    }

    #[test]
    fn durations_and_kinds_are_checked() {
        let out = errors(
            "[[rule]]\nid = \"a\"\ntitle = \"t\"\nseverity = \"high\"\npath = \"session.inactivity_timeout\"\nmax = \"soon\"\n",
        );
        assert!(out.contains("p.toml:6:7:"), "{out}");
        let out = errors(
            "[[rule]]\nid = \"a\"\ntitle = \"t\"\nseverity = \"high\"\npath = \"password.breach_detection\"\nequals = \"yes\"\n",
        );
        assert!(out.contains("needs true or false"), "{out}");
    }
}
