//! clerk-drift: collect → normalize → (diff, evaluate) → report.
//!
//! The library never prints: [`run`] returns an [`Outcome`] holding the text for standard output
//! and the exit code, and `main` does the printing and exiting.

pub mod baseline;
pub mod clerk;
pub mod cli;
pub mod config;
pub mod diag;
pub mod diff;
pub mod duration;
pub mod evidence;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod jsonx;
pub mod live;
pub mod path;
pub mod policy;
pub mod recording;
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
    pub const WAIVERS: u8 = 8;
}

/// What a command produced.
#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    pub code: u8,
    /// `stdout` is a human text report that [`report::text::colorize`] may style.
    pub styled: bool,
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
    let log = Arc::new(CallLog {
        inner: ui.clone(),
        calls: std::sync::Mutex::new(std::collections::BTreeMap::new()),
    });
    let observer: Arc<dyn clerk::Observer> = log.clone();
    let warn = |m: &str| ui.warn(m);
    let mut pulled = live::pull(
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
    pulled.calls = log.summary();
    Ok(pulled)
}

/// Calls to one endpoint: count, count per status, total milliseconds.
type Tally = (u32, std::collections::BTreeMap<String, u32>, u64);

/// Forwards pull events to the terminal and tallies the HTTP calls per endpoint (for the
/// evidence manifest).
struct CallLog {
    inner: Arc<dyn Ui>,
    calls: std::sync::Mutex<std::collections::BTreeMap<String, Tally>>,
}

impl clerk::Observer for CallLog {
    fn event(&self, event: &clerk::Event) {
        if let clerk::Event::Call {
            request,
            status,
            millis,
        } = event
        {
            let endpoint = request.split('?').next().unwrap_or(request).to_owned();
            let status = status.map_or_else(|| "no response".to_owned(), |s| s.to_string());
            if let Ok(mut calls) = self.calls.lock() {
                let e = calls.entry(endpoint).or_default();
                e.0 += 1;
                *e.1.entry(status).or_default() += 1;
                e.2 += millis;
            }
        }
        self.inner.event(event);
    }
}

impl CallLog {
    fn summary(&self) -> serde_json::Value {
        let calls = self.calls.lock().map(|c| c.clone()).unwrap_or_default();
        serde_json::Value::Array(
            calls
                .into_iter()
                .map(|(endpoint, (count, statuses, ms))| {
                    serde_json::json!({ "request": endpoint, "count": count, "statuses": statuses, "total_ms": ms })
                })
                .collect(),
        )
    }
}

