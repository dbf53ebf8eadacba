//! Recordings: a directory of raw Clerk API responses, one JSON file per endpoint of the
//! [`endpoints`] table, in the layout other tools and tests depend on. Every file is optional.
//! List endpoints hold all pages merged into one array, or Clerk's `{"data": [...],
//! "total_count": N}` envelope. A live pull builds one in memory; `snapshot --from-dir` loads one.
//!
//! The stage between the collector (`clerk`) and the normalizer (`snapshot`): it imports
//! neither. It reads and writes files and checks JSON syntax and the body's outer shape only;
//! what the JSON means is `snapshot::normalize`'s business.

pub mod endpoints;
pub mod raw;

use std::collections::BTreeMap;
use std::path::{Path as FsPath, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

pub use endpoints::{Endpoint, Feature, LAYOUT, Paging, Source};
pub use raw::{FieldStr, RawList, RawPage, entry_string};

use crate::jsonx::{error_message, type_name};

/// Errors reading a recording.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("recording directory {0} does not exist or is not a directory")]
    NotADirectory(PathBuf),
    #[error(
        "{0} holds no recorded responses (expected files such as fapi/environment.json, bapi/instance.json, plapi/config.json)"
    )]
    Empty(PathBuf),
    #[error("reading {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: invalid JSON: {message}")]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Manifest { path: PathBuf, message: String },
    #[error(
        "{0} exists and is not a recording (no recording.json) nor empty: refusing to replace it"
    )]
    NotARecording(PathBuf),
    #[error("{path}: `$`: expected {expected}, found {found}")]
    Shape {
        path: PathBuf,
        expected: &'static str,
        found: &'static str,
    },
}

/// Object keys whose string values are secrets: the collector replaces them before anything else
/// sees the body, so they reach neither a recording nor a snapshot (presence survives: `""`
/// stays empty), and the normalizer reduces them to `present`/`absent`. A `match` rather than a
/// list scan: it runs on every key of every response.
pub fn is_secret_key(key: &str) -> bool {
    matches!(
        key,
        "client_secret"
            | "secret"
            | "secret_key"
            | "secret_keys"
            | "signing_key"
            | "private_key"
            | "token"
            | "token_secret"
            | "access_token"
            | "id_token"
            | "refresh_token"
    )
}

/// The optional manifest of a recording directory, written by `pull --record`.
pub const MANIFEST: &str = "recording.json";

/// Raw responses by endpoint file. Built from a directory here, or in memory by a live pull.
#[derive(Debug, Clone, Default)]
pub struct Recording {
    /// Endpoint file → body. List bodies are always a plain array.
    bodies: BTreeMap<&'static str, Body>,
    /// Endpoint file → why it holds no body (a feature off or not on the plan, no credential, a
    /// failed read).
    /// Coverage quotes these reasons.
    pub unavailable: BTreeMap<&'static str, String>,
    /// Endpoint file → the answer that showed a feature off or not on the plan (a subset of
    /// `unavailable`'s files): what the normalizer turns into facts.
    pub disabled: BTreeMap<&'static str, Disabled>,
    /// UTC time of the live pull that made this recording.
    pub collected_at: Option<String>,
    /// Where the recording came from, for messages (`examples/acme-prod/`).
    pub origin: String,
}

/// Clerk's answer that a feature is off (`403 organization_not_enabled_in_instance`) or not on
/// the instance's plan (`402`, `403 unsupported_subscription_plan_features`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disabled {
    /// The feature Clerk's error or the endpoint names; absent when neither names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature: Option<Feature>,
    /// The HTTP status (402 or 403).
    pub status: u16,
    /// Clerk's error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// The error code of a `403` for a feature the plan lacks.
pub const PLAN_CODE: &str = "unsupported_subscription_plan_features";

impl Disabled {
    /// Not on the plan (`402`, or `403 unsupported_subscription_plan_features`), rather than
    /// switched off.
    pub fn not_on_plan(&self) -> bool {
        self.status == 402 || self.code.as_deref() == Some(PLAN_CODE)
    }

    /// Clerk's answer proves the feature is switched off on the instance: only the code that
    /// says exactly that (`organization_not_enabled_in_instance` for Organizations). A generic
    /// `feature_not_enabled`, or a code about a sub-feature (verified domains), proves nothing
    /// about the feature's own switch.
    pub fn proves_off(&self, feature: Feature) -> bool {
        let proof = match feature {
            Feature::Organizations => Some("organization_not_enabled_in_instance"),
            _ => None,
        };
        self.feature == Some(feature)
            && !self.not_on_plan()
            && proof.is_some_and(|p| self.code.as_deref() == Some(p))
    }
}

