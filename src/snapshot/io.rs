//! Canonical snapshot text and reading with precise errors, and the migration of older
//! `schema_version`s on load (docs/snapshot.md, "Versions"). Writing is not done here: callers
//! write the canonical text with [`crate::fsx::write_atomic`].

use std::path::{Path as FsPath, PathBuf};

use serde_json::Value;

use super::model::{Snapshot, Unobserved};
use super::schema::{ADDED_IN_V2, ADDED_IN_V3, CHANGED_IN_V2, SCHEMA_VERSION};
use crate::jsonx::error_message;
use crate::recording::Recording;

/// A snapshot that could not be read or written; every message names the file (and the line
/// and column in it, for bad JSON).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("serializing snapshot")]
    Serialize(#[source] serde_json::Error),
    #[error("{origin}:{line}:{column}: invalid JSON: {message}")]
    InvalidJson {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{origin}: snapshot schema_version {found} is not supported (this clerk-drift reads {OLDEST_READ} to {SCHEMA_VERSION})"
    )]
    Version { origin: String, found: u64 },
    #[error("{origin}: `$.schema_version` missing: not a clerk-drift snapshot")]
    NotASnapshot { origin: String },
    /// Valid JSON that is not a snapshot of this schema.
    #[error("{origin}:{line}:{column}: {message}")]
    Shape {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("reading {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Recording(#[from] crate::recording::Error),
    #[error(transparent)]
    Normalize(#[from] super::normalize::Error),
}

type Result<T> = std::result::Result<T, Error>;

/// The oldest `schema_version` still read (and migrated on load).
pub const OLDEST_READ: u32 = 1;

/// The canonical text: pretty JSON with sorted keys and a trailing newline. Equal snapshots
/// give equal bytes.
pub fn to_canonical(snapshot: &Snapshot) -> Result<String> {
    let mut text = serde_json::to_string_pretty(snapshot).map_err(Error::Serialize)?;
    text.push('\n');
    Ok(text)
}

/// Parses a snapshot file's text and brings an older `schema_version` up to the current one;
/// `origin` names the file in errors.
pub fn from_text(text: &str, origin: &str) -> Result<Snapshot> {
    let mut snap = from_text_as_written(text, origin)?;
    migrate(&mut snap);
    Ok(snap)
}

/// Brings an older snapshot up to the current `schema_version`, one version at a time: the
/// paths each later version added are marked unobserved, naming the version the snapshot has,
/// so that their current values show as newly observed (not drift) until a baseline accept
/// adopts them.
fn migrate(snap: &mut Snapshot) {
    let written = snap.schema_version;
    if written < SCHEMA_VERSION {
        snap.migrated_from = Some(written);
    }
    if written < 2 {
        migrate_v1(snap);
    }
    for (version, added) in [(2, ADDED_IN_V2), (3, ADDED_IN_V3)] {
        if written >= version {
            continue;
        }
        for path in added {
            let ptr = format!("/{}", path.replace('.', "/"));
            if snap.settings.pointer(&ptr).is_none() {
                snap.coverage.unobserved.push(Unobserved {
                    path: (*path).to_owned(),
                    reason: format!("not observed by schema_version {written}: this snapshot's version did not read it (see docs/snapshot.md, Versions)"),
                });
            }
        }
    }
    snap.schema_version = SCHEMA_VERSION;
}

/// Schema_version 1 → 2. Values whose meaning changed are dropped and listed as unobserved
/// with the reason, so the current value shows as newly observed (not drift) until a baseline
/// accept adopts it (the paths 2 added are marked by [`migrate`]). Values whose reading was corrected, not changed, are read the new way:
/// a minimum password length of 0 is Clerk's floor of 8, and the CAPTCHA widget type is null
/// while CAPTCHA is off.
fn migrate_v1(snap: &mut Snapshot) {
    for path in CHANGED_IN_V2 {
        let (parent, leaf) = path.rsplit_once('.').unwrap_or(("", path));
        let ptr = format!("/{}", parent.replace('.', "/"));
        let removed = snap
            .settings
            .pointer_mut(&ptr)
            .and_then(Value::as_object_mut)
            .and_then(|o| o.remove(leaf));
        snap.provenance.remove(*path);
        snap.conflicts.retain(|c| c.path != *path);
        if removed.is_some() {
            snap.coverage.unobserved.push(Unobserved {
                path: (*path).to_owned(),
                reason: "not comparable: this snapshot has schema_version 1, which stored it with another meaning (see docs/snapshot.md, Versions)".to_owned(),
            });
        }
    }
    if let Some(n) = snap.settings.pointer_mut("/password/min_length")
        && n.as_i64() == Some(0)
    {
        *n = Value::from(8);
    }
    if snap.settings.pointer("/sign_up/captcha/enabled") == Some(&Value::Bool(false))
        && let Some(w) = snap.settings.pointer_mut("/sign_up/captcha/widget_type")
    {
        *w = Value::Null;
    }
    if snap.settings.pointer("/organizations/domains/enabled") == Some(&Value::Bool(false)) {
        if let Some(m) = snap
            .settings
            .pointer_mut("/organizations/domains/enrollment_modes")
        {
            *m = Value::Array(Vec::new());
        }
        if let Some(r) = snap
            .settings
            .pointer_mut("/organizations/domains/default_role")
        {
            *r = Value::Null;
        }
    }
}

/// Parses a snapshot file's text as written, without migrating an older `schema_version`:
/// what the hash of an acceptance record was computed over.
pub fn from_text_as_written(text: &str, origin: &str) -> Result<Snapshot> {
    let version: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Error::InvalidJson {
            origin: origin.to_owned(),
            line: e.line(),
            column: e.column(),
            message: error_message(&e),
        })?;
    match version
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(v) if (u64::from(OLDEST_READ)..=u64::from(SCHEMA_VERSION)).contains(&v) => {}
        Some(found) => {
            return Err(Error::Version {
                origin: origin.to_owned(),
                found,
            });
        }
        None => {
            return Err(Error::NotASnapshot {
                origin: origin.to_owned(),
            });
        }
    }
    serde_json::from_str(text).map_err(|e| Error::Shape {
        origin: origin.to_owned(),
        line: e.line(),
        column: e.column(),
        message: error_message(&e),
    })
}