/// Runs one command.
pub fn run(cli: Cli, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    match cli.command {
        Command::Pull(args) => {
            let mut pulled = pull_live(&args.live, ui, args.record.as_deref())?;
            attest(
                &mut pulled.snapshot,
                &args.attest,
                pulled.instance.as_ref(),
                ui,
            )?;
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
        Command::Auth(cmd) => auth(cmd, ui),
        Command::Snapshot(args) => {
            let rec = recording::Recording::load(&args.from_dir)?;
            let mut snap = snapshot::normalize(&rec)?;
            attest(&mut snap, &args.attest, None, ui)?;
            let text = io::to_canonical(&snap)?;
            match args.output {
                Some(path) => {
                    io::write_atomic(&path, text.as_bytes())?;
                    Ok(Outcome::default())
                }
                None => Ok(Outcome {
                    stdout: text,
                    code: exit::CLEAN,
                    ..Default::default()
                }),
            }
        }
        Command::Diff(args) => {
            let baseline = io::load(&args.baseline)?;
            let current = io::load(&args.current)?;
            let mut drift = diff::diff(&baseline, &current);
            let config = config::Config::discover(args.config.as_deref())?;
            drift.ignore(&ignore_rules(config.as_ref(), &args.ignore)?);
            let code = drift_code(&drift);
            let mut text = String::new();
            report::text::render_drift(&mut text, &drift, &current);
            let out = render_report(
                text,
                &report::Report {
                    command: "diff",
                    current: &args.current.display().to_string(),
                    baseline: Some(&args.baseline.display().to_string()),
                    snapshot: &current,
                    drift: Some(&drift),
                    baseline_snapshot: Some(&baseline),
                    policy: None,
                    exit_code: code,
                },
                &args.report,
            )?;
            emit(out, code, &args.report)
        }
        Command::Check(args) => {
            let current = current(args.snapshot.as_deref(), &args.live, &args.attest, ui)?;
            let eval = judge(&args.policy, current.instance.as_ref(), &current.snapshot)?;
            let code = if current.incomplete {
                exit::ERROR
            } else {
                eval.code(&args.policy)
            };
            let mut text = String::new();
            eval.render(&mut text, args.policy.verbose);
            let out = render_report(
                text,
                &report::Report {
                    command: "check",
                    current: &current.label,
                    baseline: None,
                    snapshot: &current.snapshot,
                    drift: None,
                    baseline_snapshot: None,
                    policy: Some((&eval.policy, &eval.findings, &eval.review)),
                    exit_code: code,
                },
                &args.report,
            )?;
            emit(out, code, &args.report)
        }
        Command::Policy(cmd) => policy_command(cmd),
        Command::Baseline(cmd) => baseline_command(cmd, ui),
        Command::Audit(args) if args.all => audit_all(&args, ui),
        Command::Audit(args) => audit(&args, ui, None),
        Command::Keygen { prefix } => {
            let (secret, public) = evidence::keygen(&prefix)?;
            Ok(Outcome {
                stdout: format!(
                    "Wrote {} (secret: keep it out of the repository; unencrypted, mode 0600) and {} (public: give it to auditors).\n",
                    secret.display(),
                    public.display()
                ),
                ..Default::default()
            })
        }
        Command::Evidence(cli::EvidenceCommand::Verify { dir, pubkey }) => {
            let v = evidence::verify(&dir, pubkey.as_deref())?;
            if v.ok() {
                let n = std::fs::read_to_string(dir.join(evidence::SUMS))
                    .map(|s| s.lines().count())
                    .unwrap_or(0);
                return Ok(Outcome {
                    stdout: format!(
                        "ok: {} — {n} file(s), every hash matches{}\n",
                        dir.display(),
                        if pubkey.is_some() {
                            "; the signature verifies"
                        } else if dir.join(evidence::SIGNATURE).exists() {
                            "; signed (pass --pubkey to check the signature)"
                        } else {
                            ""
                        }
                    ),
                    ..Default::default()
                });
            }
            let mut lines = Vec::new();
            lines.extend(v.altered.iter().map(|f| format!("altered: {f}")));
            lines.extend(v.missing.iter().map(|f| format!("removed: {f}")));
            lines.extend(v.added.iter().map(|f| format!("added: {f}")));
            lines.extend(v.other.iter().cloned());
            bail!(
                "{}: the evidence bundle does not verify:\n  - {}",
                dir.display(),
                lines.join("\n  - ")
            )
        }
        Command::Completions { shell } => {
            use clap::CommandFactory as _;
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "clerk-drift", &mut buf);
            Ok(Outcome {
                stdout: String::from_utf8_lossy(&buf).into_owned(),
                code: exit::CLEAN,
                ..Default::default()
            })
        }
        Command::Man => {
            use clap::CommandFactory as _;
            let mut buf = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut buf)
                .context("rendering the man page")?;
            Ok(Outcome {
                stdout: String::from_utf8_lossy(&buf).into_owned(),
                code: exit::CLEAN,
                ..Default::default()
            })
        }
        Command::Plan(args) if args.all => plan_all(&args, ui),
        Command::Plan(args) => {
            let (out, code) = plan(&args, ui)?;
            emit(out, code, &args.report)
        }
        Command::Schema => Ok(Outcome {
            stdout: snapshot::schema::markdown(),
            code: exit::CLEAN,
            ..Default::default()
        }),
    }
}

/// The report in the chosen format (`text` is already rendered); with `--step-summary`, the
/// Markdown form is also appended to `$GITHUB_STEP_SUMMARY`.
fn render_report(text: String, r: &report::Report<'_>, args: &cli::ReportArgs) -> Result<String> {
    if args.step_summary
        && let Some(path) = process_env("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty())
    {
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("opening $GITHUB_STEP_SUMMARY ({path})"))?;
        f.write_all(report::markdown::render(r).as_bytes())
            .with_context(|| format!("appending to $GITHUB_STEP_SUMMARY ({path})"))?;
    }
    Ok(match args.format {
        cli::Format::Text => text,
        cli::Format::Json => report::json::render(r),
        cli::Format::Markdown => report::markdown::render(r),
        cli::Format::Junit => report::junit::render(r),
        cli::Format::Sarif => report::sarif::render(r),
    })
}

fn baseline_file(
    flag: Option<&Path>,
    config: Option<&Path>,
    instance: Option<&str>,
) -> Result<PathBuf> {
    if let Some(f) = flag {
        return Ok(f.to_path_buf());
    }
    let config = config::Config::discover(config)?;
    let inst = match &config {
        Some(c) => c.instance(instance)?.cloned(),
        None => None,
    };
    inst.and_then(|i| i.baseline)
        .ok_or_else(|| anyhow::anyhow!("no baseline: pass --baseline FILE or set `baseline` for the instance in clerk-drift.toml"))
}

