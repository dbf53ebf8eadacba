//! The HTTP layer: GET-only by construction (there is no other method to call), with Clerk's
//! headers, a client-side request budget, bounded concurrency, and retries with jittered
//! exponential backoff that honour `Retry-After`. Knows nothing about endpoints or pagination.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backon::{ExponentialBuilder, Retryable};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::sync::Semaphore;
use url::Url;

use super::{Error, Event, Observer, Options};
use crate::recording::Source;

/// The BAPI version our requests and parsers follow (`bapi/2026-05-12.yml`).
pub const API_VERSION: &str = "2026-05-12";

/// One Clerk API: where it lives and the credential it takes.
pub struct Api {
    pub source: Source,
    pub base: Url,
    pub auth: Option<SecretString>,
    /// The credential to name when Clerk answers 401/403 ("CLERK_SECRET_KEY (from the environment)").
    pub credential: String,
}

impl Api {
    /// Checks the base URL: `https://`, or `http://` to a loopback host only, so a credential can
    /// never cross the network in clear.
    pub fn new(
        source: Source,
        base: &str,
        auth: Option<SecretString>,
        credential: String,
    ) -> Result<Self, Error> {
        let mut base = Url::parse(base).map_err(|e| Error::BadUrl {
            url: base.to_owned(),
            why: e.to_string(),
        })?;
        match base.scheme() {
            "https" => {}
            "http" if is_loopback(&base) => {}
            "http" => return Err(Error::InsecureUrl(base.to_string())),
            other => {
                return Err(Error::BadUrl {
                    url: base.to_string(),
                    why: format!("unsupported scheme `{other}` (use https://)"),
                });
            }
        }
        if base.username() != "" || base.password().is_some() {
            return Err(Error::BadUrl {
                url: format!("{}://…@{}", base.scheme(), base.host_str().unwrap_or("")),
                why: "credentials in the URL are not accepted".into(),
            });
        }
        // Accept `https://api.clerk.com` and `https://api.clerk.com/v1` alike: paths are appended.
        let trimmed = base.path().trim_end_matches('/').to_owned();
        let trimmed = trimmed.strip_suffix("/v1").unwrap_or(&trimmed).to_owned();
        base.set_path(&trimmed);
        base.set_query(None);
        base.set_fragment(None);
        Ok(Api {
            source,
            base,
            auth,
            credential,
        })
    }

    /// `base` + `/v1/...` path segments (each escaped) + query.
    pub fn url(&self, segments: &[&str], query: &[(&str, String)]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        url
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// A request that did not produce a JSON body, before retries are decided.
#[derive(Debug, Default)]
pub struct Failure {
    /// HTTP status, when there was a response.
    pub status: Option<u16>,
    /// What went wrong, in words (no credential ever appears here).
    pub message: String,
    /// Clerk's error code(s), message(s) and trace id, when the body had them.
    pub clerk: Option<String>,
    /// Clerk's errors, parsed from the body (`ClerkErrors` in the specs).
    pub errors: Vec<ClerkError>,
    pub retry_after: Option<Duration>,
    pub retryable: bool,
    /// Not sent: an earlier request to the same API had its credential refused.
    pub not_sent: bool,
}

/// One of Clerk's errors (`ClerkError`: `code`, `message`, `long_message`, `meta`), with the
/// `meta` fields clerk-drift reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClerkError {
    pub code: String,
    pub message: String,
    pub long_message: String,
    /// `meta.param_name`: the parameter or feature the error is about.
    pub param_name: Option<String>,
    /// `meta.unsupported_features`: what the plan lacks.
    pub unsupported_features: Vec<String>,
}

/// Codes of a credential Clerk did not accept (401s, and the 403 of a key without the right).
const CREDENTIAL_CODES: &[&str] = &[
    "authentication_invalid",
    "authorization_invalid",
    "authorization_header_format_invalid",
    "clerk_key_invalid",
    "could_not_authenticate_request",
];

impl Failure {
    fn plain(status: Option<u16>, message: impl Into<String>, retryable: bool) -> Self {
        Failure {
            status,
            message: message.into(),
            retryable,
            ..Failure::default()
        }
    }

    /// Whether Clerk's errors include `code`.
    pub fn has_code(&self, pred: impl Fn(&str) -> bool) -> bool {
        self.errors.iter().any(|e| pred(&e.code))
    }

