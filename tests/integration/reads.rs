//! The reads of issue 15 (`GET /v1/instance/communication`, `/v1/role_sets`, `/v1/jwks` and the
//! Platform config schema) against the fake Clerk: which requests each credential set sends,
//! exactly; feature and plan answers on role sets; a `404` on an optional read; paging a long
//! role-set list with the fewest requests; JWK private members never kept.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Value, json};
use wiremock::MockServer;

use crate::common::{code, example, live, output, stderr};
use crate::fake::{self, Data, ListResponder, Options, Paging};

const INSTANCE_ID: &str = "ins_2xAcmeProdInstance0000001";
const NEW_BAPI: [&str; 3] = [
    "bapi/communication.json",
    "bapi/role_sets.json",
    "bapi/jwks.json",
];
const SCHEMA: &str = "plapi/config_schema.json";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Apis {
    All,
    NoPlatform,
    FrontendOnly,
}

fn acme() -> Data {
    Data::load(&example("acme-prod"))
}

/// `pull --record rec -o s.json` with `apis`' credentials.
fn pull(server: &MockServer, dir: &Path, apis: Apis) -> std::process::Output {
    let mut cmd = live(&server.uri(), dir);
    if apis != Apis::All {
        cmd.env_remove("CLERK_PLATFORM_API_KEY");
    }
    if apis == Apis::FrontendOnly {
        cmd.env_remove("CLERK_SECRET_KEY");
    }
    output(cmd.args(["pull", "--record", "rec", "-o", "s.json"]))
}

/// Every request's path (with its query), in order; asserts each was a GET.
async fn requests(server: &MockServer) -> Vec<String> {
    let received = server.received_requests().await.expect("recording on");
    received
        .iter()
        .map(|r| {
            assert_eq!(r.method.as_str(), "GET", "{}", r.url);
            match r.url.query() {
                Some(q) => format!("{}?{q}", r.url.path()),
                None => r.url.path().to_owned(),
            }
        })
        .collect()
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(dir.join("rec/recording.json")).expect("recording.json"),
    )
    .expect("JSON")
}

fn recorded(dir: &Path, file: &str) -> Option<Value> {
    let text = std::fs::read_to_string(dir.join("rec").join(file)).ok()?;
    Some(serde_json::from_str(&text).expect("JSON"))
}

/// The exact requests of a pull of the example with all three APIs, one page each.
fn all_requests() -> BTreeSet<String> {
    let page = "?limit=500&offset=0";
    let paginated = "?paginated=true&limit=500&offset=0";
    let platform = format!(
        "/v1/platform/applications/{}/instances/{INSTANCE_ID}",
        fake::APP
    );
    [
        "/v1/environment".to_owned(),
        "/v1/instance".into(),
        "/v1/instance/organization_settings".into(),
        "/v1/instance/protect".into(),
        "/v1/instance/oauth_application_settings".into(),
        "/v1/instance/communication".into(),
        "/v1/domains".into(),
        format!("/v1/jwt_templates{paginated}"),
        format!("/v1/allowlist_identifiers{paginated}"),
        "/v1/blocklist_identifiers".into(),
        format!("/v1/redirect_urls{paginated}"),
        format!("/v1/oauth_applications{page}"),
        format!("/v1/enterprise_connections{page}"),
        format!("/v1/organization_roles{page}"),
        format!("/v1/organization_permissions{page}"),
        format!("/v1/organization_domains{page}"),
        format!("/v1/role_sets{page}"),
        format!("/v1/saml_connections{page}"),
        "/v1/jwks".into(),
        format!("{platform}/config"),
        format!("{platform}/config/schema"),
    ]
    .into_iter()
    .collect()
}