/// `audit`: pull (or take --snapshot), diff against the baseline, evaluate, and write an evidence
/// bundle with a manifest of hashes.
/// `per_instance`: with `--all`, earlier bundles are `HISTORY/*/NAME` (one period directory each).
fn audit(
    args: &cli::AuditArgs,
    ui: &Arc<dyn Ui>,
    per_instance: Option<(&str, &Path)>,
) -> Result<Outcome> {
    use std::fmt::Write as _;
    let cur = current(args.snapshot.as_deref(), &args.live, &args.attest, ui)?;
    let baseline_path = live::baseline_path(args.baseline.as_deref(), cur.instance.as_ref());
    let eval = judge(&args.policy, cur.instance.as_ref(), &cur.snapshot)?;
    let mut files: std::collections::BTreeMap<String, Vec<u8>> = Default::default();
    files.insert(
        "snapshot.json".into(),
        io::to_canonical(&cur.snapshot)?.into_bytes(),
    );
    let baseline = match &baseline_path {
        Some(p) if p.is_dir() => {
            // A recording as the baseline: keep its normalized snapshot.
            let snap = io::load(p)?;
            files.insert(
                "baseline.json".into(),
                io::to_canonical(&snap)?.into_bytes(),
            );
            Some(snap)
        }
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
            files.insert("baseline.json".into(), bytes);
            // The hash chain behind the baseline, as accepted.
            for link in baseline::chain(p)?.iter().skip(1) {
                if let (Ok(bytes), Some(name)) = (std::fs::read(&link.file), link.file.file_name())
                {
                    files.insert(
                        format!("baseline-history/{}", name.to_string_lossy()),
                        bytes,
                    );
                }
            }
            Some(io::load(p)?)
        }
        None => None,
    };
    let drift = baseline.as_ref().map(|b| diff::diff(b, &cur.snapshot));
    let mut code = match &drift {
        Some(d) => drift_code(d),
        None => exit::CLEAN,
    };
    if cur.incomplete {
        code = exit::ERROR;
    } else if code != exit::ERROR {
        code |= eval.code(&args.policy);
    }
    let baseline_label = baseline_path.as_ref().map(|p| p.display().to_string());
    let report = report::Report {
        command: "audit",
        current: &cur.label,
        baseline: baseline_label.as_deref(),
        snapshot: &cur.snapshot,
        drift: drift.as_ref(),
        baseline_snapshot: baseline.as_ref(),
        policy: Some((&eval.policy, &eval.findings, &eval.review)),
        exit_code: code,
    };
    files.insert(
        "findings.json".into(),
        report::json::render(&report).into_bytes(),
    );
    if drift.is_some() {
        let only_drift = report::Report {
            command: "diff",
            policy: None,
            ..report
        };
        files.insert(
            "diff.json".into(),
            report::json::render(&only_drift).into_bytes(),
        );
    }
    files.insert(
        "report.md".into(),
        report::markdown::render(&report).into_bytes(),
    );
    // controls.csv: framework, control, rule, target, verdict, evidence file.
    let mut csv = String::from("framework,control,rule,target,verdict,evidence\n");
    for f in &eval.findings {
        if let Some(rule) = eval.policy.rule(&f.rule_id) {
            for (framework, ids) in &rule.controls {
                for id in ids {
                    let _ = writeln!(
                        csv,
                        "{},{},{},{},{},findings.json",
                        csv_field(framework),
                        csv_field(id),
                        csv_field(&f.rule_id),
                        csv_field(&f.target),
                        report::json::status_name(f)
                    );
                }
            }
        }
    }
    files.insert("controls.csv".into(), csv.into_bytes());
    // The policy exactly as used: the pack and every layer, and the attestations.
    if !args.policy.source.no_builtin {
        files.insert(
            "policy/clerk-hardening.toml".into(),
            policy::BUILTIN.as_bytes().to_vec(),
        );
    }
    for (i, layer) in policy_layers(&args.policy.source, cur.instance.as_ref())
        .iter()
        .enumerate()
    {
        let bytes = std::fs::read(layer).with_context(|| format!("reading {}", layer.display()))?;
        let name = layer
            .file_name()
            .map_or_else(|| "layer.toml".into(), |n| n.to_string_lossy().into_owned());
        files.insert(format!("policy/{}-{name}", i + 1), bytes);
    }
    if let Some(a) = args
        .attest
        .attestations
        .clone()
        .or_else(|| cur.instance.as_ref().and_then(|i| i.attestations.clone()))
    {
        let bytes = std::fs::read(&a).with_context(|| format!("reading {}", a.display()))?;
        files.insert("attestations.toml".into(), bytes);
    }
    let mut run = std::collections::BTreeMap::new();
    let env = |k: &str| process_env(k).filter(|v| !v.is_empty());
    run.insert(
        "created_at".into(),
        serde_json::json!(
            jiff::Timestamp::now()
                .round(jiff::Unit::Second)
                .map(|t| t.to_string())
                .unwrap_or_default()
        ),
    );
    run.insert("current".into(), serde_json::json!(cur.label));
    run.insert("baseline".into(), serde_json::json!(baseline_label));
    run.insert(
        "instance".into(),
        serde_json::json!(cur.instance.as_ref().map(|i| i.name.clone())),
    );
    run.insert(
        "instance_id".into(),
        cur.snapshot
            .get(&crate::path::Path::parse("instance.id").unwrap_or_default())
            .cloned()
            .unwrap_or(serde_json::Value::Null),
    );
    run.insert(
        "application_id".into(),
        serde_json::json!(
            cur.instance
                .as_ref()
                .and_then(|i| i.platform_application_id.clone())
        ),
    );
    run.insert("period".into(), serde_json::json!(args.period));
    run.insert("exit_code".into(), serde_json::json!(code));
    run.insert("api_calls".into(), cur.calls.clone());
    run.insert(
        "collected_at".into(),
        serde_json::json!(cur.snapshot.meta.collected_at),
    );
    run.insert(
        "operator".into(),
        serde_json::json!({
            "user": env("USER").or_else(|| env("USERNAME")),
            "ci_actor": env("GITHUB_ACTOR").or_else(|| env("GITLAB_USER_LOGIN")),
            "ci_run_url": match (env("GITHUB_SERVER_URL"), env("GITHUB_REPOSITORY"), env("GITHUB_RUN_ID")) {
                (Some(s), Some(r), Some(id)) => Some(format!("{s}/{r}/actions/runs/{id}")),
                _ => env("CI_JOB_URL"),
            },
            "commit": env("GITHUB_SHA").or_else(|| env("CI_COMMIT_SHA")),
        }),
    );
    // The self-contained report an auditor opens (or prints to PDF).
    let mut trend = earlier_audits(args, per_instance)?;
    let this = report::json::render(&report);
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&this) {
        let label = args
            .period
            .clone()
            .unwrap_or_else(|| "this audit".to_owned());
        trend.extend(report::html::TrendPoint::from_findings(&label, &v));
    }
    files.insert(
        "report.html".into(),
        report::html::render(&report, &run, &trend).into_bytes(),
    );
    let manifest = evidence::write(&args.out, &files, run, args.sign_key.as_deref())?;
    let mut out = format!(
        "Wrote the evidence bundle {} ({} files + manifest.json + SHA256SUMS).\nCheck it with `clerk-drift evidence verify {}` or `sha256sum -c SHA256SUMS` inside it.\n",
        args.out.display(),
        manifest.files.len(),
        args.out.display()
    );
    if args.archive {
        let archive = evidence::archive(&args.out)?;
        let _ = writeln!(out, "Archived it as {}.", archive.display());
    }
    out.push('\n');
    out.push_str(&report::text::plan_summary(
        drift.as_ref().unwrap_or(&diff::Drift::default()),
        &eval.findings,
    ));
    out.push('\n');
    Ok(Outcome {
        stdout: out,
        code,
        styled: false,
    })
}

