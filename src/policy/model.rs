//! The validated policy model: rules, their assertions and conditions, the record of every
//! `[[override]]` (what it changed, before → after, or the rule it disabled), waivers, and the
//! composed [`Policy`]. Plain data that evaluation and the reports read;
//! building it from TOML (and every diagnostic) belongs to [`super::cfg`], judging a snapshot to
//! [`super::eval`]. No I/O, no parsing here.

use std::collections::BTreeMap;
use std::fmt;

use regex::Regex;
use serde_json::Value;

use crate::path::Path;
use crate::snapshot::schema::Kind;

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
    /// The rule applies only when every one of these holds (`when`).
    pub when: Vec<Condition>,
    /// ... and, when not empty, at least one of these (`when_any`).
    pub when_any: Vec<Condition>,
    /// With `each`: only entries for which this holds are judged (path relative to the entry).
    pub filter: Option<Condition>,
    /// Schema kind of the asserted value.
    pub kind: Option<Kind>,
    /// The policy file that defined the rule.
    pub origin: String,
}

/// One `[[override]]` of a rule defined in a layer below, on the record: where it is, and each
/// field it changed, before → after. Disabling a rule is an override too: its one change is
/// `status: enabled → disabled`, and the rule as it was is kept in `disabled`.
#[derive(Debug, Clone)]
pub struct Override {
    /// The rule's id.
    pub rule: String,
    /// `file:line` of the `[[override]]` table.
    pub by: String,
    /// The policy file that defined the rule.
    pub defined_in: String,
    /// What it changed, in the order severity, title, expects (or the one `status` change).
    pub changes: Vec<FieldChange>,
    /// The reason given: required to disable, optional otherwise.
    pub reason: Option<String>,
    /// The rule as it was when this override disabled it (none for any other override).
    pub disabled: Option<Box<Rule>>,
}

/// One field an override changed, as a person reads it: `severity: medium → critical`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldChange {
    /// `severity`, `title`, `expects` (the assertion) or `status` (`enabled` → `disabled`).
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// A validated waiver (see `policy::waivers`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Waiver {
    pub rule: String,
    /// One target (`jwt_templates[supabase]`); none: every finding of the rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub reason: String,
    /// Who accepted the risk (required).
    pub approved_by: String,
    /// Last day the waiver holds (to the end of that day, UTC).
    pub expires: jiff::civil::Date,
    /// `file:line` of the waiver.
    pub origin: String,
}

/// The default limit on how far ahead a waiver may expire (`[governance] max_waiver_days` in
/// clerk-drift.toml changes it; a policy or waiver file never does).
pub const DEFAULT_MAX_WAIVER_DAYS: i64 = 90;

/// A validated policy: the built-in pack and any layers on top, composed.
#[derive(Debug, Clone)]
pub struct Policy {
    pub origin: String,
    pub rules: Vec<Rule>,
    /// Every `[[override]]` of every layer, in the order applied (a disabled rule's among them).
    pub overrides: Vec<Override>,
    pub waivers: Vec<Waiver>,
    /// How far ahead a waiver may expire: [`DEFAULT_MAX_WAIVER_DAYS`] unless the commands set it
    /// from clerk-drift.toml.
    pub max_waiver_days: i64,
}

impl Policy {
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
            for c in r.when.iter_mut().chain(r.when_any.iter_mut()) {
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

    /// The overrides that disabled a rule, with the rule as it was.
    pub fn disabled(&self) -> impl Iterator<Item = (&Override, &Rule)> {
        self.overrides
            .iter()
            .filter_map(|o| o.disabled.as_deref().map(|r| (o, r)))
    }

    /// The overrides of rule `id`, in the order applied.
    pub fn overrides_of<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Override> {
        self.overrides.iter().filter(move |o| o.rule == id)
    }
}
