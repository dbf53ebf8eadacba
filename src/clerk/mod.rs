//! Live collection from Clerk's three APIs into a [`Recording`], strictly read-only: the only
//! HTTP method this module can send is GET. What it reads is the endpoint table
//! ([`crate::recording::endpoints`]); it knows nothing of snapshots. The only async code in the crate; [`pull`] runs it on
//! a current-thread runtime (long bodies are parsed on its blocking pool, `Client::get_parsed`)
//! and returns plain data. Never prints: progress, retries and request logs go to the caller's
//! [`Observer`].

pub mod client;
pub mod keys;
pub mod lists;
mod tls;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::task::JoinSet;

use crate::recording::{Endpoint, LAYOUT, RawList, Recording, Source, endpoints};
pub use client::Api;
use client::{Client, Failure};
use lists::ListError;

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
    /// Requests finished (retries included) out of those started so far.
    Progress { done: u32, started: u32 },
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
    /// `production`, `development` or an `ins_…` id.
    pub instance: String,
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

/// Pulls every source the target allows. Optional parts answered with `402`/`404` are recorded
/// as unavailable. Any other failure fails the pull, unless `allow_partial`, which records it as
/// a gap instead.
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
    ));

    let mut rec = Recording::new("live pull");
    rec.collected_at = collected_at;
    for (file, why) in target.skipped {
        rec.unavailable.insert(file, why);
    }
    let mut gaps = Vec::new();
    for r in results {
        let Some(endpoint) = endpoints::by_file(r.file) else {
            continue;
        };
        match r.outcome {
            // Redacted as each response was parsed (`Client::get_json`, `lists`).
            Ok(Body::Object(body)) => {
                if let Err(e) = rec.insert(endpoint, body, std::path::Path::new(r.file)) {
                    gaps.push(format!("{} {}: unexpected response: {e}", r.api, r.label));
                }
            }
            Ok(Body::Entries(entries)) => rec.insert_entries(endpoint, entries),
            Err(Outcome::Unavailable(why)) => {
                rec.unavailable.insert(r.file, why);
            }
            Err(Outcome::Failed(e)) => {
                rec.unavailable
                    .insert(r.file, format!("the pull failed: {e}"));
                gaps.push(e.to_string());
            }
        }
    }
    if !gaps.is_empty() && !allow_partial {
        return Err(Error::Incomplete(gaps));
    }
    Ok(Pulled {
        recording: rec,
        requests: client.requests(),
        gaps,
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

enum Outcome {
    /// A part the instance does not have (plan-gated): coverage, not a failure.
    Unavailable(String),
    Failed(Error),
}

async fn collect(
    client: Arc<Client>,
    fapi: Option<Api>,
    bapi: Option<Api>,
    plapi: Option<Platform>,
) -> Vec<Fetched> {
    let fapi = fapi.map(Arc::new);
    let bapi = bapi.map(Arc::new);
    let plapi = plapi.map(Arc::new);
    // Lists first: their first pages unlock the next round of requests, so they should be the
    // first answers the server sends and the client reads. Then the Backend API's objects,
    // then the Frontend and Platform APIs'.
    let mut order: Vec<&'static Endpoint> = LAYOUT.iter().collect();
    order.sort_by_key(|e| (!e.is_list(), e.source != Source::Bapi));
    let mut set = JoinSet::new();
    for endpoint in order {
        let client = client.clone();
        let api = match endpoint.source {
            Source::Fapi => &fapi,
            Source::Bapi => &bapi,
            Source::Plapi => {
                let Some(p) = plapi.clone() else { continue };
                set.spawn(async move {
                    let segments = endpoint.segments(&p.application_id, &p.instance);
                    object(&client, &p.api, &segments, endpoint).await
                });
                continue;
            }
        };
        let Some(api) = api.clone() else { continue };
        set.spawn(async move {
            if endpoint.is_list() {
                list(client, api, endpoint).await
            } else {
                object(&client, &api, endpoint.path, endpoint).await
            }
        });
    }
    let mut out = Vec::new();
    while let Some(joined) = set.join_next().await {
        if let Ok(f) = joined {
            out.push(f);
        }
    }
    out
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
        ListError::Request(f) => classify(&api, &label, f, endpoint.optional),
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
async fn object(client: &Client, api: &Api, path: &[&str], endpoint: &'static Endpoint) -> Fetched {
    let label = format!("GET /{}", path.join("/"));
    let url = api.url(path, &[]);
    let outcome = client
        .get_json(api, url, &label)
        .await
        .map(Body::Object)
        .map_err(|f| classify(api, &label, f, endpoint.optional));
    Fetched {
        file: endpoint.file,
        api: api.source.api_name(),
        label,
        outcome,
    }
}

/// Turns a failed request into coverage (`402`, or `404` on an optional part) or an error that
/// names what to fix.
fn classify(api: &Api, label: &str, f: Failure, optional: bool) -> Outcome {
    let clerk = f
        .clerk
        .as_deref()
        .map(|c| format!(": {c}"))
        .unwrap_or_default();
    match f.status {
        Some(402) => {
            return Outcome::Unavailable(format!(
                "{label} answered 402 Payment Required (the feature is not on this instance's plan){clerk}"
            ));
        }
        Some(404) if optional => {
            return Outcome::Unavailable(format!(
                "{label} answered 404 Not Found (not available on this instance){clerk}"
            ));
        }
        _ => {}
    }
    let hint = match f.status {
        Some(401) => format!(" — check {}: Clerk did not accept it", api.credential),
        Some(403) => format!(
            " — check {}: it is valid but not allowed to read this{}",
            api.credential,
            if api.source == Source::Plapi {
                " (the config read needs the `applications:manage` scope)"
            } else {
                ""
            }
        ),
        Some(404) if api.source == Source::Plapi => {
            " — check the application id and platform_instance".to_owned()
        }
        Some(429) => {
            " — rate limited; retries exhausted (lower [pull] requests_per_10s)".to_owned()
        }
        None | Some(500..) if f.retryable => " (retries exhausted)".to_owned(),
        _ => String::new(),
    };
    Outcome::Failed(Error::Request {
        api: api.source.api_name(),
        request: label.to_owned(),
        status: f.status,
        detail: format!("{}{clerk}{hint}", f.message),
    })
}

/// Object keys whose string values are secrets: replaced before anything else sees the body,
/// so they reach neither a recording nor a snapshot. Presence survives (`""` stays empty).
/// A `match` rather than a list scan: it runs on every key of every response.
fn is_secret_key(key: &str) -> bool {
    matches!(
        key,
        "client_secret"
            | "secret"
            | "secret_key"
            | "secret_keys"
            | "signing_key"
            | "private_key"
            | "token"
            | "token_secret"
            | "access_token"
            | "id_token"
            | "refresh_token"
    )
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
