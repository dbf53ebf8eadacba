//! `pull` (and live `plan`/`check`) against the fake Clerk: equivalence with the offline path,
//! pagination, order, faults, credentials, read-only, and secrets.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{self, code, comparable, example, live, output, stderr, stdout};
use crate::fake::{self, Data, ListResponder, Options, Paging, clerk_error};

fn acme() -> Data {
    Data::load(&example("acme-prod"))
}

/// The snapshot `snapshot --from-dir` makes of the fake's data.
fn offline_snapshot_of(data: &Data) -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    data.write(dir.path());
    offline_snapshot(dir.path())
}

fn offline_snapshot(dir: &Path) -> Value {
    let o = common::run(&["snapshot", "--from-dir", dir.to_str().expect("utf-8 path")]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    comparable(&stdout(&o))
}

/// Every request the fake received was a GET, with Clerk's headers; returns their count.
async fn assert_read_only(server: &MockServer) -> usize {
    let requests = server.received_requests().await.expect("recording on");
    for r in &requests {
        assert_eq!(r.method.as_str(), "GET", "{} {}", r.method, r.url);
        let h = |k: &str| r.headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or("");
        assert_eq!(h("clerk-api-version"), "2026-05-12", "{}", r.url);
        assert_eq!(h("accept"), "application/json", "{}", r.url);
        assert!(h("user-agent").starts_with("clerk-drift/"), "{}", r.url);
        let auth = h("authorization");
        if r.url.path() == "/v1/environment" {
            assert_eq!(auth, "", "the Frontend API gets no credential");
        } else if r.url.path().starts_with("/v1/platform/") {
            assert_eq!(auth, format!("Bearer {}", fake::PLATFORM_KEY));
            assert!(!r.url.query().unwrap_or("").contains("include_secret_keys"));
        } else {
            assert_eq!(auth, format!("Bearer {}", fake::SECRET_KEY));
        }
    }
    requests.len()
}

fn assert_no_canary(haystack: &str, what: &str) {
    for canary in [fake::SECRET_KEY, fake::PLATFORM_KEY, "CANARY"] {
        assert!(!haystack.contains(canary), "{what} contains `{canary}`");
    }
}

#[tokio::test]
async fn pull_equals_snapshot_from_dir_of_the_same_data() {
    let data = acme();
    let server = fake::start(&data, Options::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = output(live(&server.uri(), dir.path()).args(["pull", "-o", "snap.json"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let pulled = std::fs::read_to_string(dir.path().join("snap.json")).expect("snapshot written");
    assert_eq!(comparable(&pulled), offline_snapshot_of(&data));
    // A pull records when it happened.
    let v: Value = serde_json::from_str(&pulled).expect("JSON");
    assert!(
        v["meta"]["collected_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    // Three sources observed.
    for source in ["fapi", "bapi", "plapi"] {
        assert!(
            v["coverage"]["sources"][source]
                .as_array()
                .is_some_and(|a| !a.is_empty()),
            "{source}"
        );
    }
    // 1 FAPI + 18 BAPI + 2 PLAPI (the config and its schema), one page each.
    assert_eq!(assert_read_only(&server).await, 21);
    // The Platform config is read for the instance the Backend API names, after it.
    let requests = server.received_requests().await.expect("recording on");
    let at = |p: &str| {
        requests
            .iter()
            .position(|r| r.url.path() == p)
            .unwrap_or_else(|| panic!("{p} requested"))
    };
    let platform = at(&fake::plapi_path("ins_2xAcmeProdInstance0000001"));
    assert!(at("/v1/instance") < platform);
    assert!(at("/v1/instance") < at("/v1/organization_domains"));
    assert_eq!(
        v["settings"]["organization_domains"],
        json!({"acme.com": {"verified": true, "enrollment_mode": "automatic_suggestion"},
               "acme-labs.com": {"verified": false, "enrollment_mode": "manual_invitation"}})
    );
    assert_eq!(
        stderr(&o).matches("applications:manage").count(),
        1,
        "warned once: {}",
        stderr(&o)
    );
}

#[tokio::test]
async fn pages_over_both_list_shapes_and_server_page_caps() {
    let mut data = acme();
    let allow: Vec<Value> = (0..1234)
        .map(|i| json!({"object": "allowlist_identifier", "id": format!("alid_{i:05}"),
            "identifier": format!("user{i:05}@acme.test"), "identifier_type": "email_address",
            "invitation_id": null, "created_at": 1_700_000_000_000_i64, "updated_at": 1_700_000_000_000_i64}))
        .collect();
    let redirects: Vec<Value> = (0..1100)
        .map(|i| {
            json!({"object": "redirect_url", "id": format!("ru_{i:05}"),
            "url": format!("acme{i:05}://callback"), "created_at": 1, "updated_at": 1})
        })
        .collect();
    *data.list_mut("bapi/allowlist_identifiers.json") = allow.clone();
    *data.list_mut("bapi/redirect_urls.json") = redirects.clone();
    let mut opts = Options::default();
    // The allowlist: envelopes, but the server serves at most 100 per page.
    let mut a = ListResponder::new(allow, Paging::Paginated);
    a.cap = 100;
    opts.lists.insert("bapi/allowlist_identifiers.json", a);
    // Redirect URLs: bare arrays only (no total_count), read until a short page.
    let mut r = ListResponder::new(redirects, Paging::Paginated);
    r.bare_only = true;
    opts.lists.insert("bapi/redirect_urls.json", r);
    let server = fake::start(&data, opts).await;

    let dir = tempfile::tempdir().expect("tempdir");
    let o = output(live(&server.uri(), dir.path()).args(["pull", "-o", "snap.json"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let snap: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("snap.json")).expect("written"),
    )
    .expect("JSON");
    let ids = snap["settings"]["restrictions"]["allowlist"]["identifiers"]
        .as_array()
        .expect("identifiers");
    assert_eq!(ids.len(), 1234);
    assert!(ids.contains(&json!("user01233@acme.test")));
    let urls = snap["settings"]["instance"]["redirect_urls"]
        .as_array()
        .expect("urls");
    assert_eq!(urls.len(), 1100);

    let requests = server.received_requests().await.expect("recording on");
    let count = |p: &str| requests.iter().filter(|r| r.url.path() == p).count();
    assert_eq!(
        count("/v1/allowlist_identifiers"),
        13,
        "1234 entries at 100 per page"
    );
    assert_eq!(count("/v1/redirect_urls"), 3, "500 + 500 + 100");
    for r in requests
        .iter()
        .filter(|r| r.url.path() == "/v1/allowlist_identifiers")
    {
        let q = r.url.query().unwrap_or("");
        assert!(
            q.contains("limit=500") && q.contains("paginated=true"),
            "{q}"
        );
    }
    assert_read_only(&server).await;
}

#[tokio::test]
async fn shuffled_lists_give_an_identical_snapshot() {
    let data = acme();
    let mut shuffled = data.clone();
    for body in shuffled.bodies.values_mut() {
        common::map_arrays(body, &mut |items| items.reverse());
    }
    let a = fake::start(&data, Options::default()).await;
    let b = fake::start(&shuffled, Options::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let oa = output(live(&a.uri(), dir.path()).args(["pull"]));
    let ob = output(live(&b.uri(), dir.path()).args(["pull"]));
    assert_eq!(code(&oa), 0, "{}", stderr(&oa));
    assert_eq!(code(&ob), 0, "{}", stderr(&ob));
    assert_eq!(comparable(&stdout(&oa)), comparable(&stdout(&ob)));
}

/// Mounts `template` for the first `times` requests to `url_path`, ahead of the normal mock.
async fn fail_first(server: &MockServer, url_path: &str, template: ResponseTemplate, times: u64) {
    Mock::given(method("GET"))
        .and(path(url_path))
        .respond_with(template)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn transient_faults_are_retried_into_a_correct_snapshot() {
    let data = acme();
    let server = fake::start(&data, Options::default()).await;
    fail_first(
        &server,
        "/v1/instance",
        clerk_error(429, "too_many_requests", "Too many requests")
            .insert_header("retry-after", "1"),
        1,
    )
    .await;
    fail_first(&server, "/v1/domains", ResponseTemplate::new(503), 2).await;
    // A body cut off mid-document.
    fail_first(
        &server,
        "/v1/environment",
        ResponseTemplate::new(200).set_body_raw(
            r#"{"auth_config": {"object": "auth_con"#,
            "application/json",
        ),
        1,
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = output(live(&server.uri(), dir.path()).args(["pull", "--verbose", "-o", "s.json"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.path().join("s.json")).expect("written");
    assert_eq!(comparable(&text), offline_snapshot_of(&data));
    let err = stderr(&o);
    assert!(err.contains("GET /v1/instance → 429"), "{err}");
    assert!(
        err.contains("retrying in 1000 ms"),
        "Retry-After honoured: {err}"
    );
    assert!(err.contains("GET /v1/domains → 503"), "{err}");
    assert!(err.contains("not valid JSON"), "{err}");
    let requests = server.received_requests().await.expect("recording on");
    let count = |p: &str| requests.iter().filter(|r| r.url.path() == p).count();
    assert_eq!(count("/v1/instance"), 2);
    assert_eq!(count("/v1/domains"), 3);
    assert_eq!(count("/v1/environment"), 2);
}

/// A config that keeps exhausted retries short.
fn quick_config(dir: &Path) {
    std::fs::write(dir.join("clerk-drift.toml"), "[pull]\nretries = 1\n").expect("write config");
}

#[tokio::test]
async fn persistent_failure_exits_1_without_a_file_unless_allow_partial() {
    let server = fake::start(&acme(), Options::default()).await;
    fail_first(
        &server,
        "/v1/jwt_templates",
        ResponseTemplate::new(503),
        100,
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    quick_config(dir.path());
    std::fs::write(dir.path().join("s.json"), "previous").expect("write");
    let o = output(live(&server.uri(), dir.path()).args(["pull", "-o", "s.json"]));
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("incomplete pull, no snapshot written"),
        "{err}"
    );
    assert!(
        err.contains("Backend API GET /v1/jwt_templates: 503 Service Unavailable"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("s.json")).expect("kept"),
        "previous"
    );

    let o =
        output(live(&server.uri(), dir.path()).args(["pull", "--allow-partial", "-o", "s.json"]));
    assert_eq!(code(&o), 1, "gaps still mean incomplete data");
    let snap: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("s.json")).expect("written"))
            .expect("JSON");
    let unobserved = snap["coverage"]["unobserved"].to_string();
    assert!(
        unobserved.contains("jwt_templates") && unobserved.contains("503"),
        "{unobserved}"
    );
    assert!(stderr(&o).contains("incomplete:"), "{}", stderr(&o));
}

#[tokio::test]
async fn a_list_that_changes_once_is_reread_and_one_that_keeps_changing_fails() {
    let mut data = acme();
    let allow: Vec<Value> = (0..1200)
        .map(|i| json!({"id": format!("alid_{i:05}"), "identifier": format!("u{i:05}@acme.test"),
            "identifier_type": "email_address", "object": "allowlist_identifier", "created_at": 1, "updated_at": 1}))
        .collect();
    *data.list_mut("bapi/allowlist_identifiers.json") = allow.clone();

    // One entry is added after the first page was served: the first read sees total_count move.
    let mut once = ListResponder::new(allow.clone(), Paging::Paginated);
    once.grow = Some(Arc::new(|n| usize::from(n >= 1)));
    let mut opts = Options::default();
    opts.lists.insert("bapi/allowlist_identifiers.json", once);
    let server = fake::start(&data, opts).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = output(live(&server.uri(), dir.path()).args(["pull", "-o", "s.json"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let snap: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("s.json")).expect("written"))
            .expect("JSON");
    let ids = snap["settings"]["restrictions"]["allowlist"]["identifiers"]
        .as_array()
        .expect("ids");
    assert_eq!(ids.len(), 1201, "the re-read has the new entry");

    // An entry is added before every request: never consistent.
    let mut always = ListResponder::new(allow, Paging::Paginated);
    always.grow = Some(Arc::new(|n| n));
    let mut opts = Options::default();
    opts.lists.insert("bapi/allowlist_identifiers.json", always);
    let server = fake::start(&data, opts).await;
    let o = output(live(&server.uri(), dir.path()).args(["pull", "-o", "t.json"]));
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("GET /v1/allowlist_identifiers: the list changed while it was read"),
        "{err}"
    );
    assert!(!dir.path().join("t.json").exists(), "no partial file");
}

#[tokio::test]
async fn credential_errors_name_the_credential_and_clerks_words() {
    let server = fake::start(&acme(), Options::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    // 401: a wrong secret key (the fake only accepts the canary).
    let o = output(
        live(&server.uri(), dir.path())
            .env("CLERK_SECRET_KEY", "sk_live_WRONGkeyWRONGkeyWRONG42")
            .args(["pull", "--verbose", "-o", "s.json"]),
    );
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(err.contains("Backend API GET /v1/instance: 401 Unauthorized: authentication_invalid: Invalid secret key (long) (trace id trace-authentication_invalid) — check the secret key from environment variable CLERK_SECRET_KEY: Clerk did not accept it; no further Backend API request was sent"), "{err}");
    assert!(!err.contains("--allow-partial"), "{err}");
    assert!(
        !err.contains("WRONGkey"),
        "the key itself is never shown: {err}"
    );
    assert!(!dir.path().join("s.json").exists());

    // 403 from the Platform API: the key lacks the scope.
    let server = fake::start(&acme(), Options::default()).await;
    fail_first(
        &server,
        &fake::plapi_path("ins_2xAcmeProdInstance0000001"),
        clerk_error(
            403,
            "authorization_invalid",
            "Missing scope applications:manage",
        ),
        10,
    )
    .await;
    let o = output(live(&server.uri(), dir.path()).args(["pull"]));
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(err.contains("Platform API GET /v1/platform/applications/app_2acmeExampleApp/instances/ins_2xAcmeProdInstance0000001/config: 403 Forbidden"), "{err}");
    assert!(
        err.contains("the Platform API key from environment variable CLERK_PLATFORM_API_KEY"),
        "{err}"
    );
    assert!(err.contains("`applications:manage` scope"), "{err}");
}

#[tokio::test]
async fn payment_required_marks_the_part_unobserved_not_failed() {
    let server = fake::start(&acme(), Options::default()).await;
    fail_first(
        &server,
        "/v1/instance/organization_settings",
        clerk_error(402, "feature_not_enabled", "Organizations are not enabled"),
        10,
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    // Without the Platform API, some organization settings come from BAPI only.
    let o = output(
        live(&server.uri(), dir.path())
            .env_remove("CLERK_PLATFORM_API_KEY")
            .args(["pull"]),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let snap: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let files = snap["coverage"]["sources"]["bapi"].to_string();
    assert!(!files.contains("organization_settings"), "{files}");
    let unobserved = snap["coverage"]["unobserved"]
        .as_array()
        .expect("unobserved");
    let entry = unobserved
        .iter()
        .find(|u| u["path"] == "organizations.max_allowed_roles")
        .expect("max_allowed_roles unobserved");
    let reason = entry["reason"].as_str().expect("reason");
    assert!(
        reason.contains("bapi/organization_settings.json not recorded: Organizations are not on this instance's plan (402 feature_not_enabled)"),
        "{reason}"
    );
}

#[test]
fn malformed_publishable_key_and_plain_http_are_refused_before_any_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = output(
        live("http://127.0.0.1:9", dir.path())
            .env("CLERK_PUBLISHABLE_KEY", "pk_live_bm90LWEtaG9zdA")
            .args(["pull"]),
    );
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("CLERK_PUBLISHABLE_KEY: publishable key `pk_live_…` does not decode to a Frontend API host"), "{}", stderr(&o));

    // 192.0.2.1 (TEST-NET-1) would hang if contacted: the refusal must come first.
    let o = output(
        live("http://127.0.0.1:9", dir.path())
            .env("CLERK_BACKEND_API_URL", "http://192.0.2.1")
            .args(["pull"]),
    );
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("refusing plain http:// to a non-loopback host (http://192.0.2.1/)"),
        "{err}"
    );
    assert_no_canary(&err, "the error");

    // A secret key from a development instance with a production publishable key.
    let o = output(
        live("http://127.0.0.1:9", dir.path())
            .env("CLERK_SECRET_KEY", "sk_test_CANARYotherINSTANCE000000")
            .args(["pull"]),
    );
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("is for a development instance but the publishable key"),
        "{}",
        stderr(&o)
    );
    assert_no_canary(&stderr(&o), "the error");
}

#[tokio::test]
async fn record_round_trip_gives_identical_bytes_and_no_secrets() {
    let mut data = acme();
    // Make sure a provider with custom credentials carries a canary client_secret.
    let config = data
        .bodies
        .get_mut("plapi/config.json")
        .expect("plapi config");
    config["connection_oauth_google"]["client_secret"] = json!("GOCSPX-CANARY-live-pull-secret");
    config["connection_oauth_google"]["client_id"] = json!("custom-id.apps.googleusercontent.com");
    let server = fake::start(&data, Options::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = output(live(&server.uri(), dir.path()).args([
        "pull",
        "--verbose",
        "--record",
        "rec",
        "-o",
        "pulled.json",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_no_canary(&stdout(&o), "stdout");
    assert_no_canary(&stderr(&o), "stderr");
    let pulled = std::fs::read_to_string(dir.path().join("pulled.json")).expect("snapshot");
    assert_no_canary(&pulled, "the snapshot");
    let v: Value = serde_json::from_str(&pulled).expect("JSON");
    assert_eq!(
        v["settings"]["oauth_providers"]["google"]["client_secret"],
        "present"
    );

    for (rel, body) in common::json_files(&dir.path().join("rec")) {
        assert_no_canary(&body.to_string(), &rel.display().to_string());
    }
    let again = common::run(&[
        "snapshot",
        "--from-dir",
        dir.path().join("rec").to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert_eq!(
        stdout(&again),
        pulled,
        "byte-identical, collected_at included"
    );

    // Re-recording replaces the earlier recording; a non-recording directory is refused.
    let o = output(live(&server.uri(), dir.path()).args(["pull", "--record", "rec", "-q"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::fs::create_dir(dir.path().join("other")).expect("mkdir");
    std::fs::write(dir.path().join("other/notes.txt"), "mine").expect("write");
    let o = output(live(&server.uri(), dir.path()).args(["pull", "--record", "other"]));
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("is not a recording"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("other/notes.txt")).expect("kept"),
        "mine"
    );
}

#[tokio::test]
async fn secrets_stay_out_of_every_failure_message_too() {
    let server = fake::start(&acme(), Options::default()).await;
    fail_first(
        &server,
        "/v1/instance",
        clerk_error(500, "internal", "boom"),
        100,
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    quick_config(dir.path());
    let o = output(live(&server.uri(), dir.path()).args(["pull", "--verbose"]));
    assert_eq!(code(&o), 1);
    assert_no_canary(&stdout(&o), "stdout");
    assert_no_canary(&stderr(&o), "stderr");
    assert!(
        stderr(&o).contains("500 Internal Server Error"),
        "{}",
        stderr(&o)
    );
}

#[tokio::test]
async fn plan_and_check_pull_when_no_snapshot_is_given() {
    let server = fake::start(&acme(), Options::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("clerk-drift.toml"),
        format!(
            "[instances.prod]\npublishable_key = \"{}\"\nplatform_application_id = \"{}\"\nbaseline = \"{}\"\n",
            common::PUBLISHABLE_KEY,
            fake::APP,
            common::baseline().display()
        ),
    )
    .expect("config");
    let o = output(
        live(&server.uri(), dir.path())
            .env_remove("CLERK_APPLICATION_ID")
            .args(["plan"]),
    );
    let out = stdout(&o);
    assert!(
        out.contains("Plan: live pull of instance `prod` (current)"),
        "{out}"
    );
    assert!(out.contains("no drift"), "{out}");
    // The hardened example has no failing high findings.
    assert_eq!(code(&o), 0, "{out}\n{}", stderr(&o));

    let o = output(live(&server.uri(), dir.path()).args(["check", "--fail-on", "none"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("Policy:"), "{}", stdout(&o));
}

#[tokio::test]
async fn frontend_only_pull_works_without_any_secret() {
    let server = fake::start(&acme(), Options::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = output(
        live(&server.uri(), dir.path())
            .env_remove("CLERK_SECRET_KEY")
            .env_remove("CLERK_PLATFORM_API_KEY")
            .args(["pull"]),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let snap: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let reasons = snap["coverage"]["unobserved"].to_string();
    assert!(
        reasons.contains("no secret key: set CLERK_SECRET_KEY"),
        "{reasons}"
    );
    assert!(reasons.contains("no Platform API key"), "{reasons}");
    assert!(stderr(&o).contains("Backend API skipped"), "{}", stderr(&o));
    let requests = server.received_requests().await.expect("recording on");
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].url.path(), "/v1/environment");
}

#[tokio::test]
async fn slow_servers_time_out_into_a_clear_error() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/environment"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({}))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("clerk-drift.toml"),
        "[pull]\nretries = 0\ntimeout_seconds = 1\n",
    )
    .expect("config");
    let o = output(
        live(&server.uri(), dir.path())
            .env_remove("CLERK_SECRET_KEY")
            .env_remove("CLERK_PLATFORM_API_KEY")
            .args(["pull"]),
    );
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("Frontend API GET /v1/environment: timed out"),
        "{}",
        stderr(&o)
    );
}

/// A key names one instance: `--all` with `--publishable-key` or `--secret-key-file` would pull
/// every instance as that one; refused before any request.
#[tokio::test]
async fn plan_all_refuses_one_instances_keys() {
    let server = fake::start(&acme(), Options::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("clerk-drift.toml"),
        format!(
            "[instances.prod]\npublishable_key = \"{pk}\"\nbaseline = \"{b}\"\n",
            pk = common::PUBLISHABLE_KEY,
            b = common::baseline().display()
        ),
    )
    .expect("config");
    let key_file = dir.path().join("sk");
    std::fs::write(&key_file, "sk_test_x").expect("key file");
    for flag in [
        vec!["--publishable-key", common::PUBLISHABLE_KEY],
        vec!["--secret-key-file", key_file.to_str().expect("utf-8")],
    ] {
        let mut args = vec!["plan", "--all", "-q"];
        args.extend(flag);
        let o = output(live(&server.uri(), dir.path()).args(&args));
        assert_eq!(code(&o), 1, "{args:?}");
        assert_eq!(
            stderr(&o),
            "error: --all plans every instance with its own keys: drop --publishable-key and --secret-key-file, and set `publishable_key` and `secret_key_env` (or `secret_key_file`) in each [instances.NAME] table\n",
            "{args:?}"
        );
    }
    assert_eq!(
        server
            .received_requests()
            .await
            .expect("recording on")
            .len(),
        0
    );
}

#[tokio::test]
async fn plan_all_runs_every_instance_with_a_combined_exit_code() {
    let server = fake::start(&acme(), Options::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let drifted = common::run(&["snapshot", "--from-dir", "examples/acme-prod-drifted"]);
    std::fs::write(dir.path().join("old.json"), stdout(&drifted)).expect("write");
    std::fs::write(
        dir.path().join("clerk-drift.toml"),
        format!(
            "[instances.prod]\npublishable_key = \"{pk}\"\nbaseline = \"{b}\"\n\n[instances.old]\npublishable_key = \"{pk}\"\nbaseline = \"old.json\"\n",
            pk = common::PUBLISHABLE_KEY,
            b = common::baseline().display()
        ),
    )
    .expect("config");
    let o = output(live(&server.uri(), dir.path()).args(["plan", "--all", "-q"]));
    let out = stdout(&o);
    assert_eq!(code(&o), 2, "prod clean, old drifted: {out}{}", stderr(&o));
    let old = out.find("═══ instance old ═══").expect("old section");
    let prod = out.find("═══ instance prod ═══").expect("prod section");
    assert!(old < prod, "name order");
    assert!(out.contains("All instances: exit 2"), "{out}");

    let o =
        output(live(&server.uri(), dir.path()).args(["plan", "--all", "-q", "--format", "json"]));
    let doc: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(doc["exit_code"], 2);
    assert_eq!(doc["instances"]["prod"]["exit_code"], 0);
    assert_eq!(doc["instances"]["old"]["exit_code"], 2);
    assert!(
        doc["instances"]["old"]["drift"]
            .as_array()
            .is_some_and(|d| !d.is_empty())
    );

    // SARIF and JUnit too (issue 16 item 5; ci.rs checks them in detail).
    let o = output(live(&server.uri(), dir.path()).args(["plan", "--all", "--format", "sarif"]));
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).expect("SARIF");
    assert_eq!(
        doc["runs"][0]["automationDetails"]["id"],
        "clerk-drift/plan/old/"
    );
    assert_eq!(
        doc["runs"][1]["automationDetails"]["id"],
        "clerk-drift/plan/prod/"
    );
}

#[tokio::test]
async fn audit_all_writes_one_verified_bundle_per_instance_with_the_call_log() {
    let server = fake::start(&acme(), Options::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("clerk-drift.toml"),
        format!(
            "[instances.prod]\npublishable_key = \"{pk}\"\nbaseline = \"{b}\"\n\n[instances.staging]\npublishable_key = \"{pk}\"\nbaseline = \"{b}\"\n",
            pk = common::PUBLISHABLE_KEY,
            b = common::baseline().display()
        ),
    )
    .expect("config");
    let o = output(live(&server.uri(), dir.path()).args([
        "audit",
        "--all",
        "-q",
        "--period",
        "2026-Q4",
        "--out",
        "audits/2026-Q4",
    ]));
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    for name in ["prod", "staging"] {
        let bundle = dir.path().join("audits/2026-Q4").join(name);
        let v = output(live(&server.uri(), dir.path()).args([
            "evidence",
            "verify",
            bundle.to_str().expect("utf-8"),
        ]));
        assert_eq!(code(&v), 0, "{name}: {}", stderr(&v));
        let manifest: Value = serde_json::from_str(
            &std::fs::read_to_string(bundle.join("manifest.json")).expect("manifest"),
        )
        .expect("JSON");
        assert_eq!(manifest["run"]["instance"], name);
        assert!(
            manifest["tool"]["commit"]
                .as_str()
                .is_some_and(|c| !c.is_empty())
        );
        let calls = manifest["run"]["api_calls"].as_array().expect("call log");
        let env = calls
            .iter()
            .find(|c| c["request"] == "GET /v1/environment")
            .expect("FAPI call logged");
        assert_eq!(env["count"], 1);
        assert_eq!(env["statuses"]["200"], 1);
        assert_no_canary(
            &std::fs::read_to_string(bundle.join("manifest.json")).expect("manifest"),
            "manifest",
        );
    }
}

/// Counts the progress events of a pull.
#[derive(Default)]
struct Requests {
    sent: std::sync::atomic::AtomicU32,
    ended: std::sync::atomic::AtomicU32,
}

impl clerk_drift::clerk::Observer for Requests {
    fn event(&self, event: &clerk_drift::clerk::Event) {
        use std::sync::atomic::Ordering::Relaxed;
        match event {
            clerk_drift::clerk::Event::RequestSent => self.sent.fetch_add(1, Relaxed),
            clerk_drift::clerk::Event::RequestEnded => self.ended.fetch_add(1, Relaxed),
            _ => 0,
        };
    }
}

/// The progress line's events: every request sent, a retry included, is reported ended, so the
/// line's "in flight" comes back to 0 (before, a retry was counted sent twice and done once).
#[test]
fn every_request_sent_is_reported_ended_a_retry_included() {
    use clerk_drift::clerk;
    use clerk_drift::recording::Source;
    use std::sync::atomic::Ordering::Relaxed;
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        // The first request of all is answered 503 (and retried); every other one 200.
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .with_priority(2)
            .mount(&server)
            .await;
        server
    });
    let target = clerk::Target {
        fapi: Some(
            clerk::Api::new(Source::Fapi, &server.uri(), None, "the fake".into()).expect("api"),
        ),
        ..Default::default()
    };
    let mut opts = clerk::Options::for_env(None);
    opts.backoff_min = Duration::from_millis(1);
    let counts = Arc::new(Requests::default());
    let pulled = clerk::pull(target, opts, counts.clone(), true).expect("pull");
    let requests = runtime
        .block_on(server.received_requests())
        .expect("recording on");
    let received = requests.len();
    let paths = requests
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    assert_eq!(received, paths + 1, "one request retried once");
    let (sent, ended) = (counts.sent.load(Relaxed), counts.ended.load(Relaxed));
    assert_eq!(sent as usize, received);
    assert_eq!(ended, sent);
    assert_eq!(pulled.requests, sent);
}
