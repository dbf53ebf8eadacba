//! Policy layers, overrides, waivers (with a pinned date), `--require-observed`, and the
//! `policy` subcommands, end to end.

use assert_cmd::Command;

use crate::common::{self, code, example, stderr, stdout};

/// Runs clerk-drift in the repository root with "today" pinned.
fn run_on(today: &str, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("clerk-drift")
        .expect("binary builds")
        .current_dir(common::root())
        .env("CLERK_DRIFT_TODAY", today)
        .args(args)
        .output()
        .expect("runs")
}

fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

const TODAY: &str = "2026-11-22";

#[test]
fn five_mistakes_are_reported_together_with_locations() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = file(
        &dir,
        "bad.toml",
        r#"[[rule]]
id = "a"
title = "unknown key"
sevrity = "high"
path = "password.min_length"
min = 8

[[rule]]
id = "b"
title = "wrong type"
severity = 3
path = "password.min_length"
min = 8

[[rule]]
id = "c"
title = "unknown path"
severity = "high"
path = "session.inactivty_timeout"
max = "30m"

[[rule]]
id = "d"
title = "bad regex"
severity = "low"
path = "instance.environment"
matches = "prod(uction"

[[rule]]
id = "d"
title = "duplicate id"
severity = "low"
path = "instance.test_mode"
equals = false
"#,
    );
    // All five at once: the malformed tables (unknown key, wrong type) are reported and left
    // out, and the well-formed ones are still checked.
    let o = run_on(TODAY, &["policy", "lint", &p]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("bad.toml:4:1: unknown field `sevrity`"),
        "{err}"
    );
    assert!(
        err.contains("bad.toml:11:12: invalid type: integer `3`"),
        "{err}"
    );
    assert!(
        err.contains("bad.toml:19:8: unknown snapshot path `session.inactivty_timeout`"),
        "{err}"
    );
    assert!(
        err.contains("help: did you mean `session.inactivity_timeout`?"),
        "{err}"
    );
    assert!(
        err.contains("bad.toml:27:11: invalid regular expression"),
        "{err}"
    );
    assert!(
        err.contains("bad.toml:30:6: duplicate rule id `d`"),
        "{err}"
    );
    assert!(err.contains("5 error(s)"), "{err}");
    assert!(err.contains("^^^"), "carets under the spans: {err}");
}

#[test]
fn layers_override_disable_and_add_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = file(
        &dir,
        "team.toml",
        r#"[[rule]]
id = "team.single-session"
title = "Users hold one session at a time"
severity = "low"
path = "session.multi_session"
equals = false

[[override]]
rule = "lockout.threshold"
max = 200
severity = "low"

[[override]]
rule = "jwt.lifetime"
disable = true
reason = "templates are only used server-to-server behind mTLS"
"#,
    );
    let o = run_on(
        TODAY,
        &["check", "examples/acme-prod-drifted", "--policy", &p, "-v"],
    );
    let out = stdout(&o);
    assert!(
        out.contains("PASS    low      lockout.threshold"),
        "threshold overridden: {out}"
    );
    assert!(!out.contains("jwt.lifetime  "), "disabled: {out}");
    assert!(out.contains("DISABLED `jwt.lifetime` by"), "{out}");
    assert!(out.contains("team.single-session"), "{out}");
    assert!(out.contains("policies/clerk-hardening.toml + "), "{out}");
    assert_eq!(code(&o), 4);

    let o = run_on(TODAY, &["policy", "list", "--policy", &p]);
    let out = stdout(&o);
    assert!(out.contains("low      lockout.threshold"), "{out}");
    assert!(
        out.contains("jwt.lifetime") && out.contains("disabled by"),
        "{out}"
    );

    // Disabling needs a reason; overriding an unknown id suggests the right one.
    let bad = file(
        &dir,
        "bad.toml",
        "[[override]]\nrule = \"jwt.lifetim\"\nmax = 30\n\n[[override]]\nrule = \"jwt.audience\"\ndisable = true\n",
    );
    let o = run_on(TODAY, &["policy", "lint", &bad]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(err.contains("bad.toml:2:8: no rule `jwt.lifetim`"), "{err}");
    assert!(err.contains("did you mean `jwt.lifetime`?"), "{err}");
    assert!(
        err.contains("bad.toml:7:11: disabling `jwt.audience` needs a `reason`"),
        "{err}"
    );
}