/// The exit code of several instances: 1 if any could not be checked, else the union of their
/// bits.
fn combine_codes(codes: impl IntoIterator<Item = u8>) -> u8 {
    let codes: Vec<u8> = codes.into_iter().collect();
    if codes.contains(&exit::ERROR) {
        exit::ERROR
    } else {
        codes.into_iter().fold(exit::CLEAN, |a, c| a | c)
    }
}

/// `audit --all`: one bundle per instance of clerk-drift.toml in `--out`/NAME, in name order;
/// the exit code combines theirs (1 if any failed to run).
fn audit_all(args: &cli::AuditArgs, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    if args.snapshot.is_some() || args.baseline.is_some() || args.live.instance.is_some() {
        bail!(
            "--all audits every instance of clerk-drift.toml from its own pull and baseline: drop --snapshot, --baseline and --instance"
        );
    }
    let Some(config) = config::Config::discover(args.live.config.as_deref())? else {
        bail!("--all needs a clerk-drift.toml with [instances.NAME] tables");
    };
    if config.instances.is_empty() {
        bail!(
            "{} defines no [instances.NAME] table",
            config.path.display()
        );
    }
    let mut out = String::new();
    let mut codes = Vec::new();
    for name in config.instances.keys() {
        let mut one = args.clone();
        one.all = false;
        one.live.instance = Some(name.clone());
        one.out = args.out.join(name);
        // Earlier periods sit next to this one: HISTORY/<period>/<name>.
        one.history = Some(
            args.history
                .clone()
                .unwrap_or_else(|| match args.out.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                }),
        );
        out.push_str(&format!("═══ instance {name} ═══\n"));
        match audit(&one, ui, Some((name, &args.out))) {
            Ok(o) => {
                out.push_str(&o.stdout);
                codes.push(o.code);
            }
            Err(e) => {
                out.push_str(&format!("error: {e:#}\n"));
                codes.push(exit::ERROR);
            }
        }
        out.push('\n');
    }
    let code = combine_codes(codes);
    out.push_str(&format!("All instances: exit {code}\n"));
    Ok(Outcome {
        stdout: out,
        code,
        styled: false,
    })
}

/// The posture of earlier audits: every bundle directory in `--history` (default: the siblings of
/// `--out`) with a `manifest.json` and `findings.json`, oldest first by period (or name).
fn earlier_audits(
    args: &cli::AuditArgs,
    per_instance: Option<(&str, &Path)>,
) -> Result<Vec<report::html::TrendPoint>> {
    let dir = match &args.history {
        Some(d) => d.clone(),
        None => match args.out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        },
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut points = Vec::new();
    for entry in entries.filter_map(std::result::Result::ok) {
        let mut path = entry.path();
        if let Some((name, this_run)) = per_instance {
            if path == this_run {
                continue;
            }
            path = path.join(name);
        }
        if !path.is_dir() || path == args.out {
            continue;
        }
        let (Ok(manifest), Ok(findings)) = (
            std::fs::read_to_string(path.join(evidence::MANIFEST)),
            std::fs::read_to_string(path.join("findings.json")),
        ) else {
            continue;
        };
        let (Ok(manifest), Ok(findings)) = (
            serde_json::from_str::<serde_json::Value>(&manifest),
            serde_json::from_str::<serde_json::Value>(&findings),
        ) else {
            continue;
        };
        let label = manifest["run"]["period"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| entry.file_name().to_string_lossy().into_owned());
        points.extend(report::html::TrendPoint::from_findings(&label, &findings));
    }
    points.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(points)
}

