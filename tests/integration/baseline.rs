//! `baseline accept|log|verify`: the audited baseline lifecycle.

use std::path::Path;

use assert_cmd::Command;

use crate::common::{code, example, root, stderr, stdout};

fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("clerk-drift")
        .expect("binary")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("USER", "alice")
        .args(args)
        .output()
        .expect("runs")
}

#[test]
fn accept_chains_baselines_and_verify_catches_hand_edits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let good = example("acme-prod").display().to_string();
    let drifted = example("acme-prod-drifted").display().to_string();

    let o = run_in(
        d,
        &[
            "baseline",
            "accept",
            "--snapshot",
            &good,
            "--baseline",
            "baselines/prod.json",
            "--reason",
            "initial review",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("(the first in its chain)"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("The accepted baseline passes the policy."),
        "{}",
        stdout(&o)
    );

    // Accepting the drifted instance shows what is accepted and the violations it still carries.
    let o = run_in(
        d,
        &[
            "baseline",
            "accept",
            "--snapshot",
            &drifted,
            "--baseline",
            "baselines/prod.json",
            "--reason",
            "staging origin approved",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("Accepted changes:")
            && out.contains("~ session.inactivity_timeout: 30m -> disabled"),
        "{out}"
    );
    assert!(
        out.contains("Warning: the accepted baseline still fails 9 rule(s):"),
        "{out}"
    );
    assert!(
        out.contains("FAIL    medium   session.inactivity-timeout"),
        "{out}"
    );

    let base = d.join("baselines/prod.json");
    let snap: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&base).expect("baseline")).expect("JSON");
    assert_eq!(snap["accepted"]["by"], "alice");
    assert_eq!(snap["accepted"]["reason"], "staging origin approved");
    let prev = snap["accepted"]["previous_sha256"]
        .as_str()
        .expect("chained")
        .to_owned();
    let history = d.join(format!("baselines/history/prod.{prev}.json"));
    assert!(history.is_file(), "the replaced baseline is kept");

    let o = run_in(d, &["baseline", "log", "--baseline", "baselines/prod.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let log = stdout(&o);
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert!(lines[0].contains("alice  staging origin approved"), "{log}");
    assert!(lines[1].contains("alice  initial review"), "{log}");

    let o = run_in(
        d,
        &["baseline", "verify", "--baseline", "baselines/prod.json"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("2 link(s), unbroken"), "{}", stdout(&o));

    // A hand-edited history file breaks the chain.
    let original = std::fs::read_to_string(&history).expect("history");
    std::fs::write(
        &history,
        original.replace("\"seconds\": 1800", "\"seconds\": 60"),
    )
    .expect("edit");
    let o = run_in(
        d,
        &["baseline", "verify", "--baseline", "baselines/prod.json"],
    );
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("does not match") && stderr(&o).contains("history"),
        "{}",
        stderr(&o)
    );
    std::fs::write(&history, original).expect("restore");

    // So does a hand edit of the current baseline.
    let text = std::fs::read_to_string(&base).expect("baseline");
    std::fs::write(
        &base,
        text.replace("\"max_attempts\": 100", "\"max_attempts\": 5"),
    )
    .expect("edit");
    let o = run_in(
        d,
        &["baseline", "verify", "--baseline", "baselines/prod.json"],
    );
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("edited after it was accepted"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn accept_only_selected_paths() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let good = example("acme-prod").display().to_string();
    let drifted = example("acme-prod-drifted").display().to_string();
    assert_eq!(
        code(&run_in(
            d,
            &[
                "baseline",
                "accept",
                "--snapshot",
                &good,
                "--baseline",
                "b.json",
                "--reason",
                "r"
            ]
        )),
        0
    );
    let o = run_in(
        d,
        &[
            "baseline",
            "accept",
            "--snapshot",
            &drifted,
            "--baseline",
            "b.json",
            "--reason",
            "origin approved",
            "--path",
            "instance.allowed_origins",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Only the origin was taken: the rest of the drift remains.
    let o = run_in(d, &["diff", "b.json", &drifted]);
    let out = stdout(&o);
    assert!(!out.contains("allowed_origins"), "{out}");
    assert!(
        out.contains("~ session.inactivity_timeout: 30m -> disabled"),
        "{out}"
    );
    assert_eq!(code(&o), 2);
    assert_eq!(
        code(&run_in(d, &["baseline", "verify", "--baseline", "b.json"])),
        0
    );
}

/// Accepting one element of a set leaves the set's other changes as drift.
#[test]
fn accepting_one_set_element_leaves_the_others() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let base = std::fs::read_to_string(root().join("baselines/acme-prod.json")).expect("baseline");
    std::fs::write(d.join("b.json"), &base).expect("write");
    let mut current: serde_json::Value = serde_json::from_str(&base).expect("JSON");
    current["settings"]["restrictions"]["blocklist"]["identifiers"] =
        serde_json::json!(["abuse@example.net", "new@example.org"]);
    if let Some(o) = current.as_object_mut() {
        o.remove("accepted");
    }
    std::fs::write(d.join("cur.json"), current.to_string()).expect("write");
    let o = run_in(
        d,
        &[
            "baseline",
            "accept",
            "--snapshot",
            "cur.json",
            "--baseline",
            "b.json",
            "--reason",
            "one element",
            "--path",
            "restrictions.blocklist.identifiers[new@example.org]",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run_in(d, &["diff", "b.json", "cur.json", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON report");
    let left: Vec<&str> = report["drift"]
        .as_array()
        .expect("drift")
        .iter()
        .filter_map(|c| c["path"].as_str())
        .collect();
    assert_eq!(left, ["restrictions.blocklist.identifiers[*@spam.example]"]);
}
