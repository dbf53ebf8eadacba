//! `completions`, `man` and `schema`: shell completions and the man page from the same clap
//! definitions as `--help`, and every snapshot path with its kind and meaning.

use anyhow::{Context as _, Result};
use clap::CommandFactory as _;

use crate::cli::Cli;
use crate::{Outcome, snapshot};

pub(super) fn completions(shell: clap_complete::Shell) -> Result<Outcome> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "clerk-drift", &mut buf);
    Ok(Outcome {
        stdout: String::from_utf8_lossy(&buf).into_owned(),
        ..Default::default()
    })
}

pub(super) fn man() -> Result<Outcome> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buf)
        .context("rendering the man page")?;
    Ok(Outcome {
        stdout: String::from_utf8_lossy(&buf).into_owned(),
        ..Default::default()
    })
}

pub(super) fn schema() -> Outcome {
    Outcome {
        stdout: snapshot::schema::markdown(),
        ..Default::default()
    }
}
