//! Changes the Platform config cannot make: the Backend API request to run by hand (method, path
//! and JSON body, as Clerk's Backend API spec 2026-05-12 defines them) and the Dashboard page.
//! Pages link to `https://dashboard.clerk.com/~/…` (the Dashboard's link to the last application
//! and instance used, as Clerk's docs write them) only where Clerk's docs name the page; others
//! are named without a link.

use serde_json::{Value, json};

use super::How;
use crate::diff::ChangeKind;
use crate::path::{Path, Seg};
use crate::snapshot::Snapshot;

/// A Dashboard page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub name: &'static str,
    /// `https://dashboard.clerk.com/~/…`, where Clerk's docs give it.
    pub link: Option<&'static str>,
}

/// A Backend API request to run by hand (with the secret key, `https://api.clerk.com/v1`).
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: &'static str,
    pub path: String,
    pub body: Option<Value>,
}

const fn page(name: &'static str, link: Option<&'static str>) -> Option<Page> {
    Some(Page { name, link })
}

/// The Dashboard page of a setting (by path prefix), where one is known.
pub fn page_of(path: &str) -> Option<Page> {
    let table: &[(&str, Option<Page>)] = &[
        (
            "jwt_templates",
            page(
                "JWT templates",
                Some("https://dashboard.clerk.com/~/jwt-templates"),
            ),
        ),
        (
            "instance.domains",
            page("Domains", Some("https://dashboard.clerk.com/~/domains")),
        ),
        (
            "instance.redirect_urls",
            page(
                "Native applications",
                Some("https://dashboard.clerk.com/~/native-applications"),
            ),
        ),
        (
            "session.",
            page("Sessions", Some("https://dashboard.clerk.com/~/sessions")),
        ),
        (
            "oauth_providers",
            page(
                "SSO connections",
                Some("https://dashboard.clerk.com/~/user-authentication/sso-connections"),
            ),
        ),
        (
            "enterprise_connections",
            page(
                "SSO connections",
                Some("https://dashboard.clerk.com/~/user-authentication/sso-connections"),
            ),
        ),
        (
            "saml_connections",
            page(
                "SSO connections",
                Some("https://dashboard.clerk.com/~/user-authentication/sso-connections"),
            ),
        ),
        (
            "oauth_applications",
            page(
                "OAuth applications",
                Some("https://dashboard.clerk.com/~/oauth-applications"),
            ),
        ),
        (
            "oauth_server",
            page(
                "OAuth applications",
                Some("https://dashboard.clerk.com/~/oauth-applications"),
            ),
        ),
        (
            "organizations.roles",
            page(
                "Roles",
                Some("https://dashboard.clerk.com/~/organizations-settings/roles"),
            ),
        ),
        (
            "organizations.permissions",
            page(
                "Roles",
                Some("https://dashboard.clerk.com/~/organizations-settings/roles"),
            ),
        ),
        (
            "organizations",
            page(
                "Organizations settings",
                Some("https://dashboard.clerk.com/~/organizations-settings"),
            ),
        ),
        (
            "organization_domains",
            page(
                "Organizations",
                Some("https://dashboard.clerk.com/~/organizations"),
            ),
        ),
        (
            "attack_protection.protect",
            page(
                "Protect rules",
                Some("https://dashboard.clerk.com/~/protect/rules"),
            ),
        ),
        (
            "mfa.",
            page(
                "Multi-factor",
                Some("https://dashboard.clerk.com/~/user-authentication/multi-factor"),
            ),
        ),
        ("restrictions", page("Restrictions", None)),
        ("attack_protection", page("Attack protection", None)),
        (
            "sign_up.mode",
            page(
                "Access mode",
                Some("https://dashboard.clerk.com/~/user-authentication/access-mode"),
            ),
        ),
        (
            "sign_up.legal_consent",
            page(
                "Legal",
                Some("https://dashboard.clerk.com/~/compliance/legal"),
            ),
        ),
        (
            "sign_",
            page(
                "User & authentication",
                Some("https://dashboard.clerk.com/~/user-authentication/user-and-authentication"),
            ),
        ),
        (
            "password",
            page(
                "User & authentication",
                Some("https://dashboard.clerk.com/~/user-authentication/user-and-authentication"),
            ),
        ),
        (
            "account",
            page(
                "User & authentication",
                Some("https://dashboard.clerk.com/~/user-authentication/user-and-authentication"),
            ),
        ),
    ];
    table
        .iter()
        .find(|(prefix, _)| path.starts_with(prefix))
        .and_then(|(_, p)| p.clone())
}

