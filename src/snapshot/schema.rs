//! The snapshot schema (schema_version 3): every setting path clerk-drift knows, its kind and
//! its meaning. It is public API. Normalization may only write paths listed here (a unit test
//! holds it to that); the diff asks it which objects are keyed collections and which values are
//! durations; the policy validator asks it whether a rule's path exists; reports and policy
//! details ask it how a value reads to a person ([`display_value`]).
//!
//! It knows only paths and kinds: it must not import the diff, the policy or the reports.
//!
//! Patterns use `[*]` for a collection key. Kinds below a `Json` node are free-form; so are those
//! below `observed`, whose shape is the endpoints' own (an `Observed` value: objects field by
//! field, lists keyed by identity, sets by element).

use serde_json::Value;

use crate::path::{Path, Seg};

pub const SCHEMA_VERSION: u32 = 3;

/// Paths whose meaning changed in schema_version 2 (docs/snapshot.md, "Versions"): a value an
/// older snapshot holds there cannot be compared with a current one, so loading an older snapshot
/// drops it (the current value then shows as newly observed, never as drift).
pub const CHANGED_IN_V2: &[&str] = &["attack_protection.enumeration_protection", "mfa.factors"];

/// Collections that exist only while a feature is on, with the setting that switches it: when
/// the current snapshot observes that setting `false`, a collection it no longer observes is the
/// feature's absence (a fact, reported by the switch's own change), not lost coverage.
pub const SWITCHED_BY: &[(&str, &str)] = &[
    ("organizations.roles", "organizations.enabled"),
    ("organizations.permissions", "organizations.enabled"),
    ("organization_domains", "organizations.enabled"),
    (
        "observed.bapi.organization_settings",
        "organizations.enabled",
    ),
    ("observed.bapi.organization_roles", "organizations.enabled"),
    (
        "observed.bapi.organization_permissions",
        "organizations.enabled",
    ),
    (
        "observed.bapi.organization_domains",
        "organizations.enabled",
    ),
    ("observed.bapi.role_sets", "organizations.enabled"),
];

/// Paths schema_version 2 added: an older snapshot could not observe them, so loading one marks
/// them unobserved (the current value then shows as newly observed, never as added drift).
pub const ADDED_IN_V2: &[&str] = &["sign_up.email_enabled", "organization_domains"];

/// Paths schema_version 3 added (issue 15): everything observed that no curated path carries, and
/// the settings promoted from it to the curated vocabulary. Loading an older snapshot marks them
/// unobserved ("not observed by schema_version N"), so they show as newly observed, never as
/// drift, until `baseline accept` adopts them.
pub const ADDED_IN_V3: &[&str] = &[
    "instance.client_debug_mode",
    "instance.api_keys",
    "session.url_based_syncing",
    "sign_up.captcha.oauth_bypass",
    "sign_in.enterprise_sso",
    "sign_in.native_trusted_device",
    "mfa.sms_second_factor",
    "password.change_requires_reverification",
    "organizations.creation_defaults",
    "organizations.automatic_creation",
    "account",
    "observed",
];

/// What kind of value lives at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An object with named fields; a field missing from it was not observed.
    Struct,
    /// A collection keyed by identity (template name, provider, domain); entries are structs.
    Map,
    /// Free-form JSON object (JWT claims): keys are compared one by one, values whole.
    Json,
    Bool,
    Int,
    Str,
    /// Whole seconds, shown as `30m`.
    Duration,
    /// `{"enabled": bool, "seconds": int}`; shown as `30m` or `disabled`.
    ToggledDuration,
    /// Sorted, de-duplicated strings compared as a set.
    StrSet,
    /// `"present"` or `"absent"`: the only trace a secret leaves in a snapshot.
    Secret,
    /// A point in time: RFC 3339 UTC text (`2027-01-31T00:00:00Z`).
    Timestamp,
    /// A value an endpoint returned that the curated paths do not carry (`observed.…`), in the
    /// endpoint's own shape made canonical: objects compared field by field, lists keyed by
    /// identity (`[key]`, listed in the snapshot's `keyed`), sets by element, the rest whole.
    Observed,
}

