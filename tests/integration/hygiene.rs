//! Secret hygiene, swept: canary secrets (a secret key, a platform key, an OAuth client secret in
//! the Platform config and a second one in a Backend list) go through every command, every output
//! format, `--verbose`, and the error paths; then every byte of standard output and error and every
//! file written (archives unpacked) is searched for them. Expected hits: zero.

use std::io::Read;
use std::path::Path;

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::{code, example, live, output, stderr, stdout};
use crate::fake::{self, Data, Options, clerk_error};

const OAUTH_SECRET: &str = "GOCSPX-CANARYsweepOAUTHsecret0003";
const APP_SECRET: &str = "CANARYsweepOAUTHappSECRET0004";
const FILE_KEY: &str = "sk_live_CANARYfromFILEmustNEVERleak0005";

fn canaries() -> [&'static str; 5] {
    [
        fake::SECRET_KEY,
        fake::PLATFORM_KEY,
        OAUTH_SECRET,
        APP_SECRET,
        FILE_KEY,
    ]
}

fn data() -> Data {
    let mut data = Data::load(&example("acme-prod"));
    let config = data
        .bodies
        .get_mut("plapi/config.json")
        .expect("plapi config");
    config["connection_oauth_google"]["client_secret"] = json!(OAUTH_SECRET);
    config["connection_oauth_google"]["client_id"] = json!("custom-id.apps.googleusercontent.com");
    if let Some(app) = data
        .list_mut("bapi/oauth_applications.json")
        .first_mut()
        .and_then(|a| a.as_object_mut())
    {
        app.insert("client_secret".into(), json!(APP_SECRET));
    }
    data
}