#[tokio::test]
async fn each_credential_set_sends_exactly_its_reads() {
    let all = all_requests();
    for apis in [Apis::All, Apis::NoPlatform, Apis::FrontendOnly] {
        let data = acme();
        let server = fake::start(&data, Options::default()).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let o = pull(&server, dir.path(), apis);
        assert_eq!(code(&o), 0, "{apis:?}: {}", stderr(&o));
        let sent = requests(&server).await;
        let unique: BTreeSet<String> = sent.iter().cloned().collect();
        assert_eq!(
            unique.len(),
            sent.len(),
            "{apis:?}: each read once: {sent:?}"
        );
        let want: BTreeSet<String> = all
            .iter()
            .filter(|r| match apis {
                Apis::All => true,
                Apis::NoPlatform => !r.starts_with("/v1/platform/"),
                Apis::FrontendOnly => *r == "/v1/environment",
            })
            .cloned()
            .collect();
        assert_eq!(unique, want, "{apis:?}");
        let m = manifest(dir.path());
        for file in NEW_BAPI {
            let read = apis != Apis::FrontendOnly;
            assert_eq!(
                recorded(dir.path(), file),
                read.then(|| data.bodies[file].clone()),
                "{apis:?} {file}"
            );
            if !read {
                let why = m["unavailable"][file].as_str().unwrap_or_default();
                assert!(why.contains("no secret key"), "{file}: {why}");
            }
        }
        assert_eq!(
            recorded(dir.path(), SCHEMA),
            (apis == Apis::All).then(|| data.bodies[SCHEMA].clone()),
            "{apis:?}"
        );
        if apis == Apis::All {
            // The schema is read after the config, for the same instance.
            let at = |suffix: &str| {
                sent.iter()
                    .position(|r| r.starts_with("/v1/platform/") && r.ends_with(suffix))
                    .unwrap_or_else(|| panic!("{suffix} requested"))
            };
            assert!(at("/config") < at("/config/schema"));
        } else {
            let why = m["unavailable"][SCHEMA].as_str().unwrap_or_default();
            assert!(why.contains("Platform"), "{apis:?}: {why}");
        }
    }
}

#[tokio::test]
async fn role_sets_off_or_not_on_the_plan_are_answers_recorded_as_disabled() {
    for (refusal, disabled) in [
        (
            (403, "organization_not_enabled_in_instance", "access denied"),
            json!({"feature": "organizations", "status": 403, "code": "organization_not_enabled_in_instance"}),
        ),
        (
            (
                402,
                "unsupported_subscription_plan_features",
                "not included in current plan",
            ),
            json!({"feature": "organizations", "status": 402, "code": "unsupported_subscription_plan_features"}),
        ),
    ] {
        let mut opts = Options::default();
        opts.refusals.insert("bapi/role_sets.json", refusal);
        let server = fake::start(&acme(), opts).await;
        for apis in [Apis::All, Apis::NoPlatform] {
            let dir = tempfile::tempdir().expect("tempdir");
            let o = pull(&server, dir.path(), apis);
            assert_eq!(code(&o), 0, "{apis:?} {refusal:?}: {}", stderr(&o));
            assert!(!stderr(&o).contains("secret key"), "{}", stderr(&o));
            let m = manifest(dir.path());
            assert_eq!(m["disabled"]["bapi/role_sets.json"], disabled, "{apis:?}");
            assert_eq!(recorded(dir.path(), "bapi/role_sets.json"), None);
            // The other new reads are unaffected.
            assert!(recorded(dir.path(), "bapi/jwks.json").is_some());
        }
    }
}

#[tokio::test]
async fn a_404_leaves_an_optional_read_unobserved_and_fails_a_required_one() {
    let not_found = (404, "resource_not_found", "Not found");
    let mut opts = Options::default();
    opts.refusals.insert("bapi/communication.json", not_found);
    opts.refusals.insert(SCHEMA, not_found);
    let server = fake::start(&acme(), opts).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = pull(&server, dir.path(), Apis::All);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let m = manifest(dir.path());
    for (file, request) in [
        (
            "bapi/communication.json",
            "GET /v1/instance/communication".to_owned(),
        ),
        (
            SCHEMA,
            format!(
                "GET /v1/platform/applications/{}/instances/{INSTANCE_ID}/config/schema",
                fake::APP
            ),
        ),
    ] {
        assert_eq!(
            m["unavailable"][file],
            json!(format!(
                "{request} answered 404 Not Found (not available on this instance)"
            ))
        );
        assert_eq!(m["disabled"].get(file), None);
    }
    // Every instance has a key set: a 404 there is a failure.
    let mut opts = Options::default();
    opts.refusals.insert("bapi/jwks.json", not_found);
    let server = fake::start(&acme(), opts).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = pull(&server, dir.path(), Apis::All);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("Backend API GET /v1/jwks: 404 Not Found"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("s.json").exists());
}

