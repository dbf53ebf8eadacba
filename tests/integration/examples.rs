//! The shipped examples: determinism, the drift the drifted example must show, and findings.

use std::collections::BTreeSet;

use crate::common::*;

#[test]
fn normalizing_twice_gives_identical_bytes_and_matches_the_shipped_baseline() {
    for name in ["acme-prod", "acme-prod-drifted"] {
        let dir = example(name);
        let dir = dir.to_str().expect("utf-8 path");
        let a = run(&["snapshot", "--from-dir", dir]);
        let b = run(&["snapshot", "--from-dir", dir]);
        assert_eq!(code(&a), 0, "{}", stderr(&a));
        assert_eq!(a.stdout, b.stdout, "{name}: two runs differ");
    }
    // The shipped baseline is the example as accepted with `baseline accept`: the same document
    // plus its acceptance record, whose hash chain verifies.
    let fresh = run(&["snapshot", "--from-dir", "examples/acme-prod"]);
    let fresh: serde_json::Value = serde_json::from_slice(&fresh.stdout).expect("JSON");
    let mut shipped: serde_json::Value =
        serde_json::from_slice(&std::fs::read(baseline()).expect("baseline exists")).expect("JSON");
    let record = shipped
        .as_object_mut()
        .and_then(|o| o.remove("accepted"))
        .expect("the shipped baseline carries an acceptance record");
    assert_eq!(
        fresh, shipped,
        "baselines/acme-prod.json is stale: re-accept it with `clerk-drift baseline accept --snapshot examples/acme-prod --baseline baselines/acme-prod.json --reason …`"
    );
    assert!(record["previous_sha256"].is_string(), "{record}");
    let verify = run(&[
        "baseline",
        "verify",
        "--baseline",
        "baselines/acme-prod.json",
    ]);
    assert_eq!(code(&verify), 0, "{}", stdout(&verify));
}

#[test]
fn reversing_and_rotating_every_list_changes_nothing() {
    let original = run(&["snapshot", "--from-dir", "examples/acme-prod-drifted"]);
    let files = json_files(&example("acme-prod-drifted"));
    for (label, op) in [("reversed", 0usize), ("rotated", 1)] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut changed = files.clone();
        for (_, body) in &mut changed {
            map_arrays(body, &mut |items| {
                if op == 0 {
                    items.reverse();
                } else if !items.is_empty() {
                    items.rotate_left(1);
                }
            });
        }
        write_recording(tmp.path(), &changed);
        let out = run(&[
            "snapshot",
            "--from-dir",
            tmp.path().to_str().expect("utf-8"),
        ]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(
            out.stdout, original.stdout,
            "{label} lists changed the snapshot"
        );
    }
}

/// The drift lines of a plan or diff: indented lines starting with a sigil.
fn drift_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| {
            l.starts_with("  ")
                && matches!(
                    l.trim_start().chars().next(),
                    Some('~' | '+' | '-' | '?' | '*')
                )
        })
        .map(|l| l.trim().to_owned())
        .collect()
}

