//! `fix`: the remediation of the current snapshot towards the baseline (`--to baseline`) or
//! towards passing rules (`--to policy`): the Platform config merge patch (`-o FILE`), and one
//! block per change saying how to make it. Reads files only and sends nothing: no live pull
//! (`--snapshot` is required), no credential is looked up.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use serde_json::{Value, json};

use super::{baseline_path, discover_config, policy_layers, preflight, today};
use crate::cli::{FixArgs, FixFormat, FixTarget};
use crate::policy::eval::{Finding, Status};
use crate::policy::load::{Judging, judge};
use crate::remedy::{self, How, Remedy, Step, target::PolicyTarget};
use crate::snapshot;
use crate::{Outcome, fsx};

pub(super) fn run(args: &FixArgs) -> Result<Outcome> {
    let Some(current_path) = args.snapshot.as_deref() else {
        bail!(
            "fix sends nothing, so it never pulls: pass --snapshot FILE|DIR (make one with \
             `clerk-drift pull -o current.json`)"
        );
    };
    if let Some(out) = &args.output {
        preflight::output_file(out, "--output")?;
    }
    let config = discover_config(args.config.as_deref())?;
    let instance = match &config {
        Some(c) => c.instance(args.instance.as_deref())?.cloned(),
        None => None,
    };
    let current = snapshot::io::load(current_path)?;
    let layers = policy_layers(&args.policy, instance.as_ref());
    let policy = layers.load()?;
    let judging = || -> Result<Judging> {
        Ok(Judging {
            today: today()?,
            threshold: None,
            require_observed: false,
        })
    };
    let now = judge(policy.clone(), &current, judging()?);
    let (target_label, target, without_value) = match args.to {
        FixTarget::Baseline => {
            let path = baseline_path(args.baseline.as_deref(), instance.as_ref())?;
            let baseline = snapshot::io::load(&path)?;
            (
                format!("{} (baseline)", path.display()),
                baseline,
                Vec::new(),
            )
        }
        FixTarget::Policy => {
            let PolicyTarget {
                snapshot,
                without_value,
            } = remedy::target::policy_target(&current, &now.policy, &now.findings);
            ("the policy".to_owned(), snapshot, without_value)
        }
    };
    let then = judge(policy, &target, judging()?);
    let mut remedy = remedy::remedy(&current, &target);
    remedy.attach_rules(&fixed(&now.findings, &then.findings));
    let patch = remedy.patch.clone().unwrap_or_else(|| json!({}));
    if let Some(out) = &args.output {
        let mut text = serde_json::to_string_pretty(&patch).context("the patch as JSON")?;
        text.push('\n');
        fsx::write_atomic(out, text.as_bytes())?;
    }
    let app = instance
        .as_ref()
        .and_then(|i| i.platform_application_id.clone())
        .unwrap_or_else(|| "APP_ID".to_owned());
    let ins = current
        .get(&crate::path::Path::root().field("instance").field("id"))
        .and_then(Value::as_str)
        .map_or_else(|| "prod".to_owned(), str::to_owned);
    let stdout = match args.format {
        FixFormat::Json => {
            let mut text = serde_json::to_string_pretty(&document(&remedy, args, &without_value))
                .context("the fix as JSON")?;
            text.push('\n');
            text
        }
        FixFormat::Text => {
            let head = format!(
                "Fix: {} (current) -> {target_label}\n",
                current_path.display()
            );
            text(
                &head,
                &remedy,
                args.output.as_deref(),
                &without_value,
                (&app, &ins),
            )
        }
    };
    Ok(Outcome {
        stdout,
        code: 0,
        styled: false,
    })
}

/// Rules failing now (no waiver) that pass in the target: `(rule id, path judged)`.
fn fixed(now: &[Finding], then: &[Finding]) -> Vec<(String, String)> {
    now.iter()
        .filter(|f| f.status == Status::Fail && f.waiver.is_none())
        .filter(|f| {
            then.iter()
                .any(|t| t.rule_id == f.rule_id && t.target == f.target && t.status == Status::Pass)
        })
        .map(|f| (f.rule_id.clone(), f.target.clone()))
        .collect()
}

