//! Cheap checks first: every output, input and setting a command can check on the local disk is
//! checked before its live pull sends a request — a report destination that is a directory, an
//! audit bundle that exists, a baseline, policy or attestations file that is missing or invalid —
//! so that a mistake costs no request and no wait. Outputs' parent directories are created here,
//! as `baseline accept` does.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::cli::{AttestArgs, LiveArgs, PolicySource};
use crate::config::{Config, Governance, Instance};
use crate::snapshot;

/// The instance a command works on, as it will resolve it: with a snapshot file and several
/// instances but no `--instance`, none (the paths must then be given).
pub(super) fn instance(
    config: Option<&Config>,
    live: &LiveArgs,
    snapshot_given: bool,
) -> Result<Option<Instance>> {
    Ok(match config {
        Some(c) if snapshot_given && live.instance.is_none() && c.instances.len() > 1 => None,
        Some(c) => c.instance(live.instance.as_deref())?.cloned(),
        None => None,
    })
}

/// An output file (`-o`, `--output`): not a directory; its parent directory is created.
pub(super) fn output_file(path: &Path, flag: &str) -> Result<()> {
    if path.is_dir() {
        bail!(
            "{flag} {}: is a directory; name a file to write",
            path.display()
        );
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::fsx::create_dir_all(parent)?;
    }
    Ok(())
}

/// An output directory (`audit --out`, `pull --record`), once the caller has refused what may
/// not be written over: its parent directory is created.
pub(super) fn output_dir(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::fsx::create_dir_all(parent)?;
    }
    Ok(())
}

/// A file the command reads later (`--sign-key`): it must exist now.
pub(super) fn input_file(path: &Path, flag: &str) -> Result<()> {
    if !path.is_file() {
        bail!("{flag} {}: no such file", path.display());
    }
    Ok(())
}

/// The attestations file (`--attestations`, else the instance's), parsed and validated now.
pub(super) fn attestations(
    attest: &AttestArgs,
    instance: Option<&Instance>,
    governance: Governance,
) -> Result<()> {
    if let Some(path) = super::current::attestations_file(attest, instance) {
        super::current::read_attestations(&path, governance)?;
    }
    Ok(())
}

/// The inputs a judging command reads after its pull: the policy layers (with waivers), the
/// attestations and, when given, the baseline — each loaded and validated now. Returns the
/// baseline.
pub(super) fn inputs(
    policy: &PolicySource,
    attest: &AttestArgs,
    instance: Option<&Instance>,
    governance: Governance,
    baseline: Option<&Path>,
) -> Result<Option<snapshot::Snapshot>> {
    super::load_policy(policy, instance)?;
    attestations(attest, instance, governance)?;
    baseline
        .map(|p| snapshot::io::load(p).map_err(anyhow::Error::from))
        .transpose()
}

/// The files a judging run reads, each with what it is (for the refusal of an output naming
/// one): the configuration, the snapshot file or recording, the baseline, the policy and waiver
/// layers, the attestations.
pub(super) fn reads(
    config: Option<&Config>,
    snapshot: Option<&Path>,
    baseline: Option<&Path>,
    policy: &PolicySource,
    attest: &AttestArgs,
    instance: Option<&Instance>,
) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = Vec::new();
    out.extend(config.map(|c| ("configuration".to_owned(), c.path.clone())));
    out.extend(snapshot.map(|p| ("snapshot".to_owned(), p.to_path_buf())));
    out.extend(baseline.map(|p| ("baseline".to_owned(), p.to_path_buf())));
    for file in super::policy_layers(policy, instance).files {
        out.push(("policy or waivers file".to_owned(), file));
    }
    out.extend(
        super::current::attestations_file(attest, instance)
            .map(|p| ("attestations file".to_owned(), p)),
    );
    out
}
