//! clerk-drift: collect → normalize → (diff, evaluate) → report.
//!
//! The library never prints: [`run`] returns an [`Outcome`] holding the text for standard output
//! and the exit code, and `main` does the printing and exiting.

pub mod clerk;
pub mod cli;
pub mod config;
pub mod diag;
pub mod diff;
pub mod duration;
pub mod live;
pub mod path;
pub mod policy;
pub mod report;
pub mod secrets;
pub mod snapshot;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};

use cli::{AuthCommand, Cli, Command, FailOn, LiveArgs, PolicyArgs};
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

/// What the library needs from the terminal: progress and request logs (as a
/// [`clerk::Observer`]), warnings, and a no-echo secret prompt. The binary implements it on
/// standard error; tests use [`NoUi`].
pub trait Ui: clerk::Observer {
    fn warn(&self, message: &str);
    /// Reads one secret line: a no-echo prompt on a terminal, else standard input.
    fn read_secret(&self, prompt: &str) -> std::io::Result<String>;
}

/// A [`Ui`] that shows nothing and has no secrets to give.
pub struct NoUi;

impl clerk::Observer for NoUi {
    fn event(&self, _: &clerk::Event) {}
}

impl Ui for NoUi {
    fn warn(&self, _: &str) {}
    fn read_secret(&self, _: &str) -> std::io::Result<String> {
        Err(std::io::Error::other("no terminal"))
    }
}

/// The process environment, as `secrets` reads it.
fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn keyring_for(args: &LiveArgs) -> secrets::Keyring {
    if args.no_keyring {
        secrets::Keyring::Disabled
    } else {
        secrets::Keyring::System
    }
}

/// Pulls live data for `plan`/`check`/`pull`; gaps (with `--allow-partial`) become warnings.
fn pull_live(args: &LiveArgs, ui: &Arc<dyn Ui>, record: Option<&Path>) -> Result<live::Live> {
    let observer: Arc<dyn clerk::Observer> = ui.clone();
    let warn = |m: &str| ui.warn(m);
    let pulled = live::pull(
        args,
        &process_env,
        &keyring_for(args),
        observer,
        &warn,
        record,
    )?;
    for gap in &pulled.gaps {
        ui.warn(&format!("incomplete: {gap}"));
    }
    Ok(pulled)
}

