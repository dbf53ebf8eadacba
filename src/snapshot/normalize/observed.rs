//! Observed: every value a configuration endpoint returned that the curated vocabulary does not
//! already carry, kept per source under `observed` (docs/snapshot.md, "Observed"). Generic over
//! the endpoint table: each file of [`LAYOUT`] present in the recording is written, made
//! canonical, under its prefix ([`prefix`]); a file not recorded leaves its prefix unobserved.
//!
//! Canonical: lists of objects become maps keyed by identity ([`LIST_KEYS`], else the first of
//! [`KEY_CANDIDATES`] an entry has; never an id; duplicates get content-ordered `~2` suffixes;
//! entries with no identity are keyed by a short content hash), other arrays become sorted sets,
//! objects stay objects. Secret-named keys ([`crate::recording::is_secret_key`]) become
//! `present`/`absent`. [`VOLATILE`] fields never enter the compared body. A raw field a curated
//! setting already reads ([`Consumed`]: the `MAPPINGS` table, [`COLLECTION_READS`] and the OAuth
//! providers) is not repeated; what that leaves empty is not written. [`REDUCTIONS`] is the one
//! place a file's body is cut down before all this.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::Builder;
use super::scalars::{MAPPINGS, Xf};
use crate::clerk::documents::PRIVATE_JWK_MEMBERS;
use crate::path::Path;
use crate::recording::endpoints::{
    ALLOWLIST_IDENTIFIERS, BLOCKLIST_IDENTIFIERS, DOMAINS, ENTERPRISE_CONNECTIONS, ENVIRONMENT,
    JWKS, JWT_TEMPLATES, LAYOUT, OAUTH_APPLICATIONS, ORGANIZATION_DOMAINS,
    ORGANIZATION_PERMISSIONS, ORGANIZATION_ROLES, PLATFORM_CONFIG, PLATFORM_CONFIG_SCHEMA,
    REDIRECT_URLS, ROLE_SETS, SAML_CONNECTIONS,
};
use crate::recording::is_secret_key;

/// A field that never enters the compared body, and why.
pub struct Volatile {
    /// The object key, at any depth.
    pub field: &'static str,
    /// Only in this recording file; `None`: in every file.
    pub file: Option<&'static str>,
    pub reason: &'static str,
}

macro_rules! volatile {
    ($($field:literal $(in $file:ident)? => $reason:literal;)*) => {
        &[$(Volatile { field: $field, file: volatile!(@file $($file)?), reason: $reason }),*]
    };
    (@file) => { None };
    (@file $file:ident) => { Some($file.file) };
}

/// The volatile fields (docs/snapshot.md lists the same, with the same reasons).
pub static VOLATILE: &[Volatile] = volatile! {
    "id" => "Clerk's identifier of the object: entries are keyed by identity, and an object recreated with the same settings gets a new one";
    "object" => "the type tag of Clerk's JSON (`\"object\": \"domain\"`): fixed by the endpoint";
    "created_at" => "a timestamp Clerk sets when the object is created";
    "updated_at" => "a timestamp Clerk sets on every write, also when nothing changed";
    "expire_at" => "a timestamp Clerk sets on a pending verification";
    "verified_at" => "a timestamp Clerk sets when a verification completes";
    "attempts" => "a count of verification attempts: activity, not configuration";
    "instance_id" => "an id of the instance itself: the same for every entry";
    "application_id" => "an id of the application itself";
    "workspace_id" => "an id of the workspace the instance belongs to";
    "organization_id" => "an id of the organization an entry belongs to (its domain or name identifies it)";
    "invitation_id" => "an id of the invitation an allowlist entry came from";
    "config_version" => "the Platform config's optimistic-concurrency version (kept in `meta`): changes on every write";
    "trace_id" => "a request trace id";
    "clerk_trace_id" => "a request trace id";
    "total_count" => "the length of a list, computed by Clerk: the entries themselves are compared";
    "identifier_type" => "computed by Clerk from the identifier (email, domain, phone, wallet)";
    "total_pending_invitations" => "a count Clerk computes (activity, not configuration)";
    "total_pending_suggestions" => "a count Clerk computes (activity, not configuration)";
    "user_count" => "a count of the connection's users: activity, not configuration";
    "members_count" in ROLE_SETS => "how many members hold a role: activity, not configuration (changes as people join organizations)";
    "has_members" in ROLE_SETS => "whether members hold a role: activity, not configuration";
    "role_set_migration" in ROLE_SETS => "an operation Clerk is running (its status, progress and times), not configuration";
    "maintenance_mode" in ENVIRONMENT => "set by Clerk while its own service is under maintenance, not by the instance's owners";
    "acs_url" in SAML_CONNECTIONS => "computed by Clerk from the connection's id";
    "acs_url" in ENTERPRISE_CONNECTIONS => "computed by Clerk from the connection's id";
    "sp_entity_id" in SAML_CONNECTIONS => "computed by Clerk from the connection's id";
    "sp_entity_id" in ENTERPRISE_CONNECTIONS => "computed by Clerk from the connection's id";
    "sp_metadata_url" in SAML_CONNECTIONS => "computed by Clerk from the connection's id";
    "sp_metadata_url" in ENTERPRISE_CONNECTIONS => "computed by Clerk from the connection's id";
};