/// `recording.json`: what a live pull knew beyond the bodies.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    recorded_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    collected_at: Option<String>,
    /// Layout file → why it is absent.
    #[serde(default)]
    unavailable: BTreeMap<String, String>,
    /// Layout file → the feature answer behind its `unavailable` reason (additive: older
    /// manifests have none).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    disabled: BTreeMap<String, Disabled>,
}

/// One body of a recording.
#[derive(Debug, Clone)]
enum Body {
    Json(Value),
    /// A list a live pull read, kept as raw JSON text (secrets already redacted): building
    /// `Value`s for 12,000 allowlist entries costs more than the round trip that fetched them,
    /// and a snapshot needs one field of each ([`Recording::strings`]). Parsed into `parsed` the
    /// first time something asks for the whole list.
    Entries {
        list: RawList,
        parsed: OnceLock<Value>,
    },
}

impl Body {
    fn value(&self) -> &Value {
        match self {
            Body::Json(v) => v,
            Body::Entries { list, parsed } => parsed.get_or_init(|| list.to_value()),
        }
    }
}
impl Recording {
    /// An empty recording; `origin` names it in messages.
    pub fn new(origin: impl Into<String>) -> Self {
        Recording {
            origin: origin.into(),
            ..Recording::default()
        }
    }

    /// Whether `file` holds a body (without parsing a raw list).
    pub fn has(&self, file: &str) -> bool {
        self.bodies.contains_key(file)
    }

    pub fn get(&self, file: &str) -> Option<&Value> {
        self.bodies.get(file).map(Body::value)
    }

    /// A body to edit in place (the fuzzer's mutations).
    #[cfg(feature = "fuzzing")]
    pub fn get_mut(&mut self, file: &str) -> Option<&mut Value> {
        let body = self.bodies.get_mut(file)?;
        if let Body::Entries { list, .. } = body {
            *body = Body::Json(list.to_value());
        }
        match body {
            Body::Json(v) => Some(v),
            Body::Entries { .. } => None,
        }
    }

    /// The layout files that hold a body.
    pub fn files(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.bodies.keys().copied()
    }

    /// Drops a body (the fuzzer's mutations).
    #[cfg(feature = "fuzzing")]
    pub fn remove(&mut self, file: &str) {
        self.bodies.remove(file);
    }

    /// The string field `name` of every entry of list `file`, in order, when the list was kept
    /// as raw entries: `None` otherwise. `Err(i)`: entry `i` is not an object or its field
    /// is neither a string nor null (the caller reports it from `get`).
    pub fn strings(&self, file: &str, name: &str) -> Option<Result<Vec<Option<String>>, usize>> {
        let Some(Body::Entries { list, .. }) = self.bodies.get(file) else {
            return None;
        };
        Some(list.strings(name))
    }

    /// The raw text of each entry of list `file`, when the list was kept as raw entries (a live
    /// pull's): `None` otherwise.
    pub fn raw_entries(&self, file: &str) -> Option<impl Iterator<Item = &str>> {
        match self.bodies.get(file) {
            Some(Body::Entries { list, .. }) => Some(list.iter()),
            _ => None,
        }
    }

    /// Stores the entries of a list a live pull read, as raw JSON text.
    pub fn insert_entries(&mut self, endpoint: &Endpoint, list: RawList) {
        self.bodies.insert(
            endpoint.file,
            Body::Entries {
                list,
                parsed: OnceLock::new(),
            },
        );
    }

    /// Inserts a body, unwrapping a list envelope.
    pub fn insert(
        &mut self,
        endpoint: &Endpoint,
        body: Value,
        origin: &FsPath,
    ) -> Result<(), Error> {
        let body = if endpoint.is_list() {
            unwrap_list(body).map_err(|found| Error::Shape {
                path: origin.to_path_buf(),
                expected: "an array or a {\"data\": [...], \"total_count\": N} object",
                found,
            })?
        } else {
            if !body.is_object() {
                return Err(Error::Shape {
                    path: origin.to_path_buf(),
                    expected: "an object",
                    found: type_name(&body),
                });
            }
            body
        };
        self.bodies.insert(endpoint.file, Body::Json(body));
        Ok(())
    }

