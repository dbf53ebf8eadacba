//! The Backend API reads, one per recording-layout file, each citing the spec operation
//! (`bapi/2026-05-12.yml`) it implements and how that operation pages.

/// How a list operation pages (spec parameters of the operation).
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

/// One BAPI read.
#[derive(Debug, Clone, Copy)]
pub struct Read {
    /// Recording-layout file (`snapshot::recording::LAYOUT`).
    pub file: &'static str,
    /// Path segments after the base URL.
    pub path: &'static [&'static str],
    /// Spec `operationId`.
    pub operation: &'static str,
    pub paging: Paging,
    /// A `402` (feature not on the plan) or `404` leaves this part unobserved instead of failing
    /// the pull: the spec lists these statuses for the operation, or the feature is plan-gated.
    pub optional: bool,
}

const fn read(
    file: &'static str,
    path: &'static [&'static str],
    operation: &'static str,
    paging: Paging,
    optional: bool,
) -> Read {
    Read {
        file,
        path,
        operation,
        paging,
        optional,
    }
}

use Paging::*;

/// Every BAPI file of the recording layout.
pub static READS: &[Read] = &[
    read(
        "bapi/instance.json",
        &["v1", "instance"],
        "GetInstance",
        Object,
        false,
    ),
    read(
        "bapi/organization_settings.json",
        &["v1", "instance", "organization_settings"],
        "GetInstanceOrganizationSettings",
        Object,
        true,
    ),
    read(
        "bapi/protect.json",
        &["v1", "instance", "protect"],
        "GetInstanceProtect",
        Object,
        true,
    ),
    read(
        "bapi/oauth_application_settings.json",
        &["v1", "instance", "oauth_application_settings"],
        "GetInstanceOAuthApplicationSettings",
        Object,
        true,
    ),
    read(
        "bapi/domains.json",
        &["v1", "domains"],
        "ListDomains",
        Whole,
        false,
    ),
    read(
        "bapi/jwt_templates.json",
        &["v1", "jwt_templates"],
        "ListJWTTemplates",
        Paginated,
        false,
    ),
    read(
        "bapi/allowlist_identifiers.json",
        &["v1", "allowlist_identifiers"],
        "ListAllowlistIdentifiers",
        Paginated,
        true,
    ),
    read(
        "bapi/blocklist_identifiers.json",
        &["v1", "blocklist_identifiers"],
        "ListBlocklistIdentifiers",
        Whole,
        true,
    ),
    read(
        "bapi/redirect_urls.json",
        &["v1", "redirect_urls"],
        "ListRedirectURLs",
        Paginated,
        false,
    ),
    read(
        "bapi/oauth_applications.json",
        &["v1", "oauth_applications"],
        "ListOAuthApplications",
        LimitOffset,
        true,
    ),
    read(
        "bapi/enterprise_connections.json",
        &["v1", "enterprise_connections"],
        "ListEnterpriseConnections",
        LimitOffset,
        true,
    ),
    read(
        "bapi/organization_roles.json",
        &["v1", "organization_roles"],
        "ListOrganizationRoles",
        LimitOffset,
        true,
    ),
    read(
        "bapi/organization_permissions.json",
        &["v1", "organization_permissions"],
        "ListOrganizationPermissions",
        LimitOffset,
        true,
    ),
    // Deprecated in favour of enterprise connections, but the only read of the IdP
    // certificate's validity window (`idp_certificate_expires_at`).
    read(
        "bapi/saml_connections.json",
        &["v1", "saml_connections"],
        "ListSAMLConnections",
        LimitOffset,
        true,
    ),
];

impl Read {
    /// `GET /v1/...`, as in messages and the recording layout.
    pub fn label(&self) -> String {
        format!("GET /{}", self.path.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::Source;
    use crate::snapshot::recording::LAYOUT;

    #[test]
    fn one_read_per_bapi_file_matching_the_layout() {
        let files: Vec<_> = LAYOUT.iter().filter(|e| e.source == Source::Bapi).collect();
        assert_eq!(files.len(), READS.len());
        for e in files {
            let r = READS
                .iter()
                .find(|r| r.file == e.file)
                .unwrap_or_else(|| panic!("no read for {}", e.file));
            assert_eq!(r.label(), e.request, "{}", e.file);
            assert_eq!(r.paging != Object, e.list, "{}", e.file);
        }
    }
}
