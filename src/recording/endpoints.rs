//! The endpoint table: every Clerk read clerk-drift makes, once. Each row names the API that
//! serves it, the request (path and, through its paging, the query), the spec operation it
//! implements (`fapi`, `bapi/2026-05-12.yml`, `plapi` specs), whether a missing feature may leave
//! it unobserved, and the recording file that holds its response. The collector (`clerk`) sends
//! these requests, the recording reads and writes these files, the normalizer reads them by these
//! names. Data only: no I/O, no HTTP.

/// Which of Clerk's APIs serves an endpoint (and so which credential it needs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Frontend API, public (from the publishable key).
    Fapi,
    /// Backend API (secret key).
    Bapi,
    /// Platform API (platform key, `applications:manage`).
    Plapi,
}

impl Source {
    /// `Frontend API`, `Backend API`, `Platform API`: for messages.
    pub fn api_name(self) -> &'static str {
        match self {
            Source::Fapi => "Frontend API",
            Source::Bapi => "Backend API",
            Source::Plapi => "Platform API",
        }
    }
}

/// A Clerk feature that an instance may have switched off, or that its plan may not include.
/// Serialized by its id (`organizations`) in `recording.json` (docs/snapshot.md).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// Organizations: settings, roles, permissions, domains.
    Organizations,
    /// Enterprise SSO: enterprise and SAML connections.
    EnterpriseSso,
    /// Clerk as an OAuth authorization server: OAuth applications and their settings.
    OauthApplications,
    /// Protect (bot and abuse protection).
    Protect,
    /// The sign-up allowlist.
    Allowlist,
    /// The sign-up blocklist.
    Blocklist,
}

impl Feature {
    /// The start of a sentence about the feature: `Organizations are`, `Enterprise SSO is`.
    pub fn subject(self) -> &'static str {
        match self {
            Feature::Organizations => "Organizations are",
            Feature::EnterpriseSso => "Enterprise SSO is",
            Feature::OauthApplications => "OAuth applications are",
            Feature::Protect => "Protect is",
            Feature::Allowlist => "The allowlist is",
            Feature::Blocklist => "The blocklist is",
        }
    }

    /// The feature a Clerk error names: the stem of a `…_not_enabled_in_instance` code
    /// (`organization_not_enabled_in_instance`), or a `feature_not_enabled` error's
    /// `meta.param_name`. `None` for a name we do not know (the endpoint's feature is then used).
    pub fn named_by(name: &str) -> Option<Feature> {
        let stem = name
            .strip_suffix("_not_enabled_in_instance")
            .unwrap_or(name);
        let stem = stem.strip_suffix('s').unwrap_or(stem);
        Some(match stem {
            "organization" | "organization_domain" | "organization_role" => Feature::Organizations,
            "enterprise_connection" | "enterprise_sso" | "saml" | "saml_connection" | "sso" => {
                Feature::EnterpriseSso
            }
            "oauth_application" | "oauth_application_setting" => Feature::OauthApplications,
            "protect" => Feature::Protect,
            "allowlist" | "allowlist_identifier" => Feature::Allowlist,
            "blocklist" | "blocklist_identifier" => Feature::Blocklist,
            _ => return None,
        })
    }
}

/// How an endpoint answers, and with which query it pages (spec parameters of the operation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// A single object, no paging.
    Object,
    /// A list without paging parameters (`{data, total_count}` in one response).
    Whole,
    /// `paginated=true&limit=&offset=`: without `paginated` the spec documents a bare array.
    Paginated,
    /// `limit=&offset=`, answered with `{data, total_count}`.
    LimitOffset,
}

/// Clerk's maximum page size (`limit`: min 1, max 500).
pub const PAGE_LIMIT: usize = 500;

impl Paging {
    /// The query of the page that starts at `offset`.
    pub fn query(self, offset: usize) -> Vec<(&'static str, String)> {
        match self {
            Paging::Object | Paging::Whole => Vec::new(),
            Paging::Paginated => vec![
                ("paginated", "true".into()),
                ("limit", PAGE_LIMIT.to_string()),
                ("offset", offset.to_string()),
            ],
            Paging::LimitOffset => vec![
                ("limit", PAGE_LIMIT.to_string()),
                ("offset", offset.to_string()),
            ],
        }
    }

