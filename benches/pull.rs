//! Pull benchmark (not a test): a large instance — 10,000 allowlist identifiers, 1,000 redirect
//! URLs, 200 JWT templates on top of the acme-prod example — served by the fake Clerk on
//! 127.0.0.1 with 50 ms of injected latency per request. Reports wall time, request count and
//! the ratio to the critical path (the longest chain of dependent requests × latency: the
//! Backend API's `GET /v1/instance`, then first pages, then the remaining pages).
//!
//! Run: `cargo bench --bench pull` (options: `-- --runs N --latency-ms MS --identifiers N
//! --redirects N --templates N --log`).

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a benchmark report"
)]

#[path = "../tests/integration/fake.rs"]
mod fake;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clerk_drift::clerk::{self, Api, Platform, Silent, Target, keys::EnvType};
use clerk_drift::recording::Source;
use secrecy::SecretString;
use serde_json::json;

fn large_instance(identifiers: u64, redirects: u64, templates: u64) -> fake::Data {
    let mut data =
        fake::Data::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme-prod"));
    *data.list_mut("bapi/allowlist_identifiers.json") = (0..identifiers)
        .map(|i| json!({"object": "allowlist_identifier", "id": format!("alid_{i:06}"),
            "identifier": format!("user{i:06}@acme.test"), "identifier_type": "email_address",
            "invitation_id": null, "created_at": 1_700_000_000_000_i64, "updated_at": 1_700_000_000_000_i64}))
        .collect();
    *data.list_mut("bapi/redirect_urls.json") = (0..redirects)
        .map(|i| {
            json!({"object": "redirect_url", "id": format!("ru_{i:05}"),
            "url": format!("acme{i:05}://oauth-callback"), "created_at": 1, "updated_at": 1})
        })
        .collect();
    *data.list_mut("bapi/jwt_templates.json") = (0..templates)
        .map(|i| json!({"object": "jwt_template", "id": format!("jtmp_{i:04}"), "name": format!("template-{i:04}"),
            "claims": {"aud": format!("service-{i}"), "email": "{{user.primary_email_address}}", "org": "{{org.id}}"},
            "lifetime": 60, "allowed_clock_skew": 5, "custom_signing_key": false, "signing_algorithm": "RS256",
            "created_at": 1, "updated_at": 1}))
        .collect();
    // The Node SDK peer's deserializer requires `saml_connection.login_hint` (newer responses
    // carry it; the example, from older spec examples, does not).
    for c in data.list_mut("bapi/enterprise_connections.json").iter_mut() {
        if let Some(saml) = c.get_mut("saml_connection").and_then(|s| s.as_object_mut()) {
            saml.entry("login_hint").or_insert(json!({"mode": "off"}));
        }
    }
    data
}

fn target(uri: &str) -> Target {
    let api = |source, key: Option<&str>| {
        Api::new(
            source,
            uri,
            key.map(|k| SecretString::from(k.to_owned())),
            "bench key".into(),
        )
        .unwrap()
    };
    Target {
        fapi: Some(api(Source::Fapi, None)),
        bapi: Some(api(Source::Bapi, Some(fake::SECRET_KEY))),
        plapi: Some(Platform {
            api: api(Source::Plapi, Some(fake::PLATFORM_KEY)),
            application_id: fake::APP.into(),
            instance: "production".into(),
            instance_origin: None,
        }),
        skipped: Default::default(),
    }
}

/// When the current pull started (`--log` times are relative to it).
/// The binary's allocator, so the benchmark measures what users run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

static START: std::sync::Mutex<Option<Instant>> = std::sync::Mutex::new(None);

/// `--log`: print every request with its time.
struct Log;

impl clerk::Observer for Log {
    fn event(&self, e: &clerk::Event) {
        if let clerk::Event::Log(line) = e {
            let t = START
                .lock()
                .unwrap()
                .map_or(Duration::ZERO, |s| s.elapsed());
            eprintln!("{:>6.1} ms  {line}", t.as_secs_f64() * 1000.0);
        }
    }
}

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn observer() -> Arc<dyn clerk::Observer> {
    if std::env::args().any(|a| a == "--log") {
        Arc::new(Log)
    } else {
        Arc::new(Silent)
    }
}

