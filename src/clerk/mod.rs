//! Live collection from Clerk's three APIs into a [`Recording`], strictly read-only: the only
//! HTTP method this module can send is GET. What it reads is the endpoint table
//! ([`crate::recording::endpoints`]), in dependency order (`GET /v1/instance` first, alone: it
//! gates the other Backend reads and names the Platform config's instance, `identity`); what a
//! failed read means is `answers`'s business. It knows nothing of snapshots. The only async
//! code in the crate; [`pull`] runs it on a current-thread runtime (long bodies are parsed on its
//! blocking pool, `Client::get_parsed`) and returns plain data. Never prints: progress, retries and request logs go to the caller's
//! [`Observer`].

mod answers;
pub mod client;
pub(crate) mod documents;
mod identity;
pub mod keys;
pub mod lists;
mod tls;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::task::JoinSet;

/// Object keys whose string values are secrets (the table lives with the recording layout, which
/// the normalizer also reads): replaced before anything else sees the body.
pub(crate) use crate::recording::is_secret_key;
use crate::recording::{Endpoint, LAYOUT, RawList, Recording, Source, endpoints};
use answers::Outcome;
pub use client::Api;
use client::Client;
use lists::ListError;

#[cfg(feature = "fuzzing")]
/// Test-only fault injection (the `fuzzing` feature: never in the binary a user runs):
/// `CLERK_DRIFT_FAULT=panic:<point>:<name>` panics at that point — `collect:<recording file>`
/// in a live pull's collection task, `plan:<instance>` in a `plan --all` instance — so that the
/// tests can show that a panic becomes an error, never a silent gap.
pub fn fault(point: &str, name: &str) {
    if std::env::var("CLERK_DRIFT_FAULT").ok().as_deref() == Some(&format!("panic:{point}:{name}"))
    {
        panic!("injected fault at {point}:{name}");
    }
}

/// Errors of a live pull.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "refusing plain http:// to a non-loopback host ({0}): use https:// so credentials never cross the network in clear"
    )]
    InsecureUrl(String),
    #[error("invalid URL `{url}`: {why}")]
    BadUrl { url: String, why: String },
    #[error("starting the HTTP client: {0}")]
    Client(String),
    #[error("starting the async runtime: {0}")]
    Runtime(String),
    #[error("{api} {request}: {detail}")]
    Request {
        api: &'static str,
        request: String,
        status: Option<u16>,
        detail: String,
    },
    /// Clerk refused a credential: one line per API (then any other API's failures). Not
    /// covered by `--allow-partial`: the key must be fixed.
    #[error("no snapshot written:\n  - {}", .0.join("\n  - "))]
    Refused(Vec<String>),
    /// The Platform config would describe another instance than the other APIs.
    #[error("{0}; nothing was written")]
    Identity(String),
    #[error("incomplete pull, no snapshot written:\n  - {}\nRe-run, or pass --allow-partial to write a snapshot with these gaps in its coverage.", .0.join("\n  - "))]
    Incomplete(Vec<String>),
}

/// Tuning of the HTTP layer (`[pull]` in clerk-drift.toml, flags).
#[derive(Debug, Clone)]
pub struct Options {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Client-side budget: at most this many requests started per `window`.
    pub requests_per_window: usize,
    pub window: Duration,
    pub connect_timeout: Duration,
    /// Whole-request timeout (connect, headers and body).
    pub timeout: Duration,
    /// Retries of one request after the first attempt.
    pub retries: usize,
    /// First backoff delay; doubles with jitter.
    pub backoff_min: Duration,
    /// Give up on a request once this much time was spent retrying it.
    pub max_retry_time: Duration,
    /// A `Retry-After` longer than this is not waited for.
    pub max_retry_after: Duration,
}