/// Whether `field` of `file` is volatile.
pub fn is_volatile(file: &str, field: &str) -> bool {
    VOLATILE
        .iter()
        .any(|v| v.field == field && v.file.is_none_or(|f| f == file))
}

/// Per-file reductions applied before the generic walk: `(file, reduce)`. The one place a file's
/// body is cut down to what is compared: the Platform config schema to its set of typed property
/// paths ([`super::config_schema::reduce`]); a JSON Web Key Set's private members (one-letter
/// names the secret-key test cannot know, [`PRIVATE_JWK_MEMBERS`]) to `present`/`absent`, for a
/// recording that was not redacted when it was made.
static REDUCTIONS: &[(&str, Reduce)] = &[
    (PLATFORM_CONFIG_SCHEMA.file, super::config_schema::reduce),
    (JWKS.file, private_jwk_members),
];

/// A key set with every private member of each key reduced to `present`/`absent`.
fn private_jwk_members(jwks: &Value) -> Value {
    let mut out = jwks.clone();
    let keys = out.get_mut("keys").and_then(Value::as_array_mut);
    for key in keys.into_iter().flatten().filter_map(Value::as_object_mut) {
        for (name, value) in key.iter_mut() {
            if PRIVATE_JWK_MEMBERS.contains(&name.as_str()) {
                *value = Value::from(if is_set(value) { "present" } else { "absent" });
            }
        }
    }
    out
}

/// A per-file reduction: the raw body in, the body to keep out.
type Reduce = fn(&Value) -> Value;

/// Known lists and the entry field that identifies an entry: `(file, JSON pointer of the list
/// with `*` for an index, key field)`. The same keys the curated collections use.
pub static LIST_KEYS: &[(&str, &str, &str)] = &[
    (DOMAINS.file, "", "name"),
    (DOMAINS.file, "/*/cname_targets", "host"),
    (JWT_TEMPLATES.file, "", "name"),
    (OAUTH_APPLICATIONS.file, "", "client_id"),
    (ENTERPRISE_CONNECTIONS.file, "", "name"),
    (SAML_CONNECTIONS.file, "", "name"),
    (ORGANIZATION_ROLES.file, "", "key"),
    (ORGANIZATION_ROLES.file, "/*/permissions", "key"),
    (ORGANIZATION_PERMISSIONS.file, "", "key"),
    (ORGANIZATION_DOMAINS.file, "", "name"),
    (ROLE_SETS.file, "", "key"),
    (ROLE_SETS.file, "/*/roles", "key"),
    (REDIRECT_URLS.file, "", "url"),
    (ALLOWLIST_IDENTIFIERS.file, "", "identifier"),
    (BLOCKLIST_IDENTIFIERS.file, "", "identifier"),
];

/// Any other list of objects: the first of these fields that some entry holds as a non-empty
/// string is the list's key (never an id: ids are volatile).
pub static KEY_CANDIDATES: &[&str] = &[
    "name",
    "key",
    "slug",
    "identifier",
    "domain",
    "kid",
    "url",
    "strategy",
    "provider",
    "host",
    "client_id",
];