#[tokio::test]
async fn a_refused_platform_key_sends_no_schema_read() {
    let server = fake::start(&acme(), Options::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = output(
        live(&server.uri(), dir.path())
            .env("CLERK_PLATFORM_API_KEY", "ak_WRONGplatformKEY")
            .args(["pull", "-o", "s.json"]),
    );
    assert_eq!(code(&o), 1);
    let platform: Vec<String> = requests(&server)
        .await
        .into_iter()
        .filter(|r| r.starts_with("/v1/platform/"))
        .collect();
    assert_eq!(
        platform,
        [format!(
            "/v1/platform/applications/{}/instances/{INSTANCE_ID}/config",
            fake::APP
        )]
    );
}

#[tokio::test]
async fn a_long_role_set_list_is_read_whole_with_the_fewest_requests() {
    let mut data = acme();
    let sets: Vec<Value> = (0..1234)
        .map(|i| {
            json!({"object": "role_set", "id": format!("rs_{i:05}"), "name": format!("Tier {i}"),
                "key": format!("role_set:tier_{i:05}"), "description": null, "roles": [],
                "default_role": null, "creator_role": null, "type": "custom",
                "role_set_migration": null, "created_at": 1, "updated_at": 1})
        })
        .collect();
    *data.list_mut("bapi/role_sets.json") = sets.clone();
    let mut opts = Options::default();
    opts.lists.insert(
        "bapi/role_sets.json",
        ListResponder::new(sets, Paging::LimitOffset),
    );
    let server = fake::start(&data, opts).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = pull(&server, dir.path(), Apis::NoPlatform);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut pages: Vec<String> = requests(&server)
        .await
        .into_iter()
        .filter(|r| r.starts_with("/v1/role_sets"))
        .collect();
    pages.sort();
    assert_eq!(
        pages,
        [
            "/v1/role_sets?limit=500&offset=0",
            "/v1/role_sets?limit=500&offset=1000",
            "/v1/role_sets?limit=500&offset=500",
        ]
    );
    let rec = recorded(dir.path(), "bapi/role_sets.json").expect("recorded");
    let entries = rec
        .as_array()
        .or_else(|| rec["data"].as_array())
        .expect("a list");
    assert_eq!(entries.len(), 1234);
    let keys: BTreeSet<&str> = entries.iter().filter_map(|e| e["key"].as_str()).collect();
    assert_eq!(keys.len(), 1234);
}

#[tokio::test]
async fn public_keys_are_kept_and_private_jwk_members_never_are() {
    let mut data = acme();
    let jwks = data.bodies.get_mut("bapi/jwks.json").expect("jwks");
    let public = jwks["keys"][0].clone();
    jwks["keys"].as_array_mut().expect("keys").push(
        json!({"kid": "leaked", "alg": "RS256", "use": "sig", "kty": "RSA",
            "n": "bW9kdWx1cw", "e": "AQAB", "d": "CANARY-private-exponent",
            "p": "CANARY-p", "q": "CANARY-q", "dp": "CANARY-dp", "dq": "CANARY-dq",
            "qi": "CANARY-qi"}),
    );
    let server = fake::start(&data, Options::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = pull(&server, dir.path(), Apis::All);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let rec = recorded(dir.path(), "bapi/jwks.json").expect("recorded");
    assert_eq!(
        rec["keys"][0], public,
        "the public key, `n` and `e` included"
    );
    assert_eq!(rec["keys"][1]["n"], "bW9kdWx1cw");
    assert_eq!(rec["keys"][1]["d"], "[redacted by clerk-drift]");
    for (rel, body) in crate::common::json_files(dir.path()) {
        assert!(
            !body.to_string().contains("CANARY"),
            "{} holds a private key member",
            rel.display()
        );
    }
    assert!(!crate::common::stdout(&o).contains("CANARY"));
    assert!(!stderr(&o).contains("CANARY"));
}
