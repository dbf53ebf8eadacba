//! The plan's closing lines: the one-line summary a reviewer scans, and the verdict.

use std::fmt::Write as _;

use super::drift::ByTarget;
use super::{HEADING, paint};
use crate::diff::{Change, ChangeKind, Drift};
use crate::policy::load::Evaluation;
use crate::policy::{Finding, Severity, Status};

/// The plan's closing lines: the one-line [`plan_summary`], then the verdict in bold.
pub fn render_verdict(out: &mut String, drift: &Drift, findings: &[Finding], verdict: &str) {
    let _ = writeln!(out, "\n{}", plan_summary(drift, findings));
    paint(out, HEADING, verdict);
    out.push('\n');
}

/// The plan's one-line summary, as a reviewer scans it:
/// `Drift: 3 changed, 2 added, 1 removed (4 security-relevant) · Policy: 2 high, 1 medium, 1 waived · 1 unknown`
pub fn plan_summary(drift: &Drift, findings: &[Finding]) -> String {
    let drifted: Vec<&Change> = drift.changes.iter().filter(|c| c.kind.is_drift()).collect();
    let judged = ByTarget::new(findings);
    let relevant = drifted
        .iter()
        .filter(|c| !judged.touching(&c.path.to_string()).is_empty())
        .count();
    let failing: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.status == Status::Fail && f.waiver.is_none())
        .collect();
    let mut policy: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|sev| {
            let n = failing.iter().filter(|f| f.severity == *sev).count();
            (n > 0).then(|| format!("{n} {sev}"))
        })
        .collect();
    if policy.is_empty() {
        policy.push("no failures".to_owned());
    }
    let waived = findings.iter().filter(|f| f.waiver.is_some()).count();
    if waived > 0 {
        policy.push(format!("{waived} waived"));
    }
    let unknown = findings
        .iter()
        .filter(|f| f.status == Status::Unknown && f.waiver.is_none())
        .count();
    format!(
        "Drift: {} changed, {} added, {} removed{} ({relevant} security-relevant) · Policy: {} · {unknown} unknown",
        drift.count(ChangeKind::Changed),
        drift.count(ChangeKind::Added),
        drift.count(ChangeKind::Removed),
        super::drift::disagreements(drift),
        policy.join(", "),
    )
}

/// `Verdict: drift (3 change(s)); 2 policy violation(s) at or above high; … → exit 6`: what
/// was found, in the terms of the exit code.
pub fn verdict(drift: &Drift, eval: &Evaluation, deny_unused_waivers: bool, code: u8) -> String {
    let changes = drift.changes.iter().filter(|c| c.kind.is_drift()).count();
    let mut parts = Vec::new();
    if drift.is_incomplete() {
        parts.push(format!(
            "incomplete data ({} setting(s) no longer observed)",
            drift.count(ChangeKind::Unobserved)
        ));
    }
    parts.push(if changes == 0 {
        "no drift".to_owned()
    } else {
        format!("drift ({changes} change(s))")
    });
    let n = eval.blocking();
    parts.push(match eval.threshold {
        Some(min) if n > 0 => format!("{n} policy violation(s) at or above {min}"),
        Some(min) => format!("no policy violations at or above {min}"),
        None => "policy not gating (--fail-on none)".to_owned(),
    });
    let waived = eval.findings.iter().filter(|f| f.waiver.is_some()).count();
    if waived > 0 {
        parts.push(format!("{waived} waived"));
    }
    let r = &eval.review;
    if r.is_bad(deny_unused_waivers) {
        let mut bad = Vec::new();
        if !r.expired.is_empty() {
            bad.push(format!("{} expired", r.expired.len()));
        }
        if !r.invalid.is_empty() {
            bad.push(format!("{} invalid", r.invalid.len()));
        }
        if deny_unused_waivers && !r.unused.is_empty() {
            bad.push(format!("{} unused", r.unused.len()));
        }
        parts.push(format!("waivers: {}", bad.join(", ")));
    }
    format!("Verdict: {} → exit {code}", parts.join("; "))
}
