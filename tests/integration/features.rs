//! Real instances have features switched off or left off their plan, and keys that can be wrong:
//! against the fake Clerk, a feature that is off is a fact (exit 0, the key never blamed), a
//! refused credential stops its API at once with one line, and the Platform config is never read
//! for another instance than the one the other APIs describe. Each case with all three APIs,
//! without the Platform API, and with the Frontend API alone where that can tell.

use std::path::Path;

use serde_json::{Value, json};
use wiremock::MockServer;

use crate::common::{self, code, example, live, output, stderr, stdout};
use crate::fake::{self, Data, Options};

const INSTANCE_ID: &str = "ins_2xAcmeProdInstance0000001";
const ORG_OFF: (u16, &str, &str) = (403, "organization_not_enabled_in_instance", "access denied");
const ORGS_OFF_REASON: &str =
    "Organizations are not enabled on this instance (403 organization_not_enabled_in_instance)";

/// Which APIs a run reads.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Apis {
    All,
    NoPlatform,
    FrontendOnly,
}

/// `check`, `plan` and `audit` refuse to skip an API nobody said to go without: the views
/// without an API say so (`--without`), as a user with such an instance does.
fn run(server: &MockServer, dir: &Path, apis: Apis, args: &[&str]) -> std::process::Output {
    let mut cmd = live(&server.uri(), dir);
    cmd.args(args);
    let whole = ["check", "plan", "audit"].contains(&args[0]);
    if apis != Apis::All {
        cmd.env_remove("CLERK_PLATFORM_API_KEY");
        if whole {
            cmd.args(["--without", "platform"]);
        }
    }
    if apis == Apis::FrontendOnly {
        cmd.env_remove("CLERK_SECRET_KEY");
        if whole {
            cmd.args(["--without", "backend"]);
        }
    }
    output(&mut cmd)
}

/// An instance without Organizations, as Clerk serves one: every source says `enabled: false`,
/// the organization lists answer 403.
fn orgs_off() -> (Data, Options) {
    let mut data = Data::load(&example("acme-prod"));
    data.bodies.remove("bapi/organization_roles.json");
    data.bodies.remove("bapi/organization_permissions.json");
    data.bodies.remove("bapi/organization_domains.json");
    data.bodies.remove("bapi/role_sets.json");
    data.bodies
        .get_mut("bapi/organization_settings.json")
        .expect("settings")["enabled"] = json!(false);
    data.bodies
        .get_mut("fapi/environment.json")
        .expect("environment")["organization_settings"]["enabled"] = json!(false);
    data.bodies.get_mut("plapi/config.json").expect("config")["organization_settings"]["enabled"] =
        json!(false);
    let mut opts = Options::default();
    for file in [
        "bapi/organization_roles.json",
        "bapi/organization_permissions.json",
        "bapi/organization_domains.json",
        "bapi/role_sets.json",
    ] {
        opts.refusals.insert(file, ORG_OFF);
    }
    (data, opts)
}

/// Nothing a user reads blames a key. (The note that a Frontend-API-only run has no secret key
/// is not blame: it is left out.)
fn assert_key_not_blamed(text: &str, what: &str) {
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("warning: Backend API skipped: no secret key"))
        .collect::<Vec<_>>()
        .join("\n");
    let text = text.as_str();
    for blame in [
        "secret key",
        "CLERK_SECRET_KEY",
        "check the",
        "--allow-partial",
    ] {
        assert!(!text.contains(blame), "{what} mentions `{blame}`:\n{text}");
    }
}

fn unobserved_reason(snap: &Value, path: &str) -> String {
    snap["coverage"]["unobserved"]
        .as_array()
        .expect("unobserved")
        .iter()
        .find(|u| u["path"] == path)
        .and_then(|u| u["reason"].as_str())
        .unwrap_or_else(|| panic!("{path} is not unobserved"))
        .to_owned()
}

