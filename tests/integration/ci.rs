//! Trustworthy in CI (issue 16): a check, plan or audit whose live pull would skip a whole API
//! fails unless the user said so; cheap checks come before any request; no silent gaps; fleets;
//! clerk-drift.toml validated like a policy. Against the fake Clerk, each asserting the exact
//! exit code.

use std::path::Path;

use wiremock::MockServer;

use crate::common::{PUBLISHABLE_KEY, code, example, live, output, stderr, stdout};
use crate::fake::{self, Data, Options};

async fn acme() -> MockServer {
    fake::start(&Data::load(&example("acme-prod")), Options::default()).await
}

async fn requests(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .expect("recording on")
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect()
}

/// The baseline: the instance as pulled with all three APIs.
fn pull_baseline(server: &MockServer, dir: &Path) {
    let o = output(live(&server.uri(), dir).args(["pull", "-o", "baseline.json"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// The live commands that judge a pull, each clean on the fake instance against its own pull.
const JUDGING: [&[&str]; 3] = [
    &["check", "--fail-on", "none"],
    &["plan", "--baseline", "baseline.json", "--fail-on", "none"],
    &[
        "audit",
        "--out",
        "bundle",
        "--baseline",
        "baseline.json",
        "--fail-on",
        "none",
    ],
];

/// [`JUDGING`] against `baseline`.
fn judging(baseline: &str) -> Vec<Vec<&str>> {
    JUDGING
        .iter()
        .map(|a| {
            a.iter()
                .map(|s| if *s == "baseline.json" { baseline } else { s })
                .collect()
        })
        .collect()
}

/// The lines of an error's cause list (`  - …`).
fn causes(err: &str) -> Vec<&str> {
    err.lines().filter(|l| l.starts_with("  - ")).collect()
}

#[tokio::test]
async fn a_judging_pull_that_would_skip_a_whole_api_fails_before_any_request_unless_said() {
    let server = acme().await;
    let dir = tempfile::tempdir().expect("tempdir");
    pull_baseline(&server, dir.path());
    server.reset().await;
    fake::mount(
        &server,
        &Data::load(&example("acme-prod")),
        Options::default(),
    )
    .await;

    // All three APIs: nothing to say, clean.
    for args in JUDGING {
        let _ = std::fs::remove_dir_all(dir.path().join("bundle"));
        let o = output(live(&server.uri(), dir.path()).args(args));
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
    }
    server.reset().await;
    fake::mount(
        &server,
        &Data::load(&example("acme-prod")),
        Options::default(),
    )
    .await;

    // No Platform key, nobody said so: exit 1, one line naming the API and the variable, and how
    // to say it is intended; nothing sent.
    for args in JUDGING {
        let _ = std::fs::remove_dir_all(dir.path().join("bundle"));
        let o = output(
            live(&server.uri(), dir.path())
                .env_remove("CLERK_PLATFORM_API_KEY")
                .args(args),
        );
        assert_eq!(code(&o), 1, "{args:?}");
        let err = stderr(&o);
        assert_eq!(
            causes(&err),
            [
                "  - Platform API: no Platform API key: set CLERK_PLATFORM_API_KEY or CLERK_PLATFORM_API_KEY_FILE (a key with the `applications:manage` scope; Platform API access is a private beta) and CLERK_APPLICATION_ID or --app"
            ],
            "{args:?}: {err}"
        );
        assert!(err.contains("pass --without platform, or add `without = [\"platform\"]` to [pull] in clerk-drift.toml"), "{err}");
        assert!(err.contains("nothing was sent"), "{err}");
        assert!(!dir.path().join("bundle").exists(), "no bundle");
    }
    // Frontend API only: one line per API (not one per setting).
    for args in JUDGING {
        let o = output(
            live(&server.uri(), dir.path())
                .env_remove("CLERK_PLATFORM_API_KEY")
                .env_remove("CLERK_SECRET_KEY")
                .args(args),
        );
        assert_eq!(code(&o), 1, "{args:?}");
        let err = stderr(&o);
        let lines = causes(&err);
        assert_eq!(lines.len(), 2, "{err}");
        assert!(
            lines[0].starts_with("  - Backend API: no secret key: set CLERK_SECRET_KEY"),
            "{err}"
        );
        assert!(
            lines[1].starts_with("  - Platform API: no Platform API key"),
            "{err}"
        );
        assert!(
            err.contains("--without backend --without platform"),
            "{err}"
        );
        assert!(
            err.contains("`without = [\"backend\", \"platform\"]`"),
            "{err}"
        );
    }
    assert_eq!(
        requests(&server).await,
        Vec::<String>::new(),
        "nothing was sent"
    );

    // Said so, three ways: --without, the instance's `without`, --allow-partial. Clean against
    // a baseline pulled the same way (one with Platform settings would make them missing now).
    let o = output(
        live(&server.uri(), dir.path())
            .env_remove("CLERK_PLATFORM_API_KEY")
            .args(["pull", "-o", "no-platform.json"]),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let config = format!(
        "[instances.prod]\npublishable_key = \"{PUBLISHABLE_KEY}\"\nwithout = [\"platform\"]\n"
    );
    for (how, extra, toml) in [
        ("--without", &["--without", "platform"][..], None),
        ("config", &[][..], Some(config.as_str())),
        ("--allow-partial", &["--allow-partial"][..], None),
    ] {
        let cfg = dir.path().join("clerk-drift.toml");
        match toml {
            Some(t) => std::fs::write(&cfg, t).expect("config"),
            None => {
                let _ = std::fs::remove_file(&cfg);
            }
        }
        for args in judging("no-platform.json") {
            let _ = std::fs::remove_dir_all(dir.path().join("bundle"));
            let o = output(
                live(&server.uri(), dir.path())
                    .env_remove("CLERK_PLATFORM_API_KEY")
                    .args(&args)
                    .args(extra),
            );
            assert_eq!(code(&o), 0, "{how} {args:?}: {}", stderr(&o));
        }
    }
    let _ = std::fs::remove_file(dir.path().join("clerk-drift.toml"));
    // The message names the instance's table when there is one.
    std::fs::write(
        dir.path().join("clerk-drift.toml"),
        format!("[instances.prod]\npublishable_key = \"{PUBLISHABLE_KEY}\"\n"),
    )
    .expect("config");
    let o = output(
        live(&server.uri(), dir.path())
            .env_remove("CLERK_PLATFORM_API_KEY")
            .args(["check"]),
    );
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o)
            .contains("add `without = [\"platform\"]` to [instances.prod] in clerk-drift.toml"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_file(dir.path().join("clerk-drift.toml")).expect("rm");

    // `pull` writes what it can read, as before (a baseline may be made from the Frontend API).
    let o = output(
        live(&server.uri(), dir.path())
            .env_remove("CLERK_PLATFORM_API_KEY")
            .env_remove("CLERK_SECRET_KEY")
            .args(["pull", "-o", "fapi-only.json"]),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[tokio::test]
async fn without_leaves_an_api_out_even_when_its_key_is_set() {
    let server = acme().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = output(live(&server.uri(), dir.path()).args([
        "check",
        "--fail-on",
        "none",
        "--without",
        "platform",
        "--format",
        "json",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // No Platform request, and so no scope warning.
    let paths = requests(&server).await;
    assert!(!paths.is_empty());
    assert!(
        paths.iter().all(|p| !p.starts_with("/v1/platform/")),
        "{paths:?}"
    );
    assert!(
        !stderr(&o).contains("applications:manage"),
        "{}",
        stderr(&o)
    );
    // Its settings are unknown, with who said so.
    assert!(
        stdout(&o).contains("left out (--without platform)"),
        "{}",
        stdout(&o)
    );
    // An unknown API name is a usage error.
    let o = output(live(&server.uri(), dir.path()).args(["check", "--without", "platfrom"]));
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("platform"), "{}", stderr(&o));
}

/// Every judging command with a live pull, each with one mistake a disk check finds: exit 1,
/// a message naming it (never an internal temporary name), and not one request.
#[tokio::test]
async fn cheap_checks_come_before_any_request() {
    let server = acme().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir_all(d.join("bundle-old")).expect("dir");
    std::fs::write(d.join("bundle-old/manifest.json"), "{}").expect("file");
    std::fs::create_dir_all(d.join("a-dir")).expect("dir");
    std::fs::write(d.join("not-a-recording"), "x").expect("file");
    std::fs::write(d.join("bad-policy.toml"), "[[rule]]\nid = 1\n").expect("file");
    std::fs::write(d.join("bad.json"), "{").expect("file");
    std::fs::write(d.join("bad-attest.toml"), "[[attestation]]\nnope = 1\n").expect("file");
    let baseline = crate::common::baseline();
    let baseline = baseline.to_str().expect("utf-8");
    let cases: [(&[&str], &str); 11] = [
        (&["pull", "-o", "a-dir"], "-o a-dir: is a directory"),
        (
            &["pull", "--record", "not-a-recording"],
            "not-a-recording exists and is not a recording",
        ),
        (
            &["pull", "--attestations", "missing.toml"],
            "reading missing.toml",
        ),
        (&["check", "-o", "a-dir"], "-o a-dir: is a directory"),
        (
            &["check", "--policy", "bad-policy.toml"],
            "bad-policy.toml:2:6",
        ),
        (
            &["check", "--attestations", "bad-attest.toml"],
            "bad-attest.toml",
        ),
        (&["plan"], "no baseline: pass --baseline FILE"),
        (&["plan", "--baseline", "missing.json"], "missing.json"),
        (&["plan", "--baseline", "bad.json"], "bad.json"),
        (
            &["audit", "--out", "bundle-old", "--baseline", baseline],
            "bundle-old exists and is not empty",
        ),
        (
            &[
                "audit",
                "--out",
                "b",
                "--sign-key",
                "nokey",
                "--baseline",
                baseline,
            ],
            "--sign-key nokey: no such file",
        ),
    ];
    for (args, says) in cases {
        let o = output(live(&server.uri(), d).args(args));
        assert_eq!(code(&o), 1, "{args:?}");
        let err = stderr(&o);
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains(".clerk-drift-"), "{args:?}: {err}");
    }
    assert_eq!(
        requests(&server).await,
        Vec::<String>::new(),
        "nothing was sent"
    );
    assert!(!d.join("b").exists());
    // An output's parent directory is created (before the pull), with all three APIs and with
    // the Frontend API alone.
    let o = output(live(&server.uri(), d).args(["pull", "-o", "new/dir/x.json"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(d.join("new/dir/x.json").is_file());
    let o = output(
        live(&server.uri(), d)
            .env_remove("CLERK_SECRET_KEY")
            .env_remove("CLERK_PLATFORM_API_KEY")
            .args([
                "check",
                "--without",
                "backend",
                "--without",
                "platform",
                "--fail-on",
                "none",
            ])
            .args(["--format", "json", "-o", "reports/today/check.json"]),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(d.join("reports/today/check.json").is_file());
}

/// `audit --all`, as `plan --all`: an instance whose inputs are wrong (a missing baseline) is an
/// error of that instance without a request, and the others are audited; exit 1.
#[tokio::test]
async fn audit_all_a_broken_instance_is_an_error_without_a_request() {
    let server = acme().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(
        d.join("clerk-drift.toml"),
        format!(
            "[instances.a-broken]\npublishable_key = \"{PUBLISHABLE_KEY}\"\nbaseline = \"missing.json\"\n\n[instances.b-prod]\npublishable_key = \"{PUBLISHABLE_KEY}\"\nbaseline = \"{}\"\n",
            crate::common::baseline().display()
        ),
    )
    .expect("config");
    let o = output(live(&server.uri(), d).args(["audit", "--all", "-q", "--out", "audits/q4"]));
    let text = stdout(&o);
    assert_eq!(code(&o), 1, "{text}{}", stderr(&o));
    assert!(
        text.contains("═══ instance a-broken ═══\nerror: ") && text.contains("missing.json"),
        "{text}"
    );
    assert!(!d.join("audits/q4/a-broken").exists());
    assert!(d.join("audits/q4/b-prod/manifest.json").is_file(), "{text}");
    // One pull, the other instance's: its one Frontend API read, nothing for the broken one.
    let reads = requests(&server).await;
    assert_eq!(
        reads.iter().filter(|p| *p == "/v1/environment").count(),
        1,
        "{reads:?}"
    );
}

/// A fleet instance whose policy layer is invalid is an error of that instance, printed once as
/// `error:` (the rendered diagnostic says it already), in `plan --all` and `audit --all`.
#[tokio::test]
async fn a_fleet_instances_diagnostic_says_error_once() {
    let server = acme().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("bad.toml"), "[[rule]]\nid = \"x\"\n").expect("policy");
    std::fs::write(
        d.join("clerk-drift.toml"),
        format!(
            "[instances.prod]\npublishable_key = \"{PUBLISHABLE_KEY}\"\nbaseline = \"{}\"\npolicy = \"bad.toml\"\n",
            crate::common::baseline().display()
        ),
    )
    .expect("config");
    for args in [
        &["plan", "--all", "-q"][..],
        &["audit", "--all", "-q", "--out", "audits"][..],
    ] {
        let o = output(live(&server.uri(), d).args(args));
        let text = stdout(&o);
        assert_eq!(code(&o), 1, "{args:?}: {text}{}", stderr(&o));
        assert!(
            text.contains("═══ instance prod ═══\nerror: ") && text.contains("bad.toml:1:1"),
            "{args:?}: {text}"
        );
        assert!(!text.contains("error: error:"), "{args:?}: {text}");
    }
    assert_eq!(
        requests(&server).await,
        Vec::<String>::new(),
        "nothing was sent"
    );
}

/// A collection task that panics (test-only fault injection, `CLERK_DRIFT_FAULT`, the `fuzzing`
/// feature the tests build with) is a failed read of its endpoint: exit 1, named, never a silent
/// gap; with `--allow-partial`, a gap in coverage, still exit 1.
#[tokio::test]
async fn a_panicked_collection_task_is_a_failed_read() {
    let server = acme().await;
    let dir = tempfile::tempdir().expect("tempdir");
    for (fault, names) in [
        (
            "panic:collect:bapi/jwt_templates.json",
            "Backend API GET /v1/jwt_templates",
        ),
        (
            "panic:collect:fapi/environment.json",
            "Frontend API GET /v1/environment",
        ),
        (
            "panic:collect:plapi/config.json",
            "Platform API GET /v1/platform",
        ),
    ] {
        for command in [&["pull"][..], &["check", "--fail-on", "none"][..]] {
            let o = output(
                live(&server.uri(), dir.path())
                    .env("CLERK_DRIFT_FAULT", fault)
                    .args(command),
            );
            assert_eq!(code(&o), 1, "{fault} {command:?}");
            let err = stderr(&o);
            assert!(err.contains(names), "{fault}: {err}");
            assert!(
                err.contains("failed unexpectedly (injected fault"),
                "{fault}: {err}"
            );
            assert!(stdout(&o).is_empty(), "no snapshot: {}", stdout(&o));
        }
        let o = output(
            live(&server.uri(), dir.path())
                .env("CLERK_DRIFT_FAULT", fault)
                .args(["pull", "--allow-partial"]),
        );
        assert_eq!(code(&o), 1, "{fault}");
        assert!(
            stdout(&o).contains("the read failed unexpectedly"),
            "{fault}"
        );
    }
    // A Frontend-API-only pull.
    let o = output(
        live(&server.uri(), dir.path())
            .env_remove("CLERK_SECRET_KEY")
            .env_remove("CLERK_PLATFORM_API_KEY")
            .env("CLERK_DRIFT_FAULT", "panic:collect:fapi/environment.json")
            .args(["pull"]),
    );
    assert_eq!(code(&o), 1);
    // Without the fault, clean.
    let o = output(live(&server.uri(), dir.path()).args(["pull"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// `plan --all` with an instance that panics: the others are planned, the panicked one is an
/// error in every format, and the run exits 1.
#[tokio::test]
async fn a_panicked_plan_all_instance_is_an_error() {
    let server = acme().await;
    let dir = tempfile::tempdir().expect("tempdir");
    pull_baseline(&server, dir.path());
    std::fs::write(
        dir.path().join("clerk-drift.toml"),
        format!(
            "[instances.a]\npublishable_key = \"{PUBLISHABLE_KEY}\"\nbaseline = \"baseline.json\"\nfail_on = \"none\"\n\n[instances.b]\npublishable_key = \"{PUBLISHABLE_KEY}\"\nbaseline = \"baseline.json\"\nfail_on = \"none\"\n"
        ),
    )
    .expect("config");
    let o = output(live(&server.uri(), dir.path()).args(["plan", "--all"]));
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    for format in ["text", "json", "markdown"] {
        let o = output(
            live(&server.uri(), dir.path())
                .env("CLERK_DRIFT_FAULT", "panic:plan:b")
                .args(["plan", "--all", "--format", format]),
        );
        assert_eq!(code(&o), 1, "{format}");
        let out = stdout(&o);
        assert!(
            out.contains("planning instance `b` failed unexpectedly (injected fault at plan:b)"),
            "{format}: {out}"
        );
        let a_planned = match format {
            "json" => out.contains("\"a\": {"),
            "markdown" => out.contains("# Instance `a`"),
            _ => out.contains("═══ instance a ═══"),
        };
        assert!(a_planned, "{format}: {out}");
    }
}

/// The Platform-scope warning: once per run however many instances use the Platform API, never
/// under `--quiet`, never once clerk-drift.toml acknowledges it; absent without the Platform API.
#[tokio::test]
async fn the_platform_scope_warning_is_shown_once_and_can_be_silenced() {
    const WARNING: &str = "can also change the instance: use a dedicated key";
    let server = acme().await;
    let dir = tempfile::tempdir().expect("tempdir");
    pull_baseline(&server, dir.path());
    let fleet = format!(
        "[instances.a]\npublishable_key = \"{PUBLISHABLE_KEY}\"\nbaseline = \"baseline.json\"\nfail_on = \"none\"\n\n[instances.b]\npublishable_key = \"{PUBLISHABLE_KEY}\"\nbaseline = \"baseline.json\"\nfail_on = \"none\"\n"
    );
    let config = dir.path().join("clerk-drift.toml");
    for (toml, args, shown) in [
        (fleet.clone(), &["plan", "--all"][..], 1),
        (fleet.clone(), &["plan", "--all", "--quiet"][..], 0),
        (
            format!("{fleet}\n[pull]\nacknowledge_platform_scope = true\n"),
            &["plan", "--all"][..],
            0,
        ),
        (String::new(), &["pull", "-o", "x.json"][..], 1),
        (String::new(), &["pull", "-q", "-o", "x.json"][..], 0),
    ] {
        std::fs::write(&config, &toml).expect("config");
        let o = output(live(&server.uri(), dir.path()).args(args));
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        assert_eq!(
            stderr(&o).matches(WARNING).count(),
            shown,
            "{args:?}: {}",
            stderr(&o)
        );
    }
    // Without the Platform API (said so), and with the Frontend API alone: no such warning.
    std::fs::write(&config, "").expect("config");
    for extra in [
        &["--without", "platform"][..],
        &["--without", "platform", "--without", "backend"][..],
    ] {
        let o = output(
            live(&server.uri(), dir.path())
                .args(["pull", "-o", "x.json"])
                .args(extra),
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(!stderr(&o).contains(WARNING), "{}", stderr(&o));
    }
}

/// Fleets: each instance's keys come from the variables (or files) clerk-drift.toml names for
/// it, never from Clerk's default variables; a key written into the file is refused; `auth
/// status` lists every instance.
#[tokio::test]
async fn a_fleet_takes_each_instances_keys_from_the_names_in_clerk_drift_toml() {
    let server = acme().await;
    let dir = tempfile::tempdir().expect("tempdir");
    pull_baseline(&server, dir.path());
    let d = dir.path();
    std::fs::write(d.join("b.sk"), format!("{}\n", fake::SECRET_KEY)).expect("key file");
    let fleet = format!(
        "[instances.a]\npublishable_key = \"{PUBLISHABLE_KEY}\"\nbaseline = \"baseline.json\"\nfail_on = \"none\"\nsecret_key_env = \"SK_A\"\nplatform_api_key_env = \"PK_A\"\n\n[instances.b]\npublishable_key = \"{PUBLISHABLE_KEY}\"\nbaseline = \"baseline.json\"\nfail_on = \"none\"\nsecret_key_file = \"b.sk\"\nplatform_api_key_env = \"PK_B\"\n"
    );
    std::fs::write(d.join("clerk-drift.toml"), &fleet).expect("config");
    let fleet_cmd = || {
        let mut c = live(&server.uri(), d);
        c.env_remove("CLERK_SECRET_KEY")
            .env_remove("CLERK_PLATFORM_API_KEY")
            .env("SK_A", fake::SECRET_KEY)
            .env("PK_A", fake::PLATFORM_KEY)
            .env("PK_B", fake::PLATFORM_KEY);
        c
    };
    let o = output(fleet_cmd().args(["plan", "--all"]));
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    // Instance a's variable unset: its plan fails naming that variable; b is still planned.
    let o = output(fleet_cmd().env_remove("SK_A").args(["plan", "--all"]));
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o)
            .contains("Backend API: no secret key: set SK_A (secret_key_env of [instances.a])"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("═══ instance b ═══\nPlan:"),
        "{}",
        stdout(&o)
    );
    // `auth status` lists every instance, each credential with where it comes from.
    let o = output(fleet_cmd().args(["auth", "status"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Instance: a ("), "{out}");
    assert!(out.contains("Instance: b ("), "{out}");
    assert!(out.contains("from environment variable SK_A"), "{out}");
    assert!(out.contains("b.sk"), "{out}");
    assert!(out.contains("from environment variable PK_B"), "{out}");
    assert!(
        !out.contains(fake::SECRET_KEY) && !out.contains(fake::PLATFORM_KEY),
        "{out}"
    );
    // A key written into the file is refused, before any request, without repeating it.
    let server_requests = requests(&server).await.len();
    std::fs::write(
        d.join("clerk-drift.toml"),
        "[instances.a]\nsecret_key_env = \"sk_live_abc123\"\nplatform_api_key_file = \"ak_abc\"\n",
    )
    .expect("config");
    let o = output(fleet_cmd().args(["check"]));
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("clerk-drift.toml:2:18: secret_key_env holds what looks like a key"),
        "{err}"
    );
    assert!(
        err.contains("clerk-drift.toml:3:25: platform_api_key_file must be the path of a file"),
        "{err}"
    );
    assert!(
        !err.contains("abc123") && !err.contains("ak_abc"),
        "the key is quoted: {err}"
    );
    assert_eq!(
        requests(&server).await.len(),
        server_requests,
        "nothing was sent"
    );
}

/// `plan --all` in every format: SARIF one run per instance (`automationDetails.id` names it,
/// valid against the official schema, none for a failed instance), JUnit one set of
/// suites per instance, JSON and Markdown per instance.
#[tokio::test]
async fn plan_all_writes_every_format_per_instance() {
    let server = acme().await;
    let dir = tempfile::tempdir().expect("tempdir");
    pull_baseline(&server, dir.path());
    std::fs::write(
        dir.path().join("clerk-drift.toml"),
        format!(
            "[instances.a]\npublishable_key = \"{PUBLISHABLE_KEY}\"\nbaseline = \"baseline.json\"\nfail_on = \"none\"\n\n[instances.b]\npublishable_key = \"{PUBLISHABLE_KEY}\"\nbaseline = \"missing.json\"\n"
        ),
    )
    .expect("config");
    let run = |format: &str| {
        let o = output(
            live(&server.uri(), dir.path()).args(["plan", "--all", "-q", "--format", format]),
        );
        assert_eq!(code(&o), 1, "{format}: b has no baseline: {}", stderr(&o));
        stdout(&o)
    };
    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).expect("SARIF");
    let validator = crate::output::sarif_validator();
    assert!(validator.is_valid(&sarif), "{sarif}");
    let runs = sarif["runs"].as_array().expect("runs");
    // b failed: no run at all (an empty one would close its alerts when uploaded).
    assert_eq!(runs.len(), 1, "{sarif}");
    assert_eq!(runs[0]["automationDetails"]["id"], "clerk-drift/plan/a/");
    assert_eq!(runs[0]["invocations"][0]["executionSuccessful"], true);
    let junit = run("junit");
    assert!(junit.contains("<testsuite name=\"a: policy\""), "{junit}");
    assert!(junit.contains("<testsuite name=\"a: drift\""), "{junit}");
    assert!(
        junit.contains("<testsuite name=\"b\" tests=\"1\""),
        "{junit}"
    );
    assert!(junit.contains("<error message=\""), "{junit}");
    assert_eq!(junit.matches("<testsuites").count(), 1, "{junit}");
    let json: serde_json::Value = serde_json::from_str(&run("json")).expect("JSON");
    assert_eq!(json["instances"]["a"]["exit_code"], 0);
    assert_eq!(json["instances"]["b"]["exit_code"], 1);
    let md = run("markdown");
    assert!(
        md.contains("# Instance `a`") && md.contains("# Instance `b`"),
        "{md}"
    );
}

/// clerk-drift.toml is validated like a policy: file:line:col with a caret, did-you-mean, no
/// Rust type names, every value mistake in one run, ignore globs checked against the schema
/// (anything below `observed` accepted), and never `error: error:`; nothing is sent.
#[tokio::test]
async fn clerk_drift_toml_is_validated_like_a_policy() {
    let server = acme().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("clerk-drift.toml");
    let check = |toml: &str| {
        std::fs::write(&config, toml).expect("config");
        let o = output(live(&server.uri(), dir.path()).args(["check", "--fail-on", "none"]));
        let err = stderr(&o);
        assert!(!err.contains("error: error:"), "{err}");
        assert!(!err.contains("usize") && !err.contains("u64"), "{err}");
        (code(&o), err)
    };
    let (c, err) = check("[instances.prod]\npublishable_kye = \"pk_live_x\"\n");
    assert_eq!(c, 1);
    assert!(
        err.contains("error: clerk-drift.toml:2:1: unknown key `publishable_kye`"),
        "{err}"
    );
    assert!(
        err.contains("help: did you mean `publishable_key`?"),
        "{err}"
    );
    assert!(err.contains("^^^"), "{err}");
    let (c, err) = check("[pull]\nconcurrency = \"8\"\n");
    assert_eq!(c, 1);
    assert!(
        err.contains("clerk-drift.toml:2:15: `concurrency` takes a whole number, found string"),
        "{err}"
    );
    // Every structural mistake at once too, in file order: unknown keys (with the nearest
    // known one), wrong types, a missing `[[ignore]]` key.
    let (c, err) = check(
        "[instances.prod]\npublishable_kye = \"pk_live_x\"\nrequire_observed = \"yes\"\nwithout = [\"platform\", 3]\n\n[pull]\nconcurrency = \"8\"\nretriez = 2\n\n[[ignore]]\npath = \"session.*\"\n",
    );
    assert_eq!(c, 1);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(
        lines,
        [
            "error: clerk-drift.toml:2:1: unknown key `publishable_kye`",
            "error: clerk-drift.toml:3:20: `require_observed` takes true or false, found string",
            "error: clerk-drift.toml:4:24: `without` takes strings only, found integer",
            "error: clerk-drift.toml:7:15: `concurrency` takes a whole number, found string",
            "error: clerk-drift.toml:8:1: unknown key `retriez`",
            "error: clerk-drift.toml:10:1: `[[ignore]]` needs `reason`",
        ],
        "{err}"
    );
    assert!(err.contains("help: did you mean `retries`?"), "{err}");
    assert!(err.contains("6 error(s) in the configuration"), "{err}");
    // Every value mistake at once.
    let (c, err) = check(
        "[instances.prod]\nfail_on = \"hgih\"\nwithout = [\"plapi\"]\n\n[pull]\nconcurrency = 0\nretries = -3\n\n[[ignore]]\npath = \"sesion.inactivity_timeout\"\nreason = \"x\"\n",
    );
    assert_eq!(c, 1);
    assert!(
        err.contains("clerk-drift.toml:2:11: invalid fail_on `hgih`"),
        "{err}"
    );
    assert!(
        err.contains("clerk-drift.toml:3:12: unknown API `plapi`"),
        "{err}"
    );
    assert!(
        err.contains("clerk-drift.toml:6:15: concurrency must be at least 1"),
        "{err}"
    );
    assert!(
        err.contains("clerk-drift.toml:7:11: retries must be at least 0"),
        "{err}"
    );
    assert!(
        err.contains("clerk-drift.toml:10:8: `sesion.inactivity_timeout` matches no snapshot path"),
        "{err}"
    );
    assert!(
        err.contains("did you mean `session.inactivity_timeout`?"),
        "{err}"
    );
    assert!(err.contains("5 error(s) in the configuration"), "{err}");
    assert_eq!(
        requests(&server).await,
        Vec::<String>::new(),
        "nothing was sent"
    );
    // Globs below `observed`, with literal keys, or over a whole subtree are valid; so is
    // `--ignore`, checked the same way.
    std::fs::write(
        &config,
        "[[ignore]]\npath = \"observed.fapi.anything.at.all\"\nreason = \"x\"\n\n[[ignore]]\npath = \"jwt_templates[supabase]\"\nreason = \"y\"\n\n[[ignore]]\npath = \"session\"\nreason = \"z\"\n",
    )
    .expect("config");
    let snap = example("acme-prod");
    let snap = snap.to_str().expect("utf-8");
    let baseline = crate::common::baseline();
    let baseline = baseline.to_str().expect("utf-8");
    let o = output(live(&server.uri(), dir.path()).args(["diff", baseline, snap]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = output(
        live(&server.uri(), dir.path()).args(["diff", baseline, snap, "--ignore", "sesion.*"]),
    );
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).starts_with("error: --ignore `sesion.*` matches no snapshot path"),
        "{}",
        stderr(&o)
    );
}

/// `auth status --check` proves each credential of every instance with one GET and says which
/// instance it belongs to; a refused one exits 1.
#[tokio::test]
async fn auth_status_check_proves_each_instances_credentials() {
    let server = acme().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(
        d.join("clerk-drift.toml"),
        format!(
            "[instances.a]\npublishable_key = \"{PUBLISHABLE_KEY}\"\nsecret_key_env = \"SK_A\"\nplatform_api_key_env = \"PK_A\"\n\n[instances.b]\npublishable_key = \"{PUBLISHABLE_KEY}\"\nsecret_key_env = \"SK_B\"\n\n[instances.c]\npublishable_key = \"{PUBLISHABLE_KEY}\"\nsecret_key_env = \"SK_C\"\n"
        ),
    )
    .expect("config");
    let cmd = || {
        let mut c = live(&server.uri(), d);
        c.env_remove("CLERK_SECRET_KEY")
            .env_remove("CLERK_PLATFORM_API_KEY")
            .env("SK_A", fake::SECRET_KEY)
            .env("PK_A", fake::PLATFORM_KEY)
            .env("SK_B", fake::SECRET_KEY);
        c
    };
    // c has no key set: nothing to prove for it, and no request for it.
    let o = output(cmd().args(["auth", "status", "--check"]));
    let out = stdout(&o);
    assert_eq!(code(&o), 0, "{out}{}", stderr(&o));
    assert!(
        out.contains("accepted by the Backend API (instance a)"),
        "{out}"
    );
    assert!(
        out.contains("accepted by the Platform API (instance a)"),
        "{out}"
    );
    assert!(
        out.contains("accepted by the Backend API (instance b)"),
        "{out}"
    );
    assert!(out.contains("nothing to prove"), "{out}");
    let paths = requests(&server).await;
    assert_eq!(paths.len(), 3, "one GET per credential: {paths:?}");
    // A wrong key for b: refused, named with its instance, exit 1.
    let o = output(
        cmd()
            .env("SK_B", "sk_live_WRONGwrongWRONGwrong0000")
            .args(["auth", "status", "--check"]),
    );
    let out = stdout(&o);
    assert_eq!(code(&o), 1, "{out}");
    assert!(out.contains("Clerk refused it (401"), "{out}");
    assert!(out.contains("the secret key of instance b"), "{out}");
    assert!(!out.contains("WRONGwrong"), "{out}");
    // Without --check, no request at all.
    server.reset().await;
    let o = output(cmd().args(["auth", "status"]));
    assert_eq!(code(&o), 0);
    assert_eq!(requests(&server).await, Vec::<String>::new());
}
