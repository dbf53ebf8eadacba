//! The built-in pack, rule by rule: every rule has passing and failing fixtures, and every rule
//! with a `when`/`when_any` guard a fixture in which the guard makes it not applicable
//! (`tests/fixtures/rule-cases.json`, patches over the hardened baseline); every patched value
//! has the kind the snapshot schema gives its path. This test fails when a rule lacks them.

use std::collections::BTreeMap;

use clerk_drift::path::{Path, Seg};
use clerk_drift::policy::{self, Policy, Status};
use clerk_drift::snapshot::io;
use clerk_drift::snapshot::schema::{self, Kind};
use serde_json::Value;

use crate::common;

/// One patch, or several: each is applied on its own to the baseline.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Patches {
    One(BTreeMap<String, Value>),
    Many(Vec<BTreeMap<String, Value>>),
}

impl Patches {
    fn all(&self) -> Vec<&BTreeMap<String, Value>> {
        match self {
            Patches::One(p) => vec![p],
            Patches::Many(ps) => ps.iter().collect(),
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    pass: Patches,
    fail: Patches,
    /// Patches under which a guard (`when`, `when_any`, `where`) makes every finding n/a.
    #[serde(default)]
    not_applicable: Vec<BTreeMap<String, Value>>,
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

/// Why `value` cannot sit at `path` in a snapshot, if it cannot: the schema's kind decides, down
/// through structs and keyed collections (what the normalizer could write from Clerk's answers).
fn misfit(path: &Path, value: &Value) -> Option<String> {
    let Some(kind) = schema::kind_of(path) else {
        return Some(format!("{path}: not in the schema"));
    };
    let ok = match (kind, value) {
        (Kind::Json, _) => true,
        (Kind::Bool, Value::Bool(_)) => true,
        (Kind::Int | Kind::Duration, Value::Number(n)) => n.is_i64(),
        (Kind::Str | Kind::Timestamp, Value::String(_) | Value::Null) => true,
        (Kind::Secret, Value::String(s)) => s == "present" || s == "absent",
        (Kind::StrSet, Value::Array(items)) => {
            let strings: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            strings.len() == items.len() && strings.windows(2).all(|w| w[0] < w[1])
        }
        (Kind::ToggledDuration, Value::Object(o)) => {
            o.len() == 2
                && o.get("enabled").is_some_and(Value::is_boolean)
                && o.get("seconds").is_some_and(Value::is_i64)
        }
        (Kind::Struct, Value::Object(o)) => {
            return o.iter().find_map(|(k, v)| misfit(&path.field(k), v));
        }
        (Kind::Map, Value::Object(o)) => {
            return o.iter().find_map(|(k, v)| match v {
                Value::Object(fields) => fields
                    .iter()
                    .find_map(|(f, v)| misfit(&path.key(k).field(f), v)),
                other => Some(format!(
                    "{path}[{k}]: an entry must be an object, not {other}"
                )),
            });
        }
        _ => false,
    };
    (!ok).then(|| format!("{path}: {value} does not fit a {kind:?} setting"))
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
        let guarded = !rule.when.is_empty() || !rule.when_any.is_empty();
        if guarded && case.not_applicable.is_empty() {
            problems.push(format!(
                "{id}: the rule has a guard but no `not_applicable` fixture"
            ));
        }
        let runs = case
            .pass
            .all()
            .into_iter()
            .map(|p| (Status::Pass, p))
            .chain(case.fail.all().into_iter().map(|p| (Status::Fail, p)))
            .chain(
                case.not_applicable
                    .iter()
                    .map(|p| (Status::NotApplicable, p)),
            );
        for (expect, patch) in runs {
            let mut snap = base.clone();
            for (path, value) in patch {
                let parsed = Path::parse(path).unwrap_or_else(|e| panic!("{path}: {e}"));
                if let Some(why) = misfit(&parsed, value) {
                    problems.push(format!("{id}: {why}"));
                }
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
            let ok = match expect {
                Status::Fail => statuses.contains(&Status::Fail),
                Status::Pass => {
                    statuses.contains(&Status::Pass)
                        && !statuses
                            .iter()
                            .any(|s| matches!(s, Status::Fail | Status::Unknown))
                }
                _ => !statuses.is_empty() && statuses.iter().all(|s| *s == Status::NotApplicable),
            };
            if !ok {
                problems.push(format!(
                    "{id}: the `{}` fixture {patch:?} gave {findings:#?}",
                    expect.as_str()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A web app on its own domain leaves `allowed_origins` null (the snapshot's empty set); a browser
/// extension or Capacitor app lists its own scheme. No rule may fail either for it.
#[test]
fn no_rule_fails_a_web_app_without_allowed_origins_or_an_app_with_its_own_scheme() {
    let pack = Policy::parse(policy::BUILTIN, policy::BUILTIN_NAME).expect("pack validates");
    let base = io::load(&common::baseline()).expect("baseline");
    for origins in [
        serde_json::json!([]),
        serde_json::json!([
            "capacitor://localhost",
            "chrome-extension://nkbihfbeogaeaoehlefnkodbefgpgknn"
        ]),
    ] {
        let mut snap = base.clone();
        set(
            &mut snap.settings,
            "instance.allowed_origins",
            origins.clone(),
        );
        let bad: Vec<_> = policy::evaluate(&pack, &snap)
            .into_iter()
            .filter(|f| {
                f.target.starts_with("instance.allowed_origins")
                    && matches!(f.status, Status::Fail | Status::Unknown)
            })
            .collect();
        assert!(bad.is_empty(), "{origins}: {bad:#?}");
    }
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
/// that is not about application code (1, 7, 13, 14), this tool itself (20) or fixed by Clerk (8).
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
    // Item 8 (SameSite) is fixed by Clerk at Lax: no setting can fail it, so no rule judges it
    // (docs/policy.md, retired ids).
    let missing: Vec<u32> = [2, 3, 4, 5, 6, 9, 10, 11, 12, 15, 16, 17, 18, 19]
        .into_iter()
        .filter(|n| !have.contains(&n.to_string()))
        .collect();
    assert!(
        missing.is_empty(),
        "checklist items without a rule: {missing:?}"
    );
}

/// The rules over the settings schema_version 3 promoted, end to end: each archetype's recording
/// (all three APIs, and the Frontend API alone) normalized and judged by `check`, with exact
/// verdicts; then edits of one recording that make each rule fail, and feature-off views that make
/// it not applicable.
#[test]
fn promoted_settings_rules_give_exact_verdicts_on_real_shaped_recordings() {
    const RULES: [&str; 5] = [
        "instance.client-debug-mode-off",
        "session.url-based-syncing-off",
        "mfa.sms-second-factor-alternative",
        "password.change-requires-reverification",
        "sign-up.captcha-no-oauth-bypass",
    ];
    let recording = |name: &str| -> Vec<(std::path::PathBuf, Value)> {
        let dir = common::root().join("tests/fixtures/archetypes").join(name);
        common::json_files(&dir)
            .into_iter()
            .filter(|(rel, _)| rel.parent().is_some_and(|p| !p.as_os_str().is_empty()))
            .collect()
    };
    let verdicts = |files: &[(std::path::PathBuf, Value)]| -> Vec<String> {
        let tmp = tempfile::tempdir().expect("tempdir");
        common::write_recording(tmp.path(), files);
        let o = common::run(&[
            "check",
            tmp.path().to_str().expect("utf-8"),
            "--format",
            "json",
        ]);
        let doc: Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", common::stderr(&o)));
        RULES
            .iter()
            .map(|id| {
                let statuses: Vec<&str> = doc["findings"]
                    .as_array()
                    .expect("findings")
                    .iter()
                    .filter(|f| f["rule_id"] == *id)
                    .filter_map(|f| f["status"].as_str())
                    .collect();
                statuses.join(",")
            })
            .collect()
    };
    let frontend_only = |files: &[(std::path::PathBuf, Value)]| {
        files
            .iter()
            .filter(|(rel, _)| rel.starts_with("fapi"))
            .cloned()
            .collect::<Vec<_>>()
    };
    // Passwords off (passwordless, phone-first) and CAPTCHA off (Clerk's defaults) are facts.
    let want = |password: &str, captcha: &str| {
        vec![
            "pass".to_owned(),
            "pass".to_owned(),
            "not_applicable".to_owned(),
            password.to_owned(),
            captcha.to_owned(),
        ]
    };
    for (name, expected) in [
        ("consumer-web", want("pass", "pass")),
        ("b2b-saas", want("pass", "pass")),
        ("browser-extension", want("pass", "pass")),
        ("mobile-capacitor", want("pass", "pass")),
        ("passwordless", want("not_applicable", "pass")),
        ("phone-first", want("not_applicable", "pass")),
        ("fresh-defaults", want("pass", "not_applicable")),
        ("no-orgs-no-sso", want("pass", "pass")),
    ] {
        let files = recording(name);
        assert_eq!(verdicts(&files), expected, "{name}: all three APIs");
        assert_eq!(
            verdicts(&frontend_only(&files)),
            expected,
            "{name}: Frontend API only"
        );
    }

    // One edit at a time, to the consumer web app as every API would report it.
    let edit = |f: &dyn Fn(&std::path::Path, &mut Value)| {
        let mut files = recording("consumer-web");
        for (rel, body) in &mut files {
            f(rel, body);
        }
        files
    };
    let is = |rel: &std::path::Path, file: &str| rel == std::path::Path::new(file);
    let debug = edit(&|rel, body| {
        if is(rel, "fapi/environment.json") {
            body["client_debug_mode"] = Value::Bool(true);
        }
    });
    let url = edit(&|rel, body| {
        if is(rel, "fapi/environment.json") {
            body["auth_config"]["url_based_session_syncing"] = Value::Bool(true);
        }
    });
    // SMS codes as the only second factor: the authenticator app off, phone codes on.
    let sms_only = edit(&|rel, body| {
        if is(rel, "fapi/environment.json") {
            let a = &mut body["user_settings"]["attributes"];
            a["phone_number"]["enabled"] = Value::Bool(true);
            a["phone_number"]["used_for_second_factor"] = Value::Bool(true);
            a["phone_number"]["second_factors"] = serde_json::json!(["phone_code"]);
            a["authenticator_app"]["enabled"] = Value::Bool(false);
            body["auth_config"]["second_factors"] =
                serde_json::json!(["backup_code", "phone_code"]);
        }
        if is(rel, "plapi/config.json") {
            body["auth_phone"]["used_for_second_factor"] = Value::Bool(true);
            body["auth_phone"]["second_factor_strategies"] = serde_json::json!(["phone_code"]);
            body["auth_multi_factor"]["authenticator_app"]["enabled"] = Value::Bool(false);
        }
    });
    let no_reverification = edit(&|rel, body| {
        if is(rel, "fapi/environment.json") {
            body["user_settings"]["password_settings"]["disable_password_reverification"] =
                Value::Bool(true);
        }
    });
    let bypass = edit(&|rel, body| {
        if is(rel, "fapi/environment.json") {
            body["display_config"]["captcha_oauth_bypass"] = serde_json::json!(["oauth_google"]);
        }
    });
    let fail_one = |i: usize| {
        let mut v = want("pass", "pass");
        v[i] = "fail".to_owned();
        v
    };
    for (what, files, expected) in [
        ("client debug mode on", debug, fail_one(0)),
        ("URL-based session syncing on", url, fail_one(1)),
        (
            "SMS as the only second factor",
            sms_only.clone(),
            fail_one(2),
        ),
        (
            "password change without reverification",
            no_reverification,
            fail_one(3),
        ),
        ("an OAuth provider bypasses CAPTCHA", bypass, fail_one(4)),
    ] {
        assert_eq!(verdicts(&files), expected, "{what}: all three APIs");
        assert_eq!(
            verdicts(&frontend_only(&files)),
            expected,
            "{what}: Frontend API only"
        );
    }
    // SMS next to an authenticator app passes: NIST allows a restricted authenticator with an
    // unrestricted alternative.
    let sms_and_totp: Vec<_> = sms_only
        .into_iter()
        .map(|(rel, mut body)| {
            if is(&rel, "fapi/environment.json") {
                body["user_settings"]["attributes"]["authenticator_app"]["enabled"] =
                    Value::Bool(true);
            }
            if is(&rel, "plapi/config.json") {
                body["auth_multi_factor"]["authenticator_app"]["enabled"] = Value::Bool(true);
            }
            (rel, body)
        })
        .collect();
    assert_eq!(verdicts(&sms_and_totp), vec!["pass"; 5]);
}