    /// Clerk refused the credential: any `401`, or a `403` whose code is about the key. Other
    /// `403`s (a feature off, a quota, an unknown code) are not about the credential.
    pub fn credential_refused(&self) -> bool {
        match self.status {
            Some(401) => true,
            Some(403) => self.has_code(|c| CREDENTIAL_CODES.contains(&c)),
            _ => false,
        }
    }
}

/// Sliding-window request budget: at most `max` requests started in any `window`.
struct Budget {
    max: usize,
    window: Duration,
    sent: Mutex<VecDeque<Instant>>,
}

impl Budget {
    async fn acquire(&self) {
        loop {
            let wait = {
                let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                while sent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= self.window)
                {
                    sent.pop_front();
                }
                if sent.len() < self.max {
                    sent.push_back(now);
                    return;
                }
                sent.front()
                    .map_or(Duration::ZERO, |t| self.window - now.duration_since(*t))
            };
            tokio::time::sleep(wait).await;
        }
    }
}

/// The read-only Clerk HTTP client. Cheap to share behind an `Arc`.
pub struct Client {
    http: reqwest::Client,
    budget: Budget,
    slots: Semaphore,
    opts: Options,
    requests: AtomicU32,
    observer: Arc<dyn Observer>,
    /// Per API (`Source as usize`): a credential was refused, so nothing more is sent to it.
    refused: [AtomicBool; 3],
}

/// Reports [`Event::RequestEnded`] when dropped: on every way out of an attempt that sent a
/// request (an answer, an error, a retry, a pull cancelled).
struct Ended<'a>(&'a dyn Observer);

impl Drop for Ended<'_> {
    fn drop(&mut self) {
        self.0.event(&Event::RequestEnded);
    }
}

/// Bodies at least this long are parsed off the runtime's thread (a 500-entry allowlist page is
/// ≈ 100 KB; the small example's largest response is ≈ 10 KB).
const PARSE_ELSEWHERE_BYTES: usize = 32 * 1024;

impl Client {
    pub fn new(opts: Options, observer: Arc<dyn Observer>) -> Result<Self, Error> {
        let tls = super::tls::client_config().map_err(|e| Error::Client(e.to_string()))?;
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .user_agent(concat!("clerk-drift/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(opts.connect_timeout)
            .read_timeout(opts.timeout)
            .timeout(opts.timeout)
            // A redirect could lead off the checked host; Clerk's read endpoints never redirect.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Client(e.to_string()))?;
        Ok(Client {
            http,
            budget: Budget {
                max: opts.requests_per_window.max(1),
                window: opts.window,
                sent: Mutex::new(VecDeque::new()),
            },
            slots: Semaphore::new(opts.concurrency.max(1)),
            opts,
            requests: AtomicU32::new(0),
            observer,
            refused: Default::default(),
        })
    }

    /// HTTP requests sent so far (retries included).
    pub fn requests(&self) -> u32 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Whether Clerk refused this API's credential during the pull (nothing more is sent to it).
    pub fn refused(&self, source: Source) -> bool {
        self.refused[source as usize].load(Ordering::Relaxed)
    }

    /// `GET url` and parse the JSON body, retrying transient failures. `label` names the request
    /// in messages (`GET /v1/instance`). Secrets are redacted before the body leaves this
    /// function: nothing downstream sees them.
    pub async fn get_json(&self, api: &Api, url: Url, label: &str) -> Result<Value, Failure> {
        self.get_parsed(api, url, label, |body| {
            serde_json::from_slice(body).map(|mut v| {
                super::redact(&mut v);
                v
            })
        })
        .await
    }

    /// `GET url` and `parse` the body of a success (which must redact what it keeps); a body
    /// that does not parse is retried like a broken-off one.
    pub async fn get_parsed<T: Send + 'static>(
        &self,
        api: &Api,
        url: Url,
        label: &str,
        parse: impl Fn(&[u8]) -> Result<T, serde_json::Error> + Copy + Send + 'static,
    ) -> Result<T, Failure> {
        let started = Instant::now();
        let max_total = self.opts.max_retry_time;
        let max_wait = self.opts.max_retry_after;
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.opts.backoff_min)
            .with_max_delay(Duration::from_secs(10))
            .with_factor(2.0)
            .with_jitter()
            .with_max_times(self.opts.retries);
        (|| self.attempt(api, url.clone(), label, parse))
            .retry(backoff)
            .sleep(tokio::time::sleep)
            .when(|f: &Failure| f.retryable)
            .adjust(|f: &Failure, next: Option<Duration>| {
                let wait = match (next, f.retry_after) {
                    (None, _) => return None,
                    (Some(_), Some(ra)) if ra > max_wait => return None,
                    (Some(_), Some(ra)) => ra,
                    (Some(d), None) => d,
                };
                (started.elapsed() + wait <= max_total).then_some(wait)
            })
            .notify(|f: &Failure, wait: Duration| {
                self.observer.event(&Event::Retry {
                    request: label.to_owned(),
                    why: f.message.clone(),
                    wait,
                });
            })
            .await
    }

