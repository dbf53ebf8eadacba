//! The fault matrix: every network fault of docs/reliability.md against each command that pulls
//! and writes (`pull -o`, `baseline accept`, `audit --out`). Each run must end in a correct result
//! or in exit 1 with a message that names the cause; in every case nothing partial is left on disk
//! (no snapshot file, the old baseline byte for byte, no bundle) and only GET requests were sent.
//!
//! Faults the fake (wiremock) cannot make — connection resets and bodies cut off mid-stream — come
//! from a small proxy in front of it. `scripts/fault-matrix` runs this test and prints the table.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wiremock::matchers::{method, path};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

use crate::common::{self, code, comparable, example, live, output, stderr, stdout};
use crate::fake::{self, Data, ListResponder, Options, Paging, clerk_error};

/// What the proxy does with one request.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Pass,
    /// Close the connection with a TCP reset after reading the request.
    Reset,
    /// Send the response head and half the body, then close.
    Truncate,
}

type Plan = Arc<dyn Fn(usize, &str) -> Action + Send + Sync>;

/// An HTTP/1.1 proxy on 127.0.0.1 in front of the fake; one request per connection.
struct Proxy {
    uri: String,
    /// Request lines received (`GET /v1/instance HTTP/1.1`).
    seen: Arc<Mutex<Vec<String>>>,
}

fn proxy(upstream: SocketAddr, plan: Plan) -> Proxy {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("non-blocking");
    let addr = listener.local_addr().expect("address");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = TcpListener::from_std(listener).expect("listener");
            let counter = Arc::new(AtomicUsize::new(0));
            while let Ok((client, _)) = listener.accept().await {
                let (plan, counter, log) = (plan.clone(), counter.clone(), log.clone());
                tokio::spawn(async move {
                    let _ = relay(client, upstream, plan, counter, log).await;
                });
            }
        });
    });
    Proxy {
        uri: format!("http://{addr}"),
        seen,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn relay(
    mut client: TcpStream,
    upstream: SocketAddr,
    plan: Plan,
    counter: Arc<AtomicUsize>,
    log: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&chunk[..n]);
        if let Some(i) = find(&head, b"\r\n\r\n") {
            break i;
        }
    };
    let text = String::from_utf8_lossy(&head[..end]).into_owned();
    let line = text.lines().next().unwrap_or_default().to_owned();
    let target = line.split(' ').nth(1).unwrap_or_default().to_owned();
    if let Ok(mut l) = log.lock() {
        l.push(line);
    }
    match plan(counter.fetch_add(1, Ordering::SeqCst), &target) {
        Action::Reset => {
            client.set_zero_linger()?;
            drop(client);
            Ok(())
        }
        action => {
            let mut up = TcpStream::connect(upstream).await?;
            let mut request = head[..end].to_vec();
            request.extend_from_slice(b"\r\nconnection: close\r\n\r\n");
            up.write_all(&request).await?;
            let mut response = Vec::new();
            up.read_to_end(&mut response).await?;
            if action == Action::Truncate
                && let Some(body) = find(&response, b"\r\n\r\n").map(|i| i + 4)
            {
                let keep = body + (response.len() - body) / 2;
                response.truncate(keep);
            }
            client.write_all(&response).await?;
            client.shutdown().await
        }
    }
}

/// Matches while a shared counter says so: bursts and every-Nth faults on top of the fake.
struct Counted {
    n: AtomicUsize,
    hit: fn(usize) -> bool,
}

impl Match for Counted {
    fn matches(&self, _: &Request) -> bool {
        (self.hit)(self.n.fetch_add(1, Ordering::SeqCst))
    }
}

async fn on_top(server: &MockServer, hit: fn(usize) -> bool, answer: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(Counted {
            n: AtomicUsize::new(0),
            hit,
        })
        .respond_with(answer)
        .with_priority(1)
        .mount(server)
        .await;
}

/// Remembers which URLs a fault already hit, so each is hit at most once: the transient faults
/// then always recover within the retries, whatever order concurrent requests arrive in.
#[derive(Default)]
struct OncePerUrl(Mutex<std::collections::HashSet<String>>);

