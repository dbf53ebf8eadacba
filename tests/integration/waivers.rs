//! Waiver governance (issue 16, item 6), end to end: the horizon comes from clerk-drift.toml (or
//! the default), never from the waiver file it limits; `approved_by` is required; targets are
//! checked against the rule, the schema and the snapshot's keys, with did-you-mean; an unused
//! waiver that expires says exactly that. Exit bit 8 marks expired and invalid waivers.

use crate::common::{code, example, run, run_on, stderr, stdout, write_file};

/// The lines of `text` that contain `needle`.
fn lines_with(text: &str, needle: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.contains(needle))
        .map(str::to_owned)
        .collect()
}

const SUPABASE: &str = "[[waiver]]\nrule = \"jwt.lifetime\"\ntarget = \"jwt_templates[supabase]\"\nreason = \"vendor needs 1 h\"\napproved_by = \"ciso@acme.test\"\nexpires = 2026-12-31\n";

#[test]
fn a_waiver_file_cannot_set_its_own_horizon() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = write_file(
        dir.path(),
        "w.toml",
        &format!("max_waiver_days = 3650\n\n{SUPABASE}"),
    );
    for args in [
        vec!["policy", "lint", &w],
        vec!["check", "examples/acme-prod-drifted", "--waivers", &w],
    ] {
        let o = run(&args);
        assert_eq!(code(&o), 1, "{args:?}: {}", stdout(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&format!("error: {w}:1:1: `max_waiver_days` cannot be set in a policy or waiver file: it limits the waivers these files hold")),
            "{err}"
        );
        assert!(
            err.contains("1 | max_waiver_days = 3650\n  | ^^^^^^^^^^^^^^^"),
            "{err}"
        );
        assert!(
            err.contains("help: set it under [governance] in clerk-drift.toml (default 90 days)"),
            "{err}"
        );
        assert!(
            err.contains(&format!("{w}: 1 error(s); the policy was not evaluated")),
            "{err}"
        );
    }
}

#[test]
fn the_horizon_comes_from_clerk_drift_toml_or_the_default() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = write_file(dir.path(), "w.toml", SUPABASE);
    let check = [
        "check",
        "examples/acme-prod-drifted",
        "--waivers",
        w.as_str(),
    ];

    // Off (no clerk-drift.toml): the default 90 days admits a waiver 39 days ahead.
    let o = run(&check);
    assert_eq!(code(&o), 4, "{}", stdout(&o));
    assert_eq!(lines_with(&stdout(&o), "WAIVED").len(), 1, "{}", stdout(&o));

    // [governance] max_waiver_days = 30: the same waiver is beyond the horizon.
    let c = write_file(dir.path(), "c.toml", "[governance]\nmax_waiver_days = 30\n");
    let o = run(&[&check[..], &["--config", &c]].concat());
    assert_eq!(code(&o), 4 | 8, "{}", stdout(&o));
    assert_eq!(
        lines_with(&stdout(&o), "INVALID"),
        vec![format!(
            "  INVALID  {w}:2 `jwt.lifetime` on jwt_templates[supabase]: expires 2026-12-31, beyond the 30-day limit (until 2026-12-22; max_waiver_days) — not applied (exit bit 8)"
        )],
        "{}",
        stdout(&o)
    );
    // `policy lint` judges the same horizon.
    let o = run(&["policy", "lint", &w, "--config", &c]);
    assert_eq!(code(&o), 8, "{}", stderr(&o));
    assert!(
        stdout(&o).contains(&format!(
            "warning: waiver {w}:2 for `jwt.lifetime`: expires 2026-12-31, beyond the 30-day limit"
        )),
        "{}",
        stdout(&o)
    );

    // A limit below one day is a configuration error, located.
    let bad = write_file(
        dir.path(),
        "bad.toml",
        "[governance]\nmax_waiver_days = 0\n",
    );
    let o = run(&[&check[..], &["--config", &bad]].concat());
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains(&format!(
            "{bad}:2:19: max_waiver_days must be at least 1 (days)"
        )),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_waiver_needs_an_approver() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = write_file(
        dir.path(),
        "w.toml",
        "[[waiver]]\nrule = \"jwt.lifetime\"\nreason = \"r\"\nexpires = 2026-12-31\n\n[[waiver]]\nrule = \"jwt.audience\"\nreason = \"r\"\napproved_by = \" \"\nexpires = 2026-12-31\n",
    );
    let o = run(&["policy", "lint", &w]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains(&format!("error: {w}:2:8: a waiver needs `approved_by`")),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "error: {w}:9:15: `approved_by` must name who accepted the risk"
        )),
        "{err}"
    );
    assert!(err.contains(&format!("{w}: 2 error(s)")), "{err}");
}

