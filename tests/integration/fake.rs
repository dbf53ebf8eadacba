//! A fake Clerk on 127.0.0.1 (wiremock): serves a recording's bodies on the Frontend, Backend
//! and Platform API paths of the specs (the Platform config and its schema at `production` and
//! at the instance id, as Clerk does), pages lists as the Backend API does (`limit` default 10, max 500,
//! `offset`, `paginated`), checks the bearer credentials, and answers everything else with
//! Clerk's error shape (404 for an instance the application does not have). Shared by the integration tests and the pull benchmark.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Canary credentials: no output, file or message may ever contain them.
pub const SECRET_KEY: &str = "sk_live_CANARYsecretKEYmustNEVERleak0001";
pub const PLATFORM_KEY: &str = "ak_CANARYplatformKEYmustNEVERleak0002";
pub const APP: &str = "app_2acmeExampleApp";

/// How a list endpoint pages (`bapi/2026-05-12.yml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// No paging parameters: `{data, total_count}` at once (domains, blocklist).
    Whole,
    /// `paginated=true` gives `{data, total_count}`, else a bare array (allowlist, JWT
    /// templates, redirect URLs).
    Paginated,
    /// `limit`/`offset` with `{data, total_count}` (OAuth apps, connections, roles, permissions).
    LimitOffset,
}

/// BAPI endpoints: recording file, URL path, paging (None: a single object).
pub const BAPI: &[(&str, &str, Option<Paging>)] = &[
    ("bapi/instance.json", "/v1/instance", None),
    (
        "bapi/organization_settings.json",
        "/v1/instance/organization_settings",
        None,
    ),
    ("bapi/protect.json", "/v1/instance/protect", None),
    (
        "bapi/oauth_application_settings.json",
        "/v1/instance/oauth_application_settings",
        None,
    ),
    ("bapi/domains.json", "/v1/domains", Some(Paging::Whole)),
    (
        "bapi/jwt_templates.json",
        "/v1/jwt_templates",
        Some(Paging::Paginated),
    ),
    (
        "bapi/allowlist_identifiers.json",
        "/v1/allowlist_identifiers",
        Some(Paging::Paginated),
    ),
    (
        "bapi/blocklist_identifiers.json",
        "/v1/blocklist_identifiers",
        Some(Paging::Whole),
    ),
    (
        "bapi/redirect_urls.json",
        "/v1/redirect_urls",
        Some(Paging::Paginated),
    ),
    (
        "bapi/oauth_applications.json",
        "/v1/oauth_applications",
        Some(Paging::LimitOffset),
    ),
    (
        "bapi/enterprise_connections.json",
        "/v1/enterprise_connections",
        Some(Paging::LimitOffset),
    ),
    (
        "bapi/organization_roles.json",
        "/v1/organization_roles",
        Some(Paging::LimitOffset),
    ),
    (
        "bapi/organization_permissions.json",
        "/v1/organization_permissions",
        Some(Paging::LimitOffset),
    ),
    (
        "bapi/saml_connections.json",
        "/v1/saml_connections",
        Some(Paging::LimitOffset),
    ),
    (
        "bapi/organization_domains.json",
        "/v1/organization_domains",
        Some(Paging::LimitOffset),
    ),
    (
        "bapi/communication.json",
        "/v1/instance/communication",
        None,
    ),
    (
        "bapi/role_sets.json",
        "/v1/role_sets",
        Some(Paging::LimitOffset),
    ),
    ("bapi/jwks.json", "/v1/jwks", None),
];

/// Platform API endpoints: recording file and the path after `…/instances/{instance}`.
pub const PLAPI: &[(&str, &str)] = &[
    ("plapi/config.json", "/config"),
    ("plapi/config_schema.json", "/config/schema"),
];

pub fn plapi_path(instance: &str) -> String {
    format!("/v1/platform/applications/{APP}/instances/{instance}/config")
}

/// The Platform config schema's path for `instance`.
pub fn plapi_schema_path(instance: &str) -> String {
    format!("{}/schema", plapi_path(instance))
}

/// Raw bodies by recording file; lists as plain arrays.
#[derive(Debug, Clone, Default)]
pub struct Data {
    pub bodies: BTreeMap<String, Value>,
}

impl Data {
    /// Reads a recording directory (lists unwrapped from any envelope).
    pub fn load(dir: &Path) -> Data {
        let mut bodies = BTreeMap::new();
        let mut files: Vec<&str> = BAPI.iter().map(|(f, _, _)| *f).collect();
        files.push("fapi/environment.json");
        files.extend(PLAPI.iter().map(|(f, _)| *f));
        for file in files {
            let Ok(text) = std::fs::read_to_string(dir.join(file)) else {
                continue;
            };
            let mut v: Value = serde_json::from_str(&text).expect("recording JSON");
            if let Some(data) = v.get_mut("data").map(Value::take) {
                v = data;
            }
            bodies.insert(file.to_owned(), v);
        }
        Data { bodies }
    }

