//! `baseline accept|log|verify`: the audited baseline lifecycle.

use std::path::Path;

use assert_cmd::Command;

use crate::common::{code, example, root, stderr, stdout};

fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("clerk-drift")
        .expect("binary")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        // Who accepts: the CI actor outranks git's user.email and the OS user.
        .env("GITHUB_ACTOR", "alice")
        .env_remove("GITLAB_USER_LOGIN")
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

/// Accepting a set's element adopts the sources' disagreement on the set that its change stood
/// for: the Platform config drops the backup code (the Frontend API still lists it), the plan
/// shows the one element, and once it is accepted nothing is left — no disagreement surfaces
/// that no plan showed. (The partial-accept property found it.)
#[test]
fn accepting_an_element_adopts_the_disagreement_its_change_stood_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::copy(root().join("baselines/acme-prod.json"), d.join("b.json")).expect("copy");
    let mut files = crate::common::json_files(&example("acme-prod"));
    for (rel, body) in &mut files {
        if rel.ends_with("plapi/config.json") {
            body["auth_multi_factor"]["backup_code"]["enabled"] = serde_json::json!(false);
        }
    }
    crate::common::write_recording(&d.join("rec"), &files);
    let o = run_in(d, &["snapshot", "--from-dir", "rec"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::fs::write(d.join("cur.json"), stdout(&o)).expect("write");
    let drift = |d: &Path| -> Vec<String> {
        let o = run_in(d, &["diff", "b.json", "cur.json", "--format", "json"]);
        let report: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON report");
        report["drift"]
            .as_array()
            .expect("drift")
            .iter()
            .map(|c| {
                format!(
                    "{} {}",
                    c["path"].as_str().unwrap_or(""),
                    c["kind"].as_str().unwrap_or("")
                )
            })
            .collect()
    };
    assert_eq!(drift(d), ["mfa.factors[backup_code] removed"]);
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
            "backup codes off",
            "--path",
            "mfa.factors[backup_code]",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(drift(d), Vec::<String>::new());
    let o = run_in(d, &["diff", "b.json", "cur.json"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
}

/// Runs `baseline accept` in `dir` with the environment that decides who accepts set exactly:
/// `vars` only, no global or system git configuration (HOME is `dir`).
fn accept_as(dir: &Path, vars: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let mut cmd = Command::cargo_bin("clerk-drift").expect("binary");
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", dir.join("no-global-gitconfig"))
        .env_remove("GITHUB_ACTOR")
        .env_remove("GITLAB_USER_LOGIN")
        .env_remove("USER")
        .env_remove("USERNAME")
        .env_remove("LOGNAME");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.arg("baseline").arg("accept").args(args);
    cmd.output().expect("runs")
}

fn accepted_by(dir: &Path, file: &str) -> String {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(file)).expect("baseline"))
            .expect("JSON");
    v["accepted"]["by"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn accept_records_who_from_flag_ci_actor_git_or_os_user() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let good = example("acme-prod").display().to_string();
    let first = |vars: &[(&str, &str)], extra: &[&str], file: &str| {
        let mut args = vec![
            "--snapshot",
            good.as_str(),
            "--baseline",
            file,
            "--reason",
            "r",
        ];
        args.extend_from_slice(extra);
        let o = accept_as(d, vars, &args);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        accepted_by(d, file)
    };
    // The OS user, as `id -un` gives it, even with $USER unset (and no git identity here).
    let id = std::process::Command::new("id")
        .arg("-un")
        .output()
        .expect("id runs");
    let os_user = String::from_utf8_lossy(&id.stdout).trim().to_owned();
    assert!(!os_user.is_empty());
    assert_eq!(first(&[], &[], "os.json"), os_user);
    // git's user.email, of the repository.
    let git = |args: &[&str]| {
        let s = std::process::Command::new("git")
            .args(args)
            .current_dir(d)
            .env("HOME", d)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", d.join("no-global-gitconfig"))
            .status()
            .expect("git runs");
        assert!(s.success());
    };
    git(&["init", "-q"]);
    git(&["config", "user.email", "dev@acme.test"]);
    assert_eq!(first(&[], &[], "git.json"), "dev@acme.test");
    // The CI actor outranks git; GitHub's outranks GitLab's.
    assert_eq!(
        first(&[("GITLAB_USER_LOGIN", "gl-bot")], &[], "gitlab.json"),
        "gl-bot"
    );
    assert_eq!(
        first(
            &[("GITLAB_USER_LOGIN", "gl-bot"), ("GITHUB_ACTOR", "octocat")],
            &[],
            "github.json"
        ),
        "octocat"
    );
    // --by outranks everything.
    assert_eq!(
        first(
            &[("GITHUB_ACTOR", "octocat")],
            &["--by", "ciso@acme.test"],
            "by.json"
        ),
        "ciso@acme.test"
    );
    let o = accept_as(
        d,
        &[],
        &[
            "--snapshot",
            &good,
            "--baseline",
            "e.json",
            "--reason",
            "r",
            "--by",
            " ",
        ],
    );
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o).trim(),
        "error: --by is empty: name who accepts this baseline"
    );
}