    /// Reads every layout file present under `dir`.
    pub fn load(dir: &FsPath) -> Result<Self, Error> {
        if !dir.is_dir() {
            return Err(Error::NotADirectory(dir.to_path_buf()));
        }
        let mut rec = Recording {
            origin: dir.display().to_string(),
            ..Recording::default()
        };
        for endpoint in LAYOUT {
            let path = dir.join(endpoint.file);
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => return Err(Error::Io { path, source }),
            };
            let body: Value = serde_json::from_str(&text).map_err(|e| Error::Json {
                path: path.clone(),
                line: e.line(),
                column: e.column(),
                message: error_message(&e),
            })?;
            rec.insert(endpoint, body, &path)?;
        }
        let manifest_path = dir.join(MANIFEST);
        match std::fs::read_to_string(&manifest_path) {
            Ok(text) => rec.apply_manifest(&text, &manifest_path)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(Error::Io {
                    path: manifest_path,
                    source,
                });
            }
        }
        if rec.bodies.is_empty() {
            return Err(Error::Empty(dir.to_path_buf()));
        }
        Ok(rec)
    }

    fn apply_manifest(&mut self, text: &str, path: &FsPath) -> Result<(), Error> {
        let manifest: Manifest = serde_json::from_str(text).map_err(|e| Error::Json {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: error_message(&e),
        })?;
        self.collected_at = manifest.collected_at;
        let layout_file = |key: &str, file: &str| {
            endpoints::by_file(file).ok_or_else(|| Error::Manifest {
                path: path.to_path_buf(),
                message: format!("`$.{key}` names `{file}`, which is not a layout file"),
            })
        };
        for (file, why) in manifest.unavailable {
            let endpoint = layout_file("unavailable", &file)?;
            if !self.bodies.contains_key(endpoint.file) {
                self.unavailable.insert(endpoint.file, why);
            }
        }
        for (file, disabled) in manifest.disabled {
            let endpoint = layout_file("disabled", &file)?;
            if !self.bodies.contains_key(endpoint.file) {
                self.disabled.insert(endpoint.file, disabled);
            }
        }
        Ok(())
    }

    /// Writes the recording to `dir` in the layout, with its manifest. All or nothing: the files
    /// are written to a sibling temporary directory that then replaces `dir`.
    pub fn write(&self, dir: &FsPath) -> Result<(), Error> {
        let io = |e: crate::fsx::Error| {
            let (path, source) = e.into_parts();
            Error::Io { path, source }
        };
        refuse_existing(dir)?;
        let staged = crate::fsx::StagedDir::create(dir, "recording", &[]).map_err(io)?;
        for (file, body) in &self.bodies {
            let mut text = serde_json::to_string_pretty(body.value()).unwrap_or_default();
            text.push('\n');
            staged.write(file, text.as_bytes()).map_err(io)?;
        }
        let manifest = Manifest {
            recorded_by: concat!("clerk-drift ", env!("CARGO_PKG_VERSION")).to_owned(),
            collected_at: self.collected_at.clone(),
            unavailable: self
                .unavailable
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            disabled: self
                .disabled
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
        text.push('\n');
        staged.write(MANIFEST, text.as_bytes()).map_err(io)?;
        // Swap in: move any previous recording aside, rename, then drop the old one.
        staged
            .swap_into(dir, crate::fsx::Existing::Replace)
            .map_err(io)
    }
}

/// Only an empty directory or an earlier recording may be replaced by `--record`.
/// Refuses a `--record` directory that exists and is not a recording nor empty: checked again by
/// [`Recording::write`], and by `pull` before it sends a request.
pub fn refuse_existing(dir: &FsPath) -> Result<(), Error> {
    if dir.exists() && !is_replaceable(dir) {
        return Err(Error::NotARecording(dir.to_path_buf()));
    }
    Ok(())
}

fn is_replaceable(dir: &FsPath) -> bool {
    dir.is_dir()
        && (dir.join(MANIFEST).is_file()
            || std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none()))
}

