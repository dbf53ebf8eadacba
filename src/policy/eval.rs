//! Evaluates a [`Policy`] against a [`Snapshot`]. Pure: no I/O.
//!
//! A rule over a setting that was not observed yields `unknown` with the reason from coverage,
//! never `pass`. A rule with `each` yields one finding per entry, targeted by the entry's path.

use serde::Serialize;
use serde_json::Value;

use super::model::{Assertion, Condition, Policy, Quantifier, Rule, Severity};
use crate::path::Path;
use crate::snapshot::Snapshot;
use crate::snapshot::schema::{self, Kind, display_value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Fail,
    Unknown,
    Pass,
    /// The rule's `when` did not hold (e.g. a production-only rule on a development instance).
    NotApplicable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::Pass => "pass",
            Status::NotApplicable => "n/a",
        }
    }
}

/// The verdict of one rule on one target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    /// The path judged (`jwt_templates[supabase].lifetime`).
    pub target: String,
    /// What was found and what was expected, or why it is unknown.
    pub detail: String,
    /// The waiver that accepts this failing finding, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<super::model::Waiver>,
}

/// Evaluates every rule; findings come in rule order, then target order.
pub fn evaluate(policy: &Policy, snapshot: &Snapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in &policy.rules {
        evaluate_rule(rule, snapshot, &mut out);
    }
    out
}

fn finding(rule: &Rule, status: Status, target: &Path, detail: String) -> Finding {
    Finding {
        rule_id: rule.id.clone(),
        title: rule.title.clone(),
        severity: rule.severity,
        status,
        target: target.to_string(),
        detail,
        waiver: None,
    }
}