impl OncePerUrl {
    fn first(&self, url: &str) -> bool {
        self.0.lock().is_ok_and(|mut s| s.insert(url.to_owned()))
    }
}

/// Every `every`-th request (at most once per URL).
struct EveryNth {
    n: AtomicUsize,
    every: usize,
    once: OncePerUrl,
}

impl EveryNth {
    fn new(every: usize) -> Self {
        EveryNth {
            n: AtomicUsize::new(0),
            every,
            once: OncePerUrl::default(),
        }
    }
}

impl Match for EveryNth {
    fn matches(&self, req: &Request) -> bool {
        self.n.fetch_add(1, Ordering::SeqCst) % self.every == self.every - 1
            && self.once.first(req.url.as_str())
    }
}

/// A fault: how to set up the fake (and proxy), and what must come of it.
struct Fault {
    name: &'static str,
    /// `None`: the pull must succeed with the correct data. `Some(s)`: exit 1, stderr names `s`.
    expect_failure: Option<&'static str>,
}

/// The running fake for one fault: the URL the tool talks to, and how to list what it received.
struct Setup {
    uri: String,
    fapi_uri: Option<String>,
    server: MockServer,
    proxy: Option<Proxy>,
}

fn acme_with_long_allowlist() -> Data {
    let mut data = Data::load(&example("acme-prod"));
    *data.list_mut("bapi/allowlist_identifiers.json") = (0..1200)
        .map(|i| {
            json!({"id": format!("alid_{i:05}"), "identifier": format!("u{i:05}@acme.test"),
            "identifier_type": "email_address", "object": "allowlist_identifier",
            "created_at": 1, "updated_at": 1})
        })
        .collect();
    data
}

async fn setup(fault: &str) -> Setup {
    let data = acme_with_long_allowlist();
    let mut opts = Options::default();
    let mut list = ListResponder::new(
        data.bodies["bapi/allowlist_identifiers.json"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
        Paging::Paginated,
    );
    match fault {
        "list changes on every read" => {
            list.grow = Some(Arc::new(|n| n));
        }
        "total_count missing" => list.no_total_count = true,
        _ => {}
    }
    opts.lists.insert("bapi/allowlist_identifiers.json", list);
    let server = fake::start(&data, opts).await;
    let direct = |server: MockServer| Setup {
        uri: server.uri(),
        fapi_uri: None,
        server,
        proxy: None,
    };
    let through = |server: MockServer, plan: Plan| {
        let p = proxy(*server.address(), plan);
        Setup {
            uri: p.uri.clone(),
            fapi_uri: None,
            server,
            proxy: Some(p),
        }
    };
    match fault {
        "429 burst with Retry-After" => {
            // A pull opens with two requests (the Frontend API's, and `GET /v1/instance`, which
            // the other Backend reads wait for); with 2 retries each, a burst of 4 is the most
            // that is always recovered from.
            on_top(
                &server,
                |n| n < 4,
                clerk_error(429, "too_many_requests", "Too many requests")
                    .insert_header("retry-after", "1"),
            )
            .await;
            direct(server)
        }
        "503 on every 3rd request" => {
            Mock::given(method("GET"))
                .and(EveryNth::new(3))
                .respond_with(ResponseTemplate::new(503))
                .with_priority(1)
                .mount(&server)
                .await;
            direct(server)
        }
        "connection resets (2nd, 5th, 9th request)" => {
            let once = OncePerUrl::default();
            through(
                server,
                Arc::new(move |n, target| {
                    if matches!(n, 1 | 4 | 8) && once.first(target) {
                        Action::Reset
                    } else {
                        Action::Pass
                    }
                }),
            )
        }
        "connection reset on every read of one endpoint" => through(
            server,
            Arc::new(|_, target| {
                if target.starts_with("/v1/domains") {
                    Action::Reset
                } else {
                    Action::Pass
                }
            }),
        ),
        "stalled response past the timeout" => {
            Mock::given(method("GET"))
                .and(path("/v1/instance"))
                .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(8)))
                .with_priority(1)
                .mount(&server)
                .await;
            direct(server)
        }
        "body cut off mid-stream (once)" => through(
            server,
            Arc::new(|n, _| {
                if n == 3 {
                    Action::Truncate
                } else {
                    Action::Pass
                }
            }),
        ),
        "body cut off mid-stream (always, one endpoint)" => through(
            server,
            Arc::new(|_, target| {
                if target.starts_with("/v1/jwt_templates") {
                    Action::Truncate
                } else {
                    Action::Pass
                }
            }),
        ),
        "invalid JSON" => {
            Mock::given(method("GET"))
                .and(path("/v1/oauth_applications"))
                .respond_with(
                    ResponseTemplate::new(200).set_body_raw("{\"data\": [}", "application/json"),
                )
                .with_priority(1)
                .mount(&server)
                .await;
            direct(server)
        }
        "401 mid-pull" => {
            on_top(
                &server,
                |n| n >= 6,
                clerk_error(401, "authentication_invalid", "Invalid secret key"),
            )
            .await;
            direct(server)
        }
        "DNS failure of the Frontend API host" => {
            let mut s = direct(server);
            // RFC 6761: `.invalid` never resolves; no request can leave the machine.
            s.fapi_uri = Some("https://fapi.clerk-drift.invalid".into());
            s
        }
        _ => direct(server),
    }
}