/// Runs one command.
pub fn run(cli: Cli, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    match cli.command {
        Command::Pull(args) => {
            let pulled = pull_live(&args.live, ui, args.record.as_deref())?;
            let text = io::to_canonical(&pulled.snapshot)?;
            let code = if pulled.gaps.is_empty() {
                exit::CLEAN
            } else {
                exit::ERROR
            };
            match args.output {
                Some(path) => {
                    io::write_atomic(&path, text.as_bytes())?;
                    Ok(Outcome {
                        stdout: String::new(),
                        code,
                    })
                }
                None => Ok(Outcome { stdout: text, code }),
            }
        }
        Command::Auth(cmd) => auth(cmd, ui),
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
            let current = current(args.snapshot.as_deref(), &args.live, ui)?;
            let policy = load_policy(&args.policy, current.instance.as_ref())?;
            let findings = policy::evaluate(&policy, &current.snapshot);
            let mut out = String::new();
            report::text::render_findings(&mut out, &findings, &policy.origin, args.policy.verbose);
            let code = if current.incomplete {
                exit::ERROR
            } else {
                policy_code(&findings, args.policy.fail_on)
            };
            Ok(Outcome { stdout: out, code })
        }
        Command::Plan(args) => {
            let current_data = current(args.snapshot.as_deref(), &args.live, ui)?;
            let Some(baseline_path) =
                live::baseline_path(args.baseline.as_deref(), current_data.instance.as_ref())
            else {
                bail!(
                    "no baseline: pass --baseline FILE or set `baseline` for the instance in clerk-drift.toml"
                );
            };
            let baseline = io::load(&baseline_path)?;
            let current = &current_data.snapshot;
            let policy = load_policy(&args.policy, current_data.instance.as_ref())?;
            let drift = diff::diff(&baseline, current);
            let findings = policy::evaluate(&policy, current);
            let mut out = format!(
                "Plan: {} (current) against {} (baseline)\n\n",
                current_data.label,
                baseline_path.display()
            );
            report::text::render_drift(&mut out, &drift, current);
            out.push('\n');
            report::text::render_findings(&mut out, &findings, &policy.origin, args.policy.verbose);
            let code = match drift_code(&drift) {
                exit::ERROR => exit::ERROR,
                _ if current_data.incomplete => exit::ERROR,
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

/// The current snapshot of `plan`/`check`: a file or recording, else a live pull.
struct Current {
    snapshot: snapshot::Snapshot,
    /// How the plan header names it.
    label: String,
    instance: Option<config::Instance>,
    /// A live pull with gaps (`--allow-partial`).
    incomplete: bool,
}

fn current(path: Option<&Path>, args: &LiveArgs, ui: &Arc<dyn Ui>) -> Result<Current> {
    match path {
        Some(p) => {
            // The config still names the baseline and policy when it exists; with several
            // instances and no --instance, none applies (the paths must then be given).
            let config = config::Config::discover(args.config.as_deref())?;
            let instance = match &config {
                Some(c) if args.instance.is_none() && c.instances.len() > 1 => None,
                Some(c) => c.instance(args.instance.as_deref())?.cloned(),
                None => None,
            };
            Ok(Current {
                snapshot: io::load(p)?,
                label: p.display().to_string(),
                instance,
                incomplete: false,
            })
        }
        None => {
            let pulled = pull_live(args, ui, None)?;
            let label = match &pulled.instance {
                Some(i) => format!("live pull of instance `{}`", i.name),
                None => "live pull".to_owned(),
            };
            Ok(Current {
                snapshot: pulled.snapshot,
                label,
                instance: pulled.instance,
                incomplete: !pulled.gaps.is_empty(),
            })
        }
    }
}

fn auth(cmd: AuthCommand, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    use secrecy::SecretString;
    use secrets::{Keyring, Kind};
    let kind_of = |platform: bool| {
        if platform {
            Kind::PlatformKey
        } else {
            Kind::SecretKey
        }
    };
    match cmd {
        AuthCommand::Set(a) => {
            let config = config::Config::discover(a.config.as_deref())?;
            let name = live::instance_name(config.as_ref(), a.instance.as_deref())?;
            let kind = kind_of(a.platform);
            let value = ui
                .read_secret(&format!("{} for instance `{name}`: ", kind.label()))
                .context("reading the key")?;
            let value = SecretString::from(value.trim().to_owned());
            Keyring::System.set(kind, &name, &value)?;
            Ok(Outcome {
                stdout: format!(
                    "Stored the {} for instance `{name}` in the OS keyring ({} / {}).\n",
                    kind.label(),
                    secrets::SERVICE,
                    kind.keyring_user(&name)
                ),
                code: exit::CLEAN,
            })
        }
        AuthCommand::Delete(a) => {
            let config = config::Config::discover(a.config.as_deref())?;
            let name = live::instance_name(config.as_ref(), a.instance.as_deref())?;
            let kind = kind_of(a.platform);
            let deleted = Keyring::System.delete(kind, &name)?;
            let stdout = if deleted {
                format!(
                    "Deleted the {} for instance `{name}` from the OS keyring.\n",
                    kind.label()
                )
            } else {
                format!(
                    "No {} for instance `{name}` was stored in the OS keyring.\n",
                    kind.label()
                )
            };
            Ok(Outcome {
                stdout,
                code: exit::CLEAN,
            })
        }
        AuthCommand::Status(a) => {
            let args = a.live;
            let config = config::Config::discover(args.config.as_deref())?;
            let name = live::instance_name(config.as_ref(), args.instance.as_deref())?;
            let keyring = keyring_for(&args);
            let mut out = format!("Instance: {name}");
            match &config {
                Some(c) => out.push_str(&format!(" ({})\n", c.path.display())),
                None => out.push_str(" (no clerk-drift.toml)\n"),
            }
            for (kind, file) in [
                (Kind::SecretKey, args.secret_key_file.as_deref()),
                (Kind::PlatformKey, args.platform_key_file.as_deref()),
            ] {
                let line = match secrets::find(kind, &name, file, &process_env, &keyring) {
                    Ok(Some(c)) => format!("{}  from {}", c.masked(), c.origin),
                    Ok(None) => format!(
                        "not set (looked at {}, {}, {}, the OS keyring)",
                        kind.file_flag(),
                        kind.file_env_var(),
                        kind.env_var()
                    ),
                    Err(e) => format!("error: {e}"),
                };
                out.push_str(&format!("  {:<18}{line}\n", format!("{}:", kind.label())));
            }
            let keyring_line = match keyring {
                Keyring::Disabled => "not consulted (--no-keyring)".to_owned(),
                _ => match keyring::Entry::store_status() {
                    Ok(()) => "available".to_owned(),
                    Err(e) => format!(
                        "unavailable ({e}); use the environment or --secret-key-file / --platform-key-file"
                    ),
                },
            };
            out.push_str(&format!("  {:<18}{keyring_line}\n", "OS keyring:"));
            Ok(Outcome {
                stdout: out,
                code: exit::CLEAN,
            })
        }
    }
}

fn load_policy(args: &PolicyArgs, instance: Option<&config::Instance>) -> Result<Policy> {
    let configured: Option<PathBuf> = args
        .policy
        .clone()
        .or_else(|| instance.and_then(|i| i.policy.clone()));
    match &configured {
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