/// One schema entry.
pub struct Node {
    pub pattern: &'static str,
    pub kind: Kind,
    pub doc: &'static str,
}

macro_rules! nodes {
    ($($pattern:literal => $kind:ident, $doc:literal;)*) => {
        &[$(Node { pattern: $pattern, kind: Kind::$kind, doc: $doc }),*]
    };
}

/// Every path of schema_version 3. Intermediate structs are listed so that docs and policy
/// validation can name them.
pub static NODES: &[Node] = nodes! {
    "instance" => Struct, "The instance itself: identity, environment, origins, domains.";
    "instance.id" => Str, "Instance id (`ins_…`).";
    "instance.environment" => Str, "`production`, `development` or `staging`.";
    "instance.fapi_host" => Str, "Frontend API host of the primary domain.";
    "instance.allowed_origins" => StrSet, "Origins allowed to call the Frontend API with credentials.";
    "instance.test_mode" => Bool, "Test mode: fixed OTP codes and test emails/phones accepted.";
    "instance.client_debug_mode" => Bool, "Clerk's client debug mode (Frontend API `client_debug_mode`): a troubleshooting switch for Clerk's browser SDK, meant for development, not for production.";
    "instance.api_keys" => Struct, "API keys that users and organizations create for machine access (Frontend API `api_keys_settings`).";
    "instance.api_keys.enabled" => Bool, "The API keys feature is on.";
    "instance.api_keys.user_keys" => Bool, "Users may create their own API keys (false while the feature is off).";
    "instance.api_keys.organization_keys" => Bool, "Organizations may create API keys (false while the feature is off).";
    "instance.redirect_urls" => StrSet, "Allowed redirect URLs (native/OAuth callbacks).";
    "instance.domains" => Map, "Domains keyed by name.";
    "instance.domains[*].is_satellite" => Bool, "Satellite domain (shares sessions with the primary).";
    "instance.domains[*].frontend_api_url" => Str, "Frontend API URL served for this domain.";
    "instance.domains[*].accounts_portal_url" => Str, "Account Portal URL (null for satellites).";
    "instance.domains[*].proxy_url" => Str, "Frontend API proxy URL, if proxied.";
    "instance.domains[*].development_origin" => Str, "Development origin for the domain.";
    "instance.domains[*].cname_targets" => Json, "DNS CNAME targets: host → target value.";
    "session" => Struct, "Session lifetime and token settings.";
    "session.maximum_lifetime" => ToggledDuration, "Maximum session lifetime.";
    "session.maximum_lifetime.enabled" => Bool, "Whether the maximum lifetime applies.";
    "session.maximum_lifetime.seconds" => Duration, "Maximum lifetime in seconds.";
    "session.inactivity_timeout" => ToggledDuration, "Inactivity timeout.";
    "session.inactivity_timeout.enabled" => Bool, "Whether the inactivity timeout applies.";
    "session.inactivity_timeout.seconds" => Duration, "Inactivity timeout in seconds.";
    "session.multi_session" => Bool, "Users may hold several sessions at once (not single-session mode).";
    "session.claims" => Json, "Custom session-token claims (empty object when unset).";
    "session.token_lifetime" => Duration, "Session token (`__session`) lifetime: fixed by Clerk at 60 s.";
    "session.cookie_same_site" => Str, "SameSite of Clerk's session cookies: fixed by Clerk at `Lax`.";
    "session.reverification" => Bool, "Reverification (step-up) enabled for sensitive actions.";
    "session.url_based_syncing" => Bool, "URL-based session syncing (Frontend API `auth_config.url_based_session_syncing`): the session travels between domains in the URL instead of a cookie, the development instances' mode.";
    "sign_up" => Struct, "Who may sign up and what is verified.";
    "sign_up.mode" => Str, "`public`, `restricted` (invite-only) or `waitlist`.";
    "sign_up.captcha" => Struct, "Bot protection (CAPTCHA) on sign-up.";
    "sign_up.captcha.enabled" => Bool, "CAPTCHA on sign-up.";
    "sign_up.captcha.widget_type" => Str, "`smart` or `invisible`; null when CAPTCHA is off (the type only applies while it is on).";
    "sign_up.captcha.oauth_bypass" => StrSet, "OAuth strategies whose sign-ups skip the CAPTCHA (Frontend API `display_config.captcha_oauth_bypass`, e.g. `oauth_google`); empty: none.";
    "sign_up.email_required" => Bool, "An email address is required at sign-up.";
    "sign_up.email_enabled" => Bool, "Users give an email address (Dashboard: Sign-up with email; Platform `auth_email.used_for_sign_up`, Frontend API `attributes.email_address.enabled`).";
    "sign_up.email_verification" => Bool, "Email addresses are verified at sign-up.";
    "sign_up.email_verification_strategies" => StrSet, "How emails are verified (`email_code`, `email_link`).";
    "sign_up.phone_verification" => Bool, "Phone numbers are verified at sign-up.";
    "sign_up.legal_consent" => Bool, "Users must accept legal terms at sign-up.";
    "sign_in" => Struct, "How users sign in.";
    "sign_in.first_factors" => StrSet, "First-factor strategies offered (FAPI `auth_config.first_factors`).";
    "sign_in.identifiers" => StrSet, "Identification strategies (email, phone, username, OAuth).";
    "sign_in.email_strategies" => StrSet, "Email sign-in strategies (`email_code`, `email_link`).";
    "sign_in.phone_strategies" => StrSet, "Phone sign-in strategies (`phone_code`).";
    "sign_in.passkey" => Bool, "Passkeys can be used to sign in.";
    "sign_in.enterprise_sso" => Struct, "Enterprise SSO (SAML/OIDC connections) as a way to sign in (Frontend API `user_settings.enterprise_sso`).";
    "sign_in.enterprise_sso.enabled" => Bool, "Enterprise SSO is on.";
    "sign_in.enterprise_sso.self_serve" => Bool, "Self-serve SSO: organization admins may set up and manage their own enterprise connections (false while enterprise SSO is off).";
    "sign_in.native_trusted_device" => Bool, "Native apps may sign in with a trusted-device credential enrolled on the device (Frontend API `auth_config.native_settings.trusted_device_sign_in_enabled`).";
    "mfa" => Struct, "Multi-factor authentication.";
    "mfa.factors" => StrSet, "Second factors offered (`totp`, `phone_code`, `email_code`, `backup_code`); passkeys are `mfa.passkey_satisfies_second_factor`.";
    "mfa.required_for_sign_in" => Bool, "Users who have a second factor must verify it at sign-in.";
    "mfa.required_for_sign_up" => Bool, "Every user must enrol a second factor (Clerk's Require MFA setting, the `setup-mfa` session task).";
    "mfa.passkey_satisfies_second_factor" => Bool, "A passkey sign-in counts as two factors.";
    "mfa.sms_second_factor" => Bool, "SMS codes can be used as a second factor (Platform `auth_phone.used_for_second_factor`, Frontend API `attributes.phone_number.used_for_second_factor`).";
    "password" => Struct, "Password policy.";
    "password.enabled" => Bool, "Passwords can be used.";
    "password.required" => Bool, "A password is required at sign-up.";
    "password.min_length" => Int, "Minimum password length (never below Clerk's floor of 8; a reported 0 reads as 8).";
    "password.max_length" => Int, "Maximum password length (0: Clerk's default maximum).";
    "password.require_special_char" => Bool, "Complexity: a special character is required.";
    "password.require_numbers" => Bool, "Complexity: a digit is required.";
    "password.require_uppercase" => Bool, "Complexity: an uppercase letter is required.";
    "password.require_lowercase" => Bool, "Complexity: a lowercase letter is required.";
    "password.zxcvbn" => Struct, "zxcvbn strength estimation.";
    "password.zxcvbn.show" => Bool, "The strength meter is shown.";
    "password.zxcvbn.min_strength" => Int, "Minimum zxcvbn score (0–4).";
    "password.breach_detection" => Bool, "Breached (HIBP) passwords are rejected at sign-up and change.";
    "password.breach_check_on_sign_in" => Bool, "Breached passwords are also rejected at sign-in.";
    "password.device_trust" => Bool, "Client Trust: a new device needs a second check after a password sign-in.";
    "password.change_requires_reverification" => Bool, "Changing the password requires the user to verify again first (Frontend API `password_settings.disable_password_reverification`, inverted).";
    "attack_protection" => Struct, "Brute-force, enumeration and bot defences.";
    "attack_protection.lockout" => Struct, "User lockout after failed attempts.";
    "attack_protection.lockout.enabled" => Bool, "Lockout is on.";
    "attack_protection.lockout.max_attempts" => Int, "Failed attempts before lockout.";
    "attack_protection.lockout.duration" => Duration, "How long a lockout lasts.";
    "attack_protection.enumeration_protection" => Str, "Enumeration protection mode: `none`, `bulk` (Clerk's default, always on) or `strict` (sign-in and sign-up never reveal whether an account exists).";
    "attack_protection.email_link_same_client" => Bool, "Email links must be opened on the device that asked for them.";
    "attack_protection.pii_protection" => Bool, "PII protection.";
    "attack_protection.native_device_attestation" => Str, "Native device attestation: `disabled`, `onboarding`, `enforced`.";
    "attack_protection.protect" => Struct, "Clerk Protect.";
    "attack_protection.protect.rules_enabled" => Bool, "Clerk Protect rules are enabled.";
    "attack_protection.protect.specter_enabled" => Bool, "Clerk Protect Specter is enabled.";
    "attack_protection.protect.checks_bypassed" => Bool, "The instance opted out of Protect's prerequisite checks.";
    "restrictions" => Struct, "Sign-up and sign-in restrictions.";
    "restrictions.allowlist" => Struct, "Allowlist.";
    "restrictions.allowlist.enabled" => Bool, "Only allowlisted identifiers may sign up.";
    "restrictions.allowlist.identifiers" => StrSet, "Allowlisted emails, domains, phones, wallets.";
    "restrictions.blocklist" => Struct, "Blocklist.";
    "restrictions.blocklist.enabled" => Bool, "Blocklisted identifiers are refused.";
    "restrictions.blocklist.identifiers" => StrSet, "Blocklisted emails, domains, phones, wallets.";
    "restrictions.enforced_on_sign_in" => Bool, "Allowlist and blocklist also apply at sign-in.";
    "restrictions.block_email_subaddresses" => Bool, "`user+tag@` addresses are refused.";
    "restrictions.block_disposable_email_domains" => Bool, "Disposable email domains are refused.";
    "account" => Struct, "What users may change or do on their own account.";
    "account.email_immutable" => Bool, "Email addresses cannot be changed after sign-up (Platform `auth_email.immutable`, Frontend API `attributes.email_address.immutable`).";
    "account.phone_immutable" => Bool, "Phone numbers cannot be changed after sign-up (Platform `auth_phone.immutable`, Frontend API `attributes.phone_number.immutable`).";
    "account.username_immutable" => Bool, "Usernames cannot be changed after sign-up (Platform `auth_username.immutable`, Frontend API `attributes.username.immutable`).";
    "account.delete_self" => Bool, "Users may delete their own account (Frontend API `user_settings.actions.delete_self`).";
    "jwt_templates" => Map, "JWT templates keyed by name.";
    "jwt_templates[*].lifetime" => Duration, "Token lifetime.";
    "jwt_templates[*].allowed_clock_skew" => Duration, "Allowed clock skew.";
    "jwt_templates[*].signing_algorithm" => Str, "Signing algorithm (`RS256`, `HS256`, …).";
    "jwt_templates[*].custom_signing_key" => Bool, "Signed with a custom key instead of the instance key.";
    "jwt_templates[*].claims" => Json, "Template claims.";
    "oauth_providers" => Map, "Enabled OAuth (social and custom OIDC) providers keyed by provider.";
    "oauth_providers[*].authenticatable" => Bool, "The provider can be used to sign in.";
    "oauth_providers[*].block_email_subaddresses" => Bool, "Sub-addressed emails from this provider are refused.";
    "oauth_providers[*].credentials" => Str, "`custom` (own client id) or `shared` (Clerk's development credentials).";
    "oauth_providers[*].client_secret" => Secret, "Whether a client secret is set.";
    "oauth_providers[*].discovery_url" => Str, "Custom OIDC provider discovery URL.";
    "oauth_providers[*].requires_pkce" => Bool, "Custom OIDC provider requires PKCE.";
    "organizations" => Struct, "Organizations feature settings.";
    "organizations.enabled" => Bool, "Organizations are enabled.";
    "organizations.max_allowed_memberships" => Int, "Membership limit per organization (0: unlimited).";
    "organizations.max_allowed_roles" => Int, "Role limit.";
    "organizations.max_allowed_domains" => Int, "Verified-domain limit per organization.";
    "organizations.creator_role" => Str, "Role given to an organization's creator.";
    "organizations.admin_delete" => Bool, "Admins may delete their organization.";
    "organizations.slug_disabled" => Bool, "Organization slugs are disabled.";
    "organizations.force_organization_selection" => Bool, "Users must select an organization.";
    "organizations.users_can_create" => Bool, "Users may create organizations.";
    "organizations.creation_defaults" => Bool, "Organization creation defaults apply (Platform and Backend API `organization_creation_defaults.enabled`).";
    "organizations.automatic_creation" => Bool, "An organization is created automatically for each new user (`organization_creation_defaults.automatic_organization_creation.enabled`; false while creation defaults are off, since Clerk needs both).";
    "organizations.domains" => Struct, "Verified domains.";
    "organizations.domains.enabled" => Bool, "Verified domains are enabled.";
    "organizations.domains.enrollment_modes" => StrSet, "How verified-domain users join (empty while verified domains are off).";
    "organizations.domains.default_role" => Str, "Role for users joining by domain (null while verified domains are off).";
    "organizations.roles" => Map, "Organization roles keyed by role key.";
    "organizations.roles[*].name" => Str, "Role name.";
    "organizations.roles[*].is_creator_eligible" => Bool, "May be the creator role.";
    "organizations.roles[*].permissions" => StrSet, "Permission keys granted.";
    "organizations.permissions" => Map, "Organization permissions keyed by permission key.";
    "organizations.permissions[*].name" => Str, "Permission name.";
    "organizations.permissions[*].type" => Str, "`system` or `user`.";
    "organization_domains" => Map, "Organization domains (`GET /v1/organization_domains`, every organization's) keyed by domain name.";
    "organization_domains[*].verified" => Bool, "Ownership of the domain is verified.";
    "organization_domains[*].enrollment_mode" => Str, "How users with an email at the domain join: `manual_invitation`, `automatic_invitation`, `automatic_suggestion` or `enterprise_sso`.";
    "oauth_server" => Struct, "Clerk as an OAuth authorization server.";
    "oauth_server.dynamic_client_registration" => Bool, "RFC 7591 dynamic client registration.";
    "oauth_server.default_scopes" => StrSet, "Default scopes.";
    "oauth_server.jwt_access_tokens" => Bool, "JWT (not opaque) access tokens.";
    "oauth_server.cimd_advertised" => Bool, "Client ID Metadata Documents are advertised.";
    "oauth_server.cimd_only_pre_registered" => Bool, "Unknown CIMD clients are rejected.";
    "oauth_server.cimd_block_implicitly_allowed" => Bool, "Implicitly allowed CIMD clients are rejected.";
    "oauth_applications" => Map, "OAuth applications (Clerk as IdP) keyed by client id.";
    "oauth_applications[*].name" => Str, "Application name.";
    "oauth_applications[*].public" => Bool, "Public client (no secret).";
    "oauth_applications[*].pkce_required" => Bool, "PKCE required.";
    "oauth_applications[*].consent_screen_enabled" => Bool, "Consent screen shown.";
    "oauth_applications[*].dynamically_registered" => Bool, "Registered dynamically.";
    "oauth_applications[*].scopes" => StrSet, "Scopes.";
    "oauth_applications[*].redirect_uris" => StrSet, "Redirect URIs.";
    "enterprise_connections" => Map, "Enterprise SSO connections (SAML/OIDC) keyed by name.";
    "enterprise_connections[*].provider" => Str, "Provider (`saml_okta`, `oidc_custom`, …).";
    "enterprise_connections[*].active" => Bool, "Connection is active.";
    "enterprise_connections[*].domains" => StrSet, "Email domains routed to it.";
    "enterprise_connections[*].authenticatable" => Bool, "Can be used to sign in.";
    "enterprise_connections[*].disable_jit_provisioning" => Bool, "Just-in-time provisioning is off.";
    "enterprise_connections[*].sync_user_attributes" => Bool, "User attributes are updated at each sign-in.";
    "enterprise_connections[*].allow_organization_account_linking" => Bool, "Account linking via organization membership.";
    "enterprise_connections[*].disable_additional_identifications" => Bool, "Users cannot add other identifications.";
    "enterprise_connections[*].saml" => Struct, "SAML details (absent for OIDC).";
    "enterprise_connections[*].saml.idp_entity_id" => Str, "IdP entity id.";
    "enterprise_connections[*].saml.idp_sso_url" => Str, "IdP SSO URL.";
    "enterprise_connections[*].saml.idp_metadata_url" => Str, "IdP metadata URL.";
    "enterprise_connections[*].saml.allow_idp_initiated" => Bool, "IdP-initiated SSO allowed.";
    "enterprise_connections[*].saml.allow_subdomains" => Bool, "Subdomains match the connection's domains.";
    "enterprise_connections[*].saml.force_authn" => Bool, "Re-authentication forced at the IdP.";
    "enterprise_connections[*].oidc" => Struct, "OIDC details (absent for SAML).";
    "enterprise_connections[*].oidc.client_id" => Str, "OAuth client id.";
    "enterprise_connections[*].oidc.discovery_url" => Str, "Discovery URL.";
    "enterprise_connections[*].oidc.requires_pkce" => Bool, "PKCE required.";
    "saml_connections" => Map, "SAML connections (the deprecated `GET /v1/saml_connections` view) keyed by name: the only source of IdP certificate validity.";
    "saml_connections[*].active" => Bool, "The connection is active.";
    "saml_connections[*].domains" => StrSet, "Email domains routed to the IdP.";
    "saml_connections[*].idp_entity_id" => Str, "IdP entity id.";
    "saml_connections[*].idp_certificate_expires_at" => Timestamp, "End of the IdP signing certificate's validity (X.509 NotAfter), UTC; null without a certificate.";
    "observed" => Observed, "Every other value the configuration endpoints returned, per source (docs/snapshot.md, Observed): not compared twice with a curated path, volatile fields left out, secrets `present`/`absent`.";
    "observed.fapi" => Observed, "Frontend API `GET /v1/environment` (`fapi/environment.json`), by its own keys.";
    "observed.bapi" => Observed, "Backend API files by stem (`observed.bapi.<stem>`, from `bapi/<stem>.json`): objects by field, lists keyed by identity.";
    "observed.plapi" => Observed, "Platform API instance config (`plapi/config.json`), by its own keys; other Platform files by stem (`observed.plapi.<stem>`).";
    "attested" => Struct, "Facts no Clerk API exposes, set by attestations (`--attestations FILE`; provenance `attested`).";
    "attested.secret_key" => Struct, "Handling of the instance secret key.";
    "attested.secret_key.rotated_on_departure" => Bool, "The secret key is rotated whenever someone with access leaves or a leak is suspected.";
    "attested.sessions" => Struct, "Session revocation done by the application.";
    "attested.sessions.revoked_on_password_change" => Bool, "Other sessions are revoked when a password changes or is reset.";
    "attested.sessions.revoked_on_email_change" => Bool, "Other sessions are revoked when the primary email changes.";
    "attested.sessions.revoked_on_mfa_enrolment" => Bool, "Other sessions are revoked when MFA is enrolled.";
    "attested.webhooks" => Struct, "Webhook endpoints (Svix).";
    "attested.webhooks.signature_verified" => Bool, "Every webhook handler verifies the Svix signature and rejects failures.";
    "attested.webhooks.secret_from_environment" => Bool, "The webhook signing secret comes from the environment, never from code.";
    "attested.webhooks.idempotent" => Bool, "Handlers are idempotent, keyed by `svix-id`.";
    "attested.data" => Struct, "Personal-data handling.";
    "attested.data.deleted_within_24h" => Bool, "On `user.deleted`, personal data is deleted or anonymized within 24 hours.";
    "attested.organizations" => Struct, "Organization isolation.";
    "attested.organizations.isolation_tested" => Bool, "Cross-organization isolation is tested with two real organizations.";
    "attested.monitoring" => Struct, "Monitoring.";
    "attested.monitoring.failed_login_alerts" => Bool, "Spikes of failed sign-ins per IP or account raise alerts.";
    "attested.dashboard" => Struct, "Clerk Dashboard access.";
    "attested.dashboard.access_reviewed" => Bool, "Dashboard team members and roles were reviewed (least privilege, no shared accounts).";
};

