//! `clerk-drift init` against the fake Clerk: with all three APIs and with the Frontend API
//! alone, `plan` right after it exits 0; a refused key and files that exist write nothing;
//! `--force` overwrites; the questions are answered on standard input; the files it writes hold
//! no key, lint clean (their commented examples too), and the CI files are exactly as expected.

use std::path::Path;

use wiremock::MockServer;

use crate::common::{code, example, live, output, stderr, stdout};
use crate::fake::{self, Data, Options};

/// Every file `init` writes for instance `production`, relative to its directory.
const FILES: [&str; 6] = [
    "clerk-drift.toml",
    "baselines/production.json",
    "policy/production.toml",
    "attestations/production.toml",
    ".github/workflows/clerk-drift.yml",
    ".gitlab/clerk-drift.gitlab-ci.yml",
];

async fn acme() -> MockServer {
    fake::start(&Data::load(&example("acme-prod")), Options::default()).await
}

/// `init` with `args`, from `dir`, against the fake; `frontend_only` takes the keys away.
fn init(
    server: &MockServer,
    dir: &Path,
    frontend_only: bool,
    args: &[&str],
) -> std::process::Output {
    let mut cmd = live(&server.uri(), dir);
    if frontend_only {
        cmd.env_remove("CLERK_SECRET_KEY")
            .env_remove("CLERK_PLATFORM_API_KEY")
            .env_remove("CLERK_APPLICATION_ID");
    }
    cmd.args(["init", "--by", "tester@example.com"]).args(args);
    output(&mut cmd)
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every file below `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path.clone());
            }
            out.push(path.strip_prefix(dir).expect("below").display().to_string());
        }
    }
    out.sort();
    out
}

/// The APIs a snapshot's settings came from.
fn sources(snapshot: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = snapshot["provenance"]
        .as_object()
        .expect("provenance")
        .values()
        .filter_map(|v| v.as_str())
        .filter(|s| ["fapi", "bapi", "plapi"].contains(s))
        .map(str::to_owned)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// No written file and no output holds a key.
fn assert_no_key(dir: &Path, o: &std::process::Output) {
    for text in [stdout(o), stderr(o)].into_iter().chain(
        FILES
            .iter()
            .filter_map(|f| std::fs::read_to_string(dir.join(f)).ok()),
    ) {
        assert!(!text.contains("CANARY"), "a key leaked: {text}");
    }
}

/// The GitLab snippet builds clerk-drift only in a job without the keys' environment, whose cache
/// is keyed by protection; the jobs that run it build nothing and take the binary from it.
fn assert_gitlab_builds_without_keys(text: &str) {
    let mut jobs: std::collections::BTreeMap<&str, String> = std::collections::BTreeMap::new();
    let mut name = "";
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        if let Some(n) = line.strip_suffix(':').filter(|_| !line.starts_with(' ')) {
            name = n;
        }
        jobs.entry(name).or_default().push_str(&format!("{line}\n"));
    }
    let names: Vec<&str> = jobs.keys().copied().filter(|n| !n.is_empty()).collect();
    assert_eq!(
        names,
        [
            ".clerk-drift",
            ".clerk-drift:run",
            "clerk-drift:install",
            "clerk-drift:offline",
            "clerk-drift:plan"
        ]
    );
    let building: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| jobs[n].contains("cargo"))
        .collect();
    assert_eq!(building, ["clerk-drift:install"]);
    let install = &jobs["clerk-drift:install"];
    assert!(!install.contains("environment:"), "{install}");
    assert!(
        install
            .contains("key: clerk-drift-$CLERK_DRIFT_VERSION-protected-$CI_COMMIT_REF_PROTECTED\n"),
        "{install}"
    );
    assert!(
        install.contains("      - .clerk-drift/bin/clerk-drift\n"),
        "{install}"
    );
    let run = &jobs[".clerk-drift:run"];
    assert!(
        run.contains("    - job: clerk-drift:install\n      artifacts: true\n"),
        "{run}"
    );
    assert!(!run.contains("cache"), "{run}");
    let plan = &jobs["clerk-drift:plan"];
    assert!(plan.contains("  extends: .clerk-drift:run\n"), "{plan}");
    assert!(
        plan.contains("  environment:\n    name: clerk-drift/production\n    action: access"),
        "{plan}"
    );
    assert!(
        !jobs[".clerk-drift"].contains("cache"),
        "{}",
        jobs[".clerk-drift"]
    );
}

/// After `init`, every command of the generated CI files exits 0: the offline checks, the
/// offline plan, the live plan with its outputs (as the GitLab jobs run them), and a bare `plan`.
fn assert_ci_clean(server: &MockServer, dir: &Path, frontend_only: bool) {
    for args in [
        &[
            "policy",
            "lint",
            "policy/production.toml",
            "--attestations",
            "attestations/production.toml",
        ][..],
        &["baseline", "verify", "--instance", "production"],
        &[
            "plan",
            "--instance",
            "production",
            "--snapshot",
            "baselines/production.json",
            "--output",
            "junit=clerk-drift.xml",
        ],
        &[
            "plan",
            "--instance",
            "production",
            "--output",
            "junit=clerk-drift.xml",
            "--output",
            "markdown=clerk-drift.md",
        ],
        &["plan"],
    ] {
        let mut cmd = live(&server.uri(), dir);
        if frontend_only {
            cmd.env_remove("CLERK_SECRET_KEY")
                .env_remove("CLERK_PLATFORM_API_KEY")
                .env_remove("CLERK_APPLICATION_ID");
        }
        let o = output(cmd.args(args));
        assert_eq!(code(&o), 0, "{args:?}: {}{}", stdout(&o), stderr(&o));
    }
}

#[tokio::test]
async fn init_yes_with_all_three_apis_then_plan_is_clean() {
    let server = acme().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = init(&server, dir.path(), false, &["--yes"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    insta::assert_snapshot!("init_all_stdout", stdout(&o));
    let mut expected: Vec<String> = FILES.iter().map(|f| f.to_string()).collect();
    expected.extend(
        [
            ".github",
            ".github/workflows",
            ".gitlab",
            "attestations",
            "baselines",
            "policy",
        ]
        .map(String::from),
    );
    expected.sort();
    assert_eq!(tree(dir.path()), expected);
    insta::assert_snapshot!("init_all_config", read(dir.path(), "clerk-drift.toml"));
    insta::assert_snapshot!(
        "init_all_workflow",
        read(dir.path(), ".github/workflows/clerk-drift.yml")
    );
    // docs/ci.md shows that workflow, its comment lines left out.
    let workflow = read(dir.path(), ".github/workflows/clerk-drift.yml");
    let shown: Vec<&str> = workflow
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect();
    let docs = std::fs::read_to_string(crate::common::root().join("docs/ci.md")).expect("docs");
    assert!(
        docs.contains(&format!("```yaml\n{}\n```\n", shown.join("\n"))),
        "docs/ci.md's workflow differs from init's:\n{}",
        shown.join("\n")
    );
    insta::assert_snapshot!(
        "init_all_gitlab",
        read(dir.path(), ".gitlab/clerk-drift.gitlab-ci.yml")
    );
    assert_gitlab_builds_without_keys(&read(dir.path(), ".gitlab/clerk-drift.gitlab-ci.yml"));

    // The baseline carries the record `baseline accept` writes: who, why, the first in its chain.
    let baseline: serde_json::Value =
        serde_json::from_str(&read(dir.path(), "baselines/production.json")).expect("JSON");
    let accepted = &baseline["accepted"];
    assert_eq!(accepted["by"], "tester@example.com");
    assert_eq!(
        accepted["reason"],
        "first baseline, pulled by `clerk-drift init`"
    );
    assert!(accepted.get("previous_sha256").is_none(), "{accepted}");
    // All three APIs in it.
    assert_eq!(sources(&baseline), ["bapi", "fapi", "plapi"]);
    // One request per key before the pull: GET /v1/instance, the Platform config.
    let requests = server.received_requests().await.expect("recording on");
    let paths: Vec<&str> = requests.iter().map(|r| r.url.path()).collect();
    assert_eq!(
        paths[0..2],
        ["/v1/instance", &fake::plapi_path("production")[..]],
        "{paths:?}"
    );
    assert!(requests.iter().all(|r| r.method.as_str() == "GET"));
    assert_no_key(dir.path(), &o);
    assert_ci_clean(&server, dir.path(), false);
}

#[tokio::test]
async fn init_with_the_frontend_api_only_covers_it_alone_and_plan_is_clean() {
    let server = acme().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = init(&server, dir.path(), true, &["--yes"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("  Frontend API  read with the publishable key\n"),
        "{out}"
    );
    assert!(
        out.contains("  Backend API   left out: no secret key when init ran\n"),
        "{out}"
    );
    assert!(
        out.contains("  Platform API  left out: no Platform API key when init ran\n"),
        "{out}"
    );
    let config = read(dir.path(), "clerk-drift.toml");
    assert!(
        config.ends_with(
            "# Not in the first baseline:
#   backend: no secret key when init ran
#   platform: no Platform API key when init ran
# Once its key is in CI, take an API off this list and accept the new baseline
# (`clerk-drift baseline accept --reason \"…\"`).
without = [\"backend\", \"platform\"]
"
        ),
        "{config}"
    );
    assert!(!config.contains("platform_application_id"), "{config}");
    let baseline: serde_json::Value =
        serde_json::from_str(&read(dir.path(), "baselines/production.json")).expect("JSON");
    assert_eq!(sources(&baseline), ["fapi"], "Frontend API only");
    // No secret for the workflow to pass.
    let workflow = read(dir.path(), ".github/workflows/clerk-drift.yml");
    assert!(!workflow.contains("${{ secrets."), "{workflow}");
    assert!(
        workflow.contains("# like). No key is needed: only the Frontend API (public) is read.\n"),
        "{workflow}"
    );
    assert_no_key(dir.path(), &o);
    assert_ci_clean(&server, dir.path(), true);
}