    async fn attempt<T: Send + 'static>(
        &self,
        api: &Api,
        url: Url,
        label: &str,
        parse: impl Fn(&[u8]) -> Result<T, serde_json::Error> + Copy + Send + 'static,
    ) -> Result<T, Failure> {
        let stopped = || Failure {
            not_sent: true,
            ..Failure::plain(
                None,
                format!("not sent: Clerk refused {}", api.credential),
                false,
            )
        };
        if self.refused(api.source) {
            return Err(stopped());
        }
        self.budget.acquire().await;
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| Failure::plain(None, "the request pool was closed", false))?;
        // Checked again: the credential may have been refused while this request waited.
        if self.refused(api.source) {
            return Err(stopped());
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        // A request in flight is progress too: the progress line starts its clock now.
        self.observer.event(&Event::RequestSent);
        let _ended = Ended(self.observer.as_ref());
        let t0 = Instant::now();
        let mut req = self
            .http
            .get(url)
            .header(ACCEPT, "application/json")
            .header("Clerk-API-Version", API_VERSION);
        if let Some(key) = &api.auth {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", key.expose_secret()))
                .map_err(|_| {
                    Failure::plain(
                        None,
                        format!(
                            "{} contains characters not allowed in a header",
                            api.credential
                        ),
                        false,
                    )
                })?;
            value.set_sensitive(true);
            req = req.header(AUTHORIZATION, value);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                let f = transport_failure(&e);
                self.log(label, None, t0, &f.message);
                return Err(f);
            }
        };
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = match resp.bytes().await {
            Ok(b) => b,
            Err(e) => {
                let f = Failure::plain(
                    Some(status.as_u16()),
                    format!("the response body broke off: {}", describe(&e)),
                    true,
                );
                self.log(label, Some(status), t0, &f.message);
                return Err(f);
            }
        };
        self.log(label, Some(status), t0, "");
        if status.is_success() {
            // Large bodies (list pages) are parsed on the blocking pool, so that pages arriving
            // together are parsed on every core while this thread keeps reading sockets; small
            // ones here, where a thread hand-off would cost more than the parse.
            let parsed = if body.len() >= PARSE_ELSEWHERE_BYTES {
                let shared = body.clone();
                match tokio::task::spawn_blocking(move || parse(&shared)).await {
                    Ok(parsed) => parsed,
                    Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                    Err(_) => {
                        return Err(Failure::plain(
                            Some(status.as_u16()),
                            "the pull was shut down while a response was parsed",
                            false,
                        ));
                    }
                }
            } else {
                parse(&body)
            };
            return parsed.map_err(|e| {
                Failure::plain(
                    Some(status.as_u16()),
                    format!(
                        "the response body is not valid JSON ({} at byte {} of {}; truncated?)",
                        crate::jsonx::error_message(&e),
                        byte_offset(&body, e.line(), e.column()),
                        body.len()
                    ),
                    true,
                )
            });
        }
        let failure = status_failure(status, &headers, &body);
        if failure.credential_refused() {
            self.refused[api.source as usize].store(true, Ordering::Relaxed);
        }
        Err(failure)
    }

    fn log(&self, label: &str, status: Option<StatusCode>, t0: Instant, note: &str) {
        self.observer.event(&Event::Call {
            request: label.to_owned(),
            status: status.map(|s| s.as_u16()),
            millis: u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX),
        });
        let status = status.map_or_else(|| "no response".to_owned(), |s| s.to_string());
        let ms = t0.elapsed().as_millis();
        let note = if note.is_empty() {
            String::new()
        } else {
            format!(": {note}")
        };
        self.observer
            .event(&Event::Log(format!("{label} → {status} ({ms} ms){note}")));
    }
}