/// A CSV field, quoted when it needs to be (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The baseline `log` and `verify` work on, and its chain.
fn chain_of(a: &cli::BaselineFileArgs) -> Result<(PathBuf, Vec<baseline::Link>)> {
    let path = baseline_file(
        a.baseline.as_deref(),
        a.config.as_deref(),
        a.instance.as_deref(),
    )?;
    let links = baseline::chain(&path)?;
    Ok((path, links))
}

fn baseline_command(cmd: cli::BaselineCommand, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    use std::fmt::Write as _;
    match cmd {
        cli::BaselineCommand::Accept(a) => {
            let current = current(a.snapshot.as_deref(), &a.live, &a.attest, ui)?;
            if current.incomplete {
                bail!("the pull was incomplete: a baseline must not be accepted from partial data");
            }
            let path = match &a.baseline {
                Some(b) => b.clone(),
                None => current
                    .instance
                    .as_ref()
                    .and_then(|i| i.baseline.clone())
                    .ok_or_else(|| anyhow::anyhow!("no baseline: pass --baseline FILE or set `baseline` for the instance in clerk-drift.toml"))?,
            };
            let by =
                a.by.clone()
                    .or_else(|| process_env("USER").filter(|u| !u.is_empty()))
                    .unwrap_or_else(|| "unknown".to_owned());
            let done = baseline::accept(
                &path,
                &current.snapshot,
                &a.paths,
                &by,
                &a.reason,
                jiff::Timestamp::now(),
            )?;
            let mut out = format!(
                "Accepted {} as the baseline {}",
                current.label,
                path.display()
            );
            match &done.previous_sha256 {
                Some(prev) => {
                    let _ = writeln!(
                        out,
                        " (replacing {}, kept in {}).",
                        baseline::short(prev),
                        baseline::history_dir(&path).display()
                    );
                }
                None => out.push_str(" (the first in its chain).\n"),
            }
            let _ = writeln!(out, "By {by}: {}\n", a.reason.trim());
            if !done.changes.is_empty() {
                let drift = diff::Drift {
                    changes: done.changes.clone(),
                    ignored: Vec::new(),
                };
                out.push_str("Accepted changes:\n");
                report::text::render_drift(&mut out, &drift, &done.snapshot);
                out.push('\n');
            }
            // Never hide an active violation: show what the accepted configuration still fails.
            let eval = judge(&a.policy, current.instance.as_ref(), &done.snapshot)?;
            let failing: Vec<&Finding> = eval
                .findings
                .iter()
                .filter(|f| f.status == Status::Fail && f.waiver.is_none())
                .collect();
            if failing.is_empty() {
                out.push_str("The accepted baseline passes the policy.\n");
            } else {
                let _ = writeln!(
                    out,
                    "Warning: the accepted baseline still fails {} rule(s):",
                    failing.len()
                );
                for f in failing {
                    let _ = writeln!(
                        out,
                        "  FAIL    {:<8} {}  {}: {}",
                        f.severity.as_str(),
                        f.rule_id,
                        f.target,
                        f.detail
                    );
                }
            }
            Ok(Outcome {
                stdout: out,
                code: exit::CLEAN,
                styled: true,
            })
        }
        cli::BaselineCommand::Log(a) => {
            let (_, links) = chain_of(&a)?;
            let mut out = String::new();
            for l in &links {
                match &l.accepted {
                    Some(acc) => {
                        let _ = writeln!(
                            out,
                            "{}  {}  {}  {}{}",
                            baseline::short(&l.sha256),
                            acc.at,
                            acc.by,
                            acc.reason,
                            acc.paths
                                .as_ref()
                                .map(|p| format!(" [paths: {}]", p.join(", ")))
                                .unwrap_or_default()
                        );
                    }
                    None if l.problem.is_none() => {
                        let _ = writeln!(
                            out,
                            "{}  (not accepted with clerk-drift: the start of the chain)",
                            baseline::short(&l.sha256)
                        );
                    }
                    None => {}
                }
                if let Some(p) = &l.problem {
                    let _ = writeln!(out, "    ! {}: {p}", l.file.display());
                }
            }
            let broken = links.iter().any(|l| l.problem.is_some());
            Ok(Outcome {
                stdout: out,
                code: if broken { exit::ERROR } else { exit::CLEAN },
                styled: false,
            })
        }
        cli::BaselineCommand::Verify(a) => {
            let (path, links) = chain_of(&a)?;
            let problems: Vec<String> = links
                .iter()
                .filter_map(|l| {
                    l.problem
                        .as_ref()
                        .map(|p| format!("{}: {p}", l.file.display()))
                })
                .collect();
            if problems.is_empty() {
                Ok(Outcome {
                    stdout: format!(
                        "ok: {} — {} link(s), unbroken\n",
                        path.display(),
                        links.len()
                    ),
                    code: exit::CLEAN,
                    styled: false,
                })
            } else {
                bail!(
                    "{}: the baseline history is broken:\n  - {}",
                    path.display(),
                    problems.join("\n  - ")
                )
            }
        }
    }
}