/// Entry fields the curated collection readers read (`normalize/collections.rs`), as pointers
/// inside an entry (`*` for an index of a nested list). Their key fields are consumed too.
pub static COLLECTION_READS: &[(&str, &[&str])] = &[
    (
        DOMAINS.file,
        &[
            "/name",
            "/is_satellite",
            "/frontend_api_url",
            "/accounts_portal_url",
            "/proxy_url",
            "/development_origin",
            "/cname_targets/*/host",
            "/cname_targets/*/value",
        ],
    ),
    (
        JWT_TEMPLATES.file,
        &[
            "/name",
            "/lifetime",
            "/allowed_clock_skew",
            "/signing_algorithm",
            "/custom_signing_key",
            "/claims",
        ],
    ),
    (
        OAUTH_APPLICATIONS.file,
        &[
            "/client_id",
            "/name",
            "/public",
            "/pkce_required",
            "/consent_screen_enabled",
            "/dynamically_registered",
            "/redirect_uris",
            "/scopes",
        ],
    ),
    (
        ENTERPRISE_CONNECTIONS.file,
        &[
            "/name",
            "/provider",
            "/active",
            "/domains",
            "/authenticatable",
            "/disable_jit_provisioning",
            "/sync_user_attributes",
            "/allow_organization_account_linking",
            "/disable_additional_identifications",
            "/saml_connection/idp_entity_id",
            "/saml_connection/idp_sso_url",
            "/saml_connection/idp_metadata_url",
            "/saml_connection/allow_idp_initiated",
            "/saml_connection/allow_subdomains",
            "/saml_connection/force_authn",
            "/oauth_config/client_id",
            "/oauth_config/discovery_url",
            "/oauth_config/requires_pkce",
        ],
    ),
    (
        SAML_CONNECTIONS.file,
        &[
            "/name",
            "/active",
            "/domains",
            "/idp_entity_id",
            "/idp_certificate_expires_at",
        ],
    ),
    (
        ORGANIZATION_ROLES.file,
        &[
            "/key",
            "/name",
            "/is_creator_eligible",
            "/permissions/*/key",
        ],
    ),
    (ORGANIZATION_PERMISSIONS.file, &["/key", "/name", "/type"]),
    // `verification.status` is read as verified or not: other statuses are not told apart, so
    // the status stays observed.
    (ORGANIZATION_DOMAINS.file, &["/name", "/enrollment_mode"]),
    (REDIRECT_URLS.file, &["/url"]),
    (ALLOWLIST_IDENTIFIERS.file, &["/identifier"]),
    (BLOCKLIST_IDENTIFIERS.file, &["/identifier"]),
];

/// Where a file's observed section lives: `observed.fapi` (the environment),
/// `observed.plapi` (the instance config), `observed.<api>.<file stem>` for every other file.
pub fn prefix(file: &str) -> Path {
    let root = Path::root().field("observed");
    if file == ENVIRONMENT.file {
        return root.field("fapi");
    }
    if file == PLATFORM_CONFIG.file {
        return root.field("plapi");
    }
    let (api, name) = file.split_once('/').unwrap_or(("", file));
    let stem = name.strip_suffix(".json").unwrap_or(name);
    root.field(api).field(stem)
}