#[tokio::test]
async fn a_refused_key_writes_nothing() {
    let server = acme().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = output(
        live(&server.uri(), dir.path())
            .env(
                "CLERK_SECRET_KEY",
                "sk_live_CANARYwrongKEYmustNEVERleak0003",
            )
            .args(["init", "--yes", "--by", "tester@example.com"]),
    );
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o),
        "error: a key was not accepted; nothing was written:\n  - Backend API: Clerk refused it (401: authentication_invalid: Invalid secret key (long) (trace id trace-authentication_invalid))\n"
    );
    assert!(tree(dir.path()).is_empty(), "{:?}", tree(dir.path()));
    // The two proofs and nothing more: no pull.
    let requests = server.received_requests().await.expect("recording on");
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_no_key(dir.path(), &o);
}

#[tokio::test]
async fn existing_files_are_refused_without_force_and_overwritten_with_it() {
    let server = acme().await;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join(".github/workflows")).expect("mkdir");
    std::fs::write(dir.path().join("clerk-drift.toml"), "# mine\n").expect("write");
    std::fs::write(
        dir.path().join(".github/workflows/clerk-drift.yml"),
        "# mine\n",
    )
    .expect("write");
    let o = init(&server, dir.path(), false, &["--yes"]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o),
        "error: 2 file(s) exist; nothing was written (pass --force to overwrite them):\n  - clerk-drift.toml\n  - .github/workflows/clerk-drift.yml\n"
    );
    assert_eq!(
        tree(dir.path()),
        [
            ".github",
            ".github/workflows",
            ".github/workflows/clerk-drift.yml",
            "clerk-drift.toml"
        ]
    );
    assert_eq!(read(dir.path(), "clerk-drift.toml"), "# mine\n");
    // Refused before any request.
    assert!(
        server
            .received_requests()
            .await
            .expect("recording on")
            .is_empty()
    );

    let o = init(&server, dir.path(), false, &["--yes", "--force"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        read(dir.path(), "clerk-drift.toml").starts_with("# clerk-drift.toml: the Clerk instance")
    );
    assert!(
        read(dir.path(), ".github/workflows/clerk-drift.yml")
            .starts_with("# clerk-drift: scheduled")
    );
    assert_ci_clean(&server, dir.path(), false);

    // Again with --force: the baseline already is this configuration and stays as it is.
    let before = read(dir.path(), "baselines/production.json");
    let o = init(&server, dir.path(), false, &["--yes", "--force"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o)
            .contains("baselines/production.json already is this configuration: left as it is.\n"),
        "{}",
        stdout(&o)
    );
    assert_eq!(read(dir.path(), "baselines/production.json"), before);
    assert!(!dir.path().join("baselines/history").exists());
}