/// One plan: the current snapshot (file or live) against the baseline, rendered in the chosen
/// format, and its exit code.
fn plan(args: &cli::PlanArgs, ui: &Arc<dyn Ui>) -> Result<(String, u8)> {
    let current_data = current(args.snapshot.as_deref(), &args.live, &args.attest, ui)?;
    let Some(baseline_path) =
        live::baseline_path(args.baseline.as_deref(), current_data.instance.as_ref())
    else {
        bail!(
            "no baseline: pass --baseline FILE or set `baseline` for the instance in clerk-drift.toml"
        );
    };
    let baseline = io::load(&baseline_path)?;
    let current = &current_data.snapshot;
    let eval = judge(&args.policy, current_data.instance.as_ref(), current)?;
    let mut drift = diff::diff(&baseline, current);
    let config = config::Config::discover(args.live.config.as_deref())?;
    drift.ignore(&ignore_rules(config.as_ref(), &args.ignore)?);
    let mut out = format!(
        "Plan: {} (current) against {} (baseline)\n\n",
        current_data.label,
        baseline_path.display()
    );
    // Under each drifted setting: the findings that fail now but did not in the baseline.
    let failed_before: std::collections::BTreeSet<(String, String)> =
        policy::evaluate(&eval.policy, &baseline)
            .into_iter()
            .filter(|f| f.status == Status::Fail)
            .map(|f| (f.rule_id, f.target))
            .collect();
    let newly_failing: Vec<Finding> = eval
        .findings
        .iter()
        .filter(|f| !failed_before.contains(&(f.rule_id.clone(), f.target.clone())))
        .cloned()
        .collect();
    report::text::render_drift_with(&mut out, &drift, current, &newly_failing);
    out.push('\n');
    eval.render(&mut out, args.policy.verbose);
    let code = match drift_code(&drift) {
        exit::ERROR => exit::ERROR,
        _ if current_data.incomplete => exit::ERROR,
        d => d | eval.code(&args.policy),
    };
    out.push_str(&format!(
        "\n{}\n{}\n",
        report::text::plan_summary(&drift, &eval.findings),
        verdict(&drift, &eval, &args.policy, code)
    ));
    let out = render_report(
        out,
        &report::Report {
            command: "plan",
            current: &current_data.label,
            baseline: Some(&baseline_path.display().to_string()),
            snapshot: current,
            drift: Some(&drift),
            baseline_snapshot: Some(&baseline),
            policy: Some((&eval.policy, &eval.findings, &eval.review)),
            exit_code: code,
        },
        &args.report,
    )?;
    Ok((out, code))
}

/// `plan --all`: every instance of clerk-drift.toml, pulled concurrently (at most 4 at a time),
/// one section each, in name order; the exit code combines theirs (1 if any failed to run).
fn plan_all(args: &cli::PlanArgs, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    if args.snapshot.is_some() || args.baseline.is_some() || args.live.instance.is_some() {
        bail!(
            "--all plans every instance of clerk-drift.toml from its own pull and baseline: drop --snapshot, --baseline and --instance"
        );
    }
    if matches!(args.report.format, cli::Format::Sarif | cli::Format::Junit) {
        bail!("--all writes text, json or markdown; run one plan per instance for SARIF or JUnit");
    }
    let Some(config) = config::Config::discover(args.live.config.as_deref())? else {
        bail!("--all needs a clerk-drift.toml with [instances.NAME] tables");
    };
    let names: Vec<String> = config.instances.keys().cloned().collect();
    if names.is_empty() {
        bail!(
            "{} defines no [instances.NAME] table",
            config.path.display()
        );
    }
    let mut results: Vec<(String, Result<(String, u8)>)> = Vec::new();
    for chunk in names.chunks(4) {
        let done: Vec<(String, Result<(String, u8)>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|name| {
                    let mut one = args.clone_for(name);
                    one.report.output = None;
                    one.report.step_summary = false;
                    let ui = ui.clone();
                    let name = name.clone();
                    scope.spawn(move || (name, plan(&one, &ui)))
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        });
        results.extend(done);
    }
    let code = combine_codes(
        results
            .iter()
            .map(|(_, r)| r.as_ref().map_or(exit::ERROR, |(_, c)| *c)),
    );
    let out = match args.report.format {
        cli::Format::Json => {
            let mut instances = serde_json::Map::new();
            for (name, r) in &results {
                let v = match r {
                    Ok((text, _)) => serde_json::from_str(text).unwrap_or(serde_json::Value::Null),
                    Err(e) => {
                        serde_json::json!({ "error": format!("{e:#}"), "exit_code": exit::ERROR })
                    }
                };
                instances.insert(name.clone(), v);
            }
            let mut text = serde_json::to_string_pretty(&serde_json::json!({
                "format_version": report::json::FORMAT_VERSION,
                "command": "plan --all",
                "instances": instances,
                "exit_code": code,
            }))
            .unwrap_or_default();
            text.push('\n');
            text
        }
        format => {
            let mut text = String::new();
            for (name, r) in &results {
                let heading = if format == cli::Format::Markdown {
                    format!("# Instance `{name}`\n\n")
                } else {
                    format!("═══ instance {name} ═══\n")
                };
                text.push_str(&heading);
                match r {
                    Ok((out, _)) => text.push_str(out),
                    Err(e) => text.push_str(&format!("error: {e:#}\n")),
                }
                text.push('\n');
            }
            text.push_str(&format!("All instances: exit {code}\n"));
            text
        }
    };
    let mut outcome = emit(out, code, &args.report)?;
    if args.report.format != cli::Format::Text {
        outcome.styled = false;
    }
    Ok(outcome)
}