const WAIVERS: &str = r#"
[[waiver]]
rule = "jwt.lifetime"
target = "jwt_templates[supabase]"
reason = "Supabase realtime needs 1 h tokens until ACME-123 lands"
approved_by = "ciso@acme.test"
expires = 2026-12-31

[[waiver]]
rule = "lockout.threshold"
reason = "load test in progress"
approved_by = "sre@acme.test"
expires = 2026-11-30
"#;

#[test]
fn waivers_accept_findings_until_they_expire() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = file(&dir, "waivers.toml", WAIVERS);
    let args = [
        "check",
        "examples/acme-prod-drifted",
        "--fail-on",
        "medium",
        "--waivers",
        &w,
    ];

    let o = run_on(TODAY, &args);
    let out = stdout(&o);
    assert!(out.contains("WAIVED  medium   jwt.lifetime"), "{out}");
    assert!(
        out.contains("waived until 2026-12-31, approved by ciso@acme.test: Supabase realtime"),
        "{out}"
    );
    assert!(out.contains("WAIVED  medium   lockout.threshold"), "{out}");
    assert!(
        out.contains("EXPIRING"),
        "the lockout waiver expires within 14 days: {out}"
    );
    assert!(out.contains("2 waived"), "{out}");
    assert_eq!(code(&o), 4, "other violations remain, no waiver problem");

    // The day after the lockout waiver's last day: it counts again and sets bit 8.
    let o = run_on("2026-12-01", &args);
    let out = stdout(&o);
    assert!(out.contains("FAIL    medium   lockout.threshold"), "{out}");
    assert!(out.contains("waiver expired 2026-11-30"), "{out}");
    assert!(out.contains("EXPIRED"), "{out}");
    assert_eq!(code(&o), 4 | 8);
}

#[test]
fn over_horizon_and_unused_waivers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = file(
        &dir,
        "waivers.toml",
        r#"[[waiver]]
rule = "jwt.lifetime"
reason = "forever, please"
approved_by = "ciso@acme.test"
expires = 2027-06-01

[[waiver]]
rule = "password.min-length"
reason = "the hardened example passes this already"
approved_by = "ciso@acme.test"
expires = 2026-12-15
"#,
    );
    let o = run_on(TODAY, &["check", "examples/acme-prod", "--waivers", &w]);
    let out = stdout(&o);
    assert!(
        out.contains("INVALID") && out.contains("beyond the 90-day limit"),
        "{out}"
    );
    assert!(
        out.contains("UNUSED") && out.contains("password.min-length"),
        "{out}"
    );
    assert_eq!(code(&o), 8, "invalid waiver: bit 8");

    let w2 = file(
        &dir,
        "unused.toml",
        "[[waiver]]\nrule = \"password.min-length\"\nreason = \"r\"\napproved_by = \"a\"\nexpires = 2026-12-15\n",
    );
    let o = run_on(TODAY, &["check", "examples/acme-prod", "--waivers", &w2]);
    assert_eq!(
        code(&o),
        0,
        "unused is a warning by default: {}",
        stdout(&o)
    );
    let o = run_on(
        TODAY,
        &[
            "check",
            "examples/acme-prod",
            "--waivers",
            &w2,
            "--deny-unused-waivers",
        ],
    );
    assert_eq!(code(&o), 8);

    // A waiver without reason or expiry does not validate.
    let w3 = file(
        &dir,
        "bad.toml",
        "[[waiver]]\nrule = \"jwt.lifetime\"\nreason = \" \"\nexpires = \"soon\"\n",
    );
    let o = run_on(TODAY, &["policy", "lint", &w3]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("bad.toml:3:10: a waiver needs a non-empty `reason`"),
        "{err}"
    );
    assert!(
        err.contains("bad.toml:4:11: `expires` must be a date"),
        "{err}"
    );
}

#[test]
fn require_observed_turns_unknowns_into_failures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rec = dir.path().join("fapi-only");
    std::fs::create_dir_all(rec.join("fapi")).expect("mkdir");
    std::fs::copy(
        example("acme-prod").join("fapi/environment.json"),
        rec.join("fapi/environment.json"),
    )
    .expect("copy");
    let rec = rec.display().to_string();
    let o = run_on(TODAY, &["check", &rec, "--fail-on", "high"]);
    let loose = code(&o);
    let o = run_on(
        TODAY,
        &["check", &rec, "--fail-on", "high", "--require-observed"],
    );
    let out = stdout(&o);
    assert!(
        out.contains("FAIL    medium   session.inactivity-timeout"),
        "{out}"
    );
    assert!(out.contains("not observed (--require-observed)"), "{out}");
    assert_eq!(code(&o), 4);
    assert_eq!(
        loose & 4,
        loose,
        "without the flag only real failures count"
    );
}