#[test]
fn accept_refuses_a_path_that_matches_no_change_and_an_accept_that_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let good = example("acme-prod").display().to_string();
    let drifted = example("acme-prod-drifted").display().to_string();
    let accept = |snap: &str, extra: &[&str]| {
        let mut args = vec![
            "baseline",
            "accept",
            "--snapshot",
            snap,
            "--baseline",
            "b.json",
            "--reason",
            "r",
        ];
        args.extend_from_slice(extra);
        run_in(d, &args)
    };
    assert_eq!(code(&accept(&good, &[])), 0);
    let before = std::fs::read(d.join("b.json")).expect("baseline");

    // The same configuration again: nothing to accept, nothing written.
    let o = accept(&good, &[]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o).trim(),
        "error: nothing to accept: the current configuration is the baseline b.json already; nothing was written"
    );
    assert_eq!(std::fs::read(d.join("b.json")).expect("baseline"), before);
    assert!(!d.join("history").exists());
    // A snapshot file without an acceptance record can be adopted as it is (that records who).
    std::fs::write(d.join("plain.json"), crate::common::unaccepted_baseline()).expect("write");
    let o = run_in(
        d,
        &[
            "baseline",
            "accept",
            "--snapshot",
            "plain.json",
            "--baseline",
            "plain.json",
            "--reason",
            "adopt",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run_in(
        d,
        &[
            "baseline",
            "accept",
            "--snapshot",
            "plain.json",
            "--baseline",
            "plain.json",
            "--reason",
            "again",
        ],
    );
    assert_eq!(
        code(&o),
        1,
        "now it is the accepted baseline: {}",
        stdout(&o)
    );

    // A --path with a typo: did you mean the changed path.
    let o = accept(&drifted, &["--path", "session.inactivty_timeout"]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o).trim(),
        "error: --path `session.inactivty_timeout` matches no change between b.json and the current configuration; did you mean `session.inactivity_timeout`?"
    );
    let o = accept(&drifted, &["--path", "sesion.**"]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).ends_with("did you mean `session.**`?\n"),
        "{}",
        stderr(&o)
    );
    // A path that exists but did not change: the changes are listed.
    let o = accept(&drifted, &["--path", "password.min_length"]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).starts_with("error: --path `password.min_length` matches no change between b.json and the current configuration; the changes are at "),
        "{}",
        stderr(&o)
    );
    // One good glob and one bad: refused as a whole.
    let o = accept(
        &drifted,
        &["--path", "session.inactivity_timeout", "--path", "nope"],
    );
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("--path `nope` matches no change"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(d.join("b.json")).expect("baseline"), before);
}

#[test]
fn accept_with_fail_on_refuses_a_baseline_with_violations_at_or_above_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let good = example("acme-prod").display().to_string();
    let drifted = example("acme-prod-drifted").display().to_string();
    let accept = |snap: &str, extra: &[&str]| {
        let mut args = vec![
            "baseline",
            "accept",
            "--snapshot",
            snap,
            "--baseline",
            "b.json",
            "--reason",
            "r",
        ];
        args.extend_from_slice(extra);
        run_in(d, &args)
    };
    // Off: without --fail-on the violations are shown and the baseline is accepted.
    assert_eq!(code(&accept(&good, &["--fail-on", "high"])), 0);
    let before = std::fs::read(d.join("b.json")).expect("baseline");

    // The drifted configuration fails 4 high rules: refused, exit 4, nothing written.
    let o = accept(&drifted, &["--fail-on", "high"]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with(&format!("Refused: {drifted} fails 4 rule(s) at or above high (--fail-on high); b.json was not written.\nFailing rules:\n")),
        "{out}"
    );
    assert!(
        out.contains("FAIL    high     password.breach-detection"),
        "{out}"
    );
    assert_eq!(std::fs::read(d.join("b.json")).expect("baseline"), before);
    assert!(!d.join("history").exists(), "nothing moved into history/");

    // Only the medium origin change, judged at critical: nothing at or above it, accepted.
    let o = accept(
        &drifted,
        &[
            "--fail-on",
            "critical",
            "--path",
            "session.inactivity_timeout",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Warning: the accepted baseline still fails 1 rule(s):"),
        "{}",
        stdout(&o)
    );
    // Without --fail-on the rest is accepted with its violations listed (as before).
    let o = accept(&drifted, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Warning: the accepted baseline still fails 9 rule(s):"),
        "{}",
        stdout(&o)
    );
}
