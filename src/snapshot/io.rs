//! Canonical snapshot text and reading with precise errors. Writing is not done here: callers
//! write the canonical text with [`crate::fsx::write_atomic`].

use std::path::Path as FsPath;

use anyhow::{Context, Result, bail};

use super::model::Snapshot;
use super::recording::{Recording, json_error_message};
use super::schema::SCHEMA_VERSION;

/// The canonical text: pretty JSON with sorted keys and a trailing newline. Equal snapshots
/// give equal bytes.
pub fn to_canonical(snapshot: &Snapshot) -> Result<String> {
    let mut text = serde_json::to_string_pretty(snapshot).context("serializing snapshot")?;
    text.push('\n');
    Ok(text)
}

/// Parses a snapshot file's text; `origin` names the file in errors.
pub fn from_text(text: &str, origin: &str) -> Result<Snapshot> {
    let version: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        anyhow::anyhow!(
            "{origin}:{}:{}: invalid JSON: {}",
            e.line(),
            e.column(),
            json_error_message(&e)
        )
    })?;
    match version
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(v) if v == u64::from(SCHEMA_VERSION) => {}
        Some(v) => bail!(
            "{origin}: snapshot schema_version {v} is not supported (this clerk-drift reads {SCHEMA_VERSION})"
        ),
        None => bail!("{origin}: `$.schema_version` missing: not a clerk-drift snapshot"),
    }
    serde_json::from_str(text).map_err(|e| {
        anyhow::anyhow!(
            "{origin}:{}:{}: {}",
            e.line(),
            e.column(),
            json_error_message(&e)
        )
    })
}

/// Reads a snapshot file, or normalizes a recording directory.
pub fn load(path: &FsPath) -> Result<Snapshot> {
    if path.is_dir() {
        let rec = Recording::load(path)?;
        return Ok(super::normalize(&rec)?);
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    from_text(&text, &path.display().to_string())
}