/// Looks up a pattern (`jwt_templates[*].lifetime`).
pub fn node(pattern: &str) -> Option<&'static Node> {
    NODES.iter().find(|n| n.pattern == pattern)
}

/// The kind at a concrete or pattern path, following free-form `Json` subtrees.
/// `None` means the path is not in the schema.
pub fn kind_of(path: &Path) -> Option<Kind> {
    let mut prefix = Path::root();
    let mut kind = Kind::Struct;
    for (i, seg) in path.0.iter().enumerate() {
        let last = i + 1 == path.0.len();
        match (kind, seg) {
            // Below a free-form value anything goes.
            (Kind::Json, _) => return Some(Kind::Json),
            (Kind::Observed, _) => return Some(Kind::Observed),
            // A set element: `instance.allowed_origins["https://x"]`.
            (Kind::StrSet, Seg::Key(_)) if last => return Some(Kind::Str),
            // A collection entry: `jwt_templates[supabase]` is a struct.
            (Kind::Map, Seg::Key(_)) => {
                prefix.0.push(Seg::Key("*".to_owned()));
                kind = Kind::Struct;
            }
            (Kind::Struct | Kind::ToggledDuration, Seg::Field(f)) => {
                prefix.0.push(Seg::Field(f.clone()));
                kind = node(&prefix.to_string())?.kind;
            }
            _ => return None,
        }
    }
    Some(kind)
}