/// Raw fields a curated setting reads, by file: JSON pointers (`*` for a list index). A
/// consumed node is left out of `observed` with everything below it.
#[derive(Default)]
pub struct Consumed(HashMap<&'static str, HashSet<String>>);

impl Consumed {
    fn add(&mut self, file: &'static str, ptr: impl Into<String>) {
        self.0.entry(file).or_default().insert(ptr.into());
    }

    fn has(&self, file: &str, ptr: &str) -> bool {
        self.0.get(file).is_some_and(|s| s.contains(ptr))
    }

    /// The fields whose curated value changes whenever they change. A mapping whose reading is
    /// not one-to-one (factor sets merged from several blocks, a value that only applies while its
    /// switch is on and the switch is off) consumes only what it reads one-to-one.
    fn of(b: &Builder<'_>) -> Consumed {
        let mut c = Consumed::default();
        for m in MAPPINGS {
            // A collection's fields are declared below; asking for its body would parse a raw list.
            if matches!(m.xf, Xf::Collection | Xf::FapiSecondFactors) {
                continue;
            }
            let Some(body) = b.rec.get(m.file) else {
                continue;
            };
            match m.xf {
                Xf::Collection | Xf::FapiSecondFactors => {}
                Xf::Toggle => {
                    c.add(m.file, format!("{}/enabled", m.ptr));
                    c.add(m.file, format!("{}/duration_seconds", m.ptr));
                }
                Xf::SessionClaims => c.add(m.file, format!("{}/claims", m.ptr)),
                Xf::PlapiSecondFactors => {
                    c.add(m.file, format!("{}/authenticator_app/enabled", m.ptr));
                    c.add(m.file, format!("{}/backup_code/enabled", m.ptr));
                }
                Xf::StrIf(flag) | Xf::StrSetIf(flag) | Xf::BoolIf(flag) => {
                    // The switch: a sibling's name, or an absolute pointer (`BoolIf`).
                    let switch = match flag.strip_prefix('/') {
                        Some(_) => flag.to_owned(),
                        None => {
                            let parent = m.ptr.rsplit_once('/').map_or("", |(p, _)| p);
                            format!("{parent}/{flag}")
                        }
                    };
                    if body.pointer(&switch) != Some(&Value::Bool(false)) {
                        c.add(m.file, m.ptr);
                    }
                }
                _ => c.add(m.file, m.ptr),
            }
        }
        for (file, fields) in COLLECTION_READS {
            for f in *fields {
                c.add(file, format!("/*{f}"));
            }
        }
        c.providers(b);
        c
    }

    /// OAuth providers: `enabled` always decides whether a provider is in the collection; the
    /// other fields are read only for the providers it holds.
    fn providers(&mut self, b: &Builder<'_>) {
        let held: BTreeSet<String> =
            crate::snapshot::model::lookup(&b.settings, &super::parse("oauth_providers"))
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
        if let Some(social) = b
            .rec
            .get(ENVIRONMENT.file)
            .and_then(|e| e.pointer("/user_settings/social"))
            .and_then(Value::as_object)
        {
            for name in social.keys() {
                let base = format!("/user_settings/social/{}", escape(name));
                self.add(ENVIRONMENT.file, format!("{base}/enabled"));
                let key = name.strip_prefix("oauth_").unwrap_or(name);
                if held.contains(key) {
                    for f in ["authenticatable", "block_email_subaddresses"] {
                        self.add(ENVIRONMENT.file, format!("{base}/{f}"));
                    }
                }
            }
        }
        let Some(cfg) = b.rec.get(PLATFORM_CONFIG.file).and_then(Value::as_object) else {
            return;
        };
        let mut entries: Vec<(String, String, bool)> = cfg
            .keys()
            .filter_map(|k| {
                let p = k.strip_prefix("connection_oauth_")?;
                Some((p.to_owned(), format!("/{}", escape(k)), false))
            })
            .collect();
        if let Some(custom) = cfg
            .get("connections_oauth_custom")
            .and_then(Value::as_object)
        {
            for name in custom.keys() {
                entries.push((
                    format!("custom_{name}"),
                    format!("/connections_oauth_custom/{}", escape(name)),
                    true,
                ));
            }
        }
        for (key, base, custom) in entries {
            self.add(PLATFORM_CONFIG.file, format!("{base}/enabled"));
            if !held.contains(&key) {
                continue;
            }
            let mut fields = vec![
                "authenticatable",
                "block_email_subaddresses",
                "client_secret",
            ];
            if custom {
                fields.extend(["discovery_url", "requires_pkce"]);
            }
            for f in fields {
                self.add(PLATFORM_CONFIG.file, format!("{base}/{f}"));
            }
        }
    }
}

/// A JSON pointer segment.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Compact JSON text of a value: object keys sorted, so equal values give equal text.
fn canonical(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// `sha256-` and the first 12 hex digits of the SHA-256 of a value's canonical text.
fn content_key(v: &Value) -> String {
    let digest = Sha256::digest(canonical(v).as_bytes());
    format!("sha256-{}", hex::encode(&digest[..6]))
}

/// One file's body on its way to `observed`.
struct Walk<'a> {
    file: &'static str,
    consumed: &'a Consumed,
    keyed: &'a mut BTreeSet<String>,
}

impl Walk<'_> {
    /// The canonical value of the node at `ptr` (path `at`); `None`: nothing to keep (consumed,
    /// or emptied by what was left out).
    fn value(&mut self, v: &Value, ptr: &mut String, at: &Path) -> Option<Value> {
        if self.consumed.has(self.file, ptr) {
            return None;
        }
        match v {
            Value::Object(o) => self.object(o, None, ptr, at).map(Value::Object),
            Value::Array(items) => self.array(items, ptr, at),
            other => Some(other.clone()),
        }
    }

    fn object(
        &mut self,
        o: &Map<String, Value>,
        skip: Option<&str>,
        ptr: &mut String,
        at: &Path,
    ) -> Option<Map<String, Value>> {
        let mut out = Map::new();
        let mut left_out = false;
        for (k, x) in o {
            if Some(k.as_str()) == skip {
                continue;
            }
            let len = ptr.len();
            ptr.push('/');
            ptr.push_str(&escape(k));
            let kept = if is_volatile(self.file, k) || self.consumed.has(self.file, ptr) {
                None
            } else if is_secret_key(k) {
                Some(Value::from(if is_set(x) { "present" } else { "absent" }))
            } else {
                self.value(x, ptr, &at.field(k))
            };
            ptr.truncate(len);
            match kept {
                Some(v) => {
                    out.insert(k.clone(), v);
                }
                None => left_out = true,
            }
        }
        (!(out.is_empty() && left_out)).then_some(out)
    }

    fn array(&mut self, items: &[Value], ptr: &mut String, at: &Path) -> Option<Value> {
        let known = LIST_KEYS
            .iter()
            .find(|(f, p, _)| *f == self.file && *p == ptr.as_str())
            .map(|(_, _, k)| *k);
        let objects = !items.is_empty() && items.iter().all(Value::is_object);
        if known.is_some() || objects {
            return self.keyed_list(items, known, ptr, at);
        }
        let len = ptr.len();
        ptr.push_str("/*");
        let mut set: BTreeMap<String, Value> = BTreeMap::new();
        for item in items {
            if let Some(v) = self.value(item, ptr, at) {
                set.insert(canonical(&v), v);
            }
        }
        ptr.truncate(len);
        if set.is_empty() && !items.is_empty() {
            return None;
        }
        Some(Value::Array(set.into_values().collect()))
    }

    /// A list of objects as a map keyed by identity.
    fn keyed_list(
        &mut self,
        items: &[Value],
        known: Option<&'static str>,
        ptr: &mut String,
        at: &Path,
    ) -> Option<Value> {
        let key_field = known.or_else(|| {
            KEY_CANDIDATES.iter().copied().find(|k| {
                items.iter().any(|e| {
                    e.get(*k)
                        .and_then(Value::as_str)
                        .is_some_and(|s| !s.is_empty())
                })
            })
        });
        self.keyed.insert(at.pattern());
        let len = ptr.len();
        ptr.push_str("/*");
        let key_consumed = key_field.is_some_and(|k| {
            self.consumed
                .has(self.file, &format!("{ptr}/{}", escape(k)))
        });
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for item in items {
            let Some(o) = item.as_object() else { continue };
            let key = key_field
                .and_then(|k| o.get(k))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty());
            // The entry's path for `keyed` patterns: any key gives the same pattern.
            let entry_at = at.key("*");
            let skip = key.and(key_field);
            let body = match self.object(o, skip, ptr, &entry_at) {
                Some(b) => Value::Object(b),
                None if key.is_some() && !key_consumed => Value::Object(Map::new()),
                None => continue,
            };
            let key = key.map_or_else(|| content_key(&body), str::to_owned);
            groups.entry(key).or_default().push(body);
        }
        ptr.truncate(len);
        let mut out = Map::new();
        for (key, mut group) in groups {
            if group.len() > 1 {
                group.sort_by_cached_key(canonical);
            }
            for (n, body) in group.into_iter().enumerate() {
                let k = if n == 0 {
                    key.clone()
                } else {
                    format!("{key}~{}", n + 1)
                };
                out.insert(k, body);
            }
        }
        if out.is_empty() && !items.is_empty() {
            return None;
        }
        Some(Value::Object(out))
    }
}

