//! Validation of one rule (and of the assertion an override sets): its id, severity, quantifier,
//! paths checked against the snapshot schema, its single assertion typed by the path's kind
//! (durations parsed, regexes compiled), `when` and `where` conditions. Every problem becomes a
//! diagnostic at its span; nothing stops at the first. It does not layer policies.

use std::ops::Range;

use regex::Regex;
use serde_json::Value;
use toml::Spanned;

use super::Validator;
use super::raw::{RawConditions, RawRule};
use super::suggest::unknown_path;
use crate::diag::Diagnostic;
use crate::path::Path;
use crate::policy::model::{Assertion, Condition, Quantifier, Rule, Severity};
use crate::snapshot::schema::{self, Kind};

impl Validator {
    pub(super) fn rule(&mut self, raw: RawRule) -> Option<Rule> {
        let before = self.diags.len();
        let id = raw.id.get_ref().clone();
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        {
            self.push(
                Diagnostic::new(raw.id.span(), format!("invalid rule id `{id}`")).help(
                    "ids use letters, digits, `.`, `-` and `_`, e.g. `session.inactivity-timeout`",
                ),
            );
        }
        let severity = Severity::parse(raw.severity.get_ref());
        if severity.is_none() {
            self.push(
                Diagnostic::new(
                    raw.severity.span(),
                    format!("unknown severity `{}`", raw.severity.get_ref()),
                )
                .help("severity is one of critical, high, medium, low, info"),
            );
        }
        // `each`, `any` and `none` name the collection; at most one of them.
        let quantifiers: Vec<(Quantifier, &Spanned<String>)> = [
            (Quantifier::Each, raw.each.as_ref()),
            (Quantifier::Any, raw.any.as_ref()),
            (Quantifier::None, raw.none.as_ref()),
        ]
        .into_iter()
        .filter_map(|(q, v)| v.map(|v| (q, v)))
        .collect();
        if let [_, (_, second), ..] = quantifiers.as_slice() {
            self.push(
                Diagnostic::new(second.span(), "a rule takes one of `each`, `any` or `none`")
                    .help("`each` judges every entry, `any` needs one entry to pass, `none` needs no entry to match"),
            );
        }
        let quantifier = quantifiers.first().map_or(Quantifier::Each, |(q, _)| *q);
        let collection: Option<Spanned<String>> = quantifiers.first().map(|(_, v)| (*v).clone());
        let each = collection.as_ref().and_then(|e| {
            self.path(
                e,
                |k| matches!(k, Kind::Map | Kind::StrSet),
                "a collection (a keyed map or a set)",
            )
        });
        let rel = match &raw.path {
            Some(p) => match Path::parse(p.get_ref()) {
                Ok(path) => Some(path),
                Err(e) => {
                    self.push(Diagnostic::new(p.span(), e.to_string()));
                    None
                }
            },
            None if collection.is_some() => Some(Path::root()),
            None => {
                self.push(Diagnostic::new(raw.id.span(), format!("rule `{id}` has no `path`"))
                    .help("add `path = \"section.setting\"`; run `clerk-drift snapshot` to see the paths"));
                None
            }
        };
        // The absolute pattern the rule reads, checked against the schema.
        let mut kind = None;
        if let Some(rel) = &rel {
            let full = match (&each, &collection) {
                (Some(each), _) => Some(each.key("*").join(rel)),
                (None, Some(_)) => None,
                (None, None) => Some(rel.clone()),
            };
            if let Some(full) = full {
                kind = schema::kind_of(&full);
                let each_is_set = each
                    .as_ref()
                    .is_some_and(|e| schema::kind_of(e) == Some(Kind::StrSet));
                if each_is_set {
                    kind = Some(Kind::Str);
                    if !rel.is_empty()
                        && let Some(p) = &raw.path
                    {
                        self.push(
                            Diagnostic::new(
                                p.span(),
                                "a rule over a set's elements takes no `path`",
                            )
                            .help("remove `path`; the assertion applies to each element"),
                        );
                    }
                } else if kind.is_none() {
                    let span = raw.path.as_ref().map_or(raw.id.span(), Spanned::span);
                    self.push(unknown_path(span, &full.pattern()));
                }
            }
        }
        let assertion = self.assertions(raw.assertions(), kind, raw.id.span(), &id);
        let when = self.conditions(raw.when.as_ref(), &id, "when");
        let when_any = self.conditions(raw.when_any.as_ref(), &id, "when_any");
        let filter = raw.filter.as_ref().and_then(|w| {
            let cond = w.get_ref();
            let Some(each) = &each else {
                self.push(
                    Diagnostic::new(w.span(), "`where` filters the entries of `each`")
                        .help("add `each = \"<collection>\"`, or use `when` for a condition on the whole instance"),
                );
                return None;
            };
            let rel = match Path::parse(cond.path.get_ref()) {
                Ok(p) => p,
                Err(e) => {
                    self.push(Diagnostic::new(cond.path.span(), e.to_string()));
                    return None;
                }
            };
            let full = each.key("*").join(&rel);
            let k = schema::kind_of(&full);
            if k.is_none() {
                self.push(unknown_path(cond.path.span(), &full.pattern()));
                return None;
            }
            let a = self.assertions(cond.assertions(), k, w.span(), &id);
            Some(Condition {
                path: rel,
                assertion: a?,
                kind: k,
            })
        });
        if self.diags.len() != before {
            return None;
        }
        Some(Rule {
            id,
            filter,
            quantifier,
            title: raw.title.into_inner(),
            severity: severity?,
            rationale: raw.rationale,
            remediation: raw.remediation,
            message: raw.message,
            controls: raw.controls,
            each,
            path: rel?,
            assertion: assertion?,
            when,
            when_any,
            kind,
            origin: String::new(),
        })
    }

