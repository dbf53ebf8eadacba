//! The commands: one file each, dispatched by [`run`]. This is the top of the one-way flow
//! (collect → normalize → (diff, evaluate) → report → evidence): each command resolves its
//! inputs (flags, clerk-drift.toml — read once per command —, the environment), calls the stages
//! in order, and returns an [`Outcome`] whose exit code comes from [`crate::exit`]. Commands never
//! print; `anyhow` is used here and nowhere below.
//!
//! Shared plumbing: [`current`] (the current snapshot: a file or a live pull, with attestations),
//! [`live`] (credentials and the pull), [`output`] (formats and destinations), [`fleet`] (`--all`),
//! [`saved_plan`] (`plan --save-plan`, `baseline accept --from-plan`).

mod audit;
mod auth;
mod baseline;
mod check;
mod current;
mod diff;
mod evidence;
mod fix;
mod fleet;
mod init;
mod live;
mod meta;
mod output;
mod plan;
mod policy;
mod preflight;
mod pull;
mod saved_plan;
mod snapshot;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, Result};

use crate::cli::{Command, FailOn, PolicyArgs, PolicySource};
use crate::config::{Config, Governance, Instance};
use crate::policy::load::{Evaluation, Judging, Layers};
use crate::policy::{Policy, Severity};
use crate::{Outcome, Ui, cli};

/// Runs one command.
/// An error of one instance of a fleet, as one block of the run's output: `error: …` (a rendered
/// diagnostic, from a policy or clerk-drift.toml, already says `error:`), as `main` prints one.
fn error_block(e: &anyhow::Error) -> String {
    let text = format!("{e:#}");
    if text.starts_with("error: ") {
        format!("{text}\n")
    } else {
        format!("error: {text}\n")
    }
}

pub fn run(cli: cli::Cli, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    match cli.command {
        Command::Init(args) => init::run(args, ui),
        Command::Pull(args) => pull::run(args, ui),
        Command::Auth(cmd) => auth::run(cmd, ui),
        Command::Snapshot(args) => snapshot::run(args, ui),
        Command::Diff(args) => diff::run(args),
        Command::Check(args) => check::run(args, ui),
        Command::Plan(args) => plan::run(args, ui),
        Command::Fix(args) => fix::run(&args),
        Command::Baseline(cmd) => baseline::run(cmd, ui),
        Command::Audit(args) => audit::run(*args, ui),
        Command::Policy(cmd) => policy::run(cmd),
        Command::Keygen { prefix } => evidence::keygen(&prefix),
        Command::Evidence(cli::EvidenceCommand::Verify { dir, pubkey }) => {
            evidence::verify(&dir, pubkey.as_deref())
        }
        Command::Completions { shell } => meta::completions(shell),
        Command::Man => meta::man(),
        Command::Schema => Ok(meta::schema()),
    }
}

/// The process environment, as `secrets` and the commands read it.
fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// clerk-drift.toml: `--config FILE`, else ./clerk-drift.toml when it exists. Each command reads
/// it once and hands it down.
fn discover_config(flag: Option<&Path>) -> Result<Option<Config>> {
    Ok(Config::discover(flag)?)
}

/// `[governance]` from clerk-drift.toml, else the defaults: the limits on waivers and
/// attestations, never taken from the files they limit.
fn governance(config: Option<&Config>) -> Governance {
    config.map(|c| c.governance).unwrap_or_default()
}

/// The baseline a command works on: `--baseline`, else the instance's `baseline`.
fn baseline_of(flag: Option<&Path>, instance: Option<&Instance>) -> Option<PathBuf> {
    flag.map(Path::to_path_buf)
        .or_else(|| instance.and_then(|i| i.baseline.clone()))
}

/// [`baseline_of`], for the commands that need one.
fn baseline_path(flag: Option<&Path>, instance: Option<&Instance>) -> Result<PathBuf> {
    baseline_of(flag, instance).context(
        "no baseline: pass --baseline FILE or set `baseline` for the instance in clerk-drift.toml",
    )
}

/// `[[ignore]]` from clerk-drift.toml, then `--ignore` globs.
fn ignore_rules(config: Option<&Config>, flags: &[String]) -> Result<Vec<crate::diff::IgnoreRule>> {
    let mut rules: Vec<crate::diff::IgnoreRule> =
        config.map(|c| c.ignore.clone()).unwrap_or_default();
    for glob in flags {
        if !crate::config::known_glob(glob) {
            anyhow::bail!(
                "--ignore `{glob}` matches no snapshot path: {}",
                crate::config::glob_help(glob)
            );
        }
        rules.push(
            crate::diff::IgnoreRule::new(glob, "--ignore")
                .map_err(|e| anyhow::anyhow!("--ignore `{glob}`: {e}"))?,
        );
    }
    Ok(rules)
}

