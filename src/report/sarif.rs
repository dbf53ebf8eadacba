//! SARIF 2.1.0 (`--format sarif`) for GitHub code scanning: one reporting descriptor per policy
//! rule (with help text and remediation), one result per failing or waived finding (waived ones
//! carry an accepted `suppression` with the justification), stable `partialFingerprints`, and a
//! location on every result: the finding's setting path as a logical location and, when the run
//! has one, the line of that setting in the baseline (or checked snapshot) file (else a file that
//! exists: clerk-drift.toml or a recording's raw file, [`Site::fallback`]), named relative to
//! the repository root (`uriBaseId` [`SRCROOT`]) or by an absolute `file://` URI outside it. The
//! command layer finds the files on disk ([`Site`]). Validated against the official schema and
//! Microsoft's SARIF multitool in the tests and CI.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Report;
use super::locate::Lines;
use crate::policy::{Finding, Severity, Status};

/// Where the tool and its rules are documented.
pub const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// The `uriBaseId` of files in the repository: its root, which code scanning knows.
pub const SRCROOT: &str = "%SRCROOT%";

/// A file as SARIF names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uri {
    /// Relative to the repository root (`uriBaseId` [`SRCROOT`]), percent-encoded, `/`-separated.
    Repository(String),
    /// Outside the repository: an absolute `file://` URI.
    Absolute(String),
}

impl Uri {
    fn location(&self) -> Value {
        match self {
            Uri::Repository(uri) => json!({ "uri": uri, "uriBaseId": SRCROOT }),
            Uri::Absolute(uri) => json!({ "uri": uri }),
        }
    }
}

/// What the command layer found on disk for a run's SARIF.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// The instance the run judged, for `automationDetails.id` (`clerk-drift/plan/NAME/`).
    pub instance: Option<String>,
    /// The file the findings are located in (the baseline, else the checked snapshot file) and
    /// its text; none for a live run without a baseline, or a recording directory.
    pub artifact: Option<(Uri, String)>,
    /// The policy layer files, by the origin their rules carry.
    pub policies: BTreeMap<String, Uri>,
    /// Without an `artifact`: a file that exists to place every result on (code scanning rejects
    /// results without a file) and its line — clerk-drift.toml at the instance's table, or a
    /// recording's raw file at line 1.
    pub fallback: Option<(Uri, usize)>,
}