#[test]
fn no_builtin_evaluates_only_the_given_layers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = file(
        &dir,
        "only.toml",
        "[[rule]]\nid = \"x.origins\"\ntitle = \"origins are a subset\"\nseverity = \"high\"\npath = \"instance.allowed_origins\"\nsubset_of = [\"https://acme.com\", \"https://app.acme.com\"]\n",
    );
    let o = run_on(
        TODAY,
        &[
            "check",
            "examples/acme-prod-drifted",
            "--no-builtin",
            "--policy",
            &p,
        ],
    );
    let out = stdout(&o);
    assert!(
        out.contains("x.origins") && out.contains("not allowed: \"http://staging.acme.com\""),
        "{out}"
    );
    assert!(out.contains("Policy: 1 failed (1 high), 0 passed"), "{out}");
    assert_eq!(code(&o), 4);
    let o = run_on(TODAY, &["check", "examples/acme-prod", "--no-builtin"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("--no-builtin needs at least one --policy FILE"));
}

const ATTESTATIONS: &str = r#"
[[attestation]]
path = "attested.webhooks.signature_verified"
value = true
attested_by = "alice@acme.test"
attested_at = 2026-11-01
expires = 2027-02-01
evidence = "https://wiki.acme.test/webhooks"

[[attestation]]
path = "attested.secret_key.rotated_on_departure"
value = false
attested_by = "bob@acme.test"
attested_at = 2026-09-01
expires = 2026-11-30
"#;

