//! `pull`: the live configuration (read-only) into a snapshot, optionally with the raw responses
//! recorded; exit 1 when a part could not be read (`--allow-partial` still writes it).

use std::sync::Arc;

use anyhow::Result;

use super::current::{attest, pull};
use super::{discover_config, governance, preflight};
use crate::cli::PullArgs;
use crate::{Outcome, Ui, exit, snapshot};

pub(super) fn run(args: PullArgs, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    let config = discover_config(args.live.config.as_deref())?;
    // Cheap checks first: nothing is sent when an output or input is wrong.
    if let Some(path) = &args.output {
        preflight::output_file(path, "-o")?;
    }
    if let Some(dir) = &args.record {
        crate::recording::refuse_existing(dir)?;
        preflight::output_dir(dir)?;
    }
    let instance = preflight::instance(config.as_ref(), &args.live, false)?;
    preflight::attestations(&args.attest, instance.as_ref(), governance(config.as_ref()))?;
    let mut pulled = pull(
        &args.live,
        config.as_ref(),
        ui,
        args.record.as_deref(),
        false,
    )?;
    attest(
        &mut pulled.snapshot,
        &args.attest,
        pulled.instance.as_ref(),
        governance(config.as_ref()),
        ui,
    )?;
    let text = snapshot::io::to_canonical(&pulled.snapshot)?;
    let code = exit::Found {
        incomplete: !pulled.gaps.is_empty(),
        ..exit::Found::default()
    }
    .code();
    match args.output {
        Some(path) => {
            crate::fsx::write_atomic(&path, text.as_bytes())?;
            Ok(Outcome {
                stdout: String::new(),
                code,
                ..Default::default()
            })
        }
        None => Ok(Outcome {
            stdout: text,
            code,
            ..Default::default()
        }),
    }
}
