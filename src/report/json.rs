//! The JSON report (`--format json`): one versioned, deterministic document per run with every
//! drift entry and every finding. Documented in docs/output.md; `format_version` changes only
//! when a field changes meaning or goes away.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::Report;
use crate::diff::ChangeKind;
use crate::policy::{Finding, Status, Waiver};
use crate::snapshot::groups;

/// The JSON report's version.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct DriftEntry {
    path: String,
    kind: ChangeKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    before: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after: Option<Value>,
    /// Source of the current value (of the baseline's for a removal).
    #[serde(skip_serializing_if = "Option::is_none")]
    provenance: Option<&'static str>,
    /// Why the path is no longer observed (`unobserved` entries).
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// The plan group: a curated section (`session`) or an observed group (`fapi display_config`).
    group: String,
    /// Whether the value only changes how Clerk's pages look (`snapshot::groups::COSMETIC`).
    cosmetic: bool,
}

#[derive(Serialize)]
struct FindingEntry<'a> {
    rule_id: &'a str,
    title: &'a str,
    severity: &'a str,
    /// `fail`, `pass`, `unknown`, `not_applicable` or `waived`.
    status: &'static str,
    target: &'a str,
    message: &'a str,
    controls: BTreeMap<String, Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    waiver: Option<&'a Waiver>,
}

#[derive(Serialize)]
struct WaiverSection<'a> {
    expired: &'a [Waiver],
    invalid: Vec<InvalidWaiver<'a>>,
    unused: &'a [Waiver],
    expiring: &'a [Waiver],
}

#[derive(Serialize)]
struct InvalidWaiver<'a> {
    #[serde(flatten)]
    waiver: &'a Waiver,
    why: &'a str,
}

#[derive(Serialize)]
struct DisabledEntry<'a> {
    rule_id: &'a str,
    reason: &'a str,
    by: &'a str,
}

pub(crate) fn status_name(f: &Finding) -> &'static str {
    if f.waiver.is_some() {
        return "waived";
    }
    match f.status {
        Status::Fail => "fail",
        Status::Pass => "pass",
        Status::Unknown => "unknown",
        Status::NotApplicable => "not_applicable",
    }
}

