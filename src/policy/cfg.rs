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

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use regex::Regex;
use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use crate::diag::{self, Diagnostic};
use crate::path::Path;
use crate::snapshot::schema::{self, Kind};

/// Finding severity, least severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule asserts about the value at its path.
#[derive(Debug, Clone)]
pub enum Assertion {
    Equals(Value),
    NotEquals(Value),
    OneOf(Vec<Value>),
    /// Numbers, or seconds for durations; a disabled toggled duration counts as unlimited.
    Min(f64),
    Max(f64),
    Matches(Regex),
    NotMatches(Regex),
    /// A set element, an object key or a substring.
    Contains(Value),
    NotContains(Value),
    ContainsAny(Vec<Value>),
    Exists(bool),
    /// Every element of the set is one of these.
    SubsetOf(Vec<Value>),
    /// No element of the set is one of these.
    DisjointFrom(Vec<Value>),
    /// A timestamp at least this many seconds after the evaluation time; `at` is that instant,
    /// set by [`Policy::set_now`] before evaluating.
    MinFromNow {
        seconds: i64,
        at: Option<jiff::Timestamp>,
    },
}

/// How a rule over a collection combines its entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// One finding per entry.
    Each,
    /// One finding: passes when at least one entry satisfies the assertion.
    Any,
    /// One finding: fails naming every entry that satisfies the assertion.
    None,
}

/// A precondition: the rule applies only when it holds.
#[derive(Debug, Clone)]
pub struct Condition {
    pub path: Path,
    pub assertion: Assertion,
    /// Schema kind of `path`, for duration-aware comparison and display.
    pub kind: Option<Kind>,
}

/// A validated rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub rationale: Option<String>,
    pub remediation: Option<String>,
    pub message: Option<String>,
    pub controls: BTreeMap<String, Vec<String>>,
    /// The collection iterated by `each`, `any` or `none`.
    pub each: Option<Path>,
    /// How the entries' verdicts combine.
    pub quantifier: Quantifier,
    /// Absolute path, or relative to each entry when `each` is set (empty: the entry itself).
    pub path: Path,
    pub assertion: Assertion,
    pub when: Option<Condition>,
    /// With `each`: only entries for which this holds are judged (path relative to the entry).
    pub filter: Option<Condition>,
    /// Schema kind of the asserted value.
    pub kind: Option<Kind>,
    /// The policy file that defined the rule.
    pub origin: String,
}

/// A rule switched off by an `[[override]]`, with the reason given.
#[derive(Debug, Clone)]
pub struct Disabled {
    pub id: String,
    pub reason: String,
    /// `file:line` of the override.
    pub by: String,
}

/// A validated waiver (see `policy::waivers`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Waiver {
    pub rule: String,
    /// One target (`jwt_templates[supabase]`); none: every finding of the rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// Last day the waiver holds (to the end of that day, UTC).
    pub expires: jiff::civil::Date,
    /// `file:line` of the waiver.
    pub origin: String,
}

/// The default and configurable limit on how far ahead a waiver may expire.
pub const DEFAULT_MAX_WAIVER_DAYS: i64 = 90;

/// A validated policy: the built-in pack and any layers on top, composed.
#[derive(Debug, Clone)]
pub struct Policy {
    pub origin: String,
    pub rules: Vec<Rule>,
    pub disabled: Vec<Disabled>,
    pub waivers: Vec<Waiver>,
    /// How far ahead a waiver may expire.
    pub max_waiver_days: i64,
}

/// A policy file that did not validate; `Display` renders every diagnostic.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{rendered}{origin}: {count} error(s); the policy was not evaluated")]
pub struct Error {
    pub origin: String,
    pub count: usize,
    pub rendered: String,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Default)]
struct RawPolicy {
    rule: Vec<RawRule>,
    /// Ids of `[[rule]]` tables that did not deserialize.
    broken_ids: Vec<String>,
    overrides: Vec<RawOverride>,
    waiver: Vec<RawWaiver>,
    max_waiver_days: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    rule: Spanned<String>,
    #[serde(default)]
    target: Option<Spanned<String>>,
    reason: Spanned<String>,
    #[serde(default)]
    approved_by: Option<String>,
    expires: Spanned<toml::Value>,
}

