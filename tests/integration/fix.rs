//! `clerk-drift fix`: the worked example (golden), the patch it writes, that it sends nothing and
//! holds no secret, and the feature-off, Frontend-API-only and all-three-APIs cases.

use serde_json::{Value, json};

use crate::common::*;

/// The shipped drifted example against its baseline: the text golden and the exact patch.
#[test]
fn the_worked_example() {
    let dir = tempfile::tempdir().expect("tempdir");
    let patch = dir.path().join("patch.json");
    let patch_arg = patch.display().to_string();
    let out = run(&[
        "fix",
        "--snapshot",
        "examples/acme-prod-drifted",
        "--baseline",
        "baselines/acme-prod.json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    insta::assert_snapshot!("fix_worked_example", stdout(&out));
    let out = run(&[
        "fix",
        "--snapshot",
        "examples/acme-prod-drifted",
        "--baseline",
        "baselines/acme-prod.json",
        "-o",
        &patch_arg,
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&patch).expect("written")).expect("JSON");
    assert_eq!(
        written,
        json!({
            "auth_attack_protection": {
                "bot_protection": {"captcha_enabled": true},
                "user_lockout": {"max_attempts": 5}
            },
            "auth_password": {"disable_hibp": false},
            "connection_oauth_github": {"authenticatable": false, "enabled": false},
            "session_settings": {"inactivity_timeout": {"enabled": true}}
        })
    );
    assert!(stdout(&out).contains(&format!("Platform config patch written to {patch_arg}:")));
}

/// `--to policy`: every failing rule with a value gets it; the patch sets the Platform-carried
/// ones (the drifted example's lockout, CAPTCHA, breach detection and inactivity timeout).
#[test]
fn to_policy_makes_failing_rules_pass() {
    let out = run(&[
        "fix",
        "--snapshot",
        "examples/acme-prod-drifted",
        "--to",
        "policy",
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(doc["to"], "policy");
    // Exactly the four failing rules' keys: the CAPTCHA widget type (null while CAPTCHA was off)
    // keeps its raw value, and the inactivity timeout's stored 30 minutes (within the rule's
    // bound) is only switched on.
    assert_eq!(
        doc["platform_config"]["patch"],
        json!({
            "auth_attack_protection": {
                "bot_protection": {"captcha_enabled": true},
                "user_lockout": {"max_attempts": 10}
            },
            "auth_password": {"disable_hibp": false},
            "session_settings": {"inactivity_timeout": {"enabled": true}}
        })
    );
    assert_eq!(doc["platform_config"]["destructive"], json!(false));
}

/// `fix --to policy` on the example `name` edited by `edit`: its JSON.
fn fix_to_policy(name: &str, edit: impl Fn(&std::path::Path, &mut Value)) -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let cur = dir.path().join("cur");
    let mut files = json_files(&example(name));
    for (rel, body) in &mut files {
        edit(rel, body);
    }
    write_recording(&cur, &files);
    let out = run(&[
        "fix",
        "--snapshot",
        &cur.display().to_string(),
        "--to",
        "policy",
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("JSON")
}

/// The step whose settings include `path`.
fn step_of(doc: &Value, path: &str) -> Value {
    doc["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| {
            s["settings"]
                .as_array()
                .expect("settings")
                .iter()
                .any(|l| l["path"] == path)
        })
        .cloned()
        .unwrap_or_else(|| panic!("a step for {path}: {doc}"))
}

/// `--to policy` on a stored duration above the bound: the patch writes the switch and the raw
/// `duration_seconds`, and the step names both raw keys (the snapshot's `seconds` is written
/// under Clerk's name; a proptest seed found the step naming only the switch).
#[test]
fn a_duration_over_its_bound_is_written_and_named_under_its_raw_keys() {
    let doc = fix_to_policy("acme-prod-drifted", |rel, body| {
        if is_config(rel) {
            body["session_settings"]["inactivity_timeout"] =
                json!({"enabled": false, "duration_seconds": 7200});
        }
    });
    assert_eq!(
        doc["platform_config"]["patch"]["session_settings"],
        json!({"inactivity_timeout": {"enabled": true, "duration_seconds": 3600}})
    );
    let step = step_of(&doc, "session.inactivity_timeout");
    assert_eq!(step["rules"], json!(["session.inactivity-timeout"]));
    assert_eq!(
        step["apply"],
        json!({
            "by": "platform_config_patch",
            "fields": [
                "/session_settings/inactivity_timeout/duration_seconds",
                "/session_settings/inactivity_timeout/enabled"
            ]
        })
    );
}

/// `--to policy` with no second factor offered (MFA off, in the Platform config and the Frontend
/// API alike): the patch switches the authenticator app on, and the step for the set's new
/// element names that switch (an element of a set is written with its set).
#[test]
fn a_second_factor_added_to_the_set_is_named_by_its_switch() {
    let doc = fix_to_policy("acme-prod", |rel, body| {
        for block in ["authenticator_app", "backup_code"] {
            if is_config(rel) {
                body["auth_multi_factor"][block]["enabled"] = json!(false);
            }
            if rel.ends_with("fapi/environment.json") {
                let a = &mut body["user_settings"]["attributes"][block];
                a["enabled"] = json!(false);
                a["used_for_second_factor"] = json!(false);
                a["second_factors"] = json!([]);
            }
        }
    });
    assert_eq!(
        doc["platform_config"]["patch"]["auth_multi_factor"],
        json!({"authenticator_app": {"enabled": true}})
    );
    let step = step_of(&doc, "mfa.factors[totp]");
    assert_eq!(
        step["apply"],
        json!({
            "by": "platform_config_patch",
            "fields": ["/auth_multi_factor/authenticator_app/enabled"]
        })
    );
    assert_eq!(step["rules"], json!(["mfa.offered"]));
}

/// Session claims are the owner's keys: a changed claim is written and named under
/// `session/claims`, and a claim added by hand since the baseline is removed (a `null`, so
/// `--destructive`), never kept as a key Clerk added.
#[test]
fn a_changed_and_an_added_session_claim_are_restored_by_the_patch() {
    let (doc, _) = fix_pair(
        |rel, body| {
            if is_config(rel) {
                body["session"]["claims"]["org_slug"] = json!("{{org.id}}");
                body["session"]["claims"]["extra"] = json!("x");
            }
        },
        |_, _| {},
    );
    assert_eq!(
        doc["platform_config"]["patch"],
        json!({"session": {"claims": {"extra": null, "org_slug": "{{org.slug}}"}}})
    );
    assert_eq!(doc["platform_config"]["destructive"], json!(true));
    let applies: Vec<(Value, Value)> = doc["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| (s["settings"][0]["path"].clone(), s["apply"].clone()))
        .collect();
    assert_eq!(
        applies,
        vec![
            (
                json!("session.claims.extra"),
                json!({"by": "platform_config_patch", "fields": ["/session/claims/extra"]})
            ),
            (
                json!("session.claims.org_slug"),
                json!({"by": "platform_config_patch", "fields": ["/session/claims/org_slug"]})
            ),
        ]
    );
}

/// Each second factor is named by the raw key it is read from: `totp` by the authenticator
/// app's switch, `phone_code` not (it follows from `auth_phone`, which its own steps name).
#[test]
fn each_second_factor_is_named_by_its_own_key() {
    let (doc, _) = fix_pair(
        |rel, body| {
            if is_config(rel) {
                body["auth_multi_factor"]["authenticator_app"]["enabled"] = json!(false);
                body["auth_phone"]["used_for_second_factor"] = json!(true);
                body["auth_phone"]["second_factor_strategies"] = json!(["phone_code"]);
            }
        },
        |_, _| {},
    );
    let totp = step_of(&doc, "mfa.factors[totp]");
    assert_eq!(totp["settings"].as_array().map(Vec::len), Some(1), "{totp}");
    assert_eq!(
        totp["apply"],
        json!({
            "by": "platform_config_patch",
            "fields": ["/auth_multi_factor/authenticator_app/enabled"]
        })
    );
    assert_eq!(
        step_of(&doc, "mfa.factors[phone_code]")["apply"],
        json!({"by": "follows_from_patch"})
    );
    assert_eq!(
        step_of(&doc, "mfa.sms_second_factor")["apply"],
        json!({
            "by": "platform_config_patch",
            "fields": ["/auth_phone/used_for_second_factor"]
        })
    );
}

/// Feature off: Organizations on in the baseline, off now; the patch switches it back on.
#[test]
fn a_feature_switched_off_is_switched_back_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let on = dir.path().join("on");
    let off = dir.path().join("off");
    let files = json_files(&example("acme-prod"));
    write_recording(&on, &files);
    let mut off_files = files.clone();
    for (rel, body) in &mut off_files {
        if rel.ends_with("plapi/config.json") {
            body["organization_settings"]["enabled"] = json!(false);
        }
    }
    write_recording(&off, &off_files);
    let out = run(&[
        "fix",
        "--snapshot",
        &off.display().to_string(),
        "--baseline",
        &on.display().to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(
        doc["platform_config"]["patch"],
        json!({"organization_settings": {"enabled": true}})
    );
}

/// Only the Frontend API: the Platform config was not observed, and fix says so plainly; the
/// patch is empty and each Platform-carried setting names its key.
#[test]
fn only_the_frontend_api_says_the_platform_config_was_not_observed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let only = |name: &str| {
        let files: Vec<_> = json_files(&example(name))
            .into_iter()
            .filter(|(rel, _)| rel.starts_with("fapi"))
            .collect();
        let d = dir.path().join(name);
        write_recording(&d, &files);
        d.display().to_string()
    };
    let (base, cur) = (only("acme-prod"), only("acme-prod-drifted"));
    let patch = dir.path().join("patch.json");
    let out = run(&[
        "fix",
        "--snapshot",
        &cur,
        "--baseline",
        &base,
        "-o",
        &patch.display().to_string(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "The Platform config (plapi/config.json) was not observed in either snapshot"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "the Platform config carries this (`auth_password.disable_hibp`) but was not observed"
        ),
        "{text}"
    );
    assert!(text.contains("No Platform config patch"), "{text}");
    assert_eq!(std::fs::read_to_string(&patch).expect("written"), "{}\n");
}

/// It sends nothing: credentials and API addresses point at a fake Clerk that counts requests;
/// fix with all three APIs' data makes none, and without --snapshot refuses rather than pull.
/// No secret reaches the patch or the output (a canary client secret in the current config).
#[tokio::test(flavor = "multi_thread")]
async fn sends_nothing_and_holds_no_secret() {
    let server = wiremock::MockServer::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files = json_files(&example("acme-prod-drifted"));
    for (rel, body) in &mut files {
        if rel.ends_with("plapi/config.json") {
            body["connection_oauth_github"]["client_secret"] = json!("CANARY-SECRET-fix");
        }
    }
    let cur = dir.path().join("cur");
    write_recording(&cur, &files);
    let patch = dir.path().join("patch.json");
    for args in [
        vec![
            "fix",
            "--snapshot",
            cur.to_str().expect("utf-8"),
            "--baseline",
            "baselines/acme-prod.json",
            "-o",
            patch.to_str().expect("utf-8"),
        ],
        vec![
            "fix",
            "--snapshot",
            cur.to_str().expect("utf-8"),
            "--baseline",
            "baselines/acme-prod.json",
            "--format",
            "json",
        ],
        vec![
            "fix",
            "--snapshot",
            cur.to_str().expect("utf-8"),
            "--to",
            "policy",
        ],
    ] {
        let mut cmd = live(&server.uri(), &root());
        let out = output(cmd.args(&args));
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        assert!(!stdout(&out).contains("CANARY"), "{args:?}");
    }
    let written = std::fs::read_to_string(&patch).expect("written");
    assert!(!written.contains("CANARY"), "{written}");
    // The baseline has no GitHub secret: the patch clears it (an empty string), never writes one.
    let written: Value = serde_json::from_str(&written).expect("JSON");
    assert_eq!(
        written["connection_oauth_github"]["client_secret"],
        json!(""),
        "{written}"
    );
    let mut cmd = live(&server.uri(), &root());
    let out = output(cmd.args(["fix", "--baseline", "baselines/acme-prod.json"]));
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("fix sends nothing, so it never pulls: pass --snapshot"),
        "{}",
        stderr(&out)
    );
    let received = server.received_requests().await.expect("recording on");
    assert_eq!(received.len(), 0, "fix sent requests: {received:?}");
}

/// The example edited twice (the current recording, the target one), and `fix`'s JSON and text
/// for the pair.
fn fix_pair(
    edit_current: impl Fn(&std::path::Path, &mut Value),
    edit_target: impl Fn(&std::path::Path, &mut Value),
) -> (Value, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cur, tgt) = (dir.path().join("cur"), dir.path().join("tgt"));
    let files = json_files(&example("acme-prod"));
    type Edit<'a> = &'a dyn Fn(&std::path::Path, &mut Value);
    for (dest, edit) in [
        (&cur, &edit_current as Edit<'_>),
        (&tgt, &edit_target as Edit<'_>),
    ] {
        let mut edited = files.clone();
        for (rel, body) in &mut edited {
            edit(rel, body);
        }
        write_recording(dest, &edited);
    }
    let args = |format: &str| {
        run(&[
            "fix",
            "--snapshot",
            &cur.display().to_string(),
            "--baseline",
            &tgt.display().to_string(),
            "--format",
            format,
        ])
    };
    let json_out = args("json");
    assert_eq!(code(&json_out), 0, "{}", stderr(&json_out));
    let text_out = args("text");
    assert_eq!(code(&text_out), 0, "{}", stderr(&text_out));
    (
        serde_json::from_str(&stdout(&json_out)).expect("JSON"),
        stdout(&text_out),
    )
}

fn is_config(rel: &std::path::Path) -> bool {
    rel.ends_with("plapi/config.json")
}

/// A `null` the target holds over a current value is written (it clears the key), and both the
/// dry run and the apply line carry `--destructive`.
#[test]
fn a_needed_null_is_patched_with_destructive() {
    let (doc, text) = fix_pair(
        |rel, body| {
            if is_config(rel) {
                body["branding"]["logo"] = json!("https://acme.example/logo.png");
            }
        },
        |_, _| {},
    );
    assert_eq!(
        doc["platform_config"]["patch"],
        json!({"branding": {"logo": null}})
    );
    assert_eq!(doc["platform_config"]["destructive"], json!(true));
    assert_eq!(doc["platform_config"]["unwritable"], json!([]));
    assert!(
        text.contains("--file patch.json --dry-run --destructive\n"),
        "{text}"
    );
    assert_eq!(
        text.lines()
            .filter(|l| l.trim_start().starts_with("clerk config patch"))
            .map(|l| l.ends_with(" --destructive"))
            .collect::<Vec<_>>(),
        [true, true],
        "{text}"
    );
    assert!(!text.contains("Cannot be restored by the patch"), "{text}");
}

/// A config key the baseline never had (Clerk added it since) is left out of the patch and
/// listed as such.
#[test]
fn a_key_added_since_the_baseline_is_left_as_is() {
    let (doc, text) = fix_pair(
        |rel, body| {
            if is_config(rel) {
                body["brand_new_setting"] = json!({"enabled": true});
            }
        },
        |_, _| {},
    );
    assert_eq!(doc["platform_config"]["patch"], Value::Null);
    assert_eq!(
        doc["platform_config"]["added_since"],
        json!(["/brand_new_setting"])
    );
    let steps = doc["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 1, "{steps:?}");
    assert_eq!(steps[0]["apply"], json!({"by": "added_since"}));
    assert!(
        text.contains("not in the baseline (added since): left as is"),
        "{text}"
    );
}

/// Frontend-API-only drift (the support e-mail) with an unrelated patch: its own step, the
/// Backend API request, not "follows from the patch".
#[test]
fn frontend_only_drift_is_its_own_step() {
    let (doc, _) = fix_pair(
        |rel, body| {
            if rel.ends_with("fapi/environment.json") {
                body["display_config"]["support_email"] = json!("help@acme.example");
            }
            if is_config(rel) {
                body["auth_password"]["disable_hibp"] = json!(true);
            }
        },
        |_, _| {},
    );
    assert_eq!(
        doc["platform_config"]["patch"],
        json!({"auth_password": {"disable_hibp": false}})
    );
    let step = doc["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["settings"][0]["path"] == "observed.fapi.display_config.support_email")
        .expect("a step for the support e-mail")
        .clone();
    assert_eq!(
        step["apply"],
        json!({"by": "backend_api", "page": null, "requests": [
            {"method": "PATCH", "path": "/v1/instance", "body": {"support_email": null}}
        ]})
    );
}

/// Allowed origins the baseline does not have: no request clears them (Clerk ignores `[]`), so
/// the Dashboard is named instead of a request.
#[test]
fn allowed_origins_cannot_be_emptied_by_request() {
    let (doc, text) = fix_pair(
        |_, _| {},
        |rel, body| {
            if rel.ends_with("bapi/instance.json") {
                body["allowed_origins"] = json!([]);
            }
        },
    );
    assert!(!text.contains("\"allowed_origins\":[]"), "{text}");
    let steps = doc["steps"].as_array().expect("steps");
    let step = steps
        .iter()
        .find(|s| {
            s["settings"][0]["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("instance.allowed_origins"))
        })
        .expect("a step for the origins");
    assert_eq!(step["apply"]["by"], "dashboard", "{step}");
    assert_eq!(step["apply"]["page"]["name"], "Domains", "{step}");
}

/// After a live plan with drift, plan's hint says to write the snapshot first (fix never pulls)
/// and quotes a path the shell would split.
#[tokio::test]
async fn a_live_plan_hints_to_pull_first_and_quotes_paths() {
    use crate::fake::{self, Data, Options};
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let server = fake::start(&Data::load(&example("acme-prod")), Options::default()).await;
    let o = live(&server.uri(), d)
        .args(["pull", "-q", "-o", "my baseline.json"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let drifted = fake::start(
        &Data::load(&example("acme-prod-drifted")),
        Options::default(),
    )
    .await;
    let o = live(&drifted.uri(), d)
        .args([
            "plan",
            "-q",
            "--baseline",
            "my baseline.json",
            "--fail-on",
            "none",
        ])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stdout(&o).contains(
            "\nTo restore the baseline: clerk-drift pull -o CURRENT.json, then clerk-drift fix \
             --snapshot CURRENT.json --baseline 'my baseline.json' -o patch.json (sends nothing; \
             docs/fix.md)\n"
        ),
        "{}",
        stdout(&o)
    );
}