#[test]
fn plan_of_the_drifted_example_lists_every_edit_and_nothing_else() {
    let out = run(&[
        "plan",
        "--snapshot",
        "examples/acme-prod-drifted",
        "--baseline",
        "baselines/acme-prod.json",
    ]);
    let text = stdout(&out);
    assert_eq!(code(&out), 2 | 4, "{text}{}", stderr(&out));
    // One group per edit listed in scripts/make-examples.py (DRIFT).
    let expected = [
        // lockout threshold raised
        "~ attack_protection.lockout.max_attempts: 5 -> 100",
        // plain-http staging origin
        "+ instance.allowed_origins[\"http://staging.acme.com\"]",
        // supabase template: aud removed, email added, lifetime raised
        "- jwt_templates[supabase].claims.aud (was \"authenticated\")",
        "+ jwt_templates[supabase].claims.email = \"{{user.primary_email_address}}\"",
        "~ jwt_templates[supabase].lifetime: 1m -> 1h",
        // GitHub on shared credentials (and the factors FAPI lists for it)
        "+ oauth_providers[github] = {\"authenticatable\":true,\"block_email_subaddresses\":false,\"client_secret\":\"absent\",\"credentials\":\"shared\"}",
        "~ password.breach_detection: true -> false",
        "~ session.inactivity_timeout: 30m -> disabled",
        "+ sign_in.first_factors[oauth_github]",
        "+ sign_in.identifiers[oauth_github]",
        // CAPTCHA off, and with it no widget
        "~ sign_up.captcha.enabled: true -> false",
        "~ sign_up.captcha.widget_type: \"smart\" -> null",
        // Other settings come after the curated ones, by group. GitHub's settings, which a
        // curated path reads once it is on, are no longer repeated under `observed`; and with
        // CAPTCHA off, the widget type no curated path reads any more shows there.
        "+ observed.fapi.user_settings.sign_up.captcha_widget_type = \"smart\"",
        "- observed.fapi.user_settings.social.oauth_github.authenticatable (was false)",
        "- observed.fapi.user_settings.social.oauth_github.block_email_subaddresses (was false)",
        "+ observed.plapi.auth_attack_protection = {\"bot_protection\":{\"captcha_widget_type\":\"smart\"}}",
        "- observed.plapi.connection_oauth_github.authenticatable (was false)",
        "- observed.plapi.connection_oauth_github.block_email_subaddresses (was false)",
        "- observed.plapi.connection_oauth_github.client_secret (was \"absent\")",
    ];
    assert_eq!(drift_lines(&text), expected, "{text}");
    // Each edit names the rule it broke, right under it.
    assert!(
        text.contains("  ~ session.inactivity_timeout: 30m -> disabled\n      ↳ now fails `session.inactivity-timeout` (medium)"),
        "{text}"
    );
    assert!(
        !text.contains("+ sign_in.identifiers[oauth_github]\n      ↳"),
        "{text}"
    );
    assert!(
        text.contains(
            "Drift: 6 changed, 7 added, 6 removed (7 in other settings, 0 of them cosmetic) · 0 no longer observed"
        ),
        "{text}"
    );
    let verdict = text.lines().last().expect("verdict line");
    assert!(
        verdict.starts_with(
            "Verdict: drift (19 change(s)); 4 policy violation(s) at or above high → exit 6"
        ),
        "{verdict}"
    );
}

#[test]
fn plan_of_the_baseline_against_itself_is_clean() {
    let out = run(&[
        "plan",
        "--snapshot",
        "baselines/acme-prod.json",
        "--baseline",
        "baselines/acme-prod.json",
    ]);
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}{}", stderr(&out));
    assert!(drift_lines(&text).is_empty(), "{text}");
    assert!(text.contains("No drift"), "{text}");
}

