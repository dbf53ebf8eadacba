//! `plan`: the CI view — drift from the baseline, with the rules each change breaks; the
//! findings; a one-line verdict. `plan --all` plans every instance of clerk-drift.toml.

use std::collections::BTreeSet;
use std::sync::Arc;

use anyhow::Result;

use super::current::Current;
use super::current::current;
use super::{baseline_path, discover_config, fleet, found, ignore_rules, judge, output, preflight};
use crate::cli::{PlanArgs, PolicyArgs};
use crate::config::Config;
use crate::policy::load::Evaluation;
use crate::policy::{Finding, Status};
use crate::snapshot::Snapshot;
use crate::{Outcome, Ui, diff, exit, report};

pub(super) fn run(args: PlanArgs, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    if args.all {
        return all(&args, ui);
    }
    let config = discover_config(args.live.config.as_deref())?;
    let save: Vec<(String, &std::path::Path)> = args
        .save_plan
        .iter()
        .map(|p| (format!("--save-plan {}", p.display()), p.as_path()))
        .collect();
    output::check(&args.report, &save, &reads(&args, config.as_ref())?)?;
    let ready = prepare(&args, config.as_ref())?;
    let saving = super::saved_plan::prepare(args.save_plan.as_deref(), &ready.baseline_path)?;
    let planned = plan(&args, config.as_ref(), ready, ui)?;
    if let Some(saving) = saving {
        saving.save(&args, &planned.current, &planned.drift, planned.code)?;
    }
    let instance = planned.current.instance.as_ref().map(|i| i.name.as_str());
    output::emit(
        planned.text(&args.policy),
        &planned.report(),
        (instance, config.as_ref().map(|c| c.path.as_path())),
        &args.report,
    )
}

/// One plan's results: the current snapshot against its baseline, judged.
struct Planned {
    current: Current,
    baseline_label: String,
    baseline: Snapshot,
    eval: Evaluation,
    drift: diff::Drift,
    code: u8,
}

/// What a plan reads besides the current snapshot, loaded and validated before any request:
/// the baseline (required), the policy layers and the attestations.
struct Ready {
    baseline_path: std::path::PathBuf,
    baseline: Snapshot,
}

/// Cheap checks first: the baseline, policy and attestations of one plan.
fn prepare(args: &PlanArgs, config: Option<&Config>) -> Result<Ready> {
    let instance = preflight::instance(config, &args.live, args.snapshot.is_some())?;
    let baseline_path = baseline_path(args.baseline.as_deref(), instance.as_ref())?;
    let baseline = preflight::inputs(
        &args.policy.source,
        &args.attest,
        instance.as_ref(),
        super::governance(config),
        Some(&baseline_path),
    )?
    .ok_or_else(|| anyhow::anyhow!("no baseline"))?;
    Ok(Ready {
        baseline_path,
        baseline,
    })
}

/// The files one plan reads (an output may name none of them).
fn reads(args: &PlanArgs, config: Option<&Config>) -> Result<Vec<(String, std::path::PathBuf)>> {
    let instance = preflight::instance(config, &args.live, args.snapshot.is_some())?;
    let baseline = baseline_path(args.baseline.as_deref(), instance.as_ref())?;
    Ok(preflight::reads(
        config,
        args.snapshot.as_deref(),
        Some(&baseline),
        &args.policy.source,
        &args.attest,
        instance.as_ref(),
    ))
}

/// One plan: the current snapshot (file or live) against the baseline, and its exit code.
fn plan(
    args: &PlanArgs,
    config: Option<&Config>,
    ready: Ready,
    ui: &Arc<dyn Ui>,
) -> Result<Planned> {
    let current = current(
        args.snapshot.as_deref(),
        config,
        &args.live,
        &args.attest,
        ui,
    )?;
    let Ready {
        baseline_path,
        baseline,
    } = ready;
    let eval = judge(
        &args.policy,
        current.instance.as_ref(),
        current.governance,
        &current.snapshot,
    )?;
    let mut drift = diff::diff(&baseline, &current.snapshot);
    drift.ignore(&ignore_rules(config, &args.ignore)?);
    let code = found(
        current.incomplete,
        Some(&drift),
        Some((&eval, &args.policy)),
    )
    .code();
    Ok(Planned {
        current,
        baseline_label: baseline_path.display().to_string(),
        baseline,
        eval,
        drift,
        code,
    })
}