/// Every file under `dir` as text; `.tar.gz` archives unpacked entry by entry.
fn all_files(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).expect("ls").filter_map(Result::ok) {
        let p = entry.path();
        if p.is_dir() {
            all_files(&p, out);
            continue;
        }
        let bytes = std::fs::read(&p).expect("readable");
        let name = p.display().to_string();
        if name.ends_with(".tar.gz") {
            let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
            for e in archive.entries().expect("a tar.gz") {
                let mut e = e.expect("an entry");
                let mut text = Vec::new();
                e.read_to_end(&mut text).expect("readable entry");
                let inner = format!("{name}!{}", e.path().expect("path").display());
                out.push((inner, String::from_utf8_lossy(&text).into_owned()));
            }
        }
        out.push((name, String::from_utf8_lossy(&bytes).into_owned()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canary_secrets_never_appear_in_any_output_file_or_message() {
    let server = fake::start(&data(), Options::default()).await;
    let uri = server.uri();
    // A second fake whose answers are all errors, for the error paths.
    let failing = wiremock::MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/instance"))
        .respond_with(clerk_error(500, "internal", "boom"))
        .mount(&failing)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "errors": [{"message": "forbidden", "long_message": "no", "code": "forbidden"}],
            "clerk_trace_id": "t"})))
        .mount(&failing)
        .await;

    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(
        d.join("clerk-drift.toml"),
        "[pull]\nretries = 0\ntimeout_seconds = 2\n",
    )
    .expect("config");
    std::fs::write(d.join("b.json"), crate::common::unaccepted_baseline()).expect("baseline");
    std::fs::write(d.join("key.txt"), format!("{FILE_KEY}\n")).expect("key file");
    std::fs::write(d.join("bad-key.txt"), format!("{FILE_KEY}\u{7}\n")).expect("bad key file");

    // Every answer late: the timeout path.
    let slow = wiremock::MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(3)))
        .mount(&slow)
        .await;

    let (failing_uri, slow_uri) = (failing.uri(), slow.uri());
    type Tweak = fn(&mut assert_cmd::Command);
    let none: Tweak = |_| {};
    let wrong_key: Tweak = |c| {
        c.env(
            "CLERK_SECRET_KEY",
            "sk_live_CANARYwrongKEYmustNEVERleak0006",
        );
    };
    let plain_http: Tweak = |c| {
        c.env("CLERK_BACKEND_API_URL", "http://clerk.example.com");
    };
    let step_summary: Tweak = |c| {
        c.env("GITHUB_STEP_SUMMARY", "summary.md");
    };
    // The exit code each run must end with: a usage error or a failure where a
    // success was meant would sweep an error message instead of the output it stands for.
    // Plans find drift: the canaries make two observed values differ from the baseline (Google's
    // client id, and the OAuth application's client secret, now present).
    const DRIFT: i32 = 2;
    let runs: Vec<(&str, Vec<&str>, Tweak, &str, i32)> = vec![
        (
            "pull",
            vec!["pull", "--verbose", "-o", "s.json", "--record", "rec"],
            none,
            &uri,
            0,
        ),
        (
            "pull with a key file",
            vec![
                "pull",
                "--verbose",
                "--secret-key-file",
                "key.txt",
                "-o",
                "s2.json",
            ],
            none,
            &uri,
            1,
        ),
        (
            "pull with a bad byte in the key file",
            vec!["pull", "--secret-key-file", "bad-key.txt", "-o", "s3.json"],
            none,
            &uri,
            1,
        ),
        (
            "plan text",
            vec![
                "plan",
                "--verbose",
                "--baseline",
                "b.json",
                "--step-summary",
            ],
            step_summary,
            &uri,
            DRIFT,
        ),
        (
            "plan json",
            vec![
                "plan",
                "--baseline",
                "b.json",
                "--format",
                "json",
                "-o",
                "plan.json",
            ],
            none,
            &uri,
            DRIFT,
        ),
        (
            "plan markdown",
            vec![
                "plan",
                "--baseline",
                "b.json",
                "--format",
                "markdown",
                "-o",
                "plan.md",
            ],
            none,
            &uri,
            DRIFT,
        ),
        (
            "plan junit",
            vec![
                "plan",
                "--baseline",
                "b.json",
                "--format",
                "junit",
                "-o",
                "plan.xml",
            ],
            none,
            &uri,
            DRIFT,
        ),
        (
            "plan sarif",
            vec![
                "plan",
                "--baseline",
                "b.json",
                "--format",
                "sarif",
                "-o",
                "plan.sarif",
            ],
            none,
            &uri,
            DRIFT,
        ),
        (
            "check",
            vec![
                "check",
                "--verbose",
                "--format",
                "sarif",
                "-o",
                "check.sarif",
            ],
            none,
            &uri,
            0,
        ),
        (
            "baseline accept",
            vec![
                "baseline",
                "accept",
                "--baseline",
                "b.json",
                "--reason",
                "sweep",
                "--verbose",
            ],
            none,
            &uri,
            0,
        ),
        (
            "baseline log",
            vec!["baseline", "log", "--baseline", "b.json"],
            none,
            &uri,
            0,
        ),
        (
            "baseline verify",
            vec!["baseline", "verify", "--baseline", "b.json"],
            none,
            &uri,
            0,
        ),
        (
            "audit",
            vec![
                "audit",
                "--verbose",
                "--baseline",
                "b.json",
                "--out",
                "bundle",
                "--archive",
            ],
            none,
            &uri,
            0,
        ),
        (
            "evidence verify",
            vec!["evidence", "verify", "bundle"],
            none,
            &uri,
            0,
        ),
        ("auth status", vec!["auth", "status"], none, &uri, 0),
        (
            "init",
            vec!["init", "--yes", "--dir", "repo", "--by", "sweep"],
            none,
            &uri,
            0,
        ),
        (
            "init with a wrong key",
            vec!["init", "--yes", "--dir", "repo2", "--by", "sweep"],
            wrong_key,
            &uri,
            1,
        ),
        (
            "auth status with key files",
            vec![
                "auth",
                "status",
                "--secret-key-file",
                "key.txt",
                "--platform-key-file",
                "bad-key.txt",
            ],
            none,
            &uri,
            0,
        ),
        (
            "401 for a wrong key",
            vec!["pull", "--verbose", "-o", "x.json"],
            wrong_key,
            &uri,
            1,
        ),
        (
            "403 and 500",
            vec!["pull", "--verbose", "-o", "y.json"],
            none,
            &failing_uri,
            1,
        ),
        (
            "timeout",
            vec!["pull", "--verbose", "--timeout", "1", "-o", "z.json"],
            none,
            &slow_uri,
            1,
        ),
        (
            "plain http refused",
            vec!["pull", "-o", "w.json"],
            plain_http,
            &uri,
            1,
        ),
        (
            "malformed publishable key",
            vec![
                "pull",
                "--publishable-key",
                "pk_live_not-base64!!",
                "-o",
                "v.json",
            ],
            none,
            &uri,
            1,
        ),
    ];
    let mut texts: Vec<(String, String)> = Vec::new();
    for (name, args, tweak, target, expected) in &runs {
        let mut cmd = live(target, d);
        tweak(&mut cmd);
        let o = output(cmd.args(args));
        texts.push((format!("{name}: stdout"), stdout(&o)));
        texts.push((format!("{name}: stderr"), stderr(&o)));
        // Each run did what it should, so the sweep covers real outputs and real errors.
        assert_eq!(code(&o), *expected, "{name}: {}", stderr(&o));
    }
    all_files(d, &mut texts);
    // The key files are the inputs that hold a canary on purpose.
    texts.retain(|(n, _)| !n.ends_with("key.txt"));
    assert!(
        texts.iter().any(|(n, _)| n.ends_with("report.html")),
        "the bundle was written"
    );
    assert!(
        texts.iter().any(|(n, _)| n.contains(".tar.gz!")),
        "the archive was unpacked"
    );
    assert!(
        texts.iter().any(|(n, _)| n.ends_with("summary.md")),
        "the step summary was written"
    );

    let mut table = String::from(
        "| canary | where it was fed | outputs and files searched | hits |\n|---|---|---|---|\n",
    );
    let fed = [
        "CLERK_SECRET_KEY (env)",
        "CLERK_PLATFORM_API_KEY (env)",
        "Platform config `client_secret`",
        "Backend `oauth_applications[].client_secret`",
        "`--secret-key-file`",
    ];
    let mut hits = Vec::new();
    for (canary, fed) in canaries().iter().zip(fed) {
        let found: Vec<&str> = texts
            .iter()
            .filter(|(_, t)| t.contains(canary))
            .map(|(n, _)| n.as_str())
            .collect();
        table.push_str(&format!(
            "| `{}…` | {fed} | {} | {} |\n",
            &canary[..12],
            texts.len(),
            found.len()
        ));
        hits.extend(found.into_iter().map(|n| format!("{canary} in {n}")));
    }
    // The generic marker all canaries carry, too (catches a partial leak).
    let partial: Vec<&str> = texts
        .iter()
        .filter(|(_, t)| t.contains("CANARY"))
        .map(|(n, _)| n.as_str())
        .collect();
    eprintln!("{table}");
    assert!(hits.is_empty(), "secrets leaked: {hits:#?}");
    assert!(partial.is_empty(), "`CANARY` appears in {partial:#?}");
}