const FAULTS: &[Fault] = &[
    Fault {
        name: "429 burst with Retry-After",
        expect_failure: None,
    },
    Fault {
        name: "503 on every 3rd request",
        expect_failure: None,
    },
    Fault {
        name: "connection resets (2nd, 5th, 9th request)",
        expect_failure: None,
    },
    Fault {
        name: "connection reset on every read of one endpoint",
        expect_failure: Some("GET /v1/domains: Connection reset by peer"),
    },
    Fault {
        name: "stalled response past the timeout",
        expect_failure: Some("GET /v1/instance: timed out"),
    },
    Fault {
        name: "body cut off mid-stream (once)",
        expect_failure: None,
    },
    Fault {
        name: "body cut off mid-stream (always, one endpoint)",
        expect_failure: Some("GET /v1/jwt_templates: the response body broke off"),
    },
    Fault {
        name: "invalid JSON",
        expect_failure: Some("GET /v1/oauth_applications: the response body is not valid JSON"),
    },
    Fault {
        name: "list changes on every read",
        expect_failure: Some("the list changed while it was read"),
    },
    Fault {
        name: "total_count missing",
        expect_failure: None,
    },
    Fault {
        name: "401 mid-pull",
        expect_failure: Some("401 Unauthorized: authentication_invalid"),
    },
    Fault {
        name: "DNS failure of the Frontend API host",
        expect_failure: Some(
            "Frontend API GET /v1/environment: could not connect: failed to lookup address information",
        ),
    },
];

/// The commands under test, each run in a fresh directory holding a previous baseline.
const COMMANDS: &[&str] = &["pull -o", "baseline accept", "audit --out"];