#[test]
fn targets_are_checked_against_the_rule_and_the_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = write_file(
        dir.path(),
        "w.toml",
        "[[waiver]]\nrule = \"jwt.lifetime\"\ntarget = \"jwt_templates[supabase].lifetme\"\nreason = \"r\"\napproved_by = \"a\"\nexpires = 2026-12-31\n\n[[waiver]]\nrule = \"jwt.lifetime\"\ntarget = \"session.inactivity_timeout\"\nreason = \"r\"\napproved_by = \"a\"\nexpires = 2026-12-31\n\n[[waiver]]\nrule = \"jwt.lifetim\"\nreason = \"r\"\napproved_by = \"a\"\nexpires = 2026-12-31\n",
    );
    let o = run(&["policy", "lint", &w]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    for want in [
        format!("error: {w}:3:10: unknown snapshot path `jwt_templates[*].lifetme`"),
        "help: did you mean `jwt_templates[*].lifetime`? (docs/snapshot.md lists every path)"
            .to_owned(),
        format!(
            "error: {w}:10:10: rule `jwt.lifetime` has no finding on `session.inactivity_timeout`: its findings are on `jwt_templates` or `jwt_templates[*].lifetime`"
        ),
        format!("error: {w}:16:8: no rule `jwt.lifetim` in policies/clerk-hardening.toml"),
        "help: did you mean `jwt.lifetime`? (`clerk-drift policy list` shows every id)".to_owned(),
        format!("{w}: 3 error(s); the policy was not evaluated"),
    ] {
        assert!(err.contains(&want), "missing `{want}` in {err}");
    }
}

#[test]
fn a_target_key_the_snapshot_lacks_is_invalid_with_did_you_mean() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = write_file(
        dir.path(),
        "w.toml",
        "[[waiver]]\nrule = \"jwt.lifetime\"\ntarget = \"jwt_templates[supabse]\"\nreason = \"r\"\napproved_by = \"a\"\nexpires = 2026-12-31\n",
    );
    // All three APIs: the snapshot lists the templates, so the typo is caught (exit 4 | 8).
    let o = run(&["check", "examples/acme-prod-drifted", "--waivers", &w]);
    assert_eq!(code(&o), 4 | 8, "{}", stdout(&o));
    assert_eq!(
        lines_with(&stdout(&o), "INVALID"),
        vec![format!(
            "  INVALID  {w}:2 `jwt.lifetime` on jwt_templates[supabse]: targets `jwt_templates[supabse]`, but the snapshot has no `supabse` in `jwt_templates`; did you mean `jwt_templates[supabase]`? — not applied (exit bit 8)"
        )],
        "{}",
        stdout(&o)
    );

    // Only the Frontend API: JWT templates are not observed, so nobody can tell; the waiver
    // stands and, matching nothing, is reported as unused (a warning, exit 0 here).
    let rec = dir.path().join("fapi-only");
    std::fs::create_dir_all(rec.join("fapi")).expect("mkdir");
    std::fs::copy(
        example("acme-prod").join("fapi/environment.json"),
        rec.join("fapi/environment.json"),
    )
    .expect("copy");
    let o = run(&["check", rec.to_str().expect("utf-8"), "--waivers", &w]);
    assert!(
        lines_with(&stdout(&o), "INVALID").is_empty(),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        lines_with(&stdout(&o), "UNUSED"),
        vec![format!(
            "  UNUSED   {w}:2 `jwt.lifetime` on jwt_templates[supabse] matches no failing or unknown finding: remove it"
        )],
        "{}",
        stdout(&o)
    );
    assert_eq!(code(&o) & 8, 0, "{}", stdout(&o));
}

#[test]
fn an_unused_waiver_that_expires_says_exactly_that() {
    let dir = tempfile::tempdir().expect("tempdir");
    // password.min-length passes on the hardened example: nothing uses this waiver.
    let w = write_file(
        dir.path(),
        "w.toml",
        "[[waiver]]\nrule = \"password.min-length\"\nreason = \"r\"\napproved_by = \"a\"\nexpires = 2026-11-30\n",
    );
    let args = ["check", "examples/acme-prod", "--waivers", &w];
    let o = run_on("2026-11-22", &args);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let out = stdout(&o);
    assert_eq!(
        lines_with(&out, &format!("{w}:2")),
        vec![format!(
            "  UNUSED   {w}:2 `password.min-length` matches no failing or unknown finding and expires 2026-11-30 (in 8 day(s)): remove it"
        )],
        "{out}"
    );
    let o = run_on("2026-12-01", &args);
    assert_eq!(code(&o), 8, "{}", stdout(&o));
    let out = stdout(&o);
    assert_eq!(
        lines_with(&out, &format!("{w}:2")),
        vec![format!(
            "  EXPIRED  {w}:2 `password.min-length` expired 2026-11-30 and matches no finding: remove it (exit bit 8)"
        )],
        "{out}"
    );

    // One that a failing finding still needs: expiring, then the finding counts again.
    let w = write_file(
        dir.path(),
        "used.toml",
        "[[waiver]]\nrule = \"lockout.threshold\"\nreason = \"r\"\napproved_by = \"a\"\nexpires = 2026-11-30\n",
    );
    let args = [
        "check",
        "examples/acme-prod-drifted",
        "--fail-on",
        "high",
        "--waivers",
        &w,
    ];
    let o = run_on("2026-11-22", &args);
    assert_eq!(code(&o), 4, "{}", stdout(&o));
    assert_eq!(
        lines_with(&stdout(&o), &format!("{w}:2 `")),
        vec![format!(
            "  EXPIRING {w}:2 `lockout.threshold` expires 2026-11-30 (in 8 day(s))"
        )],
        "{}",
        stdout(&o)
    );
    let o = run_on("2026-12-01", &args);
    assert_eq!(code(&o), 4 | 8, "{}", stdout(&o));
    assert_eq!(
        lines_with(&stdout(&o), &format!("{w}:2 `")),
        vec![format!(
            "  EXPIRED  {w}:2 `lockout.threshold` expired 2026-11-30 — the finding counts again (exit bit 8)"
        )],
        "{}",
        stdout(&o)
    );
}