/// `[[ignore]]` from clerk-drift.toml, then `--ignore` globs.
fn ignore_rules(
    config: Option<&config::Config>,
    flags: &[String],
) -> Result<Vec<diff::IgnoreRule>> {
    let mut rules: Vec<diff::IgnoreRule> = config.map(|c| c.ignore.clone()).unwrap_or_default();
    for glob in flags {
        rules.push(
            diff::IgnoreRule::new(glob, "--ignore")
                .map_err(|e| anyhow::anyhow!("--ignore `{glob}`: {e}"))?,
        );
    }
    Ok(rules)
}

/// Standard output, or the `--output` file (written atomically).
fn emit(text: String, code: u8, args: &cli::ReportArgs) -> Result<Outcome> {
    match &args.output {
        Some(path) => {
            io::write_atomic(path, text.as_bytes())?;
            Ok(Outcome {
                stdout: String::new(),
                code,
                styled: false,
            })
        }
        None => Ok(Outcome {
            stdout: text,
            code,
            styled: args.format == cli::Format::Text,
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
    /// A live pull's HTTP calls per endpoint (null for a file).
    calls: serde_json::Value,
}

fn current(
    path: Option<&Path>,
    args: &LiveArgs,
    attestations: &cli::AttestArgs,
    ui: &Arc<dyn Ui>,
) -> Result<Current> {
    let mut current = current_unattested(path, args, ui)?;
    attest(
        &mut current.snapshot,
        attestations,
        current.instance.as_ref(),
        ui,
    )?;
    Ok(current)
}

/// Merges `--attestations FILE` (else the instance's `attestations`) into `snap`.
fn attest(
    snap: &mut snapshot::Snapshot,
    args: &cli::AttestArgs,
    instance: Option<&config::Instance>,
    ui: &Arc<dyn Ui>,
) -> Result<()> {
    let Some(path) = args
        .attestations
        .clone()
        .or_else(|| instance.and_then(|i| i.attestations.clone()))
    else {
        return Ok(());
    };
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let att = snapshot::attest::Attestations::parse(&text, &path.display().to_string())?;
    for notice in att.apply(snap, today()?)? {
        ui.warn(&notice);
    }
    Ok(())
}

fn current_unattested(path: Option<&Path>, args: &LiveArgs, ui: &Arc<dyn Ui>) -> Result<Current> {
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
                calls: serde_json::Value::Null,
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
                calls: pulled.calls,
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
                ..Default::default()
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
                ..Default::default()
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
                ..Default::default()
            })
        }
    }
}

/// The policy: the built-in pack (unless `--no-builtin`), then the instance's policy and
/// waivers from clerk-drift.toml when no flag names any, then the `--policy` and `--waivers`
/// layers in order.
fn load_policy(source: &cli::PolicySource, instance: Option<&config::Instance>) -> Result<Policy> {
    compose(!source.no_builtin, &policy_layers(source, instance))
}

/// The policy and waiver files layered on the pack, in order.
fn policy_layers(source: &cli::PolicySource, instance: Option<&config::Instance>) -> Vec<PathBuf> {
    let mut layers: Vec<PathBuf> = Vec::new();
    if source.policy.is_empty() {
        layers.extend(instance.and_then(|i| i.policy.clone()));
    } else {
        layers.extend(source.policy.iter().cloned());
    }
    if source.waivers.is_empty() {
        layers.extend(instance.and_then(|i| i.waivers.clone()));
    } else {
        layers.extend(source.waivers.iter().cloned());
    }
    layers
}

