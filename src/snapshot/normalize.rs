//! Raw Clerk API JSON (a [`Recording`]) → normalized [`Snapshot`].
//!
//! One vocabulary whatever the source: each setting is read from every source that exposes it
//! (the `MAPPINGS` table for scalar settings, code below for collections) and written to one path
//! with one type. When sources disagree the more authoritative wins (Platform config > Backend
//! API > Frontend API) and the disagreement is kept in `conflicts`. Unknown fields are ignored;
//! a known field of the wrong type is an error naming the file and JSON path. Secrets are reduced
//! to `present`/`absent` here and never copied. This module does no I/O; files are named by the
//! recording's endpoint table.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::model::{Conflict, Coverage, Meta, Snapshot, Source, Unobserved};
use super::schema::{self, SCHEMA_VERSION};
use crate::jsonx::type_name;
use crate::path::{Path, Seg};
use crate::recording::endpoints::{
    self, ALLOWLIST_IDENTIFIERS, BLOCKLIST_IDENTIFIERS, DOMAINS, ENTERPRISE_CONNECTIONS,
    ENVIRONMENT, INSTANCE, JWT_TEMPLATES, LAYOUT, OAUTH_APPLICATION_SETTINGS, OAUTH_APPLICATIONS,
    ORGANIZATION_PERMISSIONS, ORGANIZATION_ROLES, ORGANIZATION_SETTINGS, PLATFORM_CONFIG, PROTECT,
    REDIRECT_URLS, SAML_CONNECTIONS,
};
use crate::recording::{self, Recording};

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

/// How a raw value becomes a normalized one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Xf {
    Bool,
    /// Polarity flip (`single_session_mode` → `multi_session`, `disable_hibp` → `breach_detection`).
    NotBool,
    Int,
    /// A string; `null` and `""` both mean "not set" and become `null`.
    Str,
    /// An array of strings, sorted and de-duplicated; `null` is the empty set.
    StrSet,
    /// Whole minutes → seconds.
    Minutes,
    /// `{enabled, duration_seconds}` → `{enabled, seconds}`.
    Toggle,
    /// PLAPI's string enumeration protection (`"bulk"`, `"none"`, …) → FAPI's boolean.
    EnumerationMode,
    /// PLAPI `session` (null or `{claims: {...}}`) → the claims object.
    SessionClaims,
    /// PLAPI's MFA blocks → FAPI's `second_factors` vocabulary.
    PlapiSecondFactors,
    /// Unix milliseconds → RFC 3339 UTC text; `null` stays `null`.
    MillisTimestamp,
    /// Filled by collection code; the row only documents the source for coverage messages.
    Collection,
}

struct Mapping {
    path: &'static str,
    file: &'static str,
    /// JSON pointer into the file's body.
    ptr: &'static str,
    xf: Xf,
}

macro_rules! mappings {
    ($($path:literal <- $file:ident $ptr:literal $xf:ident;)*) => {
        &[$(Mapping { path: $path, file: $file.file, ptr: $ptr, xf: Xf::$xf }),*]
    };
}

