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
    /// This run's instance: its id (`run.instance_id`) and its name (`run.instance`). Only
    /// bundles of the same instance are points of its trend.
    pub instance_id: Option<&'a str>,
    pub instance: Option<&'a str>,
}

/// Whether an earlier bundle's `run` is of this run's instance: the same `instance_id`; when
/// either lacks one, the same instance name (both absent counts as the same).
fn same_instance(history: &History<'_>, run: &serde_json::Value) -> bool {
    match (history.instance_id, run["instance_id"].as_str()) {
        (Some(a), Some(b)) => a == b,
        _ => history.instance == run["instance"].as_str(),
    }
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

/// Every bundle directory in the history of this run's instance (see [`History::instance_id`])
/// with a `manifest.json` and a `findings.json`, oldest first by `run.created_at`, one point per
/// period (else bundle name): when two bundles are of the same period (an audit run again), the
/// later one is the point. Unreadable or foreign directories are passed over, and so are
/// incomplete bundles (an interrupted audit's, still marked `INCOMPLETE`): their numbers were
/// never verified.
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
        if !same_instance(history, &manifest["run"]) {
            continue;
        }
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
    let mut points: Vec<_> = points.into_values().collect();
    points.sort_by(|(a, pa), (b, pb)| a.cmp(b).then_with(|| pa.label.cmp(&pb.label)));
    points.into_iter().map(|(_, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An earlier bundle `dir/name` of `instance` (`id`), created at `at`, with `fails` critical
    /// failures.
    fn bundle(dir: &Path, name: &str, run: serde_json::Value, fails: usize) {
        let b = dir.join(name);
        std::fs::create_dir_all(&b).expect("mkdir");
        std::fs::write(
            b.join(super::super::MANIFEST),
            serde_json::json!({ "run": run }).to_string(),
        )
        .expect("manifest");
        let findings: Vec<_> = (0..fails)
            .map(|_| serde_json::json!({"status": "fail", "severity": "critical"}))
            .collect();
        std::fs::write(
            b.join(super::super::bundle::FINDINGS),
            serde_json::json!({ "findings": findings }).to_string(),
        )
        .expect("findings");
    }

    fn labels(points: &[TrendPoint]) -> Vec<(&str, usize)> {
        points
            .iter()
            .map(|p| (p.label.as_str(), p.failures[0]))
            .collect()
    }

    #[test]
    fn only_bundles_of_the_same_instance_are_points_oldest_first_by_run_time() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let d = tmp.path();
        let run = |id: Option<&str>, name: &str, at: &str| serde_json::json!({"instance_id": id, "instance": name, "created_at": at});
        // Names that sort the other way round from their run times.
        bundle(
            d,
            "x2",
            run(Some("ins_1"), "prod", "2026-01-01T00:00:00Z"),
            1,
        );
        bundle(
            d,
            "x1",
            run(Some("ins_1"), "prod", "2026-02-01T00:00:00Z"),
            2,
        );
        // Another instance under the same name, and a same-named one without an id.
        bundle(
            d,
            "a0",
            run(Some("ins_2"), "prod", "2026-01-15T00:00:00Z"),
            3,
        );
        bundle(d, "b0", run(None, "prod", "2026-01-20T00:00:00Z"), 4);
        bundle(d, "c0", run(None, "staging", "2026-01-21T00:00:00Z"), 5);
        let out = d.join("this");
        let history = |id, name| History {
            dir: d.to_path_buf(),
            out: &out,
            per_instance: None,
            instance_id: id,
            instance: name,
        };
        let points = earlier(&history(Some("ins_1"), Some("prod")));
        // ins_2 is another instance; b0 lacks an id, so its name decides: prod.
        assert_eq!(labels(&points), [("x2", 1), ("b0", 4), ("x1", 2)]);
        // Without an id of its own, the name decides for every bundle.
        let points = earlier(&history(None, Some("staging")));
        assert_eq!(labels(&points), [("c0", 5)]);
    }
}