/// What the fault-free pull of the same data gives.
async fn expected_snapshot() -> Value {
    let server = fake::start(&acme_with_long_allowlist(), Options::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = output(live(&server.uri(), dir.path()).args(["pull", "-o", "s.json"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    comparable(&std::fs::read_to_string(dir.path().join("s.json")).expect("written"))
}

/// Runs one command under one fault; returns the table cell, panicking on any broken promise.
fn run(fault: &Fault, setup: &Setup, command: &str, expected: &Value) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // Short retries and timeout, so the permanent faults fail in seconds.
    std::fs::write(
        d.join("clerk-drift.toml"),
        "[pull]\nretries = 2\ntimeout_seconds = 1\n",
    )
    .expect("config");
    let previous = common::unaccepted_baseline().into_bytes();
    std::fs::write(d.join("baseline.json"), &previous).expect("baseline copy");
    let mut cmd = live(&setup.uri, d);
    if let Some(f) = &setup.fapi_uri {
        cmd.env("CLERK_FRONTEND_API_URL", f);
    }
    match command {
        "pull -o" => cmd.args(["pull", "-o", "s.json"]),
        "baseline accept" => cmd.args([
            "baseline",
            "accept",
            "--baseline",
            "baseline.json",
            "--reason",
            "fault matrix",
            "--by",
            "tests",
        ]),
        _ => cmd.args(["audit", "--out", "bundle", "--baseline", "baseline.json"]),
    };
    let o = output(&mut cmd);
    let err = stderr(&o);
    let what = format!("{} × {command}", fault.name);
    let baseline_now = std::fs::read(d.join("baseline.json")).expect("baseline still there");
    let bundle = d.join("bundle");
    let bundle_files = std::fs::read_dir(&bundle).map_or(0, Iterator::count);
    match fault.expect_failure {
        Some(cause) => {
            assert_eq!(code(&o), 1, "{what}: {err}");
            assert!(
                err.contains(cause),
                "{what}: stderr does not name `{cause}`:\n{err}"
            );
            assert!(!d.join("s.json").exists(), "{what}: a snapshot was written");
            assert_eq!(baseline_now, previous, "{what}: the baseline changed");
            assert_eq!(bundle_files, 0, "{what}: a bundle was left behind");
            let leftovers: Vec<_> = std::fs::read_dir(d)
                .expect("dir")
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !["clerk-drift.toml", "baseline.json"].contains(&n.as_str()))
                .collect();
            assert!(leftovers.is_empty(), "{what}: left {leftovers:?}");
            format!("exit 1: {cause}")
        }
        None => {
            match command {
                "pull -o" => {
                    assert_eq!(code(&o), 0, "{what}: {err}");
                    let text = std::fs::read_to_string(d.join("s.json")).expect("written");
                    assert!(&comparable(&text) == expected, "{what}: wrong snapshot");
                }
                "baseline accept" => {
                    assert_eq!(code(&o), 0, "{what}: {err}");
                    let text = String::from_utf8(baseline_now).expect("utf-8");
                    let mut got = comparable(&text);
                    let mut want = expected.clone();
                    for v in [&mut got, &mut want] {
                        if let Some(o) = v.as_object_mut() {
                            o.remove("accepted");
                        }
                    }
                    assert!(got == want, "{what}: wrong baseline");
                    let v = output(live(&setup.uri, d).args([
                        "baseline",
                        "verify",
                        "--baseline",
                        "baseline.json",
                    ]));
                    assert_eq!(code(&v), 0, "{what}: {}", stderr(&v));
                }
                _ => {
                    assert!(
                        [0, 2, 4, 6].contains(&code(&o)),
                        "{what}: exit {}: {err}",
                        code(&o)
                    );
                    let v = output(live(&setup.uri, d).args(["evidence", "verify", "bundle"]));
                    assert_eq!(code(&v), 0, "{what}: {}{}", stdout(&v), stderr(&v));
                    let snap = std::fs::read_to_string(bundle.join("snapshot.json"))
                        .expect("bundle snapshot");
                    assert!(&comparable(&snap) == expected, "{what}: wrong snapshot");
                }
            }
            "correct result".to_owned()
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_matrix() {
    let expected = expected_snapshot().await;
    let mut table =
        String::from("| fault | command | outcome | requests | all GET |\n|---|---|---|---|---|\n");
    for fault in FAULTS {
        for command in COMMANDS {
            let s = setup(fault.name).await;
            let cell = tokio::task::block_in_place(|| run(fault, &s, command, &expected));
            let mut methods: Vec<String> = s
                .server
                .received_requests()
                .await
                .expect("recording on")
                .iter()
                .map(|r| r.method.to_string())
                .collect();
            if let Some(p) = &s.proxy {
                let seen = p.seen.lock().expect("log").clone();
                // Through the proxy, the tool's own requests are the proxy's log.
                methods = seen
                    .iter()
                    .map(|l| l.split(' ').next().unwrap_or_default().to_owned())
                    .collect();
            }
            let all_get = methods.iter().all(|m| m == "GET");
            assert!(
                all_get,
                "{} × {command}: non-GET requests {methods:?}",
                fault.name
            );
            table.push_str(&format!(
                "| {} | `{command}` | {cell} | {} | yes |\n",
                fault.name,
                methods.len()
            ));
        }
    }
    let out = common::root().join("target/fault-matrix.md");
    let _ = std::fs::write(&out, &table);
    eprintln!("{table}");
}
