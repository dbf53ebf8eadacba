//! Raw Clerk API JSON (a [`Recording`]) → normalized [`Snapshot`].
//!
//! One vocabulary whatever the source: each setting is read from every source that exposes it
//! (the `MAPPINGS` table for scalar settings in `scalars`, code for collections in
//! `collections` and OAuth providers in `providers`) and written to one path with one type.
//! When sources disagree the more authoritative wins (Platform config > Backend API > Frontend
//! API) and the disagreement is kept in `conflicts`. Fields no setting reads go to `observed` (module `observed`); a known field of
//! the wrong type is an error naming the file and JSON path. Secrets are reduced to
//! `present`/`absent` here and never copied. This module owns the `Builder` every part writes
//! through, coverage, the reasons for what was not observed, and the facts Clerk's feature answers
//! prove (`feature_facts`). No I/O: recordings are read by
//! [`crate::recording`]; files are named by its endpoint table.

mod collections;
pub mod config_schema;
pub mod observed;
pub mod platform;
#[cfg(test)]
mod promoted_tests;
mod providers;
mod scalars;

/// Why a setting only an attestation can give (`attested.…`) is unobserved when nobody attested
/// it: the reports collapse the findings over such settings into one line.
pub const NEVER_ATTESTED: &str =
    "no Clerk API exposes it: attest it (--attestations FILE, docs/policy.md)";

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::model::{Conflict, Coverage, Meta, Snapshot, Source, Unobserved};
use super::schema::{self, SCHEMA_VERSION};
use crate::jsonx::type_name;
use crate::path::{Path, Seg};
use crate::recording::endpoints::{
    self, ALLOWLIST_IDENTIFIERS, BLOCKLIST_IDENTIFIERS, LAYOUT, PLATFORM_CONFIG, REDIRECT_URLS,
};
use crate::recording::{self, Recording};
use scalars::{MAPPINGS, Xf, clerk_fixed};

/// A known field had a type the spec does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}/{file}: `{json_path}`: expected {expected}, found {found}")]
pub struct Error {
    pub origin: String,
    pub file: &'static str,
    pub json_path: String,
    pub expected: &'static str,
    pub found: &'static str,
}

/// Per-source hint shown when a setting was not observed.
fn source_hint(file: &str) -> &'static str {
    match endpoints::by_file(file).map(|e| e.source) {
        Some(recording::Source::Plapi) => {
            "Platform API config: needs CLERK_PLATFORM_API_KEY, or `clerk config pull` output"
        }
        Some(recording::Source::Bapi) => "Backend API: needs CLERK_SECRET_KEY",
        Some(recording::Source::Fapi) | None => "Frontend API, public",
    }
}

/// Normalizes a recording.
pub fn normalize(rec: &Recording) -> Result<Snapshot, Error> {
    let mut b = Builder::new(rec);
    for m in MAPPINGS {
        if m.xf == Xf::Collection {
            continue;
        }
        let Some(body) = rec.get(m.file) else {
            continue;
        };
        let source = source_of_file(m.file);
        if let Some(v) = b.read(m, body)? {
            b.set(&parse(m.path), v, source);
        }
    }
    for (path, value) in clerk_fixed() {
        b.set(&parse(path), value, Source::ClerkFixed);
    }
    b.domains()?;
    b.string_list("instance.redirect_urls", REDIRECT_URLS.file, "url")?;
    b.string_list(
        "restrictions.allowlist.identifiers",
        ALLOWLIST_IDENTIFIERS.file,
        "identifier",
    )?;
    b.string_list(
        "restrictions.blocklist.identifiers",
        BLOCKLIST_IDENTIFIERS.file,
        "identifier",
    )?;
    b.jwt_templates()?;
    b.oauth_applications()?;
    b.enterprise_connections()?;
    b.saml_connections()?;
    b.roles()?;
    b.permissions()?;
    b.organization_domains()?;
    b.feature_facts();
    b.oauth_providers()?;
    b.observed();
    b.meta.collected_at.clone_from(&rec.collected_at);
    if let Some(Value::String(v)) = rec
        .get(PLATFORM_CONFIG.file)
        .and_then(|c| c.get("config_version"))
    {
        b.meta.config_version = Some(v.clone());
    }
    Ok(b.finish())
}