/// A rule's readable name: its id in PascalCase (`session.inactivity-timeout` →
/// `SessionInactivityTimeout`).
pub fn rule_name(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|first| first.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

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

/// Renders the SARIF log (pretty-printed, trailing newline). Without a policy it has no results.
pub fn render(r: &Report<'_>, site: &Site) -> String {
    let lines = site.artifact.as_ref().map(|(_, text)| Lines::new(text));
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
                "name": rule_name(&rule.id),
                "shortDescription": { "text": rule.title },
                "fullDescription": { "text": rationale },
                "help": {
                    "text": format!("{rationale}\n\nRemediation: {remediation}"),
                    "markdown": format!("{rationale}\n\n**Remediation:** {remediation}\n\nDefined in the {}.", defined_in(&rule.origin)),
                },
                "helpUri": format!("{INFORMATION_URI}/blob/main/docs/policy.md"),
                "defaultConfiguration": { "level": level(rule.severity) },
                "properties": {
                    "tags": tags,
                    "security-severity": security_severity(rule.severity),
                    "severity": rule.severity.as_str(),
                    "origin": origin(&rule.origin),
                },
            }));
            super::overrides::sarif_rule(rules.last_mut(), policy, &rule.id);
            for f in findings.iter().filter(|f| f.rule_id == rule.id) {
                let waived = f.waiver.is_some();
                if !(f.status == Status::Fail || (waived && f.status == Status::Unknown)) {
                    continue;
                }
                let mut location = json!({
                    "logicalLocations": [{
                        "fullyQualifiedName": f.target,
                        "kind": "member",
                    }],
                });
                if let (Some((uri, _)), Some(lines)) = (&site.artifact, &lines) {
                    let region = match lines.setting(&f.target) {
                        Some(p) => json!({ "startLine": p.line, "startColumn": p.column }),
                        None => json!({ "startLine": 1 }),
                    };
                    location["physicalLocation"] = json!({
                        "artifactLocation": uri.location(),
                        "region": region,
                    });
                } else if let Some((uri, line)) = &site.fallback {
                    location["physicalLocation"] = json!({
                        "artifactLocation": uri.location(),
                        "region": { "startLine": line },
                    });
                }
                let mut result = json!({
                    "ruleId": f.rule_id,
                    "ruleIndex": index,
                    "level": level(f.severity),
                    "message": { "text": format!("{}: {} ({})", f.title, f.detail, f.target) },
                    "locations": [location],
                    "partialFingerprints": { "clerkDriftFinding/v1": fingerprint(f) },
                    "properties": { "target": f.target, "status": super::json::status_name(f) },
                });
                // Where the rule is defined: a policy layer file (the built-in pack is embedded
                // in the tool, not a file of the repository; its rules say so in `properties`).
                if let Some(uri) = site.policies.get(&rule.origin) {
                    result["relatedLocations"] = json!([{
                        "id": 1,
                        "physicalLocation": { "artifactLocation": uri.location() },
                        "message": { "text": format!("rule `{}` is defined here", rule.id) },
                    }]);
                }
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
        super::overrides::sarif_disabled(
            &mut rules,
            policy,
            rule_name,
            &format!("{INFORMATION_URI}/blob/main/docs/policy.md"),
        );
    }
    let mut log = json!({
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
            "automationDetails": { "id": automation_id(r.command, site.instance.as_deref()) },
            "invocations": [invocation(r)],
            "columnKind": "utf16CodeUnits",
            "results": results,
            "properties": { "exitCode": r.exit_code },
        }]
    });
    let in_repository = site
        .artifact
        .iter()
        .map(|(uri, _)| uri)
        .chain(site.fallback.iter().map(|(uri, _)| uri))
        .chain(site.policies.values())
        .any(|uri| matches!(uri, Uri::Repository(_)));
    if in_repository {
        log["runs"][0]["originalUriBaseIds"] = json!({
            SRCROOT: {
                "description": {
                    "text": "The root of the repository: the git work tree holding the file, else the directory clerk-drift ran in."
                }
            }
        });
    }
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

/// The run's invocation: successful unless it is incomplete (exit code 1: some settings were not
/// observed, so its results are not the whole truth and must not close alerts), then with a
/// notification naming the settings whose rules could not be judged.
fn invocation(r: &Report<'_>) -> Value {
    if r.exit_code != crate::exit::ERROR {
        return json!({ "executionSuccessful": true });
    }
    let mut unobserved: Vec<&str> = r
        .policy
        .iter()
        .flat_map(|(_, findings, _)| findings.iter())
        .filter(|f| f.status == Status::Unknown)
        .map(|f| f.target.as_str())
        .collect();
    unobserved.sort_unstable();
    unobserved.dedup();
    let what = match unobserved.as_slice() {
        [] => "some settings were not observed".to_owned(),
        list => format!("not observed: {}", list.join(", ")),
    };
    json!({
        "executionSuccessful": false,
        "toolExecutionNotifications": [{
            "level": "error",
            "message": { "text": format!("The run is incomplete (exit code 1), its results are not the whole picture; {what}. The job log says why.") },
        }],
    })
}

/// `automationDetails.id`: the command and the instance, so that code scanning keeps each
/// instance's alerts apart (`clerk-drift/plan/prod/`; as `plan --all` names its runs).
pub fn automation_id(command: &str, instance: Option<&str>) -> String {
    match instance {
        Some(name) => format!("clerk-drift/{command}/{name}/"),
        None => format!("clerk-drift/{command}/"),
    }
}

/// Where a rule is defined, for its help: the built-in pack, or a policy layer file.
fn defined_in(origin: &str) -> String {
    if origin == crate::policy::BUILTIN_NAME {
        "built-in pack, embedded in clerk-drift".to_owned()
    } else {
        format!("policy layer `{origin}`")
    }
}

/// A rule's origin for its descriptor's properties: the built-in pack is embedded in the tool.
fn origin(origin: &str) -> String {
    if origin == crate::policy::BUILTIN_NAME {
        format!("built-in pack ({origin}, embedded in clerk-drift)")
    } else {
        origin.to_owned()
    }
}
