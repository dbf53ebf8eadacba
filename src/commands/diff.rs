//! `diff BASELINE CURRENT`: the semantic diff of two snapshots, with `[[ignore]]` and `--ignore`.

use anyhow::Result;

use super::{discover_config, found, ignore_rules, output};
use crate::cli::DiffArgs;
use crate::{Outcome, report, snapshot};

pub(super) fn run(args: DiffArgs) -> Result<Outcome> {
    let config = discover_config(args.config.as_deref())?;
    let mut reads = vec![
        ("baseline".to_owned(), args.baseline.clone()),
        ("snapshot".to_owned(), args.current.clone()),
    ];
    reads.extend(
        config
            .as_ref()
            .map(|c| ("configuration".to_owned(), c.path.clone())),
    );
    output::check(&args.report, &[], &reads)?;
    let baseline = snapshot::io::load(&args.baseline)?;
    let current = snapshot::io::load(&args.current)?;
    let mut drift = crate::diff::diff(&baseline, &current);
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
        (None, config.as_ref().map(|c| c.path.as_path())),
        &args.report,
    )
}