fn evaluate_rule(rule: &Rule, snap: &Snapshot, out: &mut Vec<Finding>) {
    let anchor = rule.each.clone().unwrap_or_else(|| rule.path.clone());
    match applies(rule, snap) {
        Applies::Yes => {}
        Applies::No(detail) => {
            out.push(finding(rule, Status::NotApplicable, &anchor, detail));
            return;
        }
        Applies::Unknown(detail) => {
            out.push(finding(rule, Status::Unknown, &anchor, detail));
            return;
        }
    }
    let Some(each) = &rule.each else {
        let v = judge(&rule.path, rule.kind, &rule.assertion, snap);
        out.push(to_finding(rule, &rule.path, v));
        return;
    };
    let mut found = Vec::new();
    match snap.get(each) {
        None => {
            let reason = snap.unobserved_reason(each).unwrap_or("not observed");
            found.push(finding(rule, Status::Unknown, each, reason.to_owned()));
        }
        Some(Value::Object(entries)) => {
            for key in entries.keys() {
                let target = each.key(key).join(&rule.path);
                if let Some(filter) = &rule.filter {
                    let at = each.key(key).join(&filter.path);
                    match judge(&at, filter.kind, &filter.assertion, snap) {
                        Verdict::Pass => {}
                        Verdict::Fail(_) => {
                            found.push(finding(
                                rule,
                                Status::NotApplicable,
                                &target,
                                format!(
                                    "applies only to entries where {} is {}",
                                    filter.path,
                                    expectation(&filter.assertion, filter.kind)
                                ),
                            ));
                            continue;
                        }
                        Verdict::Unknown(reason) => {
                            found.push(finding(rule, Status::Unknown, &target, reason));
                            continue;
                        }
                    }
                }
                let v = judge(&target, rule.kind, &rule.assertion, snap);
                found.push(to_finding(rule, &target, v));
            }
        }
        Some(Value::Array(items)) => {
            let mut items: Vec<&Value> = items.iter().collect();
            items.sort_by_key(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
            for item in items {
                let key = item
                    .as_str()
                    .map_or_else(|| item.to_string(), str::to_owned);
                let target = each.key(&key);
                let v = check(&rule.assertion, Some(item), rule.kind);
                found.push(to_finding(rule, &target, v));
            }
        }
        Some(other) => found.push(finding(
            rule,
            Status::Unknown,
            each,
            format!("expected a collection, found {other}"),
        )),
    }
    combine(rule, each, found, out);
}

/// Adds per-entry findings (`each`), or folds them into one (`any`, `none`).
fn combine(rule: &Rule, each: &Path, entries: Vec<Finding>, out: &mut Vec<Finding>) {
    let judged: Vec<&Finding> = entries
        .iter()
        .filter(|f| f.status != Status::NotApplicable)
        .collect();
    let targets = |status: Status| -> Vec<String> {
        judged
            .iter()
            .filter(|f| f.status == status)
            .map(|f| f.target.clone())
            .collect()
    };
    let expected = expectation(&rule.assertion, rule.kind);
    match rule.quantifier {
        Quantifier::Each => out.extend(entries),
        Quantifier::Any => {
            let (passed, unknown) = (targets(Status::Pass), targets(Status::Unknown));
            let (status, detail) = if !passed.is_empty() {
                (Status::Pass, format!("satisfied by {}", passed.join(", ")))
            } else if !unknown.is_empty() {
                (
                    Status::Unknown,
                    format!("no entry passes; not observed: {}", unknown.join(", ")),
                )
            } else {
                (
                    Status::Fail,
                    format!("no entry is {expected} ({} judged)", judged.len()),
                )
            };
            out.push(finding(rule, status, each, detail));
        }
        Quantifier::None => {
            // An entry "passing" the assertion is an offender.
            let (offenders, unknown) = (targets(Status::Pass), targets(Status::Unknown));
            let (status, detail) = if !offenders.is_empty() {
                (
                    Status::Fail,
                    format!(
                        "expected no entry to be {expected}; found {}",
                        offenders.join(", ")
                    ),
                )
            } else if !unknown.is_empty() {
                (
                    Status::Unknown,
                    format!("not observed: {}", unknown.join(", ")),
                )
            } else {
                (Status::Pass, String::new())
            };
            out.push(finding(rule, status, each, detail));
        }
    }
}

fn to_finding(rule: &Rule, target: &Path, v: Verdict) -> Finding {
    match v {
        Verdict::Pass => finding(rule, Status::Pass, target, String::new()),
        Verdict::Fail(detail) => finding(rule, Status::Fail, target, detail),
        Verdict::Unknown(reason) => finding(rule, Status::Unknown, target, reason),
    }
}

enum Verdict {
    Pass,
    Fail(String),
    Unknown(String),
}

enum Applies {
    Yes,
    No(String),
    Unknown(String),
}

/// Whether a rule applies: every `when` condition holds and, if there are any, one of the
/// `when_any` conditions. A condition known to be false makes the rule not applicable even when
/// another one was not observed; otherwise an unobserved condition makes it unknown.
fn applies(rule: &Rule, snap: &Snapshot) -> Applies {
    let mut unknown = None;
    for cond in &rule.when {
        match holds(cond, snap) {
            Verdict::Pass => {}
            Verdict::Fail(detail) => {
                return Applies::No(format!(
                    "applies only when {}: {detail}",
                    describe_condition(cond)
                ));
            }
            Verdict::Unknown(reason) => {
                unknown.get_or_insert_with(|| {
                    format!(
                        "cannot tell whether the rule applies: {} {reason}",
                        cond.path
                    )
                });
            }
        }
    }
    if !rule.when_any.is_empty() {
        let mut any_unknown = None;
        let mut held = false;
        for cond in &rule.when_any {
            match holds(cond, snap) {
                Verdict::Pass => held = true,
                Verdict::Fail(_) => {}
                Verdict::Unknown(reason) => {
                    any_unknown.get_or_insert_with(|| {
                        format!(
                            "cannot tell whether the rule applies: {} {reason}",
                            cond.path
                        )
                    });
                }
            }
        }
        if !held {
            match any_unknown {
                Some(detail) => {
                    unknown.get_or_insert(detail);
                }
                None => {
                    let all: Vec<String> = rule.when_any.iter().map(describe_condition).collect();
                    return Applies::No(format!(
                        "applies only when one of these holds: {}",
                        all.join("; ")
                    ));
                }
            }
        }
    }
    match unknown {
        Some(detail) => Applies::Unknown(detail),
        None => Applies::Yes,
    }
}

fn holds(cond: &Condition, snap: &Snapshot) -> Verdict {
    judge(&cond.path, cond.kind, &cond.assertion, snap)
}

fn describe_condition(cond: &Condition) -> String {
    format!("{} {}", cond.path, expectation(&cond.assertion, cond.kind))
}

/// Looks a path up and checks the assertion, telling "not observed" from "not set".
fn judge(path: &Path, kind: Option<Kind>, assertion: &Assertion, snap: &Snapshot) -> Verdict {
    match snap.get(path) {
        Some(v) => check(assertion, Some(v), kind),
        None => {
            if let Some(reason) = snap.unobserved_reason(path) {
                return Verdict::Unknown(reason.to_owned());
            }
            // The parent was observed, so the value is really absent (a claim not set).
            let parent_observed = path.0.len() > 1
                && snap
                    .get(&Path(path.0[..path.0.len() - 1].to_vec()))
                    .is_some();
            if parent_observed || schema::inside_json(path) {
                check(assertion, None, kind)
            } else {
                Verdict::Unknown("not observed".to_owned())
            }
        }
    }
}

/// Applies an assertion to a value (`None`: definitely absent).
fn check(assertion: &Assertion, value: Option<&Value>, kind: Option<Kind>) -> Verdict {
    let shown = value.map_or_else(|| "not set".to_owned(), |v| display_value(kind, v));
    let fail = || {
        Verdict::Fail(format!(
            "found {shown}, expected {}",
            expectation(assertion, kind)
        ))
    };
    let ok = |b: bool| if b { Verdict::Pass } else { fail() };
    match (assertion, value) {
        (Assertion::Exists(want), v) => ok(v.is_some_and(|v| !v.is_null()) == *want),
        (_, None) => fail(),
        (Assertion::Equals(want), Some(v)) => ok(v == want),
        (Assertion::NotEquals(want), Some(v)) => ok(v != want),
        (Assertion::OneOf(options), Some(v)) => ok(options.contains(v)),
        (Assertion::Min(min), Some(v)) => match number(v, kind) {
            Some(n) => ok(n >= *min),
            None => Verdict::Unknown(format!("found {shown}, not a number")),
        },
        (Assertion::Max(max), Some(v)) => match number(v, kind) {
            Some(n) => ok(n <= *max),
            None => Verdict::Unknown(format!("found {shown}, not a number")),
        },
        (Assertion::Matches(re), Some(v)) => ok(re.is_match(&text(v))),
        (Assertion::NotMatches(re), Some(v)) => ok(!re.is_match(&text(v))),
        (Assertion::Contains(x), Some(v)) => ok(contains(v, x)),
        (Assertion::NotContains(x), Some(v)) => ok(!contains(v, x)),
        (Assertion::ContainsAny(xs), Some(v)) => ok(xs.iter().any(|x| contains(v, x))),
        (Assertion::SubsetOf(allowed), Some(Value::Array(items))) => {
            let extra: Vec<String> = items
                .iter()
                .filter(|i| !allowed.contains(i))
                .map(|i| display_value(None, i))
                .collect();
            if extra.is_empty() {
                Verdict::Pass
            } else {
                Verdict::Fail(format!("not allowed: {}", extra.join(", ")))
            }
        }
        (Assertion::DisjointFrom(banned), Some(Value::Array(items))) => {
            let hit: Vec<String> = items
                .iter()
                .filter(|i| banned.contains(i))
                .map(|i| display_value(None, i))
                .collect();
            if hit.is_empty() {
                Verdict::Pass
            } else {
                Verdict::Fail(format!("forbidden: {}", hit.join(", ")))
            }
        }
        (Assertion::MinFromNow { at: None, .. }, Some(_)) => {
            Verdict::Unknown("no reference time for a time-relative rule".into())
        }
        (Assertion::MinFromNow { at: Some(at), .. }, Some(v)) => {
            match v.as_str().and_then(|t| t.parse::<jiff::Timestamp>().ok()) {
                Some(t) => ok(t >= *at),
                None => Verdict::Unknown(format!("found {shown}, not a timestamp")),
            }
        }
        (Assertion::SubsetOf(_) | Assertion::DisjointFrom(_), Some(_)) => {
            Verdict::Unknown(format!("found {shown}, not a set"))
        }
    }
}

/// A number to compare; a disabled toggled duration is unlimited.
fn number(v: &Value, kind: Option<Kind>) -> Option<f64> {
    if kind == Some(Kind::ToggledDuration) {
        let enabled = v.get("enabled")?.as_bool()?;
        return if enabled {
            v.get("seconds")?.as_f64()
        } else {
            Some(f64::INFINITY)
        };
    }
    v.as_f64()
}

/// A value as text for regular expressions: strings as they are, anything else as JSON.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn contains(haystack: &Value, needle: &Value) -> bool {
    match haystack {
        Value::Array(items) => items.contains(needle),
        Value::Object(map) => needle.as_str().is_some_and(|k| map.contains_key(k)),
        Value::String(s) => needle.as_str().is_some_and(|n| s.contains(n)),
        _ => false,
    }
}

