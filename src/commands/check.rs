//! `check [SNAPSHOT]`: evaluate the policy against a snapshot (or a live pull).

use std::sync::Arc;

use anyhow::Result;

use super::current::current;
use super::{discover_config, found, judge, output, preflight};
use crate::cli::CheckArgs;
use crate::{Outcome, Ui, report};

pub(super) fn run(args: CheckArgs, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    let config = discover_config(args.live.config.as_deref())?;
    // Cheap checks first: nothing is sent when an output or input is wrong.
    let instance = preflight::instance(config.as_ref(), &args.live, args.snapshot.is_some())?;
    let reads = preflight::reads(
        config.as_ref(),
        args.snapshot.as_deref(),
        None,
        &args.policy.source,
        &args.attest,
        instance.as_ref(),
    );
    output::check(&args.report, &[], &reads)?;
    preflight::inputs(
        &args.policy.source,
        &args.attest,
        instance.as_ref(),
        super::governance(config.as_ref()),
        None,
    )?;
    let current = current(
        args.snapshot.as_deref(),
        config.as_ref(),
        &args.live,
        &args.attest,
        ui,
    )?;
    let eval = judge(
        &args.policy,
        current.instance.as_ref(),
        current.governance,
        &current.snapshot,
    )?;
    let code = found(current.incomplete, None, Some((&eval, &args.policy))).code();
    let mut text = String::new();
    report::text::render_evaluation(&mut text, &eval, args.policy.verbose);
    output::emit(
        text,
        &report::Report {
            command: "check",
            current: &current.label,
            baseline: None,
            snapshot: &current.snapshot,
            drift: None,
            baseline_snapshot: None,
            policy: Some((&eval.policy, &eval.findings, &eval.review)),
            exit_code: code,
        },
        (
            current.instance.as_ref().map(|i| i.name.as_str()),
            config.as_ref().map(|c| c.path.as_path()),
        ),
        &args.report,
    )
}
