//! `snapshot --from-dir DIR`: normalize a recording offline (with attestations) into a snapshot.

use std::sync::Arc;

use anyhow::Result;

use super::current::attest;
use super::{discover_config, governance};
use crate::cli::SnapshotArgs;
use crate::{Outcome, Ui, snapshot};

pub(super) fn run(args: SnapshotArgs, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    let rec = crate::recording::Recording::load(&args.from_dir)?;
    let mut snap = snapshot::normalize(&rec)?;
    // The attestation limit of ./clerk-drift.toml, when there is one.
    let limits = governance(discover_config(None)?.as_ref());
    attest(&mut snap, &args.attest, None, limits, ui)?;
    let text = snapshot::io::to_canonical(&snap)?;
    match args.output {
        Some(path) => {
            super::preflight::output_file(&path, "-o")?;
            crate::fsx::write_atomic(&path, text.as_bytes())?;
            Ok(Outcome::default())
        }
        None => Ok(Outcome {
            stdout: text,
            ..Default::default()
        }),
    }
}