    /// Whether the operation may be read page by page (`limit`/`offset`).
    pub fn pages(self) -> bool {
        matches!(self, Paging::Paginated | Paging::LimitOffset)
    }
}

/// One endpoint: one read, one recording file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// File path relative to the recording directory (public contract; docs/snapshot.md).
    pub file: &'static str,
    pub source: Source,
    /// Path segments after the API's base URL; [`APP`] and [`INSTANCE_ID`] stand for the Platform
    /// target's application and instance ([`Endpoint::segments`]).
    pub path: &'static [&'static str],
    /// Spec `operationId`.
    pub operation: &'static str,
    pub paging: Paging,
    /// A `404` leaves this part unobserved instead of failing the pull: the part may be absent
    /// on an instance. (A feature that is off or not on the plan is an answer on every read but
    /// `GET /v1/instance`: `clerk::answers`.)
    pub optional: bool,
    /// The Clerk feature this read belongs to, when it can be switched off or left off the plan:
    /// Clerk then answers `403 …_not_enabled_in_instance` / `402`, which is recorded as that
    /// feature's state, not as a failure.
    pub feature: Option<Feature>,
}

/// Placeholder segment for the Platform API's application id (`{applicationID}` in the spec).
pub const APP: &str = "{app}";
/// Placeholder segment for the Platform API's environment or instance id (`{envOrInsID}`).
pub const INSTANCE_ID: &str = "{instance}";

impl Endpoint {
    /// List endpoints: the file holds an array or a `{data, total_count}` envelope.
    pub fn is_list(&self) -> bool {
        self.paging != Paging::Object
    }

    /// The path with the Platform placeholders filled in.
    pub fn segments<'a>(&self, app: &'a str, instance: &'a str) -> Vec<&'a str> {
        self.path
            .iter()
            .map(|s| match *s {
                APP => app,
                INSTANCE_ID => instance,
                s => s,
            })
            .collect()
    }

    /// `GET /v1/...`, as in messages and docs/snapshot.md (placeholders unfilled).
    pub fn request(&self) -> String {
        format!("GET /{}", self.path.join("/"))
    }
}

/// A row's optional feature column.
macro_rules! feature {
    () => {
        None
    };
    ($feature:ident) => {
        Some(Feature::$feature)
    };
}