#[tokio::test]
async fn an_instance_without_organizations_pulls_clean_with_the_fact_recorded() {
    let (data, opts) = orgs_off();
    let server = fake::start(&data, opts).await;
    for (apis, provenance) in [
        (Apis::All, "plapi"),
        (Apis::NoPlatform, "bapi"),
        (Apis::FrontendOnly, "fapi"),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let o = run(
            &server,
            dir.path(),
            apis,
            &["pull", "--record", "rec", "-o", "s.json"],
        );
        assert_eq!(code(&o), 0, "{apis:?}: {}", stderr(&o));
        let text = std::fs::read_to_string(dir.path().join("s.json")).expect("written");
        let snap: Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(
            snap["settings"]["organizations"]["enabled"],
            json!(false),
            "{apis:?}"
        );
        assert_eq!(
            snap["provenance"]["organizations.enabled"], provenance,
            "{apis:?}"
        );
        let conflicts = snap["conflicts"].to_string();
        assert!(
            !conflicts.contains("organizations"),
            "{apis:?}: {conflicts}"
        );
        if apis == Apis::FrontendOnly {
            // No Backend API: nothing was refused, the lists are simply not read.
            let reason = unobserved_reason(&snap, "organizations.roles");
            assert!(reason.contains("no secret key"), "{reason}");
        } else {
            for path in [
                "organizations.roles",
                "organizations.permissions",
                "organization_domains",
            ] {
                let reason = unobserved_reason(&snap, path);
                assert!(
                    reason.contains(ORGS_OFF_REASON),
                    "{apis:?} {path}: {reason}"
                );
            }
            assert_key_not_blamed(&text, "the snapshot");
            // The recording keeps Clerk's answer, and reproduces the snapshot.
            let manifest: Value = serde_json::from_str(
                &std::fs::read_to_string(dir.path().join("rec/recording.json")).expect("manifest"),
            )
            .expect("JSON");
            assert_eq!(
                manifest["disabled"]["bapi/organization_roles.json"],
                json!({"feature": "organizations", "status": 403, "code": "organization_not_enabled_in_instance"})
            );
            let again = common::run(&[
                "snapshot",
                "--from-dir",
                dir.path().join("rec").to_str().expect("utf-8"),
            ]);
            assert_eq!(
                stdout(&again),
                text,
                "{apis:?}: the recording reproduces it"
            );
        }
        assert_key_not_blamed(&stdout(&o), "stdout");
        assert_key_not_blamed(&stderr(&o), "stderr");
    }
}