fn main() {
    let runs = arg("--runs", 10) as usize;
    let latency = Duration::from_millis(arg("--latency-ms", 50));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (identifiers, redirects, templates) = (
        arg("--identifiers", 10_000),
        arg("--redirects", 1_000),
        arg("--templates", 200),
    );
    let data = large_instance(identifiers, redirects, templates);
    let server = runtime.block_on(fake::start(
        &data,
        fake::Options {
            delay: latency,
            no_recording: true,
            ..fake::Options::default()
        },
    ));
    let uri = server.uri();

    // Critical path: `GET /v1/instance` alone first (with the Frontend API's read): a wrong
    // secret key is refused once, and its answer names the instance the Platform config is read
    // for. Then the first page of every Backend list, its objects and the Platform config, all in
    // parallel; then — when a list is longer than one page (500) — its remaining pages, all in
    // parallel, with the Platform config's schema (it follows the config): three dependent round
    // trips, or two.
    let rounds: u32 = if identifiers.max(redirects).max(templates) > 500 {
        3
    } else {
        2
    };
    let critical = latency * rounds;
    let mut pulls = Vec::new();
    let mut totals = Vec::new();
    let mut requests = 0;
    let mut entries = 0;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    for _ in 0..runs {
        let t0 = Instant::now();
        *START.lock().unwrap() = Some(t0);
        let pulled = clerk::pull(
            target(&uri),
            clerk::Options::for_env(Some(EnvType::Production)),
            observer(),
            false,
        )
        .unwrap();
        pulls.push(t0.elapsed());
        if std::env::args().any(|a| a == "--log") {
            eprintln!("{:>6.1} ms  pull done", ms(t0.elapsed()));
        }
        let snapshot = clerk_drift::snapshot::normalize(&pulled.recording).unwrap();
        totals.push(t0.elapsed());
        requests = pulled.requests;
        entries = snapshot.settings["restrictions"]["allowlist"]["identifiers"]
            .as_array()
            .map_or(0, Vec::len);
        assert!(pulled.gaps.is_empty());
    }
    assert_eq!(entries as u64, identifiers, "the whole allowlist was read");
    pulls.sort();
    totals.sort();
    let median = |v: &[Duration]| v[v.len() / 2];
    let ratio = |d: Duration| d.as_secs_f64() / critical.as_secs_f64();
    println!(
        "pull of a large instance ({identifiers} allowlist identifiers, {redirects} redirect URLs, {templates} JWT templates)"
    );
    println!("latency per request        {:>7.1} ms", ms(latency));
    println!("requests per pull          {requests:>7}");
    println!(
        "critical path              {:>7.1} ms  ({rounds} dependent round trip(s))",
        ms(critical)
    );
    println!(
        "pull, median of {runs:<3}        {:>7.1} ms  ({:.2}x critical path; min {:.1}, max {:.1})",
        ms(median(&pulls)),
        ratio(median(&pulls)),
        ms(pulls[0]),
        ms(pulls[pulls.len() - 1])
    );
    println!(
        "pull + normalize, median    {:>7.1} ms  ({:.2}x critical path)",
        ms(median(&totals)),
        ratio(median(&totals))
    );

    // Side by side, as processes (start-up included): the binary, the Node SDK peer, and Clerk's
    // CLI when DIR has it.
    let Some(peer) = text_arg("--peer") else {
        return;
    };
    // What `clerk config pull --app APP --instance prod` reads first: the application with its
    // instances (`?include_secret_keys=true`), then the config by instance id.
    let instance_id = "ins_2xAcmeProdInstance0000001";
    runtime.block_on(async {
        use wiremock::matchers::{method, path};
        let application = json!({
            "application_id": fake::APP, "name": "Acme",
            "instances": [{"instance_id": instance_id, "environment_type": "production",
                "secret_key": "sk_live_benchmarkOnlyNotAKey",
                "publishable_key": "pk_live_Y2xlcmsuYWNtZS50ZXN0JA"}]
        });
        wiremock::Mock::given(method("GET"))
            .and(path(format!("/v1/platform/applications/{}", fake::APP)))
            .respond_with(
                wiremock::ResponseTemplate::new(200)
                    .set_body_json(application)
                    .set_delay(latency),
            )
            .mount(&server)
            .await;
        wiremock::Mock::given(method("GET"))
            .and(path(fake::plapi_path(instance_id)))
            .respond_with(
                wiremock::ResponseTemplate::new(200)
                    .set_body_json(&data.bodies["plapi/config.json"])
                    .set_delay(latency),
            )
            .mount(&server)
            .await;
    });
    let binary = env!("CARGO_BIN_EXE_clerk-drift");
    let dir = tempfile::tempdir().unwrap();
    let mut drift = Command::new("/usr/bin/time");
    drift
        .args(["-f", "%M", binary, "pull", "-o"])
        .arg(dir.path().join("s.json"));
    let mut node = Command::new("/usr/bin/time");
    node.args(["-f", "%M", "node"])
        .arg(Path::new(&peer).join("backend.mjs"))
        .arg(&uri);
    let clerk_cli = Path::new(&peer).join("node_modules/.bin/clerk");
    let mut cli = Command::new("/usr/bin/time");
    cli.args(["-f", "%M"])
        .arg(&clerk_cli)
        .args([
            "config",
            "pull",
            "--app",
            fake::APP,
            "--instance",
            "prod",
            "--output",
        ])
        .arg(dir.path().join("config.json"))
        .env("HOME", dir.path())
        .env("CLERK_TELEMETRY_DISABLED", "1")
        .env("DO_NOT_TRACK", "1");
    for cmd in [&mut drift, &mut node, &mut cli] {
        cmd.env("NO_COLOR", "1")
            .env("CLERK_DRIFT_NO_KEYRING", "1")
            .env("CLERK_PUBLISHABLE_KEY", "pk_live_Y2xlcmsuYWNtZS50ZXN0JA")
            .env("CLERK_SECRET_KEY", fake::SECRET_KEY)
            .env("CLERK_PLATFORM_API_KEY", fake::PLATFORM_KEY)
            .env("CLERK_APPLICATION_ID", fake::APP)
            .env("CLERK_FRONTEND_API_URL", &uri)
            .env("CLERK_BACKEND_API_URL", &uri)
            .env("CLERK_PLATFORM_API_URL", &uri);
    }
    let mut peers = vec![
        ("clerk-drift pull (all three APIs)", &mut drift),
        ("@clerk/backend + Promise.all", &mut node),
    ];
    if clerk_cli.exists() {
        peers.push(("clerk config pull (Platform only)", &mut cli));
    }
    let mut rows = Vec::new();
    for (name, cmd) in peers {
        let mut walls = Vec::new();
        let mut rss = Vec::new();
        let mut detail = String::new();
        for _ in 0..runs {
            let t0 = Instant::now();
            let o = cmd.output().unwrap();
            walls.push(t0.elapsed());
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(o.status.success(), "{name}: {err}");
            rss.push(
                err.lines()
                    .last()
                    .and_then(|l| l.trim().parse::<u64>().ok())
                    .unwrap_or(0),
            );
            detail = String::from_utf8_lossy(&o.stdout).trim().to_owned();
        }
        walls.sort();
        rss.sort();
        rows.push((name, median(&walls), rss[rss.len() / 2], detail));
    }
    println!("\nas processes (start-up included), median of {runs}:");
    let ours = rows[0].1;
    for (name, wall, rss, detail) in rows {
        println!(
            "{name:<30} {:>7.1} ms  {:>5.2}x clerk-drift  peak RSS {:>6.1} MiB  {detail}",
            ms(wall),
            wall.as_secs_f64() / ours.as_secs_f64(),
            rss as f64 / 1024.0
        );
    }
}

fn text_arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}
