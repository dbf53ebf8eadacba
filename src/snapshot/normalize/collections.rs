//! Collections: keyed entries (domains, JWT templates, OAuth applications, SAML and enterprise
//! connections, organization roles, permissions and domains) and string sets (redirect URLs, allow- and
//! blocklists) from the Backend API's list files. Entries are keyed by identity, never by
//! position; duplicate keys get a stable suffix. Volatile fields go to `meta.items`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::{Builder, Error, Xf, parse};
use crate::path::Path;
use crate::recording::endpoints::{
    DOMAINS, ENTERPRISE_CONNECTIONS, JWT_TEMPLATES, OAUTH_APPLICATIONS, ORGANIZATION_DOMAINS,
    ORGANIZATION_PERMISSIONS, ORGANIZATION_ROLES, SAML_CONNECTIONS,
};
use crate::snapshot::model::Source;

/// Entries sharing one identity key: (canonical JSON, normalized entry, raw item).
type Group<'a> = Vec<(String, Map<String, Value>, &'a Map<String, Value>)>;

impl<'r> Builder<'r> {
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

    pub(super) fn string_list(
        &mut self,
        at: &str,
        file: &'static str,
        field: &str,
    ) -> Result<(), Error> {
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

    pub(super) fn domains(&mut self) -> Result<(), Error> {
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

    pub(super) fn jwt_templates(&mut self) -> Result<(), Error> {
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

    pub(super) fn oauth_applications(&mut self) -> Result<(), Error> {
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

    pub(super) fn saml_connections(&mut self) -> Result<(), Error> {
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

    pub(super) fn enterprise_connections(&mut self) -> Result<(), Error> {
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

    pub(super) fn roles(&mut self) -> Result<(), Error> {
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

    pub(super) fn permissions(&mut self) -> Result<(), Error> {
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

    /// Every organization's domains (`GET /v1/organization_domains`), keyed by domain name:
    /// whether the domain is verified and how users at it join. The spec's `verification` is a
    /// deprecated alias of `affiliation_verification` (to go in the next API version): either is
    /// read, `null` meaning not verified.
    pub(super) fn organization_domains(&mut self) -> Result<(), Error> {
        let file = ORGANIZATION_DOMAINS.file;
        self.keyed("organization_domains", file, "name", |b, i, item| {
            let mut e = b.copy_fields(
                file,
                i,
                item,
                &[("enrollment_mode", "enrollment_mode", Xf::Str)],
            )?;
            let verification = ["verification", "affiliation_verification"]
                .into_iter()
                .find_map(|k| item.get(k).map(|v| (k, v)));
            match verification {
                None => {}
                Some((_, Value::Null)) => {
                    e.insert("verified".into(), Value::Bool(false));
                }
                Some((k, v)) => {
                    let status = v.get("status").and_then(Value::as_str).ok_or_else(|| {
                        b.err(
                            file,
                            &format!("/{i}/{k}"),
                            "null or an object with a string `status`",
                            v,
                        )
                    })?;
                    e.insert("verified".into(), Value::Bool(status == "verified"));
                }
            }
            Ok(e)
        })
    }
}