fn parse(path: &str) -> Path {
    // MAPPINGS and the code below only use literal paths that the schema test parses.
    Path::parse(path).unwrap_or_default()
}

/// The snapshot's name for the API a recording file came from.
fn observed_by(source: recording::Source) -> Source {
    match source {
        recording::Source::Fapi => Source::Fapi,
        recording::Source::Bapi => Source::Bapi,
        recording::Source::Plapi => Source::Plapi,
    }
}

fn source_of_file(file: &str) -> Source {
    endpoints::by_file(file).map_or(Source::Bapi, |e| observed_by(e.source))
}

/// `/a/b/0` → `$.a.b[0]` for messages.
fn json_path(ptr: &str) -> String {
    let mut out = String::from("$");
    for part in ptr.split('/').skip(1) {
        let part = part.replace("~1", "/").replace("~0", "~");
        if part.parse::<usize>().is_ok() {
            out.push_str(&format!("[{part}]"));
        } else {
            out.push('.');
            out.push_str(&part);
        }
    }
    out
}

/// The snapshot under construction: every part writes its values through `Builder::set`.
struct Builder<'r> {
    rec: &'r Recording,
    settings: Value,
    provenance: BTreeMap<String, Source>,
    conflicts: BTreeMap<String, BTreeMap<Source, Value>>,
    /// Patterns of the observed objects that were keyed lists ([`Snapshot::keyed`]).
    keyed: BTreeSet<String>,
    meta: Meta,
}

impl<'r> Builder<'r> {
    fn new(rec: &'r Recording) -> Self {
        Builder {
            rec,
            settings: Value::Object(Map::new()),
            provenance: BTreeMap::new(),
            conflicts: BTreeMap::new(),
            keyed: BTreeSet::new(),
            meta: Meta::default(),
        }
    }

    fn err(&self, file: &'static str, ptr: &str, expected: &'static str, found: &Value) -> Error {
        Error {
            origin: self.rec.origin.clone(),
            file,
            json_path: json_path(ptr),
            expected,
            found: type_name(found),
        }
    }

    /// Writes a value with its source; on disagreement the more authoritative source wins and
    /// both values are kept in `conflicts`.
    fn set(&mut self, path: &Path, value: Value, source: Source) {
        debug_assert!(
            schema::kind_of(path).is_some(),
            "normalize wrote {path}, which is not in the schema"
        );
        let key = path.to_string();
        if let Some(&old) = self.provenance.get(&key) {
            let existing = crate::snapshot::model::lookup(&self.settings, path)
                .cloned()
                .unwrap_or(Value::Null);
            if existing != value {
                let entry = self.conflicts.entry(key.clone()).or_default();
                entry.insert(old, existing);
                entry.insert(source, value.clone());
            }
            if source <= old {
                return;
            }
        }
        insert(&mut self.settings, path, value);
        self.provenance.insert(key, source);
    }

    fn finish(self) -> Snapshot {
        let mut coverage = Coverage::default();
        for endpoint in LAYOUT {
            let files = coverage
                .sources
                .entry(observed_by(endpoint.source))
                .or_default();
            if self.rec.has(endpoint.file) {
                files.push(endpoint.file.to_owned());
            }
        }
        coverage.sources.insert(Source::ClerkFixed, Vec::new());
        coverage.unobserved = self.unobserved();
        let conflicts = self
            .conflicts
            .into_iter()
            .map(|(path, values)| {
                let chosen = self
                    .provenance
                    .get(&path)
                    .copied()
                    .or_else(|| values.keys().max().copied());
                Conflict {
                    chosen: chosen.unwrap_or(Source::Fapi),
                    path,
                    values,
                }
            })
            .collect();
        Snapshot {
            schema_version: SCHEMA_VERSION,
            settings: self.settings,
            provenance: self.provenance,
            conflicts,
            coverage,
            keyed: self.keyed,
            meta: self.meta,
            accepted: None,
            migrated_from: None,
        }
    }

    /// Facts from Clerk's answers that a feature is off: `403 organization_not_enabled_in_instance`
    /// on any organization read proves `organizations.enabled = false`, observed by the Backend
    /// API. (A feature that is not on the plan proves nothing about the setting.) What the
    /// feature would hold stays unobserved, with the reason naming the feature.
    fn feature_facts(&mut self) {
        if self
            .rec
            .disabled
            .values()
            .any(|d| d.proves_off(recording::Feature::Organizations))
        {
            self.set(
                &parse("organizations.enabled"),
                Value::Bool(false),
                Source::Bapi,
            );
        }
    }

