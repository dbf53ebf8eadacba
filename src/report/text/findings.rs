//! Findings and waivers as text: the findings list with coloured statuses, waiver problems and
//! notices, and the lines `baseline accept` shows for what still fails.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use super::{BAD, fg, paint};
use crate::policy::load::Evaluation;
use crate::policy::{Finding, Severity, Status};

/// A finding's status word in the findings list (`FAIL`, `WAIVED`, …) and its style.
fn status_word(f: &Finding) -> (String, Style) {
    let style = match (&f.waiver, f.status) {
        (Some(_), _) => return ("WAIVED".to_owned(), fg(AnsiColor::Cyan)),
        (None, Status::Fail) => BAD,
        (None, Status::Unknown) => fg(AnsiColor::Yellow),
        (None, Status::Pass) => fg(AnsiColor::Green),
        (None, Status::NotApplicable) => Style::new().dimmed(),
    };
    (f.status.as_str().to_uppercase(), style)
}

/// Failing and unknown findings (and, with `verbose`, passing and not-applicable ones), then a
/// summary line.
pub fn render_findings(out: &mut String, findings: &[Finding], policy_origin: &str, verbose: bool) {
    let _ = writeln!(out, "Policy {policy_origin}:");
    let mut sorted: Vec<&Finding> = findings
        .iter()
        .filter(|f| verbose || matches!(f.status, Status::Fail | Status::Unknown))
        .collect();
    sorted.sort_by(|a, b| {
        a.status
            .cmp(&b.status)
            .then(b.severity.cmp(&a.severity))
            .then(a.rule_id.cmp(&b.rule_id))
            .then(a.target.cmp(&b.target))
    });
    if sorted.is_empty() {
        out.push_str("  every rule passed\n");
    }
    let width = sorted.iter().map(|f| f.rule_id.len()).max().unwrap_or(0);
    for f in sorted {
        let (status, style) = status_word(f);
        out.push_str("  ");
        paint(out, style, &status);
        let _ = write!(
            out,
            "{:pad$} {:<8} {:<width$}  {}",
            "",
            f.severity.as_str(),
            f.rule_id,
            f.target,
            pad = 7usize.saturating_sub(status.chars().count())
        );
        if !f.detail.is_empty() {
            let _ = write!(out, ": {}", f.detail);
        }
        if let Some(w) = &f.waiver {
            let _ = write!(
                out,
                "\n          waived until {}, approved by {}: {} ({})",
                w.expires, w.approved_by, w.reason, w.origin
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "\n{}", findings_summary(findings));
}

/// Waiver problems and notices, after the findings.
pub fn render_waivers(
    out: &mut String,
    review: &crate::policy::waivers::Review,
    today: jiff::civil::Date,
) {
    let mut lines = Vec::new();
    let bad = |word: &str| {
        let mut s = String::new();
        paint(&mut s, BAD, word);
        s
    };
    let unused = |w: &crate::policy::Waiver| review.unused.contains(w);
    for w in &review.expired {
        let then = if unused(w) {
            "and matches no finding: remove it"
        } else {
            "— the finding counts again"
        };
        lines.push(format!(
            "  {}  {} `{}`{} expired {} {then} (exit bit 8)",
            bad("EXPIRED"),
            w.origin,
            w.rule,
            target(w),
            w.expires
        ));
    }
    for (w, why) in &review.invalid {
        lines.push(format!(
            "  {}  {} `{}`{}: {why} — not applied (exit bit 8)",
            bad("INVALID"),
            w.origin,
            w.rule,
            target(w)
        ));
    }
    let days = |w: &crate::policy::Waiver| w.expires.since(today).map_or(0, |s| s.get_days());
    for w in review.unused.iter().filter(|w| !review.expired.contains(w)) {
        let expiring = if review.expiring.contains(w) {
            format!(" and expires {} (in {} day(s))", w.expires, days(w))
        } else {
            String::new()
        };
        lines.push(format!(
            "  UNUSED   {} `{}`{} matches no failing or unknown finding{expiring}: remove it",
            w.origin,
            w.rule,
            target(w)
        ));
    }
    for w in review.expiring.iter().filter(|w| !unused(w)) {
        let days = days(w);
        lines.push(format!(
            "  EXPIRING {} `{}`{} expires {} (in {days} day(s))",
            w.origin,
            w.rule,
            target(w),
            w.expires
        ));
    }
    if !lines.is_empty() {
        let _ = writeln!(out, "\nWaivers:");
        for l in lines {
            let _ = writeln!(out, "{l}");
        }
    }
}

pub(super) fn target(w: &crate::policy::Waiver) -> String {
    w.target
        .as_deref()
        .map(|t| format!(" on {t}"))
        .unwrap_or_default()
}

/// `baseline accept`: the findings the accepted configuration still fails, one line each.
pub fn render_still_failing(out: &mut String, failing: &[&Finding]) {
    for f in failing {
        out.push_str("  ");
        paint(out, BAD, "FAIL");
        let _ = writeln!(
            out,
            "    {:<8} {}  {}: {}",
            f.severity.as_str(),
            f.rule_id,
            f.target,
            f.detail
        );
    }
}

/// `Policy: 3 failed (2 high, 1 medium), 12 passed, 1 unknown, 2 not applicable`
pub fn findings_summary(findings: &[Finding]) -> String {
    let count = |s: Status| {
        findings
            .iter()
            .filter(|f| f.status == s && f.waiver.is_none())
            .count()
    };
    let waived = findings.iter().filter(|f| f.waiver.is_some()).count();
    let by_sev: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|sev| {
            let n = findings
                .iter()
                .filter(|f| f.status == Status::Fail && f.severity == *sev && f.waiver.is_none())
                .count();
            (n > 0).then(|| format!("{n} {sev}"))
        })
        .collect();
    let failed = count(Status::Fail);
    let failed = if by_sev.is_empty() {
        format!("{failed} failed")
    } else {
        format!("{failed} failed ({})", by_sev.join(", "))
    };
    let waived = if waived > 0 {
        format!(", {waived} waived")
    } else {
        String::new()
    };
    format!(
        "Policy: {failed}, {} passed, {} unknown, {} not applicable{waived}",
        count(Status::Pass),
        count(Status::Unknown),
        count(Status::NotApplicable)
    )
}

/// An evaluation as `check` and `plan` show it: the findings, the waiver review, the overrides.
pub fn render_evaluation(out: &mut String, eval: &Evaluation, verbose: bool) {
    render_findings(out, &eval.findings, &eval.policy.origin, verbose);
    render_waivers(out, &eval.review, eval.today);
    crate::report::overrides::render_text(out, &eval.policy);
}
