//! The normalizer run backwards for the Platform config: the part of `plapi/config.json` a
//! snapshot determines, as raw keys and values ([`view`]). Curated settings the Platform config
//! reported (provenance `plapi`) go back through the `MAPPINGS` table to their raw fields;
//! `observed.plapi` is the rest of the document as it was. Normalizing a config that holds this
//! view gives back the snapshot's Platform-sourced settings (`clerk-drift fix` relies on it; its
//! property test proves it). What cannot go back is named instead: secrets (only
//! `present`/`absent` were kept) and lists of objects (kept as maps keyed by identity, their key
//! field dropped). No I/O.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::observed::prefix;
use super::scalars::{MAPPINGS, Mapping, Xf};
use crate::path::Path;
use crate::recording::endpoints::PLATFORM_CONFIG;
use crate::recording::is_secret_key;
use crate::snapshot::model::{Snapshot, Source};

/// What a snapshot says of its Platform config document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct View {
    /// The raw fields the snapshot determines (an object). Never a secret.
    pub config: Value,
    /// Secret fields, by JSON pointer: `present` or `absent` (their values were never kept).
    pub secrets: BTreeMap<String, String>,
    /// Lists of objects inside the document, by snapshot path: kept as maps keyed by identity,
    /// they cannot be written back.
    pub lists: Vec<String>,
}

/// The Platform config a snapshot saw, or `None` when `plapi/config.json` was not observed.
pub fn view(s: &Snapshot) -> Option<View> {
    let root = prefix(PLATFORM_CONFIG.file);
    if !s.provenance.contains_key(&root.to_string()) {
        return None;
    }
    let mut v = View {
        config: Value::Object(Map::new()),
        ..View::default()
    };
    if let Some(Value::Object(observed)) = s.get(&root) {
        for (k, x) in observed {
            // The config schema is a separate recording file filed under the same prefix.
            if k == "config_schema" && s.provenance.contains_key(&root.field(k).to_string()) {
                continue;
            }
            let ptr = format!("/{}", escape(k));
            if let Some(x) = v.raw(s, x, &root.field(k), &ptr) {
                set(&mut v.config, &ptr, x);
            }
        }
    }
    let plapi_rows = || MAPPINGS.iter().filter(|m| m.file == PLATFORM_CONFIG.file);
    // Switches first: a conditional value reads its switch from what is written.
    for m in plapi_rows().filter(|m| !conditional(m.xf)) {
        v.curated(s, m);
    }
    for m in plapi_rows().filter(|m| conditional(m.xf)) {
        v.curated(s, m);
    }
    v.providers(s);
    Some(v)
}

fn conditional(xf: Xf) -> bool {
    matches!(xf, Xf::StrIf(_) | Xf::StrSetIf(_) | Xf::BoolIf(_))
}

