//! Markdown within GitHub's limits (issue 17): the step summary within 1,048,576 bytes, a comment
//! within 65,536 characters, large collections summarized in `<details>`, what was left out said
//! once at the top, the report whole Markdown; the large case is the benchmarks' instance
//! (scripts/bench: 12,000 allowlist identifiers, 1,200 redirect URLs, 300 JWT templates).

use std::path::Path;

use assert_cmd::Command;
use serde_json::{Value, json};

use crate::common::*;

const STEP_SUMMARY: usize = 1_048_576;
const COMMENT: usize = 65_536;

/// Copies a recording directory.
fn copy(from: &Path, to: &Path) {
    write_recording(to, &json_files(from));
}

/// The list of a recording file (an envelope's `data`, or the bare array).
fn set_list(dir: &Path, rel: &str, items: Vec<Value>) {
    let path = dir.join(rel);
    let mut body: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("JSON");
    match &mut body {
        Value::Object(o) => {
            o.insert("total_count".into(), json!(items.len()));
            o.insert("data".into(), Value::Array(items));
        }
        other => *other = Value::Array(items),
    }
    std::fs::write(&path, serde_json::to_string(&body).expect("JSON")).expect("write");
}

/// The acme-prod example with `size` allowlist identifiers, a tenth as many redirect URLs and 300
/// JWT templates, as `scripts/bench` makes it.
fn large(dir: &Path, size: usize) {
    copy(&example("acme-prod"), dir);
    set_list(
        dir,
        "bapi/allowlist_identifiers.json",
        (0..size)
            .map(|i| {
                json!({"object": "allowlist_identifier", "id": format!("alid_{i:07}"),
                "identifier": format!("user{i:07}@acme.test"), "identifier_type": "email_address",
                "invitation_id": null, "created_at": 1_700_000_000_000_u64, "updated_at": 1_700_000_000_000_u64})
            })
            .collect(),
    );
    set_list(
        dir,
        "bapi/redirect_urls.json",
        (0..size / 10)
            .map(|i| {
                json!({"object": "redirect_url", "id": format!("ru_{i:06}"),
                "url": format!("acme{i:06}://oauth-callback"), "created_at": 1, "updated_at": 1})
            })
            .collect(),
    );
    set_list(
        dir,
        "bapi/jwt_templates.json",
        (0..300)
            .map(|i| {
                json!({"object": "jwt_template", "id": format!("jtmp_{i:04}"),
                "name": format!("template-{i:04}"),
                "claims": {"aud": format!("service-{i}"), "email": "{{user.primary_email_address}}", "org": "{{org.id}}"},
                "lifetime": 60, "allowed_clock_skew": 5, "custom_signing_key": false,
                "signing_algorithm": "RS256", "created_at": 1, "updated_at": 1})
            })
            .collect(),
    );
}

/// Whole Markdown: every `<details>` closed, every table row a whole row.
fn assert_whole(md: &str) {
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count(),
        "{md}"
    );
    for line in md.lines().filter(|l| l.starts_with('|')) {
        assert!(line.ends_with('|') && line.len() > 1, "a cut row: {line}");
    }
    assert!(md.ends_with('\n'));
}

fn markdown(args: &[&str]) -> (String, i32) {
    let o = run(args);
    (stdout(&o), code(&o))
}

#[test]
fn a_12000_identifier_drift_fits_the_step_summary_and_a_comment_with_the_collection_summarized() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big");
    large(&big, 12_000);
    let big = big.display().to_string();
    let diff = |limit: &str| {
        markdown(&[
            "diff",
            "examples/acme-prod",
            &big,
            "--format",
            "markdown",
            "--markdown-limit",
            limit,
        ])
    };
    // Off: the whole report, over GitHub's limit (1.37 MB before this limit existed).
    let (whole, exit) = diff("none");
    assert_eq!(exit, 2);
    assert!(whole.len() > STEP_SUMMARY, "{}", whole.len());
    assert!(!whole.contains("Shortened"));
    assert!(!whole.contains("<details>"));

    let note = "The full report: the JSON report (`--format json`) lists every entry.";
    let (summary, exit) = diff("summary");
    assert_eq!(exit, 2);
    assert!(summary.len() <= STEP_SUMMARY, "{}", summary.len());
    assert_whole(&summary);
    assert!(summary.contains(
        "> **Shortened to fit GitHub's step summary limit (1,048,576 bytes):** not listed here: 13,444 change(s) in 3 large collection(s)."
    ), "{}", &summary[..2000]);
    assert!(summary.contains(note));
    assert!(summary.contains(
        "<details><summary>+ 12,000 allowlist identifiers (restrictions.allowlist.identifiers)</summary>"
    ));
    assert!(summary.contains("… and 11,980 more, not listed here"));
    // The default is the step summary's limit.
    assert_eq!(
        markdown(&["diff", "examples/acme-prod", &big, "--format", "markdown"]).0,
        summary
    );

    let (comment, exit) = diff("comment");
    assert_eq!(exit, 2);
    assert!(comment.chars().count() <= COMMENT, "{}", comment.len());
    assert_whole(&comment);
    // A diff's three collections of 20 rows each fit a comment too.
    assert!(comment.contains(
        "<details><summary>+ 12,000 allowlist identifiers (restrictions.allowlist.identifiers)</summary>"
    ), "{comment}");
    assert!(comment.contains("… and 11,980 more, not listed here"));
    assert!(comment.contains("GitHub's comment limit (65,536 characters)"));
    assert!(comment.contains(note));

    // --step-summary stays within 1 MiB even with --markdown-limit none.
    let summary_file = dir.path().join("summary.md");
    let o = Command::cargo_bin("clerk-drift")
        .expect("binary")
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("GITHUB_STEP_SUMMARY", &summary_file)
        .args([
            "diff",
            "examples/acme-prod",
            &big,
            "--markdown-limit",
            "none",
            "--step-summary",
        ])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 2);
    let appended = std::fs::read_to_string(&summary_file).expect("summary written");
    assert_eq!(appended, summary);
}

