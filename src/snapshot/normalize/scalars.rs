//! Scalar settings: the `MAPPINGS` table (each setting, field by field, from every file that
//! reports it) and how a raw value becomes a normalized one (`Xf`), including the multi-factor
//! blocks of both the Frontend API and the Platform config. One meaning per setting whatever
//! the source: where two APIs encode the same fact differently (enumeration protection as a
//! boolean or a mode, a minimum password length of `0`, a CAPTCHA widget type while CAPTCHA is
//! off) the reading here makes them agree; docs/snapshot.md lists each reconciliation. Reads
//! bodies only through the `Builder`; collections and OAuth providers are the sibling modules'
//! business.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{Builder, Error};
use crate::recording::endpoints::{
    ALLOWLIST_IDENTIFIERS, BLOCKLIST_IDENTIFIERS, DOMAINS, ENTERPRISE_CONNECTIONS, ENVIRONMENT,
    INSTANCE, JWT_TEMPLATES, OAUTH_APPLICATION_SETTINGS, OAUTH_APPLICATIONS, ORGANIZATION_DOMAINS,
    ORGANIZATION_PERMISSIONS, ORGANIZATION_ROLES, ORGANIZATION_SETTINGS, PLATFORM_CONFIG, PROTECT,
    REDIRECT_URLS, SAML_CONNECTIONS,
};