#[tokio::test]
async fn the_fact_needs_only_one_organization_read_to_be_refused() {
    // Organization settings refused too: the lists' answer alone proves Organizations are off.
    let (mut data, mut opts) = orgs_off();
    data.bodies.remove("bapi/organization_settings.json");
    opts.refusals
        .insert("bapi/organization_settings.json", ORG_OFF);
    let server = fake::start(&data, opts).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run(&server, dir.path(), Apis::NoPlatform, &["pull"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let snap: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(snap["settings"]["organizations"]["enabled"], json!(false));
    assert_eq!(snap["provenance"]["organizations.enabled"], "bapi");
    assert!(
        !snap["conflicts"].to_string().contains("organizations"),
        "agrees with the Frontend API: {}",
        snap["conflicts"]
    );
    let reason = unobserved_reason(&snap, "organizations.max_allowed_roles");
    assert!(reason.contains(ORGS_OFF_REASON), "{reason}");
    assert_key_not_blamed(&stdout(&o), "stdout");
    assert_key_not_blamed(&stderr(&o), "stderr");
}

#[tokio::test]
async fn check_plan_and_audit_of_an_instance_without_organizations_do_not_fail_on_it() {
    let (data, opts) = orgs_off();
    let server = fake::start(&data, opts).await;
    for apis in [Apis::All, Apis::NoPlatform, Apis::FrontendOnly] {
        let dir = tempfile::tempdir().expect("tempdir");
        // The baseline: the same instance, as pulled.
        let o = run(&server, dir.path(), apis, &["pull", "-o", "baseline.json"]);
        assert_eq!(code(&o), 0, "{apis:?}: {}", stderr(&o));
        let baseline = "baseline.json";
        for args in [
            &["check", "--fail-on", "none"][..],
            &["plan", "--baseline", baseline, "--fail-on", "none"][..],
            &[
                "audit",
                "--out",
                "bundle",
                "--baseline",
                baseline,
                "--fail-on",
                "none",
            ][..],
        ] {
            let o = run(&server, dir.path(), apis, args);
            let all = format!("{}{}", stdout(&o), stderr(&o));
            // Unknowns are not failures without --require-observed; nothing failed to read.
            assert_eq!(code(&o), 0, "{apis:?} {args:?}: {all}");
            if args[0] == "check" {
                // The rules over Organizations are not applicable, none fails.
                let o = run(
                    &server,
                    dir.path(),
                    apis,
                    &["check", "--fail-on", "none", "--format", "json"],
                );
                let doc: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
                let org: Vec<&Value> = doc["findings"]
                    .as_array()
                    .expect("findings")
                    .iter()
                    .filter(|f| {
                        f["rule_id"]
                            .as_str()
                            .is_some_and(|r| r.starts_with("organizations."))
                    })
                    .collect();
                assert!(
                    !org.is_empty(),
                    "{apis:?}: the pack has rules over Organizations"
                );
                for f in org {
                    assert_eq!(f["status"], "not_applicable", "{apis:?}: {f}");
                }
            }
            if apis == Apis::FrontendOnly {
                // Its reasons say there is no secret key, truthfully; nothing is blamed on one.
                assert!(!all.contains("check the"), "{args:?}: {all}");
            } else {
                assert_key_not_blamed(&all, &format!("{apis:?} {args:?}"));
            }
        }
    }
}

#[tokio::test]
async fn enterprise_sso_not_on_the_plan_is_coverage_not_failure() {
    let data = Data::load(&example("acme-prod"));
    let mut opts = Options::default();
    opts.refusals.insert(
        "bapi/enterprise_connections.json",
        (
            402,
            "unsupported_subscription_plan_features",
            "not included in your plan",
        ),
    );
    opts.refusals.insert(
        "bapi/saml_connections.json",
        (
            403,
            "unsupported_subscription_plan_features",
            "not included in your plan",
        ),
    );
    let server = fake::start(&data, opts).await;
    for apis in [Apis::All, Apis::NoPlatform, Apis::FrontendOnly] {
        let dir = tempfile::tempdir().expect("tempdir");
        let o = run(&server, dir.path(), apis, &["pull"]);
        assert_eq!(code(&o), 0, "{apis:?}: {}", stderr(&o));
        let snap: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
        for (path, status) in [("enterprise_connections", 402), ("saml_connections", 403)] {
            assert_eq!(snap["settings"][path], Value::Null, "{apis:?} {path}");
            let reason = unobserved_reason(&snap, path);
            let want = if apis == Apis::FrontendOnly {
                "no secret key".to_owned()
            } else {
                format!(
                    "Enterprise SSO is not on this instance's plan ({status} unsupported_subscription_plan_features)"
                )
            };
            assert!(reason.contains(&want), "{apis:?} {path}: {reason}");
        }
        assert_key_not_blamed(&stderr(&o), "stderr");
    }
}

#[tokio::test]
async fn a_403_about_the_key_or_a_quota_stays_an_error() {
    let data = Data::load(&example("acme-prod"));
    for (refusal, words, blames_key) in [
        (
            (403, "authorization_invalid", "Unauthorized request"),
            "Backend API GET /v1/organization_roles: 403 Forbidden: authorization_invalid: Unauthorized request (long) (trace id trace-authorization_invalid) — check the secret key from environment variable CLERK_SECRET_KEY: it is valid but not allowed to read this",
            true,
        ),
        (
            (403, "quota_exceeded", "Quota exceeded"),
            "Backend API GET /v1/organization_roles: 403 Forbidden: quota_exceeded: Quota exceeded (long)",
            false,
        ),
    ] {
        let mut opts = Options::default();
        opts.refusals
            .insert("bapi/organization_roles.json", refusal);
        let server = fake::start(&data, opts).await;
        for apis in [Apis::All, Apis::NoPlatform] {
            let dir = tempfile::tempdir().expect("tempdir");
            let o = run(&server, dir.path(), apis, &["pull", "-o", "s.json"]);
            assert_eq!(code(&o), 1, "{apis:?}");
            let err = stderr(&o);
            assert!(err.contains(words), "{apis:?}: {err}");
            assert_eq!(err.contains("secret key"), blames_key, "{apis:?}: {err}");
            // Other gaps may be retried or accepted as partial; a refused key may not.
            assert_eq!(
                err.contains("--allow-partial"),
                !blames_key,
                "{apis:?}: {err}"
            );
            assert!(!dir.path().join("s.json").exists());
        }
    }
}

/// Requests the fake received that carried a credential it does not accept.
async fn refused_requests(server: &MockServer) -> Vec<String> {
    let requests = server.received_requests().await.expect("recording on");
    requests
        .iter()
        .filter(|r| {
            let auth = r
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            !auth.is_empty()
                && auth != format!("Bearer {}", fake::SECRET_KEY)
                && auth != format!("Bearer {}", fake::PLATFORM_KEY)
        })
        .map(|r| r.url.path().to_owned())
        .collect()
}

/// The lines of the error that name a failed API.
fn error_lines(err: &str) -> Vec<&str> {
    err.lines().filter(|l| l.starts_with("  - ")).collect()
}

#[tokio::test]
async fn a_wrong_secret_key_is_refused_once_with_one_line() {
    for (apis, orgs) in [
        (Apis::All, false),
        (Apis::NoPlatform, false),
        (Apis::All, true),
    ] {
        let (data, opts) = if orgs {
            orgs_off()
        } else {
            (Data::load(&example("acme-prod")), Options::default())
        };
        let server = fake::start(&data, opts).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let mut cmd = live(&server.uri(), dir.path());
        cmd.env("CLERK_SECRET_KEY", "sk_live_WRONGkeyWRONGkeyWRONG42");
        if apis == Apis::NoPlatform {
            cmd.env_remove("CLERK_PLATFORM_API_KEY");
        }
        let o = output(cmd.args(["pull", "--allow-partial", "-o", "s.json"]));
        assert_eq!(code(&o), 1, "{apis:?}");
        let err = stderr(&o);
        assert_eq!(
            refused_requests(&server).await,
            ["/v1/instance"],
            "{apis:?}: one request refused, nothing else sent to the Backend API"
        );
        // The Platform config waits for the Backend API's instance id: not sent.
        let requests = server.received_requests().await.expect("recording on");
        assert!(
            requests
                .iter()
                .all(|r| !r.url.path().starts_with("/v1/platform/")),
            "{apis:?}"
        );
        assert_eq!(
            error_lines(&err),
            [
                "  - Backend API GET /v1/instance: 401 Unauthorized: authentication_invalid: Invalid secret key (long) (trace id trace-authentication_invalid) — check the secret key from environment variable CLERK_SECRET_KEY: Clerk did not accept it; no further Backend API request was sent"
            ],
            "{apis:?}: {err}"
        );
        assert!(!err.contains("--allow-partial"), "{err}");
        assert!(!err.contains("WRONGkey"), "{err}");
        assert!(!dir.path().join("s.json").exists(), "{apis:?}");
    }
}

#[tokio::test]
async fn wrong_keys_for_both_apis_are_still_refused_at_most_twice() {
    let server = fake::start(&Data::load(&example("acme-prod")), Options::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = output(
        live(&server.uri(), dir.path())
            .env("CLERK_SECRET_KEY", "sk_live_WRONGkeyWRONGkeyWRONG42")
            .env("CLERK_PLATFORM_API_KEY", "ak_WRONGplatformKEY")
            .args(["pull"]),
    );
    assert_eq!(code(&o), 1);
    let refused = refused_requests(&server).await;
    assert!(refused.len() <= 2, "{refused:?}");
    assert_eq!(error_lines(&stderr(&o)).len(), 1, "{}", stderr(&o));
}

#[tokio::test]
async fn a_wrong_platform_key_is_one_line_about_that_key() {
    let server = fake::start(&Data::load(&example("acme-prod")), Options::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = output(
        live(&server.uri(), dir.path())
            .env("CLERK_PLATFORM_API_KEY", "ak_WRONGplatformKEY")
            .args(["pull", "--allow-partial", "-o", "s.json"]),
    );
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert_eq!(
        error_lines(&err),
        [format!(
            "  - Platform API GET /v1/platform/applications/{}/instances/{INSTANCE_ID}/config: 401 Unauthorized: authentication_invalid: Invalid platform token (long) (trace id trace-authentication_invalid) — check the Platform API key from environment variable CLERK_PLATFORM_API_KEY: Clerk did not accept it; no further Platform API request was sent",
            fake::APP
        )],
        "{err}"
    );
    assert_eq!(refused_requests(&server).await.len(), 1);
    assert!(
        !err.contains("--allow-partial") && !err.contains("WRONG"),
        "{err}"
    );
    assert!(!dir.path().join("s.json").exists());
}

fn config(dir: &Path, platform_instance: &str) {
    std::fs::write(
        dir.join("clerk-drift.toml"),
        format!(
            "[instances.prod]\npublishable_key = \"{}\"\nplatform_application_id = \"{}\"\nplatform_instance = \"{platform_instance}\"\n",
            common::PUBLISHABLE_KEY,
            fake::APP
        ),
    )
    .expect("config");
}

#[tokio::test]
async fn the_platform_config_of_another_instance_is_refused() {
    let server = fake::start(&Data::load(&example("acme-prod")), Options::default()).await;
    let platform_requests = || async {
        server
            .received_requests()
            .await
            .expect("recording on")
            .iter()
            .filter(|r| r.url.path().starts_with("/v1/platform/"))
            .count()
    };

    // A configured instance id that is not the secret key's instance: nothing read from it.
    let dir = tempfile::tempdir().expect("tempdir");
    config(dir.path(), "ins_2xSomeOtherInstance00001");
    let o = output(live(&server.uri(), dir.path()).args(["pull", "-o", "s.json"]));
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("the Platform API would read instance ins_2xSomeOtherInstance00001 (platform_instance of [instances.prod]), but the secret key belongs to instance ins_2xAcmeProdInstance0000001 (GET /v1/instance)"),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    assert!(!dir.path().join("s.json").exists());
    assert_eq!(platform_requests().await, 0);

    // The right instance id works, with the Platform API or without the Backend API.
    for remove in [None, Some("CLERK_SECRET_KEY")] {
        config(dir.path(), INSTANCE_ID);
        let mut cmd = live(&server.uri(), dir.path());
        if let Some(var) = remove {
            cmd.env_remove(var);
        }
        let o = output(cmd.args(["pull", "-o", "s.json"]));
        assert_eq!(code(&o), 0, "{remove:?}: {}", stderr(&o));
    }
    // The config and its schema, twice.
    assert_eq!(platform_requests().await, 4);

    // An environment name that is not the publishable key's: refused before any request.
    let before = server.received_requests().await.expect("on").len();
    config(dir.path(), "development");
    let o = output(live(&server.uri(), dir.path()).args(["pull"]));
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("platform_instance of [instances.prod] is `development` but the publishable key (publishable_key of [instances.prod]) is for a production instance"),
        "{}",
        stderr(&o)
    );
    assert_eq!(server.received_requests().await.expect("on").len(), before);
}

#[tokio::test]
async fn without_the_backend_api_the_frontend_apis_environment_must_match() {
    let mut data = Data::load(&example("acme-prod"));
    data.bodies
        .get_mut("fapi/environment.json")
        .expect("environment")["display_config"]["instance_environment_type"] =
        json!("development");
    let server = fake::start(&data, Options::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = output(
        live(&server.uri(), dir.path())
            .env_remove("CLERK_SECRET_KEY")
            .args(["pull", "-o", "s.json"]),
    );
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("the Frontend API describes a development instance, but the Platform config was read for the application's production instance: refusing to mix two instances' settings"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("s.json").exists());
    // With the Backend API, its instance id is what counts; the Frontend API's disagreement is
    // recorded as a conflict, not hidden.
    let o = output(live(&server.uri(), dir.path()).args(["pull"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[tokio::test]
async fn a_platform_404_says_the_application_lacks_the_instance() {
    let data = Data::load(&example("acme-prod"));
    let server = fake::start(
        &data,
        Options {
            // The application has only a `production` alias, not this instance id.
            platform_instance: Some("production".into()),
            ..Options::default()
        },
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = output(live(&server.uri(), dir.path()).args(["pull"]));
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "404 Not Found: resource_not_found: Resource not found (long) (trace id trace-resource_not_found) — application {} has no instance {INSTANCE_ID}",
            fake::APP
        )),
        "{err}"
    );
}

#[tokio::test]
async fn a_failed_instance_read_makes_every_read_waiting_for_it_a_gap() {
    // GET /v1/instance fails for a reason other than the key: the Backend reads and the
    // Platform read that wait for it are not sent, and each API says so once, as a gap.
    let opts = Options {
        refusals: [(
            "bapi/instance.json",
            (400, "form_param_invalid", "bad request"),
        )]
        .into(),
        ..Options::default()
    };
    let server = fake::start(&Data::load(&example("acme-prod")), opts).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = output(live(&server.uri(), dir.path()).args(["pull", "-o", "s.json"]));
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    let lines = error_lines(&err);
    assert_eq!(lines.len(), 3, "{err}");
    assert!(
        lines[0].starts_with("  - Backend API GET /v1/instance: 400 Bad Request"),
        "{err}"
    );
    assert!(
        lines[1].starts_with("  - Backend API: not read: GET /v1/instance"),
        "{err}"
    );
    assert!(
        lines[2].starts_with("  - Platform API: not read: GET /v1/instance"),
        "{err}"
    );
    assert!(!dir.path().join("s.json").exists());
    let requests = server.received_requests().await.expect("recording on");
    assert!(
        requests
            .iter()
            .all(|r| r.url.path() == "/v1/instance" || r.url.path() == "/v1/environment"),
        "nothing else was sent"
    );
}

#[tokio::test]
async fn a_credential_variable_set_but_empty_is_an_error_before_any_request() {
    // CI expands an unset secret to "": that must not quietly skip a whole API.
    let server = fake::start(&Data::load(&example("acme-prod")), Options::default()).await;
    for var in [
        "CLERK_SECRET_KEY",
        "CLERK_PLATFORM_API_KEY",
        "CLERK_SECRET_KEY_FILE",
        "CLERK_PUBLISHABLE_KEY",
        // With a Platform key set and no other application id (--app, platform_application_id).
        "CLERK_APPLICATION_ID",
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        for command in ["pull", "check", "plan"] {
            let baseline = crate::common::baseline();
            let mut cmd = live(&server.uri(), dir.path());
            cmd.env(var, "").arg(command);
            if command == "plan" {
                // Plan's inputs are checked first (issue 16 item 3): give it its baseline.
                cmd.arg("--baseline").arg(baseline);
            }
            let o = output(&mut cmd);
            assert_eq!(code(&o), 1, "{var} {command}");
            let err = stderr(&o);
            assert!(
                err.contains(&format!("{var} is set but empty")),
                "{var} {command}: {err}"
            );
        }
    }
    let requests = server.received_requests().await.expect("recording on");
    assert!(requests.is_empty(), "nothing was sent: {}", requests.len());
}
