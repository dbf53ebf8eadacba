//! clerk-drift: collect → normalize → (diff, evaluate) → report.
//!
//! The library never prints: [`run`] returns an [`Outcome`] holding the text for standard output
//! and the exit code, and `main` does the printing and exiting.

pub mod cli;
pub mod diag;
pub mod diff;
pub mod duration;
pub mod path;
pub mod policy;
pub mod report;
pub mod snapshot;

use anyhow::{Context, Result};

use cli::{Cli, Command, FailOn, PolicyArgs};
use policy::{Finding, Policy, Severity, Status};
use snapshot::io;

/// Exit-code bits (README, `--help`).
pub mod exit {
    pub const CLEAN: u8 = 0;
    pub const ERROR: u8 = 1;
    pub const DRIFT: u8 = 2;
    pub const POLICY: u8 = 4;
}

/// What a command produced.
#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    pub code: u8,
}

/// Runs one command.
pub fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Snapshot(args) => {
            let rec = snapshot::Recording::load(&args.from_dir)?;
            let snap = snapshot::normalize(&rec)?;
            let text = io::to_canonical(&snap)?;
            match args.output {
                Some(path) => {
                    io::write_atomic(&path, text.as_bytes())?;
                    Ok(Outcome::default())
                }
                None => Ok(Outcome {
                    stdout: text,
                    code: exit::CLEAN,
                }),
            }
        }
        Command::Diff(args) => {
            let baseline = io::load(&args.baseline)?;
            let current = io::load(&args.current)?;
            let drift = diff::diff(&baseline, &current);
            let mut out = String::new();
            report::text::render_drift(&mut out, &drift, &current);
            Ok(Outcome {
                stdout: out,
                code: drift_code(&drift),
            })
        }
        Command::Check(args) => {
            let snap = io::load(&args.snapshot)?;
            let policy = load_policy(&args.policy)?;
            let findings = policy::evaluate(&policy, &snap);
            let mut out = String::new();
            report::text::render_findings(&mut out, &findings, &policy.origin, args.policy.verbose);
            Ok(Outcome {
                stdout: out,
                code: policy_code(&findings, args.policy.fail_on),
            })
        }
        Command::Plan(args) => {
            let baseline = io::load(&args.baseline)?;
            let current = io::load(&args.snapshot)?;
            let policy = load_policy(&args.policy)?;
            let drift = diff::diff(&baseline, &current);
            let findings = policy::evaluate(&policy, &current);
            let mut out = format!(
                "Plan: {} (current) against {} (baseline)\n\n",
                args.snapshot.display(),
                args.baseline.display()
            );
            report::text::render_drift(&mut out, &drift, &current);
            out.push('\n');
            report::text::render_findings(&mut out, &findings, &policy.origin, args.policy.verbose);
            let code = match drift_code(&drift) {
                exit::ERROR => exit::ERROR,
                d => d | policy_code(&findings, args.policy.fail_on),
            };
            out.push_str(&format!(
                "\n{}\n",
                verdict(&drift, &findings, args.policy.fail_on, code)
            ));
            Ok(Outcome { stdout: out, code })
        }
        Command::Schema => Ok(Outcome {
            stdout: snapshot::schema::markdown(),
            code: exit::CLEAN,
        }),
    }
}

fn load_policy(args: &PolicyArgs) -> Result<Policy> {
    match &args.policy {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Ok(Policy::parse(&text, &path.display().to_string())?)
        }
        None => Ok(Policy::parse(policy::BUILTIN, policy::BUILTIN_NAME)?),
    }
}

fn threshold(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::Critical => Some(Severity::Critical),
        FailOn::High => Some(Severity::High),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::Low => Some(Severity::Low),
        FailOn::Info => Some(Severity::Info),
        FailOn::None => None,
    }
}

fn blocking(findings: &[Finding], fail_on: FailOn) -> usize {
    threshold(fail_on).map_or(0, |min| {
        findings
            .iter()
            .filter(|f| f.status == Status::Fail && f.severity >= min)
            .count()
    })
}

fn policy_code(findings: &[Finding], fail_on: FailOn) -> u8 {
    if blocking(findings, fail_on) > 0 {
        exit::POLICY
    } else {
        exit::CLEAN
    }
}

fn drift_code(drift: &diff::Drift) -> u8 {
    if drift.is_incomplete() {
        exit::ERROR
    } else if drift.has_drift() {
        exit::DRIFT
    } else {
        exit::CLEAN
    }
}

fn verdict(drift: &diff::Drift, findings: &[Finding], fail_on: FailOn, code: u8) -> String {
    let changes = drift.changes.iter().filter(|c| c.kind.is_drift()).count();
    let mut parts = Vec::new();
    if drift.is_incomplete() {
        parts.push(format!(
            "incomplete data ({} setting(s) no longer observed)",
            drift.count(diff::ChangeKind::Unobserved)
        ));
    }
    parts.push(if changes == 0 {
        "no drift".to_owned()
    } else {
        format!("drift ({changes} change(s))")
    });
    let n = blocking(findings, fail_on);
    parts.push(match threshold(fail_on) {
        Some(min) if n > 0 => format!("{n} policy violation(s) at or above {min}"),
        Some(min) => format!("no policy violations at or above {min}"),
        None => "policy not gating (--fail-on none)".to_owned(),
    });
    format!("Verdict: {} → exit {code}", parts.join("; "))
}