    /// Every top-level schema leaf and collection nobody reported, with the reason.
    fn unobserved(&self) -> Vec<Unobserved> {
        let mut out = Vec::new();
        for node in schema::NODES {
            let path = parse(node.pattern);
            let top_level = path.0.iter().all(|s| matches!(s, Seg::Field(_)));
            let parent_is_leaf = path.0.len() > 1
                && schema::kind_of(&Path(path.0[..path.0.len() - 1].to_vec()))
                    .is_some_and(|k| k != schema::Kind::Struct);
            if !top_level
                || parent_is_leaf
                || matches!(node.kind, schema::Kind::Struct | schema::Kind::Observed)
            {
                continue;
            }
            if crate::snapshot::model::lookup(&self.settings, &path).is_some() {
                continue;
            }
            out.push(Unobserved {
                path: node.pattern.to_owned(),
                reason: self.reason(node.pattern),
            });
        }
        // Each file's observed section, when the file was not recorded.
        for endpoint in LAYOUT.iter().filter(|e| !self.rec.has(e.file)) {
            out.push(Unobserved {
                path: observed::prefix(endpoint.file).to_string(),
                reason: self.reason_from(&[(endpoint.file, "")]),
            });
        }
        // Custom-vs-shared credentials and secrets are visible in the Platform config only.
        if let Some(providers) =
            crate::snapshot::model::lookup(&self.settings, &parse("oauth_providers"))
                .and_then(Value::as_object)
        {
            for field in ["credentials", "client_secret"] {
                if providers.values().any(|p| p.get(field).is_none()) {
                    out.push(Unobserved {
                        path: format!("oauth_providers[*].{field}"),
                        reason: self
                            .reason_from(&[(PLATFORM_CONFIG.file, "/connection_oauth_<provider>")]),
                    });
                }
            }
        }
        out
    }

    fn reason(&self, path: &str) -> String {
        let rows: Vec<(&'static str, &'static str)> = MAPPINGS
            .iter()
            .filter(|m| m.path == path)
            .map(|m| (m.file, m.ptr))
            .collect();
        if rows.is_empty() {
            return NEVER_ATTESTED.to_owned();
        }
        self.reason_from(&rows)
    }

    fn reason_from(&self, rows: &[(&'static str, &'static str)]) -> String {
        let parts: Vec<String> = rows
            .iter()
            .map(|(file, ptr)| {
                if let Some(why) = self.rec.unavailable.get(file) {
                    format!("{file} not recorded: {why}")
                } else if !self.rec.has(file) {
                    format!("{file} not recorded ({})", source_hint(file))
                } else if ptr.is_empty() {
                    format!("{file} has no such entry")
                } else {
                    format!("{file} has no `{}`", json_path(ptr))
                }
            })
            .collect();
        format!("not observed: {}", parts.join("; "))
    }
}