/// Declares a raw TOML table with the given fields plus every assertion key, all spanned.
/// (`#[serde(flatten)]` would lose both `deny_unknown_fields` and the spans.)
macro_rules! with_assertions {
    ($name:ident { $($(#[$attr:meta])* $field:ident : $ty:ty,)* }) => {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct $name {
            $($(#[$attr])* $field: $ty,)*
            #[serde(default)] equals: Option<Spanned<toml::Value>>,
            #[serde(default)] not_equals: Option<Spanned<toml::Value>>,
            #[serde(default)] one_of: Option<Spanned<toml::Value>>,
            #[serde(default)] min: Option<Spanned<toml::Value>>,
            #[serde(default)] max: Option<Spanned<toml::Value>>,
            #[serde(default)] matches: Option<Spanned<toml::Value>>,
            #[serde(default)] not_matches: Option<Spanned<toml::Value>>,
            #[serde(default)] contains: Option<Spanned<toml::Value>>,
            #[serde(default)] not_contains: Option<Spanned<toml::Value>>,
            #[serde(default)] contains_any: Option<Spanned<toml::Value>>,
            #[serde(default)] exists: Option<Spanned<toml::Value>>,
            #[serde(default)] subset_of: Option<Spanned<toml::Value>>,
            #[serde(default)] disjoint_from: Option<Spanned<toml::Value>>,
            #[serde(default)] min_from_now: Option<Spanned<toml::Value>>,
        }

        impl $name {
            /// The assertion keys that are set, in declaration order.
            fn assertions(&self) -> Vec<(&'static str, &Spanned<toml::Value>)> {
                [
                    ("equals", &self.equals),
                    ("not_equals", &self.not_equals),
                    ("one_of", &self.one_of),
                    ("min", &self.min),
                    ("max", &self.max),
                    ("matches", &self.matches),
                    ("not_matches", &self.not_matches),
                    ("contains", &self.contains),
                    ("not_contains", &self.not_contains),
                    ("contains_any", &self.contains_any),
                    ("exists", &self.exists),
                    ("subset_of", &self.subset_of),
                    ("disjoint_from", &self.disjoint_from),
                    ("min_from_now", &self.min_from_now),
                ]
                .into_iter()
                .filter_map(|(name, v)| v.as_ref().map(|v| (name, v)))
                .collect()
            }
        }
    };
}

with_assertions!(RawRule {
    id: Spanned<String>,
    title: Spanned<String>,
    severity: Spanned<String>,
    #[serde(default)] path: Option<Spanned<String>>,
    #[serde(default)] each: Option<Spanned<String>>,
    #[serde(default)] any: Option<Spanned<String>>,
    #[serde(default)] none: Option<Spanned<String>>,
    #[serde(default)] message: Option<String>,
    #[serde(default)] rationale: Option<String>,
    #[serde(default)] remediation: Option<String>,
    #[serde(default)] controls: BTreeMap<String, Vec<String>>,
    #[serde(default)] when: Option<Spanned<RawCondition>>,
    #[serde(default, rename = "where")] filter: Option<Spanned<RawCondition>>,
});

with_assertions!(RawOverride {
    rule: Spanned<String>,
    #[serde(default)] severity: Option<Spanned<String>>,
    #[serde(default)] disable: Option<Spanned<bool>>,
    #[serde(default)] reason: Option<String>,
});

with_assertions!(RawCondition {
    path: Spanned<String>,
});

/// The keys a rule may hold, for help text.
const RULE_KEYS: &str = "id, title, severity, path, each/any/none, where, when, message, rationale, remediation, controls, and one of equals, not_equals, one_of, min, max, matches, not_matches, contains, not_contains, contains_any, exists, subset_of, disjoint_from, min_from_now; a policy file also holds [[override]] (rule, severity, disable, reason, or one assertion) and [[waiver]] (rule, target, reason, approved_by, expires)";

impl Policy {
    /// Parses and validates a policy on its own; `origin` names the file in diagnostics.
    pub fn parse(text: &str, origin: &str) -> Result<Policy, Error> {
        let empty = Policy {
            origin: String::new(),
            rules: Vec::new(),
            disabled: Vec::new(),
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
        let (raw, structural) = parse_raw(text).map_err(fail)?;
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
        if let Some(days) = &raw.max_waiver_days {
            if *days.get_ref() < 1 {
                v.push(Diagnostic::new(
                    days.span(),
                    "max_waiver_days must be at least 1",
                ));
            } else {
                self.max_waiver_days = *days.get_ref();
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

    /// Fixes the reference time of time-relative assertions (`min_from_now`).
    pub fn set_now(&mut self, now: jiff::Timestamp) {
        let fix = |a: &mut Assertion| {
            if let Assertion::MinFromNow { seconds, at } = a {
                *at = now
                    .checked_add(jiff::SignedDuration::from_secs(*seconds))
                    .ok();
            }
        };
        for r in &mut self.rules {
            fix(&mut r.assertion);
            if let Some(c) = &mut r.when {
                fix(&mut c.assertion);
            }
            if let Some(c) = &mut r.filter {
                fix(&mut c.assertion);
            }
        }
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// Deserializes each `[[rule]]`, `[[override]]` and `[[waiver]]` table on its own, so that every
/// malformed table is reported, not only the first. `Some(diagnostics)` when any failed.
fn parse_raw(text: &str) -> Result<(RawPolicy, Vec<Diagnostic>), Vec<Diagnostic>> {
    use toml::de::{DeTable, DeValue, ValueDeserializer};
    let mut raw = RawPolicy::default();
    let doc = DeTable::parse(text).map_err(|e| vec![toml_diagnostic(&e)])?;
    let mut diags = Vec::new();
    fn each<'i, T: serde::de::DeserializeOwned>(
        value: &Spanned<DeValue<'i>>,
        key: &str,
        out: &mut Vec<T>,
        diags: &mut Vec<Diagnostic>,
        broken: &mut Vec<String>,
    ) {
        let DeValue::Array(items) = value.get_ref() else {
            diags.push(
                Diagnostic::new(value.span(), format!("`{key}` must be an array of tables"))
                    .help(format!("write each one as a [[{key}]] table")),
            );
            return;
        };
        for item in items {
            match T::deserialize(ValueDeserializer::from(item.clone())) {
                Ok(t) => out.push(t),
                Err(e) => {
                    diags.push(toml_diagnostic(&e));
                    // Remember the id of a malformed rule, so that overrides and waivers of it
                    // are not also reported as naming an unknown rule.
                    if let DeValue::Table(t) = item.get_ref()
                        && let Some(id) = t.iter().find_map(|(k, v)| match v.get_ref() {
                            DeValue::String(s) if k.get_ref().as_ref() == "id" => {
                                Some(s.as_ref().to_owned())
                            }
                            _ => None,
                        })
                    {
                        broken.push(id);
                    }
                }
            }
        }
    }
    for (key, value) in doc.get_ref() {
        match key.get_ref().as_ref() {
            "rule" => each(value, "rule", &mut raw.rule, &mut diags, &mut raw.broken_ids),
            "override" => each(value, "override", &mut raw.overrides, &mut diags, &mut Vec::new()),
            "waiver" => each(value, "waiver", &mut raw.waiver, &mut diags, &mut Vec::new()),
            "max_waiver_days" => match value.get_ref() {
                DeValue::Integer(i) => match i.to_string().parse::<i64>() {
                    Ok(n) => raw.max_waiver_days = Some(Spanned::new(value.span(), n)),
                    Err(_) => diags.push(Diagnostic::new(value.span(), "max_waiver_days must be a whole number of days")),
                },
                _ => diags.push(Diagnostic::new(value.span(), "max_waiver_days must be a whole number of days")),
            },
            other => diags.push(
                Diagnostic::new(key.span(), format!("unknown top-level key `{other}`"))
                    .help("a policy file holds [[rule]], [[override]] and [[waiver]] tables and `max_waiver_days`"),
            ),
        }
    }
    Ok((raw, diags))
}

fn toml_diagnostic(e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim().to_owned();
    let mut d = Diagnostic::new(e.span().unwrap_or(0..0), message.clone());
    if message.starts_with("unknown field") {
        d = d.help(format!("a rule holds: {RULE_KEYS}"));
    } else if message.starts_with("invalid type") {
        d = d.help("check the value's type against docs/policy.md");
    } else if message.starts_with("missing field") {
        d = d.help("see docs/policy.md for the required keys");
    }
    d
}

/// The rule id nearest to `id`, for "did you mean".
fn closest_id<'a>(id: &str, ids: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    ids.map(|c| (edit_distance(id, c), c))
        .filter(|(d, _)| *d <= 3.max(id.len() / 4))
        .min()
        .map(|(_, c)| c)
}

fn unknown_rule(span: Range<usize>, id: &str, policy: &Policy) -> Diagnostic {
    let d = Diagnostic::new(span, format!("no rule `{id}` in {}", policy.origin));
    match closest_id(id, policy.rules.iter().map(|r| r.id.as_str())) {
        Some(best) => d.help(format!(
            "did you mean `{best}`? (`clerk-drift policy list` shows every id)"
        )),
        None => d.help("`clerk-drift policy list` shows every rule id"),
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

#[derive(Default)]
struct Validator {
    diags: Vec<Diagnostic>,
    broken_ids: Vec<String>,
}

impl Validator {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn apply_override(&mut self, policy: &mut Policy, raw: RawOverride, text: &str, origin: &str) {
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

    fn waiver(
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

    fn rule(&mut self, raw: RawRule) -> Option<Rule> {
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
        let when = raw.when.as_ref().and_then(|w| {
            let cond = w.get_ref();
            let path = self.path(&cond.path, |_| true, "");
            let k = path.as_ref().and_then(schema::kind_of);
            let a = self.assertions(cond.assertions(), k, w.span(), &id);
            Some(Condition {
                path: path?,
                assertion: a?,
                kind: k,
            })
        });
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
            kind,
            origin: String::new(),
        })
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

    fn assertions(
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
                Some(Kind::Int | Kind::Duration | Kind::ToggledDuration | Kind::Json) | None
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
                Some(Kind::StrSet | Kind::Json | Kind::Map | Kind::Str) | None
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
                if !matches!(kind, Some(Kind::StrSet | Kind::Json) | None) {
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

fn unknown_path(span: Range<usize>, pattern: &str) -> Diagnostic {
    let d = Diagnostic::new(span, format!("unknown snapshot path `{pattern}`"));
    match closest(pattern) {
        Some(best) => d.help(format!(
            "did you mean `{best}`? (docs/snapshot.md lists every path)"
        )),
        None => d.help("docs/snapshot.md lists every path"),
    }
}

/// The schema pattern nearest to `pattern` by edit distance, if any is close.
fn closest(pattern: &str) -> Option<&'static str> {
    schema::NODES
        .iter()
        .map(|n| (edit_distance(pattern, n.pattern), n.pattern))
        .filter(|(d, _)| *d <= 3.max(pattern.len() / 5))
        .min()
        .map(|(_, p)| p)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
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