    /// Writes the bodies as a recording directory (what `snapshot --from-dir` of the served
    /// data gives).
    pub fn write(&self, dir: &Path) {
        for (file, body) in &self.bodies {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
            std::fs::write(&path, serde_json::to_vec_pretty(body).expect("serializes"))
                .expect("write");
        }
    }

    /// The instance id `GET /v1/instance` answers.
    pub fn instance_id(&self) -> Option<String> {
        self.bodies
            .get("bapi/instance.json")
            .and_then(|i| i.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    pub fn list_mut(&mut self, file: &str) -> &mut Vec<Value> {
        match self
            .bodies
            .entry(file.to_owned())
            .or_insert_with(|| json!([]))
        {
            Value::Array(items) => items,
            _ => panic!("{file} is not a list"),
        }
    }
}

/// Serialized pages by (offset, limit, envelope).
type PageCache = BTreeMap<(usize, usize, bool), Vec<u8>>;

/// Serves one page of a list the way the Backend API does.
#[derive(Clone)]
pub struct ListResponder {
    pub items: Arc<Vec<Value>>,
    pub paging: Paging,
    /// The server serves at most this many entries per page, whatever `limit` asks.
    pub cap: usize,
    /// Ignore `paginated=true` and always answer a bare array.
    pub bare_only: bool,
    /// New entries (at the front) when serving request number `n` (0-based): a list that is
    /// edited while it is read.
    pub grow: Option<Arc<dyn Fn(usize) -> usize + Send + Sync>>,
    pub served: Arc<AtomicUsize>,
    pub delay: Duration,
    /// Leave `total_count` out of the `{data}` envelope.
    pub no_total_count: bool,
    /// Serialized pages by (offset, limit, envelope), for lists that do not grow.
    cache: Arc<Mutex<PageCache>>,
}

impl ListResponder {
    pub fn new(items: Vec<Value>, paging: Paging) -> Self {
        ListResponder {
            items: Arc::new(items),
            paging,
            cap: 500,
            bare_only: false,
            grow: None,
            served: Arc::new(AtomicUsize::new(0)),
            delay: Duration::ZERO,
            no_total_count: false,
            cache: Arc::default(),
        }
    }
}

impl Respond for ListResponder {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let n = self.served.fetch_add(1, Ordering::SeqCst);
        let extra = self.grow.as_ref().map_or(0, |g| g(n));
        let grown: Vec<Value> = (0..extra)
            .rev().map(|i| {
            json!({"id": format!("grown_{i}"), "identifier": format!("grown{i}@example.com"),
                "identifier_type": "email_address", "url": format!("https://grown{i}.example.com/cb"),
                "object": "allowlist_identifier", "created_at": 1, "updated_at": 1})
        }).collect();
        // New entries go first (newest first), shifting every page. Only the served entries
        // are cloned: the benchmark's fake must not be the bottleneck.
        let total = extra + self.items.len();
        let entry = |i: usize| {
            if i < extra {
                grown[i].clone()
            } else {
                self.items[i - extra].clone()
            }
        };
        let q: BTreeMap<String, String> = req.url.query_pairs().into_owned().collect();
        let (offset, limit, envelope) = match self.paging {
            Paging::Whole => (0, total, true),
            paging => (
                q.get("offset").and_then(|o| o.parse().ok()).unwrap_or(0),
                q.get("limit")
                    .and_then(|l| l.parse::<usize>().ok())
                    .unwrap_or(10)
                    .clamp(1, 500)
                    .min(self.cap),
                !self.bare_only
                    && (paging == Paging::LimitOffset
                        || q.get("paginated").is_some_and(|p| p == "true")),
            ),
        };
        let cached = (extra == 0)
            .then(|| {
                self.cache
                    .lock()
                    .ok()?
                    .get(&(offset, limit, envelope))
                    .cloned()
            })
            .flatten();
        let bytes = cached.unwrap_or_else(|| {
            let page: Vec<Value> = (offset.min(total)..(offset + limit).min(total))
                .map(entry)
                .collect();
            let body = if envelope && self.no_total_count {
                json!({ "data": page })
            } else if envelope {
                json!({"data": page, "total_count": total})
            } else {
                Value::Array(page)
            };
            let bytes = serde_json::to_vec(&body).expect("serializes");
            if extra == 0
                && let Ok(mut c) = self.cache.lock()
            {
                c.insert((offset, limit, envelope), bytes.clone());
            }
            bytes
        });
        ResponseTemplate::new(200)
            .set_body_raw(bytes, "application/json")
            .set_delay(self.delay)
    }
}

/// Clerk's error body.
pub fn clerk_error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "errors": [{"message": message, "long_message": format!("{message} (long)"), "code": code}],
        "meta": {},
        "clerk_trace_id": format!("trace-{code}"),
    }))
}

/// Options of the fake.
#[derive(Clone, Default)]
pub struct Options {
    pub delay: Duration,
    /// Per-file list responder overrides (cap, bare_only, grow_by).
    pub lists: BTreeMap<&'static str, ListResponder>,
    /// Platform instance segment to serve (by default `production` and the instance id of
    /// `bapi/instance.json`, as Clerk serves both for one instance).
    pub platform_instance: Option<String>,
    /// Do not keep received requests (the benchmark: tests inspect them).
    pub no_recording: bool,
    /// Endpoints (by recording file) answered with Clerk's error shape instead of their body:
    /// file → (status, code, message), e.g. a feature that is off
    /// (`403 organization_not_enabled_in_instance`) or not on the plan (`402`).
    pub refusals: BTreeMap<&'static str, (u16, &'static str, &'static str)>,
}