/// Scalar settings, field by field (CLERK-SURFACE.md §2). Collections are listed with
/// `Collection` so that coverage can name their source.
static MAPPINGS: &[Mapping] = mappings! {
    "instance.id" <- INSTANCE "/id" Str;
    "instance.environment" <- INSTANCE "/environment_type" Str;
    "instance.environment" <- ENVIRONMENT "/display_config/instance_environment_type" Str;
    "instance.allowed_origins" <- INSTANCE "/allowed_origins" StrSet;
    "instance.test_mode" <- ENVIRONMENT "/auth_config/test_mode" Bool;
    "instance.fapi_host" <- DOMAINS "" Collection;
    "instance.domains" <- DOMAINS "" Collection;
    "instance.redirect_urls" <- REDIRECT_URLS "" Collection;

    "session.maximum_lifetime" <- PLATFORM_CONFIG "/session_settings/maximum_lifetime" Toggle;
    "session.inactivity_timeout" <- PLATFORM_CONFIG "/session_settings/inactivity_timeout" Toggle;
    "session.multi_session" <- PLATFORM_CONFIG "/session_settings/multi_session_enabled" Bool;
    "session.multi_session" <- ENVIRONMENT "/auth_config/single_session_mode" NotBool;
    "session.claims" <- PLATFORM_CONFIG "/session" SessionClaims;
    "session.reverification" <- ENVIRONMENT "/auth_config/reverification" Bool;

    "sign_up.mode" <- PLATFORM_CONFIG "/auth_access_control/sign_up_mode" Str;
    "sign_up.mode" <- ENVIRONMENT "/user_settings/sign_up/mode" Str;
    "sign_up.captcha.enabled" <- PLATFORM_CONFIG "/auth_attack_protection/bot_protection/captcha_enabled" Bool;
    "sign_up.captcha.enabled" <- ENVIRONMENT "/user_settings/sign_up/captcha_enabled" Bool;
    "sign_up.captcha.widget_type" <- PLATFORM_CONFIG "/auth_attack_protection/bot_protection/captcha_widget_type" Str;
    "sign_up.captcha.widget_type" <- ENVIRONMENT "/user_settings/sign_up/captcha_widget_type" Str;
    "sign_up.email_required" <- PLATFORM_CONFIG "/auth_email/required_for_sign_up" Bool;
    "sign_up.email_required" <- ENVIRONMENT "/user_settings/attributes/email_address/required" Bool;
    "sign_up.email_verification" <- PLATFORM_CONFIG "/auth_email/verify_at_sign_up" Bool;
    "sign_up.email_verification" <- ENVIRONMENT "/user_settings/attributes/email_address/verify_at_sign_up" Bool;
    "sign_up.email_verification_strategies" <- PLATFORM_CONFIG "/auth_email/verification_strategies" StrSet;
    "sign_up.email_verification_strategies" <- ENVIRONMENT "/user_settings/attributes/email_address/verifications" StrSet;
    "sign_up.phone_verification" <- PLATFORM_CONFIG "/auth_phone/verify_at_sign_up" Bool;
    "sign_up.phone_verification" <- ENVIRONMENT "/user_settings/attributes/phone_number/verify_at_sign_up" Bool;
    "sign_up.legal_consent" <- PLATFORM_CONFIG "/compliance/legal_consent/enabled" Bool;
    "sign_up.legal_consent" <- ENVIRONMENT "/user_settings/sign_up/legal_consent_enabled" Bool;

    "sign_in.first_factors" <- ENVIRONMENT "/auth_config/first_factors" StrSet;
    "sign_in.identifiers" <- ENVIRONMENT "/auth_config/identification_strategies" StrSet;
    "sign_in.email_strategies" <- PLATFORM_CONFIG "/auth_email/sign_in_strategies" StrSet;
    "sign_in.email_strategies" <- ENVIRONMENT "/user_settings/attributes/email_address/first_factors" StrSet;
    "sign_in.phone_strategies" <- PLATFORM_CONFIG "/auth_phone/sign_in_strategies" StrSet;
    "sign_in.phone_strategies" <- ENVIRONMENT "/user_settings/attributes/phone_number/first_factors" StrSet;
    "sign_in.passkey" <- PLATFORM_CONFIG "/auth_passkey/used_for_sign_in" Bool;
    "sign_in.passkey" <- ENVIRONMENT "/user_settings/attributes/passkey/used_for_first_factor" Bool;

    "mfa.factors" <- PLATFORM_CONFIG "/auth_multi_factor" PlapiSecondFactors;
    "mfa.factors" <- ENVIRONMENT "/auth_config/second_factors" StrSet;
    "mfa.required_for_sign_in" <- PLATFORM_CONFIG "/auth_multi_factor/required_for_sign_in" Bool;
    "mfa.required_for_sign_in" <- ENVIRONMENT "/user_settings/sign_in/second_factor/required" Bool;
    "mfa.required_for_sign_up" <- PLATFORM_CONFIG "/auth_multi_factor/required_for_sign_up" Bool;
    "mfa.required_for_sign_up" <- ENVIRONMENT "/user_settings/sign_up/mfa/required" Bool;
    "mfa.passkey_satisfies_second_factor" <- PLATFORM_CONFIG "/auth_passkey/satisfies_second_factor" Bool;
    "mfa.passkey_satisfies_second_factor" <- ENVIRONMENT "/user_settings/passkey_settings/satisfies_second_factor" Bool;

    "password.enabled" <- PLATFORM_CONFIG "/auth_password/enabled" Bool;
    "password.enabled" <- ENVIRONMENT "/user_settings/attributes/password/enabled" Bool;
    "password.required" <- PLATFORM_CONFIG "/auth_password/required" Bool;
    "password.required" <- ENVIRONMENT "/user_settings/attributes/password/required" Bool;
    "password.min_length" <- PLATFORM_CONFIG "/auth_password/min_length" Int;
    "password.min_length" <- ENVIRONMENT "/user_settings/password_settings/min_length" Int;
    "password.max_length" <- PLATFORM_CONFIG "/auth_password/max_length" Int;
    "password.max_length" <- ENVIRONMENT "/user_settings/password_settings/max_length" Int;
    "password.require_special_char" <- PLATFORM_CONFIG "/auth_password/require_special_char" Bool;
    "password.require_special_char" <- ENVIRONMENT "/user_settings/password_settings/require_special_char" Bool;
    "password.require_numbers" <- PLATFORM_CONFIG "/auth_password/require_numbers" Bool;
    "password.require_numbers" <- ENVIRONMENT "/user_settings/password_settings/require_numbers" Bool;
    "password.require_uppercase" <- PLATFORM_CONFIG "/auth_password/require_uppercase" Bool;
    "password.require_uppercase" <- ENVIRONMENT "/user_settings/password_settings/require_uppercase" Bool;
    "password.require_lowercase" <- PLATFORM_CONFIG "/auth_password/require_lowercase" Bool;
    "password.require_lowercase" <- ENVIRONMENT "/user_settings/password_settings/require_lowercase" Bool;
    "password.zxcvbn.show" <- PLATFORM_CONFIG "/auth_password/show_zxcvbn" Bool;
    "password.zxcvbn.show" <- ENVIRONMENT "/user_settings/password_settings/show_zxcvbn" Bool;
    "password.zxcvbn.min_strength" <- PLATFORM_CONFIG "/auth_password/min_zxcvbn_strength" Int;
    "password.zxcvbn.min_strength" <- ENVIRONMENT "/user_settings/password_settings/min_zxcvbn_strength" Int;
    "password.breach_detection" <- PLATFORM_CONFIG "/auth_password/disable_hibp" NotBool;
    "password.breach_detection" <- ENVIRONMENT "/user_settings/password_settings/disable_hibp" NotBool;
    "password.breach_check_on_sign_in" <- PLATFORM_CONFIG "/auth_password/enforce_hibp_on_sign_in" Bool;
    "password.breach_check_on_sign_in" <- ENVIRONMENT "/user_settings/password_settings/enforce_hibp_on_sign_in" Bool;
    "password.device_trust" <- PLATFORM_CONFIG "/auth_password/device_trust/enabled" Bool;

    "attack_protection.lockout.enabled" <- PLATFORM_CONFIG "/auth_attack_protection/user_lockout/enabled" Bool;
    "attack_protection.lockout.enabled" <- ENVIRONMENT "/user_settings/attack_protection/user_lockout/enabled" Bool;
    "attack_protection.lockout.max_attempts" <- PLATFORM_CONFIG "/auth_attack_protection/user_lockout/max_attempts" Int;
    "attack_protection.lockout.max_attempts" <- ENVIRONMENT "/user_settings/attack_protection/user_lockout/max_attempts" Int;
    "attack_protection.lockout.duration" <- PLATFORM_CONFIG "/auth_attack_protection/user_lockout/duration_in_minutes" Minutes;
    "attack_protection.lockout.duration" <- ENVIRONMENT "/user_settings/attack_protection/user_lockout/duration_in_minutes" Minutes;
    "attack_protection.enumeration_protection" <- PLATFORM_CONFIG "/auth_attack_protection/enumeration_protection" EnumerationMode;
    "attack_protection.enumeration_protection" <- ENVIRONMENT "/user_settings/attack_protection/enumeration_protection/enabled" Bool;
    "attack_protection.email_link_same_client" <- PLATFORM_CONFIG "/auth_attack_protection/email_link_require_same_client" Bool;
    "attack_protection.email_link_same_client" <- ENVIRONMENT "/user_settings/attack_protection/email_link/require_same_client" Bool;
    "attack_protection.pii_protection" <- PLATFORM_CONFIG "/auth_attack_protection/pii_protection_enabled" Bool;
    "attack_protection.pii_protection" <- ENVIRONMENT "/user_settings/attack_protection/pii/enabled" Bool;
    "attack_protection.native_device_attestation" <- ENVIRONMENT "/fraud_settings/native/device_attestation_mode" Str;
    "attack_protection.protect.rules_enabled" <- PROTECT "/rules_enabled" Bool;
    "attack_protection.protect.specter_enabled" <- PROTECT "/specter_enabled" Bool;
    "attack_protection.protect.checks_bypassed" <- PROTECT "/checks_bypassed" Bool;

    "restrictions.allowlist.enabled" <- PLATFORM_CONFIG "/auth_access_control/allowlist_enabled" Bool;
    "restrictions.allowlist.enabled" <- ENVIRONMENT "/user_settings/restrictions/allowlist/enabled" Bool;
    "restrictions.allowlist.identifiers" <- ALLOWLIST_IDENTIFIERS "" Collection;
    "restrictions.blocklist.enabled" <- PLATFORM_CONFIG "/auth_access_control/blocklist_enabled" Bool;
    "restrictions.blocklist.enabled" <- ENVIRONMENT "/user_settings/restrictions/blocklist/enabled" Bool;
    "restrictions.blocklist.identifiers" <- BLOCKLIST_IDENTIFIERS "" Collection;
    "restrictions.enforced_on_sign_in" <- PLATFORM_CONFIG "/auth_access_control/allowlist_blocklist_enforced_on_sign_in" Bool;
    "restrictions.enforced_on_sign_in" <- ENVIRONMENT "/user_settings/restrictions/allowlist_blocklist_disabled_on_sign_in/enabled" NotBool;
    "restrictions.block_email_subaddresses" <- PLATFORM_CONFIG "/auth_access_control/block_email_subaddresses" Bool;
    "restrictions.block_email_subaddresses" <- ENVIRONMENT "/user_settings/restrictions/block_email_subaddresses/enabled" Bool;
    "restrictions.block_disposable_email_domains" <- PLATFORM_CONFIG "/auth_access_control/block_disposable_email_domains" Bool;
    "restrictions.block_disposable_email_domains" <- ENVIRONMENT "/user_settings/restrictions/block_disposable_email_domains/enabled" Bool;

    "jwt_templates" <- JWT_TEMPLATES "" Collection;
    "oauth_providers" <- PLATFORM_CONFIG "/connection_oauth_*" Collection;
    "oauth_providers" <- ENVIRONMENT "/user_settings/social" Collection;

    "organizations.enabled" <- PLATFORM_CONFIG "/organization_settings/enabled" Bool;
    "organizations.enabled" <- ORGANIZATION_SETTINGS "/enabled" Bool;
    "organizations.enabled" <- ENVIRONMENT "/organization_settings/enabled" Bool;
    "organizations.max_allowed_memberships" <- PLATFORM_CONFIG "/organization_settings/max_allowed_memberships" Int;
    "organizations.max_allowed_memberships" <- ORGANIZATION_SETTINGS "/max_allowed_memberships" Int;
    "organizations.max_allowed_memberships" <- ENVIRONMENT "/organization_settings/max_allowed_memberships" Int;
    "organizations.max_allowed_roles" <- PLATFORM_CONFIG "/organization_settings/max_allowed_roles" Int;
    "organizations.max_allowed_roles" <- ORGANIZATION_SETTINGS "/max_allowed_roles" Int;
    "organizations.max_allowed_domains" <- PLATFORM_CONFIG "/organization_settings/max_allowed_domains" Int;
    "organizations.max_allowed_domains" <- ORGANIZATION_SETTINGS "/max_allowed_domains" Int;
    "organizations.creator_role" <- PLATFORM_CONFIG "/organization_settings/creator_role" Str;
    "organizations.creator_role" <- ORGANIZATION_SETTINGS "/creator_role" Str;
    "organizations.creator_role" <- ENVIRONMENT "/organization_settings/creator_role" Str;
    "organizations.admin_delete" <- PLATFORM_CONFIG "/organization_settings/admin_delete_enabled" Bool;
    "organizations.admin_delete" <- ORGANIZATION_SETTINGS "/admin_delete_enabled" Bool;
    "organizations.admin_delete" <- ENVIRONMENT "/organization_settings/actions/admin_delete" Bool;
    "organizations.slug_disabled" <- PLATFORM_CONFIG "/organization_settings/slug_disabled" Bool;
    "organizations.slug_disabled" <- ORGANIZATION_SETTINGS "/slug_disabled" Bool;
    "organizations.slug_disabled" <- ENVIRONMENT "/organization_settings/slug/disabled" Bool;
    "organizations.force_organization_selection" <- PLATFORM_CONFIG "/organization_settings/force_organization_selection" Bool;
    "organizations.users_can_create" <- ENVIRONMENT "/user_settings/actions/create_organization" Bool;
    "organizations.domains.enabled" <- PLATFORM_CONFIG "/organization_settings/domains_enabled" Bool;
    "organizations.domains.enabled" <- ORGANIZATION_SETTINGS "/domains_enabled" Bool;
    "organizations.domains.enabled" <- ENVIRONMENT "/organization_settings/domains/enabled" Bool;
    "organizations.domains.enrollment_modes" <- PLATFORM_CONFIG "/organization_settings/domains_enrollment_modes" StrSet;
    "organizations.domains.enrollment_modes" <- ORGANIZATION_SETTINGS "/domains_enrollment_modes" StrSet;
    "organizations.domains.enrollment_modes" <- ENVIRONMENT "/organization_settings/domains/enrollment_modes" StrSet;
    "organizations.domains.default_role" <- PLATFORM_CONFIG "/organization_settings/domains_default_role" Str;
    "organizations.domains.default_role" <- ORGANIZATION_SETTINGS "/domains_default_role" Str;
    "organizations.domains.default_role" <- ENVIRONMENT "/organization_settings/domains/default_role" Str;
    "organizations.roles" <- ORGANIZATION_ROLES "" Collection;
    "organizations.permissions" <- ORGANIZATION_PERMISSIONS "" Collection;

    "oauth_server.dynamic_client_registration" <- OAUTH_APPLICATION_SETTINGS "/dynamic_oauth_client_registration" Bool;
    "oauth_server.default_scopes" <- OAUTH_APPLICATION_SETTINGS "/default_scopes" StrSet;
    "oauth_server.jwt_access_tokens" <- OAUTH_APPLICATION_SETTINGS "/oauth_jwt_access_tokens" Bool;
    "oauth_server.cimd_advertised" <- OAUTH_APPLICATION_SETTINGS "/client_id_metadata_documents_advertised" Bool;
    "oauth_server.cimd_only_pre_registered" <- OAUTH_APPLICATION_SETTINGS "/client_id_metadata_documents_only_allow_pre_registered_clients" Bool;
    "oauth_server.cimd_block_implicitly_allowed" <- OAUTH_APPLICATION_SETTINGS "/client_id_metadata_documents_block_implicitly_allowed_clients" Bool;
    "oauth_applications" <- OAUTH_APPLICATIONS "" Collection;
    "enterprise_connections" <- ENTERPRISE_CONNECTIONS "" Collection;
    "saml_connections" <- SAML_CONNECTIONS "" Collection;
};