/// The table: each row becomes a named constant, and `LAYOUT` lists them all in order.
macro_rules! endpoints {
    ($(
        $(#[$doc:meta])*
        $name:ident = $file:literal, $source:ident, [$($seg:expr),*], $operation:literal,
            $paging:ident, $optional:literal $(, $feature:ident)?;
    )*) => {
        $(
            $(#[$doc])*
            pub const $name: Endpoint = Endpoint {
                file: $file,
                source: Source::$source,
                path: &[$($seg),*],
                operation: $operation,
                paging: Paging::$paging,
                optional: $optional,
                feature: feature!($($feature)?),
            };
        )*

        /// Every endpoint, in the order recordings are read (a recording's first bad file is
        /// the one reported).
        pub static LAYOUT: &[Endpoint] = &[$($name),*];
    };
}

endpoints! {
    // name = file, API, path, operation, paging, optional[, feature];

    /// FAPI `GET /v1/environment`, public.
    ENVIRONMENT = "fapi/environment.json", Fapi, ["v1", "environment"], "GetEnvironment",
        Object, false;
    INSTANCE = "bapi/instance.json", Bapi, ["v1", "instance"], "GetInstance", Object, false;
    ORGANIZATION_SETTINGS = "bapi/organization_settings.json", Bapi,
        ["v1", "instance", "organization_settings"], "GetInstanceOrganizationSettings",
        Object, true, Organizations;
    PROTECT = "bapi/protect.json", Bapi, ["v1", "instance", "protect"], "GetInstanceProtect",
        Object, true, Protect;
    OAUTH_APPLICATION_SETTINGS = "bapi/oauth_application_settings.json", Bapi,
        ["v1", "instance", "oauth_application_settings"], "GetInstanceOAuthApplicationSettings",
        Object, true, OauthApplications;
    /// The SMS country blocklist. Only in the newest spec (2026-05-12): a `404` leaves it
    /// unobserved.
    COMMUNICATION = "bapi/communication.json", Bapi, ["v1", "instance", "communication"],
        "GetInstanceCommunication", Object, true;
    DOMAINS = "bapi/domains.json", Bapi, ["v1", "domains"], "ListDomains", Whole, false;
    JWT_TEMPLATES = "bapi/jwt_templates.json", Bapi, ["v1", "jwt_templates"],
        "ListJWTTemplates", Paginated, false;
    ALLOWLIST_IDENTIFIERS = "bapi/allowlist_identifiers.json", Bapi,
        ["v1", "allowlist_identifiers"], "ListAllowlistIdentifiers", Paginated, true, Allowlist;
    BLOCKLIST_IDENTIFIERS = "bapi/blocklist_identifiers.json", Bapi,
        ["v1", "blocklist_identifiers"], "ListBlocklistIdentifiers", Whole, true, Blocklist;
    REDIRECT_URLS = "bapi/redirect_urls.json", Bapi, ["v1", "redirect_urls"],
        "ListRedirectURLs", Paginated, false;
    OAUTH_APPLICATIONS = "bapi/oauth_applications.json", Bapi, ["v1", "oauth_applications"],
        "ListOAuthApplications", LimitOffset, true, OauthApplications;
    ENTERPRISE_CONNECTIONS = "bapi/enterprise_connections.json", Bapi,
        ["v1", "enterprise_connections"], "ListEnterpriseConnections", LimitOffset, true, EnterpriseSso;
    ORGANIZATION_ROLES = "bapi/organization_roles.json", Bapi, ["v1", "organization_roles"],
        "ListOrganizationRoles", LimitOffset, true, Organizations;
    ORGANIZATION_PERMISSIONS = "bapi/organization_permissions.json", Bapi,
        ["v1", "organization_permissions"], "ListOrganizationPermissions", LimitOffset, true, Organizations;
    /// Every organization's domains, with each one's verification and enrollment mode.
    ORGANIZATION_DOMAINS = "bapi/organization_domains.json", Bapi, ["v1", "organization_domains"],
        "ListAllOrganizationDomains", LimitOffset, true, Organizations;
    /// Role sets (the roles each organization may assign); an Organizations read.
    ROLE_SETS = "bapi/role_sets.json", Bapi, ["v1", "role_sets"], "ListRoleSets", LimitOffset,
        true, Organizations;
    /// Deprecated in favour of enterprise connections, but the only read of the IdP
    /// certificate's validity window (`idp_certificate_expires_at`).
    SAML_CONNECTIONS = "bapi/saml_connections.json", Bapi, ["v1", "saml_connections"],
        "ListSAMLConnections", LimitOffset, true, EnterpriseSso;
    /// The instance's JSON Web Key Set: key ids, algorithms, public keys (`n`, `e`: not secrets).
    /// Private members, which the spec's schema allows, are redacted (`clerk::documents`).
    JWKS = "bapi/jwks.json", Bapi, ["v1", "jwks"], "GetJWKS", Object, false;
    /// PLAPI `GET /v1/platform/applications/{applicationID}/instances/{envOrInsID}/config`
    /// (what `clerk config pull` writes). Never `include_secret_keys`.
    PLATFORM_CONFIG = "plapi/config.json", Plapi,
        ["v1", "platform", "applications", APP, "instances", INSTANCE_ID, "config"],
        "GetInstanceConfig", Object, false;
    /// PLAPI `…/config/schema`: the JSON Schema of the config document, so that keys Clerk adds,
    /// removes or retypes show (`snapshot::normalize::config_schema`). Read with the config's
    /// credential and instance; a `404` leaves it unobserved.
    PLATFORM_CONFIG_SCHEMA = "plapi/config_schema.json", Plapi,
        ["v1", "platform", "applications", APP, "instances", INSTANCE_ID, "config", "schema"],
        "PlatformGetConfigSchema", Object, true;
}

/// The endpoint whose recording file is `file`.
pub fn by_file(file: &str) -> Option<&'static Endpoint> {
    LAYOUT.iter().find(|e| e.file == file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_unique_and_under_their_api() {
        let mut files: Vec<_> = LAYOUT.iter().map(|e| e.file).collect();
        files.sort_unstable();
        files.dedup();
        assert_eq!(files.len(), LAYOUT.len());
        for e in LAYOUT {
            let dir = match e.source {
                Source::Fapi => "fapi/",
                Source::Bapi => "bapi/",
                Source::Plapi => "plapi/",
            };
            assert!(e.file.starts_with(dir), "{}", e.file);
            assert_eq!(by_file(e.file), Some(e));
            // Placeholders are the Platform API's only.
            assert_eq!(
                e.path.contains(&APP) || e.path.contains(&INSTANCE_ID),
                e.source == Source::Plapi,
                "{}",
                e.file
            );
        }
    }

    #[test]
    fn features_are_optional_backend_reads_and_named_by_clerks_codes() {
        for e in LAYOUT.iter().filter(|e| e.feature.is_some()) {
            assert!(e.optional && e.source == Source::Bapi, "{}", e.file);
        }
        assert_eq!(ORGANIZATION_DOMAINS.feature, Some(Feature::Organizations));
        assert_eq!(
            Feature::named_by("organization_not_enabled_in_instance"),
            Some(Feature::Organizations)
        );
        assert_eq!(Feature::named_by("saml"), Some(Feature::EnterpriseSso));
        assert_eq!(Feature::named_by("something_not_enabled_in_instance"), None);
    }

    #[test]
    fn requests_read_as_documented() {
        assert_eq!(REDIRECT_URLS.request(), "GET /v1/redirect_urls");
        assert_eq!(
            PLATFORM_CONFIG.request(),
            "GET /v1/platform/applications/{app}/instances/{instance}/config"
        );
        assert_eq!(
            PLATFORM_CONFIG.segments("app_1", "production").join("/"),
            "v1/platform/applications/app_1/instances/production/config"
        );
        assert!(DOMAINS.is_list() && !INSTANCE.is_list());
        assert_eq!(
            PLATFORM_CONFIG_SCHEMA.segments("app_1", "ins_2").join("/"),
            "v1/platform/applications/app_1/instances/ins_2/config/schema"
        );
        assert_eq!(COMMUNICATION.request(), "GET /v1/instance/communication");
        assert!(ROLE_SETS.is_list() && !JWKS.is_list() && !COMMUNICATION.is_list());
    }

    #[test]
    fn the_reads_of_issue_15_follow_their_spec_operations() {
        // ListRoleSets pages with limit/offset and answers {data, total_count}; an
        // Organizations read, answered 403 when Organizations are off.
        assert_eq!(ROLE_SETS.paging, Paging::LimitOffset);
        assert_eq!(ROLE_SETS.feature, Some(Feature::Organizations));
        // Every instance has a key set: a failed read is a failure, not a gap in coverage.
        assert!(!JWKS.optional && JWKS.feature.is_none());
        // Optional: a 404 leaves them unobserved.
        const { assert!(COMMUNICATION.optional && PLATFORM_CONFIG_SCHEMA.optional) };
        assert_eq!(PLATFORM_CONFIG_SCHEMA.source, Source::Plapi);
    }

    #[test]
    fn queries_follow_the_spec_parameters() {
        assert!(Paging::Whole.query(0).is_empty());
        assert_eq!(
            Paging::Paginated.query(500),
            vec![
                ("paginated", "true".to_owned()),
                ("limit", "500".to_owned()),
                ("offset", "500".to_owned())
            ]
        );
        assert_eq!(
            Paging::LimitOffset.query(0),
            vec![("limit", "500".to_owned()), ("offset", "0".to_owned())]
        );
    }
}