/// How a raw value becomes a normalized one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Xf {
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
    /// FAPI's `enumeration_protection.enabled` → the Platform config's mode: `true` is
    /// `strict` (the only mode that hides whether an account exists), `false` is `bulk`, which
    /// Clerk always applies. Unverified against a live instance (REAL-INSTANCES.md).
    EnumerationStrict,
    /// A minimum password length: `0` (the Frontend API's value when none was chosen) is Clerk's
    /// floor of 8.
    PasswordMinLength,
    /// A string that only applies while the sibling boolean field named here is on: `null`
    /// while it is off (the CAPTCHA widget type, the verified-domain default role).
    StrIf(&'static str),
    /// A set of strings that only applies while the sibling boolean field named here is on:
    /// empty while it is off (the verified-domain enrollment modes).
    StrSetIf(&'static str),
    /// A boolean that only applies while another boolean field is on: `false` while it is off
    /// (self-serve SSO without enterprise SSO, user API keys without API keys, automatic
    /// organization creation without creation defaults). The field is a sibling name, or an
    /// absolute JSON pointer into the same body when it starts with `/`.
    BoolIf(&'static str),
    /// PLAPI `session` (null or `{claims: {...}}`) → the claims object.
    SessionClaims,
    /// PLAPI's MFA blocks → FAPI's `second_factors` vocabulary.
    PlapiSecondFactors,
    /// FAPI's `auth_config.second_factors`, with the factors of every enabled attribute that is
    /// `used_for_second_factor`.
    FapiSecondFactors,
    /// Unix milliseconds → RFC 3339 UTC text; `null` stays `null`.
    MillisTimestamp,
    /// Filled by collection code; the row only documents the source for coverage messages.
    Collection,
}

pub(super) struct Mapping {
    pub(super) path: &'static str,
    /// The recording file ([`crate::recording::endpoints`]).
    pub(super) file: &'static str,
    /// JSON pointer into the file's body.
    pub(super) ptr: &'static str,
    pub(super) xf: Xf,
}

macro_rules! mappings {
    ($($path:literal <- $file:ident $ptr:literal $xf:ident $(($arg:literal))?;)*) => {
        &[$(Mapping { path: $path, file: $file.file, ptr: $ptr, xf: Xf::$xf $(($arg))? }),*]
    };
}

/// Scalar settings, field by field (CLERK-SURFACE.md §2). Collections are listed with
/// `Collection` so that coverage can name their source.
pub(super) static MAPPINGS: &[Mapping] = mappings! {
    "instance.id" <- INSTANCE "/id" Str;
    "instance.environment" <- INSTANCE "/environment_type" Str;
    "instance.environment" <- ENVIRONMENT "/display_config/instance_environment_type" Str;
    "instance.allowed_origins" <- INSTANCE "/allowed_origins" StrSet;
    "instance.test_mode" <- ENVIRONMENT "/auth_config/test_mode" Bool;
    "instance.client_debug_mode" <- ENVIRONMENT "/client_debug_mode" Bool;
    "instance.api_keys.enabled" <- ENVIRONMENT "/api_keys_settings/enabled" Bool;
    "instance.api_keys.user_keys" <- ENVIRONMENT "/api_keys_settings/user_api_keys_enabled" BoolIf("enabled");
    "instance.api_keys.organization_keys" <- ENVIRONMENT "/api_keys_settings/orgs_api_keys_enabled" BoolIf("enabled");
    "instance.fapi_host" <- DOMAINS "" Collection;
    "instance.domains" <- DOMAINS "" Collection;
    "instance.redirect_urls" <- REDIRECT_URLS "" Collection;

    "session.maximum_lifetime" <- PLATFORM_CONFIG "/session_settings/maximum_lifetime" Toggle;
    "session.inactivity_timeout" <- PLATFORM_CONFIG "/session_settings/inactivity_timeout" Toggle;
    "session.multi_session" <- PLATFORM_CONFIG "/session_settings/multi_session_enabled" Bool;
    "session.multi_session" <- ENVIRONMENT "/auth_config/single_session_mode" NotBool;
    "session.claims" <- PLATFORM_CONFIG "/session" SessionClaims;
    "session.reverification" <- ENVIRONMENT "/auth_config/reverification" Bool;
    // Write-only on the Backend API (`PATCH /v1/instance`); the deprecated `cookieless_dev` alias
    // is not read (it stays in `observed`).
    "session.url_based_syncing" <- ENVIRONMENT "/auth_config/url_based_session_syncing" Bool;

    "sign_up.mode" <- PLATFORM_CONFIG "/auth_access_control/sign_up_mode" Str;
    "sign_up.mode" <- ENVIRONMENT "/user_settings/sign_up/mode" Str;
    "sign_up.captcha.enabled" <- PLATFORM_CONFIG "/auth_attack_protection/bot_protection/captcha_enabled" Bool;
    "sign_up.captcha.enabled" <- ENVIRONMENT "/user_settings/sign_up/captcha_enabled" Bool;
    // Clerk sends a widget type only while CAPTCHA is on; the Platform config keeps `""` or the
    // last choice when it is off. Off means no widget: `null` from every source.
    "sign_up.captcha.widget_type" <- PLATFORM_CONFIG "/auth_attack_protection/bot_protection/captcha_widget_type" StrIf("captcha_enabled");
    "sign_up.captcha.widget_type" <- ENVIRONMENT "/user_settings/sign_up/captcha_widget_type" StrIf("captcha_enabled");
    // `null` (clerk-js types `OAuthStrategy[] | null`) is the empty list.
    "sign_up.captcha.oauth_bypass" <- ENVIRONMENT "/display_config/captcha_oauth_bypass" StrSet;
    "sign_up.email_required" <- PLATFORM_CONFIG "/auth_email/required_for_sign_up" Bool;
    "sign_up.email_required" <- ENVIRONMENT "/user_settings/attributes/email_address/required" Bool;
    "sign_up.email_enabled" <- PLATFORM_CONFIG "/auth_email/used_for_sign_up" Bool;
    "sign_up.email_enabled" <- ENVIRONMENT "/user_settings/attributes/email_address/enabled" Bool;
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
    // `user_settings.saml` is the deprecated alias of `enterprise_sso`: not read (it stays in
    // `observed`), so one source field feeds one setting.
    "sign_in.enterprise_sso.enabled" <- ENVIRONMENT "/user_settings/enterprise_sso/enabled" Bool;
    "sign_in.enterprise_sso.self_serve" <- ENVIRONMENT "/user_settings/enterprise_sso/self_serve_sso" BoolIf("enabled");
    "sign_in.native_trusted_device" <- ENVIRONMENT "/auth_config/native_settings/trusted_device_sign_in_enabled" Bool;

    "mfa.factors" <- PLATFORM_CONFIG "/auth_multi_factor" PlapiSecondFactors;
    "mfa.factors" <- ENVIRONMENT "/auth_config/second_factors" FapiSecondFactors;
    // Two settings, each with its own Frontend API field. `sign_in.second_factor.required` is in
    // the spec (`UserSettings.SignIn`) and is the sign-in check (`required_for_sign_in`).
    // `sign_up.mfa.required` is not in the spec (`UserSettings.SignUp` allows no `mfa`) but
    // clerk-js and clerk-ios read it as "MFA required" (a user may not remove the last factor):
    // `required_for_sign_up`. Read where present; absent means not observed from this source.
    "mfa.required_for_sign_in" <- PLATFORM_CONFIG "/auth_multi_factor/required_for_sign_in" Bool;
    "mfa.required_for_sign_in" <- ENVIRONMENT "/user_settings/sign_in/second_factor/required" Bool;
    "mfa.required_for_sign_up" <- PLATFORM_CONFIG "/auth_multi_factor/required_for_sign_up" Bool;
    "mfa.required_for_sign_up" <- ENVIRONMENT "/user_settings/sign_up/mfa/required" Bool;
    "mfa.passkey_satisfies_second_factor" <- PLATFORM_CONFIG "/auth_passkey/satisfies_second_factor" Bool;
    "mfa.passkey_satisfies_second_factor" <- ENVIRONMENT "/user_settings/passkey_settings/satisfies_second_factor" Bool;
    // The raw switch, whatever the strategies listed with it (`mfa.factors` carries those).
    "mfa.sms_second_factor" <- PLATFORM_CONFIG "/auth_phone/used_for_second_factor" Bool;
    "mfa.sms_second_factor" <- ENVIRONMENT "/user_settings/attributes/phone_number/used_for_second_factor" Bool;

    "password.enabled" <- PLATFORM_CONFIG "/auth_password/enabled" Bool;
    "password.enabled" <- ENVIRONMENT "/user_settings/attributes/password/enabled" Bool;
    "password.required" <- PLATFORM_CONFIG "/auth_password/required" Bool;
    "password.required" <- ENVIRONMENT "/user_settings/attributes/password/required" Bool;
    "password.min_length" <- PLATFORM_CONFIG "/auth_password/min_length" PasswordMinLength;
    "password.min_length" <- ENVIRONMENT "/user_settings/password_settings/min_length" PasswordMinLength;
    // `0` in both sources (the fixtures of a default instance): Clerk's default maximum.
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
    "password.change_requires_reverification" <- ENVIRONMENT "/user_settings/password_settings/disable_password_reverification" NotBool;

    "attack_protection.lockout.enabled" <- PLATFORM_CONFIG "/auth_attack_protection/user_lockout/enabled" Bool;
    "attack_protection.lockout.enabled" <- ENVIRONMENT "/user_settings/attack_protection/user_lockout/enabled" Bool;
    "attack_protection.lockout.max_attempts" <- PLATFORM_CONFIG "/auth_attack_protection/user_lockout/max_attempts" Int;
    "attack_protection.lockout.max_attempts" <- ENVIRONMENT "/user_settings/attack_protection/user_lockout/max_attempts" Int;
    "attack_protection.lockout.duration" <- PLATFORM_CONFIG "/auth_attack_protection/user_lockout/duration_in_minutes" Minutes;
    "attack_protection.lockout.duration" <- ENVIRONMENT "/user_settings/attack_protection/user_lockout/duration_in_minutes" Minutes;
    "attack_protection.enumeration_protection" <- PLATFORM_CONFIG "/auth_attack_protection/enumeration_protection" Str;
    "attack_protection.enumeration_protection" <- ENVIRONMENT "/user_settings/attack_protection/enumeration_protection/enabled" EnumerationStrict;
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

    "account.email_immutable" <- PLATFORM_CONFIG "/auth_email/immutable" Bool;
    "account.email_immutable" <- ENVIRONMENT "/user_settings/attributes/email_address/immutable" Bool;
    "account.phone_immutable" <- PLATFORM_CONFIG "/auth_phone/immutable" Bool;
    "account.phone_immutable" <- ENVIRONMENT "/user_settings/attributes/phone_number/immutable" Bool;
    "account.username_immutable" <- PLATFORM_CONFIG "/auth_username/immutable" Bool;
    "account.username_immutable" <- ENVIRONMENT "/user_settings/attributes/username/immutable" Bool;
    "account.delete_self" <- ENVIRONMENT "/user_settings/actions/delete_self" Bool;

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
    // Clerk creates an organization per new user only when both switches are on (clerk/cli
    // `enable orgs --auto-create` README). The Backend API's organization settings carry the same
    // block in clerk-go (not in the 2026-05-12 spec): read where present.
    "organizations.creation_defaults" <- PLATFORM_CONFIG "/organization_settings/organization_creation_defaults/enabled" Bool;
    "organizations.creation_defaults" <- ORGANIZATION_SETTINGS "/organization_creation_defaults/enabled" Bool;
    "organizations.automatic_creation" <- PLATFORM_CONFIG "/organization_settings/organization_creation_defaults/automatic_organization_creation/enabled" BoolIf("/organization_settings/organization_creation_defaults/enabled");
    "organizations.automatic_creation" <- ORGANIZATION_SETTINGS "/organization_creation_defaults/automatic_organization_creation/enabled" BoolIf("/organization_creation_defaults/enabled");
    "organizations.domains.enabled" <- PLATFORM_CONFIG "/organization_settings/domains_enabled" Bool;
    "organizations.domains.enabled" <- ORGANIZATION_SETTINGS "/domains_enabled" Bool;
    "organizations.domains.enabled" <- ENVIRONMENT "/organization_settings/domains/enabled" Bool;
    // The Frontend API empties both while verified domains are off (the iOS fixture); the other
    // sources keep what was last chosen. Off means none, from every source.
    "organizations.domains.enrollment_modes" <- PLATFORM_CONFIG "/organization_settings/domains_enrollment_modes" StrSetIf("domains_enabled");
    "organizations.domains.enrollment_modes" <- ORGANIZATION_SETTINGS "/domains_enrollment_modes" StrSetIf("domains_enabled");
    "organizations.domains.enrollment_modes" <- ENVIRONMENT "/organization_settings/domains/enrollment_modes" StrSetIf("enabled");
    "organizations.domains.default_role" <- PLATFORM_CONFIG "/organization_settings/domains_default_role" StrIf("domains_enabled");
    "organizations.domains.default_role" <- ORGANIZATION_SETTINGS "/domains_default_role" StrIf("domains_enabled");
    "organizations.domains.default_role" <- ENVIRONMENT "/organization_settings/domains/default_role" StrIf("enabled");
    "organizations.roles" <- ORGANIZATION_ROLES "" Collection;
    "organizations.permissions" <- ORGANIZATION_PERMISSIONS "" Collection;
    "organization_domains" <- ORGANIZATION_DOMAINS "" Collection;

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

/// Clerk's minimum password length: its docs hold passwords to NIST's minimum of 8, and the
/// Platform config of a default instance says 8 where the Frontend API says 0.
const CLERK_MIN_PASSWORD_LENGTH: i64 = 8;

/// Values Clerk documents as fixed (CLERK-SURFACE.md §6).
pub(super) fn clerk_fixed() -> [(&'static str, Value); 2] {
    [
        ("session.token_lifetime", json!(60)),
        ("session.cookie_same_site", json!("Lax")),
    ]
}

impl Builder<'_> {
    /// Reads one mapped value; `None` when the field is absent (not observed).
    pub(super) fn read(&self, m: &Mapping, body: &Value) -> Result<Option<Value>, Error> {
        if m.xf == Xf::FapiSecondFactors {
            return self.fapi_second_factors(m.file, body);
        }
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
            Xf::Int | Xf::Minutes | Xf::PasswordMinLength if raw.is_null() => None,
            Xf::Int => Some(json!(self.int(m.file, m.ptr, raw)?)),
            Xf::PasswordMinLength => match self.int(m.file, m.ptr, raw)? {
                0 => Some(json!(CLERK_MIN_PASSWORD_LENGTH)),
                n => Some(json!(n)),
            },
            Xf::Minutes => Some(json!(self.int(m.file, m.ptr, raw)?.saturating_mul(60))),
            Xf::Str => Some(self.opt_str(m.file, m.ptr, raw)?),
            Xf::StrSet => Some(self.str_set(m.file, m.ptr, raw)?),
            Xf::StrIf(flag) if self.sibling_off(m, body, flag)? => Some(Value::Null),
            Xf::StrIf(_) => Some(self.opt_str(m.file, m.ptr, raw)?),
            Xf::StrSetIf(flag) if self.sibling_off(m, body, flag)? => Some(json!([])),
            Xf::StrSetIf(_) => Some(self.str_set(m.file, m.ptr, raw)?),
            Xf::BoolIf(_) if raw.is_null() => None,
            Xf::BoolIf(flag) if self.sibling_off(m, body, flag)? => {
                expect_bool(raw)?;
                Some(Value::Bool(false))
            }
            Xf::BoolIf(_) => Some(Value::Bool(expect_bool(raw)?)),
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
            Xf::EnumerationStrict if raw.is_null() => None,
            Xf::EnumerationStrict => Some(json!(if expect_bool(raw)? { "strict" } else { "bulk" })),
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
            Xf::Collection | Xf::MillisTimestamp | Xf::FapiSecondFactors => None,
        };
        Ok(out)
    }

    pub(super) fn int(&self, file: &'static str, ptr: &str, v: &Value) -> Result<i64, Error> {
        v.as_i64()
            .ok_or_else(|| self.err(file, ptr, "an integer", v))
    }

    pub(super) fn opt_str(&self, file: &'static str, ptr: &str, v: &Value) -> Result<Value, Error> {
        match v {
            Value::Null => Ok(Value::Null),
            Value::String(s) if s.is_empty() => Ok(Value::Null),
            Value::String(_) => Ok(v.clone()),
            other => Err(self.err(file, ptr, "a string or null", other)),
        }
    }

    pub(super) fn str_set(&self, file: &'static str, ptr: &str, v: &Value) -> Result<Value, Error> {
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

    /// Whether the boolean field `flag` next to the mapped field (or at the absolute pointer
    /// `flag`) is present and `false`.
    fn sibling_off(&self, m: &Mapping, body: &Value, flag: &str) -> Result<bool, Error> {
        let parent = m.ptr.rsplit_once('/').map_or("", |(parent, _)| parent);
        let ptr = if flag.starts_with('/') {
            flag.to_owned()
        } else {
            format!("{parent}/{flag}")
        };
        match body.pointer(&ptr) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(on)) => Ok(!on),
            Some(other) => Err(self.err(m.file, &ptr, "a boolean", other)),
        }
    }

    /// The Frontend API names second factors in `auth_config.second_factors` and again on each
    /// attribute (`user_settings.attributes.<a>.{enabled, used_for_second_factor,
    /// second_factors}`); both blocks describe one setting, so the factors are their union. Only
    /// the attributes the Platform config can express count (authenticator app, backup codes,
    /// phone, email): a passkey's part in MFA is `mfa.passkey_satisfies_second_factor`.
    fn fapi_second_factors(&self, file: &'static str, env: &Value) -> Result<Option<Value>, Error> {
        let listed = env.pointer("/auth_config/second_factors");
        let attributes = env.pointer("/user_settings/attributes");
        if listed.is_none() && attributes.is_none() {
            return Ok(None);
        }
        let mut set = BTreeSet::new();
        let mut add = |this: &Self, ptr: &str, v: &Value| -> Result<(), Error> {
            for s in this.str_set(file, ptr, v)?.as_array().into_iter().flatten() {
                if let Some(s) = s.as_str() {
                    set.insert(s.to_owned());
                }
            }
            Ok(())
        };
        if let Some(v) = listed {
            add(self, "/auth_config/second_factors", v)?;
        }
        for attr in [
            "authenticator_app",
            "backup_code",
            "phone_number",
            "email_address",
        ] {
            let base = format!("/user_settings/attributes/{attr}");
            let flag = |name: &str| -> Result<bool, Error> {
                let ptr = format!("{base}/{name}");
                match env.pointer(&ptr) {
                    None | Some(Value::Null) => Ok(false),
                    Some(Value::Bool(b)) => Ok(*b),
                    Some(other) => Err(self.err(file, &ptr, "a boolean", other)),
                }
            };
            if !(flag("enabled")? && flag("used_for_second_factor")?) {
                continue;
            }
            let ptr = format!("{base}/second_factors");
            if let Some(v) = env.pointer(&ptr) {
                add(self, &ptr, v)?;
            }
        }
        Ok(Some(json!(set)))
    }

    /// PLAPI spreads second factors over several blocks; FAPI lists them as strategy names.
    /// Phone and email count when `used_for_second_factor`, with their
    /// `second_factor_strategies` (`phone_code` / `email_code` when the list is absent).
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
        for (block, default) in [("auth_phone", "phone_code"), ("auth_email", "email_code")] {
            if !flag(&format!("/{block}/used_for_second_factor"))? {
                continue;
            }
            let ptr = format!("/{block}/second_factor_strategies");
            match cfg.pointer(&ptr) {
                Some(v) if !v.is_null() => {
                    let strategies = self.str_set(file, &ptr, v)?;
                    for s in strategies.as_array().into_iter().flatten() {
                        if let Some(s) = s.as_str() {
                            set.insert(s.to_owned());
                        }
                    }
                }
                _ => {
                    set.insert(default.to_owned());
                }
            }
        }
        Ok(json!(set))
    }
}