    /// The conditions of `when` or `when_any`, each on an absolute path with one assertion. An
    /// empty array is an error: it would say nothing.
    fn conditions(
        &mut self,
        raw: Option<&Spanned<RawConditions>>,
        id: &str,
        key: &str,
    ) -> Vec<Condition> {
        let Some(raw) = raw else {
            return Vec::new();
        };
        if raw.get_ref().0.is_empty() {
            self.push(
                Diagnostic::new(raw.span(), format!("`{key}` holds no condition"))
                    .help("write `{ path = \"…\", equals = … }`, or an array of such tables"),
            );
        }
        let mut out = Vec::new();
        for (span, cond) in &raw.get_ref().0 {
            let at = span.clone().unwrap_or_else(|| raw.span());
            let path = self.path(&cond.path, |_| true, "");
            let k = path.as_ref().and_then(schema::kind_of);
            let a = self.assertions(cond.assertions(), k, at, id);
            if let (Some(path), Some(assertion)) = (path, a) {
                out.push(Condition {
                    path,
                    assertion,
                    kind: k,
                });
            }
        }
        out
    }

    /// Parses an absolute path and checks it against the schema.
    fn path(
        &mut self,
        raw: &Spanned<String>,
        ok: impl Fn(Kind) -> bool,
        what: &str,
    ) -> Option<Path> {
        let path = match Path::parse(raw.get_ref()) {
            Ok(p) => p,
            Err(e) => {
                self.push(Diagnostic::new(raw.span(), e.to_string()));
                return None;
            }
        };
        match schema::kind_of(&path) {
            None => {
                self.push(unknown_path(raw.span(), &path.pattern()));
                None
            }
            Some(k) if !ok(k) => {
                self.push(Diagnostic::new(raw.span(), format!("`{path}` is not {what}"))
                    .help("`each` takes a collection such as `jwt_templates`, `oauth_providers` or `instance.allowed_origins`"));
                None
            }
            Some(_) => Some(path),
        }
    }

