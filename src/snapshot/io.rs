//! Canonical snapshot text, reading with precise errors, and atomic writes (temp file in the
//! target directory, then rename) so that no half-written snapshot or baseline is ever left.

use std::io::Write;
use std::path::Path as FsPath;

use anyhow::{Context, Result, bail};

use super::model::Snapshot;
use super::schema::SCHEMA_VERSION;
use crate::jsonx::error_message;
use crate::recording::Recording;

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
            error_message(&e)
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
            error_message(&e)
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

/// Writes `contents` to `path` atomically.
pub fn write_atomic(path: &FsPath, contents: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => FsPath::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".clerk-drift-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.write_all(contents)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("replacing {}", path.display()))?;
    // Make the rename itself durable (a crash after this returns keeps the new file).
    sync_dir(dir);
    Ok(())
}

/// Creates `path` (which must not exist) readable and writable by its owner only, writes `bytes`
/// and flushes them to disk. For files inside a directory that is renamed into place afterwards.
pub fn write_private(path: &FsPath, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes renames and removals in `dir` durable (best effort: not every filesystem allows it).
pub fn sync_dir(dir: &FsPath) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}