/// Values Clerk documents as fixed (CLERK-SURFACE.md §6).
fn clerk_fixed() -> [(&'static str, Value); 2] {
    [
        ("session.token_lifetime", json!(60)),
        ("session.cookie_same_site", json!("Lax")),
    ]
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
    b.oauth_providers()?;
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

/// Provider key → (enabled, normalized fields), as one source reports them.
type Providers = BTreeMap<String, (bool, Map<String, Value>)>;

/// Entries sharing one identity key: (canonical JSON, normalized entry, raw item).
type Group<'a> = Vec<(String, Map<String, Value>, &'a Map<String, Value>)>;

struct Builder<'r> {
    rec: &'r Recording,
    settings: Value,
    provenance: BTreeMap<String, Source>,
    conflicts: BTreeMap<String, BTreeMap<Source, Value>>,
    meta: Meta,
}

impl<'r> Builder<'r> {
    fn new(rec: &'r Recording) -> Self {
        Builder {
            rec,
            settings: Value::Object(Map::new()),
            provenance: BTreeMap::new(),
            conflicts: BTreeMap::new(),
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

    /// Reads one mapped value; `None` when the field is absent (not observed).
    fn read(&self, m: &Mapping, body: &Value) -> Result<Option<Value>, Error> {
        let Some(raw) = body.pointer(m.ptr) else {
            return Ok(None);
        };
        let expect_bool = |v: &Value| {
            v.as_bool()
                .ok_or_else(|| self.err(m.file, m.ptr, "a boolean", v))
        };
        let out = match m.xf {
            Xf::Bool | Xf::NotBool if raw.is_null() => None,
            Xf::Bool => Some(Value::Bool(expect_bool(raw)?)),
            Xf::NotBool => Some(Value::Bool(!expect_bool(raw)?)),
            Xf::Int | Xf::Minutes if raw.is_null() => None,
            Xf::Int => Some(json!(self.int(m.file, m.ptr, raw)?)),
            Xf::Minutes => Some(json!(self.int(m.file, m.ptr, raw)?.saturating_mul(60))),
            Xf::Str => Some(self.opt_str(m.file, m.ptr, raw)?),
            Xf::StrSet => Some(self.str_set(m.file, m.ptr, raw)?),
            Xf::Toggle => {
                if raw.is_null() {
                    return Ok(None);
                }
                let enabled = raw
                    .get("enabled")
                    .ok_or_else(|| self.err(m.file, m.ptr, "an object with `enabled`", raw))?;
                let ptr_enabled = format!("{}/enabled", m.ptr);
                let ptr_secs = format!("{}/duration_seconds", m.ptr);
                let enabled = enabled
                    .as_bool()
                    .ok_or_else(|| self.err(m.file, &ptr_enabled, "a boolean", enabled))?;
                let secs = match raw.get("duration_seconds") {
                    Some(v) if !v.is_null() => self.int(m.file, &ptr_secs, v)?,
                    _ => 0,
                };
                Some(json!({ "enabled": enabled, "seconds": secs }))
            }
            Xf::EnumerationMode => match raw {
                Value::Null => None,
                Value::Bool(b) => Some(Value::Bool(*b)),
                Value::String(s) => Some(Value::Bool(!matches!(
                    s.to_ascii_lowercase().as_str(),
                    "" | "none" | "off" | "disabled" | "false"
                ))),
                other => return Err(self.err(m.file, m.ptr, "a string or boolean", other)),
            },
            Xf::SessionClaims => match raw {
                Value::Null => Some(json!({})),
                Value::Object(o) => match o.get("claims") {
                    None | Some(Value::Null) => Some(json!({})),
                    Some(c @ Value::Object(_)) => Some(c.clone()),
                    Some(other) => {
                        return Err(self.err(m.file, "/session/claims", "an object", other));
                    }
                },
                other => return Err(self.err(m.file, m.ptr, "an object or null", other)),
            },
            Xf::PlapiSecondFactors => {
                if !raw.is_object() {
                    return Err(self.err(m.file, m.ptr, "an object", raw));
                }
                Some(self.plapi_second_factors(m.file, body)?)
            }
            Xf::Collection | Xf::MillisTimestamp => None,
        };
        Ok(out)
    }

    fn int(&self, file: &'static str, ptr: &str, v: &Value) -> Result<i64, Error> {
        v.as_i64()
            .ok_or_else(|| self.err(file, ptr, "an integer", v))
    }

    fn opt_str(&self, file: &'static str, ptr: &str, v: &Value) -> Result<Value, Error> {
        match v {
            Value::Null => Ok(Value::Null),
            Value::String(s) if s.is_empty() => Ok(Value::Null),
            Value::String(_) => Ok(v.clone()),
            other => Err(self.err(file, ptr, "a string or null", other)),
        }
    }

    fn str_set(&self, file: &'static str, ptr: &str, v: &Value) -> Result<Value, Error> {
        let items = match v {
            Value::Null => return Ok(json!([])),
            Value::Array(items) => items,
            other => return Err(self.err(file, ptr, "an array of strings", other)),
        };
        let mut set = BTreeSet::new();
        for (i, item) in items.iter().enumerate() {
            let s = item
                .as_str()
                .ok_or_else(|| self.err(file, &format!("{ptr}/{i}"), "a string", item))?;
            set.insert(s.to_owned());
        }
        Ok(json!(set))
    }

    /// PLAPI spreads second factors over several blocks; FAPI lists them as strategy names.
    fn plapi_second_factors(&self, file: &'static str, cfg: &Value) -> Result<Value, Error> {
        let flag = |ptr: &str| -> Result<bool, Error> {
            match cfg.pointer(ptr) {
                None | Some(Value::Null) => Ok(false),
                Some(v) => v
                    .as_bool()
                    .ok_or_else(|| self.err(file, ptr, "a boolean", v)),
            }
        };
        let mut set = BTreeSet::new();
        if flag("/auth_multi_factor/authenticator_app/enabled")? {
            set.insert("totp".to_owned());
        }
        if flag("/auth_multi_factor/backup_code/enabled")? {
            set.insert("backup_code".to_owned());
        }
        if flag("/auth_phone/used_for_second_factor")? {
            let ptr = "/auth_phone/second_factor_strategies";
            match cfg.pointer(ptr) {
                Some(v) if !v.is_null() => {
                    let strategies = self.str_set(file, ptr, v)?;
                    for s in strategies.as_array().into_iter().flatten() {
                        if let Some(s) = s.as_str() {
                            set.insert(s.to_owned());
                        }
                    }
                }
                _ => {
                    set.insert("phone_code".to_owned());
                }
            }
        }
        Ok(json!(set))
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

    fn list(&self, file: &'static str) -> Option<&'r [Value]> {
        self.rec
            .get(file)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
    }

    /// The object at index `i` of a list file.
    fn item<'a>(
        &self,
        file: &'static str,
        i: usize,
        v: &'a Value,
    ) -> Result<&'a Map<String, Value>, Error> {
        v.as_object()
            .ok_or_else(|| self.err(file, &format!("/{i}"), "an object", v))
    }

    fn field_str(
        &self,
        file: &'static str,
        i: usize,
        item: &Map<String, Value>,
        name: &str,
    ) -> Result<Option<String>, Error> {
        match item.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.err(file, &format!("/{i}/{name}"), "a string", other)),
        }
    }

