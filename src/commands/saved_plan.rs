//! Saved plans on the command line: `plan --save-plan FILE` writes one (the document is
//! `baseline::saved`'s), `baseline accept --from-plan FILE` accepts the snapshot it holds, offline
//! — no pull, no credential, no request — into the baseline it was planned against, and refuses
//! it when that baseline changed since.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Result, bail};

use super::current::Current;
use super::{policy_layers, preflight};
use crate::baseline::saved::{FileHash, SavedPlan};
use crate::cli::PlanArgs;
use crate::{Ui, baseline, diff};

/// A `--save-plan` checked before any request: the destination, and the baseline as it is now
/// (the plan diffs against it).
pub(super) struct Saving {
    path: PathBuf,
    baseline: FileHash,
}

/// Checks `--save-plan FILE` (none: nothing to do) before the pull: a file to write, and a
/// baseline file (not a recording directory) to accept into later.
pub(super) fn prepare(save: Option<&Path>, baseline: &Path) -> Result<Option<Saving>> {
    let Some(path) = save else {
        return Ok(None);
    };
    preflight::output_file(path, "--save-plan")?;
    if baseline.is_dir() {
        bail!(
            "--save-plan needs a baseline file to accept the plan into; {} is a recording directory (make a baseline file with `clerk-drift baseline accept --snapshot {} --baseline FILE --reason …`)",
            baseline.display(),
            baseline.display()
        );
    }
    Ok(Some(Saving {
        path: path.to_path_buf(),
        baseline: FileHash::of(baseline)?,
    }))
}

impl Saving {
    /// Writes the saved plan (atomically).
    pub(super) fn save(
        self,
        args: &PlanArgs,
        current: &Current,
        drift: &diff::Drift,
        exit_code: u8,
    ) -> Result<()> {
        let layers = policy_layers(&args.policy.source, current.instance.as_ref());
        let policy = layers
            .files
            .iter()
            .map(|f| FileHash::of(f))
            .collect::<Result<Vec<_>, _>>()?;
        let now = jiff::Timestamp::now();
        let plan = SavedPlan {
            current: current.label.clone(),
            snapshot: current.snapshot.clone(),
            baseline: self.baseline,
            builtin_policy: layers.builtin,
            policy,
            incomplete: current.incomplete,
            exit_code,
            created_at: now.round(jiff::Unit::Second).unwrap_or(now).to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        };
        crate::fsx::write_atomic(&self.path, plan.to_text(drift)?.as_bytes())?;
        Ok(())
    }
}

/// Whether two paths name the same file (as given, when one cannot be resolved).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// `baseline accept --from-plan FILE`'s checks: the plan read and checked, not from an incomplete
/// pull, and its baseline (`--baseline` may only name the same file) unchanged since; a policy
/// layer changed since is a warning. Returns the plan and the baseline to accept it into.
pub(super) fn open(
    file: &Path,
    baseline_flag: Option<&Path>,
    ui: &Arc<dyn Ui>,
) -> Result<(SavedPlan, PathBuf)> {
    let plan = SavedPlan::read(file)?;
    if plan.incomplete {
        bail!(
            "{}: the plan's pull was incomplete: a baseline must not be accepted from partial data",
            file.display()
        );
    }
    let path = match baseline_flag {
        Some(given) if !same_file(given, &plan.baseline.path) => bail!(
            "--baseline {}: the plan {} was made against {}; accept it into that baseline (leave --baseline out), or plan again against this one",
            given.display(),
            file.display(),
            plan.baseline.path.display()
        ),
        _ => plan.baseline.path.clone(),
    };
    plan.check_fresh(file, &path)?;
    for layer in &plan.policy {
        match FileHash::of(&layer.path) {
            Ok(now) if now.sha256 == layer.sha256 => {}
            Ok(now) => ui.warn(&format!(
                "the policy layer {} changed since the plan was saved (SHA-256 then {}, now {}): the findings below are judged with it as it is now",
                layer.path.display(),
                baseline::short(&layer.sha256),
                baseline::short(&now.sha256)
            )),
            Err(e) => ui.warn(&format!(
                "the policy layer {} the plan used cannot be read now: {e}",
                layer.path.display()
            )),
        }
    }
    Ok((plan, path))
}
