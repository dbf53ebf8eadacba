//! Overrides on the record, in every format: each `[[override]]` of a rule with its `file:line`
//! and each field before → after (a disabled rule: `status: enabled → disabled` and the reason).
//! The renderers call these with one line each: the text block of `check`/`plan`, the JSON
//! `overrides` array, the rows the Markdown and HTML templates lay out, the SARIF rule
//! properties, and the lines `policy list` and `policy explain` add. No override, no output.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Value, json};

use crate::policy::{FieldChange, Override, Policy};

/// A field's value as a person reads it: titles in quotes, the rest as they are.
fn shown(field: &str, value: &str) -> String {
    if field == "title" {
        format!("\"{value}\"")
    } else {
        value.to_owned()
    }
}

/// `severity: high → critical`.
fn change_line(c: &FieldChange) -> String {
    format!(
        "{}: {} → {}",
        c.field,
        shown(c.field, &c.before),
        shown(c.field, &c.after)
    )
}

/// The text block of `check` and `plan`, after the waivers: one line per override (`OVERRIDE` or
/// `DISABLED`, the rule, file:line, the reason), then one line per field it changed.
pub fn render_text(out: &mut String, policy: &Policy) {
    if policy.overrides.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nOverrides:");
    for o in &policy.overrides {
        let word = if o.disabled.is_some() {
            "DISABLED"
        } else {
            "OVERRIDE"
        };
        let reason = o
            .reason
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        let _ = writeln!(out, "  {word} `{}` by {}{reason}", o.rule, o.by);
        if o.disabled.is_none() {
            for c in &o.changes {
                let _ = writeln!(out, "           {}", change_line(c));
            }
        }
    }
}

#[derive(Serialize)]
struct JsonEntry<'a> {
    rule_id: &'a str,
    by: &'a str,
    defined_in: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    changes: &'a [FieldChange],
}

fn json_entry(o: &Override) -> JsonEntry<'_> {
    JsonEntry {
        rule_id: &o.rule,
        by: &o.by,
        defined_in: &o.defined_in,
        reason: o.reason.as_deref(),
        changes: &o.changes,
    }
}

/// The JSON report's top-level `overrides` array, put into `doc` when there is an override.
pub fn put_json(doc: &mut serde_json::Map<String, Value>, policy: &Policy) {
    if policy.overrides.is_empty() {
        return;
    }
    let entries: Vec<JsonEntry> = policy.overrides.iter().map(json_entry).collect();
    doc.insert(
        "overrides".to_owned(),
        serde_json::to_value(entries).unwrap_or_default(),
    );
}

/// One override as the Markdown and HTML templates lay it out.
#[derive(Clone, Serialize)]
pub struct Row<'a> {
    rule: &'a str,
    by: &'a str,
    defined_in: &'a str,
    disabled: bool,
    reason: Option<&'a str>,
    /// `severity: high → critical`, one per field (none for a disabled rule: `disabled` says it).
    changes: Vec<String>,
}

/// The rows of the Markdown and HTML "Overrides" sections (empty: no section).
pub fn rows(policy: &Policy) -> Vec<Row<'_>> {
    policy
        .overrides
        .iter()
        .map(|o| Row {
            rule: &o.rule,
            by: &o.by,
            defined_in: &o.defined_in,
            disabled: o.disabled.is_some(),
            reason: o.reason.as_deref(),
            changes: if o.disabled.is_some() {
                Vec::new()
            } else {
                o.changes.iter().map(change_line).collect()
            },
        })
        .collect()
}

/// The SARIF property naming a rule's overrides.
pub const SARIF_PROPERTY: &str = "clerk-drift/overrides";

/// Adds `properties."clerk-drift/overrides"` to the reporting descriptor of rule `id` when a layer
/// overrode it.
pub fn sarif_rule(descriptor: Option<&mut Value>, policy: &Policy, id: &str) {
    let entries: Vec<JsonEntry> = policy.overrides_of(id).map(json_entry).collect();
    if let Some(d) = descriptor
        && !entries.is_empty()
    {
        d["properties"][SARIF_PROPERTY] = serde_json::to_value(entries).unwrap_or_default();
    }
}

/// Appends a reporting descriptor for each disabled rule, `defaultConfiguration.enabled: false`,
/// with its override in the properties: a disabled rule stays on the record, with no result.
/// `name` makes a rule's readable name and `help_uri` is the descriptors' `helpUri`, as the SARIF
/// renderer gives its other rules.
pub fn sarif_disabled(
    rules: &mut Vec<Value>,
    policy: &Policy,
    name: fn(&str) -> String,
    help_uri: &str,
) {
    for (o, rule) in policy.disabled() {
        rules.push(json!({
            "id": rule.id,
            "name": name(&rule.id),
            "shortDescription": { "text": rule.title },
            "fullDescription": {
                "text": format!("Disabled by {}: {}", o.by, o.reason.as_deref().unwrap_or("")),
            },
            "helpUri": help_uri,
            "defaultConfiguration": { "enabled": false },
            "properties": {
                "severity": rule.severity.as_str(),
                SARIF_PROPERTY: [json_entry(o)],
            },
        }));
    }
}

/// `policy list`: the line under an overridden rule, one per override.
pub fn list_lines(out: &mut String, policy: &Policy, id: &str, indent: usize) {
    for o in policy.overrides_of(id).filter(|o| o.disabled.is_none()) {
        let changes: Vec<String> = o.changes.iter().map(change_line).collect();
        let _ = writeln!(
            out,
            "{:indent$}↳ overridden by {}: {}",
            "",
            o.by,
            changes.join("; ")
        );
    }
}

/// `policy explain`: what overrode the rule (or disabled it), where, and what it was before.
pub fn explain_lines(out: &mut String, policy: &Policy, id: &str) {
    for o in policy.overrides_of(id) {
        let reason = o
            .reason
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        if o.disabled.is_some() {
            let _ = writeln!(out, "DISABLED by {}{reason} — it produces no finding", o.by);
            continue;
        }
        let _ = writeln!(out, "overridden by {}{reason}:", o.by);
        for c in &o.changes {
            let _ = writeln!(out, "  {}", change_line(c));
        }
    }
}