    /// Copies typed fields of a list item into a normalized entry.
    fn copy_fields(
        &self,
        file: &'static str,
        i: usize,
        item: &Map<String, Value>,
        fields: &[(&str, &str, Xf)],
    ) -> Result<Map<String, Value>, Error> {
        let mut out = Map::new();
        for &(from, to, xf) in fields {
            let ptr = format!("/{i}/{from}");
            let Some(raw) = item.get(from) else { continue };
            let value = match xf {
                Xf::Bool => {
                    if raw.is_null() {
                        continue;
                    }
                    Value::Bool(
                        raw.as_bool()
                            .ok_or_else(|| self.err(file, &ptr, "a boolean", raw))?,
                    )
                }
                Xf::Int => {
                    if raw.is_null() {
                        continue;
                    }
                    json!(self.int(file, &ptr, raw)?)
                }
                Xf::Str => self.opt_str(file, &ptr, raw)?,
                Xf::StrSet => self.str_set(file, &ptr, raw)?,
                Xf::MillisTimestamp if raw.is_null() => Value::Null,
                Xf::MillisTimestamp => {
                    let ms = self.int(file, &ptr, raw)?;
                    let ts = jiff::Timestamp::from_millisecond(ms)
                        .map_err(|_| self.err(file, &ptr, "a timestamp in milliseconds", raw))?;
                    json!(ts.to_string())
                }
                _ => {
                    debug_assert!(false, "unsupported field transform {xf:?}");
                    continue;
                }
            };
            out.insert(to.to_owned(), value);
        }
        Ok(out)
    }

