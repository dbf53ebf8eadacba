//! The run header an audit report opens with — who ran it, what was audited, when, and under
//! which policy: period, run time, data collected at, operator, tool version and build commit,
//! the commit audited, the Clerk application and instance ids, the Frontend API host, the
//! environment, the current and baseline sources, each policy layer with its SHA-256 and the exit
//! code. Read from the evidence manifest's `run` record (`audit` writes it), so `report.md` and
//! `report.html` say exactly what `manifest.json` records.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::templates::{cell, code};

/// One line of the header: a label and its value, in parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub label: String,
    pub parts: Vec<Part>,
}

/// A piece of a value: plain text, or an identifier shown as code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    pub text: String,
    pub code: bool,
}

fn text(s: impl Into<String>) -> Part {
    Part {
        text: s.into(),
        code: false,
    }
}

fn id(s: impl Into<String>) -> Part {
    Part {
        text: s.into(),
        code: true,
    }
}

/// The `source` of the built-in pack's layer in `run.policy_layers`.
pub const BUILTIN: &str = "built-in";

/// What a value that was not recorded shows.
const NONE: &str = "—";

/// Splits a label such as ``live pull of instance `acme-prod` `` into text and code parts; any
/// other label is a file path, code as a whole.
pub fn label_parts(label: &str) -> Vec<Part> {
    if !label.starts_with("live pull") {
        return vec![id(label)];
    }
    label
        .split('`')
        .enumerate()
        .filter(|(_, s)| !s.is_empty())
        .map(|(i, s)| if i % 2 == 1 { id(s) } else { text(s) })
        .collect()
}

/// The rows of the header, from the manifest's `run` record.
pub fn rows(run: &BTreeMap<String, Value>) -> Vec<Row> {
    let s = |k: &str| run.get(k).and_then(Value::as_str).map(str::to_owned);
    let op = run.get("operator");
    let op_s = |k: &str| {
        op.and_then(|o| o.get(k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let row = |label: &str, parts: Vec<Part>| Row {
        label: label.to_owned(),
        parts,
    };
    let or_none = |v: Option<String>, as_code: bool| match v {
        Some(v) if as_code => vec![id(v)],
        Some(v) => vec![text(v)],
        None => vec![text(NONE)],
    };
    let mut operator = match op_s("user") {
        Some(u) => vec![text(format!("user {u}"))],
        None => vec![text("user unknown")],
    };
    if let Some(a) = op_s("ci_actor") {
        operator.push(text(format!(" · CI actor {a}")));
    }
    if let Some(u) = op_s("ci_run_url") {
        operator.push(text(" · run "));
        operator.push(id(u));
    }
    let commit = match op_s("commit") {
        Some(c) => {
            let from = match op_s("commit_source").as_deref() {
                Some("repository") => " (git rev-parse HEAD of the working directory)".to_owned(),
                Some(var) => format!(" ({var})"),
                None => String::new(),
            };
            vec![id(c), text(from)]
        }
        None => vec![text("— (not in CI and not in a git repository)")],
    };
    let mut instance = Vec::new();
    if let Some(name) = s("instance") {
        instance.push(text(format!("{name} · ")));
    }
    instance.extend(or_none(s("instance_id"), true));
    let collected = s("collected_at").map_or_else(
        || vec![text("— (not recorded in the snapshot)")],
        |t| vec![text(t)],
    );
    let mut out = vec![
        row("Period", or_none(s("period"), false)),
        row("Run at (UTC)", or_none(s("created_at"), false)),
        row("Data collected at", collected),
        row("Operator", operator),
        row(
            "Tool",
            vec![
                text(format!(
                    "clerk-drift {} · build ",
                    env!("CARGO_PKG_VERSION")
                )),
                id(env!("CLERK_DRIFT_COMMIT")),
            ],
        ),
        row("Commit audited", commit),
        row(
            "Clerk application",
            s("application_id").map_or_else(
                || {
                    vec![text(
                        "— (not given: --app, platform_application_id or CLERK_APPLICATION_ID)",
                    )]
                },
                |a| vec![id(a)],
            ),
        ),
        row("Instance", instance),
        row("Frontend API host", or_none(s("fapi_host"), true)),
        row("Environment", or_none(s("environment"), false)),
        row(
            "Current",
            s("current").map_or_else(|| vec![text(NONE)], |c| label_parts(&c)),
        ),
        row("Baseline", or_none(s("baseline"), true)),
    ];
    let layers = run
        .get("policy_layers")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (i, layer) in layers.iter().enumerate() {
        let f = |k: &str| layer.get(k).and_then(Value::as_str).unwrap_or(NONE);
        out.push(row(
            &format!("Policy layer {}", i + 1),
            vec![
                match f("source") {
                    BUILTIN => text("the built-in pack"),
                    source => id(source),
                },
                text(" → "),
                id(f("file")),
                text(" sha256 "),
                id(f("sha256")),
            ],
        ));
    }
    if layers.is_empty() {
        out.push(row("Policy layers", vec![text(NONE)]));
    }
    if let Some(code) = run.get("exit_code").and_then(Value::as_u64) {
        out.push(row("Exit code", vec![text(code.to_string())]));
    }
    out
}

/// The header as a Markdown table, followed by a blank line.
pub fn markdown(run: &BTreeMap<String, Value>) -> String {
    let mut md = String::from("# Clerk security configuration audit\n\n| | |\n|---|---|\n");
    for r in rows(run) {
        let value: String = r
            .parts
            .iter()
            .map(|p| {
                if p.code {
                    code(&p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect();
        md.push_str(&format!("| **{}** | {} |\n", cell(&r.label), cell(&value)));
    }
    md.push('\n');
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_label_with_backticks_is_text_and_code() {
        assert_eq!(
            label_parts("live pull of instance `acme-prod`"),
            vec![text("live pull of instance "), id("acme-prod")]
        );
        assert_eq!(label_parts("live pull"), vec![text("live pull")]);
        assert_eq!(label_parts("examples/a `b`"), vec![id("examples/a `b`")]);
    }

    #[test]
    fn markdown_header_names_every_field_and_escapes_cells() {
        let run = BTreeMap::from([
            ("period".to_owned(), json!("2026|Q4")),
            (
                "operator".to_owned(),
                json!({"user": "alice", "commit": "abc", "commit_source": "GITHUB_SHA"}),
            ),
            ("instance_id".to_owned(), json!("ins_1")),
            (
                "policy_layers".to_owned(),
                json!([{"source": "team.toml", "file": "policy/1-team.toml", "sha256": "00ff"}]),
            ),
        ]);
        let md = markdown(&run);
        assert!(md.contains("| **Period** | 2026\\|Q4 |\n"), "{md}");
        assert!(md.contains("| **Operator** | user alice |\n"), "{md}");
        assert!(
            md.contains("| **Commit audited** | `abc` (GITHUB_SHA) |\n"),
            "{md}"
        );
        assert!(md.contains("| **Instance** | `ins_1` |\n"), "{md}");
        assert!(md.contains("| **Frontend API host** | — |\n"), "{md}");
        assert!(
            md.contains(
                "| **Policy layer 1** | `team.toml` → `policy/1-team.toml` sha256 `00ff` |\n"
            ),
            "{md}"
        );
    }
}