/// Writes `value` at `path`, creating intermediate objects.
pub(crate) fn insert(root: &mut Value, path: &Path, value: Value) {
    let mut cur = root;
    for (i, seg) in path.0.iter().enumerate() {
        let (Seg::Field(k) | Seg::Key(k)) = seg;
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let Value::Object(map) = cur else { return };
        if i + 1 == path.0.len() {
            map.insert(k.clone(), value);
            return;
        }
        cur = map
            .entry(k.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    *cur = value;
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::recording::endpoints::{
        ENTERPRISE_CONNECTIONS, ENVIRONMENT, JWT_TEMPLATES, ORGANIZATION_DOMAINS,
        ORGANIZATION_ROLES,
    };

    fn rec(files: &[(&'static str, Value)]) -> Recording {
        let mut r = Recording::new("test");
        for (file, body) in files {
            let endpoint = endpoints::by_file(file).expect("layout file");
            r.insert(endpoint, body.clone(), std::path::Path::new(file))
                .expect("valid body");
        }
        r
    }

    fn get<'a>(s: &'a Snapshot, path: &str) -> Option<&'a Value> {
        s.get(&Path::parse(path).expect("path"))
    }

    #[test]
    fn every_mapping_path_is_in_the_schema() {
        for m in MAPPINGS {
            assert!(
                schema::kind_of(&parse(m.path)).is_some(),
                "{} not in schema",
                m.path
            );
        }
    }

    #[test]
    fn polarity_flips_are_reconciled() {
        let s = normalize(&rec(&[
            (
                ENVIRONMENT.file,
                json!({"auth_config": {"single_session_mode": true},
                       "user_settings": {"restrictions": {"allowlist_blocklist_disabled_on_sign_in": {"enabled": true}},
                                         "password_settings": {"disable_hibp": false}}}),
            ),
        ]))
        .expect("normalizes");
        assert_eq!(get(&s, "session.multi_session"), Some(&json!(false)));
        assert_eq!(
            get(&s, "restrictions.enforced_on_sign_in"),
            Some(&json!(false))
        );
        assert_eq!(get(&s, "password.breach_detection"), Some(&json!(true)));
    }

    #[test]
    fn plapi_wins_and_the_disagreement_is_recorded() {
        let s = normalize(&rec(&[
            (
                ENVIRONMENT.file,
                json!({"auth_config": {"single_session_mode": true}}),
            ),
            (
                PLATFORM_CONFIG.file,
                json!({"session_settings": {"multi_session_enabled": true}}),
            ),
        ]))
        .expect("normalizes");
        assert_eq!(get(&s, "session.multi_session"), Some(&json!(true)));
        assert_eq!(
            s.source_of(&parse("session.multi_session")),
            Some(Source::Plapi)
        );
        assert_eq!(s.conflicts.len(), 1);
        assert_eq!(s.conflicts[0].path, "session.multi_session");
        assert_eq!(s.conflicts[0].chosen, Source::Plapi);
        assert_eq!(s.conflicts[0].values[&Source::Fapi], json!(false));
    }

    /// Normalizes the Frontend API body alone, the Platform config alone, and both, and checks
    /// that `path` reads `want` each time with no conflict: one meaning whatever the source.
    fn agree(path: &str, fapi: Value, plapi: Value, want: Value) {
        let views = [
            ("fapi", rec(&[(ENVIRONMENT.file, fapi.clone())])),
            ("plapi", rec(&[(PLATFORM_CONFIG.file, plapi.clone())])),
            (
                "both",
                rec(&[(ENVIRONMENT.file, fapi), (PLATFORM_CONFIG.file, plapi)]),
            ),
        ];
        for (name, r) in views {
            let s = normalize(&r).expect("normalizes");
            assert_eq!(get(&s, path), Some(&want), "{name}: {path}");
            assert!(s.conflicts.is_empty(), "{name}: {:?}", s.conflicts);
        }
    }

    #[test]
    fn enumeration_protection_is_a_mode_from_either_source() {
        let fapi = |on: bool| json!({"user_settings": {"attack_protection": {"enumeration_protection": {"enabled": on}}}});
        let plapi =
            |mode: &str| json!({"auth_attack_protection": {"enumeration_protection": mode}});
        let path = "attack_protection.enumeration_protection";
        agree(path, fapi(true), plapi("strict"), json!("strict"));
        agree(path, fapi(false), plapi("bulk"), json!("bulk"));
        // A real disagreement stays one: the Platform config wins and both are kept.
        let s = normalize(&rec(&[
            (ENVIRONMENT.file, fapi(true)),
            (PLATFORM_CONFIG.file, plapi("bulk")),
        ]))
        .expect("normalizes");
        assert_eq!(get(&s, path), Some(&json!("bulk")));
        assert_eq!(s.conflicts[0].values[&Source::Fapi], json!("strict"));
    }

    #[test]
    fn a_minimum_password_length_of_zero_is_clerks_floor() {
        let fapi = |n: i64| json!({"user_settings": {"password_settings": {"min_length": n, "max_length": 0}}});
        let plapi = |n: i64| json!({"auth_password": {"min_length": n, "max_length": 0}});
        agree("password.min_length", fapi(0), plapi(8), json!(8));
        agree("password.min_length", fapi(12), plapi(12), json!(12));
        // `0` is "no explicit maximum" in both sources (the fixtures of a default instance).
        agree("password.max_length", fapi(0), plapi(8), json!(0));
    }

    #[test]
    fn the_captcha_widget_type_applies_only_while_captcha_is_on() {
        // Off: the Frontend API omits the type (or still says `smart`), the Platform config keeps
        // `""` or the last choice; all read as no widget.
        let path = "sign_up.captcha.widget_type";
        let plapi = |on: bool, t: &str| json!({"auth_attack_protection": {"bot_protection": {"captcha_enabled": on, "captcha_widget_type": t}}});
        let fapi = |on: bool, t: Option<&str>| match t {
            Some(t) => {
                json!({"user_settings": {"sign_up": {"captcha_enabled": on, "captcha_widget_type": t}}})
            }
            None => json!({"user_settings": {"sign_up": {"captcha_enabled": on}}}),
        };
        agree(
            path,
            fapi(false, Some("smart")),
            plapi(false, ""),
            Value::Null,
        );
        agree(
            path,
            fapi(false, Some("smart")),
            plapi(false, "invisible"),
            Value::Null,
        );
        let off_fapi_omits =
            normalize(&rec(&[(ENVIRONMENT.file, fapi(false, None))])).expect("normalizes");
        assert_eq!(get(&off_fapi_omits, path), None, "absent stays unobserved");
        agree(
            path,
            fapi(true, Some("invisible")),
            plapi(true, "invisible"),
            json!("invisible"),
        );
    }

    #[test]
    fn verified_domain_settings_apply_only_while_domains_are_on() {
        let fapi = json!({"organization_settings": {"enabled": true, "domains": {"enabled": false, "enrollment_modes": [], "default_role": ""}}});
        let plapi = json!({"organization_settings": {"enabled": true, "domains_enabled": false,
            "domains_enrollment_modes": ["manual_invitation"], "domains_default_role": "org:member"}});
        agree(
            "organizations.domains.enrollment_modes",
            fapi.clone(),
            plapi.clone(),
            json!([]),
        );
        agree(
            "organizations.domains.default_role",
            fapi,
            plapi,
            Value::Null,
        );
    }

    #[test]
    fn mfa_factors_are_one_set_from_every_block() {
        // The Frontend API names factors in `auth_config` and on each attribute; the Platform
        // config in `auth_multi_factor`, `auth_phone` and `auth_email`.
        let fapi = json!({
            "auth_config": {"second_factors": ["totp"]},
            "user_settings": {"attributes": {
                "authenticator_app": {"enabled": true, "used_for_second_factor": true, "second_factors": ["totp"]},
                "backup_code": {"enabled": true, "used_for_second_factor": true, "second_factors": ["backup_code"]},
                "phone_number": {"enabled": true, "used_for_second_factor": true, "second_factors": ["phone_code"]},
                "email_address": {"enabled": true, "used_for_second_factor": false, "second_factors": []},
                "passkey": {"enabled": true, "used_for_second_factor": true, "second_factors": ["passkey"]},
                "web3_wallet": {"enabled": false, "used_for_second_factor": true, "second_factors": ["web3"]}
            }}
        });
        let plapi = json!({
            "auth_multi_factor": {"authenticator_app": {"enabled": true}, "backup_code": {"enabled": true}},
            "auth_phone": {"used_for_second_factor": true, "second_factor_strategies": ["phone_code"]},
            "auth_email": {"used_for_second_factor": false},
            "auth_passkey": {"satisfies_second_factor": true}
        });
        agree(
            "mfa.factors",
            fapi,
            plapi,
            json!(["backup_code", "phone_code", "totp"]),
        );
        // Email codes as a second factor, when the Platform config lists them without strategies.
        let plapi_email =
            json!({"auth_multi_factor": {}, "auth_email": {"used_for_second_factor": true}});
        let fapi_email = json!({"auth_config": {"second_factors": ["email_code"]}});
        agree(
            "mfa.factors",
            fapi_email,
            plapi_email,
            json!(["email_code"]),
        );
    }

    #[test]
    fn mfa_requirements_read_each_frontend_field_for_its_own_setting() {
        let fapi = json!({"user_settings": {"sign_in": {"second_factor": {"required": true}}, "sign_up": {"mfa": {"required": false}}}});
        let plapi = json!({"auth_multi_factor": {"required_for_sign_in": true, "required_for_sign_up": false}});
        agree(
            "mfa.required_for_sign_in",
            fapi.clone(),
            plapi.clone(),
            json!(true),
        );
        agree("mfa.required_for_sign_up", fapi, plapi, json!(false));
        // The spec has no `sign_up.mfa`: without it the setting is unobserved from the Frontend
        // API, never taken from `sign_in`.
        let s = normalize(&rec(&[(
            ENVIRONMENT.file,
            json!({"user_settings": {"sign_in": {"second_factor": {"required": true}}}}),
        )]))
        .expect("normalizes");
        assert_eq!(get(&s, "mfa.required_for_sign_in"), Some(&json!(true)));
        assert_eq!(get(&s, "mfa.required_for_sign_up"), None);
    }

    #[test]
    fn lockout_minutes_become_seconds() {
        let s = normalize(&rec(&[(
            ENVIRONMENT.file,
            json!({"user_settings": {"attack_protection": {"user_lockout": {"enabled": true, "max_attempts": 5, "duration_in_minutes": 30}}}}),
        )]))
        .expect("normalizes");
        assert_eq!(
            get(&s, "attack_protection.lockout.duration"),
            Some(&json!(1800))
        );
    }

    #[test]
    fn unobserved_settings_are_absent_and_explained() {
        let s = normalize(&rec(&[(
            ENVIRONMENT.file,
            json!({"auth_config": {"test_mode": false}}),
        )]))
        .expect("normalizes");
        assert_eq!(get(&s, "session.inactivity_timeout"), None);
        let reason = s
            .unobserved_reason(&parse("session.inactivity_timeout.seconds"))
            .expect("has a reason");
        assert!(
            reason.contains("plapi/config.json not recorded"),
            "{reason}"
        );
        let reason = s
            .unobserved_reason(&parse("password.min_length"))
            .expect("has a reason");
        assert!(
            reason.contains(
                "fapi/environment.json has no `$.user_settings.password_settings.min_length`"
            ),
            "{reason}"
        );
    }

    #[test]
    fn wrong_types_name_the_file_and_json_path() {
        let err = normalize(&rec(&[(
            JWT_TEMPLATES.file,
            json!([{"name": "a", "lifetime": "60"}]),
        )]))
        .expect_err("must fail");
        assert_eq!(
            err.to_string(),
            "test/bapi/jwt_templates.json: `$[0].lifetime`: expected an integer, found a string"
        );
    }

    #[test]
    fn secrets_are_reduced_to_presence() {
        let s = normalize(&rec(&[(
            PLATFORM_CONFIG.file,
            json!({"connection_oauth_google": {"enabled": true, "client_id": "id-123", "client_secret": "CANARY-SECRET"},
                   "connection_oauth_github": {"enabled": true, "client_id": "", "client_secret": ""}}),
        )]))
        .expect("normalizes");
        let text = serde_json::to_string(&s).expect("serializes");
        assert!(!text.contains("CANARY-SECRET"));
        assert_eq!(
            get(&s, "oauth_providers[google].credentials"),
            Some(&json!("custom"))
        );
        assert_eq!(
            get(&s, "oauth_providers[google].client_secret"),
            Some(&json!("present"))
        );
        assert_eq!(
            get(&s, "oauth_providers[github].credentials"),
            Some(&json!("shared"))
        );
    }

    #[test]
    fn fields_clerk_adds_later_are_observed_not_curated() {
        let base = normalize(&rec(&[
            (
                ENVIRONMENT.file,
                json!({"auth_config": {"test_mode": false}}),
            ),
            (
                JWT_TEMPLATES.file,
                json!([{"name": "a", "lifetime": 60, "claims": {"aud": "x"}}]),
            ),
        ]))
        .expect("normalizes");
        let newer = normalize(&rec(&[
            (ENVIRONMENT.file, json!({"auth_config": {"test_mode": false, "quantum_mode": "on"}, "brand_new_block": {"x": [1]}})),
            (JWT_TEMPLATES.file, json!([{"name": "a", "lifetime": 60, "claims": {"aud": "x"}, "rotation_policy": {"days": 30}}])),
        ]))
        .expect("normalizes");
        let mut curated = newer.settings.clone();
        let observed = curated
            .as_object_mut()
            .and_then(|o| o.remove("observed"))
            .expect("observed");
        assert_eq!(base.settings, curated);
        assert_eq!(
            observed,
            json!({"fapi": {"auth_config": {"quantum_mode": "on"}, "brand_new_block": {"x": [1]}},
                   "bapi": {"jwt_templates": {"a": {"rotation_policy": {"days": 30}}}}})
        );
    }

    #[test]
    fn organizations_off_is_a_fact_and_what_they_hold_is_unobserved_with_the_feature_named() {
        let mut r = rec(&[(
            ENVIRONMENT.file,
            json!({"organization_settings": {"enabled": false}}),
        )]);
        for file in [ORGANIZATION_ROLES.file, ORGANIZATION_DOMAINS.file] {
            r.unavailable.insert(
                file,
                "Organizations are not enabled on this instance (403 organization_not_enabled_in_instance)".into(),
            );
            r.disabled.insert(
                file,
                recording::Disabled {
                    feature: Some(recording::Feature::Organizations),
                    status: 403,
                    code: Some("organization_not_enabled_in_instance".into()),
                },
            );
        }
        let s = normalize(&r).expect("normalizes");
        assert_eq!(get(&s, "organizations.enabled"), Some(&json!(false)));
        assert_eq!(
            s.source_of(&parse("organizations.enabled")),
            Some(Source::Bapi)
        );
        assert!(s.conflicts.is_empty(), "{:?}", s.conflicts);
        for path in ["organizations.roles", "organization_domains"] {
            let reason = s.unobserved_reason(&parse(path)).expect("unobserved");
            assert!(
                reason.contains("Organizations are not enabled on this instance"),
                "{path}: {reason}"
            );
        }
        // Not on the plan proves nothing about the setting.
        let mut r = rec(&[]);
        r.disabled.insert(
            ORGANIZATION_ROLES.file,
            recording::Disabled {
                feature: Some(recording::Feature::Organizations),
                status: 402,
                code: None,
            },
        );
        r.insert(
            &endpoints::INSTANCE,
            json!({"id": "ins_1"}),
            std::path::Path::new("x"),
        )
        .expect("object");
        let s = normalize(&r).expect("normalizes");
        assert_eq!(get(&s, "organizations.enabled"), None);
    }

    #[test]
    fn organization_domains_are_keyed_by_name_with_volatile_fields_in_meta() {
        let s = normalize(&rec(&[(
            ORGANIZATION_DOMAINS.file,
            json!({"data": [
                {"object": "organization_domain", "id": "orgdmn_1", "organization_id": "org_1", "name": "acme.com",
                 "enrollment_mode": "automatic_invitation", "verification": {"status": "verified", "strategy": "email_code"},
                 "created_at": 1, "updated_at": 2},
                {"id": "orgdmn_2", "organization_id": "org_2", "name": "acme.dev", "enrollment_mode": "manual_invitation",
                 "verification": null},
                {"id": "orgdmn_3", "name": "acme.io", "enrollment_mode": "automatic_suggestion",
                 "affiliation_verification": {"status": "unverified"}}
            ], "total_count": 3}),
        )]))
        .expect("normalizes");
        assert_eq!(
            get(&s, "organization_domains"),
            Some(&json!({
                "acme.com": {"verified": true, "enrollment_mode": "automatic_invitation"},
                "acme.dev": {"verified": false, "enrollment_mode": "manual_invitation"},
                "acme.io": {"verified": false, "enrollment_mode": "automatic_suggestion"}
            }))
        );
        assert_eq!(
            s.meta.items.get("organization_domains[acme.com]"),
            Some(
                &json!({"id": "orgdmn_1", "organization_id": "org_1", "created_at": 1, "updated_at": 2})
            )
        );
        let err = normalize(&rec(&[(
            ORGANIZATION_DOMAINS.file,
            json!([{"name": "x", "verification": "verified"}]),
        )]))
        .expect_err("a string is not a verification");
        assert_eq!(err.json_path, "$[0].verification");
    }

    #[test]
    fn duplicate_keys_get_stable_suffixes_whatever_the_order() {
        let a = json!([{"name": "x", "provider": "saml_okta"}, {"name": "x", "provider": "oidc_custom"}]);
        let mut b = a.clone();
        if let Some(list) = b.as_array_mut() {
            list.reverse();
        }
        let sa = normalize(&rec(&[(ENTERPRISE_CONNECTIONS.file, a)])).expect("normalizes");
        let sb = normalize(&rec(&[(ENTERPRISE_CONNECTIONS.file, b)])).expect("normalizes");
        assert_eq!(sa.settings, sb.settings);
        assert!(get(&sa, "enterprise_connections[x~2]").is_some());
    }
}