    /// Remembers volatile fields of an entry in `meta.items`.
    fn remember(&mut self, path: &Path, item: &Map<String, Value>) {
        let volatile: Map<String, Value> = [
            "id",
            "created_at",
            "updated_at",
            "instance_id",
            "organization_id",
        ]
        .iter()
        .filter_map(|k| {
            item.get(*k)
                .filter(|v| !v.is_null())
                .map(|v| ((*k).to_owned(), v.clone()))
        })
        .collect();
        if !volatile.is_empty() {
            self.meta
                .items
                .insert(path.to_string(), Value::Object(volatile));
        }
    }

    /// Builds a keyed collection from a list file; duplicate keys get a stable `~2`, `~3` suffix
    /// assigned by the entries' canonical JSON, so list order never matters.
    fn keyed(
        &mut self,
        at: &str,
        file: &'static str,
        key_field: &str,
        mut entry: impl FnMut(&Self, usize, &Map<String, Value>) -> Result<Map<String, Value>, Error>,
    ) -> Result<(), Error> {
        let Some(items) = self.list(file) else {
            return Ok(());
        };
        let mut grouped: BTreeMap<String, Group<'_>> = BTreeMap::new();
        for (i, raw) in items.iter().enumerate() {
            let item = self.item(file, i, raw)?;
            let key = self.field_str(file, i, item, key_field)?.ok_or_else(|| {
                self.err(
                    file,
                    &format!("/{i}/{key_field}"),
                    "a string",
                    item.get(key_field).unwrap_or(&Value::Null),
                )
            })?;
            let normalized = entry(self, i, item)?;
            let canonical = serde_json::to_string(&normalized).unwrap_or_default();
            grouped
                .entry(key)
                .or_default()
                .push((canonical, normalized, item));
        }
        let base = parse(at);
        let mut collection = Map::new();
        for (key, mut group) in grouped {
            group.sort_by(|a, b| a.0.cmp(&b.0));
            for (n, (_, normalized, raw)) in group.into_iter().enumerate() {
                let k = if n == 0 {
                    key.clone()
                } else {
                    format!("{key}~{}", n + 1)
                };
                self.remember(&base.key(&k), raw);
                collection.insert(k, Value::Object(normalized));
            }
        }
        self.set(&base, Value::Object(collection), Source::Bapi);
        Ok(())
    }