fn unwrap_list(body: Value) -> Result<Value, &'static str> {
    match body {
        Value::Array(_) => Ok(body),
        Value::Object(mut map) => match map.remove("data") {
            Some(data @ Value::Array(_)) => Ok(data),
            Some(other) => Err(type_name(&other)),
            None => Err("an object without `data`"),
        },
        other => Err(type_name(&other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(entries: &[String]) -> RawPage {
        let text = format!("[{}]", entries.join(","));
        let mut places = Vec::new();
        let mut start = 1;
        for e in entries {
            places.push(start..start + e.len());
            start += e.len() + 1;
        }
        RawPage::new(text.into(), places)
    }

    #[test]
    fn long_lists_read_in_order_on_two_threads() {
        let entry = |i: usize| format!(r#"{{"id": "e{i}", "url": "u{i}"}}"#);
        let pages: Vec<Vec<String>> = (0..9)
            .map(|p| (p * 500..(p + 1) * 500).map(entry).collect())
            .collect();
        let endpoint = &endpoints::REDIRECT_URLS;
        let mut rec = Recording::new("test");
        rec.insert_entries(
            endpoint,
            RawList::new(pages.iter().map(|p| page(p)).collect()),
        );
        let want: Vec<Option<String>> = (0..4500).map(|i| Some(format!("u{i}"))).collect();
        assert_eq!(rec.strings(endpoint.file, "url"), Some(Ok(want)));
        // The first bad entry, counted across pages, wherever it is.
        for bad in [3, 4321] {
            let mut broken = pages.clone();
            broken[bad / 500][bad % 500] = r#"{"url": 1}"#.into();
            rec.insert_entries(
                endpoint,
                RawList::new(broken.iter().map(|p| page(p)).collect()),
            );
            assert_eq!(rec.strings(endpoint.file, "url"), Some(Err(bad)));
        }
    }

    #[test]
    fn the_manifest_keeps_feature_answers_and_older_manifests_still_load() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut rec = Recording::new("test");
        rec.insert(
            &endpoints::INSTANCE,
            serde_json::json!({"id": "ins_1"}),
            FsPath::new("x"),
        )
        .expect("object");
        let roles = endpoints::ORGANIZATION_ROLES.file;
        rec.unavailable
            .insert(roles, "Organizations are not enabled".into());
        let off = Disabled {
            feature: Some(Feature::Organizations),
            status: 403,
            code: Some("organization_not_enabled_in_instance".into()),
        };
        rec.disabled.insert(roles, off.clone());
        rec.write(&dir.path().join("rec")).expect("written");
        let text = std::fs::read_to_string(dir.path().join("rec").join(MANIFEST)).expect("read");
        assert!(text.contains(r#""feature": "organizations""#), "{text}");
        let back = Recording::load(&dir.path().join("rec")).expect("loads");
        assert_eq!(back.disabled.get(roles), Some(&off));
        assert!(off.proves_off(Feature::Organizations));
        assert!(!off.proves_off(Feature::EnterpriseSso));
        let generic = Disabled {
            code: Some("feature_not_enabled".into()),
            ..off.clone()
        };
        assert!(!generic.proves_off(Feature::Organizations));
        let plan = Disabled { status: 402, ..off };
        assert!(plan.not_on_plan() && !plan.proves_off(Feature::Organizations));

        // A manifest written before `disabled` existed.
        std::fs::write(
            dir.path().join("rec").join(MANIFEST),
            r#"{"recorded_by": "clerk-drift 0.1.0", "unavailable": {"bapi/organization_roles.json": "402"}}"#,
        )
        .expect("write");
        let old = Recording::load(&dir.path().join("rec")).expect("loads");
        assert!(old.disabled.is_empty());
        assert_eq!(old.unavailable.get(roles).map(String::as_str), Some("402"));
    }

    #[test]
    fn raw_entries_read_as_a_parsed_list() {
        let entries = [
            r#"{"url": "a://cb", "n": 1.5e300}"#,
            r#"{"url": null}"#,
            "7",
        ];
        let mut rec = Recording::new("test");
        let endpoint = &endpoints::REDIRECT_URLS;
        let entries = entries.map(String::from);
        rec.insert_entries(endpoint, RawList::new(vec![page(&entries)]));
        let list: Value = serde_json::from_str(&format!("[{}]", entries.join(","))).expect("JSON");
        assert_eq!(rec.get(endpoint.file), Some(&list));
        assert_eq!(rec.strings(endpoint.file, "url"), Some(Err(2)));
        assert_eq!(rec.strings("bapi/instance.json", "url"), None);
        assert_eq!(rec.get_mut(endpoint.file), Some(&mut list.clone()));
        assert_eq!(rec.files().collect::<Vec<_>>(), [endpoint.file]);
    }
}