fn compose(builtin: bool, layers: &[PathBuf]) -> Result<Policy> {
    let mut policy = if builtin {
        Policy::parse(policy::BUILTIN, policy::BUILTIN_NAME)?
    } else {
        if layers.is_empty() {
            bail!("--no-builtin needs at least one --policy FILE");
        }
        Policy::parse("", "")?
    };
    for path in layers {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        policy = policy.layer(&text, &path.display().to_string())?;
    }
    Ok(policy)
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

/// A policy evaluated against a snapshot, with waivers applied.
struct Evaluation {
    policy: Policy,
    findings: Vec<Finding>,
    review: policy::waivers::Review,
    today: jiff::civil::Date,
    /// `--fail-on`, else the instance's, else high.
    fail_on: FailOn,
}

fn judge(
    args: &PolicyArgs,
    instance: Option<&config::Instance>,
    snapshot: &snapshot::Snapshot,
) -> Result<Evaluation> {
    let mut policy = load_policy(&args.source, instance)?;
    let today = today()?;
    // Time-relative rules are judged from the start of "today" (UTC), like waivers.
    if let Ok(now) = today.to_zoned(jiff::tz::TimeZone::UTC) {
        policy.set_now(now.timestamp());
    }
    let mut findings = policy::evaluate(&policy, snapshot);
    let fail_on = match (args.fail_on, instance.and_then(|i| i.fail_on.as_deref())) {
        (Some(f), _) => f,
        (None, Some(f)) => <FailOn as clap::ValueEnum>::from_str(f, false)
            .map_err(|e| anyhow::anyhow!("clerk-drift.toml fail_on: {e}"))?,
        (None, None) => FailOn::High,
    };
    let require_observed =
        args.require_observed || instance.and_then(|i| i.require_observed).unwrap_or(false);
    if require_observed {
        for f in findings.iter_mut().filter(|f| f.status == Status::Unknown) {
            f.status = Status::Fail;
            f.detail = format!("not observed (--require-observed): {}", f.detail);
        }
    }
    let review = policy::waivers::apply(&mut findings, &policy, today);
    Ok(Evaluation {
        policy,
        findings,
        review,
        today,
        fail_on,
    })
}

impl Evaluation {
    fn render(&self, out: &mut String, verbose: bool) {
        report::text::render_findings(out, &self.findings, &self.policy.origin, verbose);
        report::text::render_waivers(out, &self.policy, &self.review, self.today);
    }

    fn code(&self, args: &PolicyArgs) -> u8 {
        let mut code = policy_code(&self.findings, self.fail_on);
        if self.review.is_bad(args.deny_unused_waivers) {
            code |= exit::WAIVERS;
        }
        code
    }
}

fn policy_command(cmd: cli::PolicyCommand) -> Result<Outcome> {
    use std::fmt::Write as _;
    match cmd {
        cli::PolicyCommand::Lint(a) => {
            let policy = compose(!a.no_builtin, &a.files)?;
            let mut out = format!(
                "ok: {} — {} rule(s), {} disabled, {} waiver(s)\n",
                policy.origin,
                policy.rules.len(),
                policy.disabled.len(),
                policy.waivers.len()
            );
            let review = policy::waivers::apply(&mut [], &policy, today()?);
            for (w, why) in &review.invalid {
                let _ = writeln!(out, "warning: waiver {} for `{}`: {why}", w.origin, w.rule);
            }
            for w in &review.expired {
                let _ = writeln!(
                    out,
                    "warning: waiver {} for `{}` expired {}",
                    w.origin, w.rule, w.expires
                );
            }
            let code = if review.is_bad(false) {
                exit::WAIVERS
            } else {
                exit::CLEAN
            };
            Ok(Outcome {
                stdout: out,
                code,
                styled: false,
            })
        }
        cli::PolicyCommand::List(a) => {
            let policy = load_policy(&a.source, None)?;
            Ok(Outcome {
                stdout: report::text::render_rule_list(&policy),
                code: exit::CLEAN,
                ..Default::default()
            })
        }
        cli::PolicyCommand::Explain(a) => {
            let policy = load_policy(&a.source, None)?;
            match report::text::render_rule(&policy, &a.rule) {
                Some(text) => Ok(Outcome {
                    stdout: text,
                    code: exit::CLEAN,
                    ..Default::default()
                }),
                None => bail!(
                    "no rule `{}` in {} (`clerk-drift policy list` shows every id)",
                    a.rule,
                    policy.origin
                ),
            }
        }
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

/// Failing findings at or above the threshold that no waiver accepts.
fn blocking(findings: &[Finding], fail_on: FailOn) -> usize {
    threshold(fail_on).map_or(0, |min| {
        findings
            .iter()
            .filter(|f| f.status == Status::Fail && f.severity >= min && f.waiver.is_none())
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

fn verdict(drift: &diff::Drift, eval: &Evaluation, args: &PolicyArgs, code: u8) -> String {
    let (findings, fail_on) = (&eval.findings, eval.fail_on);
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
    let waived = findings.iter().filter(|f| f.waiver.is_some()).count();
    if waived > 0 {
        parts.push(format!("{waived} waived"));
    }
    let r = &eval.review;
    if r.is_bad(args.deny_unused_waivers) {
        let mut bad = Vec::new();
        if !r.expired.is_empty() {
            bad.push(format!("{} expired", r.expired.len()));
        }
        if !r.invalid.is_empty() {
            bad.push(format!("{} invalid", r.invalid.len()));
        }
        if args.deny_unused_waivers && !r.unused.is_empty() {
            bad.push(format!("{} unused", r.unused.len()));
        }
        parts.push(format!("waivers: {}", bad.join(", ")));
    }
    format!("Verdict: {} → exit {code}", parts.join("; "))
}
