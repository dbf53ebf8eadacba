//! Canonical snapshot text and reading with precise errors. Writing is not done here: callers
//! write the canonical text with [`crate::fsx::write_atomic`].

use std::path::{Path as FsPath, PathBuf};

use super::model::Snapshot;
use super::schema::SCHEMA_VERSION;
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
        "{origin}: snapshot schema_version {found} is not supported (this clerk-drift reads {SCHEMA_VERSION})"
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

/// The canonical text: pretty JSON with sorted keys and a trailing newline. Equal snapshots
/// give equal bytes.
pub fn to_canonical(snapshot: &Snapshot) -> Result<String> {
    let mut text = serde_json::to_string_pretty(snapshot).map_err(Error::Serialize)?;
    text.push('\n');
    Ok(text)
}

/// Parses a snapshot file's text; `origin` names the file in errors.
pub fn from_text(text: &str, origin: &str) -> Result<Snapshot> {
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
        Some(v) if v == u64::from(SCHEMA_VERSION) => {}
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
