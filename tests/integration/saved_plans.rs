//! Saved plans (issue 17): `plan --save-plan FILE`, then `baseline accept --from-plan FILE`
//! offline — no request, no credential — and the next plan is clean; a stale, edited or foreign
//! plan is refused with the file, the hashes or the JSON path named; no secret in the plan.

use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};
use wiremock::MockServer;

use crate::common::*;
use crate::fake::{self, Data, Options};

/// clerk-drift in `dir` with no credential at all and every Clerk URL at `uri`.
fn offline(uri: &str, dir: &Path) -> assert_cmd::Command {
    let mut cmd = live(uri, dir);
    for var in [
        "CLERK_PUBLISHABLE_KEY",
        "CLERK_SECRET_KEY",
        "CLERK_PLATFORM_API_KEY",
        "CLERK_APPLICATION_ID",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn sha(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).expect("read")))
}

fn drifted() -> String {
    example("acme-prod-drifted").display().to_string()
}

/// A directory with `base.json`: the shipped baseline without its acceptance record.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write_file(dir.path(), "base.json", &unaccepted_baseline());
    dir
}

fn save(dir: &Path, snapshot: &str) -> std::process::Output {
    output(offline("http://127.0.0.1:9", dir).args([
        "plan",
        "--snapshot",
        snapshot,
        "--baseline",
        "base.json",
        "--fail-on",
        "none",
        "--save-plan",
        "out/plan.json",
    ]))
}

