//! `audit --out DIR`: pull (or take `--snapshot`), diff against the baseline, evaluate, and write
//! an evidence bundle (see [`crate::evidence`]); `audit --all` writes one per instance.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use serde_json::{Value, json};

use super::current::{Current, attestations_file, current};
use super::{
    baseline_of, discover_config, fleet, found, judge, policy_layers, preflight, process_env,
};
use crate::cli::AuditArgs;
use crate::config::Config;
use crate::evidence::{self, bundle::Files, trend};
use crate::{Outcome, Ui, diff, exit, report};

pub(super) fn run(args: AuditArgs, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    if args.all {
        return all(&args, ui);
    }
    let config = discover_config(args.live.config.as_deref())?;
    audit(&args, config.as_ref(), ui, None)
}

/// One audit. `per_instance`: with `--all`, this instance's name and the run's directory.
fn audit(
    args: &AuditArgs,
    config: Option<&Config>,
    ui: &Arc<dyn Ui>,
    per_instance: Option<(&str, &Path)>,
) -> Result<Outcome> {
    check_first(args, config)?;
    let cur = current(
        args.snapshot.as_deref(),
        config,
        &args.live,
        &args.attest,
        ui,
    )?;
    // Without a baseline the bundle has no diff.
    let baseline_path = baseline_of(args.baseline.as_deref(), cur.instance.as_ref());
    let eval = judge(
        &args.policy,
        cur.instance.as_ref(),
        cur.governance,
        &cur.snapshot,
    )?;
    let mut files = Files::default();
    files.snapshot(&cur.snapshot)?;
    let baseline = match &baseline_path {
        Some(p) => Some(files.baseline(p)?),
        None => None,
    };
    let drift = baseline.as_ref().map(|b| diff::diff(b, &cur.snapshot));
    let code = found(cur.incomplete, drift.as_ref(), Some((&eval, &args.policy))).code();
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
    let mut run = run_record(args, &cur, baseline_label.as_deref(), code);
    // The policy first: the reports' header names each layer with its hash.
    let layers = policy_layers(&args.policy.source, cur.instance.as_ref());
    let layers = files.policy(layers.builtin, &layers.files)?;
    run.insert("policy_layers".to_owned(), Value::Array(layers));
    let history = trend::History {
        dir: trend::default_dir(args.history.as_deref(), &args.out),
        out: &args.out,
        per_instance,
        instance_id: run.get("instance_id").and_then(Value::as_str),
        instance: run.get("instance").and_then(Value::as_str),
    };
    let label = args.period.as_deref().unwrap_or("this audit");
    files.reports(&report, &run, trend::earlier(&history), label);
    if let Some(a) = attestations_file(&args.attest, cur.instance.as_ref()) {
        files.attestations(&a)?;
    }
    let manifest = evidence::write(&args.out, &files.0, run, args.sign_key.as_deref())?;
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

/// The manifest's `run` record: when, what, which instance, the period, the exit code, the HTTP
/// calls, and who ran it (the OS user, the CI actor and run, the commit).
fn run_record(
    args: &AuditArgs,
    cur: &Current,
    baseline: Option<&str>,
    code: u8,
) -> BTreeMap<String, Value> {
    let env = |k: &str| process_env(k).filter(|v| !v.is_empty());
    let created_at = jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_default();
    let setting = |path: &str| {
        crate::path::Path::parse(path)
            .ok()
            .and_then(|p| cur.snapshot.get(&p).cloned())
            .unwrap_or(Value::Null)
    };
    let ci_run_url = match (
        env("GITHUB_SERVER_URL"),
        env("GITHUB_REPOSITORY"),
        env("GITHUB_RUN_ID"),
    ) {
        (Some(s), Some(r), Some(id)) => Some(format!("{s}/{r}/actions/runs/{id}")),
        _ => env("CI_JOB_URL"),
    };
    let instance = cur.instance.as_ref();
    let commit = commit();
    BTreeMap::from([
        ("created_at".to_owned(), json!(created_at)),
        ("current".to_owned(), json!(cur.label)),
        ("baseline".to_owned(), json!(baseline)),
        ("instance".to_owned(), json!(instance.map(|i| &i.name))),
        ("instance_id".to_owned(), setting("instance.id")),
        (
            "fapi_host".to_owned(),
            match setting("instance.fapi_host") {
                Value::Null => json!(key_host(args, cur)),
                host => host,
            },
        ),
        ("environment".to_owned(), setting("instance.environment")),
        (
            "application_id".to_owned(),
            json!(application_id(args, cur)),
        ),
        ("period".to_owned(), json!(args.period)),
        ("exit_code".to_owned(), json!(code)),
        ("api_calls".to_owned(), cur.calls.clone()),
        (
            "collected_at".to_owned(),
            json!(cur.snapshot.meta.collected_at),
        ),
        (
            "operator".to_owned(),
            json!({
                "user": os_user(),
                "ci_actor": env("GITHUB_ACTOR").or_else(|| env("GITLAB_USER_LOGIN")),
                "ci_run_url": ci_run_url,
                "commit": commit.as_ref().map(|(c, _)| c),
                "commit_source": commit.as_ref().map(|(_, s)| s),
            }),
        ),
    ])
}

/// The Clerk application id: `--app`, else the instance's `platform_application_id`, else (for a
/// live pull, which read it) `CLERK_APPLICATION_ID` — as the Platform API was addressed.
fn application_id(args: &AuditArgs, cur: &Current) -> Option<String> {
    args.live
        .credentials
        .app
        .clone()
        .or_else(|| {
            cur.instance
                .as_ref()
                .and_then(|i| i.platform_application_id.clone())
        })
        .or_else(|| {
            args.snapshot
                .is_none()
                .then(|| process_env("CLERK_APPLICATION_ID"))
                .flatten()
        })
        .filter(|a| !a.is_empty())
}

/// The Frontend API host of a live pull's publishable key (`--publishable-key`, the instance's
/// `publishable_key`, else `CLERK_PUBLISHABLE_KEY`, as the pull chose it): the host when the
/// snapshot does not say (the Frontend API alone does not report it).
fn key_host(args: &AuditArgs, cur: &Current) -> Option<String> {
    if args.snapshot.is_some() {
        return None;
    }
    let text = args
        .live
        .credentials
        .publishable_key
        .clone()
        .or_else(|| {
            cur.instance
                .as_ref()
                .and_then(|i| i.publishable_key.clone())
        })
        .or_else(|| process_env("CLERK_PUBLISHABLE_KEY"))?;
    crate::clerk::keys::PublishableKey::parse(&text)
        .ok()
        .map(|k| k.fapi_host)
}

/// Who ran the audit: `$USER` (`%USERNAME%` on Windows), else the name the OS gives the
/// process's user (`id -un`, which asks the same user database as `getpwuid`, LDAP included;
/// the crate forbids `unsafe`, so it does not call libc itself). `None` only when the OS does
/// not know the user.
fn os_user() -> Option<String> {
    let env = |k: &str| process_env(k).filter(|v| !v.trim().is_empty());
    env("USER")
        .or_else(|| env("USERNAME"))
        .or_else(|| output_of("id", &["-un"]))
}

/// The commit audited and where it came from: CI's `GITHUB_SHA` or `CI_COMMIT_SHA`, else
/// `git rev-parse HEAD` of the repository the audit runs in (`repository`), else none.
fn commit() -> Option<(String, String)> {
    for var in ["GITHUB_SHA", "CI_COMMIT_SHA"] {
        if let Some(sha) = process_env(var).filter(|v| !v.trim().is_empty()) {
            return Some((sha.trim().to_owned(), var.to_owned()));
        }
    }
    output_of("git", &["rev-parse", "--verify", "--quiet", "HEAD"])
        .map(|sha| (sha, "repository".to_owned()))
}

/// The trimmed standard output of a successful `program args`, when not empty.
fn output_of(program: &str, args: &[&str]) -> Option<String> {
    std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// The cheap checks, before any request: nothing is sent when the bundle exists or an input is
/// wrong.
fn check_first(args: &AuditArgs, config: Option<&Config>) -> Result<()> {
    evidence::refuse_existing(&args.out)?;
    preflight::output_dir(&args.out)?;
    if let Some(key) = &args.sign_key {
        preflight::input_file(key, "--sign-key")?;
    }
    let instance = preflight::instance(config, &args.live, args.snapshot.is_some())?;
    preflight::inputs(
        &args.policy.source,
        &args.attest,
        instance.as_ref(),
        super::governance(config),
        baseline_of(args.baseline.as_deref(), instance.as_ref()).as_deref(),
    )?;
    Ok(())
}

/// `audit --all`: one bundle per instance of clerk-drift.toml in `--out`/NAME, in name order;
/// the exit code combines theirs (1 if any failed to run).
fn all(args: &AuditArgs, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    fleet::refuse_single(
        "audits",
        args.snapshot.is_some(),
        args.baseline.is_some(),
        &args.live,
    )?;
    let (config, names) = fleet::instances(args.live.config.as_deref())?;
    let mut out = String::new();
    let mut codes = Vec::new();
    // Cheap checks first, for every instance before any pull: an instance whose inputs are wrong
    // is an error without a request.
    let checked: Vec<(&String, AuditArgs, Result<()>)> = names
        .iter()
        .map(|name| {
            let mut one = args.clone();
            one.all = false;
            one.live.instance = Some(name.clone());
            one.out = args.out.join(name);
            // Earlier periods sit next to this one: HISTORY/<period>/<name>.
            one.history = Some(trend::default_dir(args.history.as_deref(), &args.out));
            let checked = check_first(&one, Some(&config));
            (name, one, checked)
        })
        .collect();
    for (name, one, checked) in checked {
        out.push_str(&format!("═══ instance {name} ═══\n"));
        match checked.and_then(|()| audit(&one, Some(&config), ui, Some((name, &args.out)))) {
            Ok(o) => {
                out.push_str(&o.stdout);
                codes.push(o.code);
            }
            Err(e) => {
                out.push_str(&super::error_block(&e));
                codes.push(exit::ERROR);
            }
        }
        out.push('\n');
    }
    let code = exit::combine(codes);
    out.push_str(&format!("All instances: exit {code}\n"));
    Ok(Outcome {
        stdout: out,
        code,
        styled: false,
    })
}
