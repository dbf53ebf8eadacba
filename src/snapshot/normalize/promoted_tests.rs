//! Tests of the settings schema_version 3 promoted to the curated vocabulary (issue 15, item 3):
//! each read from every source that exposes it (all three APIs, the Frontend API alone), with
//! one meaning whatever the source, and with its feature off where there is one.

use serde_json::{Value, json};

use super::normalize;
use crate::path::Path;
use crate::recording::Recording;
use crate::recording::endpoints::{
    self, ENTERPRISE_CONNECTIONS, ENVIRONMENT, INSTANCE, ORGANIZATION_SETTINGS, PLATFORM_CONFIG,
};
use crate::snapshot::model::{Snapshot, Source};

fn rec(files: &[(&'static str, Value)]) -> Recording {
    let mut r = Recording::new("test");
    for (file, body) in files {
        let endpoint = endpoints::by_file(file).expect("layout file");
        r.insert(endpoint, body.clone(), std::path::Path::new(file))
            .expect("valid body");
    }
    r
}

fn snap(files: &[(&'static str, Value)]) -> Snapshot {
    normalize(&rec(files)).expect("normalizes")
}

fn get<'a>(s: &'a Snapshot, path: &str) -> Option<&'a Value> {
    s.get(&Path::parse(path).expect("path"))
}

fn source(s: &Snapshot, path: &str) -> Option<Source> {
    s.source_of(&Path::parse(path).expect("path"))
}

/// Backend API bodies every "all three APIs" view carries, so that the recording is a whole pull.
fn bapi() -> Vec<(&'static str, Value)> {
    vec![
        (
            INSTANCE.file,
            json!({"object": "instance", "id": "ins_1", "environment_type": "production"}),
        ),
        (
            ENTERPRISE_CONNECTIONS.file,
            json!({"data": [], "total_count": 0}),
        ),
    ]
}

/// `path` reads `want` from the Frontend API alone and from all three APIs (the Platform config
/// `plapi`, when given, and the Backend API bodies), with no conflict; with the Platform config,
/// it is the chosen source.
fn agree(path: &str, fapi: Value, plapi: Option<Value>, want: Value) {
    let alone = snap(&[(ENVIRONMENT.file, fapi.clone())]);
    assert_eq!(get(&alone, path), Some(&want), "frontend only: {path}");
    assert_eq!(source(&alone, path), Some(Source::Fapi), "{path}");
    let mut files = bapi();
    files.push((ENVIRONMENT.file, fapi));
    if let Some(cfg) = &plapi {
        files.push((PLATFORM_CONFIG.file, cfg.clone()));
        let only = snap(&[(PLATFORM_CONFIG.file, cfg.clone())]);
        assert_eq!(get(&only, path), Some(&want), "platform only: {path}");
    }
    let all = snap(&files);
    assert_eq!(get(&all, path), Some(&want), "all three: {path}");
    assert!(all.conflicts.is_empty(), "{path}: {:?}", all.conflicts);
    let chosen = if plapi.is_some() {
        Source::Plapi
    } else {
        Source::Fapi
    };
    assert_eq!(source(&all, path), Some(chosen), "{path}");
}

#[test]
fn identifier_immutability_is_read_per_identifier_from_both_sources() {
    let fapi = |email: bool, phone: bool, username: bool| {
        json!({"user_settings": {"attributes": {
            "email_address": {"enabled": true, "immutable": email},
            "phone_number": {"enabled": true, "immutable": phone},
            "username": {"enabled": false, "immutable": username},
            "passkey": {"enabled": true, "immutable": true}
        }}})
    };
    let plapi = |email: bool, phone: bool, username: bool| {
        json!({"auth_email": {"immutable": email}, "auth_phone": {"immutable": phone},
               "auth_username": {"immutable": username}})
    };
    agree(
        "account.email_immutable",
        fapi(true, false, false),
        Some(plapi(true, false, false)),
        json!(true),
    );
    agree(
        "account.phone_immutable",
        fapi(false, true, false),
        Some(plapi(false, true, false)),
        json!(true),
    );
    agree(
        "account.username_immutable",
        fapi(false, false, false),
        Some(plapi(false, false, false)),
        json!(false),
    );
    // A disagreement stays one: the Platform config wins, both values are kept.
    let s = snap(&[
        (ENVIRONMENT.file, fapi(false, false, false)),
        (PLATFORM_CONFIG.file, plapi(true, false, false)),
    ]);
    assert_eq!(get(&s, "account.email_immutable"), Some(&json!(true)));
    assert_eq!(s.conflicts.len(), 1);
    assert_eq!(s.conflicts[0].path, "account.email_immutable");
    assert_eq!(s.conflicts[0].values[&Source::Fapi], json!(false));
    // An older Frontend API without the field: not observed, with the reason.
    let s = snap(&[(
        ENVIRONMENT.file,
        json!({"user_settings": {"attributes": {"email_address": {"enabled": true}}}}),
    )]);
    assert_eq!(get(&s, "account.email_immutable"), None);
    let reason = s
        .unobserved_reason(&Path::parse("account.email_immutable").expect("path"))
        .expect("explained");
    assert!(
        reason.contains("$.user_settings.attributes.email_address.immutable")
            && reason.contains("plapi/config.json not recorded"),
        "{reason}"
    );
}

#[test]
fn sms_as_a_second_factor_is_the_raw_switch_from_both_sources() {
    let fapi = |on: bool| {
        json!({"user_settings": {"attributes": {
            "authenticator_app": {"enabled": true, "used_for_second_factor": true,
                                  "second_factors": ["totp"]},
            "phone_number": {"enabled": true, "used_for_second_factor": on,
                "second_factors": if on { json!(["phone_code"]) } else { json!([]) }}}}})
    };
    let plapi = |on: bool| {
        json!({"auth_phone": {"used_for_second_factor": on,
               "second_factor_strategies": if on { json!(["phone_code"]) } else { json!([]) }},
               "auth_multi_factor": {"authenticator_app": {"enabled": true}}})
    };
    agree(
        "mfa.sms_second_factor",
        fapi(true),
        Some(plapi(true)),
        json!(true),
    );
    agree(
        "mfa.sms_second_factor",
        fapi(false),
        Some(plapi(false)),
        json!(false),
    );
    // Consistent with the factor set.
    let s = snap(&[(PLATFORM_CONFIG.file, plapi(true))]);
    assert_eq!(get(&s, "mfa.factors"), Some(&json!(["phone_code", "totp"])));
}

#[test]
fn enterprise_sso_and_its_self_serve_mode_come_from_the_frontend_api() {
    let fapi = |on: bool, self_serve: bool| {
        json!({"user_settings": {"enterprise_sso": {"enabled": on, "self_serve_sso": self_serve},
                                 "saml": {"enabled": on}}})
    };
    agree(
        "sign_in.enterprise_sso.enabled",
        fapi(true, true),
        None,
        json!(true),
    );
    agree(
        "sign_in.enterprise_sso.self_serve",
        fapi(true, true),
        None,
        json!(true),
    );
    agree(
        "sign_in.enterprise_sso.self_serve",
        fapi(true, false),
        None,
        json!(false),
    );
    // Off: self-serve does not apply, whatever the field still says.
    agree(
        "sign_in.enterprise_sso.enabled",
        fapi(false, true),
        None,
        json!(false),
    );
    agree(
        "sign_in.enterprise_sso.self_serve",
        fapi(false, true),
        None,
        json!(false),
    );
    // The wrong type is an error naming the field.
    let err = normalize(&rec(&[(
        ENVIRONMENT.file,
        json!({"user_settings": {"enterprise_sso": {"enabled": false, "self_serve_sso": "yes"}}}),
    )]))
    .expect_err("a string is not a boolean");
    assert_eq!(
        err.json_path,
        "$.user_settings.enterprise_sso.self_serve_sso"
    );
}

#[test]
fn password_change_reverification_is_the_inverse_of_the_disable_flag() {
    let fapi = |disabled: bool| json!({"user_settings": {"password_settings": {"disable_password_reverification": disabled}}});
    agree(
        "password.change_requires_reverification",
        fapi(false),
        None,
        json!(true),
    );
    agree(
        "password.change_requires_reverification",
        fapi(true),
        None,
        json!(false),
    );
}

#[test]
fn the_captcha_oauth_bypass_is_a_set_and_null_is_empty() {
    let fapi = |bypass: Value, captcha: bool| {
        json!({"display_config": {"captcha_oauth_bypass": bypass},
               "user_settings": {"sign_up": {"captcha_enabled": captcha}}})
    };
    agree(
        "sign_up.captcha.oauth_bypass",
        fapi(json!(["oauth_google", "oauth_apple", "oauth_google"]), true),
        None,
        json!(["oauth_apple", "oauth_google"]),
    );
    agree(
        "sign_up.captcha.oauth_bypass",
        fapi(Value::Null, true),
        None,
        json!([]),
    );
    // CAPTCHA off: the list is still what Clerk holds (rules over it apply only while CAPTCHA
    // is on).
    agree(
        "sign_up.captcha.oauth_bypass",
        fapi(json!(["oauth_google"]), false),
        None,
        json!(["oauth_google"]),
    );
    agree(
        "sign_up.captcha.enabled",
        fapi(json!([]), false),
        None,
        json!(false),
    );
}

#[test]
fn development_features_are_read_from_the_frontend_api() {
    let fapi = |debug: bool, url: bool| {
        json!({"client_debug_mode": debug,
               "auth_config": {"url_based_session_syncing": url, "cookieless_dev": url}})
    };
    agree(
        "instance.client_debug_mode",
        fapi(true, false),
        None,
        json!(true),
    );
    agree(
        "instance.client_debug_mode",
        fapi(false, false),
        None,
        json!(false),
    );
    agree(
        "session.url_based_syncing",
        fapi(false, true),
        None,
        json!(true),
    );
    agree(
        "session.url_based_syncing",
        fapi(false, false),
        None,
        json!(false),
    );
}

#[test]
fn self_deletion_and_native_trusted_devices_are_read_from_the_frontend_api() {
    let fapi = |delete: bool, trusted: bool| {
        json!({"user_settings": {"actions": {"delete_self": delete, "create_organization": false}},
               "auth_config": {"native_settings": {"object": "native_settings", "api_enabled": true,
                   "trusted_device_sign_in_enabled": trusted,
                   "trusted_device_enrollment_prompt_after_sign_in_enabled": trusted,
                   "trusted_device_enrollment_prompt_after_sign_up_enabled": false}}})
    };
    agree("account.delete_self", fapi(true, false), None, json!(true));
    agree(
        "account.delete_self",
        fapi(false, false),
        None,
        json!(false),
    );
    agree(
        "sign_in.native_trusted_device",
        fapi(false, true),
        None,
        json!(true),
    );
    agree(
        "sign_in.native_trusted_device",
        fapi(false, false),
        None,
        json!(false),
    );
}

#[test]
fn api_key_settings_apply_only_while_api_keys_are_on() {
    let fapi = |on: bool, user: bool, orgs: bool| {
        json!({"api_keys_settings": {"enabled": on, "user_api_keys_enabled": user,
                                     "orgs_api_keys_enabled": orgs}})
    };
    agree(
        "instance.api_keys.enabled",
        fapi(true, true, false),
        None,
        json!(true),
    );
    agree(
        "instance.api_keys.user_keys",
        fapi(true, true, false),
        None,
        json!(true),
    );
    agree(
        "instance.api_keys.organization_keys",
        fapi(true, true, false),
        None,
        json!(false),
    );
    // Off: neither kind of key can be created.
    agree(
        "instance.api_keys.enabled",
        fapi(false, true, true),
        None,
        json!(false),
    );
    agree(
        "instance.api_keys.user_keys",
        fapi(false, true, true),
        None,
        json!(false),
    );
    agree(
        "instance.api_keys.organization_keys",
        fapi(false, true, true),
        None,
        json!(false),
    );
}

#[test]
fn automatic_organization_creation_needs_both_switches_from_every_source() {
    let block = |defaults: bool, auto: bool| {
        json!({"enabled": defaults, "automatic_organization_creation": {"enabled": auto},
               "detect_from_email_domain": {"enabled": false}, "fallback": {"name": ""},
               "organization_name_template": {"enabled": false, "template": ""}})
    };
    let plapi = |defaults: bool, auto: bool| {
        json!({"organization_settings": {"enabled": true,
               "organization_creation_defaults": block(defaults, auto)}})
    };
    let bapi = |defaults: bool, auto: bool| {
        json!({"object": "organization_settings", "enabled": true,
               "organization_creation_defaults": block(defaults, auto)})
    };
    let fapi = json!({"organization_settings": {"enabled": true}});
    for (defaults, auto, want) in [
        (true, true, true),
        (true, false, false),
        (false, true, false),
    ] {
        let views = [
            (
                "platform",
                vec![(PLATFORM_CONFIG.file, plapi(defaults, auto))],
            ),
            (
                "backend",
                vec![(ORGANIZATION_SETTINGS.file, bapi(defaults, auto))],
            ),
            (
                "all three",
                vec![
                    (ENVIRONMENT.file, fapi.clone()),
                    (ORGANIZATION_SETTINGS.file, bapi(defaults, auto)),
                    (PLATFORM_CONFIG.file, plapi(defaults, auto)),
                ],
            ),
        ];
        for (name, files) in views {
            let s = snap(&files);
            assert_eq!(
                get(&s, "organizations.automatic_creation"),
                Some(&json!(want)),
                "{name}: defaults {defaults}, automatic {auto}"
            );
            assert_eq!(
                get(&s, "organizations.creation_defaults"),
                Some(&json!(defaults)),
                "{name}"
            );
            assert!(s.conflicts.is_empty(), "{name}: {:?}", s.conflicts);
        }
    }
    // The Frontend API does not carry it: not observed, and the reason names the other sources.
    let s = snap(&[(ENVIRONMENT.file, fapi)]);
    assert_eq!(get(&s, "organizations.automatic_creation"), None);
    let reason = s
        .unobserved_reason(&Path::parse("organizations.automatic_creation").expect("path"))
        .expect("explained");
    assert!(
        reason.contains("plapi/config.json not recorded")
            && reason.contains("bapi/organization_settings.json not recorded"),
        "{reason}"
    );
    // Organizations off: the switches are still what Clerk holds.
    let s = snap(&[(
        PLATFORM_CONFIG.file,
        json!({"organization_settings": {"enabled": false,
               "organization_creation_defaults": block(false, false)}}),
    )]);
    assert_eq!(get(&s, "organizations.enabled"), Some(&json!(false)));
    assert_eq!(
        get(&s, "organizations.automatic_creation"),
        Some(&json!(false))
    );
}