#[test]
fn a_plan_keeps_its_gating_findings_and_curated_drift_first_when_cut() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big");
    large(&big, 12_000);
    let big = big.display().to_string();
    let plan = |extra: &[&str]| {
        let mut args = vec![
            "plan",
            "--snapshot",
            &big,
            "--baseline",
            "examples/acme-prod",
            "--format",
            "markdown",
            "--markdown-limit",
            "comment",
        ];
        args.extend_from_slice(extra);
        markdown(&args)
    };
    // The 300 medium `jwt.no-pii-claims` failures are below --fail-on high: counted.
    let (md, exit) = plan(&[]);
    assert_eq!(exit, 2);
    assert!(md.chars().count() <= COMMENT);
    assert_whole(&md);
    assert!(md.contains(
        "- 300 failing finding(s) below the --fail-on gate (300 medium), not listed here"
    ));
    assert!(!md.contains("| fail |"));
    // The collections had to give up their rows too.
    assert!(md.contains(
        "<details><summary>+ 12,000 allowlist identifiers (restrictions.allowlist.identifiers)</summary>\n\n12,000 change(s), not listed here\n\n</details>"
    ), "{md}");
    assert!(md.contains(
        "not listed here: 13,504 change(s) in 3 large collection(s); 300 failing finding(s) below the --fail-on gate (300 medium)."
    ), "{md}");
    // With --fail-on medium they gate (exit 6): as many as fit are listed, most severe first,
    // and the rest counted.
    let (md, exit) = plan(&["--fail-on", "medium"]);
    assert_eq!(exit, 6);
    assert!(md.chars().count() <= COMMENT, "{}", md.chars().count());
    assert_whole(&md);
    let rows = md
        .matches("| fail | medium | `jwt.no-pii-claims` |")
        .count();
    assert!(rows > 100 && rows < 300, "{rows}");
    assert!(
        md.contains(&format!(
            "- {} more failing finding(s) ({} medium), not listed here",
            300 - rows,
            300 - rows
        )),
        "{md}"
    );
    // The unknown attested rules are one line, whatever the limit.
    assert_eq!(md.matches("| unknown |").count(), 0);
    assert!(md.contains("- unknown: 11 attested rule(s) (1 high, 7 medium, 3 low) — no Clerk API exposes their settings"));
}

#[test]
fn a_report_that_fits_is_unchanged_by_the_limit() {
    let none = plan_drifted(&["--format", "markdown", "--markdown-limit", "none"]);
    for limit in ["summary", "comment"] {
        let limited = plan_drifted(&["--format", "markdown", "--markdown-limit", limit]);
        assert_eq!(stdout(&limited), stdout(&none), "{limit}");
        assert_eq!(code(&limited), 6);
    }
    assert!(!stdout(&none).contains("Shortened"));
    // The attested rules nobody attested are one line; the other unknown findings stay rows.
    assert!(stdout(&none).contains("- unknown: 11 attested rule(s) (1 high, 7 medium, 3 low)"));
    let o = run(&["--help"]);
    assert_eq!(code(&o), 0);
    let help = stdout(&run(&["plan", "--help"]));
    assert!(help.contains("--markdown-limit <LIMIT>"), "{help}");
}

/// Only a JSON file is "the full report" a shortened Markdown report names: SARIF holds only the
/// failing results, so with only a SARIF output the note stays generic.
#[test]
fn a_shortened_report_names_only_a_json_output_as_the_full_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big");
    large(&big, 12_000);
    let big = big.display().to_string();
    let sarif = format!("sarif={}", dir.path().join("r.sarif").display());
    let json = format!("json={}", dir.path().join("r.json").display());
    let with = |outputs: &[&str]| {
        let mut args = vec![
            "diff",
            "examples/acme-prod",
            &big,
            "--format",
            "markdown",
            "--markdown-limit",
            "comment",
        ];
        for o in outputs {
            args.extend(["--output", o]);
        }
        markdown(&args)
    };
    let (md, exit) = with(&[&sarif]);
    assert_eq!(exit, 2);
    assert!(
        md.contains("The full report: the JSON report (`--format json`) lists every entry."),
        "{md}"
    );
    assert!(!md.contains("r.sarif"), "{md}");
    let (md, exit) = with(&[&sarif, &json]);
    assert_eq!(exit, 2);
    let named = format!(
        "The full report: `{}`.",
        dir.path().join("r.json").display()
    );
    assert!(md.contains(&named), "{md}");
}