    fn string_list(&mut self, at: &str, file: &'static str, field: &str) -> Result<(), Error> {
        // A live pull's lists: read the one field without parsing whole entries. Any entry
        // that is not as expected sends us down the parsed path, which names the problem.
        if let Some(Ok(strings)) = self.rec.strings(file, field)
            && let Some(mut list) = strings.into_iter().collect::<Option<Vec<String>>>()
        {
            // The same sorted set as below, built faster: sorted in place, and moved into the
            // snapshot rather than serialized again by `json!`.
            list.sort_unstable();
            list.dedup();
            let list = list.into_iter().map(Value::String).collect();
            self.set(&parse(at), Value::Array(list), Source::Bapi);
            return Ok(());
        }
        let Some(items) = self.list(file) else {
            return Ok(());
        };
        let mut set = BTreeSet::new();
        for (i, raw) in items.iter().enumerate() {
            let item = self.item(file, i, raw)?;
            let value = self.field_str(file, i, item, field)?.ok_or_else(|| {
                self.err(
                    file,
                    &format!("/{i}/{field}"),
                    "a string",
                    item.get(field).unwrap_or(&Value::Null),
                )
            })?;
            set.insert(value);
        }
        self.set(&parse(at), json!(set), Source::Bapi);
        Ok(())
    }

    fn domains(&mut self) -> Result<(), Error> {
        self.keyed("instance.domains", DOMAINS.file, "name", |b, i, item| {
            let mut e = b.copy_fields(
                DOMAINS.file,
                i,
                item,
                &[
                    ("is_satellite", "is_satellite", Xf::Bool),
                    ("frontend_api_url", "frontend_api_url", Xf::Str),
                    ("accounts_portal_url", "accounts_portal_url", Xf::Str),
                    ("proxy_url", "proxy_url", Xf::Str),
                    ("development_origin", "development_origin", Xf::Str),
                ],
            )?;
            let mut targets = Map::new();
            match item.get("cname_targets") {
                None | Some(Value::Null) => {}
                Some(Value::Array(list)) => {
                    for (j, t) in list.iter().enumerate() {
                        let ptr = format!("/{i}/cname_targets/{j}");
                        let host = t.get("host").and_then(Value::as_str);
                        let value = t.get("value").and_then(Value::as_str);
                        match (host, value) {
                            (Some(h), Some(v)) => {
                                targets.insert(h.to_owned(), json!(v));
                            }
                            _ => {
                                return Err(b.err(
                                    DOMAINS.file,
                                    &ptr,
                                    "an object with string `host` and `value`",
                                    t,
                                ));
                            }
                        }
                    }
                }
                Some(other) => {
                    return Err(b.err(
                        DOMAINS.file,
                        &format!("/{i}/cname_targets"),
                        "an array",
                        other,
                    ));
                }
            }
            e.insert("cname_targets".into(), Value::Object(targets));
            Ok(e)
        })?;
        // The primary (non-satellite) domain's Frontend API host.
        let host = crate::snapshot::model::lookup(&self.settings, &parse("instance.domains"))
            .and_then(Value::as_object)
            .and_then(|domains| {
                domains.values().find_map(|d| {
                    (d.get("is_satellite") == Some(&Value::Bool(false)))
                        .then(|| d.get("frontend_api_url")?.as_str())
                        .flatten()
                })
            })
            .map(|url| {
                url.trim_start_matches("https://")
                    .trim_start_matches("http://")
                    .trim_end_matches('/')
                    .to_owned()
            });
        if let Some(host) = host {
            self.set(&parse("instance.fapi_host"), json!(host), Source::Bapi);
        }
        Ok(())
    }

    fn jwt_templates(&mut self) -> Result<(), Error> {
        self.keyed("jwt_templates", JWT_TEMPLATES.file, "name", |b, i, item| {
            let mut e = b.copy_fields(
                JWT_TEMPLATES.file,
                i,
                item,
                &[
                    ("lifetime", "lifetime", Xf::Int),
                    ("allowed_clock_skew", "allowed_clock_skew", Xf::Int),
                    ("signing_algorithm", "signing_algorithm", Xf::Str),
                    ("custom_signing_key", "custom_signing_key", Xf::Bool),
                ],
            )?;
            match item.get("claims") {
                Some(c @ Value::Object(_)) => {
                    e.insert("claims".into(), c.clone());
                }
                None | Some(Value::Null) => {
                    e.insert("claims".into(), json!({}));
                }
                Some(other) => {
                    return Err(b.err(
                        JWT_TEMPLATES.file,
                        &format!("/{i}/claims"),
                        "an object",
                        other,
                    ));
                }
            }
            Ok(e)
        })
    }

    fn oauth_applications(&mut self) -> Result<(), Error> {
        self.keyed(
            "oauth_applications",
            OAUTH_APPLICATIONS.file,
            "client_id",
            |b, i, item| {
                let mut e = b.copy_fields(
                    OAUTH_APPLICATIONS.file,
                    i,
                    item,
                    &[
                        ("name", "name", Xf::Str),
                        ("public", "public", Xf::Bool),
                        ("pkce_required", "pkce_required", Xf::Bool),
                        ("consent_screen_enabled", "consent_screen_enabled", Xf::Bool),
                        ("dynamically_registered", "dynamically_registered", Xf::Bool),
                        ("redirect_uris", "redirect_uris", Xf::StrSet),
                    ],
                )?;
                // The spec types `scopes` as one space-separated string.
                if let Some(scopes) = b.field_str(OAUTH_APPLICATIONS.file, i, item, "scopes")? {
                    let set: BTreeSet<&str> = scopes.split_whitespace().collect();
                    e.insert("scopes".into(), json!(set));
                }
                Ok(e)
            },
        )
    }

    fn saml_connections(&mut self) -> Result<(), Error> {
        self.keyed(
            "saml_connections",
            SAML_CONNECTIONS.file,
            "name",
            |b, i, item| {
                b.copy_fields(
                    SAML_CONNECTIONS.file,
                    i,
                    item,
                    &[
                        ("active", "active", Xf::Bool),
                        ("domains", "domains", Xf::StrSet),
                        ("idp_entity_id", "idp_entity_id", Xf::Str),
                        (
                            "idp_certificate_expires_at",
                            "idp_certificate_expires_at",
                            Xf::MillisTimestamp,
                        ),
                    ],
                )
            },
        )
    }

