//! `baseline accept | log | verify`: the audited baseline lifecycle — accept the current
//! configuration (or some paths of it, or what a saved plan saw) with who, when and why, and show
//! or verify the hash chain.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, Result, bail};

use super::current::{Current, current};
use super::{baseline_path, discover_config, judge_with, policy_layers, process_env};
use crate::cli::{BaselineAcceptArgs, BaselineCommand, BaselineFileArgs};
use crate::policy::load::Layers;
use crate::{Outcome, Ui, baseline, exit, report};

pub(super) fn run(cmd: BaselineCommand, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    match cmd {
        BaselineCommand::Accept(a) => accept(&a, ui),
        BaselineCommand::Log(a) => log(&a),
        BaselineCommand::Verify(a) => verify(&a),
    }
}

fn accept(a: &BaselineAcceptArgs, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    if let Some(plan) = &a.from_plan {
        return accept_plan(a, plan, ui);
    }
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
    let by = who(a.by.as_deref())?;
    let prepared = baseline::prepare(
        &path,
        &current.snapshot,
        &a.paths,
        &by,
        &a.reason,
        jiff::Timestamp::now(),
    )?;
    let layers = policy_layers(&a.policy.source, current.instance.as_ref());
    finish(a, &current, &path, prepared, &by, layers)
}

/// `--from-plan FILE`: the saved plan's snapshot into the plan's baseline, offline (no pull, no
/// credential, no request), judged with the plan's policy layers.
fn accept_plan(
    a: &BaselineAcceptArgs,
    file: &std::path::Path,
    ui: &Arc<dyn Ui>,
) -> Result<Outcome> {
    let config = discover_config(a.live.config.as_deref())?;
    let (plan, path, layers) = super::saved_plan::open(file, a.baseline.as_deref(), ui)?;
    let instance = super::preflight::instance(config.as_ref(), &a.live, true)?;
    let by = who(a.by.as_deref())?;
    let prepared = match baseline::prepare(
        &path,
        &plan.snapshot,
        &[],
        &by,
        &a.reason,
        jiff::Timestamp::now(),
    ) {
        Err(baseline::Error::NothingToAccept { .. }) => bail!(
            "nothing to accept: the plan {} found no change from the baseline {}; nothing was written",
            file.display(),
            path.display()
        ),
        other => other?,
    };
    let current = Current {
        label: format!(
            "the snapshot of the saved plan {} ({}, saved {})",
            file.display(),
            plan.current,
            plan.created_at
        ),
        snapshot: plan.snapshot,
        instance,
        incomplete: false,
        calls: serde_json::Value::Null,
        governance: super::governance(config.as_ref()),
    };
    finish(a, &current, &path, prepared, &by, layers)
}

/// Judges the prepared baseline with `layers` and writes it, or refuses it under `--fail-on`.
fn finish(
    a: &BaselineAcceptArgs,
    current: &Current,
    path: &std::path::Path,
    prepared: baseline::Prepared,
    by: &str,
    layers: Layers,
) -> Result<Outcome> {
    let path = path.to_path_buf();
    // Never hide an active violation: show what the accepted configuration still fails; with
    // `--fail-on`, refuse a baseline with violations at or above it (exit bit 4), unwritten.
    let eval = judge_with(
        layers,
        &a.policy,
        current.instance.as_ref(),
        current.governance,
        &prepared.snapshot,
    )?;
    let failing: Vec<_> = eval.failing().collect();
    let mut out = String::new();
    if a.policy.fail_on.is_some()
        && let Some(threshold) = eval.threshold.filter(|_| eval.blocking() > 0)
    {
        report::text::render_refused(
            &mut out,
            &current.label,
            &path,
            (eval.blocking(), threshold),
            &failing,
        );
        return Ok(Outcome {
            stdout: out,
            code: exit::Found {
                violations: true,
                ..exit::Found::default()
            }
            .code(),
            styled: true,
        });
    }
    let done = prepared.write()?;
    report::text::render_accepted(
        &mut out,
        &current.label,
        &path,
        &done,
        (by, &a.reason),
        &failing,
    );
    Ok(Outcome {
        stdout: out,
        code: exit::CLEAN,
        styled: true,
    })
}

/// Who accepts: `--by`, else the CI actor (`GITHUB_ACTOR`, `GITLAB_USER_LOGIN`), else git's
/// `user.email` (the repository's, else the global one), else the OS user (`id -un`, then
/// `$USER` / `$USERNAME`). An error, never "unknown", when none of them is known.
pub(super) fn who(flag: Option<&str>) -> Result<String> {
    if let Some(by) = flag {
        if by.trim().is_empty() {
            bail!("--by is empty: name who accepts this baseline");
        }
        return Ok(by.trim().to_owned());
    }
    let env = |name: &str| {
        process_env(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let output = |program: &str, args: &[&str]| {
        std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    env("GITHUB_ACTOR")
        .or_else(|| env("GITLAB_USER_LOGIN"))
        .or_else(|| output("git", &["config", "--get", "user.email"]))
        .or_else(|| output("id", &["-un"]))
        .or_else(|| env("USER"))
        .or_else(|| env("USERNAME"))
        .context("cannot tell who accepts this baseline (no GITHUB_ACTOR, GITLAB_USER_LOGIN, git user.email or OS user): pass --by NAME")
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