impl Planned {
    fn report(&self) -> report::Report<'_> {
        report::Report {
            command: "plan",
            current: &self.current.label,
            baseline: Some(&self.baseline_label),
            snapshot: &self.current.snapshot,
            drift: Some(&self.drift),
            baseline_snapshot: Some(&self.baseline),
            policy: Some((&self.eval.policy, &self.eval.findings, &self.eval.review)),
            exit_code: self.code,
        }
    }

    /// The human plan: header, drift (with the rules each change breaks), findings, verdict.
    fn text(&self, args: &PolicyArgs) -> String {
        let (eval, drift) = (&self.eval, &self.drift);
        let mut out = format!(
            "Plan: {} (current) against {} (baseline)\n\n",
            self.current.label, self.baseline_label
        );
        // Under each drifted setting: the findings that fail now but did not in the baseline.
        let failed_before: BTreeSet<(String, String)> =
            crate::policy::evaluate(&eval.policy, &self.baseline)
                .into_iter()
                .filter(|f| f.status == Status::Fail)
                .map(|f| (f.rule_id, f.target))
                .collect();
        let newly_failing: Vec<Finding> = eval
            .findings
            .iter()
            .filter(|f| !failed_before.contains(&(f.rule_id.clone(), f.target.clone())))
            .cloned()
            .collect();
        report::text::render_drift_with(&mut out, drift, &self.current.snapshot, &newly_failing);
        out.push('\n');
        report::text::render_evaluation(&mut out, eval, args.verbose);
        if drift.has_drift() {
            // One hint: the command that writes the fix (a live pull is saved first: fix never pulls).
            let (pull, current) = if self.current.calls.is_null() {
                (String::new(), super::fix::shell_quote(&self.current.label))
            } else {
                (
                    "clerk-drift pull -o CURRENT.json, then ".to_owned(),
                    "CURRENT.json".to_owned(),
                )
            };
            out.push_str(&format!("\nTo restore the baseline: {pull}clerk-drift fix --snapshot {current} --baseline {} -o patch.json (sends nothing; docs/fix.md)\n", super::fix::shell_quote(&self.baseline_label)));
        }
        report::text::render_verdict(
            &mut out,
            drift,
            &eval.findings,
            &report::text::verdict(drift, eval, args.deny_unused_waivers, self.code),
        );
        out
    }
}

/// `plan --all`: every instance of clerk-drift.toml, pulled concurrently (at most 4 at a time),
/// one section each, in name order; the exit code combines theirs (1 if any failed to run).
fn all(args: &PlanArgs, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    fleet::refuse_single(
        "plans",
        args.snapshot.is_some(),
        args.baseline.is_some(),
        &args.live,
    )?;
    let (config, names) = fleet::instances(args.live.config.as_deref())?;
    let mut all_reads = Vec::new();
    for name in &names {
        // An instance whose baseline is not set is that instance's error, reported below.
        all_reads.extend(reads(&args.clone_for(name), Some(&config)).unwrap_or_default());
    }
    output::check(&args.report, &[], &all_reads)?;
    // Cheap checks first, for every instance before any pull: an instance whose inputs are wrong
    // is an error without a request.
    let ready: Vec<(String, Result<Ready>)> = names
        .iter()
        .map(|name| (name.clone(), prepare(&args.clone_for(name), Some(&config))))
        .collect();
    let mut results: Vec<(String, Result<Planned>)> = Vec::new();
    let mut pending = ready.into_iter().peekable();
    while pending.peek().is_some() {
        let chunk: Vec<(String, Result<Ready>)> = pending.by_ref().take(4).collect();
        let done: Vec<(String, Result<Planned>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunk
                .into_iter()
                .map(|(name, ready)| {
                    let one = args.clone_for(&name);
                    let (ui, config) = (ui.clone(), &config);
                    #[cfg(feature = "fuzzing")]
                    let task = name.clone();
                    let handle = scope.spawn(move || {
                        #[cfg(feature = "fuzzing")]
                        crate::clerk::fault("plan", &task);
                        ready.and_then(|r| plan(&one, Some(config), r, &ui))
                    });
                    (name, handle)
                })
                .collect();
            // A plan that panicked is an error of its instance, never a missing section.
            handles
                .into_iter()
                .map(|(name, h)| {
                    let r = h.join().unwrap_or_else(|panic| {
                        Err(anyhow::anyhow!(
                            "planning instance `{name}` failed unexpectedly ({}): its result is unknown",
                            panic_text(panic.as_ref())
                        ))
                    });
                    (name, r)
                })
                .collect()
        });
        results.extend(done);
    }
    let code = exit::combine(
        results
            .iter()
            .map(|(_, r)| r.as_ref().map_or(exit::ERROR, |p| p.code)),
    );
    // Every output of the run from these results: each instance's human text and report.
    let parts: Vec<fleet::Part<'_>> = results
        .iter()
        .map(|(name, r)| {
            let part = r.as_ref().map(|p| (p.text(&args.policy), p.report()));
            (name.as_str(), part)
        })
        .collect();
    output::deliver(code, &args.report, |format, fit| {
        Ok(fleet::render(format, &parts, code, fit, Some(&config.path)))
    })
}

/// What a panic said, for the error that replaces its result.
pub(super) fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned())
}