#[test]
fn attestations_feed_rules_and_expire_into_unknown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = file(&dir, "attestations.toml", ATTESTATIONS);
    let args = ["check", "examples/acme-prod", "-v", "--attestations", &a];
    let o = run_on(TODAY, &args);
    let out = stdout(&o);
    assert!(
        out.contains("PASS    high     attested.webhook-signatures"),
        "{out}"
    );
    assert!(
        out.contains("FAIL    medium   attested.secret-key-rotation"),
        "{out}"
    );
    assert!(
        out.contains("UNKNOWN medium   attested.failed-login-alerts"),
        "not attested: {out}"
    );

    // After bob's attestation expires the rule is unknown again, with the reason.
    let o = run_on("2026-12-01", &args);
    let out = stdout(&o);
    assert!(
        out.contains("UNKNOWN medium   attested.secret-key-rotation"),
        "{out}"
    );
    assert!(out.contains("expired on 2026-11-30"), "{out}");
    assert!(
        stderr(&o).contains("attestation of `attested.secret_key.rotated_on_departure` expired"),
        "{}",
        stderr(&o)
    );

    // Snapshots record the provenance.
    let o = run_on(
        TODAY,
        &[
            "snapshot",
            "--from-dir",
            "examples/acme-prod",
            "--attestations",
            &a,
        ],
    );
    let snap: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(
        snap["provenance"]["attested.webhooks.signature_verified"],
        "attested"
    );
    assert_eq!(
        snap["meta"]["items"]["attested.webhooks.signature_verified"]["attested_by"],
        "alice@acme.test"
    );

    // An attestation never overrides an observed setting.
    let c = file(
        &dir,
        "conflict.toml",
        "[[attestation]]\npath = \"session.inactivity_timeout\"\nvalue = \"10m\"\nattested_by = \"eve\"\nattested_at = 2026-11-01\nexpires = 2026-12-01\n",
    );
    let o = run_on(
        TODAY,
        &["check", "examples/acme-prod", "--attestations", &c],
    );
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("never overrides an observed value"),
        "{}",
        stderr(&o)
    );
    // ... but fills a gap the recording left (no Platform config).
    let rec = dir.path().join("no-plapi");
    std::fs::create_dir_all(rec.join("fapi")).expect("mkdir");
    std::fs::copy(
        example("acme-prod").join("fapi/environment.json"),
        rec.join("fapi/environment.json"),
    )
    .expect("copy");
    let o = run_on(
        TODAY,
        &[
            "check",
            rec.to_str().expect("utf-8"),
            "-v",
            "--attestations",
            &c,
        ],
    );
    assert!(
        stdout(&o).contains("PASS    medium   session.inactivity-timeout"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn the_shipped_example_attestations_validate_and_apply() {
    let o = run_on(
        TODAY,
        &[
            "check",
            "examples/acme-prod",
            "-v",
            "--attestations",
            "examples/attestations.toml",
        ],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    for id in [
        "attested.webhook-signatures",
        "attested.webhook-secret-from-environment",
        "attested.secret-key-rotation",
    ] {
        assert!(
            out.lines()
                .any(|l| l.starts_with("  PASS ") && l.contains(&format!(" {id} "))),
            "{id} should pass: {out}"
        );
    }
    assert!(out.contains("attest it (--attestations FILE"), "{out}");
}

#[test]
fn instance_settings_in_clerk_drift_toml_apply_to_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    file(&dir, "waivers.toml", WAIVERS);
    file(
        &dir,
        "clerk-drift.toml",
        "[instances.prod]\nwaivers = \"waivers.toml\"\nfail_on = \"critical\"\nrequire_observed = true\n",
    );
    let drifted = example("acme-prod-drifted").display().to_string();
    let run_here = |args: &[&str]| {
        Command::cargo_bin("clerk-drift")
            .expect("binary")
            .current_dir(dir.path())
            .env("CLERK_DRIFT_TODAY", TODAY)
            .args(args)
            .output()
            .expect("runs")
    };
    let o = run_here(&["check", &drifted]);
    let out = stdout(&o);
    assert!(
        out.contains("WAIVED  medium   jwt.lifetime"),
        "the instance's waivers: {out}"
    );
    assert!(
        out.contains("not observed (--require-observed)"),
        "the instance's require_observed: {out}"
    );
    assert_eq!(
        code(&o),
        0,
        "fail_on = critical: nothing critical fails: {out}"
    );
    let o = run_here(&["check", &drifted, "--fail-on", "high"]);
    assert_eq!(code(&o), 4, "the flag outranks the file");
    file(
        &dir,
        "clerk-drift.toml",
        "[instances.prod]\nfail_on = \"severe\"\n",
    );
    let o = run_here(&["check", &drifted]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("clerk-drift.toml:2:11: invalid fail_on `severe`"),
        "{}",
        stderr(&o)
    );
}

/// The pack's guards with the Frontend API alone: email and password guards are read from it, so
/// their rules are judged; the per-domain organization rule needs the Backend API and is unknown;
/// email links are off, so the same-client rule does not apply. With all three APIs (the hardened
/// example) the same guards resolve the same way.
#[test]
fn guards_resolve_from_the_frontend_api_alone_and_with_every_api() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rec = dir.path().join("fapi-only");
    std::fs::create_dir_all(rec.join("fapi")).expect("mkdir");
    std::fs::copy(
        example("acme-prod").join("fapi/environment.json"),
        rec.join("fapi/environment.json"),
    )
    .expect("copy");
    let rec = rec.display().to_string();
    for target in [rec.as_str(), "examples/acme-prod"] {
        let o = run_on(TODAY, &["check", target, "-v"]);
        let out = stdout(&o);
        for line in [
            "PASS    high     sign-up.email-verification",
            "PASS    medium   password.min-length ",
            "PASS    low      password.no-composition-special-char",
            "N/A     low      attack.email-link-same-client",
        ] {
            assert!(out.contains(line), "{target}: no `{line}` in\n{out}");
        }
        // Organization domains come from the Backend API only (recorded by the collector).
        if target == rec {
            assert!(
                out.contains("UNKNOWN low      organizations.domain-automatic-invitation"),
                "{out}"
            );
        }
    }
    // `policy explain` lists every condition of a guard.
    let o = run_on(
        TODAY,
        &["policy", "explain", "password.min-length-without-mfa"],
    );
    let out = stdout(&o);
    assert!(
        out.contains("applies when: `password.enabled` is true\napplies when: `mfa.required_for_sign_up` is false\n"),
        "{out}"
    );
    let o = run_on(
        TODAY,
        &["policy", "explain", "attack.email-link-same-client"],
    );
    assert!(
        stdout(&o).contains("applies when one of: `sign_in.email_strategies` is to contain \"email_link\"; `sign_up.email_verification_strategies` is to contain \"email_link\""),
        "{}",
        stdout(&o)
    );
}