    pub(super) fn assertions(
        &mut self,
        present: Vec<(&'static str, &Spanned<toml::Value>)>,
        kind: Option<Kind>,
        at: Range<usize>,
        id: &str,
    ) -> Option<Assertion> {
        let (name, value) = match present.as_slice() {
            [one] => *one,
            [] => {
                self.push(Diagnostic::new(at, format!("rule `{id}` asserts nothing"))
                    .help("add one assertion: equals, not_equals, one_of, min, max, matches, not_matches, contains, not_contains, contains_any, exists, subset_of, disjoint_from or min_from_now"));
                return None;
            }
            [_, second, ..] => {
                let names: Vec<&str> = present.iter().map(|(n, _)| *n).collect();
                self.push(
                    Diagnostic::new(
                        second.1.span(),
                        format!("several assertions in one rule: {}", names.join(", ")),
                    )
                    .help("give each assertion its own rule, so each has its own id and severity"),
                );
                return None;
            }
        };
        let span = value.span();
        let json = |v: &toml::Value| serde_json::to_value(v).unwrap_or(Value::Null);
        // An unknown path was reported already; accept durations rather than pile on errors.
        let durations = matches!(kind, Some(Kind::Duration | Kind::ToggledDuration) | None);
        let scalar = |this: &mut Self, v: &toml::Value| -> Option<Value> {
            if durations && let toml::Value::String(s) = v {
                return match crate::duration::parse_seconds(s) {
                    Ok(secs) => Some(Value::from(secs)),
                    Err(e) => {
                        this.push(Diagnostic::new(span.clone(), e));
                        None
                    }
                };
            }
            if kind == Some(Kind::Bool) && !v.is_bool() {
                this.push(Diagnostic::new(
                    span.clone(),
                    format!("`{name}` on a boolean setting needs true or false"),
                ));
                return None;
            }
            Some(json(v))
        };
        let list = |this: &mut Self| -> Option<Vec<toml::Value>> {
            match value.get_ref() {
                toml::Value::Array(items) => Some(items.clone()),
                _ => {
                    this.push(Diagnostic::new(
                        span.clone(),
                        format!("`{name}` takes an array"),
                    ));
                    None
                }
            }
        };
        let regex = |this: &mut Self| -> Option<Regex> {
            let toml::Value::String(s) = value.get_ref() else {
                this.push(Diagnostic::new(
                    span.clone(),
                    format!("`{name}` takes a regular expression string"),
                ));
                return None;
            };
            match Regex::new(s) {
                Ok(r) => Some(r),
                Err(e) => {
                    let detail = e.to_string();
                    let last = detail.lines().last().unwrap_or("invalid").trim().to_owned();
                    this.push(Diagnostic::new(span.clone(), format!("invalid regular expression: {last}"))
                        .help("the syntax is Rust's `regex` crate (no look-around or back-references)"));
                    None
                }
            }
        };
        let number = |this: &mut Self| -> Option<f64> {
            if !matches!(
                kind,
                Some(
                    Kind::Int
                        | Kind::Duration
                        | Kind::ToggledDuration
                        | Kind::Json
                        | Kind::Observed
                ) | None
            ) {
                this.push(Diagnostic::new(
                    span.clone(),
                    format!("`{name}` compares numbers and durations; this setting is neither"),
                ));
                return None;
            }
            match value.get_ref() {
                toml::Value::Integer(i) => Some(*i as f64),
                toml::Value::Float(f) => Some(*f),
                toml::Value::String(s) if durations => match crate::duration::parse_seconds(s) {
                    Ok(secs) => Some(secs as f64),
                    Err(e) => {
                        this.push(Diagnostic::new(span.clone(), e));
                        None
                    }
                },
                _ => {
                    this.push(Diagnostic::new(
                        span.clone(),
                        format!(
                            "`{name}` takes a number{}",
                            if durations {
                                " or a duration like \"30m\""
                            } else {
                                ""
                            }
                        ),
                    ));
                    None
                }
            }
        };
        let collection_like = |this: &mut Self| -> bool {
            let ok = matches!(
                kind,
                Some(Kind::StrSet | Kind::Json | Kind::Observed | Kind::Map | Kind::Str) | None
            );
            if !ok {
                this.push(Diagnostic::new(
                    span.clone(),
                    format!("`{name}` applies to sets, objects and strings"),
                ));
            }
            ok
        };
        Some(match name {
            "equals" => Assertion::Equals(scalar(self, value.get_ref())?),
            "not_equals" => Assertion::NotEquals(scalar(self, value.get_ref())?),
            "one_of" => {
                let items = list(self)?;
                let mut out = Vec::new();
                for item in &items {
                    out.push(scalar(self, item)?);
                }
                Assertion::OneOf(out)
            }
            "min" => Assertion::Min(number(self)?),
            "max" => Assertion::Max(number(self)?),
            "matches" => Assertion::Matches(regex(self)?),
            "not_matches" => Assertion::NotMatches(regex(self)?),
            "contains" => {
                if !collection_like(self) {
                    return None;
                }
                Assertion::Contains(json(value.get_ref()))
            }
            "not_contains" => {
                if !collection_like(self) {
                    return None;
                }
                Assertion::NotContains(json(value.get_ref()))
            }
            "contains_any" => {
                if !collection_like(self) {
                    return None;
                }
                Assertion::ContainsAny(list(self)?.iter().map(json).collect())
            }
            "min_from_now" => {
                if !matches!(kind, Some(Kind::Timestamp) | None) {
                    self.push(Diagnostic::new(
                        span.clone(),
                        "`min_from_now` applies to timestamps (e.g. a certificate's expiry)",
                    ));
                    return None;
                }
                let seconds = match value.get_ref() {
                    toml::Value::String(t) => match crate::duration::parse_seconds(t) {
                        Ok(n) => n,
                        Err(e) => {
                            self.push(Diagnostic::new(span.clone(), e));
                            return None;
                        }
                    },
                    toml::Value::Integer(n) => *n,
                    _ => {
                        self.push(Diagnostic::new(
                            span.clone(),
                            "`min_from_now` takes a duration like \"30d\"",
                        ));
                        return None;
                    }
                };
                Assertion::MinFromNow { seconds, at: None }
            }
            "subset_of" | "disjoint_from" => {
                if !matches!(
                    kind,
                    Some(Kind::StrSet | Kind::Json | Kind::Observed) | None
                ) {
                    self.push(Diagnostic::new(
                        span.clone(),
                        format!("`{name}` applies to sets"),
                    ));
                    return None;
                }
                let items = list(self)?.iter().map(json).collect();
                if name == "subset_of" {
                    Assertion::SubsetOf(items)
                } else {
                    Assertion::DisjointFrom(items)
                }
            }
            _ => match value.get_ref() {
                toml::Value::Boolean(b) => Assertion::Exists(*b),
                _ => {
                    self.push(Diagnostic::new(span, "`exists` takes true or false"));
                    return None;
                }
            },
        })
    }
}