fn transport_failure(e: &reqwest::Error) -> Failure {
    let certificate = is_certificate_error(e);
    let message = if e.is_timeout() {
        "timed out".to_owned()
    } else if certificate {
        format!(
            "the server's TLS certificate was refused: {} (not retried; check the URL, or the CA bundle the OS trusts — SSL_CERT_FILE)",
            describe(e)
        )
    } else if e.is_connect() {
        format!("could not connect: {}", describe(e))
    } else {
        describe(e)
    };
    // A certificate that fails verification will fail the same way again.
    Failure::plain(None, message, !certificate)
}

/// Whether TLS refused the server's certificate (somewhere in the error's causes).
fn is_certificate_error(e: &reqwest::Error) -> bool {
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        // hyper-util and tokio-rustls wrap rustls' error in `io::Error`s, which `source()` skips.
        let mut inner: &(dyn std::error::Error + 'static) = c;
        while let Some(wrapped) = inner
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            inner = wrapped;
        }
        if matches!(
            inner.downcast_ref::<rustls::Error>(),
            Some(rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented)
        ) {
            return true;
        }
        cause = c.source();
    }
    false
}

/// The innermost cause of a reqwest error, without the URL (messages name the request instead).
fn describe(e: &reqwest::Error) -> String {
    let mut cause = std::error::Error::source(e);
    let mut innermost = None;
    while let Some(c) = cause {
        innermost = Some(c.to_string());
        cause = c.source();
    }
    innermost.unwrap_or_else(|| match e.url() {
        Some(u) => e.to_string().replace(u.as_str(), "<url>"),
        None => e.to_string(),
    })
}

fn byte_offset(body: &[u8], line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in body.split(|b| *b == b'\n').enumerate() {
        if i + 1 == line {
            return offset + column;
        }
        offset += l.len() + 1;
    }
    body.len()
}