/// A JSON pointer segment.
pub fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Sets the value at a JSON pointer, making objects on the way (a non-object in the way is
/// replaced, as a merge patch would).
pub fn set(root: &mut Value, ptr: &str, value: Value) {
    let mut at = root;
    let segs: Vec<String> = ptr
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let Some((last, parents)) = segs.split_last() else {
        *at = value;
        return;
    };
    for seg in parents {
        if !at.is_object() {
            *at = Value::Object(Map::new());
        }
        let Value::Object(o) = at else { return };
        at = o.entry(seg.clone()).or_insert(Value::Object(Map::new()));
    }
    if !at.is_object() {
        *at = Value::Object(Map::new());
    }
    if let Value::Object(o) = at {
        o.insert(last.clone(), value);
    }
}

impl View {
    /// An observed value back to raw: `None` for a secret or a keyed list (recorded instead).
    fn raw(&mut self, s: &Snapshot, x: &Value, at: &Path, ptr: &str) -> Option<Value> {
        let key = ptr.rsplit('/').next().unwrap_or_default();
        if is_secret_key(&key.replace("~1", "/").replace("~0", "~")) {
            if let Some(state) = x.as_str() {
                self.secrets.insert(ptr.to_owned(), state.to_owned());
            }
            return None;
        }
        match x {
            Value::Object(_) if s.keyed.contains(&at.pattern()) => {
                self.lists.push(at.to_string());
                None
            }
            Value::Object(o) => {
                let mut out = Map::new();
                for (k, y) in o {
                    let p = format!("{ptr}/{}", escape(k));
                    if let Some(y) = self.raw(s, y, &at.field(k), &p) {
                        out.insert(k.clone(), y);
                    }
                }
                Some(Value::Object(out))
            }
            other => Some(other.clone()),
        }
    }

    /// The value written so far at a pointer.
    fn at(&self, ptr: &str) -> Option<&Value> {
        self.config.pointer(ptr)
    }

    /// Whether the switch of a conditional row is on in what is written (absent: not off).
    fn switch_on(&self, m: &Mapping, flag: &str) -> bool {
        let ptr = match flag.strip_prefix('/') {
            Some(_) => flag.to_owned(),
            None => {
                let parent = m.ptr.rsplit_once('/').map_or("", |(p, _)| p);
                format!("{parent}/{flag}")
            }
        };
        self.at(&ptr) != Some(&Value::Bool(false))
    }

    /// One curated setting back to its raw field(s), when the Platform config reported it.
    fn curated(&mut self, s: &Snapshot, m: &Mapping) {
        let Ok(path) = Path::parse(m.path) else {
            return;
        };
        if s.source_of(&path) != Some(Source::Plapi) {
            return;
        }
        let Some(value) = s.get(&path).cloned() else {
            return;
        };
        let ptr = m.ptr;
        match m.xf {
            Xf::Bool | Xf::Int | Xf::PasswordMinLength | Xf::StrSet => {
                set(&mut self.config, ptr, value);
            }
            Xf::NotBool => {
                if let Some(b) = value.as_bool() {
                    set(&mut self.config, ptr, json!(!b));
                }
            }
            // `null` and `""` both mean "not set"; a merge patch cannot write `null`.
            Xf::Str => set(&mut self.config, ptr, null_as_empty(value)),
            Xf::Minutes => {
                if let Some(secs) = value.as_i64() {
                    set(&mut self.config, ptr, json!(secs / 60));
                }
            }
            Xf::Toggle => {
                set(
                    &mut self.config,
                    &format!("{ptr}/enabled"),
                    value["enabled"].clone(),
                );
                let secs = value["seconds"].clone();
                set(&mut self.config, &format!("{ptr}/duration_seconds"), secs);
            }
            // While the switch is off the raw field was not read (it stays in `observed`), and
            // the curated value is the switch-off reading (`null`, `[]`, `false`). When a target
            // turns the switch on, that reading says nothing of the raw field: the raw value kept
            // in `observed` stays.
            Xf::StrIf(_) | Xf::StrSetIf(_) | Xf::BoolIf(_)
                if self.at(ptr).is_some() && value == switch_off_reading(m.xf) => {}
            Xf::StrIf(flag) if self.switch_on(m, flag) => {
                set(&mut self.config, ptr, null_as_empty(value));
            }
            Xf::StrSetIf(flag) | Xf::BoolIf(flag) if self.switch_on(m, flag) => {
                set(&mut self.config, ptr, value);
            }
            // A bare `{}` block had no claims: absent reads as none.
            Xf::SessionClaims => {
                let bare = self
                    .at(ptr)
                    .is_some_and(|b| b.as_object().is_some_and(Map::is_empty));
                if !(bare && value.as_object().is_some_and(Map::is_empty)) {
                    set(&mut self.config, &format!("{ptr}/claims"), value);
                }
            }
            Xf::PlapiSecondFactors => {
                let has = |f: &str| value.as_array().is_some_and(|a| a.contains(&json!(f)));
                // Absent reads as off: an observed block that is exactly `{}` had no switch.
                for (block, on) in [
                    ("authenticator_app", has("totp")),
                    ("backup_code", has("backup_code")),
                ] {
                    let at = format!("{ptr}/{block}");
                    let bare = self
                        .at(&at)
                        .is_some_and(|b| b.as_object().is_some_and(Map::is_empty));
                    if !bare || on {
                        set(&mut self.config, &format!("{at}/enabled"), json!(on));
                    }
                }
            }
            Xf::StrIf(_)
            | Xf::StrSetIf(_)
            | Xf::BoolIf(_)
            | Xf::EnumerationStrict
            | Xf::FapiSecondFactors
            | Xf::MillisTimestamp
            | Xf::Collection => {}
        }
    }

    /// OAuth providers the Platform config reported: `connection_oauth_<p>` and
    /// `connections_oauth_custom.<name>`; the held ones enabled with their fields, the others
    /// off.
    fn providers(&mut self, s: &Snapshot) {
        let base = Path::root().field("oauth_providers");
        if s.source_of(&base) != Some(Source::Plapi) {
            return;
        }
        let held = s.get(&base).and_then(Value::as_object).cloned();
        let held = held.unwrap_or_default();
        for (key, entry) in &held {
            let ptr = provider_ptr(key);
            set(&mut self.config, &format!("{ptr}/enabled"), json!(true));
            for (field, x) in entry.as_object().into_iter().flatten() {
                if s.source_of(&base.key(key).field(field)) != Some(Source::Plapi) {
                    continue;
                }
                match field.as_str() {
                    "authenticatable"
                    | "block_email_subaddresses"
                    | "discovery_url"
                    | "requires_pkce" => {
                        set(&mut self.config, &format!("{ptr}/{field}"), x.clone())
                    }
                    "client_secret" => {
                        if let Some(state) = x.as_str() {
                            self.secrets
                                .insert(format!("{ptr}/client_secret"), state.to_owned());
                        }
                    }
                    // `credentials` is read from `client_id`, which stays observed.
                    _ => {}
                }
            }
        }
        // Providers the document lists but the snapshot does not hold are off.
        let mut off = Vec::new();
        if let Some(cfg) = self.config.as_object() {
            for (k, x) in cfg {
                if let Some(p) = k.strip_prefix("connection_oauth_")
                    && x.is_object()
                    && !held.contains_key(p)
                {
                    off.push(format!("/{}/enabled", escape(k)));
                }
            }
            if let Some(custom) = cfg
                .get("connections_oauth_custom")
                .and_then(Value::as_object)
            {
                for (name, x) in custom {
                    if x.is_object() && !held.contains_key(&format!("custom_{name}")) {
                        off.push(format!(
                            "/connections_oauth_custom/{}/enabled",
                            escape(name)
                        ));
                    }
                }
            }
        }
        for ptr in off {
            set(&mut self.config, &ptr, json!(false));
        }
    }
}

/// The raw pointer of an OAuth provider's block.
pub fn provider_ptr(key: &str) -> String {
    match key.strip_prefix("custom_") {
        Some(name) => format!("/connections_oauth_custom/{}", escape(name)),
        None => format!("/connection_oauth_{}", escape(key)),
    }
}

/// What the normalizer reads for a conditional value while its switch is off.
fn switch_off_reading(xf: Xf) -> Value {
    match xf {
        Xf::StrSetIf(_) => json!([]),
        Xf::BoolIf(_) => json!(false),
        _ => Value::Null,
    }
}

fn null_as_empty(v: Value) -> Value {
    if v.is_null() { json!("") } else { v }
}

/// The Platform config keys (JSON pointers) that a curated setting, or a raw field another API's
/// recording reports (`observed.fapi.…`), reflects: through the curated setting's Platform row
/// (a conditional value reflects its switch too), and an OAuth provider's block for a path that
/// names `oauth_<provider>`.
pub fn reflected_keys(path: &Path) -> Vec<String> {
    let text = path.to_string();
    let mut rows: Vec<&Mapping> = MAPPINGS
        .iter()
        .filter(|m| m.file == PLATFORM_CONFIG.file && m.path == path.pattern())
        .collect();
    if let Some(other) = MAPPINGS.iter().find(|m| {
        m.file != PLATFORM_CONFIG.file && {
            let mut at = prefix(m.file);
            for seg in m.ptr.split('/').skip(1) {
                at = at.field(&seg.replace("~1", "/").replace("~0", "~"));
            }
            at.to_string() == text
        }
    }) {
        rows.extend(
            MAPPINGS
                .iter()
                .filter(|m| m.file == PLATFORM_CONFIG.file && m.path == other.path),
        );
    }
    let mut keys = Vec::new();
    for m in rows.into_iter().filter(|m| m.xf != Xf::Collection) {
        keys.push(m.ptr.to_owned());
        if let Xf::StrIf(flag) | Xf::StrSetIf(flag) | Xf::BoolIf(flag) = m.xf {
            keys.push(match flag.strip_prefix('/') {
                Some(_) => flag.to_owned(),
                None => {
                    let parent = m.ptr.rsplit_once('/').map_or("", |(p, _)| p);
                    format!("{parent}/{flag}")
                }
            });
        }
    }
    for seg in &path.0 {
        let (crate::path::Seg::Field(k) | crate::path::Seg::Key(k)) = seg;
        if let Some(p) = k.strip_prefix("oauth_") {
            keys.push(provider_ptr(p));
        }
    }
    keys
}

/// Whether the raw leaf `leaf` (a JSON pointer into `plapi/config.json`) is one [`view`] writes
/// for the curated setting `path` (a path pattern) — for `element`, one element of a set or one
/// member of a free-form object, when given: its raw field, or a member of it under the raw key
/// the setting's shape maps to (a duration's `seconds` is `duration_seconds`, session claims sit
/// under `claims`, the second factors `totp` and `backup_code` are per-factor `enabled` switches;
/// `phone_code` and `email_code` are read from `auth_phone`/`auth_email`, other settings' keys).
pub fn writes(path: &str, element: Option<&str>, leaf: &str) -> bool {
    let Some(m) = MAPPINGS
        .iter()
        .find(|m| m.file == PLATFORM_CONFIG.file && m.path == path && m.xf != Xf::Collection)
    else {
        return false;
    };
    let under = |rest: &str| {
        leaf.strip_prefix(m.ptr)
            .and_then(|r| r.strip_prefix(rest))
            .is_some_and(|r| r.is_empty() || r.starts_with('/'))
    };
    match (m.xf, element) {
        (Xf::Toggle, _) => under("/enabled") || under("/duration_seconds"),
        (Xf::SessionClaims, Some(claim)) => under(&format!("/claims/{}", escape(claim))),
        (Xf::SessionClaims, None) => under("/claims"),
        (Xf::PlapiSecondFactors, Some("totp")) => under("/authenticator_app/enabled"),
        (Xf::PlapiSecondFactors, Some("backup_code")) => under("/backup_code/enabled"),
        (Xf::PlapiSecondFactors, Some(_)) => false,
        (Xf::PlapiSecondFactors, None) => {
            under("/authenticator_app/enabled") || under("/backup_code/enabled")
        }
        _ => under(""),
    }
}

/// Raw objects whose keys are the owner's own (session claims), not Clerk's: a key the current
/// config has and the target lacks was added by the owner, never by Clerk since. JSON pointers.
pub fn free_form() -> impl Iterator<Item = String> {
    MAPPINGS
        .iter()
        .filter(|m| m.file == PLATFORM_CONFIG.file && m.xf == Xf::SessionClaims)
        .map(|m| format!("{}/claims", m.ptr))
}

/// The raw field (JSON pointer into `plapi/config.json`) a curated setting is written to, when
/// the Platform config carries it.
pub fn raw_field(path: &str) -> Option<&'static str> {
    MAPPINGS
        .iter()
        .find(|m| m.file == PLATFORM_CONFIG.file && m.path == path && m.xf != Xf::Collection)
        .map(|m| m.ptr)
}
