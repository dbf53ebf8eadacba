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
    let patch = &doc["platform_config"]["patch"];
    assert_eq!(
        patch["auth_password"]["disable_hibp"],
        json!(false),
        "{patch}"
    );
    assert_eq!(
        patch["auth_attack_protection"]["bot_protection"]["captcha_enabled"],
        json!(true),
        "{patch}"
    );
    assert_eq!(
        patch["session_settings"]["inactivity_timeout"]["enabled"],
        json!(true),
        "{patch}"
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
