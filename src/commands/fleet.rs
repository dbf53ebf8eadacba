//! `--all`: the instances of clerk-drift.toml a fleet command runs over, after refusing the flags
//! that name a single instance's inputs. `plan --all` and `audit --all` share it.

use std::path::Path;

use anyhow::{Result, bail};

use super::discover_config;
use crate::cli::LiveArgs;
use crate::config::Config;

/// Refuses flags that name one instance's inputs: each instance of `--all` has its own pull and
/// baseline. `verb` says what the command does to each ("plans", "audits").
pub(super) fn refuse_single(
    verb: &str,
    snapshot: bool,
    baseline: bool,
    live: &LiveArgs,
) -> Result<()> {
    if snapshot || baseline || live.instance.is_some() {
        bail!(
            "--all {verb} every instance of clerk-drift.toml from its own pull and baseline: drop --snapshot, --baseline and --instance"
        );
    }
    Ok(())
}

/// clerk-drift.toml and its instance names, in name order; an error without any.
pub(super) fn instances(config: Option<&Path>) -> Result<(Config, Vec<String>)> {
    let Some(config) = discover_config(config)? else {
        bail!("--all needs a clerk-drift.toml with [instances.NAME] tables");
    };
    let names: Vec<String> = config.instances.keys().cloned().collect();
    if names.is_empty() {
        bail!(
            "{} defines no [instances.NAME] table",
            config.path.display()
        );
    }
    Ok((config, names))
}