    fn enterprise_connections(&mut self) -> Result<(), Error> {
        self.keyed(
            "enterprise_connections",
            ENTERPRISE_CONNECTIONS.file,
            "name",
            |b, i, item| {
                let mut e = b.copy_fields(
                    ENTERPRISE_CONNECTIONS.file,
                    i,
                    item,
                    &[
                        ("provider", "provider", Xf::Str),
                        ("active", "active", Xf::Bool),
                        ("domains", "domains", Xf::StrSet),
                        ("authenticatable", "authenticatable", Xf::Bool),
                        (
                            "disable_jit_provisioning",
                            "disable_jit_provisioning",
                            Xf::Bool,
                        ),
                        ("sync_user_attributes", "sync_user_attributes", Xf::Bool),
                        (
                            "allow_organization_account_linking",
                            "allow_organization_account_linking",
                            Xf::Bool,
                        ),
                        (
                            "disable_additional_identifications",
                            "disable_additional_identifications",
                            Xf::Bool,
                        ),
                    ],
                )?;
                for (from, to, fields) in [
                    (
                        "saml_connection",
                        "saml",
                        &[
                            ("idp_entity_id", "idp_entity_id", Xf::Str),
                            ("idp_sso_url", "idp_sso_url", Xf::Str),
                            ("idp_metadata_url", "idp_metadata_url", Xf::Str),
                            ("allow_idp_initiated", "allow_idp_initiated", Xf::Bool),
                            ("allow_subdomains", "allow_subdomains", Xf::Bool),
                            ("force_authn", "force_authn", Xf::Bool),
                        ][..],
                    ),
                    (
                        "oauth_config",
                        "oidc",
                        &[
                            ("client_id", "client_id", Xf::Str),
                            ("discovery_url", "discovery_url", Xf::Str),
                            ("requires_pkce", "requires_pkce", Xf::Bool),
                        ][..],
                    ),
                ] {
                    match item.get(from) {
                        None | Some(Value::Null) => {}
                        Some(Value::Object(sub)) => {
                            // Field errors inside the sub-object are reported with the item's index.
                            let nested = b
                                .copy_fields(ENTERPRISE_CONNECTIONS.file, i, sub, fields)
                                .map_err(|mut err| {
                                    err.json_path = err.json_path.replacen(
                                        &format!("$[{i}]"),
                                        &format!("$[{i}].{from}"),
                                        1,
                                    );
                                    err
                                })?;
                            e.insert(to.into(), Value::Object(nested));
                        }
                        Some(other) => {
                            return Err(b.err(
                                ENTERPRISE_CONNECTIONS.file,
                                &format!("/{i}/{from}"),
                                "an object or null",
                                other,
                            ));
                        }
                    }
                }
                Ok(e)
            },
        )
    }

    fn roles(&mut self) -> Result<(), Error> {
        self.keyed(
            "organizations.roles",
            ORGANIZATION_ROLES.file,
            "key",
            |b, i, item| {
                let mut e = b.copy_fields(
                    ORGANIZATION_ROLES.file,
                    i,
                    item,
                    &[
                        ("name", "name", Xf::Str),
                        ("is_creator_eligible", "is_creator_eligible", Xf::Bool),
                    ],
                )?;
                let mut perms = BTreeSet::new();
                match item.get("permissions") {
                    None | Some(Value::Null) => {}
                    Some(Value::Array(list)) => {
                        for (j, p) in list.iter().enumerate() {
                            let key = p.get("key").and_then(Value::as_str).ok_or_else(|| {
                                b.err(
                                    ORGANIZATION_ROLES.file,
                                    &format!("/{i}/permissions/{j}"),
                                    "an object with a string `key`",
                                    p,
                                )
                            })?;
                            perms.insert(key.to_owned());
                        }
                    }
                    Some(other) => {
                        return Err(b.err(
                            ORGANIZATION_ROLES.file,
                            &format!("/{i}/permissions"),
                            "an array",
                            other,
                        ));
                    }
                }
                e.insert("permissions".into(), json!(perms));
                Ok(e)
            },
        )
    }

    fn permissions(&mut self) -> Result<(), Error> {
        self.keyed(
            "organizations.permissions",
            ORGANIZATION_PERMISSIONS.file,
            "key",
            |b, i, item| {
                b.copy_fields(
                    ORGANIZATION_PERMISSIONS.file,
                    i,
                    item,
                    &[("name", "name", Xf::Str), ("type", "type", Xf::Str)],
                )
            },
        )
    }

    /// Enabled OAuth providers from FAPI `user_settings.social` and PLAPI
    /// `connection_oauth_<p>` / `connections_oauth_custom`. The set of enabled providers comes
    /// from the most authoritative source present; a provider another source disagrees about is
    /// recorded as a conflict on its entry path.
    fn oauth_providers(&mut self) -> Result<(), Error> {
        let fapi = self.fapi_providers()?;
        let plapi = self.plapi_providers()?;
        let (Some(primary), primary_source) = (match (&plapi, &fapi) {
            (Some(p), _) => (Some(p), Source::Plapi),
            (None, Some(f)) => (Some(f), Source::Fapi),
            (None, None) => (None, Source::Fapi),
        }) else {
            return Ok(());
        };
        let base = parse("oauth_providers");
        let enabled: BTreeSet<&String> = primary
            .iter()
            .filter(|(_, (on, _))| *on)
            .map(|(k, _)| k)
            .collect();
        insert(&mut self.settings, &base, json!({}));
        self.provenance.insert(base.to_string(), primary_source);
        for key in &enabled {
            insert(&mut self.settings, &base.key(key), json!({}));
        }
        for (source, providers) in [(Source::Fapi, &fapi), (Source::Plapi, &plapi)] {
            let Some(providers) = providers else { continue };
            for (key, (on, fields)) in providers {
                let entry = base.key(key);
                if source != primary_source && *on != enabled.contains(key) {
                    let c = self.conflicts.entry(entry.to_string()).or_default();
                    c.insert(source, json!({ "enabled": on }));
                    c.insert(primary_source, json!({ "enabled": enabled.contains(key) }));
                }
                if !enabled.contains(key) {
                    continue;
                }
                for (field, value) in fields {
                    self.set(&entry.field(field), value.clone(), source);
                }
            }
        }
        Ok(())
    }