/// Renders the JSON document (pretty-printed, trailing newline).
pub fn render(i: &Report<'_>) -> String {
    let mut text = serde_json::to_string_pretty(&document(i)).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON document as a value (what [`render`] prints), for callers that embed or read it.
pub fn document(i: &Report<'_>) -> Value {
    let mut doc = serde_json::Map::new();
    let put = |doc: &mut serde_json::Map<String, Value>, k: &str, v: Value| {
        doc.insert(k.to_owned(), v);
    };
    put(&mut doc, "format_version", Value::from(FORMAT_VERSION));
    put(
        &mut doc,
        "tool",
        serde_json::to_value(Tool {
            name: "clerk-drift",
            version: env!("CARGO_PKG_VERSION"),
        })
        .unwrap_or_default(),
    );
    put(&mut doc, "command", Value::from(i.command));
    put(&mut doc, "current", Value::from(i.current));
    if let Some(b) = i.baseline {
        put(&mut doc, "baseline", Value::from(b));
    }
    let mut summary = serde_json::Map::new();
    if let Some(drift) = i.drift {
        let entries: Vec<DriftEntry> = drift
            .changes
            .iter()
            .map(|c| {
                let source = match c.kind {
                    ChangeKind::Removed | ChangeKind::Unobserved => {
                        i.baseline_snapshot.and_then(|b| b.source_of(&c.path))
                    }
                    _ => i.snapshot.source_of(&c.path),
                };
                DriftEntry {
                    path: c.path.to_string(),
                    kind: c.kind,
                    before: c.before.clone(),
                    after: c.after.clone(),
                    provenance: source.map(crate::snapshot::Source::as_str),
                    reason: (c.kind == ChangeKind::Unobserved)
                        .then(|| i.snapshot.unobserved_reason(&c.path).map(str::to_owned))
                        .flatten(),
                    group: groups::group_of(&c.path).name,
                    cosmetic: groups::cosmetic(&c.path).is_some(),
                }
            })
            .collect();
        put(
            &mut doc,
            "drift",
            serde_json::to_value(entries).unwrap_or_default(),
        );
        let ignored: Vec<Value> = drift
            .ignored
            .iter()
            .map(|i| {
                serde_json::json!({
                    "path": i.change.path.to_string(),
                    "kind": i.change.kind,
                    "before": i.change.before,
                    "after": i.change.after,
                    "pattern": i.pattern,
                    "reason": i.reason,
                    "group": groups::group_of(&i.change.path).name,
                    "cosmetic": groups::cosmetic(&i.change.path).is_some(),
                })
            })
            .collect();
        put(&mut doc, "ignored", Value::Array(ignored));
        if let Some(note) = &drift.coverage {
            put(
                &mut doc,
                "coverage",
                serde_json::to_value(note).unwrap_or_default(),
            );
        }
        let count = |k: ChangeKind| Value::from(drift.count(k));
        let other = |cosmetic: bool| {
            drift
                .changes
                .iter()
                .filter(|c| c.kind.is_drift() && groups::is_observed(&c.path))
                .filter(|c| !cosmetic || groups::cosmetic(&c.path).is_some())
                .count()
        };
        summary.insert(
            "drift".into(),
            serde_json::json!({
                "other_settings": other(false),
                "cosmetic": other(true),
                "changed": count(ChangeKind::Changed),
                "added": count(ChangeKind::Added),
                "removed": count(ChangeKind::Removed),
                "unobserved": count(ChangeKind::Unobserved),
                "newly_observed": count(ChangeKind::NewlyObserved),
                "disagreement": count(ChangeKind::Disagreement),
                "ignored": drift.ignored.len(),
            }),
        );
    }
    if let Some((policy, findings, review)) = i.policy {
        put(&mut doc, "policy", Value::from(policy.origin.as_str()));
        let entries: Vec<FindingEntry> = findings
            .iter()
            .map(|f| FindingEntry {
                rule_id: &f.rule_id,
                title: &f.title,
                severity: f.severity.as_str(),
                status: status_name(f),
                target: &f.target,
                message: &f.detail,
                controls: policy
                    .rule(&f.rule_id)
                    .map(|r| r.controls.clone())
                    .unwrap_or_default(),
                waiver: f.waiver.as_ref(),
            })
            .collect();
        let mut counts: BTreeMap<&str, usize> =
            ["fail", "pass", "unknown", "not_applicable", "waived"]
                .into_iter()
                .map(|k| (k, 0))
                .collect();
        for e in &entries {
            *counts.entry(e.status).or_default() += 1;
        }
        summary.insert(
            "findings".into(),
            serde_json::to_value(counts).unwrap_or_default(),
        );
        put(
            &mut doc,
            "findings",
            serde_json::to_value(entries).unwrap_or_default(),
        );
        let section = WaiverSection {
            expired: &review.expired,
            invalid: review
                .invalid
                .iter()
                .map(|(w, why)| InvalidWaiver { waiver: w, why })
                .collect(),
            unused: &review.unused,
            expiring: &review.expiring,
        };
        put(
            &mut doc,
            "waivers",
            serde_json::to_value(section).unwrap_or_default(),
        );
        let disabled: Vec<DisabledEntry> = policy
            .disabled()
            .map(|(o, _)| DisabledEntry {
                rule_id: &o.rule,
                reason: o.reason.as_deref().unwrap_or(""),
                by: &o.by,
            })
            .collect();
        put(
            &mut doc,
            "disabled",
            serde_json::to_value(disabled).unwrap_or_default(),
        );
        super::overrides::put_json(&mut doc, policy);
    }
    put(&mut doc, "summary", Value::Object(summary));
    put(&mut doc, "exit_code", Value::from(i.exit_code));
    Value::Object(doc)
}