/// A live pull's raw list (12,000 allowlist entries, say) as the array the walk reads, with only
/// the entries that keep something: an entry whose every field is volatile or read by a curated
/// path writes nothing ([`Walk::keyed_list`]), so it is skipped before its `Value` is built — the
/// parse that would otherwise dominate normalizing a large instance. The result is the same
/// as walking the whole parsed list.
fn entries_with_something<'a>(
    file: &'static str,
    consumed: &Consumed,
    entries: impl Iterator<Item = &'a str>,
) -> Value {
    let mut ptr = String::from("/*/");
    let mut keeps = |key: &str| {
        if is_volatile(file, key) {
            return false;
        }
        ptr.truncate(3);
        ptr.push_str(&escape(key));
        !consumed.has(file, &ptr)
    };
    let mut first = None;
    let mut kept: Vec<Value> = entries
        .inspect(|e| {
            first.get_or_insert(*e);
        })
        .filter(|e| crate::recording::raw::entry_keeps_a_key(e, &mut keeps))
        .map(|e| serde_json::from_str(e).unwrap_or(Value::Null))
        .collect();
    // A list none of whose entries keeps anything still is a list that had entries (the walk
    // then writes nothing for it, as for the whole list).
    if let (true, Some(e)) = (kept.is_empty(), first) {
        kept.push(serde_json::from_str(e).unwrap_or(Value::Null));
    }
    Value::Array(kept)
}