#[test]
fn diff_of_the_recording_against_its_own_baseline_is_clean_and_volatile_fields_are_ignored() {
    // The drifted recording also changes ids' timestamps and config_version; those live in meta.
    let out = run(&["diff", "baselines/acme-prod.json", "examples/acme-prod"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let out = run(&[
        "diff",
        "baselines/acme-prod.json",
        "examples/acme-prod-drifted",
    ]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(!stdout(&out).contains("updated_at") && !stdout(&out).contains("config_version"));
}

fn failing_rules(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| l.trim_start().strip_prefix("FAIL"))
        .filter_map(|rest| rest.split_whitespace().nth(1).map(str::to_owned))
        .collect()
}

#[test]
fn check_of_the_drifted_example_names_the_violated_rules() {
    let out = run(&["check", "examples/acme-prod-drifted"]);
    let text = stdout(&out);
    assert_eq!(code(&out), 4, "{text}{}", stderr(&out));
    let expected: BTreeSet<String> = [
        "oauth.custom-credentials",
        "origins.https-only",
        "password.breach-detection",
        "session.inactivity-timeout",
        "sign-up.captcha",
        "jwt.audience",
        "jwt.lifetime",
        "jwt.no-pii-claims",
        "lockout.threshold",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(failing_rules(&text), expected, "{text}");
}

#[test]
fn check_of_the_hardened_example_passes_and_fail_on_moves_the_gate() {
    let out = run(&["check", "examples/acme-prod"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("Policy: 0 failed"),
        "{}",
        stdout(&out)
    );
    // Only medium failures remain when gating on critical: exit 0; gating on medium: exit 4.
    let drifted = example("acme-prod-drifted");
    let drifted = drifted.to_str().expect("utf-8");
    assert_eq!(code(&run(&["check", drifted, "--fail-on", "critical"])), 0);
    assert_eq!(code(&run(&["check", drifted, "--fail-on", "none"])), 0);
    assert_eq!(code(&run(&["check", drifted, "--fail-on", "medium"])), 4);
}

#[test]
fn unobserved_settings_are_unknown_never_pass() {
    // FAPI only: session lifetimes and device trust come from the Platform config.
    let tmp = tempfile::tempdir().expect("tempdir");
    let files: Vec<_> = json_files(&example("acme-prod"))
        .into_iter()
        .filter(|(p, _)| p.starts_with("fapi"))
        .collect();
    write_recording(tmp.path(), &files);
    let dir = tmp.path().to_str().expect("utf-8");
    let out = run(&["check", dir]);
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.contains("session.inactivity-timeout"))
        .unwrap_or_else(|| panic!("rule missing from output:\n{text}"));
    assert!(line.trim_start().starts_with("UNKNOWN"), "{line}");
    assert!(line.contains("plapi/config.json not recorded"), "{line}");
    assert!(!failing_rules(&text).contains("session.inactivity-timeout"));

    let snap = run(&["snapshot", "--from-dir", dir]);
    let snap: serde_json::Value = serde_json::from_slice(&snap.stdout).expect("JSON snapshot");
    assert!(
        snap["settings"]["session"]
            .get("inactivity_timeout")
            .is_none(),
        "unobserved must be absent, not false/0"
    );
    let unobserved: Vec<&str> = snap["coverage"]["unobserved"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|u| u["path"].as_str())
        .collect();
    assert!(
        unobserved.contains(&"session.inactivity_timeout")
            && unobserved.contains(&"password.device_trust"),
        "{unobserved:?}"
    );
}

#[test]
fn lost_coverage_is_incomplete_data_not_drift() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let files: Vec<_> = json_files(&example("acme-prod"))
        .into_iter()
        .filter(|(p, _)| !p.starts_with("plapi"))
        .collect();
    write_recording(tmp.path(), &files);
    let out = run(&[
        "diff",
        "baselines/acme-prod.json",
        tmp.path().to_str().expect("utf-8"),
    ]);
    let text = stdout(&out);
    assert_eq!(code(&out), 1, "{text}");
    assert!(
        text.contains("No drift: the current settings match the baseline."),
        "{text}"
    );
    assert!(
        text.contains("Coverage note (not drift): baseline read from fapi + bapi + plapi, current snapshot from fapi + bapi; 13 setting(s) observed in the baseline only, 0 now only."),
        "{text}"
    );
    assert!(
        text.contains(
            "? session.inactivity_timeout (was 30m): not observed: plapi/config.json not recorded"
        ),
        "{text}"
    );
}

#[test]
fn snapshot_schema_doc_is_in_step_with_the_code() {
    let out = run(&["schema"]);
    let doc =
        std::fs::read_to_string(root().join("docs/snapshot.md")).expect("docs/snapshot.md exists");
    assert!(
        doc.contains(&stdout(&out)),
        "docs/snapshot.md is stale: paste the output of `clerk-drift schema` into it"
    );
}

#[test]
fn a_schema_v1_baseline_still_loads_and_accept_adopts_the_new_meaning() {
    // The baseline shipped before schema_version 2, kept in baselines/history by the re-accept.
    let history = root().join("baselines/history");
    let old = std::fs::read_dir(&history)
        .expect("baselines/history")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("\"schema_version\": 1,")))
        .expect("a schema_version 1 baseline in baselines/history");
    let tmp = tempfile::tempdir().expect("tempdir");
    let b = tmp.path().join("b.json");
    std::fs::copy(&old, &b).expect("copy");
    let b = b.to_str().expect("utf-8");

    // The boolean it held is dropped on load: the mode now is newly observed, not drift.
    let out = run(&["diff", b, "examples/acme-prod"]);
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}{}", stderr(&out));
    assert!(
        text.contains("No drift: the current settings match the baseline."),
        "{text}"
    );
    assert!(
        text.contains("Newly observed (not in the baseline; not drift):\n")
            && text.contains("\n  * attack_protection.enumeration_protection = \"strict\"\n"),
        "{text}"
    );
    let plan = run(&[
        "plan",
        "--snapshot",
        "examples/acme-prod-drifted",
        "--baseline",
        b,
    ]);
    assert_eq!(code(&plan), 6, "{}", stdout(&plan));

    // Accepting adopts it: the baseline becomes the current schema_version, the v1 file goes to
    // history.
    let out = run(&[
        "baseline",
        "accept",
        "--snapshot",
        "examples/acme-prod",
        "--baseline",
        b,
        "--by",
        "tester",
        "--reason",
        "schema_version 2",
    ]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let snap: serde_json::Value =
        serde_json::from_slice(&std::fs::read(b).expect("baseline")).expect("JSON");
    assert_eq!(snap["schema_version"], 3);
    assert_eq!(
        snap["settings"]["attack_protection"]["enumeration_protection"],
        "strict"
    );
    let out = run(&["diff", b, "examples/acme-prod"]);
    assert_eq!(code(&out), 0);
    assert!(!stdout(&out).contains("Newly observed"), "{}", stdout(&out));
    let verify = run(&["baseline", "verify", "--baseline", b]);
    assert_eq!(code(&verify), 0, "{}{}", stdout(&verify), stderr(&verify));
    assert!(
        stdout(&verify).contains("2 link(s), unbroken"),
        "{}",
        stdout(&verify)
    );
}