/// Starts the fake with `data`, mounting every endpoint at priority 5 and the fallbacks at 10.
pub async fn start(data: &Data, opts: Options) -> MockServer {
    let server = if opts.no_recording {
        MockServer::builder()
            .disable_request_recording()
            .start()
            .await
    } else {
        MockServer::start().await
    };
    mount(&server, data, opts).await;
    server
}

pub async fn mount(server: &MockServer, data: &Data, opts: Options) {
    let bearer = |k: &str| format!("Bearer {k}");
    for (file, (status, code, message)) in &opts.refusals {
        let url_path = match *file {
            "fapi/environment.json" => "^/v1/environment$".to_owned(),
            // Whichever instance the config (or its schema) is asked for.
            file if file.starts_with("plapi/") => PLAPI
                .iter()
                .find(|(f, _)| *f == file)
                .map(|(_, p)| format!("^/v1/platform/applications/{APP}/instances/[^/]+{p}$"))
                .unwrap_or_else(|| panic!("{file} is not an endpoint of the fake")),
            file => BAPI
                .iter()
                .find(|(f, _, _)| *f == file)
                .map(|(_, p, _)| format!("^{p}$"))
                .unwrap_or_else(|| panic!("{file} is not an endpoint of the fake")),
        };
        // As Clerk does, the credential is checked first: a wrong key still gets 401.
        let key = match file.split('/').next() {
            Some("bapi") => Some(SECRET_KEY),
            Some("plapi") => Some(PLATFORM_KEY),
            _ => None,
        };
        let mock = Mock::given(method("GET")).and(path_regex(url_path));
        let mock = match key {
            Some(k) => mock.and(header("authorization", bearer(k).as_str())),
            None => mock,
        };
        mock.respond_with(clerk_error(*status, code, message).set_delay(opts.delay))
            .with_priority(1)
            .mount(server)
            .await;
    }
    if let Some(env) = data.bodies.get("fapi/environment.json") {
        Mock::given(method("GET"))
            .and(path("/v1/environment"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(env)
                    .set_delay(opts.delay),
            )
            .mount(server)
            .await;
    }
    for (file, url_path, paging) in BAPI {
        let Some(body) = data.bodies.get(*file) else {
            continue;
        };
        let mock = Mock::given(method("GET"))
            .and(path(*url_path))
            .and(header("authorization", bearer(SECRET_KEY).as_str()));
        match paging {
            None => {
                mock.respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(body)
                        .set_delay(opts.delay),
                )
                .mount(server)
                .await
            }
            Some(p) => {
                let mut r = opts.lists.get(file).cloned().unwrap_or_else(|| {
                    ListResponder::new(body.as_array().cloned().unwrap_or_default(), *p)
                });
                r.delay = opts.delay;
                mock.respond_with(r).mount(server).await
            }
        }
    }
    let instances = match &opts.platform_instance {
        Some(i) => vec![i.clone()],
        None => ["production".to_owned()]
            .into_iter()
            .chain(data.instance_id())
            .collect(),
    };
    for (file, suffix) in PLAPI {
        let Some(body) = data.bodies.get(*file) else {
            continue;
        };
        for instance in &instances {
            Mock::given(method("GET"))
                .and(path(format!(
                    "/v1/platform/applications/{APP}/instances/{instance}{suffix}"
                )))
                .and(header("authorization", bearer(PLATFORM_KEY).as_str()))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(body)
                        .set_delay(opts.delay),
                )
                .mount(server)
                .await;
        }
    }
    // The right Platform key for an instance the application does not have.
    Mock::given(path_regex("^/v1/platform/"))
        .and(header("authorization", bearer(PLATFORM_KEY).as_str()))
        .respond_with(clerk_error(404, "resource_not_found", "Resource not found"))
        .with_priority(9)
        .mount(server)
        .await;
    // Wrong or missing credentials, then unknown paths.
    Mock::given(path_regex("^/v1/platform/"))
        .respond_with(clerk_error(
            401,
            "authentication_invalid",
            "Invalid platform token",
        ))
        .with_priority(10)
        .mount(server)
        .await;
    Mock::given(path_regex("^/v1/(instance|domains|jwt_templates|allowlist_identifiers|blocklist_identifiers|redirect_urls|oauth_applications|enterprise_connections|organization_roles|organization_permissions|organization_domains|saml_connections|role_sets|jwks)"))
        .respond_with(clerk_error(401, "authentication_invalid", "Invalid secret key"))
        .with_priority(11)
        .mount(server)
        .await;
    Mock::given(path_regex(".*"))
        .respond_with(clerk_error(404, "resource_not_found", "Not found"))
        .with_priority(12)
        .mount(server)
        .await;
}