/// A secret is set: a non-empty string, or a non-empty list or object of them.
fn is_set(v: &Value) -> bool {
    match v {
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => a.iter().any(is_set),
        Value::Object(o) => o.values().any(is_set),
        _ => false,
    }
}

impl Builder<'_> {
    /// Writes `observed`: every recorded file of the layout under its prefix, with its source.
    pub(super) fn observed(&mut self) {
        let consumed = Consumed::of(self);
        let mut keyed = BTreeSet::new();
        for endpoint in LAYOUT {
            let reduce = REDUCTIONS
                .iter()
                .find(|(f, _)| *f == endpoint.file)
                .map(|(_, reduce)| reduce);
            let kept_entries = match (reduce, self.rec.raw_entries(endpoint.file)) {
                (None, Some(entries)) => {
                    Some(entries_with_something(endpoint.file, &consumed, entries))
                }
                _ => None,
            };
            let reduced = match (&kept_entries, reduce) {
                (Some(_), _) => None,
                (None, Some(reduce)) => self.rec.get(endpoint.file).map(reduce),
                (None, None) => None,
            };
            let Some(body) = kept_entries
                .as_ref()
                .or(reduced.as_ref())
                .or_else(|| self.rec.get(endpoint.file))
            else {
                continue;
            };
            let at = prefix(endpoint.file);
            let mut walk = Walk {
                file: endpoint.file,
                consumed: &consumed,
                keyed: &mut keyed,
            };
            let value = walk.value(body, &mut String::new(), &at);
            self.provenance
                .insert(at.to_string(), super::observed_by(endpoint.source));
            match value {
                Some(Value::Object(o)) if o.is_empty() => {}
                Some(v) => super::insert(&mut self.settings, &at, v),
                None => {}
            }
        }
        self.keyed = keyed;
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::recording::Recording;
    use crate::recording::endpoints::{self, INSTANCE};
    use crate::snapshot::normalize::normalize;

    fn rec(files: &[(&'static str, Value)]) -> Recording {
        let mut r = Recording::new("test");
        for (file, body) in files {
            let endpoint = endpoints::by_file(file).expect("layout file");
            r.insert(endpoint, body.clone(), std::path::Path::new(file))
                .expect("valid body");
        }
        r
    }

    /// A live pull keeps large lists as raw entries and skips those that keep nothing before
    /// parsing them: the snapshot must be the one of the same list parsed whole.
    #[test]
    fn a_raw_list_gives_the_snapshot_of_the_parsed_list() {
        use crate::recording::{RawList, RawPage};
        for entries in [
            vec![
                r#"{"id": "alid_1", "object": "allowlist_identifier", "identifier": "a@x.test", "identifier_type": "email_address", "created_at": 1}"#,
                r#"{"id": "alid_2", "identifier": "b@x.test", "note": "kept", "instance_id": "ins_1"}"#,
                r#"{"identifier": "b@x.test", "note": "a second b"}"#,
                r#"{"id": "alid_4", "identifier": "c@x.test", "token": "CANARY"}"#,
            ],
            vec![r#"{"id": "alid_1", "identifier": "a@x.test"}"#],
        ] {
            let text = entries.join(",");
            let mut ranges = Vec::new();
            let mut at = 0;
            for e in &entries {
                ranges.push(at..at + e.len());
                at += e.len() + 1;
            }
            let mut raw = Recording::new("raw");
            raw.insert_entries(
                &ALLOWLIST_IDENTIFIERS,
                RawList::new(vec![RawPage::new(text.clone().into(), ranges)]),
            );
            let parsed: Value = serde_json::from_str(&format!("[{text}]")).expect("JSON");
            let whole = normalize(&rec(&[(ALLOWLIST_IDENTIFIERS.file, parsed)])).expect("whole");
            let from_raw = normalize(&raw).expect("raw");
            assert_eq!(from_raw.settings, whole.settings, "{text}");
            assert_eq!(from_raw.keyed, whole.keyed, "{text}");
        }
        // What the first list keeps: its two `b` entries' notes and `c`'s secret as present.
        let kept = {
            let text = r#"[{"identifier": "b@x.test", "note": "n", "id": "x"}, {"identifier": "c@x.test", "token": "CANARY"}, {"identifier": "a@x.test", "id": "y"}]"#;
            let mut raw = Recording::new("raw");
            raw.insert_entries(
                &ALLOWLIST_IDENTIFIERS,
                RawList::new(vec![RawPage::new(
                    text[1..text.len() - 1].into(),
                    vec![0..50, 52..97, 99..136],
                )]),
            );
            normalize(&raw).expect("raw").settings["observed"]["bapi"]["allowlist_identifiers"]
                .clone()
        };
        assert_eq!(
            kept,
            json!({"b@x.test": {"note": "n"}, "c@x.test": {"token": "present"}})
        );
    }

    /// Every Organizations read's observed section is switched by `organizations.enabled`: with
    /// Organizations off, its absence is a fact, not lost coverage (exit 2 from the switch, not 1).
    #[test]
    fn organization_reads_are_switched_by_the_organizations_switch() {
        use crate::recording::Feature;
        for e in LAYOUT
            .iter()
            .filter(|e| e.feature == Some(Feature::Organizations))
        {
            let at = prefix(e.file).to_string();
            assert!(
                crate::snapshot::schema::SWITCHED_BY
                    .contains(&(at.as_str(), "organizations.enabled")),
                "{at} is not in SWITCHED_BY"
            );
        }
    }

    #[test]
    fn prefixes_follow_the_layout() {
        assert_eq!(prefix(ENVIRONMENT.file).to_string(), "observed.fapi");
        assert_eq!(prefix(PLATFORM_CONFIG.file).to_string(), "observed.plapi");
        assert_eq!(
            prefix(JWT_TEMPLATES.file).to_string(),
            "observed.bapi.jwt_templates"
        );
        for e in LAYOUT {
            assert!(
                crate::snapshot::schema::kind_of(&prefix(e.file)).is_some(),
                "{}",
                e.file
            );
        }
    }

    #[test]
    fn lists_are_keyed_sets_sorted_secrets_reduced_volatile_dropped() {
        let env = json!({
            "id": "env_1",
            "auth_config": {"id": "aac_1", "object": "auth_config", "demo": false,
                "identification_requirements": [["phone_number", "email_address"], []]},
            "user_settings": {"attributes": {"phone_number": {"used_for_first_factor": true, "immutable": false}},
                "saml": {"enabled": false}, "widgets": [{"name": "b", "x": 1}, {"name": "a", "x": 2}, {"x": 3}],
                "signing_key": "CANARY-SECRET", "empty_secret": {"token": ""}}
        });
        let s = normalize(&rec(&[(ENVIRONMENT.file, env)])).expect("normalizes");
        let o = &s.settings["observed"]["fapi"];
        assert_eq!(
            o["user_settings"]["attributes"]["phone_number"],
            json!({"used_for_first_factor": true}),
            "immutable is curated (account.phone_immutable)"
        );
        assert_eq!(
            o["auth_config"],
            json!({"demo": false,
            "identification_requirements": [["email_address", "phone_number"], []]})
        );
        assert!(o.get("id").is_none());
        let widgets = &o["user_settings"]["widgets"];
        assert_eq!(widgets["a"], json!({"x": 2}));
        assert_eq!(widgets["b"], json!({"x": 1}));
        assert_eq!(widgets.as_object().map(Map::len), Some(3), "{widgets}");
        assert_eq!(o["user_settings"]["signing_key"], json!("present"));
        assert_eq!(o["user_settings"]["empty_secret"]["token"], json!("absent"));
        assert!(!serde_json::to_string(&s).expect("text").contains("CANARY"));
        assert!(s.keyed.contains("observed.fapi.user_settings.widgets"));
        assert_eq!(
            s.source_of(&Path::parse("observed.fapi.auth_config.demo").expect("path")),
            Some(crate::snapshot::Source::Fapi)
        );
    }

    #[test]
    fn curated_fields_are_not_repeated_and_emptied_entries_are_not_written() {
        let s = normalize(&rec(&[
            (
                ENVIRONMENT.file,
                json!({"auth_config": {"test_mode": false, "enhanced_email_deliverability": true}}),
            ),
            (INSTANCE.file, json!({"id": "ins_1", "object": "instance", "allowed_origins": []})),
            (
                ALLOWLIST_IDENTIFIERS.file,
                json!([{"id": "alid_1", "identifier": "a@x.test", "identifier_type": "email_address"}]),
            ),
            (
                JWT_TEMPLATES.file,
                json!([{"id": "j", "name": "sb", "lifetime": 60, "claims": {}, "custom_signing_key": false,
                        "rotation": "daily"}]),
            ),
        ]))
        .expect("normalizes");
        assert_eq!(
            s.settings["observed"],
            json!({"fapi": {"auth_config": {"enhanced_email_deliverability": true}},
                   "bapi": {"jwt_templates": {"sb": {"rotation": "daily"}}}})
        );
        assert!(s.keyed.contains("observed.bapi.jwt_templates"));
    }

    #[test]
    fn duplicates_and_anonymous_entries_do_not_depend_on_order() {
        let a = json!({"user_settings": {"l": [{"name": "x", "v": 1}, {"name": "x", "v": 2}, {"v": 3}, {"v": 4}]}});
        let mut b = a.clone();
        if let Some(l) = b
            .pointer_mut("/user_settings/l")
            .and_then(Value::as_array_mut)
        {
            l.reverse();
        }
        let sa = normalize(&rec(&[(ENVIRONMENT.file, a)])).expect("normalizes");
        let sb = normalize(&rec(&[(ENVIRONMENT.file, b)])).expect("normalizes");
        assert_eq!(sa.settings, sb.settings);
        let l = &sa.settings["observed"]["fapi"]["user_settings"]["l"];
        assert_eq!(l["x"], json!({"v": 1}));
        assert_eq!(l["x~2"], json!({"v": 2}));
        assert_eq!(l.as_object().map(Map::len), Some(4));
    }

    #[test]
    fn a_file_not_recorded_leaves_its_prefix_unobserved() {
        let s =
            normalize(&rec(&[(ENVIRONMENT.file, json!({"auth_config": {}}))])).expect("normalizes");
        let reason = s
            .unobserved_reason(&Path::parse("observed.plapi.auth_email.immutable").expect("path"))
            .expect("unobserved");
        assert!(
            reason.contains("plapi/config.json not recorded"),
            "{reason}"
        );
        assert!(
            s.unobserved_reason(&Path::parse("observed.fapi.auth_config").expect("path"))
                .is_none()
        );
    }
}
