//! `baseline accept | log | verify`: the audited baseline lifecycle — accept the current
//! configuration (or some paths of it) with who, when and why, and show or verify the hash chain.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Result, bail};

use super::current::current;
use super::{baseline_path, discover_config, judge, process_env};
use crate::cli::{BaselineAcceptArgs, BaselineCommand, BaselineFileArgs};
use crate::{Outcome, Ui, baseline, exit, report};

pub(super) fn run(cmd: BaselineCommand, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    match cmd {
        BaselineCommand::Accept(a) => accept(&a, ui),
        BaselineCommand::Log(a) => log(&a),
        BaselineCommand::Verify(a) => verify(&a),
    }
}

fn accept(a: &BaselineAcceptArgs, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    let config = discover_config(a.live.config.as_deref())?;
    let current = current(
        a.snapshot.as_deref(),
        config.as_ref(),
        &a.live,
        &a.attest,
        ui,
    )?;
    if current.incomplete {
        bail!("the pull was incomplete: a baseline must not be accepted from partial data");
    }
    let path = baseline_path(a.baseline.as_deref(), current.instance.as_ref())?;
    let by =
        a.by.clone()
            .or_else(|| process_env("USER").filter(|u| !u.is_empty()))
            .unwrap_or_else(|| "unknown".to_owned());
    let done = baseline::accept(
        &path,
        &current.snapshot,
        &a.paths,
        &by,
        &a.reason,
        jiff::Timestamp::now(),
    )?;
    // Never hide an active violation: show what the accepted configuration still fails.
    let eval = judge(
        &a.policy,
        current.instance.as_ref(),
        current.governance,
        &done.snapshot,
    )?;
    let failing: Vec<_> = eval.failing().collect();
    let mut out = String::new();
    report::text::render_accepted(
        &mut out,
        &current.label,
        &path,
        &done,
        (&by, &a.reason),
        &failing,
    );
    Ok(Outcome {
        stdout: out,
        code: exit::CLEAN,
        styled: true,
    })
}

/// The baseline `log` and `verify` work on (`--baseline`, else the instance's), and its chain.
fn chain_of(a: &BaselineFileArgs) -> Result<(PathBuf, Vec<baseline::Link>)> {
    let path = match &a.baseline {
        Some(f) => f.clone(),
        None => {
            let config = discover_config(a.config.as_deref())?;
            let instance = match &config {
                Some(c) => c.instance(a.instance.as_deref())?,
                None => None,
            };
            baseline_path(None, instance)?
        }
    };
    let links = baseline::chain(&path)?;
    Ok((path, links))
}

fn log(a: &BaselineFileArgs) -> Result<Outcome> {
    let (_, links) = chain_of(a)?;
    let mut out = String::new();
    report::text::render_log(&mut out, &links);
    let broken = links.iter().any(|l| l.problem.is_some());
    Ok(Outcome {
        stdout: out,
        code: if broken { exit::ERROR } else { exit::CLEAN },
        styled: false,
    })
}

fn verify(a: &BaselineFileArgs) -> Result<Outcome> {
    let (path, links) = chain_of(a)?;
    let problems: Vec<String> = links
        .iter()
        .filter_map(|l| {
            l.problem
                .as_ref()
                .map(|p| format!("{}: {p}", l.file.display()))
        })
        .collect();
    if !problems.is_empty() {
        bail!(
            "{}: the baseline history is broken:\n  - {}",
            path.display(),
            problems.join("\n  - ")
        )
    }
    Ok(Outcome {
        stdout: format!(
            "ok: {} — {} link(s), unbroken\n",
            path.display(),
            links.len()
        ),
        code: exit::CLEAN,
        styled: false,
    })
}
