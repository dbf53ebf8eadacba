//! Saved plans on the command line: `plan --save-plan FILE` writes one (the document is
//! `baseline::saved`'s), `baseline accept --from-plan FILE` accepts the snapshot it holds, offline
//! — no pull, no credential, no request — into the baseline it was planned against (found from
//! the plan file, or named by `--baseline` with the same SHA-256), judged with the policy layers
//! the plan was judged with, and refuses it when that baseline changed since or when the plan
//! did not observe everything the baseline holds (exit 1).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Result, bail};

use super::current::Current;
use super::{policy_layers, preflight};
use crate::baseline::saved::{FileHash, SavedPlan};
use crate::cli::PlanArgs;
use crate::diff::ChangeKind;
use crate::policy::load::Layers;
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
        baseline: FileHash::of(baseline)?.located(path),
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
            .map(|f| FileHash::of(f).map(|h| h.located(&self.path)))
            .collect::<Result<Vec<_>, _>>()?;
        // Lost coverage that makes the plan incomplete (exit 1), not a feature switched off.
        let not_observed = drift
            .changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Unobserved && !drift.switched_off.contains(&c.path))
            .map(|c| c.path.to_string())
            .collect();
        let now = jiff::Timestamp::now();
        let plan = SavedPlan {
            current: current.label.clone(),
            snapshot: current.snapshot.clone(),
            baseline: self.baseline,
            builtin_policy: layers.builtin,
            policy,
            incomplete: current.incomplete,
            not_observed,
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

/// How many settings an error names before `and N more`.
const NAMED: usize = 10;

/// `baseline accept --from-plan FILE`'s checks: the plan read and checked; not from an
/// incomplete pull nor with settings it no longer observed (exit 1); its baseline found (from
/// the plan file, else absolute, else as given; `--baseline` names another file only when it has
/// the plan's SHA-256) and unchanged since; its policy layers found. A layer changed since is a
/// warning (the plan does not hold its old text: it judges with the layer as it is now). Returns
/// the plan, the baseline to accept it into and the policy layers to judge it with.
pub(super) fn open(
    file: &Path,
    baseline_flag: Option<&Path>,
    ui: &Arc<dyn Ui>,
) -> Result<(SavedPlan, PathBuf, Layers)> {
    let plan = SavedPlan::read(file)?;
    refuse_incomplete(&plan, file)?;
    let path = baseline_of(&plan, file, baseline_flag)?;
    plan.check_fresh(file, &path)?;
    let mut files = Vec::new();
    for layer in &plan.policy {
        let Some(found) = layer.find(file) else {
            bail!(
                "{}: the policy layer {} the plan was judged with was not found (looked for {}); nothing was written: accept from the directory the plan ran in, or plan again",
                file.display(),
                layer.path.display(),
                looked_for(layer, file)
            );
        };
        let now = FileHash::of(&found)?;
        if now.sha256 != layer.sha256 {
            ui.warn(&format!(
                "the policy layer {} changed since the plan was saved (SHA-256 then {}, now {}): the plan does not hold its text then, so the findings below are judged with it as it is now",
                found.display(),
                baseline::short(&layer.sha256),
                baseline::short(&now.sha256)
            ));
        }
        files.push(found);
    }
    let layers = Layers {
        builtin: plan.builtin_policy,
        files,
    };
    Ok((plan, path, layers))
}

/// Refuses a plan from an incomplete pull (`--allow-partial`), or one that exited 1 because it
/// no longer observed settings the baseline holds: accepting either would drop those settings
/// from the baseline.
fn refuse_incomplete(plan: &SavedPlan, file: &Path) -> Result<()> {
    let again = "plan again with the credentials (and APIs) that observe them; a plan saved with --allow-partial is refused as well. To drop settings from the baseline on purpose, accept them by name: `clerk-drift baseline accept --snapshot FILE --path GLOB --reason …`";
    if plan.incomplete {
        bail!(
            "{}: the plan's pull was incomplete (--allow-partial): a baseline must not be accepted from partial data; nothing was written: {again}",
            file.display()
        );
    }
    if plan.exit_code & crate::exit::ERROR == 0 {
        return Ok(());
    }
    let names = &plan.not_observed;
    let listed = if names.is_empty() {
        String::new()
    } else {
        let more = names.len().saturating_sub(NAMED);
        format!(
            ": {} setting(s) the baseline observed were not observed: {}{}",
            names.len(),
            names[..names.len().min(NAMED)].join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        )
    };
    bail!(
        "{}: the plan exited 1 (incomplete data){listed}; accepting it would drop them from the baseline, so nothing was written: {again}",
        file.display()
    )
}

/// The candidates a recorded file was looked for at, for an error.
fn looked_for(recorded: &FileHash, file: &Path) -> String {
    recorded
        .candidates(file)
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The baseline to accept into: the plan's (found from the plan file), or `--baseline` — the
/// same file, or another with the plan's SHA-256 (a copy, a checkout elsewhere).
fn baseline_of(plan: &SavedPlan, file: &Path, flag: Option<&Path>) -> Result<PathBuf> {
    let recorded = &plan.baseline;
    let found = recorded.find(file);
    let Some(given) = flag else {
        return found.ok_or_else(|| {
            anyhow::anyhow!(
                "{}: the baseline the plan was made against was not found: recorded as {} (looked for {}); nothing was written: accept from the directory the plan ran in, or pass --baseline PATH to name it (accepted when its SHA-256 is the plan's, {})",
                file.display(),
                recorded.path.display(),
                looked_for(recorded, file),
                baseline::short(&recorded.sha256)
            )
        });
    };
    if found.as_deref().is_some_and(|f| same_file(given, f)) {
        return Ok(given.to_path_buf());
    }
    let now = FileHash::of(given)?;
    if now.sha256 != recorded.sha256 {
        bail!(
            "--baseline {}: not the baseline the plan {} was made against ({}): its SHA-256 is {}, the plan's baseline's {}; nothing was written: name that file (or one with the same content), or plan again against this one",
            given.display(),
            file.display(),
            recorded.path.display(),
            now.sha256,
            recorded.sha256
        );
    }
    Ok(given.to_path_buf())
}
