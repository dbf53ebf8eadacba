//! Bad input: clear errors with file:line:col or JSON path, exit 1, nothing half-written.

use crate::common::*;

/// A recording holding one raw file, `rel` → `text`.
fn one_file_recording(rel: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(rel);
    std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
    dir
}

fn policy_file(text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("policy.toml");
    std::fs::write(&path, text).expect("write");
    let s = path.to_str().expect("utf-8").to_owned();
    (dir, s)
}

#[test]
fn a_policy_key_typo_exits_1_with_file_line_col() {
    let (_d, path) = policy_file(
        "[[rule]]\nid = \"x\"\ntitle = \"t\"\nseverity = \"high\"\npaht = \"password.min_length\"\nmin = 8\n",
    );
    let out = run(&["check", "baselines/acme-prod.json", "--policy", &path]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{path}:5:1: unknown field `paht`")),
        "{err}"
    );
    assert!(err.contains("^^^^"), "{err}");
    assert!(stdout(&out).is_empty(), "nothing evaluated on a bad policy");
}

#[test]
fn a_policy_wrong_type_exits_1_with_file_line_col() {
    let (_d, path) = policy_file(
        "[[rule]]\nid = \"x\"\ntitle = \"t\"\nseverity = \"high\"\npath = \"password.min_length\"\nmin = \"eight\"\n",
    );
    let out = run(&[
        "plan",
        "--snapshot",
        "baselines/acme-prod.json",
        "--baseline",
        "baselines/acme-prod.json",
        "--policy",
        &path,
    ]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{path}:6:7: `min` takes a number")),
        "{err}"
    );
}

#[test]
fn invalid_json_in_a_recording_names_file_line_and_column() {
    let tmp = one_file_recording(
        "bapi/instance.json",
        "{\n  \"id\": \"ins_1\",\n  \"environment_type\": production\n}\n",
    );
    let out = run(&[
        "snapshot",
        "--from-dir",
        tmp.path().to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("bapi/instance.json:3:23: invalid JSON"),
        "{err}"
    );
}

#[test]
fn a_wrongly_typed_field_names_the_json_path() {
    let tmp = one_file_recording(
        "fapi/environment.json",
        r#"{"user_settings": {"password_settings": {"min_length": "twelve"}}}"#,
    );
    let out = run(&[
        "snapshot",
        "--from-dir",
        tmp.path().to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("fapi/environment.json: `$.user_settings.password_settings.min_length`: expected an integer, found a string"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_bad_snapshot_file_is_located() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("snap.json");
    std::fs::write(
        &path,
        "{\"schema_version\": 1, \"settings\": {}, \"provenance\": {\"a\": \"martian\"}}",
    )
    .expect("write");
    let out = run(&["check", path.to_str().expect("utf-8")]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("snap.json:1:"), "{}", stderr(&out));
    std::fs::write(&path, "{\"schema_version\": 9}").expect("write");
    let out = run(&["check", path.to_str().expect("utf-8")]);
    assert!(
        stderr(&out).contains("schema_version 9 is not supported"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_empty_or_missing_recording_is_an_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = run(&[
        "snapshot",
        "--from-dir",
        tmp.path().to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("holds no recorded responses"),
        "{}",
        stderr(&out)
    );
    let out = run(&["snapshot", "--from-dir", "/nonexistent/recording"]);
    assert_eq!(code(&out), 1);
}

#[test]
fn snapshot_output_is_written_whole_or_not_at_all() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let target = tmp.path().join("snap.json");
    std::fs::write(&target, "previous contents").expect("write");
    // A failing normalization leaves the previous file untouched and no temp files behind.
    let bad = one_file_recording("bapi/instance.json", "{");
    let out = run(&[
        "snapshot",
        "--from-dir",
        bad.path().to_str().expect("utf-8"),
        "-o",
        target.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        std::fs::read_to_string(&target).expect("read"),
        "previous contents"
    );
    // A good run replaces it in one step.
    let out = run(&[
        "snapshot",
        "--from-dir",
        "examples/acme-prod",
        "-o",
        target.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).expect("read")).expect("JSON");
    let shipped: serde_json::Value =
        serde_json::from_str(&crate::common::unaccepted_baseline()).expect("JSON");
    assert_eq!(written, shipped);
    let names: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names.len(), 1, "temp files left behind: {names:?}");
    // An output directory that does not exist is created, as `baseline accept` does (issue 16
    // item 3); an output that is a directory is an error naming it, nothing written.
    let missing = tmp.path().join("no/such/dir/snap.json");
    let out = run(&[
        "snapshot",
        "--from-dir",
        "examples/acme-prod",
        "-o",
        missing.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(missing.is_file());
    let out = run(&[
        "snapshot",
        "--from-dir",
        "examples/acme-prod",
        "-o",
        tmp.path().to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("is a directory"), "{}", stderr(&out));
}

/// Issue 16: clap's own exit code for a usage error is 2, the drift bit; every usage error exits
/// 1, while `--help` and `--version` are answers and exit 0.
#[test]
fn usage_errors_exit_1_and_help_and_version_exit_0() {
    for args in [
        &["plan", "--formt", "json"][..],
        &["check", "--fail-on", "hgih"],
        &["check", "--format", "json", "--format", "text"],
        &["nonsense"],
        &[],
    ] {
        let out = run(args);
        assert_eq!(code(&out), 1, "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
        assert!(
            stderr(&out).starts_with("error:") || stderr(&out).contains("Usage:"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    for args in [
        &["--help"][..],
        &["plan", "--help"],
        &["--version"],
        &["help"],
    ] {
        let out = run(args);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        assert!(!stdout(&out).is_empty(), "{args:?}");
    }
}