/// Today's date (UTC) for waiver expiry; `CLERK_DRIFT_TODAY=YYYY-MM-DD` pins it (reproducible
/// runs and tests).
fn today() -> Result<jiff::civil::Date> {
    match process_env("CLERK_DRIFT_TODAY").filter(|t| !t.is_empty()) {
        Some(t) => t
            .parse()
            .with_context(|| format!("CLERK_DRIFT_TODAY=`{t}` is not a date (YYYY-MM-DD)")),
        None => Ok(jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()),
    }
}

/// The policy and waiver files layered on the pack, in order: the flags, else the instance's
/// `policy` and `waivers` from clerk-drift.toml.
fn policy_layers(source: &PolicySource, instance: Option<&Instance>) -> Layers {
    let mut files: Vec<PathBuf> = Vec::new();
    if source.policy.is_empty() {
        files.extend(instance.and_then(|i| i.policy.clone()));
    } else {
        files.extend(source.policy.iter().cloned());
    }
    if source.waivers.is_empty() {
        files.extend(instance.and_then(|i| i.waivers.clone()));
    } else {
        files.extend(source.waivers.iter().cloned());
    }
    Layers {
        builtin: !source.no_builtin,
        files,
    }
}

fn load_policy(source: &PolicySource, instance: Option<&Instance>) -> Result<Policy> {
    Ok(policy_layers(source, instance).load()?)
}

/// The gate: `--fail-on`, else the instance's `fail_on`, else high.
fn threshold(args: &PolicyArgs, instance: Option<&Instance>) -> Result<Option<Severity>> {
    let fail_on = match (args.fail_on, instance.and_then(|i| i.fail_on.as_deref())) {
        (Some(f), _) => f,
        (None, Some(f)) => <FailOn as clap::ValueEnum>::from_str(f, false)
            .map_err(|e| anyhow::anyhow!("clerk-drift.toml fail_on: {e}"))?,
        (None, None) => FailOn::High,
    };
    Ok(match fail_on {
        FailOn::Critical => Some(Severity::Critical),
        FailOn::High => Some(Severity::High),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::Low => Some(Severity::Low),
        FailOn::Info => Some(Severity::Info),
        FailOn::None => None,
    })
}

/// Loads the policy the flags and the instance name and judges `snapshot` with it, waivers held
/// to the `governance` horizon.
fn judge(
    args: &PolicyArgs,
    instance: Option<&Instance>,
    governance: Governance,
    snapshot: &crate::snapshot::Snapshot,
) -> Result<Evaluation> {
    judge_with(
        policy_layers(&args.source, instance),
        args,
        instance,
        governance,
        snapshot,
    )
}

/// [`judge`] with the given policy layers (a saved plan's) instead of the flags' and the
/// instance's; the gate and `require_observed` still come from `args` and the instance.
fn judge_with(
    layers: Layers,
    args: &PolicyArgs,
    instance: Option<&Instance>,
    governance: Governance,
    snapshot: &crate::snapshot::Snapshot,
) -> Result<Evaluation> {
    let mut policy = layers.load()?;
    policy.max_waiver_days = governance.max_waiver_days;
    let judging = Judging {
        today: today()?,
        threshold: threshold(args, instance)?,
        require_observed: args.require_observed
            || instance.and_then(|i| i.require_observed).unwrap_or(false),
    };
    Ok(crate::policy::load::judge(policy, snapshot, judging))
}

/// What a run found, for the exit code: the current data's completeness, the drift, and the
/// policy's gate and waivers. A setting the baseline observed that the current snapshot does
/// not is incomplete data (not drift); one observed now only is a coverage note.
fn found(
    incomplete: bool,
    drift: Option<&crate::diff::Drift>,
    policy: Option<(&Evaluation, &PolicyArgs)>,
) -> crate::exit::Found {
    crate::exit::Found {
        incomplete: incomplete || drift.is_some_and(crate::diff::Drift::is_incomplete),
        drift: drift.is_some_and(crate::diff::Drift::has_drift),
        violations: policy.is_some_and(|(e, _)| e.blocking() > 0),
        bad_waivers: policy.is_some_and(|(e, a)| e.review.is_bad(a.deny_unused_waivers)),
    }
}