/// Reads a snapshot file, or normalizes a recording directory.
pub fn load(path: &FsPath) -> Result<Snapshot> {
    if path.is_dir() {
        let rec = Recording::load(path)?;
        return Ok(super::normalize(&rec)?);
    }
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    from_text(&text, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::path::Path;

    fn v1() -> String {
        json!({
            "schema_version": 1,
            "settings": {
                "attack_protection": {"enumeration_protection": true, "pii_protection": true},
                "password": {"min_length": 0},
                "sign_up": {"captcha": {"enabled": false, "widget_type": "smart"}},
                "mfa": {"factors": ["totp"]},
                "organizations": {"domains": {"enabled": false,
                    "enrollment_modes": ["manual_invitation"], "default_role": "org:member"}}
            },
            "provenance": {"attack_protection": "fapi", "attack_protection.enumeration_protection": "plapi"},
            "conflicts": [{"path": "attack_protection.enumeration_protection", "chosen": "plapi",
                           "values": {"fapi": true, "plapi": true}}]
        })
        .to_string()
    }

    #[test]
    fn a_v1_snapshot_loads_without_the_values_whose_meaning_changed() {
        let s = from_text(&v1(), "old.json").expect("v1 still loads");
        assert_eq!(s.schema_version, SCHEMA_VERSION);
        let path = Path::parse("attack_protection.enumeration_protection").expect("path");
        assert_eq!(
            s.get(&path),
            None,
            "the boolean is dropped, not read as a mode"
        );
        assert!(
            s.unobserved_reason(&path)
                .is_some_and(|r| r.contains("schema_version 1")),
            "{:?}",
            s.coverage.unobserved
        );
        assert!(
            !s.provenance
                .contains_key("attack_protection.enumeration_protection")
        );
        assert!(s.conflicts.is_empty());
        // Untouched neighbours, and readings that were corrected rather than changed.
        assert_eq!(
            s.settings["attack_protection"]["pii_protection"],
            json!(true)
        );
        assert_eq!(s.settings["password"]["min_length"], json!(8));
        assert_eq!(s.settings["sign_up"]["captcha"]["widget_type"], Value::Null);
        let domains = &s.settings["organizations"]["domains"];
        assert_eq!(
            (&domains["enrollment_modes"], &domains["default_role"]),
            (&json!([]), &Value::Null),
            "verified-domain settings are empty while verified domains are off"
        );
        // The v1 factor set counted fewer blocks: not comparable, dropped.
        let factors = Path::parse("mfa.factors").expect("path");
        assert_eq!(s.get(&factors), None);
        assert!(s.unobserved_reason(&factors).is_some());
        // Paths v2 added are unobserved, not absent.
        for added in ADDED_IN_V2 {
            let path = Path::parse(added).expect("path");
            assert!(s.unobserved_reason(&path).is_some(), "{added}");
        }
    }

    #[test]
    fn as_written_keeps_the_old_version_for_hashing() {
        let s = from_text_as_written(&v1(), "old.json").expect("parses");
        assert_eq!(s.schema_version, 1);
        assert_eq!(
            s.settings["attack_protection"]["enumeration_protection"],
            json!(true)
        );
    }

    #[test]
    fn a_newer_version_is_refused_with_the_range_read() {
        let text = json!({"schema_version": SCHEMA_VERSION + 1, "settings": {}, "provenance": {}})
            .to_string();
        let err = from_text(&text, "new.json").expect_err("refused");
        assert_eq!(
            err.to_string(),
            format!(
                "new.json: snapshot schema_version {} is not supported (this clerk-drift reads 1 to {SCHEMA_VERSION})",
                SCHEMA_VERSION + 1
            )
        );
    }
}
