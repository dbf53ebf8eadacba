//! Attestation governance (issue 16, item 7), end to end: did-you-mean on unknown keys and
//! paths, `attested_at` never in the future (the tool's clock, pinned by `CLERK_DRIFT_TODAY`),
//! `expires` within `[governance] max_attestation_days` of `attested_at` (clerk-drift.toml or the
//! default 365, never the attestations file), and `policy lint --attestations FILE`.

use std::path::Path;

use crate::common::{code, example, run_on, stderr, stdout, write_file};

fn one(path: &str, at: &str, expires: &str) -> String {
    format!(
        "[[attestation]]\npath = \"{path}\"\nvalue = true\nattested_by = \"alice@acme.test\"\nattested_at = {at}\nexpires = {expires}\n"
    )
}

/// A recording with only the Frontend API's answer.
fn fapi_only(dir: &Path) -> String {
    let rec = dir.join("fapi-only");
    std::fs::create_dir_all(rec.join("fapi")).expect("mkdir");
    std::fs::copy(
        example("acme-prod").join("fapi/environment.json"),
        rec.join("fapi/environment.json"),
    )
    .expect("copy");
    rec.display().to_string()
}

#[test]
fn unknown_keys_and_paths_get_did_you_mean() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write_file(
        dir.path(),
        "a.toml",
        &one(
            "attested.webhooks.signature_verifed",
            "2026-11-01",
            "2027-02-01",
        ),
    );
    for args in [
        vec!["policy", "lint", "--attestations", &a],
        vec!["check", "examples/acme-prod", "--attestations", &a],
    ] {
        let o = run_on("2026-11-22", &args);
        assert_eq!(code(&o), 1, "{args:?}");
        let err = stderr(&o);
        assert!(
            err.contains(&format!(
                "error: {a}:2:8: unknown snapshot path `attested.webhooks.signature_verifed`"
            )),
            "{err}"
        );
        assert!(
            err.contains("help: did you mean `attested.webhooks.signature_verified`?"),
            "{err}"
        );
        assert!(
            err.contains(&format!("{a}: 1 error(s); no attestation was applied")),
            "{err}"
        );
    }
    let k = write_file(
        dir.path(),
        "k.toml",
        &one(
            "attested.webhooks.signature_verified",
            "2026-11-01",
            "2027-02-01",
        )
        .replace("attested_by", "atested_by"),
    );
    let o = run_on("2026-11-22", &["policy", "lint", "--attestations", &k]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(err.contains(&format!("error: {k}:")), "{err}");
    assert!(err.contains("unknown field `atested_by`"), "{err}");
    assert!(err.contains("help: did you mean `attested_by`?"), "{err}");
}

#[test]
fn attested_at_may_not_be_in_the_future() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write_file(
        dir.path(),
        "a.toml",
        &one(
            "attested.webhooks.signature_verified",
            "2026-11-23",
            "2027-02-01",
        ),
    );
    // All three APIs and only the Frontend API: the same refusal, before anything is judged.
    let rec = fapi_only(dir.path());
    for snap in ["examples/acme-prod", rec.as_str()] {
        let o = run_on("2026-11-22", &["check", snap, "--attestations", &a]);
        assert_eq!(code(&o), 1, "{snap}");
        let err = stderr(&o);
        assert!(
            err.contains(&format!("error: {a}:5:15: `attested_at` (2026-11-23) is in the future (today is 2026-11-22, UTC)")),
            "{err}"
        );
        assert!(
            err.contains("help: date an attestation on the day it was made"),
            "{err}"
        );
        assert_eq!(stdout(&o), "", "nothing is judged");
    }
    // On the day itself it holds.
    let o = run_on(
        "2026-11-23",
        &["check", "examples/acme-prod", "--attestations", &a, "-v"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("PASS    high     attested.webhook-signatures"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn expires_has_a_horizon_set_in_clerk_drift_toml() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 366 days: one beyond the default 365.
    let long = write_file(
        dir.path(),
        "long.toml",
        &one(
            "attested.webhooks.signature_verified",
            "2026-11-01",
            "2027-11-02",
        ),
    );
    let o = run_on(
        "2026-11-22",
        &["check", "examples/acme-prod", "--attestations", &long],
    );
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains(&format!("error: {long}:6:11: `expires` (2027-11-02) is 366 days after `attested_at` (2026-11-01), beyond the 365-day limit (max_attestation_days)")),
        "{err}"
    );
    assert!(
        err.contains("help: re-attest more often; [governance] max_attestation_days in clerk-drift.toml sets the limit"),
        "{err}"
    );
    // clerk-drift.toml raises it ...
    let c = write_file(
        dir.path(),
        "c.toml",
        "[governance]\nmax_attestation_days = 400\n",
    );
    let o = run_on(
        "2026-11-22",
        &[
            "check",
            "examples/acme-prod",
            "--attestations",
            &long,
            "--config",
            &c,
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // ... or lowers it.
    let c = write_file(
        dir.path(),
        "c30.toml",
        "[governance]\nmax_attestation_days = 30\n",
    );
    let short = write_file(
        dir.path(),
        "short.toml",
        &one(
            "attested.webhooks.signature_verified",
            "2026-11-01",
            "2027-02-01",
        ),
    );
    let o = run_on(
        "2026-11-22",
        &["policy", "lint", "--attestations", &short, "--config", &c],
    );
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("is 92 days after `attested_at` (2026-11-01), beyond the 30-day limit"),
        "{}",
        stderr(&o)
    );
    // The attestations file cannot set its own limit.
    let own = write_file(
        dir.path(),
        "own.toml",
        &format!(
            "max_attestation_days = 3650\n\n{}",
            one(
                "attested.webhooks.signature_verified",
                "2026-11-01",
                "2027-02-01"
            )
        ),
    );
    let o = run_on("2026-11-22", &["policy", "lint", "--attestations", &own]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains(&format!("error: {own}:1:1: `max_attestation_days` cannot be set in an attestations file: it limits the attestations the file holds")),
        "{err}"
    );
    assert!(
        err.contains("help: set it under [governance] in clerk-drift.toml (default 365 days)"),
        "{err}"
    );
}

#[test]
fn policy_lint_validates_attestation_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write_file(
        dir.path(),
        "a.toml",
        &format!(
            "{}\n{}",
            one(
                "attested.webhooks.signature_verified",
                "2026-11-01",
                "2027-02-01"
            ),
            one("attested.webhooks.idempotent", "2026-09-01", "2026-11-30")
        ),
    );
    // Off: without --attestations, lint is about the policy alone.
    let o = run_on("2026-11-22", &["policy", "lint"]);
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o).lines().count(), 1, "{}", stdout(&o));

    let o = run_on("2026-11-22", &["policy", "lint", "--attestations", &a]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("ok: policies/clerk-hardening.toml — "),
        "{out}"
    );
    assert!(
        out.ends_with(&format!("ok: {a} — 2 attestation(s)\n")),
        "{out}"
    );

    // Once one has expired, lint says so (a warning: the setting is simply unobserved again).
    let o = run_on(
        "2026-12-01",
        &["policy", "lint", "--no-builtin", "--attestations", &a],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "ok: {a} — 2 attestation(s)\nwarning: attestation {a}:9 of `attested.webhooks.idempotent` expired 2026-11-30: the setting is unobserved again\n"
        )
    );
}
