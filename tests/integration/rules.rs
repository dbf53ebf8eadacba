//! The built-in pack, rule by rule: every rule has a passing and a failing fixture
//! (`tests/fixtures/rule-cases.json`, patches over the hardened baseline), and this test fails
//! when a rule lacks them.

use std::collections::BTreeMap;

use clerk_drift::path::{Path, Seg};
use clerk_drift::policy::{self, Policy, Status};
use clerk_drift::snapshot::io;
use serde_json::Value;

use crate::common;

#[derive(serde::Deserialize)]
struct Case {
    pass: BTreeMap<String, Value>,
    fail: BTreeMap<String, Value>,
}

/// Sets `path` in `settings`; its parent must already exist (a typo must not pass silently).
fn set(settings: &mut Value, path: &str, value: Value) {
    let p = Path::parse(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (last, parents) = p.0.split_last().expect("non-empty path");
    let mut cur = settings;
    for seg in parents {
        let (Seg::Field(k) | Seg::Key(k)) = seg;
        cur = cur
            .get_mut(k)
            .unwrap_or_else(|| panic!("{path}: `{k}` does not exist in the baseline"));
    }
    let (Seg::Field(k) | Seg::Key(k)) = last;
    let obj = cur
        .as_object_mut()
        .unwrap_or_else(|| panic!("{path}: parent is not an object"));
    obj.insert(k.clone(), value);
}

#[test]
fn every_builtin_rule_has_a_passing_and_a_failing_fixture() {
    let pack = Policy::parse(policy::BUILTIN, policy::BUILTIN_NAME).expect("pack validates");
    let text = std::fs::read_to_string(common::root().join("tests/fixtures/rule-cases.json"))
        .expect("fixtures");
    let cases: BTreeMap<String, Case> = serde_json::from_str(&text).expect("fixture JSON");
    let missing: Vec<&str> = pack
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !cases.contains_key(*id))
        .collect();
    assert!(missing.is_empty(), "rules without fixtures: {missing:?}");
    let base = io::load(&common::baseline()).expect("baseline");
    let mut problems = Vec::new();
    for (id, case) in &cases {
        let Some(rule) = pack.rule(id) else {
            problems.push(format!("{id}: fixture for a rule the pack does not have"));
            continue;
        };
        for (expect_fail, patch) in [(false, &case.pass), (true, &case.fail)] {
            let mut snap = base.clone();
            for (path, value) in patch {
                set(&mut snap.settings, path, value.clone());
            }
            let mut one = Policy {
                rules: vec![rule.clone()],
                ..pack.clone()
            };
            // Time-relative rules are judged as of the fixtures' date.
            one.set_now("2026-11-22T00:00:00Z".parse().expect("timestamp"));
            let findings = policy::evaluate(&one, &snap);
            let statuses: Vec<Status> = findings.iter().map(|f| f.status).collect();
            let ok = if expect_fail {
                statuses.contains(&Status::Fail)
            } else {
                statuses.contains(&Status::Pass)
                    && !statuses
                        .iter()
                        .any(|s| matches!(s, Status::Fail | Status::Unknown))
            };
            if !ok {
                let kind = if expect_fail { "fail" } else { "pass" };
                problems.push(format!("{id}: the `{kind}` fixture gave {findings:#?}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn policy_explain_works_for_every_rule() {
    let pack = Policy::parse(policy::BUILTIN, policy::BUILTIN_NAME).expect("pack validates");
    for rule in &pack.rules {
        let o = common::run(&["policy", "explain", &rule.id]);
        assert_eq!(common::code(&o), 0, "{}: {}", rule.id, common::stderr(&o));
        let out = common::stdout(&o);
        assert!(
            out.starts_with(&format!("{} — {}", rule.id, rule.title)),
            "{out}"
        );
        for needle in [
            "severity: ",
            "reads: ",
            "expects: ",
            "why: ",
            "fix: ",
            "controls:",
        ] {
            assert!(out.contains(needle), "{}: no `{needle}` in\n{out}", rule.id);
        }
    }
    let o = common::run(&["policy", "explain", "session.inactivity-timout"]);
    assert_eq!(common::code(&o), 1);
    assert!(common::stderr(&o).contains("no rule `session.inactivity-timout`"));
}

/// CHECKLIST.md: the pack covers all 19 checks of `clerk security audit` and every checklist item
/// that is not about application code (1, 7, 13, 14) or this tool itself (20).
#[test]
fn the_pack_covers_clerks_audit_and_the_checklist() {
    let pack = Policy::parse(policy::BUILTIN, policy::BUILTIN_NAME).expect("pack validates");
    let mapped = |framework: &str| -> std::collections::BTreeSet<String> {
        pack.rules
            .iter()
            .flat_map(|r| r.controls.get(framework).cloned().unwrap_or_default())
            .collect()
    };
    let audit = [
        "bot-protection",
        "breach-detection",
        "user-lockout",
        "device-trust",
        "mfa",
        "passwordless-auth",
        "email-verification",
        "breach-detection-sign-in",
        "lockout-threshold",
        "mfa-required",
        "passkeys",
        "phone-verification",
        "password-min-length",
        "allowlist-on-sign-in",
        "oauth-custom-credentials",
        "session-lifetime",
        "email-link-same-client",
        "block-disposable-email",
        "block-email-subaddresses",
    ];
    let have = mapped("clerk_audit");
    let missing: Vec<&str> = audit
        .iter()
        .copied()
        .filter(|c| !have.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "clerk security audit checks without a rule: {missing:?}"
    );
    let have = mapped("checklist");
    let missing: Vec<u32> = [2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 15, 16, 17, 18, 19]
        .into_iter()
        .filter(|n| !have.contains(&n.to_string()))
        .collect();
    assert!(
        missing.is_empty(),
        "checklist items without a rule: {missing:?}"
    );
}