/// True when the path lies strictly inside a free-form `Json` value, where a missing key means
/// "not set" rather than "not observed".
pub fn inside_json(path: &Path) -> bool {
    path.0.len() > 1 && kind_of(&Path(path.0[..path.0.len() - 1].to_vec())) == Some(Kind::Json)
}

/// A value as a person reads it: durations as `30m` or `disabled`, strings quoted, the rest as
/// compact JSON.
pub fn display_value(kind: Option<Kind>, v: &Value) -> String {
    match (kind, v) {
        (Some(Kind::ToggledDuration), Value::Object(o)) => {
            match (
                o.get("enabled").and_then(Value::as_bool),
                o.get("seconds").and_then(Value::as_i64),
            ) {
                (Some(false), _) => "disabled".to_owned(),
                (Some(true), Some(s)) => crate::duration::humanize(s),
                _ => v.to_string(),
            }
        }
        (Some(Kind::Duration), Value::Number(n)) => n
            .as_i64()
            .map_or_else(|| n.to_string(), crate::duration::humanize),
        _ => v.to_string(),
    }
}

/// The schema as a Markdown table (`clerk-drift schema`; docs/snapshot.md embeds it).
pub fn markdown() -> String {
    let mut out = String::from("| path | kind | meaning |\n|---|---|---|\n");
    for n in NODES {
        let kind = match n.kind {
            Kind::Struct => "object",
            Kind::Map => "map (keyed collection)",
            Kind::Json => "JSON object",
            Kind::Bool => "bool",
            Kind::Int => "integer",
            Kind::Str => "string or null",
            Kind::Duration => "duration (seconds)",
            Kind::ToggledDuration => "{enabled, seconds}",
            Kind::StrSet => "set of strings",
            Kind::Secret => "`present` / `absent`",
            Kind::Timestamp => "timestamp (RFC 3339, UTC)",
            Kind::Observed => "observed (any JSON, canonical)",
        };
        out.push_str(&format!("| `{}` | {kind} | {} |\n", n.pattern, n.doc));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Path {
        Path::parse(s).expect("valid path")
    }

    #[test]
    fn patterns_are_unique_and_parents_exist() {
        let mut seen = std::collections::BTreeSet::new();
        for n in NODES {
            assert!(seen.insert(n.pattern), "duplicate pattern {}", n.pattern);
            let path = p(n.pattern);
            assert_eq!(path.to_string(), n.pattern, "pattern must round-trip");
            assert_eq!(
                kind_of(&path),
                Some(n.kind),
                "{} must resolve to its own kind",
                n.pattern
            );
        }
    }

    #[test]
    fn resolves_concrete_paths_through_keys_sets_and_json() {
        assert_eq!(
            kind_of(&p("jwt_templates[supabase].lifetime")),
            Some(Kind::Duration)
        );
        assert_eq!(
            kind_of(&p("jwt_templates[supabase].claims.aud")),
            Some(Kind::Json)
        );
        assert_eq!(
            kind_of(&p("instance.allowed_origins[\"https://a\"]")),
            Some(Kind::Str)
        );
        assert_eq!(
            kind_of(&p("session.inactivity_timeout")),
            Some(Kind::ToggledDuration)
        );
        assert_eq!(kind_of(&p("session.nonsense")), None);
        assert!(inside_json(&p("jwt_templates[x].claims.aud")));
        assert!(!inside_json(&p("jwt_templates[x].claims")));
    }

    #[test]
    fn durations_read_like_durations() {
        use serde_json::json;
        assert_eq!(
            display_value(
                Some(Kind::ToggledDuration),
                &json!({"enabled": true, "seconds": 1800})
            ),
            "30m"
        );
        assert_eq!(
            display_value(
                Some(Kind::ToggledDuration),
                &json!({"enabled": false, "seconds": 1800})
            ),
            "disabled"
        );
        assert_eq!(display_value(Some(Kind::Duration), &json!(604800)), "7d");
        assert_eq!(
            display_value(Some(Kind::Str), &json!("public")),
            "\"public\""
        );
    }
}