/// The id Clerk gave a collection entry (kept in `meta.items`).
fn id_of(s: &Snapshot, entry: &Path) -> Option<String> {
    s.meta
        .items
        .get(&entry.to_string())
        .and_then(|m| m.get("id"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The first `n` segments of a path.
fn head(path: &Path, n: usize) -> Path {
    Path(path.0.iter().take(n).cloned().collect())
}

fn entry_key(path: &Path, at: usize) -> Option<&str> {
    match path.0.get(at) {
        Some(Seg::Key(k)) => Some(k),
        _ => None,
    }
}

fn requests(requests: Vec<Request>, page: Option<Page>) -> How {
    How::Requests { requests, page }
}

fn dashboard(why: &str, path: &str) -> How {
    How::Dashboard {
        why: why.to_owned(),
        page: page_of(path),
    }
}

/// A change outside the Platform config: the request, or the page, or a plain "cannot".
pub fn how(path: &Path, kind: ChangeKind, current: &Snapshot, target: &Snapshot) -> How {
    let text = path.to_string();
    let value = |at: &Path| target.get(at).cloned();
    let instance_patch = |field: &str, at: &Path| {
        let body = json!({ field: value(at).unwrap_or(Value::Null) });
        requests(
            vec![Request {
                method: "PATCH",
                path: "/v1/instance".into(),
                body: Some(body),
            }],
            None,
        )
    };
    let pattern = path.pattern();
    if kind == ChangeKind::Disagreement {
        return dashboard(
            "the sources disagree: an edit reached one API and not the other; set the setting \
             again in the Dashboard so that both report it",
            &text,
        );
    }
    match pattern.as_str() {
        "instance.allowed_origins" | "instance.allowed_origins[*]" => {
            let at = head(path, 2);
            // Clerk accepts `[]`/`null` there and ignores it (clerk/cli README, "Round-trip
            // verification"): no request empties the list.
            if value(&at).is_none_or(|v| v.is_null() || v.as_array().is_some_and(Vec::is_empty)) {
                return How::Dashboard {
                    why: "the target has no allowed origins, and PATCH /v1/instance ignores an \
                          empty allowed_origins: no request clears them; remove them in the \
                          Dashboard"
                        .into(),
                    page: page("Domains", Some("https://dashboard.clerk.com/~/domains")),
                };
            }
            return instance_patch("allowed_origins", &at);
        }
        "instance.test_mode" => return instance_patch("test_mode", path),
        "observed.fapi.display_config.support_email" => {
            return instance_patch("support_email", path);
        }
        "session.url_based_syncing" => return instance_patch("url_based_session_syncing", path),
        _ => {}
    }
    if let Some(key) = pattern
        .starts_with("jwt_templates[*]")
        .then(|| entry_key(path, 1))
        .flatten()
    {
        let entry = head(path, 2);
        let template = |s: &Snapshot| s.get(&entry).cloned();
        let body = template(target).map(|t| {
            let mut body = json!({"name": key});
            for f in [
                "claims",
                "lifetime",
                "allowed_clock_skew",
                "custom_signing_key",
                "signing_algorithm",
            ] {
                if let Some(v) = t.get(f) {
                    body[f] = v.clone();
                }
            }
            if t.get("custom_signing_key") == Some(&Value::Bool(true)) {
                body["signing_key"] = json!("<re-enter the signing key>");
            }
            body
        });
        let id = id_of(current, &entry).unwrap_or_else(|| "{template_id}".into());
        let request = match (template(current), body) {
            (Some(_), Some(body)) => Request {
                method: "PATCH",
                path: format!("/v1/jwt_templates/{id}"),
                body: Some(body),
            },
            (None, Some(body)) => Request {
                method: "POST",
                path: "/v1/jwt_templates".into(),
                body: Some(body),
            },
            (_, None) => Request {
                method: "DELETE",
                path: format!("/v1/jwt_templates/{id}"),
                body: None,
            },
        };
        return requests(vec![request], page_of(&text));
    }
    for (list, endpoint, field) in [
        ("instance.redirect_urls", "/v1/redirect_urls", "url"),
        (
            "restrictions.allowlist.identifiers",
            "/v1/allowlist_identifiers",
            "identifier",
        ),
        (
            "restrictions.blocklist.identifiers",
            "/v1/blocklist_identifiers",
            "identifier",
        ),
    ] {
        let Ok(base) = Path::parse(list) else {
            continue;
        };
        if !path.starts_with(&base) || path.0.len() <= base.0.len() {
            continue;
        }
        let Some(key) = entry_key(path, base.0.len()) else {
            continue;
        };
        let entry = head(path, base.0.len() + 1);
        let request = if target.get(&entry).is_some() {
            Request {
                method: "POST",
                path: endpoint.into(),
                body: Some(json!({ field: key })),
            }
        } else {
            let id = id_of(current, &entry).unwrap_or_else(|| "{id}".into());
            Request {
                method: "DELETE",
                path: format!("{endpoint}/{id}"),
                body: None,
            }
        };
        return requests(vec![request], page_of(&text));
    }
    let restrictions = [
        ("restrictions.allowlist.enabled", "allowlist"),
        ("restrictions.blocklist.enabled", "blocklist"),
        (
            "restrictions.block_email_subaddresses",
            "block_email_subaddresses",
        ),
        (
            "restrictions.block_disposable_email_domains",
            "block_disposable_email_domains",
        ),
    ];
    let organizations = [
        ("organizations.enabled", "enabled"),
        (
            "organizations.max_allowed_memberships",
            "max_allowed_memberships",
        ),
        ("organizations.admin_delete", "admin_delete_enabled"),
        ("organizations.domains.enabled", "domains_enabled"),
        (
            "organizations.domains.enrollment_modes",
            "domains_enrollment_modes",
        ),
    ];
    for (table, endpoint) in [
        (&restrictions[..], "/v1/instance/restrictions"),
        (&organizations[..], "/v1/instance/organization_settings"),
    ] {
        if let Some((_, field)) = table.iter().find(|(p, _)| *p == text) {
            return requests(
                vec![Request {
                    method: "PATCH",
                    path: endpoint.into(),
                    body: Some(json!({ *field: value(path).unwrap_or(Value::Null) })),
                }],
                page_of(&text),
            );
        }
    }
    if pattern.starts_with("instance.domains") || pattern.starts_with("instance.fapi_host") {
        return dashboard(
            "cannot be restored by a request alone: a domain also needs its DNS records; add or \
             remove it in the Dashboard",
            &text,
        );
    }
    if pattern.starts_with("observed.") {
        return dashboard(
            "clerk-drift knows no request that sets this observed field; set it in the Dashboard",
            &text,
        );
    }
    dashboard(
        "clerk-drift knows no API request that sets this; set it in the Dashboard",
        &text,
    )
}
