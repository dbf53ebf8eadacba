//! The GitHub Action's shell logic (scripts/action/), run with bash as the Action runs it: the
//! plan step against the fake Clerk — one plan for the log, SARIF and the job summary; the
//! outputs `exit-code`, `drift`, `violations`, `sarif-file`; the step's failure as
//! `fail-on-findings` says — and the install step with a stand-in `cargo`, which must get a
//! pinned version or nothing.

use std::path::{Path, PathBuf};
use std::process::Output;

use wiremock::MockServer;

use crate::common::{CLERK_VARS, TODAY, code, example, live, output, root, stderr, stdout};
use crate::fake::{self, Data, Options};

/// A repository set up by `init` against a fake serving the acme-prod example.
async fn repository(frontend_only: bool) -> (MockServer, tempfile::TempDir) {
    let server = fake::start(&Data::load(&example("acme-prod")), Options::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = live(&server.uri(), dir.path());
    if frontend_only {
        cmd.env_remove("CLERK_SECRET_KEY")
            .env_remove("CLERK_PLATFORM_API_KEY")
            .env_remove("CLERK_APPLICATION_ID");
    }
    let o = output(cmd.args(["init", "--yes", "--by", "tester@example.com"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    (server, dir)
}

/// What the plan step left: its outputs, the job summary, its own output and exit status.
struct Step {
    outputs: String,
    summary: String,
    run: Output,
}

/// Runs scripts/action/run-plan.sh in `dir` against the fake at `uri`, with the Action's
/// inputs; the keys only as the Action passes them (INPUT_SECRET_KEY, INPUT_PLATFORM_API_KEY).
fn plan_step(uri: &str, dir: &Path, inputs: &[(&str, &str)]) -> Step {
    let outputs = dir.join("github-output");
    let summary = dir.join("step-summary.md");
    let _ = std::fs::remove_file(&outputs);
    let _ = std::fs::remove_file(&summary);
    let mut cmd = std::process::Command::new("bash");
    cmd.arg(root().join("scripts/action/run-plan.sh"))
        .current_dir(dir)
        .env("CLERK_DRIFT", env!("CARGO_BIN_EXE_clerk-drift"))
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("NO_COLOR", "1")
        .env("CLERK_DRIFT_TODAY", TODAY)
        .env("CLERK_FRONTEND_API_URL", uri)
        .env("CLERK_BACKEND_API_URL", uri)
        .env("CLERK_PLATFORM_API_URL", uri);
    // Clerk's variables are cleared (the base URLs aside: set above), and the keyring switch, so
    // that only what a test sets reaches the script.
    let clerk = CLERK_VARS.iter().filter(|v| !v.ends_with("_URL"));
    for var in clerk.chain(&["CLERK_DRIFT_NO_KEYRING"]) {
        cmd.env_remove(var);
    }
    for (name, value) in inputs {
        cmd.env(name, value);
    }
    let run = cmd.output().expect("bash runs");
    Step {
        outputs: std::fs::read_to_string(&outputs).unwrap_or_default(),
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
        run,
    }
}

const KEYS: [(&str, &str); 2] = [
    ("INPUT_SECRET_KEY", fake::SECRET_KEY),
    ("INPUT_PLATFORM_API_KEY", fake::PLATFORM_KEY),
];

fn sarif_path(dir: &Path) -> String {
    let dir = dir.canonicalize().expect("canonical");
    dir.join("clerk-drift.sarif").display().to_string()
}

fn assert_no_key(step: &Step) {
    for text in [
        &stdout(&step.run),
        &stderr(&step.run),
        &step.outputs,
        &step.summary,
    ] {
        assert!(!text.contains("CANARY"), "a key leaked: {text}");
    }
}

#[tokio::test]
async fn a_clean_instance_gives_exit_code_0_and_no_drift_with_sarif_and_summary() {
    let (server, dir) = repository(false).await;
    let step = plan_step(&server.uri(), dir.path(), &KEYS);
    assert_eq!(
        code(&step.run),
        0,
        "{}{}",
        stdout(&step.run),
        stderr(&step.run)
    );
    assert_eq!(
        step.outputs,
        format!(
            "exit-code=0\ndrift=false\nviolations=false\nsarif-file={}\n",
            sarif_path(dir.path())
        )
    );
    assert!(
        stdout(&step.run)
            .starts_with("clerk-drift plan --output sarif=clerk-drift.sarif --step-summary\n"),
        "{}",
        stdout(&step.run)
    );
    assert!(
        step.summary.starts_with("## clerk-drift plan: ✅"),
        "{}",
        step.summary
    );
    let sarif: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("clerk-drift.sarif")).expect("SARIF"),
    )
    .expect("JSON");
    assert_eq!(sarif["version"], "2.1.0");
    // One pull for all of it: the Frontend API's environment read once.
    let requests = server.received_requests().await.expect("recording on");
    let environment = requests
        .iter()
        .filter(|r| r.url.path() == "/v1/environment")
        .count();
    assert_eq!(environment, 2, "once by init, once by the plan step");
    assert_no_key(&step);
}

#[tokio::test]
async fn drift_gives_exit_code_6_drift_true_and_fails_the_step_unless_told_not_to() {
    let (_acme, dir) = repository(false).await;
    // The same instance after seven bad Dashboard edits.
    let drifted = fake::start(
        &Data::load(&example("acme-prod-drifted")),
        Options::default(),
    )
    .await;
    let step = plan_step(&drifted.uri(), dir.path(), &KEYS);
    assert_eq!(code(&step.run), 6, "{}", stderr(&step.run));
    assert_eq!(
        step.outputs,
        format!(
            "exit-code=6\ndrift=true\nviolations=true\nsarif-file={}\n",
            sarif_path(dir.path())
        )
    );
    assert!(
        stdout(&step.run).ends_with(
            "::error title=clerk-drift::drift from the baseline, policy violations (exit code 6)\n"
        ),
        "{}",
        stdout(&step.run)
    );
    assert!(
        step.summary
            .starts_with("## clerk-drift plan: ❌ drift, policy violations (exit 6)"),
        "{}",
        step.summary
    );
    let sarif = std::fs::read_to_string(dir.path().join("clerk-drift.sarif")).expect("SARIF");
    assert!(sarif.contains("\"results\""), "{sarif}");
    assert_no_key(&step);

    // fail-on-findings: false — the step passes, the outputs tell.
    let mut inputs = KEYS.to_vec();
    inputs.push(("INPUT_FAIL_ON_FINDINGS", "false"));
    let step = plan_step(&drifted.uri(), dir.path(), &inputs);
    assert_eq!(code(&step.run), 0, "{}", stderr(&step.run));
    assert!(
        step.outputs.starts_with("exit-code=6\ndrift=true\n"),
        "{}",
        step.outputs
    );
    assert!(
        stdout(&step.run).ends_with(
            "::warning title=clerk-drift::drift from the baseline, policy violations (exit code 6)\n"
        ),
        "{}",
        stdout(&step.run)
    );

    // Without SARIF and summary: neither is written.
    let step = plan_step(
        &drifted.uri(),
        dir.path(),
        &[
            KEYS[0],
            KEYS[1],
            ("INPUT_SARIF_FILE", ""),
            ("INPUT_STEP_SUMMARY", "false"),
        ],
    );
    assert_eq!(code(&step.run), 6);
    assert_eq!(
        step.outputs,
        "exit-code=6\ndrift=true\nviolations=true\nsarif-file=\n"
    );
    assert!(step.summary.is_empty());
}

#[tokio::test]
async fn an_error_gives_exit_code_1_drift_unknown_and_fails_the_step() {
    let (server, dir) = repository(false).await;
    // A SARIF file an earlier step left is not this run's: removed, never uploaded.
    std::fs::write(dir.path().join("clerk-drift.sarif"), "{}").expect("write");
    // The keys are not passed: the plan refuses to skip the APIs the baseline has (exit 1).
    let step = plan_step(
        &server.uri(),
        dir.path(),
        &[("INPUT_FAIL_ON_FINDINGS", "false")],
    );
    assert_eq!(code(&step.run), 1);
    assert_eq!(
        step.outputs,
        "exit-code=1\ndrift=unknown\nviolations=unknown\nsarif-file=\n"
    );
    assert!(!dir.path().join("clerk-drift.sarif").exists());
    assert!(
        stderr(&step.run).contains("nothing was sent"),
        "{}",
        stderr(&step.run)
    );
    assert_eq!(
        step.summary,
        "## clerk-drift\n\nThe plan did not complete (exit code 1: an error or incomplete data); the job log says why.\n"
    );
    // A mistaken input is an error before any plan.
    let step = plan_step(&server.uri(), dir.path(), &[("INPUT_STEP_SUMMARY", "yes")]);
    assert_eq!(code(&step.run), 1);
    assert_eq!(
        stdout(&step.run),
        "::error title=clerk-drift::input step-summary must be true or false, not 'yes'\n"
    );
    assert!(step.outputs.is_empty());
}

#[tokio::test]
async fn the_frontend_api_alone_and_an_offline_plan_need_no_key() {
    let (server, dir) = repository(true).await;
    let step = plan_step(&server.uri(), dir.path(), &[]);
    assert_eq!(code(&step.run), 0, "{}", stderr(&step.run));
    assert!(
        step.outputs.starts_with("exit-code=0\ndrift=false\n"),
        "{}",
        step.outputs
    );

    // The pull requests' job: the accepted baseline, offline, with extra arguments.
    let (server, dir) = repository(false).await;
    server.reset().await;
    let step = plan_step(
        &server.uri(),
        dir.path(),
        &[
            ("INPUT_INSTANCE", "production"),
            ("INPUT_SNAPSHOT", "baselines/production.json"),
            ("INPUT_ARGS", "--fail-on medium  --require-observed"),
        ],
    );
    assert!(
        stdout(&step.run).starts_with("clerk-drift plan --instance production --snapshot baselines/production.json --output sarif=clerk-drift.sarif --step-summary --fail-on medium --require-observed\n"),
        "{}",
        stdout(&step.run)
    );
    assert!(
        server
            .received_requests()
            .await
            .expect("recording on")
            .is_empty(),
        "no request"
    );
    // --require-observed: the settings nobody attested yet count as failures.
    assert_eq!(code(&step.run), 4);
    assert_eq!(
        step.outputs,
        format!(
            "exit-code=4\ndrift=false\nviolations=true\nsarif-file={}\n",
            sarif_path(dir.path())
        )
    );
}

/// A stand-in `cargo` that logs its arguments and installs a `clerk-drift` that prints
/// `clerk-drift $STUB_VERSION`.
fn stub_cargo(dir: &Path) -> PathBuf {
    let bin = dir.join("stub-bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let cargo = bin.join("cargo");
    std::fs::write(
        &cargo,
        "#!/usr/bin/env bash\necho \"cargo $*\" >> \"$STUB_LOG\"\nwhile [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=\"$2\"; shift; done\nmkdir -p \"$root/bin\"\nprintf '#!/bin/sh\\necho \"clerk-drift %s\"\\n' \"$STUB_VERSION\" > \"$root/bin/clerk-drift\"\nchmod +x \"$root/bin/clerk-drift\"\n",
    )
    .expect("write");
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    bin
}

/// Runs scripts/action/install.sh `step` with `env`; returns (exit code, GITHUB_OUTPUT,
/// GITHUB_PATH, cargo's log, standard output).
fn install_step(
    dir: &Path,
    step: &str,
    env: &[(&str, &str)],
) -> (i32, String, String, String, String) {
    let bin = stub_cargo(dir);
    let files = ["github-output", "github-path", "cargo-log"].map(|f| dir.join(f));
    for f in &files {
        let _ = std::fs::remove_file(f);
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = std::process::Command::new("bash");
    cmd.arg(root().join("scripts/action/install.sh"))
        .arg(step)
        .env("PATH", path)
        .env("INSTALL_ROOT", dir.join("tools"))
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("GITHUB_OUTPUT", &files[0])
        .env("GITHUB_PATH", &files[1])
        .env("STUB_LOG", &files[2])
        .env("STUB_VERSION", "0.1.0")
        .env_remove("INPUT_VERSION")
        .env_remove("ACTION_REF");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().expect("bash runs");
    let read = |f: &PathBuf| std::fs::read_to_string(f).unwrap_or_default();
    (
        code(&o),
        read(&files[0]),
        read(&files[1]),
        read(&files[2]),
        stdout(&o),
    )
}

#[test]
fn the_install_step_installs_a_pinned_version_or_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tools = dir.path().join("tools").display().to_string();
    // A release: the tag, into its own root; the cache key and PATH name it.
    let (c, outputs, path, _, _) =
        install_step(dir.path(), "resolve", &[("INPUT_VERSION", "0.1.0")]);
    assert_eq!(c, 0);
    assert_eq!(
        outputs,
        format!("version=0.1.0\nroot={tools}/0.1.0\nkey=clerk-drift-Linux-X64-0.1.0\n")
    );
    assert_eq!(path, format!("{tools}/0.1.0/bin\n"));
    let (c, _, _, log, out) = install_step(dir.path(), "install", &[("INPUT_VERSION", "v0.1.0")]);
    assert_eq!(c, 0, "{out}");
    assert_eq!(
        log,
        format!(
            "cargo install --locked --root {tools}/0.1.0 --git https://github.com/clerk-drift/clerk-drift --tag v0.1.0 clerk-drift\n"
        )
    );
    assert_eq!(out, "clerk-drift 0.1.0\n");
    // No version input: the Action's own ref, a tag or a commit.
    let (c, _, _, log, _) = install_step(dir.path(), "install", &[("ACTION_REF", "v0.1.0")]);
    assert_eq!(c, 0);
    assert!(log.ends_with("--tag v0.1.0 clerk-drift\n"), "{log}");
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let (c, outputs, _, log, _) = install_step(dir.path(), "install", &[("ACTION_REF", sha)]);
    assert_eq!(c, 0);
    assert!(outputs.is_empty());
    assert_eq!(
        log,
        format!(
            "cargo install --locked --root {tools}/{sha} --git https://github.com/clerk-drift/clerk-drift --rev {sha} clerk-drift\n"
        )
    );
    // A branch is refused, before cargo runs.
    let (c, outputs, path, log, out) =
        install_step(dir.path(), "resolve", &[("ACTION_REF", "main")]);
    assert_eq!(c, 1);
    assert_eq!(
        out,
        "::error title=clerk-drift::clerk-drift's version must be pinned: a release (0.1.0) or a commit SHA, not 'main' (the Action's ref (main))\n"
    );
    assert!(outputs.is_empty() && path.is_empty() && log.is_empty());
    // A tag that installs another version is an error.
    let (c, _, _, _, out) = install_step(dir.path(), "install", &[("INPUT_VERSION", "0.2.0")]);
    assert_eq!(c, 1);
    assert_eq!(
        out,
        "::error title=clerk-drift::tag v0.2.0 installed 'clerk-drift 0.1.0', not clerk-drift 0.2.0\n"
    );
}

/// An incomplete plan (exit 1: a read failed) still writes its SARIF, marked as a failed
/// invocation, but names no `sarif-file`: the upload step is skipped, so that code scanning
/// keeps its alerts rather than closing those of settings the run did not observe.
#[tokio::test]
async fn an_incomplete_plan_names_no_sarif_file_to_upload() {
    let (server, dir) = repository(false).await;
    server.reset().await;
    let mut opts = Options::default();
    opts.refusals
        .insert("bapi/jwks.json", (500, "internal_error", "boom"));
    fake::mount(&server, &Data::load(&example("acme-prod")), opts).await;
    let inputs = [KEYS[0], KEYS[1], ("INPUT_ARGS", "--allow-partial")];
    let step = plan_step(&server.uri(), dir.path(), &inputs);
    assert_eq!(code(&step.run), 1, "{}", stderr(&step.run));
    assert_eq!(
        step.outputs,
        "exit-code=1\ndrift=unknown\nviolations=unknown\nsarif-file=\n",
        "{}",
        stderr(&step.run)
    );
    let text = std::fs::read_to_string(dir.path().join("clerk-drift.sarif"))
        .unwrap_or_else(|e| panic!("{e}: {}", stderr(&step.run)));
    let log: serde_json::Value = serde_json::from_str(&text).expect("SARIF");
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let note = invocation["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .expect("a notification");
    assert!(
        note.starts_with("The run is incomplete (exit code 1)"),
        "{note}"
    );
}

/// A multi-line `args:` block is split on every line, not only the first.
#[tokio::test]
async fn multi_line_args_all_reach_the_plan() {
    let (server, dir) = repository(false).await;
    let step = plan_step(
        &server.uri(),
        dir.path(),
        &[
            ("INPUT_SNAPSHOT", "baselines/production.json"),
            ("INPUT_INSTANCE", "production"),
            ("INPUT_ARGS", "--require-observed\n  --fail-on\tmedium\n"),
            ("INPUT_FAIL_ON_FINDINGS", "false"),
        ],
    );
    assert!(
        stdout(&step.run).starts_with("clerk-drift plan --instance production --snapshot baselines/production.json --output sarif=clerk-drift.sarif --step-summary --require-observed --fail-on medium\n"),
        "{}",
        stdout(&step.run)
    );
    assert_eq!(code(&step.run), 0, "{}", stderr(&step.run));
    assert!(
        step.outputs.starts_with("exit-code=4\n"),
        "{}",
        step.outputs
    );
}
