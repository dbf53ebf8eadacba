//! `diff BASELINE CURRENT`: the semantic diff of two snapshots, with `[[ignore]]` and `--ignore`.

use anyhow::Result;

use super::{discover_config, found, ignore_rules, output};
use crate::cli::DiffArgs;
use crate::{Outcome, report, snapshot};

pub(super) fn run(args: DiffArgs) -> Result<Outcome> {
    output::check(&args.report)?;
    let baseline = snapshot::io::load(&args.baseline)?;
    let current = snapshot::io::load(&args.current)?;
    let mut drift = crate::diff::diff(&baseline, &current);
    let config = discover_config(args.config.as_deref())?;
    drift.ignore(&ignore_rules(config.as_ref(), &args.ignore)?);
    let code = found(false, Some(&drift), None).code();
    let mut text = String::new();
    report::text::render_drift(&mut text, &drift, &current);
    output::emit(
        text,
        &report::Report {
            command: "diff",
            current: &args.current.display().to_string(),
            baseline: Some(&args.baseline.display().to_string()),
            snapshot: &current,
            drift: Some(&drift),
            baseline_snapshot: Some(&baseline),
            policy: None,
            exit_code: code,
        },
        None,
        &args.report,
    )
}
