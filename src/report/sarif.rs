//! SARIF 2.1.0 (`--format sarif`) for GitHub code scanning: one reporting descriptor per policy
//! rule (with help text and remediation), one result per failing or waived finding (waived ones
//! carry an accepted `suppression` with the justification), stable `partialFingerprints`, and a
//! location on every result: the snapshot (or baseline) file, with the finding's setting path as a
//! logical location. Validated against the official schema in the tests.

use serde_json::json;
use sha2::{Digest, Sha256};

use super::Report;
use crate::policy::{Finding, Severity, Status};

/// Where the tool and its rules are documented.
pub const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (0–10) for its severity column.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// A stable identity for a finding across runs: rule id and target, not the message.
fn fingerprint(f: &Finding) -> String {
    let mut h = Sha256::new();
    h.update(f.rule_id.as_bytes());
    h.update([0]);
    h.update(f.target.as_bytes());
    hex::encode(h.finalize())
}

/// `file` as a SARIF URI: relative paths stay relative (GitHub resolves them against the
/// repository root), separators become `/`.
fn uri(file: &str) -> String {
    file.replace('\\', "/")
}

/// Renders the SARIF log (pretty-printed, trailing newline). Without a policy it has no results.
pub fn render(r: &Report<'_>) -> String {
    // The file in the repository the findings belong to: the committed baseline when there is
    // one (a live pull or a recording directory is not a file), else the checked snapshot.
    let artifact = match (r.baseline, r.current) {
        (Some(b), _) => b,
        (None, c) if c.starts_with("live pull") => "clerk-drift.toml",
        (None, c) => c,
    };
    let mut rules = Vec::new();
    let mut results = Vec::new();
    if let Some((policy, findings, _)) = r.policy {
        for (index, rule) in policy.rules.iter().enumerate() {
            let tags: Vec<String> = std::iter::once("security".to_owned())
                .chain(
                    rule.controls
                        .iter()
                        .flat_map(|(fw, ids)| ids.iter().map(move |id| format!("{fw}:{id}"))),
                )
                .collect();
            let remediation = rule.remediation.as_deref().unwrap_or("").trim();
            let rationale = rule.rationale.as_deref().unwrap_or(&rule.title).trim();
            rules.push(json!({
                "id": rule.id,
                "name": rule.id,
                "shortDescription": { "text": rule.title },
                "fullDescription": { "text": rationale },
                "help": {
                    "text": format!("{rationale}\n\nRemediation: {remediation}"),
                    "markdown": format!("{rationale}\n\n**Remediation:** {remediation}\n\nDefined in `{}`.", rule.origin),
                },
                "helpUri": format!("{INFORMATION_URI}/blob/main/docs/policy.md"),
                "defaultConfiguration": { "level": level(rule.severity) },
                "properties": {
                    "tags": tags,
                    "security-severity": security_severity(rule.severity),
                    "severity": rule.severity.as_str(),
                },
            }));
            super::overrides::sarif_rule(rules.last_mut(), policy, &rule.id);
            for f in findings.iter().filter(|f| f.rule_id == rule.id) {
                let waived = f.waiver.is_some();
                if !(f.status == Status::Fail || (waived && f.status == Status::Unknown)) {
                    continue;
                }
                let mut result = json!({
                    "ruleId": f.rule_id,
                    "ruleIndex": index,
                    "level": level(f.severity),
                    "message": { "text": format!("{}: {} ({})", f.title, f.detail, f.target) },
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": { "uri": uri(artifact) },
                            "region": { "startLine": 1 },
                        },
                        "logicalLocations": [{
                            "fullyQualifiedName": f.target,
                            "kind": "member",
                        }],
                    }],
                    // Where the rule is defined (the built-in pack or a policy layer).
                    "relatedLocations": [{
                        "id": 1,
                        "physicalLocation": {
                            "artifactLocation": { "uri": uri(&rule.origin) },
                        },
                        "message": { "text": format!("rule `{}` is defined here", rule.id) },
                    }],
                    "partialFingerprints": { "clerkDriftFinding/v1": fingerprint(f) },
                    "properties": { "target": f.target, "status": super::json::status_name(f) },
                });
                if let Some(w) = &f.waiver {
                    result["suppressions"] = json!([{
                        "kind": "external",
                        "status": "accepted",
                        "justification": format!(
                            "{} (approved by {}, expires {}, {})",
                            w.reason,
                            w.approved_by,
                            w.expires,
                            w.origin
                        ),
                    }]);
                }
                results.push(result);
            }
        }
        super::overrides::sarif_disabled(&mut rules, policy);
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "clerk-drift",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "automationDetails": { "id": format!("clerk-drift/{}/", r.command) },
            "columnKind": "utf16CodeUnits",
            "results": results,
            "properties": { "exitCode": r.exit_code },
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}