#[tokio::test]
async fn questions_are_answered_on_standard_input() {
    let server = acme().await;
    let dir = tempfile::tempdir().expect("tempdir");
    // A name, then the application id the environment does not give, then yes.
    let o = output(
        live(&server.uri(), dir.path())
            .env_remove("CLERK_APPLICATION_ID")
            .args(["init", "--by", "tester@example.com"])
            .write_stdin(format!("prod-eu\n{}\n\n", fake::APP)),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.starts_with(
        "Instance name (for clerk-drift.toml and the files' names) [production]: A Platform API key is set: its application id (app_…; empty to go without the Platform API): clerk-drift init: instance `prod-eu`\n"
    ), "{err}");
    assert!(
        err.contains("Check the keys, pull the first baseline and write 6 file(s)? [Y/n] "),
        "{err}"
    );
    let config = read(dir.path(), "clerk-drift.toml");
    assert!(config.contains("[instances.prod-eu]\n"), "{config}");
    assert!(
        config.contains(&format!("platform_application_id = \"{}\"\n", fake::APP)),
        "{config}"
    );
    assert!(dir.path().join("baselines/prod-eu.json").is_file());
    assert!(!config.contains("without"), "{config}");

    // No: nothing is checked or written.
    let dir = tempfile::tempdir().expect("tempdir");
    let o = output(
        live(&server.uri(), dir.path())
            .args(["init", "--by", "tester@example.com"])
            .write_stdin("\nn\n"),
    );
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).ends_with("error: stopped: nothing was checked or written\n"),
        "{}",
        stderr(&o)
    );
    assert!(tree(dir.path()).is_empty());

    // Standard input ends before the answers: an error saying --yes, nothing written.
    let o = output(
        live(&server.uri(), dir.path())
            .args(["init", "--by", "tester@example.com"])
            .write_stdin(""),
    );
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).ends_with("error: no answer (standard input ended): answer the questions, or pass --yes to take the defaults\n"), "{}", stderr(&o));
    assert!(tree(dir.path()).is_empty());
}