/// Clerk's error body: `{"errors": [{message, long_message, code}], "clerk_trace_id": …}`.
fn status_failure(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Failure {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let errors = clerk_errors(parsed.as_ref());
    let parts: Vec<String> = errors
        .iter()
        .map(|e| {
            let text = if e.long_message.is_empty() {
                &e.message
            } else {
                &e.long_message
            };
            if e.code.is_empty() {
                text.clone()
            } else {
                format!("{}: {text}", e.code)
            }
        })
        .collect();
    let trace = parsed
        .as_ref()
        .and_then(|v| v.get("clerk_trace_id"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            headers
                .get("cf-ray")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        });
    let mut clerk = parts.join("; ");
    if let Some(t) = trace {
        if !clerk.is_empty() {
            clerk.push(' ');
        }
        clerk.push_str(&format!("(trace id {t})"));
    }
    let code = status.as_u16();
    Failure {
        status: Some(code),
        message: status.to_string(),
        clerk: (!clerk.is_empty()).then_some(clerk),
        errors,
        retry_after: retry_after(headers),
        retryable: code == 429 || matches!(code, 500 | 502 | 503 | 504),
        not_sent: false,
    }
}

/// The `errors` of Clerk's error body (`ClerkErrors`); fields of the wrong type read as empty.
fn clerk_errors(body: Option<&Value>) -> Vec<ClerkError> {
    let Some(errors) = body.and_then(|v| v.get("errors")).and_then(Value::as_array) else {
        return Vec::new();
    };
    errors
        .iter()
        .map(|e| {
            let field = |k: &str| {
                e.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .trim()
                    .to_owned()
            };
            let meta = e.get("meta");
            ClerkError {
                code: field("code"),
                message: field("message"),
                long_message: field("long_message"),
                param_name: meta
                    .and_then(|m| m.get("param_name"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                unsupported_features: meta
                    .and_then(|m| m.get("unsupported_features"))
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = jiff::fmt::rfc2822::parse(text).ok()?;
    let now = jiff::Timestamp::now();
    let secs = when.timestamp().as_second() - now.as_second();
    Some(Duration::from_secs(secs.max(0).unsigned_abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(base: &str) -> Result<Api, Error> {
        Api::new(Source::Bapi, base, None, "CLERK_SECRET_KEY".into())
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "https://api.clerk.com",
            "http://127.0.0.1:8080",
            "http://127.8.9.10",
            "http://localhost:3000/v1",
            "http://[::1]:9000",
        ] {
            assert!(api(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.clerk.com",
            "http://10.0.0.1",
            "http://localhost.evil.com",
            "http://[::2]",
        ] {
            let err = api(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains("refusing plain http://"), "{bad}: {err}");
        }
        assert!(api("ftp://api.clerk.com").is_err());
        assert!(api("https://user:pw@api.clerk.com").is_err());
    }

    #[test]
    fn urls_append_escaped_segments_after_an_optional_v1() -> Result<(), Error> {
        let a = api("https://api.clerk.com/v1/")?;
        let url = a.url(
            &[
                "v1",
                "platform",
                "applications",
                "app/../x",
                "instances",
                "production",
            ],
            &[("limit", "500".into())],
        );
        assert_eq!(
            url.as_str(),
            "https://api.clerk.com/v1/platform/applications/app%2F..%2Fx/instances/production?limit=500"
        );
        let a = api("http://127.0.0.1:9/prefix")?;
        assert_eq!(
            a.url(&["v1", "instance"], &[]).as_str(),
            "http://127.0.0.1:9/prefix/v1/instance"
        );
        Ok(())
    }

    #[test]
    fn clerk_errors_show_code_message_and_trace_id() {
        let body = br#"{"errors":[{"message":"Unauthorized","long_message":"The secret key is invalid","code":"authentication_invalid"}],"clerk_trace_id":"abc123"}"#;
        let f = status_failure(StatusCode::UNAUTHORIZED, &HeaderMap::new(), body);
        assert_eq!(
            f.clerk.as_deref(),
            Some("authentication_invalid: The secret key is invalid (trace id abc123)")
        );
        assert!(!f.retryable);
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        h.insert("cf-ray", HeaderValue::from_static("ray-1"));
        let f = status_failure(StatusCode::TOO_MANY_REQUESTS, &h, b"not json");
        assert!(f.retryable);
        assert_eq!(f.retry_after, Some(Duration::from_secs(7)));
        assert_eq!(f.clerk.as_deref(), Some("(trace id ray-1)"));
        assert!(status_failure(StatusCode::SERVICE_UNAVAILABLE, &HeaderMap::new(), b"").retryable);
        assert!(!status_failure(StatusCode::PAYMENT_REQUIRED, &HeaderMap::new(), b"").retryable);
    }

    #[test]
    fn clerk_errors_keep_code_param_and_unsupported_features() {
        let body = br#"{"errors":[{"message":"not on plan","long_message":"Upgrade","code":"unsupported_subscription_plan_features","meta":{"unsupported_features":["saml", 3]}},{"message":"off","long_message":"","code":"feature_not_enabled","meta":{"param_name":"organizations"}}],"meta":{}}"#;
        let f = status_failure(StatusCode::FORBIDDEN, &HeaderMap::new(), body);
        assert_eq!(f.errors.len(), 2);
        assert_eq!(f.errors[0].code, "unsupported_subscription_plan_features");
        assert_eq!(f.errors[0].unsupported_features, ["saml"]);
        assert_eq!(f.errors[1].param_name.as_deref(), Some("organizations"));
        assert_eq!(
            f.clerk.as_deref(),
            Some("unsupported_subscription_plan_features: Upgrade; feature_not_enabled: off")
        );
        assert!(
            !f.credential_refused(),
            "a plan answer is not about the key"
        );
        let key =
            br#"{"errors":[{"message":"m","long_message":"l","code":"authorization_invalid"}]}"#;
        assert!(status_failure(StatusCode::FORBIDDEN, &HeaderMap::new(), key).credential_refused());
        let quota = br#"{"errors":[{"message":"m","long_message":"l","code":"quota_exceeded"}]}"#;
        assert!(
            !status_failure(StatusCode::FORBIDDEN, &HeaderMap::new(), quota).credential_refused()
        );
        assert!(
            status_failure(StatusCode::UNAUTHORIZED, &HeaderMap::new(), b"").credential_refused()
        );
    }

    #[test]
    fn retry_after_accepts_http_dates() {
        let mut h = HeaderMap::new();
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
    }
}
