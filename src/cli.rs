//! The command line (clap derive). Parsing only: `lib::run` does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  clean
  1  error, or incomplete data (a setting the baseline observed was not observed now)
  otherwise a bitset:
  2  drift from the baseline
  4  policy violations at or above --fail-on";

/// Keeps a Clerk instance's security configuration honest: normalize its settings into a
/// snapshot, diff against a last-known-good baseline, and evaluate a hardening policy.
#[derive(Debug, Parser)]
#[command(name = "clerk-drift", version, after_help = EXIT_CODES, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Normalize a recording directory of raw Clerk API responses into a snapshot.
    #[command(after_help = "The recording layout is documented in docs/snapshot.md.")]
    Snapshot(SnapshotArgs),
    /// Show the semantic drift between two snapshots (or recording directories).
    #[command(after_help = EXIT_CODES)]
    Diff(DiffArgs),
    /// Evaluate a policy against a snapshot (or recording directory).
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),
    /// The CI view: drift from the baseline, then policy findings, then a one-line verdict.
    #[command(after_help = EXIT_CODES)]
    Plan(PlanArgs),
    /// Print the snapshot schema (every path, its kind and meaning) as Markdown.
    Schema,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// Recording directory (fapi/, bapi/, plapi/ files; all optional).
    #[arg(long, value_name = "DIR")]
    pub from_dir: PathBuf,
    /// Write the snapshot here (atomically) instead of to standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Last-known-good snapshot file or recording directory.
    pub baseline: PathBuf,
    /// Current snapshot file or recording directory.
    pub current: PathBuf,
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// Policy file (TOML). Default: the built-in pack policies/clerk-hardening.toml.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Lowest severity of a failing finding that sets exit bit 4.
    #[arg(long, value_enum, default_value = "high", value_name = "SEVERITY")]
    pub fail_on: FailOn,
    /// Also list passing and not-applicable findings.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Snapshot file or recording directory.
    pub snapshot: PathBuf,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Current snapshot file or recording directory.
    #[arg(long, value_name = "PATH")]
    pub snapshot: PathBuf,
    /// Last-known-good snapshot file or recording directory.
    #[arg(long, value_name = "PATH")]
    pub baseline: PathBuf,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
    /// Never set bit 4.
    None,
}