/// The starter policy's and the attestations template's commented examples are valid as they
/// stand: uncommented, they lint clean (on the day init wrote them).
#[tokio::test]
async fn the_commented_examples_lint_clean_once_uncommented() {
    let server = acme().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = init(&server, dir.path(), false, &["--yes"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let uncomment = |rel: &str| {
        let text: String = read(dir.path(), rel)
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest)
                    if rest.starts_with("[[")
                        || rest.split_once(" = ").is_some_and(|(k, _)| {
                            k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                        }) =>
                {
                    rest.to_owned()
                }
                _ => l.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(dir.path().join(rel), text).expect("write");
    };
    uncomment("policy/production.toml");
    uncomment("attestations/production.toml");
    let policy = read(dir.path(), "policy/production.toml");
    assert_eq!(policy.matches("\n[[").count(), 4, "{policy}");
    let attestations = read(dir.path(), "attestations/production.toml");
    assert_eq!(
        attestations.matches("\n[[attestation]]").count(),
        11,
        "{attestations}"
    );
    let o = output(live(&server.uri(), dir.path()).args([
        "policy",
        "lint",
        "policy/production.toml",
        "--attestations",
        "attestations/production.toml",
    ]));
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(
        stdout(&o),
        "ok: policies/clerk-hardening.toml + policy/production.toml — 60 rule(s), 1 disabled, 1 waiver(s)\nok: attestations/production.toml — 11 attestation(s)\n"
    );
}