#[tokio::test]
async fn a_saved_plan_is_accepted_offline_and_the_next_plan_is_clean() {
    let dir = workspace();
    let d = dir.path();
    let before = sha(&d.join("base.json"));
    let o = save(d, &drifted());
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let plan: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out/plan.json")).expect("saved"))
            .expect("JSON");
    assert_eq!(plan["saved_plan_version"], 1);
    assert_eq!(plan["baseline"]["path"], "base.json");
    assert_eq!(plan["baseline"]["sha256"], before.as_str());
    assert_eq!(plan["policy"]["builtin"], true);
    assert_eq!(plan["exit_code"], 2);
    assert_eq!(plan["incomplete"], false);
    assert_eq!(plan["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(plan["drift"]["changes"].as_array().map(Vec::len), Some(19));
    assert_eq!(plan["snapshot"]["schema_version"], 3);
    // No secret: the examples' canary client secrets are `present`/`absent` only.
    let text = std::fs::read_to_string(d.join("out/plan.json")).expect("saved");
    assert!(!text.contains("CANARY"), "a secret in the saved plan");

    // Accept: offline — a server with no routes sees no request — and without any credential.
    let server = MockServer::start().await;
    let o = output(offline(&server.uri(), d).args([
        "baseline",
        "accept",
        "--from-plan",
        "out/plan.json",
        "--reason",
        "reviewed the plan",
        "--by",
        "sre@acme.test",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with(&format!(
        "Accepted the snapshot of the saved plan out/plan.json ({}, saved ",
        drifted()
    )));
    assert!(stdout(&o).contains(&format!(
        "as the baseline base.json (replacing {}, kept in ./history).\nBy sre@acme.test: reviewed the plan\n",
        &before[..12]
    )));
    assert_eq!(
        server.received_requests().await.expect("recording").len(),
        0
    );
    let base: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("base.json")).expect("base"))
            .expect("JSON");
    assert_eq!(base["accepted"]["by"], "sre@acme.test");
    assert_eq!(base["accepted"]["previous_sha256"], before.as_str());
    let o = output(offline("http://127.0.0.1:9", d).args([
        "baseline",
        "verify",
        "--baseline",
        "base.json",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // The next plan against the new baseline: no drift.
    let o = output(offline("http://127.0.0.1:9", d).args([
        "plan",
        "--snapshot",
        &drifted(),
        "--baseline",
        "base.json",
        "--fail-on",
        "none",
    ]));
    assert_eq!(code(&o), 0, "{}", stdout(&o));

    // The same plan again: stale (its baseline changed), exit 1, nothing written.
    let now = sha(&d.join("base.json"));
    let o = output(offline("http://127.0.0.1:9", d).args([
        "baseline",
        "accept",
        "--from-plan",
        "out/plan.json",
        "--reason",
        "again",
    ]));
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o),
        format!(
            "error: out/plan.json: stale plan: the baseline base.json changed since the plan was saved (SHA-256 then {before}, now {now}); nothing was written: run `clerk-drift plan --save-plan out/plan.json` again\n"
        )
    );
    assert_eq!(sha(&d.join("base.json")), now);
}

#[test]
fn a_plan_without_drift_has_nothing_to_accept() {
    let dir = workspace();
    let d = dir.path();
    let o = output(offline("http://127.0.0.1:9", d).args([
        "baseline",
        "accept",
        "--snapshot",
        &drifted(),
        "--baseline",
        "base.json",
        "--reason",
        "first",
        "--by",
        "me",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = save(d, &drifted());
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let before = sha(&d.join("base.json"));
    let o = output(offline("http://127.0.0.1:9", d).args([
        "baseline",
        "accept",
        "--from-plan",
        "out/plan.json",
        "--reason",
        "nothing",
        "--by",
        "me",
    ]));
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o),
        "error: nothing to accept: the plan out/plan.json found no change from the baseline base.json; nothing was written\n"
    );
    assert_eq!(sha(&d.join("base.json")), before);
}

#[test]
fn an_edited_foreign_or_misdirected_plan_is_refused() {
    let dir = workspace();
    let d = dir.path();
    assert_eq!(code(&save(d, &drifted())), 2);
    let text = std::fs::read_to_string(d.join("out/plan.json")).expect("saved");
    let accept = |name: &str, extra: &[&str]| {
        let o = output(
            offline("http://127.0.0.1:9", d)
                .args([
                    "baseline",
                    "accept",
                    "--from-plan",
                    name,
                    "--reason",
                    "r",
                    "--by",
                    "me",
                ])
                .args(extra),
        );
        assert_eq!(code(&o), 1, "{name}");
        stderr(&o)
    };
    let cases = [
        (
            text.replacen("\"max_attempts\": 100", "\"max_attempts\": 5", 1),
            "$.snapshot does not match $.snapshot_sha256",
        ),
        (
            text.replacen("\"saved_plan_version\": 1", "\"saved_plan_version\": 2", 1),
            "edited.json: saved_plan_version 2 is not supported",
        ),
        (
            text.replacen(
                &format!("\"sha256\": \"{}\"", sha(&d.join("base.json"))),
                "\"sha256\": 7",
                1,
            ),
            "edited.json: $.baseline.sha256: expected a string, found a number",
        ),
        (text[..text.len() / 2].to_owned(), "edited.json:"),
        ("{\"a\": 1}".to_owned(), "edited.json: not a saved plan"),
    ];
    for (edited, expected) in cases {
        assert_ne!(edited, text);
        std::fs::write(d.join("edited.json"), &edited).expect("write");
        let err = accept("edited.json", &[]);
        assert!(err.contains(expected), "{expected}: {err}");
    }
    // --baseline names another file: taken only with the plan's baseline's SHA-256 (below, and
    // in `a_plan_is_accepted_from_another_directory_and_its_baseline_can_be_named`).
    write_file(d, "other.json", "{}\n");
    let err = accept("out/plan.json", &["--baseline", "other.json"]);
    assert!(
        err.starts_with("error: --baseline other.json: not the baseline the plan out/plan.json was made against (base.json): its SHA-256 is "),
        "{err}"
    );
    // --save-plan with --all, or against a recording directory: refused before anything.
    let o =
        output(offline("http://127.0.0.1:9", d).args(["plan", "--all", "--save-plan", "p.json"]));
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("the argument '--all' cannot be used with '--save-plan <FILE>'"),
        "{}",
        stderr(&o)
    );
    let o = output(offline("http://127.0.0.1:9", d).args([
        "plan",
        "--snapshot",
        &drifted(),
        "--baseline",
        &example("acme-prod").display().to_string(),
        "--save-plan",
        "p.json",
    ]));
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("is a recording directory"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("p.json").exists());
}

/// A live plan saved, with all three APIs and with the Frontend API only, accepts offline, and
/// the next live plan is clean.
#[tokio::test]
async fn a_live_plan_saves_and_accepts_with_all_three_apis_and_with_the_frontend_api_only() {
    let before = fake::start(&Data::load(&example("acme-prod")), Options::default()).await;
    let after = fake::start(
        &Data::load(&example("acme-prod-drifted")),
        Options::default(),
    )
    .await;
    for without in [
        &[][..],
        &["--without", "backend", "--without", "platform"][..],
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let o = output(
            live(&before.uri(), d)
                .args(["pull", "-o", "base.json"])
                .args(without),
        );
        assert_eq!(code(&o), 0, "{without:?}: {}", stderr(&o));
        let o = output(
            live(&after.uri(), d)
                .args([
                    "plan",
                    "--baseline",
                    "base.json",
                    "--fail-on",
                    "none",
                    "--save-plan",
                    "plan.json",
                ])
                .args(without),
        );
        assert_eq!(code(&o), 2, "{without:?}: {}", stderr(&o));
        let text = std::fs::read_to_string(d.join("plan.json")).expect("saved");
        assert!(
            !text.contains("CANARY"),
            "{without:?}: a secret in the plan"
        );
        assert!(text.contains("\"current\": \"live pull\""), "{without:?}");
        let none = MockServer::start().await;
        let o = output(offline(&none.uri(), d).args([
            "baseline",
            "accept",
            "--from-plan",
            "plan.json",
            "--reason",
            "planned",
            "--by",
            "me",
        ]));
        assert_eq!(code(&o), 0, "{without:?}: {}", stderr(&o));
        assert_eq!(none.received_requests().await.expect("recording").len(), 0);
        let o = output(
            live(&after.uri(), d)
                .args(["plan", "--baseline", "base.json", "--fail-on", "none"])
                .args(without),
        );
        assert_eq!(code(&o), 0, "{without:?}: {}", stdout(&o));
    }
}

/// A waiver of `origins.https-only` until the end of 2026.
const WAIVER: &str = r#"[[waiver]]
rule = "origins.https-only"
reason = "the staging origin until CHG-1"
approved_by = "ciso@acme.test"
expires = 2026-12-31
"#;

fn accept_plan(cwd: &Path, plan: &str, extra: &[&str]) -> std::process::Output {
    output(
        offline("http://127.0.0.1:9", cwd)
            .args([
                "baseline",
                "accept",
                "--from-plan",
                plan,
                "--reason",
                "reviewed",
                "--by",
                "me",
            ])
            .args(extra),
    )
}

/// `accept --from-plan --fail-on` judges with the plan's policy layers (its waiver holds), not
/// the built-in pack alone; a layer changed since is named, and judged as it is now.
#[test]
fn accept_from_a_plan_judges_with_the_plans_policy_layers() {
    let dir = workspace();
    let d = dir.path();
    write_file(d, "pol.toml", WAIVER);
    let o = output(offline("http://127.0.0.1:9", d).args([
        "plan",
        "--snapshot",
        &drifted(),
        "--baseline",
        "base.json",
        "--policy",
        "pol.toml",
        "--fail-on",
        "none",
        "--save-plan",
        "out/plan.json",
    ]));
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let before = sha(&d.join("base.json"));
    let refused = |o: &std::process::Output, n: usize| {
        assert_eq!(code(o), 4, "{}", stderr(o));
        let first = stdout(o).lines().next().unwrap_or_default().to_owned();
        assert_eq!(
            first,
            format!(
                "Refused: the snapshot of the saved plan out/plan.json ({}, saved {}) fails {n} rule(s) at or above high (--fail-on high); base.json was not written.",
                drifted(),
                saved_at(d)
            )
        );
    };
    let o = accept_plan(d, "out/plan.json", &["--fail-on", "high"]);
    refused(&o, 3);
    assert_eq!(stderr(&o), "");
    assert!(!stdout(&o).contains("origins.https-only"), "{}", stdout(&o));
    assert_eq!(sha(&d.join("base.json")), before);
    // The policy flags are the plan's: not given again.
    let o = accept_plan(d, "out/plan.json", &["--policy", "pol.toml"]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o)
            .contains("the argument '--from-plan <FILE>' cannot be used with '--policy <FILE>'"),
        "{}",
        stderr(&o)
    );
    // The layer changed since (the waiver gone): said so, and judged as it is now.
    let then = sha(&d.join("pol.toml"));
    write_file(d, "pol.toml", "# no waiver any more\n");
    let now = sha(&d.join("pol.toml"));
    let o = accept_plan(d, "out/plan.json", &["--fail-on", "high"]);
    refused(&o, 4);
    assert!(stdout(&o).contains("origins.https-only"), "{}", stdout(&o));
    assert_eq!(
        stderr(&o),
        format!(
            "warning: the policy layer pol.toml changed since the plan was saved (SHA-256 then {}, now {}): the plan does not hold its text then, so the findings below are judged with it as it is now\n",
            &then[..12],
            &now[..12]
        )
    );
    // A layer that is gone: refused, named.
    std::fs::remove_file(d.join("pol.toml")).expect("remove");
    let o = accept_plan(d, "out/plan.json", &["--fail-on", "high"]);
    assert_eq!(code(&o), 1);
    let abs = std::fs::canonicalize(d).expect("canonical");
    assert_eq!(
        stderr(&o),
        format!(
            "error: out/plan.json: the policy layer pol.toml the plan was judged with was not found (looked for out/../pol.toml, {}, pol.toml); nothing was written: accept from the directory the plan ran in, or plan again\n",
            abs.join("pol.toml").display()
        )
    );
    assert_eq!(sha(&d.join("base.json")), before);
}

/// The plan's `created_at`.
fn saved_at(d: &Path) -> String {
    let plan: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out/plan.json")).expect("saved"))
            .expect("JSON");
    plan["created_at"].as_str().expect("created_at").to_owned()
}

/// A plan that exited 1 — settings of the baseline no longer observed (the Frontend API only,
/// against a baseline of all three) — is refused, naming them; the baseline keeps them.
#[tokio::test]
async fn a_plan_that_exited_1_is_refused_naming_what_it_did_not_observe() {
    let server = fake::start(&Data::load(&example("acme-prod")), Options::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let o = output(live(&server.uri(), d).args(["pull", "-o", "base.json"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let before = sha(&d.join("base.json"));
    let o = output(live(&server.uri(), d).args([
        "plan",
        "--baseline",
        "base.json",
        "--fail-on",
        "none",
        "--without",
        "backend",
        "--without",
        "platform",
        "--save-plan",
        "plan.json",
    ]));
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let plan: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("plan.json")).expect("saved"))
            .expect("JSON");
    assert_eq!(
        (plan["exit_code"].as_u64(), plan["incomplete"].as_bool()),
        (Some(1), Some(false))
    );
    let names: Vec<&str> = plan["not_observed"]
        .as_array()
        .expect("not_observed")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(names.len() > 10, "{names:?}");
    let o = accept_plan(d, "plan.json", &[]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert_eq!(
        stderr(&o),
        format!(
            "error: plan.json: the plan exited 1 (incomplete data): {} setting(s) the baseline observed were not observed: {} and {} more; accepting it would drop them from the baseline, so nothing was written: plan again with the credentials (and APIs) that observe them; a plan saved with --allow-partial is refused as well. To drop settings from the baseline on purpose, accept them by name: `clerk-drift baseline accept --snapshot FILE --path GLOB --reason …`\n",
            names.len(),
            names[..10].join(", "),
            names.len() - 10
        )
    );
    assert_eq!(sha(&d.join("base.json")), before);
    assert_eq!(
        std::fs::read_dir(d).expect("dir").count(),
        2,
        "nothing else written"
    );
}

/// The plan's baseline is found from another working directory (from the plan file); when it
/// cannot be, the error names the plan, the recorded path and `--baseline PATH`, which is taken
/// when the file has the plan's SHA-256.
#[test]
fn a_plan_is_accepted_from_another_directory_and_its_baseline_can_be_named() {
    let dir = workspace();
    let d = dir.path();
    assert_eq!(code(&save(d, &drifted())), 2);
    let plan: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out/plan.json")).expect("saved"))
            .expect("JSON");
    let abs = std::fs::canonicalize(d).expect("canonical");
    assert_eq!(plan["baseline"]["path"], "base.json");
    assert_eq!(plan["baseline"]["relative_to_plan"], "../base.json");
    assert_eq!(
        plan["baseline"]["absolute"],
        abs.join("base.json").display().to_string()
    );
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let e = elsewhere.path();
    let plan_path = d.join("out/plan.json").display().to_string();
    let before = sha(&d.join("base.json"));

    // Moved away: not found, and the error says what to do.
    std::fs::rename(d.join("base.json"), d.join("moved.json")).expect("rename");
    let o = accept_plan(e, &plan_path, &[]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o),
        format!(
            "error: {plan_path}: the baseline the plan was made against was not found: recorded as base.json (looked for {}, {}, base.json); nothing was written: accept from the directory the plan ran in, or pass --baseline PATH to name it (accepted when its SHA-256 is the plan's, {})\n",
            d.join("out/../base.json").display(),
            abs.join("base.json").display(),
            &before[..12]
        )
    );
    // Another file with other content: refused, both hashes named.
    write_file(e, "other.json", "{}\n");
    let other = sha(&e.join("other.json"));
    assert_ne!(other, before);
    let o = accept_plan(e, &plan_path, &["--baseline", "other.json"]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o),
        format!(
            "error: --baseline other.json: not the baseline the plan {plan_path} was made against (base.json): its SHA-256 is {other}, the plan's baseline's {before}; nothing was written: name that file (or one with the same content), or plan again against this one\n"
        )
    );
    // Named, with the plan's SHA-256: accepted into it.
    let moved = d.join("moved.json").display().to_string();
    let o = accept_plan(e, &plan_path, &["--baseline", &moved]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains(&format!(
            "as the baseline {moved} (replacing {}",
            &before[..12]
        )),
        "{}",
        stdout(&o)
    );
    assert_eq!(sha(&e.join("other.json")), other);

    // Back in place: found from the plan file, from the other directory.
    let dir = workspace();
    let d = dir.path();
    assert_eq!(code(&save(d, &drifted())), 2);
    let plan_path = d.join("out/plan.json").display().to_string();
    let o = accept_plan(e, &plan_path, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let base: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("base.json")).expect("base"))
            .expect("JSON");
    assert_eq!(base["accepted"]["by"], "me");
    assert!(!e.join("base.json").exists());
}