impl Options {
    /// Defaults for an instance: Clerk allows 1000 requests / 10 s on production instances and
    /// 100 on development ones (system-limits docs); we keep to half of that.
    pub fn for_env(env: Option<keys::EnvType>) -> Self {
        let budget = match env {
            Some(keys::EnvType::Production) => 500,
            _ => 50,
        };
        Options {
            concurrency: 32,
            requests_per_window: budget,
            window: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            retries: 4,
            backoff_min: Duration::from_millis(250),
            max_retry_time: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

/// What happens during a pull, for progress bars and `--verbose` logs.
#[derive(Debug, Clone)]
pub enum Event {
    /// One HTTP exchange (method, path, status, time): never a credential.
    Log(String),
    /// A request will be retried after `wait`.
    Retry {
        request: String,
        why: String,
        wait: Duration,
    },
    /// A request was sent (each attempt: a retry is a request too).
    RequestSent,
    /// A request sent ended, answered or not: one for each [`Event::RequestSent`]. Events rather
    /// than a client's running counts, so that concurrent pulls (`plan --all`, a client each)
    /// add up.
    RequestEnded,
    /// One HTTP exchange, for the evidence manifest's call log: the request (method and path),
    /// the status (none when no response came) and how long it took.
    Call {
        request: String,
        status: Option<u16>,
        millis: u64,
    },
}

/// Receives [`Event`]s; the binary shows them on standard error.
pub trait Observer: Send + Sync {
    fn event(&self, event: &Event);
}

/// An observer that ignores everything.
pub struct Silent;

impl Observer for Silent {
    fn event(&self, _: &Event) {}
}

/// The Platform API config read.
pub struct Platform {
    pub api: Api,
    pub application_id: String,
    /// `production`, `development` or an `ins_…` id: the instance asked for. When the Backend
    /// API is read, its instance id replaces an environment name (`identity`).
    pub instance: String,
    /// Where `instance` was configured (`platform_instance of [instances.prod]`); `None` when
    /// it comes from the publishable key's environment.
    pub instance_origin: Option<String>,
}

/// What to pull from. A source that is `None` is skipped, with the reason in `skipped`.
#[derive(Default)]
pub struct Target {
    pub fapi: Option<Api>,
    pub bapi: Option<Api>,
    pub plapi: Option<Platform>,
    /// Recording file → why it is not collected (no credential, …).
    pub skipped: BTreeMap<&'static str, String>,
}

/// The result of a pull.
#[derive(Debug)]
pub struct Pulled {
    pub recording: Recording,
    /// HTTP requests sent, retries included.
    pub requests: u32,
    /// Required parts that could not be read (only non-empty with `allow_partial`).
    pub gaps: Vec<String>,
}

/// Pulls every source the target allows. A feature that is off or not on the plan, and `404` on
/// an optional part, are recorded as unavailable (with the feature in `Recording::disabled`). A
/// refused credential fails the pull, one line per API, whatever `allow_partial` says. Any other
/// failure fails the pull, unless `allow_partial`, which records it as a gap instead. Platform
/// settings of another instance than the one the other APIs describe are never read into it:
/// that is an [`Error::Identity`].
pub fn pull(
    target: Target,
    opts: Options,
    observer: Arc<dyn Observer>,
    allow_partial: bool,
) -> Result<Pulled, Error> {
    // Long bodies are parsed on the blocking pool (`Client::get_parsed`): one thread per core
    // at most, so that the pages of a long list that arrive together are parsed on every core
    // without more threads than cores competing with the one reading the sockets.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .max_blocking_threads(cores)
        .enable_all()
        .build()
        .map_err(|e| Error::Runtime(e.to_string()))?;
    let client = Arc::new(Client::new(opts, observer)?);
    let collected_at = jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .ok();
    let results = runtime.block_on(collect(
        client.clone(),
        target.fapi,
        target.bapi,
        target.plapi,
    ))?;

    let mut rec = Recording::new("live pull");
    rec.collected_at = collected_at;
    for (file, why) in target.skipped {
        rec.unavailable.insert(file, why);
    }
    let mut gaps: Vec<(&'static str, String)> = Vec::new();
    // Reads not sent because the read they wait for failed: listed after that failure, as one
    // gap per API.
    let mut waiting: Vec<(&'static str, String)> = Vec::new();
    // Per API: the first refusal's line, and how many requests were refused.
    let mut refused: BTreeMap<&'static str, (String, usize)> = BTreeMap::new();
    for r in results {
        let Some(endpoint) = endpoints::by_file(r.file) else {
            continue;
        };
        match r.outcome {
            // Redacted as each response was parsed (`Client::get_json`, `lists`).
            Ok(Body::Object(body)) => {
                if let Err(e) = rec.insert(endpoint, body, std::path::Path::new(r.file)) {
                    gaps.push((
                        r.api,
                        format!("{} {}: unexpected response: {e}", r.api, r.label),
                    ));
                }
            }
            Ok(Body::Entries(entries)) => rec.insert_entries(endpoint, entries),
            Err(Outcome::Unavailable(why, disabled)) => {
                rec.unavailable.insert(r.file, why);
                if let Some(d) = disabled {
                    rec.disabled.insert(r.file, d);
                }
            }
            Err(Outcome::NotSent(why)) => {
                // Not sent because the read it waits for failed: a gap, named once per API
                // (a refused credential is reported on its own below).
                let line = format!("{}: {why}", r.api);
                if !waiting.iter().any(|(_, g)| *g == line) {
                    waiting.push((r.api, line));
                }
                rec.unavailable.insert(r.file, why);
            }
            Err(Outcome::Refused { line, credential }) => {
                rec.unavailable
                    .insert(r.file, format!("not read: Clerk refused {credential}"));
                let entry = refused.entry(r.api).or_insert((line, 0));
                entry.1 += 1;
            }
            Err(Outcome::Failed(e)) => {
                rec.unavailable
                    .insert(r.file, format!("the pull failed: {e}"));
                gaps.push((r.api, e.to_string()));
            }
        }
    }
    // After a refused credential, what waited for it is explained by the refusal itself.
    if refused.is_empty() {
        gaps.append(&mut waiting);
    }
    if !refused.is_empty() {
        // One line per API: the credential's source and Clerk's words; then what else failed,
        // on the APIs whose credential was accepted.
        let others: Vec<String> = gaps
            .into_iter()
            .filter(|(api, _)| !refused.contains_key(api))
            .map(|(_, g)| g)
            .collect();
        let lines: Vec<String> = refused
            .into_iter()
            .map(|(api, (line, n))| {
                let more = match n {
                    1 => format!("; no further {api} request was sent"),
                    n => format!(
                        "; {} more {api} request(s) in flight were refused too, none was sent after",
                        n - 1
                    ),
                };
                format!("{api} {line}{more}")
            })
            .chain(others)
            .collect();
        return Err(Error::Refused(lines));
    }
    let gaps: Vec<String> = gaps.into_iter().map(|(_, g)| g).collect();
    if !gaps.is_empty() && !allow_partial {
        return Err(Error::Incomplete(gaps));
    }
    Ok(Pulled {
        recording: rec,
        requests: client.requests(),
        gaps,
    })
}

/// What one credential's GET showed: the status, or what went wrong in words.
pub type Proof = Result<u16, String>;

/// `auth status --check`: one GET per credential of `target` — `GET /v1/instance` with the secret
/// key, the Platform config with the Platform key — without retries. Per API: `Ok(status)`, or
/// what went wrong, in words (never a credential).
pub fn prove(target: &Target) -> Result<Vec<(Source, Proof)>, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Runtime(e.to_string()))?;
    let mut opts = Options::for_env(None);
    opts.retries = 0;
    let client = Client::new(opts, Arc::new(Silent))?;
    let words = |f: client::Failure| {
        let what = match (f.status, &f.clerk) {
            (Some(s), Some(c)) => format!("{s}: {c}"),
            (Some(s), None) => format!("{s}: {}", f.message),
            (None, _) => f.message.clone(),
        };
        if f.credential_refused() {
            format!("Clerk refused it ({what})")
        } else {
            format!("not proven ({what})")
        }
    };
    runtime.block_on(async {
        let mut out = Vec::new();
        if let Some(api) = &target.bapi {
            let e = &endpoints::INSTANCE;
            let got = client
                .get_json(api, api.url(e.path, &[]), &e.request())
                .await;
            out.push((Source::Bapi, got.map(|_| 200).map_err(words)));
        }
        if let Some(p) = &target.plapi {
            let e = &endpoints::PLATFORM_CONFIG;
            let url = p.api.url(&e.segments(&p.application_id, &p.instance), &[]);
            let got = client.get_json(&p.api, url, &e.request()).await;
            out.push((Source::Plapi, got.map(|_| 200).map_err(words)));
        }
        Ok(out)
    })
}

struct Fetched {
    file: &'static str,
    api: &'static str,
    label: String,
    outcome: Result<Body, Outcome>,
}

/// A body as read, redacted.
enum Body {
    Object(Value),
    /// A whole list, each entry as raw JSON text ([`lists`]).
    Entries(RawList),
}

/// Reads `endpoint` from `api`: a whole list, or one object at `path` (the endpoint's, with any
/// placeholders filled).
fn spawn_read(
    set: &mut Tasks,
    client: &Arc<Client>,
    api: Arc<Api>,
    endpoint: &'static Endpoint,
    path: Vec<String>,
    not_found: Option<String>,
) {
    let client = client.clone();
    let handle = set.set.spawn(async move {
        #[cfg(feature = "fuzzing")]
        fault("collect", endpoint.file);
        if endpoint.is_list() {
            list(client, api, endpoint).await
        } else {
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            object(&client, &api, &path, endpoint, not_found.as_deref()).await
        }
    });
    set.of.insert(handle.id(), endpoint);
}

/// The reads in flight, and which endpoint each task reads (so that a task that panicked is still
/// a failed read of its endpoint).
#[derive(Default)]
struct Tasks {
    set: JoinSet<Fetched>,
    of: std::collections::HashMap<tokio::task::Id, &'static Endpoint>,
}

/// A task's end without a result, in words.
fn join_text(e: tokio::task::JoinError) -> String {
    if e.is_panic() {
        let panic = e.into_panic();
        panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_owned())
    } else {
        "the task was cancelled".to_owned()
    }
}

/// The requests, in dependency order. The Frontend API's read goes out at once. The Backend
/// API's first request is `GET /v1/instance` alone: a wrong secret key is refused once, and its
/// answer names the instance. Only then do the other Backend requests go out (lists first: their
/// first pages unlock the next round), with the Platform config read for that instance id
/// ([`identity`]). Without the Backend API, the Platform config goes out at once and its
/// environment is checked against the Frontend API's afterwards. The config's schema follows the
/// config read (same key, same instance): a round trip that the lists' later pages already take.
async fn collect(
    client: Arc<Client>,
    fapi: Option<Api>,
    bapi: Option<Api>,
    plapi: Option<Platform>,
) -> Result<Vec<Fetched>, Error> {
    let fapi = fapi.map(Arc::new);
    let bapi = bapi.map(Arc::new);
    let mut set = Tasks::default();
    let own = |e: &Endpoint| e.path.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    if let Some(api) = &bapi {
        spawn_read(
            &mut set,
            &client,
            api.clone(),
            &endpoints::INSTANCE,
            own(&endpoints::INSTANCE),
            None,
        );
    }
    if let Some(api) = &fapi {
        for e in LAYOUT.iter().filter(|e| e.source == Source::Fapi) {
            spawn_read(&mut set, &client, api.clone(), e, own(e), None);
        }
    }
    // The Platform read still to send (it waits for `/v1/instance` when the Backend API is read).
    let mut platform = plapi;
    let mut unchecked_platform = None;
    // The config schema read, waiting for the config read.
    let mut schema = None;
    if bapi.is_none()
        && let Some(p) = platform.take()
    {
        unchecked_platform = Some(p.instance.clone());
        schema = Some(spawn_platform(&mut set, &client, p, None));
    }
    let mut out = Vec::new();
    while let Some(joined) = set.set.join_next_with_id().await {
        let fetched = match joined {
            Ok((_, fetched)) => fetched,
            // A task that panicked is a failed read of its endpoint, never a silent gap.
            Err(e) => match set.of.get(&e.id()).copied() {
                Some(endpoint) => Fetched {
                    file: endpoint.file,
                    api: endpoint.source.api_name(),
                    label: endpoint.request(),
                    outcome: Err(Outcome::Failed(Error::Request {
                        api: endpoint.source.api_name(),
                        request: endpoint.request(),
                        status: None,
                        detail: format!("the read failed unexpectedly ({})", join_text(e)),
                    })),
                },
                None => return Err(Error::Runtime(join_text(e))),
            },
        };
        if fetched.file == endpoints::PLATFORM_CONFIG.file
            && let Some(s) = schema.take()
        {
            out.extend(follow_config(&mut set, &client, &fetched, s));
        }
        if fetched.file == endpoints::INSTANCE.file
            && let Some(api) = &bapi
        {
            match &fetched.outcome {
                Ok(body) => {
                    let ins = match body {
                        Body::Object(instance) => identity::Instance::of(instance),
                        Body::Entries(_) => identity::Instance::default(),
                    };
                    if let Some(p) = platform.take() {
                        let resolved = identity::platform_path_instance(&p, &ins)?;
                        schema = Some(spawn_platform(&mut set, &client, p, Some(resolved)));
                    }
                    // Lists first, then objects.
                    let mut rest: Vec<&'static Endpoint> = LAYOUT
                        .iter()
                        .filter(|e| e.source == Source::Bapi && e.file != endpoints::INSTANCE.file)
                        .collect();
                    rest.sort_by_key(|e| !e.is_list());
                    for e in rest {
                        spawn_read(&mut set, &client, api.clone(), e, own(e), None);
                    }
                }
                Err(failed) => {
                    let why = match failed {
                        Outcome::Refused { credential, .. } => {
                            format!("not read: Clerk refused {credential}")
                        }
                        _ => "not read: GET /v1/instance, which the other Backend API reads and the Platform config read wait for, failed".to_owned(),
                    };
                    let waiting = LAYOUT.iter().filter(|e| {
                        (e.source == Source::Bapi && e.file != endpoints::INSTANCE.file)
                            || (e.source == Source::Plapi && platform.is_some())
                    });
                    for e in waiting {
                        out.push(Fetched {
                            file: e.file,
                            api: e.source.api_name(),
                            label: e.request(),
                            outcome: Err(Outcome::NotSent(why.clone())),
                        });
                    }
                }
            }
        }
        out.push(fetched);
    }
    if let Some(instance) = unchecked_platform {
        let environment = out
            .iter()
            .find(|f| f.file == endpoints::ENVIRONMENT.file)
            .and_then(|f| match &f.outcome {
                Ok(Body::Object(v)) => identity::fapi_environment(v),
                _ => None,
            });
        identity::check_against_frontend(&instance, environment)?;
    }
    Ok(out)
}

/// The Platform config schema read, sent once the config read it waits for answered.
struct SchemaRead {
    api: Arc<Api>,
    path: Vec<String>,
}

/// Sends the Platform config read for `instance` (the target's own when `None`); returns the
/// schema read, which goes out with the same credential once the config is read: a wrong key is
/// refused once, and a missing instance is named by the config's `404`.
fn spawn_platform(
    set: &mut Tasks,
    client: &Arc<Client>,
    p: Platform,
    instance: Option<String>,
) -> SchemaRead {
    let instance = instance.unwrap_or(p.instance);
    let api = Arc::new(p.api);
    let path_of = |e: &Endpoint| -> Vec<String> {
        e.segments(&p.application_id, &instance)
            .into_iter()
            .map(str::to_owned)
            .collect()
    };
    let not_found = format!(
        "application {} has no instance {instance} (check the application id: --app, CLERK_APPLICATION_ID or platform_application_id; and platform_instance)",
        p.application_id
    );
    let config = &endpoints::PLATFORM_CONFIG;
    spawn_read(
        set,
        client,
        api.clone(),
        config,
        path_of(config),
        Some(not_found),
    );
    SchemaRead {
        path: path_of(&endpoints::PLATFORM_CONFIG_SCHEMA),
        api,
    }
}

/// After the config read: the schema read, or why it is not sent.
fn follow_config(
    set: &mut Tasks,
    client: &Arc<Client>,
    config: &Fetched,
    schema: SchemaRead,
) -> Option<Fetched> {
    let endpoint = &endpoints::PLATFORM_CONFIG_SCHEMA;
    let outcome = match &config.outcome {
        Ok(_) => {
            spawn_read(set, client, schema.api, endpoint, schema.path, None);
            return None;
        }
        Err(Outcome::Refused { credential, .. }) => {
            Outcome::NotSent(format!("not read: Clerk refused {credential}"))
        }
        Err(Outcome::Unavailable(why, _)) => Outcome::Unavailable(why.clone(), None),
        Err(_) => Outcome::NotSent(format!(
            "not read: {}, which the config schema read waits for, failed",
            config.label
        )),
    };
    Some(Fetched {
        file: endpoint.file,
        api: endpoint.source.api_name(),
        label: endpoint.request(),
        outcome: Err(outcome),
    })
}

/// A whole list, read page by page ([`lists`]).
async fn list(client: Arc<Client>, api: Arc<Api>, endpoint: &'static Endpoint) -> Fetched {
    let label = endpoint.request();
    let result = lists::read_all(
        client,
        api.clone(),
        endpoint.path,
        endpoint.paging,
        label.clone(),
    )
    .await;
    let outcome = result.map(Body::Entries).map_err(|e| match e {
        ListError::Request(f) => answers::classify(&api, endpoint, &label, f, None),
        ListError::Shape(why) => Outcome::Failed(Error::Request {
            api: api.source.api_name(),
            request: label.clone(),
            status: None,
            detail: format!("unexpected response: {why}"),
        }),
        ListError::Changed(why) => Outcome::Failed(Error::Request {
            api: api.source.api_name(),
            request: label.clone(),
            status: None,
            detail: format!(
                "the list changed while it was read ({why}), again on a second read; run again when the instance is not being edited"
            ),
        }),
    });
    Fetched {
        file: endpoint.file,
        api: api.source.api_name(),
        label,
        outcome,
    }
}

/// One object; `path` is the endpoint's, with any placeholders filled.
async fn object(
    client: &Client,
    api: &Api,
    path: &[&str],
    endpoint: &'static Endpoint,
    not_found: Option<&str>,
) -> Fetched {
    let label = format!("GET /{}", path.join("/"));
    let url = api.url(path, &[]);
    let read = if endpoint.file == endpoints::PLATFORM_CONFIG_SCHEMA.file {
        // A JSON Schema names its properties `client_secret`: redacted as a schema.
        client
            .get_parsed(api, url, &label, documents::parse_schema)
            .await
    } else {
        client.get_json(api, url, &label).await
    };
    let outcome = read
        .map(|mut body| {
            if endpoint.file == endpoints::JWKS.file {
                documents::redact_private_jwk_members(&mut body);
            }
            Body::Object(body)
        })
        .map_err(|f| answers::classify(api, endpoint, &label, f, not_found));
    Fetched {
        file: endpoint.file,
        api: api.source.api_name(),
        label,
        outcome,
    }
}

/// What a redacted secret becomes.
pub const REDACTED: &str = "[redacted by clerk-drift]";

/// Replaces every non-empty secret string in place.
pub fn redact(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if is_secret_key(k) {
                    redact_all(child);
                } else {
                    redact(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

fn redact_all(v: &mut Value) {
    match v {
        Value::String(s) if !s.is_empty() => *s = REDACTED.to_owned(),
        Value::Object(map) => map.values_mut().for_each(redact_all),
        Value::Array(items) => items.iter_mut().for_each(redact_all),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redaction_keeps_presence_and_settings() {
        let mut v = json!({
            "connection_oauth_google": {"client_id": "id", "client_secret": "CANARY", "enabled": true},
            "connection_oauth_github": {"client_secret": ""},
            "auth_config": {"password": "required"},
            "instances": [{"secret_keys": ["sk_live_CANARY"], "token": {"a": "b"}}],
        });
        redact(&mut v);
        let text = v.to_string();
        assert!(!text.contains("CANARY"), "{text}");
        assert_eq!(v["connection_oauth_google"]["client_secret"], REDACTED);
        assert_eq!(v["connection_oauth_google"]["client_id"], "id");
        assert_eq!(v["connection_oauth_github"]["client_secret"], "");
        assert_eq!(v["auth_config"]["password"], "required");
    }
}