/// What an assertion expects, in words.
pub fn expectation(a: &Assertion, kind: Option<Kind>) -> String {
    let num = |n: f64| {
        if matches!(kind, Some(Kind::Duration | Kind::ToggledDuration)) && n.is_finite() {
            crate::duration::humanize(n as i64)
        } else {
            n.to_string()
        }
    };
    let val = |v: &Value| display_value(kind.filter(|k| *k != Kind::ToggledDuration), v);
    match a {
        Assertion::Equals(v) => val(v),
        Assertion::NotEquals(v) => format!("anything but {}", val(v)),
        Assertion::OneOf(vs) => format!(
            "one of {}",
            vs.iter().map(val).collect::<Vec<_>>().join(", ")
        ),
        Assertion::Min(n) => format!("at least {}", num(*n)),
        Assertion::Max(n) => format!("at most {}", num(*n)),
        Assertion::Matches(re) => format!("a match for `{re}`"),
        Assertion::NotMatches(re) => format!("no match for `{re}`"),
        Assertion::Contains(v) => format!("to contain {v}"),
        Assertion::NotContains(v) => format!("not to contain {v}"),
        Assertion::ContainsAny(vs) => format!(
            "to contain one of {}",
            vs.iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Assertion::Exists(true) => "to be set".to_owned(),
        Assertion::Exists(false) => "not to be set".to_owned(),
        Assertion::SubsetOf(vs) => format!(
            "only elements from {}",
            vs.iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Assertion::MinFromNow { seconds, at } => match at {
            Some(at) => format!(
                "no earlier than {} ({} from now)",
                at,
                crate::duration::humanize(*seconds)
            ),
            None => format!("at least {} from now", crate::duration::humanize(*seconds)),
        },
        Assertion::DisjointFrom(vs) => format!(
            "none of {}",
            vs.iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn snap(settings: Value, unobserved: &[&str]) -> Snapshot {
        Snapshot::for_test(settings, unobserved)
    }

    fn run(policy: &str, s: &Snapshot) -> Vec<(Status, String)> {
        let p = Policy::parse(policy, "t.toml").unwrap_or_else(|e| panic!("{e}"));
        evaluate(&p, s)
            .into_iter()
            .map(|f| (f.status, f.target))
            .collect()
    }

    const IDLE: &str = "[[rule]]\nid = \"idle\"\ntitle = \"t\"\nseverity = \"high\"\npath = \"session.inactivity_timeout\"\nmax = \"30m\"\n";

    #[test]
    fn toggled_duration_disabled_is_unlimited() {
        let off = snap(
            json!({"session": {"inactivity_timeout": {"enabled": false, "seconds": 600}}}),
            &[],
        );
        let on = snap(
            json!({"session": {"inactivity_timeout": {"enabled": true, "seconds": 600}}}),
            &[],
        );
        assert_eq!(run(IDLE, &off)[0].0, Status::Fail);
        assert_eq!(run(IDLE, &on)[0].0, Status::Pass);
    }

    #[test]
    fn unobserved_is_unknown_never_pass() {
        let s = snap(json!({"session": {}}), &["session.inactivity_timeout"]);
        let p = Policy::parse(IDLE, "t.toml").unwrap_or_else(|e| panic!("{e}"));
        let f = evaluate(&p, &s);
        assert_eq!(f[0].status, Status::Unknown);
        assert_eq!(f[0].detail, "no source for session.inactivity_timeout");
    }

    #[test]
    fn each_reports_every_offender_by_key() {
        let s = snap(
            json!({"jwt_templates": {"a": {"claims": {"aud": "x"}}, "b": {"claims": {}}}}),
            &[],
        );
        let rule = "[[rule]]\nid = \"aud\"\ntitle = \"t\"\nseverity = \"medium\"\neach = \"jwt_templates\"\npath = \"claims.aud\"\nexists = true\n";
        assert_eq!(
            run(rule, &s),
            vec![
                (Status::Pass, "jwt_templates[a].claims.aud".into()),
                (Status::Fail, "jwt_templates[b].claims.aud".into())
            ]
        );
    }

    #[test]
    fn each_over_a_set_checks_elements() {
        let s = snap(
            json!({"instance": {"allowed_origins": ["https://ok.example", "http://bad.example"]}}),
            &[],
        );
        let rule = "[[rule]]\nid = \"o\"\ntitle = \"t\"\nseverity = \"high\"\neach = \"instance.allowed_origins\"\nnot_matches = \"^http://\"\n";
        assert_eq!(
            run(rule, &s),
            vec![
                (
                    Status::Fail,
                    "instance.allowed_origins[\"http://bad.example\"]".into()
                ),
                (
                    Status::Pass,
                    "instance.allowed_origins[\"https://ok.example\"]".into()
                )
            ]
        );
    }

    #[test]
    fn when_gates_applicability() {
        let rule = "[[rule]]\nid = \"t\"\ntitle = \"t\"\nseverity = \"high\"\npath = \"instance.test_mode\"\nequals = false\nwhen = { path = \"instance.environment\", equals = \"production\" }\n";
        let dev = snap(
            json!({"instance": {"environment": "development", "test_mode": true}}),
            &[],
        );
        let prod = snap(
            json!({"instance": {"environment": "production", "test_mode": true}}),
            &[],
        );
        let unknown = snap(
            json!({"instance": {"test_mode": true}}),
            &["instance.environment"],
        );
        assert_eq!(run(rule, &dev)[0].0, Status::NotApplicable);
        assert_eq!(run(rule, &prod)[0].0, Status::Fail);
        assert_eq!(run(rule, &unknown)[0].0, Status::Unknown);
    }
}

#[cfg(test)]
mod condition_tests {
    use super::*;
    use serde_json::json;

    const BOTH: &str = r#"
[[rule]]
id = "len"
title = "t"
severity = "medium"
path = "password.min_length"
min = 15
when = [{ path = "password.enabled", equals = true }, { path = "mfa.required_for_sign_up", equals = false }]
"#;

    fn status(policy: &str, settings: Value, unobserved: &[&str]) -> (Status, String) {
        let p = Policy::parse(policy, "t.toml").unwrap_or_else(|e| panic!("{e}"));
        let f = evaluate(&p, &Snapshot::for_test(settings, unobserved));
        (f[0].status, f[0].detail.clone())
    }

    #[test]
    fn every_condition_of_a_when_array_must_hold() {
        let s = |pw: bool, mfa: bool| json!({"password": {"enabled": pw, "min_length": 8}, "mfa": {"required_for_sign_up": mfa}});
        assert_eq!(status(BOTH, s(true, false), &[]).0, Status::Fail);
        let (st, detail) = status(BOTH, s(false, false), &[]);
        assert_eq!(st, Status::NotApplicable);
        assert_eq!(
            detail,
            "applies only when password.enabled true: found false, expected true"
        );
        assert_eq!(status(BOTH, s(true, true), &[]).0, Status::NotApplicable);
        let mut pass = s(true, false);
        pass["password"]["min_length"] = json!(16);
        assert_eq!(status(BOTH, pass, &[]).0, Status::Pass);
    }

    #[test]
    fn a_false_condition_wins_over_an_unobserved_one() {
        // MFA unobserved, passwords off: not applicable (a fact), not unknown.
        let off = json!({"password": {"enabled": false, "min_length": 8}, "mfa": {}});
        assert_eq!(
            status(BOTH, off, &["mfa.required_for_sign_up"]).0,
            Status::NotApplicable
        );
        // MFA unobserved, passwords on: unknown, with the reason.
        let on = json!({"password": {"enabled": true, "min_length": 8}, "mfa": {}});
        let (st, detail) = status(BOTH, on, &["mfa.required_for_sign_up"]);
        assert_eq!(st, Status::Unknown);
        assert_eq!(
            detail,
            "cannot tell whether the rule applies: mfa.required_for_sign_up no source for mfa.required_for_sign_up"
        );
    }

    const ANY: &str = r#"
[[rule]]
id = "same-client"
title = "t"
severity = "low"
path = "attack_protection.email_link_same_client"
equals = true
when_any = [{ path = "sign_in.email_strategies", contains = "email_link" }, { path = "sign_up.email_verification_strategies", contains = "email_link" }]
"#;

    #[test]
    fn when_any_needs_one_condition() {
        let s = |sign_in: Value, sign_up: Value| {
            json!({"attack_protection": {"email_link_same_client": false},
                   "sign_in": {"email_strategies": sign_in},
                   "sign_up": {"email_verification_strategies": sign_up}})
        };
        assert_eq!(
            status(ANY, s(json!(["email_code"]), json!(["email_link"])), &[]).0,
            Status::Fail
        );
        assert_eq!(
            status(ANY, s(json!(["email_link"]), json!(["email_code"])), &[]).0,
            Status::Fail
        );
        let (st, detail) = status(ANY, s(json!(["email_code"]), json!(["email_code"])), &[]);
        assert_eq!(st, Status::NotApplicable);
        assert!(detail.starts_with("applies only when one of these holds: sign_in.email_strategies to contain \"email_link\"; "), "{detail}");
        // One false, one unobserved: unknown; one true, one unobserved: applies.
        let half = json!({"attack_protection": {"email_link_same_client": false},
                          "sign_in": {"email_strategies": ["email_code"]}, "sign_up": {}});
        assert_eq!(
            status(ANY, half, &["sign_up.email_verification_strategies"]).0,
            Status::Unknown
        );
        let half = json!({"attack_protection": {"email_link_same_client": false},
                          "sign_in": {"email_strategies": ["email_link"]}, "sign_up": {}});
        assert_eq!(
            status(ANY, half, &["sign_up.email_verification_strategies"]).0,
            Status::Fail
        );
    }
}

#[cfg(test)]
mod quantifier_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn any_and_none_fold_a_collection_into_one_finding() {
        let s = Snapshot::for_test(
            json!({"instance": {"allowed_origins": ["https://a.com", "http://localhost:3000"]}}),
            &[],
        );
        let text = r#"
[[rule]]
id = "none-localhost"
title = "t"
severity = "high"
none = "instance.allowed_origins"
matches = "localhost"

[[rule]]
id = "any-https"
title = "t"
severity = "high"
any = "instance.allowed_origins"
matches = "^https://"

[[rule]]
id = "any-ftp"
title = "t"
severity = "high"
any = "instance.allowed_origins"
matches = "^ftp://"
"#;
        let p = Policy::parse(text, "t.toml").unwrap_or_else(|e| panic!("{e}"));
        let f = evaluate(&p, &s);
        assert_eq!(f.len(), 3, "one finding per rule: {f:#?}");
        assert_eq!(f[0].status, Status::Fail);
        assert!(
            f[0].detail
                .contains("instance.allowed_origins[\"http://localhost:3000\"]"),
            "{}",
            f[0].detail
        );
        assert!(!f[0].detail.contains("a.com"), "{}", f[0].detail);
        assert_eq!(f[1].status, Status::Pass);
        assert_eq!(f[2].status, Status::Fail);
        let both = "[[rule]]\nid = \"x\"\ntitle = \"t\"\nseverity = \"low\"\neach = \"jwt_templates\"\nany = \"jwt_templates\"\npath = \"lifetime\"\nmax = 60\n";
        let err = Policy::parse(both, "t.toml")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("t.toml:6:7: a rule takes one of `each`, `any` or `none`"),
            "{err}"
        );
    }
}
