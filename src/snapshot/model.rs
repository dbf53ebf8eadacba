//! The normalized snapshot document (schema_version 3): settings, per-leaf provenance, source
//! disagreements, coverage, which observed objects are keyed lists, and a `meta` block for
//! volatile data that is never compared.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::path::{Path, Seg};

/// Where a value was observed. Declaration order is authority order, least first:
/// the Platform config outranks the Backend API, which outranks the Frontend API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Stated by a person in an attestations file (facts no API exposes); never outranks an
    /// observation.
    Attested,
    /// Documented by Clerk as fixed, not configurable (session token lifetime, cookie SameSite).
    ClerkFixed,
    /// Frontend API `GET /v1/environment` (public).
    Fapi,
    /// Backend API (secret key).
    Bapi,
    /// Platform API instance config (`clerk config pull`).
    Plapi,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Attested => "attested",
            Source::ClerkFixed => "clerk-fixed",
            Source::Fapi => "fapi",
            Source::Bapi => "bapi",
            Source::Plapi => "plapi",
        }
    }
}

/// Two sources that reported different values for one path; `chosen` is the one kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    pub path: String,
    pub chosen: Source,
    pub values: BTreeMap<Source, Value>,
}

/// A path that no source reported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unobserved {
    pub path: String,
    pub reason: String,
}

/// What was and was not observed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Each source with the recording files it was read from (empty: not observed at all).
    pub sources: BTreeMap<Source, Vec<String>>,
    pub unobserved: Vec<Unobserved>,
}

/// Volatile data kept out of the compared body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// UTC time of a live pull; absent for a snapshot of a recording, so that normalizing the
    /// same recording twice gives the same bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<String>,
    /// The Platform config's optimistic-concurrency version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_version: Option<String>,
    /// Ids and timestamps of collection entries, keyed by the entry's path.
    #[serde(default)]
    pub items: BTreeMap<String, Value>,
}

/// A normalized snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub schema_version: u32,
    /// The compared body: an object tree whose paths are listed in `snapshot::schema`.
    pub settings: Value,
    /// Source of every leaf: the entry for the longest recorded prefix of a path applies.
    pub provenance: BTreeMap<String, Source>,
    #[serde(default)]
    pub conflicts: Vec<Conflict>,
    #[serde(default)]
    pub coverage: Coverage,
    /// Patterns (`[*]` for a key) of the `observed.…` objects that were lists, keyed by identity:
    /// the diff names their entries `[key]`, other observed objects' members `.field`.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub keyed: BTreeSet<String>,
    #[serde(default)]
    pub meta: Meta,
    /// Set on a baseline by `baseline accept`: who accepted it, when, why, and the hash chain.
    /// Never compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Acceptance>,
    /// The `schema_version` an older file was written with, when it was migrated on load (not
    /// part of the document): its conflicts were never compared and are not compared now.
    #[serde(skip)]
    pub migrated_from: Option<u32>,
}

/// The acceptance record of a baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    pub by: String,
    /// UTC, RFC 3339.
    pub at: String,
    pub reason: String,
    /// Path globs accepted from the current snapshot (`--path`); absent: all of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<String>>,
    /// SHA-256 of the canonical text of this snapshot with `accepted` removed: detects hand edits.
    pub content_sha256: String,
    /// SHA-256 of the baseline file this one replaced (kept in `history/`); absent for the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_sha256: Option<String>,
}

impl Snapshot {
    /// The value at a path, if observed.
    pub fn get(&self, path: &Path) -> Option<&Value> {
        lookup(&self.settings, path)
    }

    /// The source that reported a path (longest recorded prefix).
    pub fn source_of(&self, path: &Path) -> Option<Source> {
        (0..=path.0.len())
            .rev()
            .find_map(|n| self.provenance.get(&Path(path.0[..n].to_vec()).to_string()))
            .copied()
    }

    /// Why a path was not observed, if coverage says so.
    pub fn unobserved_reason(&self, path: &Path) -> Option<&str> {
        let pattern = Path::parse(&path.pattern()).ok();
        self.coverage.unobserved.iter().find_map(|u| {
            let at = Path::parse(&u.path).ok()?;
            let hit = path.starts_with(&at)
                || at.starts_with(path)
                || pattern.as_ref().is_some_and(|p| p.starts_with(&at));
            hit.then_some(u.reason.as_str())
        })
    }
}

/// Follows a path through nested objects; keys and fields are both object keys.
pub fn lookup<'a>(root: &'a Value, path: &Path) -> Option<&'a Value> {
    path.0.iter().try_fold(root, |v, seg| match seg {
        Seg::Field(k) | Seg::Key(k) => v.as_object()?.get(k),
    })
}

#[cfg(test)]
impl Snapshot {
    /// A snapshot for unit tests: `settings`, with `unobserved` paths listed in coverage.
    pub fn for_test(settings: Value, unobserved: &[&str]) -> Snapshot {
        Snapshot {
            schema_version: crate::snapshot::schema::SCHEMA_VERSION,
            settings,
            provenance: BTreeMap::new(),
            conflicts: Vec::new(),
            coverage: Coverage {
                sources: BTreeMap::new(),
                unobserved: unobserved
                    .iter()
                    .map(|p| Unobserved {
                        path: (*p).to_owned(),
                        reason: format!("no source for {p}"),
                    })
                    .collect(),
            },
            keyed: BTreeSet::new(),
            meta: Meta::default(),
            accepted: None,
            migrated_from: None,
        }
    }
}
