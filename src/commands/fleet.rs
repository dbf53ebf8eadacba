//! `--all`: the instances of clerk-drift.toml a fleet command runs over, after refusing the flags
//! that name a single instance's inputs (`plan --all` and `audit --all` share it), and the fleet's
//! reports in every format (`plan --all`).

use std::path::Path;

use anyhow::{Result, bail};

use super::{discover_config, output};
use crate::cli::{Format, LiveArgs};
use crate::config::Config;
use crate::{exit, report};

/// One instance of a fleet run, as its reports read it: its name and its human text and report,
/// or the error that stopped it.
pub(super) type Part<'a> = (
    &'a str,
    Result<(String, report::Report<'a>), &'a anyhow::Error>,
);

/// The fleet's report in `format`: SARIF and JUnit combine the instances' logs, JSON nests each
/// instance's document under its name, text and Markdown give one section each, in name order,
/// then the combined exit code; the Markdown's instances share `fit`'s budget. `config` is the
/// configuration file the instances come from.
pub(super) fn render(
    format: Format,
    parts: &[Part<'_>],
    code: u8,
    fit: output::Fit<'_>,
    config: Option<&std::path::Path>,
) -> String {
    match format {
        Format::Sarif => sarif(parts.iter().map(|(name, r)| {
            let log = r
                .as_ref()
                .map(|(human, p)| output::render(format, human, p, (Some(name), config), fit));
            (*name, log.map_err(|e| *e))
        })),
        Format::Junit => junit(parts.iter().map(|(name, r)| {
            (
                *name,
                r.as_ref()
                    .map(|(_, p)| report::junit::render(p))
                    .map_err(|e| *e),
            )
        })),
        Format::Json => {
            let mut instances = serde_json::Map::new();
            for (name, r) in parts {
                let v = match r {
                    Ok((_, p)) => report::json::document(p),
                    Err(e) => {
                        serde_json::json!({ "error": format!("{e:#}"), "exit_code": exit::ERROR })
                    }
                };
                instances.insert((*name).to_owned(), v);
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
        Format::Text | Format::Markdown => {
            // Each instance's Markdown gets an equal share of the budget, less the headings and
            // error blocks between them.
            let overhead: usize = parts
                .iter()
                .map(|(name, r)| {
                    name.len() + 32 + r.as_ref().err().map_or(0, |e| super::error_block(e).len())
                })
                .sum::<usize>()
                + 64;
            let share = output::Fit {
                budget: fit.budget.split(parts.len(), overhead),
                ..fit
            };
            let mut text = String::new();
            for (name, r) in parts {
                let heading = if format == Format::Markdown {
                    format!("# Instance `{name}`\n\n")
                } else {
                    format!("═══ instance {name} ═══\n")
                };
                text.push_str(&heading);
                match r {
                    Ok((human, p)) => {
                        text.push_str(&output::render(
                            format,
                            human,
                            p,
                            (Some(name), config),
                            share,
                        ));
                    }
                    Err(e) => text.push_str(&super::error_block(e)),
                }
                text.push('\n');
            }
            text.push_str(&format!("All instances: exit {code}\n"));
            text
        }
    }
}

/// Refuses flags that name one instance's inputs: each instance of `--all` has its own pull and
/// baseline. `verb` says what the command does to each ("plans", "audits").
pub(super) fn refuse_single(
    verb: &str,
    snapshot: bool,
    baseline: bool,
    live: &LiveArgs,
) -> Result<()> {
    if snapshot || baseline || live.instance.is_some() {
        bail!(
            "--all {verb} every instance of clerk-drift.toml from its own pull and baseline: drop --snapshot, --baseline and --instance"
        );
    }
    // A key names one instance: given for all, every instance would be pulled as that one.
    // (`--app` and `--platform-key-file` may be shared: an application's instances share its
    // id, and a Platform API key is the workspace's.)
    let c = &live.credentials;
    if c.publishable_key.is_some() || c.secret_key_file.is_some() {
        bail!(
            "--all {verb} every instance with its own keys: drop --publishable-key and --secret-key-file, and set `publishable_key` and `secret_key_env` (or `secret_key_file`) in each [instances.NAME] table"
        );
    }
    Ok(())
}

/// clerk-drift.toml and its instance names, in name order; an error without any.
pub(super) fn instances(config: Option<&Path>) -> Result<(Config, Vec<String>)> {
    let Some(config) = discover_config(config)? else {
        bail!("--all needs a clerk-drift.toml with [instances.NAME] tables");
    };
    let names: Vec<String> = config.instances.keys().cloned().collect();
    if names.is_empty() {
        bail!(
            "{} defines no [instances.NAME] table",
            config.path.display()
        );
    }
    Ok((config, names))
}

/// One SARIF log for a fleet: each instance's run, its `automationDetails.id` naming the
/// instance (`clerk-drift/plan/NAME/`, so code scanning keeps their alerts apart). An instance
/// that failed has no run at all: an empty run uploaded would close its open alerts, while
/// without one code scanning keeps its previous analysis (the failure is in the log, the exit
/// code and the other formats).
fn sarif<'a>(
    instances: impl Iterator<Item = (&'a str, Result<String, &'a anyhow::Error>)>,
) -> String {
    let mut runs = Vec::new();
    let mut schema = serde_json::Value::Null;
    for (name, r) in instances {
        let id = serde_json::json!({ "id": format!("clerk-drift/plan/{name}/") });
        if let Ok(Ok(mut log)) = r.map(|text| serde_json::from_str::<serde_json::Value>(&text)) {
            schema = log["$schema"].clone();
            if let Some(list) = log["runs"].as_array_mut() {
                for run in list.iter_mut() {
                    run["automationDetails"] = id.clone();
                    run["properties"]["instance"] = serde_json::json!(name);
                }
                runs.append(list);
            }
        }
    }
    if schema.is_null() {
        schema = serde_json::json!("https://json.schemastore.org/sarif-2.1.0.json");
    }
    let mut text = serde_json::to_string_pretty(&serde_json::json!({
        "$schema": schema,
        "version": "2.1.0",
        "runs": runs,
    }))
    .unwrap_or_default();
    text.push('\n');
    text
}

/// One JUnit report for a fleet: each instance's suites, named `NAME: drift`, `NAME: policy`; an
/// instance that failed is a suite `NAME` with one errored test.
fn junit<'a>(
    instances: impl Iterator<Item = (&'a str, Result<String, &'a anyhow::Error>)>,
) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"clerk-drift plan --all\">\n",
    );
    for (name, r) in instances {
        let name_attr = xml_escape(name);
        match r {
            Ok(text) => {
                for line in text.lines() {
                    let t = line.trim_start();
                    if t.starts_with("<?xml")
                        || t.starts_with("<testsuites")
                        || t.starts_with("</testsuites")
                    {
                        continue;
                    }
                    out.push_str(&line.replacen(
                        "<testsuite name=\"",
                        &format!("<testsuite name=\"{name_attr}: "),
                        1,
                    ));
                    out.push('\n');
                }
            }
            Err(e) => {
                let message = xml_escape(&format!("{e:#}"));
                out.push_str(&format!(
                    "    <testsuite name=\"{name_attr}\" tests=\"1\" disabled=\"0\" errors=\"1\" failures=\"0\">\n        <testcase name=\"plan {name_attr}\">\n            <error message=\"{message}\"/>\n        </testcase>\n    </testsuite>\n"
                ));
            }
        }
    }
    out.push_str("</testsuites>\n");
    out
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