#[test]
fn a_schema_v2_baseline_shows_observed_as_newly_observed_and_accept_adopts_it() {
    // The baseline shipped before schema_version 3, kept in baselines/history by the re-accept.
    let shipped: serde_json::Value =
        serde_json::from_slice(&std::fs::read(baseline()).expect("baseline")).expect("JSON");
    let previous = shipped["accepted"]["previous_sha256"]
        .as_str()
        .expect("a previous baseline");
    let old = root().join(format!("baselines/history/acme-prod.{previous}.json"));
    assert!(
        std::fs::read_to_string(&old).is_ok_and(|t| t.contains("\"schema_version\": 2,")),
        "the baseline before schema_version 3 is in baselines/history"
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    let b = tmp.path().join("b.json");
    std::fs::copy(&old, &b).expect("copy");
    let b = b.to_str().expect("utf-8");

    let plan = run(&[
        "plan",
        "--snapshot",
        "examples/acme-prod",
        "--baseline",
        b,
        "--color",
        "never",
    ]);
    let text = stdout(&plan);
    assert_eq!(code(&plan), 0, "{text}{}", stderr(&plan));
    assert!(
        text.contains("\n  * observed — 499 other settings under observed\n"),
        "{text}"
    );
    assert!(
        text.contains("Drift: 0 changed, 0 added, 0 removed"),
        "{text}"
    );
    let json = run(&["diff", b, "examples/acme-prod", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    // Every path schema_version 3 added (schema::ADDED_IN_V3) that the example has: the promoted
    // settings and `observed`, each newly observed, nothing else.
    let entries: Vec<(&str, &str)> = doc["drift"]
        .as_array()
        .expect("drift entries")
        .iter()
        .filter_map(|e| Some((e["path"].as_str()?, e["kind"].as_str()?)))
        .collect();
    let paths: Vec<&str> = entries.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        paths,
        [
            "account",
            "instance.api_keys",
            "instance.client_debug_mode",
            "mfa.sms_second_factor",
            "observed",
            "organizations.automatic_creation",
            "organizations.creation_defaults",
            "password.change_requires_reverification",
            "session.url_based_syncing",
            "sign_in.enterprise_sso",
            "sign_in.native_trusted_device",
            "sign_up.captcha.oauth_bypass",
        ],
        "{doc}"
    );
    assert!(entries.iter().all(|(_, k)| *k == "newly_observed"), "{doc}");

    let out = run(&[
        "baseline",
        "accept",
        "--snapshot",
        "examples/acme-prod",
        "--baseline",
        b,
        "--by",
        "tester",
        "--reason",
        "schema_version 3",
    ]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let snap: serde_json::Value =
        serde_json::from_slice(&std::fs::read(b).expect("baseline")).expect("JSON");
    assert_eq!(snap["schema_version"], 3);
    assert!(snap["settings"]["observed"]["fapi"].is_object());
    let plan = run(&[
        "plan",
        "--snapshot",
        "examples/acme-prod",
        "--baseline",
        b,
        "--color",
        "never",
    ]);
    assert_eq!(code(&plan), 0);
    assert!(
        !stdout(&plan).contains("Newly observed"),
        "{}",
        stdout(&plan)
    );
    assert!(
        !stdout(&plan).contains("Coverage note"),
        "{}",
        stdout(&plan)
    );
}
