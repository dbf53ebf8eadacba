//! The posture trend of an audit: the headline numbers of earlier bundles (their
//! `findings.json`), oldest first, for the chart in `report.html`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::report::html::TrendPoint;

/// Where earlier bundles are found.
pub struct History<'a> {
    /// The directory of earlier bundles (`--history`, default: the parent of `--out`).
    pub dir: PathBuf,
    /// This run's bundle, never an earlier one.
    pub out: &'a Path,
    /// With `--all`: this instance's name and the whole run's directory; earlier bundles are
    /// then `HISTORY/*/NAME` (one period directory each).
    pub per_instance: Option<(&'a str, &'a Path)>,
}

/// `--history`, else the parent of `--out` (`.` when it has none).
pub fn default_dir(history: Option<&Path>, out: &Path) -> PathBuf {
    match history {
        Some(d) => d.to_path_buf(),
        None => match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        },
    }
}

/// Every bundle directory in the history with a `manifest.json` and a `findings.json`, oldest
/// first by period (else by name), one point per period: when two bundles are of the same period
/// (an audit run again), the later one (`run.created_at`) is the point. Unreadable or foreign directories are passed over, and so
/// are incomplete bundles (an interrupted audit's, still marked `INCOMPLETE`): their numbers
/// were never verified.
pub fn earlier(history: &History<'_>) -> Vec<TrendPoint> {
    let Ok(entries) = std::fs::read_dir(&history.dir) else {
        return Vec::new();
    };
    // Period → (run time, point).
    let mut points: BTreeMap<String, (String, TrendPoint)> = BTreeMap::new();
    for entry in entries.filter_map(std::result::Result::ok) {
        let mut path = entry.path();
        if let Some((name, this_run)) = history.per_instance {
            if path == this_run {
                continue;
            }
            path = path.join(name);
        }
        if !path.is_dir() || path == history.out || path.join(super::INCOMPLETE).exists() {
            continue;
        }
        let (Ok(manifest), Ok(findings)) = (
            std::fs::read_to_string(path.join(super::MANIFEST)),
            std::fs::read_to_string(path.join(super::bundle::FINDINGS)),
        ) else {
            continue;
        };
        let (Ok(manifest), Ok(findings)) = (
            serde_json::from_str::<serde_json::Value>(&manifest),
            serde_json::from_str::<serde_json::Value>(&findings),
        ) else {
            continue;
        };
        let label = manifest["run"]["period"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| entry.file_name().to_string_lossy().into_owned());
        let Some(point) = TrendPoint::from_findings(&label, &findings) else {
            continue;
        };
        let created_at = manifest["run"]["created_at"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if points
            .get(&label)
            .is_none_or(|(earlier, _)| *earlier <= created_at)
        {
            points.insert(label, (created_at, point));
        }
    }
    points.into_values().map(|(_, p)| p).collect()
}