/// A path as a POSIX shell word: as is when only safe characters, else in single quotes.
pub(super) fn shell_quote(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// A JSON pointer as the dotted key a person reads (`auth_password.disable_hibp`).
fn dotted(ptr: &str) -> String {
    ptr.trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

fn text(
    head: &str,
    r: &Remedy,
    output: Option<&Path>,
    without_value: &[(String, String, Option<String>)],
    (app, ins): (&str, &str),
) -> String {
    let mut out = format!("{head}\n");
    if !r.observed.current || !r.observed.target {
        let which = match (r.observed.current, r.observed.target) {
            (false, false) => "either snapshot",
            (false, true) => "the current snapshot",
            _ => "the target snapshot",
        };
        let _ = writeln!(
            out,
            "The Platform config (plapi/config.json) was not observed in {which}: fix cannot tell \
             which of its keys differ, so the patch is empty. Settings it carries are named below; \
             pull with a Platform API key (CLERK_PLATFORM_API_KEY) for a patch.\n"
        );
    }
    if r.steps.is_empty() && without_value.is_empty() {
        out.push_str("Nothing to fix: no setting differs from the target.\n");
    }
    for (n, step) in r.steps.iter().enumerate() {
        block(&mut out, n + 1, step);
    }
    if !without_value.is_empty() {
        out.push_str("Failing rules that name no value to set (fix them by hand):\n");
        for (id, path, remediation) in without_value {
            let _ = writeln!(out, "  {id} ({path})");
            if let Some(text) = remediation {
                let _ = writeln!(out, "    {}", text.trim());
            }
        }
        out.push('\n');
    }
    if !r.unwritable.is_empty() {
        let keys: Vec<String> = r
            .unwritable
            .iter()
            .map(|p| format!("`{}`", dotted(p)))
            .collect();
        let _ = writeln!(
            out,
            "Cannot be restored by the patch: the target has null at {}, a key the current \
             config does not have (a patch's null clears a key; it cannot add one holding null); \
             set these in the Dashboard.\n",
            keys.join(", ")
        );
    }
    let Some(patch) = &r.patch else {
        out.push_str("No Platform config patch: nothing for `clerk config patch` to send.\n");
        return out;
    };
    let file = output.map_or("patch.json".to_owned(), |p| p.display().to_string());
    match output {
        Some(p) => {
            let _ = writeln!(out, "Platform config patch written to {}:", p.display());
        }
        None => out.push_str("Platform config patch (save it as patch.json, or pass -o FILE):\n"),
    }
    let pretty = serde_json::to_string_pretty(patch).unwrap_or_default();
    for line in pretty.lines() {
        let _ = writeln!(out, "  {line}");
    }
    let destructive = if r.deletes() { " --destructive" } else { "" };
    let _ = writeln!(
        out,
        "\nPreview, then apply, with Clerk's CLI (`--dry-run` validates on Clerk's side and shows \
         the result without saving it{}):\n  clerk config patch --app {app} --instance {ins} --file {file} --dry-run{destructive}\n  clerk config patch --app {app} --instance {ins} --file {file}{destructive}",
        if r.deletes() {
            "; the patch holds null, which clears a key: Clerk accepts it only with `--destructive`"
        } else {
            ""
        }
    );
    if let Some(v) = &r.config_version {
        let _ = writeln!(
            out,
            "The patch was made against config_version {v}: pull again if the instance changed since."
        );
    }
    out
}

fn block(out: &mut String, n: usize, step: &Step) {
    for (i, line) in step.lines.iter().enumerate() {
        let (from, to) = line.shown();
        let lead = if i == 0 {
            format!("{n}.")
        } else {
            "  ".to_owned()
        };
        let _ = writeln!(out, "{lead} {}: {from} -> {to}", line.path);
    }
    if !step.rules.is_empty() {
        let _ = writeln!(out, "   fixes: {}", step.rules.join(", "));
    }
    match &step.how {
        How::Patch { fields } => {
            let keys: Vec<String> = fields.iter().map(|f| format!("`{}`", dotted(f))).collect();
            let _ = writeln!(
                out,
                "   apply: the Platform config patch ({})",
                keys.join(", ")
            );
        }
        How::Requests { requests, page } => {
            out.push_str("   apply by hand (Backend API, with the secret key):\n");
            for r in requests {
                let _ = writeln!(out, "     {} https://api.clerk.com{}", r.method, r.path);
                if let Some(body) = &r.body {
                    let _ = writeln!(out, "     {body}");
                }
            }
            page_line(out, page.as_ref(), "or in the Dashboard");
        }
        How::Dashboard { why, page } => {
            let _ = writeln!(out, "   cannot be restored by clerk-drift: {why}");
            page_line(out, page.as_ref(), "Dashboard");
        }
        How::AddedSince => out.push_str(
            "   not in the baseline (added since): left as is, not deleted by the patch\n",
        ),
        How::Follows => out.push_str(
            "   follows from the Platform config patch (another reading of what it sets): \
             check with `clerk-drift plan` after applying\n",
        ),
        How::NotObserved { field } => {
            let f = field.as_deref().map(dotted).unwrap_or_default();
            let _ = writeln!(
                out,
                "   the Platform config carries this (`{f}`) but was not observed: not in the patch"
            );
        }
    }
    out.push('\n');
}

fn page_line(out: &mut String, page: Option<&remedy::Page>, label: &str) {
    match page {
        Some(remedy::Page {
            name,
            link: Some(link),
        }) => {
            let _ = writeln!(out, "   {label}: {name}, {link}");
        }
        Some(remedy::Page { name, link: None }) => {
            let _ = writeln!(out, "   {label}: the {name} page");
        }
        None => {}
    }
}

/// `--format json`: the patch and the steps, for machines.
fn document(
    r: &Remedy,
    args: &FixArgs,
    without_value: &[(String, String, Option<String>)],
) -> Value {
    let page = |p: &Option<remedy::Page>| {
        p.as_ref()
            .map(|p| json!({"name": p.name, "link": p.link}))
            .unwrap_or(Value::Null)
    };
    let steps: Vec<Value> = r
        .steps
        .iter()
        .map(|s| {
            let settings: Vec<Value> = s
                .lines
                .iter()
                .map(|l| json!({"path": l.path, "current": l.current, "target": l.target}))
                .collect();
            let apply = match &s.how {
                How::Patch { fields } => json!({"by": "platform_config_patch", "fields": fields}),
                How::Requests { requests, page: p } => json!({"by": "backend_api",
                    "requests": requests.iter().map(|r| json!({"method": r.method, "path": r.path, "body": r.body})).collect::<Vec<_>>(),
                    "page": page(p)}),
                How::Dashboard { why, page: p } => json!({"by": "dashboard", "why": why, "page": page(p)}),
                How::NotObserved { field } => json!({"by": "not_observed", "field": field}),
                How::Follows => json!({"by": "follows_from_patch"}),
                How::AddedSince => json!({"by": "added_since"}),
            };
            json!({"settings": settings, "rules": s.rules, "apply": apply})
        })
        .collect();
    json!({
        "fix_version": 1,
        "to": match args.to { FixTarget::Baseline => "baseline", FixTarget::Policy => "policy" },
        "platform_config": {
            "observed": {"current": r.observed.current, "target": r.observed.target},
            "config_version": r.config_version,
            "patch": r.patch,
            "unwritable": r.unwritable,
            "added_since": r.added_since,
            "destructive": r.deletes(),
        },
        "steps": steps,
        "rules_without_value": without_value.iter().map(|(id, path, text)| json!({"rule": id, "path": path, "remediation": text})).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn shell_quote_leaves_plain_paths_and_quotes_the_rest() {
        assert_eq!(
            super::shell_quote("baselines/acme-prod.json"),
            "baselines/acme-prod.json"
        );
        assert_eq!(
            super::shell_quote("my dir/it's.json"),
            "'my dir/it'\\''s.json'"
        );
        assert_eq!(super::shell_quote(""), "''");
    }
}