    /// FAPI: provider key → (enabled, fields).
    fn fapi_providers(&self) -> Result<Option<Providers>, Error> {
        let Some(env) = self.rec.get(ENVIRONMENT.file) else {
            return Ok(None);
        };
        let Some(social) = env.pointer("/user_settings/social") else {
            return Ok(None);
        };
        let Some(social) = social.as_object() else {
            return Err(self.err(
                ENVIRONMENT.file,
                "/user_settings/social",
                "an object",
                social,
            ));
        };
        let mut out = BTreeMap::new();
        for (name, p) in social {
            let key = name.strip_prefix("oauth_").unwrap_or(name).to_owned();
            let ptr = format!("/user_settings/social/{name}");
            let obj = p
                .as_object()
                .ok_or_else(|| self.err(ENVIRONMENT.file, &ptr, "an object", p))?;
            let mut fields = Map::new();
            let mut enabled = false;
            for (from, to) in [
                ("enabled", ""),
                ("authenticatable", "authenticatable"),
                ("block_email_subaddresses", "block_email_subaddresses"),
            ] {
                match obj.get(from) {
                    None | Some(Value::Null) => {}
                    Some(Value::Bool(v)) if to.is_empty() => enabled = *v,
                    Some(Value::Bool(v)) => {
                        fields.insert(to.to_owned(), Value::Bool(*v));
                    }
                    Some(other) => {
                        return Err(self.err(
                            ENVIRONMENT.file,
                            &format!("{ptr}/{from}"),
                            "a boolean",
                            other,
                        ));
                    }
                }
            }
            out.insert(key, (enabled, fields));
        }
        Ok(Some(out))
    }

    /// PLAPI: provider key → (enabled, fields). Secrets become `present`/`absent`.
    fn plapi_providers(&self) -> Result<Option<Providers>, Error> {
        let Some(cfg) = self
            .rec
            .get(PLATFORM_CONFIG.file)
            .and_then(Value::as_object)
        else {
            return Ok(None);
        };
        let mut out = BTreeMap::new();
        let mut any = false;
        let mut entries: Vec<(String, String, &Value, bool)> = Vec::new();
        for (name, p) in cfg {
            if let Some(provider) = name.strip_prefix("connection_oauth_") {
                any = true;
                entries.push((provider.to_owned(), format!("/{name}"), p, false));
            }
        }
        if let Some(custom) = cfg.get("connections_oauth_custom") {
            any = true;
            match custom {
                Value::Null => {}
                Value::Object(map) => {
                    for (name, p) in map {
                        let ptr = format!(
                            "/connections_oauth_custom/{}",
                            name.replace('~', "~0").replace('/', "~1")
                        );
                        entries.push((format!("custom_{name}"), ptr, p, true));
                    }
                }
                other => {
                    return Err(self.err(
                        PLATFORM_CONFIG.file,
                        "/connections_oauth_custom",
                        "an object",
                        other,
                    ));
                }
            }
        }
        if !any {
            return Ok(None);
        }
        for (key, ptr, p, custom) in entries {
            // `connection_oauth_enstall: null` appears in real dumps: a provider not configured.
            let obj = match p {
                Value::Null => {
                    out.insert(key, (false, Map::new()));
                    continue;
                }
                Value::Object(o) => o,
                other => {
                    return Err(self.err(PLATFORM_CONFIG.file, &ptr, "an object or null", other));
                }
            };
            let boolean = |f: &str| -> Result<Option<bool>, Error> {
                match obj.get(f) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::Bool(b)) => Ok(Some(*b)),
                    Some(other) => Err(self.err(
                        PLATFORM_CONFIG.file,
                        &format!("{ptr}/{f}"),
                        "a boolean",
                        other,
                    )),
                }
            };
            let string = |f: &str| -> Result<Option<&str>, Error> {
                match obj.get(f) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(s)) => Ok(Some(s.as_str())),
                    Some(other) => Err(self.err(
                        PLATFORM_CONFIG.file,
                        &format!("{ptr}/{f}"),
                        "a string",
                        other,
                    )),
                }
            };
            let enabled = boolean("enabled")?.unwrap_or(false);
            let mut fields = Map::new();
            for f in ["authenticatable", "block_email_subaddresses"] {
                if let Some(v) = boolean(f)? {
                    fields.insert(f.to_owned(), Value::Bool(v));
                }
            }
            // An empty client id means Clerk's shared development credentials (the check
            // `clerk security audit` calls oauth-custom-credentials).
            if obj.contains_key("client_id") {
                let custom_creds = string("client_id")?.is_some_and(|s| !s.is_empty());
                fields.insert(
                    "credentials".into(),
                    json!(if custom_creds { "custom" } else { "shared" }),
                );
            }
            if obj.contains_key("client_secret") {
                let present = string("client_secret")?.is_some_and(|s| !s.is_empty());
                fields.insert(
                    "client_secret".into(),
                    json!(if present { "present" } else { "absent" }),
                );
            }
            if custom {
                if let Some(url) = string("discovery_url")? {
                    fields.insert("discovery_url".into(), json!(url));
                }
                if let Some(v) = boolean("requires_pkce")? {
                    fields.insert("requires_pkce".into(), Value::Bool(v));
                }
            }
            out.insert(key, (enabled, fields));
        }
        Ok(Some(out))
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
            meta: self.meta,
            accepted: None,
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
            if !top_level || parent_is_leaf || node.kind == schema::Kind::Struct {
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
            return "no Clerk API exposes it: attest it (--attestations FILE, docs/policy.md)"
                .to_owned();
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
    use super::*;

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

    #[test]
    fn enumeration_protection_string_and_bool_agree() {
        let s = normalize(&rec(&[
            (ENVIRONMENT.file, json!({"user_settings": {"attack_protection": {"enumeration_protection": {"enabled": true}}}})),
            (PLATFORM_CONFIG.file, json!({"auth_attack_protection": {"enumeration_protection": "bulk"}})),
        ]))
        .expect("normalizes");
        assert_eq!(
            get(&s, "attack_protection.enumeration_protection"),
            Some(&json!(true))
        );
        assert!(s.conflicts.is_empty(), "{:?}", s.conflicts);
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
    fn fields_clerk_adds_later_are_ignored() {
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
        assert_eq!(base.settings, newer.settings);
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
