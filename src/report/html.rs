//! The audit report (`report.html` in an evidence bundle): one self-contained file — inline CSS,
//! no scripts, no network — that an auditor opens or prints to PDF. Header, executive summary,
//! coverage gaps, the control matrix (framework control → rules → verdict → evidence), every
//! failing, unknown or waived finding with rationale, remediation and provenance, and the drift.
//! This file decides what is shown (the view, the provenance sentences, the trend chart); the
//! layout, CSS included, is the template `templates/report.html.j2`, which escapes every value
//! with `esc` (the chart's labels are escaped with it here).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use minijinja::Value;
use serde::Serialize;

use super::json::status_name;
use super::templates::{self, esc};
use super::{Report, controls, header};
use crate::diff::{ChangeKind, Drift};
use crate::path::Path;
use crate::policy::waivers::Review;
use crate::policy::{Finding, Policy, Severity, Status, Waiver};
use crate::snapshot::{Snapshot, Source, schema};

fn provenance(snap: &Snapshot, target: &str) -> String {
    let Ok(mut path) = Path::parse(target) else {
        return "—".into();
    };
    if snap.get(&path).is_none() {
        if let Some(r) = snap.unobserved_reason(&path) {
            return format!("unknown: {r}");
        }
        // An absent member — a set element (`instance.allowed_origins["http://x"]`), a claim a
        // template lacks (`jwt_templates[supabase].claims.aud`) — is observed with its nearest
        // observed ancestor.
        let Some(up) = (1..path.0.len())
            .rev()
            .find(|&n| snap.get(&Path(path.0[..n].to_vec())).is_some())
        else {
            return "not observed".to_owned();
        };
        path = Path(path.0[..up].to_vec());
    }
    match snap.source_of(&path) {
        Some(Source::Attested) => {
            let who = snap
                .meta
                .items
                .iter()
                .filter(|(k, _)| target.starts_with(k.as_str()))
                .max_by_key(|(k, _)| k.len())
                .and_then(|(_, v)| v.get("attested_by").and_then(|b| b.as_str()))
                .unwrap_or("someone");
            format!("attested by {who}")
        }
        Some(Source::ClerkFixed) => "fixed by Clerk (documented value)".into(),
        Some(s) => format!(
            "observed via the {}",
            match s {
                Source::Fapi => "Frontend API",
                Source::Bapi => "Backend API",
                _ => "Platform API",
            }
        ),
        None => "observed".into(),
    }
}

/// The worst verdict among findings: fail > unknown > waived > pass > not applicable.
fn worst<'a>(findings: impl Iterator<Item = &'a Finding>) -> &'static str {
    let rank = |s: &str| match s {
        "fail" => 4,
        "unknown" => 3,
        "waived" => 2,
        "pass" => 1,
        _ => 0,
    };
    findings
        .map(status_name)
        .max_by_key(|s| rank(s))
        .unwrap_or("not_applicable")
}

/// One audit's headline numbers, for the posture trend.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    /// The period (or bundle name) on the x axis.
    pub label: String,
    /// Failing findings by severity: critical, high, medium, low, info.
    pub failures: [usize; 5],
    pub unknown: usize,
    pub drift: usize,
}

impl TrendPoint {
    /// Reads the numbers from an earlier bundle's `findings.json` (the JSON report).
    pub fn from_findings(label: &str, findings: &serde_json::Value) -> Option<TrendPoint> {
        let list = findings.get("findings")?.as_array()?;
        let mut failures = [0; 5];
        let mut unknown = 0;
        for f in list {
            match f.get("status").and_then(|s| s.as_str()) {
                Some("fail") => {
                    let sev = f.get("severity").and_then(|s| s.as_str()).unwrap_or("info");
                    let i = ["critical", "high", "medium", "low", "info"]
                        .iter()
                        .position(|s| *s == sev)
                        .unwrap_or(4);
                    failures[i] += 1;
                }
                Some("unknown") => unknown += 1,
                _ => {}
            }
        }
        let d = findings.get("summary").and_then(|s| s.get("drift"));
        let n = |k: &str| {
            d.and_then(|d| d.get(k))
                .and_then(|v| v.as_u64())
                .unwrap_or(0) as usize
        };
        Some(TrendPoint {
            label: label.to_owned(),
            failures,
            unknown,
            drift: n("changed") + n("added") + n("removed"),
        })
    }
}

/// A trend line: name, colour, value.
type Series = (&'static str, &'static str, fn(&TrendPoint) -> usize);

/// The posture trend as an inline SVG line chart: failures (critical+high, medium, low+info),
/// unknowns and drift per audit.
pub fn trend_svg(points: &[TrendPoint]) -> String {
    let (w, hgt, left, bottom, top) = (800.0_f64, 240.0_f64, 48.0_f64, 40.0_f64, 16.0_f64);
    let series: [Series; 5] = [
        ("critical + high failures", "#cf222e", |p| {
            p.failures[0] + p.failures[1]
        }),
        ("medium failures", "#bc4c00", |p| p.failures[2]),
        ("low + info failures", "#9a6700", |p| {
            p.failures[3] + p.failures[4]
        }),
        ("unknown", "#8250df", |p| p.unknown),
        ("drift", "#0969da", |p| p.drift),
    ];
    let max = points
        .iter()
        .flat_map(|p| series.iter().map(move |(_, _, f)| f(p)))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let n = points.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            left + (w - left - 60.0) / 2.0
        } else {
            left + (w - left - 60.0) * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: usize| top + (hgt - top - bottom) * (1.0 - v as f64 / max);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{hgt}\" viewBox=\"0 0 {w} {hgt}\" role=\"img\" aria-label=\"posture over time\">\n\
         <line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#8c959f\"/><line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{}\" stroke=\"#8c959f\"/>\n\
         <text x=\"4\" y=\"{}\" font-size=\"11\">{}</text><text x=\"4\" y=\"{}\" font-size=\"11\">0</text>\n",
        hgt - bottom,
        w - 20.0,
        hgt - bottom,
        hgt - bottom,
        top + 4.0,
        max as usize,
        hgt - bottom
    );
    for (i, p) in points.iter().enumerate() {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            x(i),
            hgt - bottom + 16.0,
            esc(&p.label)
        );
    }
    for (k, (name, colour, f)) in series.iter().enumerate() {
        let pts: Vec<String> = points
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(f(p))))
            .collect();
        let _ = writeln!(
            svg,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
            pts.join(" ")
        );
        for (i, p) in points.iter().enumerate() {
            let _ = writeln!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\"><title>{}: {}</title></circle>",
                x(i),
                y(f(p)),
                esc(name),
                f(p)
            );
        }
        let _ = writeln!(
            svg,
            "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
            left + 150.0 * k as f64,
            hgt - 14.0,
            left + 14.0 + 150.0 * k as f64,
            hgt - 5.0,
            esc(name)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// What `report.html.j2` shows. Every string is escaped by the template; `trend` is the one
/// piece of markup, built (and escaped) by [`trend_svg`].
#[derive(Serialize)]
struct View<'a> {
    /// The title: the instance's name, else its id.
    instance: String,
    /// The audit's period (`--period`), for the page title.
    period: Option<String>,
    /// Who, what, when ([`header::rows`]).
    header: Vec<header::Row>,
    summary: Option<Summary<'a>>,
    drift: Option<DriftView>,
    trend: Option<Trend>,
    gaps_count: usize,
    gaps: Vec<Gap<'a>>,
    policy: Option<PolicyView<'a>>,
}

/// The executive summary of the policy: findings per severity and verdict.
#[derive(Serialize)]
struct Summary<'a> {
    severities: Vec<SeverityRow>,
    origin: &'a str,
    rules: usize,
    disabled: usize,
}

#[derive(Serialize)]
struct SeverityRow {
    severity: &'static str,
    fail: usize,
    unknown: usize,
    waived: usize,
    pass: usize,
}

#[derive(Serialize)]
struct Trend {
    audits: usize,
    svg: Value,
}

#[derive(Serialize)]
struct Gap<'a> {
    path: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct DriftView {
    changed: usize,
    added: usize,
    removed: usize,
    unobserved: usize,
    rows_count: usize,
    rows: Vec<ChangeRow>,
}

/// One drift row; an absent side is empty.
#[derive(Serialize)]
struct ChangeRow {
    sigil: &'static str,
    path: String,
    before: String,
    after: String,
}

#[derive(Serialize)]
struct PolicyView<'a> {
    controls_count: usize,
    controls: Vec<ControlRow<'a>>,
    /// Failing and unknown findings (waived ones included), most severe first.
    open_count: usize,
    open: Vec<FindingView<'a>>,
    findings_count: usize,
    findings: Vec<FindingView<'a>>,
    expired: Vec<WaiverView<'a>>,
    invalid: Vec<WaiverView<'a>>,
    overrides: Vec<super::overrides::Row<'a>>,
}

/// A framework control, the rules that implement it and their worst verdict.
#[derive(Serialize)]
struct ControlRow<'a> {
    framework: &'a str,
    control: &'a str,
    title: &'static str,
    rules: Vec<RuleCell<'a>>,
    verdict: &'static str,
    verdict_label: String,
}

/// A rule in the control matrix, with a note when a policy layer disabled or overrode it.
#[derive(Serialize)]
struct RuleCell<'a> {
    id: &'a str,
    note: Option<String>,
    disabled: bool,
}

#[derive(Serialize)]
struct FindingView<'a> {
    status: &'static str,
    status_label: String,
    severity: &'static str,
    rule_id: &'a str,
    /// Title, detail, rationale and remediation: escaped, their `code` spans as `<code>`.
    title: Value,
    target: &'a str,
    detail: Value,
    provenance: String,
    waiver: Option<WaiverView<'a>>,
    rationale: Option<Value>,
    remediation: Option<Value>,
}

/// Text as HTML: escaped ([`esc`]), and — as rule titles and messages are written for Markdown
/// too — each `` `code` `` span shown as `<code>`, never with literal backticks. An unpaired
/// backtick stays as it is.
fn code_spans(text: &str) -> Value {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return Value::from_safe_string(esc(text));
    }
    let mut html = String::with_capacity(text.len());
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            let _ = write!(html, "<code>{}</code>", esc(part));
        } else {
            html.push_str(&esc(part));
        }
    }
    Value::from_safe_string(html)
}

/// A waiver as the report names it; `why` only for an invalid one.
#[derive(Serialize)]
struct WaiverView<'a> {
    rule: &'a str,
    expires: String,
    approved_by: &'a str,
    reason: &'a str,
    origin: &'a str,
    why: &'a str,
}

impl<'a> WaiverView<'a> {
    fn new(w: &'a Waiver, why: &'a str) -> Self {
        WaiverView {
            rule: &w.rule,
            expires: w.expires.to_string(),
            approved_by: &w.approved_by,
            reason: &w.reason,
            origin: &w.origin,
            why,
        }
    }
}

fn summary<'a>(policy: &'a Policy, findings: &[Finding]) -> Summary<'a> {
    let severities = Severity::ALL
        .into_iter()
        .map(|sev| {
            let n = |status: &str| {
                findings
                    .iter()
                    .filter(|f| f.severity == sev && status_name(f) == status)
                    .count()
            };
            SeverityRow {
                severity: sev.as_str(),
                fail: n("fail"),
                unknown: n("unknown"),
                waived: n("waived"),
                pass: n("pass"),
            }
        })
        .collect();
    Summary {
        severities,
        origin: &policy.origin,
        rules: policy.rules.len(),
        disabled: policy.disabled().count(),
    }
}

fn drift_view(d: &Drift) -> DriftView {
    let rows: Vec<ChangeRow> = d
        .changes
        .iter()
        .filter(|c| c.kind.is_drift())
        .map(|c| {
            let kind = schema::kind_of(&c.path);
            let show = |v: &Option<serde_json::Value>| {
                v.as_ref()
                    .map_or_else(String::new, |v| schema::display_value(kind, v))
            };
            ChangeRow {
                sigil: match c.kind {
                    ChangeKind::Changed => "~",
                    ChangeKind::Added => "+",
                    ChangeKind::Disagreement => "≠",
                    _ => "−",
                },
                path: c.path.to_string(),
                before: show(&c.before),
                after: show(&c.after),
            }
        })
        .collect();
    DriftView {
        changed: d.count(ChangeKind::Changed),
        added: d.count(ChangeKind::Added),
        removed: d.count(ChangeKind::Removed),
        unobserved: d.count(ChangeKind::Unobserved),
        rows_count: rows.len(),
        rows,
    }
}

fn policy_view<'a>(
    snapshot: &Snapshot,
    policy: &'a Policy,
    findings: &'a [Finding],
    review: &'a Review,
) -> PolicyView<'a> {
    // Control matrix: framework → control → rules → verdict → evidence. A disabled rule
    // stays in it, marked, and its control is no pass.
    let mut matrix: BTreeMap<(&str, &str), Vec<RuleCell<'a>>> = BTreeMap::new();
    let enabled = policy.rules.iter().map(|r| (r, None));
    let disabled = policy.disabled().map(|(o, r)| (r, Some(o)));
    for (rule, disabled_by) in enabled.chain(disabled) {
        let note = match disabled_by {
            Some(o) => Some(format!("disabled by {}", o.by)),
            None => {
                controls::overridden_by(policy, &rule.id).map(|by| format!("overridden by {by}"))
            }
        };
        for (framework, ids) in &rule.controls {
            for id in ids {
                matrix.entry((framework, id)).or_default().push(RuleCell {
                    id: &rule.id,
                    note: note.clone(),
                    disabled: disabled_by.is_some(),
                });
            }
        }
    }
    // Framework, then control in natural order (checklist item 2 before 10).
    let mut matrix: Vec<_> = matrix.into_iter().collect();
    matrix.sort_by(|((fa, ca), _), ((fb, cb), _)| {
        controls::natural_cmp(fa, fb).then_with(|| controls::natural_cmp(ca, cb))
    });
    let controls: Vec<ControlRow<'a>> = matrix
        .into_iter()
        .map(|((framework, control), rules)| {
            let verdict = worst(findings.iter().filter(|f| {
                rules
                    .iter()
                    .any(|r| !r.disabled && r.id == f.rule_id.as_str())
            }));
            let off = rules.iter().filter(|r| r.disabled).count();
            let (verdict, verdict_label) = controls::with_disabled(verdict, off);
            ControlRow {
                framework,
                control,
                title: controls::title(framework, control),
                rules,
                verdict,
                verdict_label,
            }
        })
        .collect();
    let finding = |f: &'a Finding| {
        let status = status_name(f);
        let rule = policy.rule(&f.rule_id);
        FindingView {
            status,
            status_label: status.replace('_', " "),
            severity: f.severity.as_str(),
            rule_id: &f.rule_id,
            title: code_spans(&f.title),
            target: &f.target,
            detail: code_spans(&f.detail),
            provenance: provenance(snapshot, &f.target),
            waiver: f.waiver.as_ref().map(|w| WaiverView::new(w, "")),
            rationale: rule
                .and_then(|r| r.rationale.as_deref())
                .map(|t| code_spans(t.trim())),
            remediation: rule
                .and_then(|r| r.remediation.as_deref())
                .map(|t| code_spans(t.trim())),
        }
    };
    // Findings that need attention, most severe first (then in evaluation order): their heading
    // shows the verdict in capitals.
    let mut open: Vec<&Finding> = findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Unknown))
        .collect();
    open.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let open: Vec<FindingView<'a>> = open
        .into_iter()
        .map(|f| FindingView {
            status_label: status_name(f).to_uppercase(),
            ..finding(f)
        })
        .collect();
    PolicyView {
        controls_count: controls.len(),
        controls,
        open_count: open.len(),
        open,
        findings_count: findings.len(),
        findings: findings.iter().map(finding).collect(),
        expired: review
            .expired
            .iter()
            .map(|w| WaiverView::new(w, ""))
            .collect(),
        invalid: review
            .invalid
            .iter()
            .map(|(w, why)| WaiverView::new(w, why))
            .collect(),
        overrides: super::overrides::rows(policy),
    }
}

/// Renders the report. `run` holds manifest run metadata (period, created_at, operator…);
/// `trend` the earlier audits' numbers followed by this one's.
pub fn render(
    r: &Report<'_>,
    run: &BTreeMap<String, serde_json::Value>,
    trend: &[TrendPoint],
) -> String {
    let title = ["instance", "instance_id"]
        .iter()
        .find_map(|k| run.get(*k).and_then(|v| v.as_str()))
        .unwrap_or(r.current)
        .to_owned();
    let mut run = run.clone();
    // The report's own view of the run wins over a record that lacks it.
    run.entry("current".to_owned())
        .or_insert_with(|| r.current.into());
    if let Some(b) = r.baseline {
        run.entry("baseline".to_owned()).or_insert_with(|| b.into());
    }
    run.entry("exit_code".to_owned())
        .or_insert_with(|| r.exit_code.into());
    let gaps = &r.snapshot.coverage.unobserved;
    let view = View {
        period: run
            .get("period")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        instance: title,
        header: header::rows(&run),
        summary: r
            .policy
            .map(|(policy, findings, _)| summary(policy, findings)),
        drift: r.drift.map(drift_view),
        trend: (trend.len() > 1).then(|| Trend {
            audits: trend.len(),
            svg: Value::from_safe_string(trend_svg(trend)),
        }),
        gaps_count: gaps.len(),
        gaps: gaps
            .iter()
            .map(|g| Gap {
                path: &g.path,
                reason: &g.reason,
            })
            .collect(),
        policy: r
            .policy
            .map(|(policy, findings, review)| policy_view(r.snapshot, policy, findings, review)),
    };
    templates::render(templates::HTML, view)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Change;
    use serde_json::json;

    const HOSTILE: &str = "<script>alert('x')</script> \"quoted\" & more";
    const ESCAPED: &str =
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;quoted&quot; &amp; more";

    #[test]
    fn an_absent_member_has_its_nearest_observed_ancestors_provenance() {
        let mut snap = Snapshot::for_test(
            json!({"jwt_templates": {"supabase": {"claims": {"sub": "{{user.id}}"}}}}),
            &["session.claims"],
        );
        snap.provenance
            .insert("jwt_templates".to_owned(), Source::Bapi);
        // The template is observed and lacks the claim: that is observed too.
        assert_eq!(
            provenance(&snap, "jwt_templates[supabase].claims.aud"),
            "observed via the Backend API"
        );
        assert_eq!(
            provenance(&snap, "jwt_templates[supabase].claims.sub"),
            "observed via the Backend API"
        );
        // Nothing above it observed, or a path coverage says was not observed.
        assert_eq!(provenance(&snap, "instance.name"), "not observed");
        assert_eq!(
            provenance(&snap, "session.claims.aud"),
            "unknown: no source for session.claims"
        );
    }

    /// A report whose finding detail, setting value and coverage gap carry markup.
    fn hostile_report(trend: &[TrendPoint]) -> String {
        let snapshot = Snapshot::for_test(
            json!({"instance": {"environment": "production", "name": HOSTILE}}),
            &["session.claims"],
        );
        let drift = Drift {
            changes: vec![Change {
                path: Path::parse("instance.name").expect("path"),
                kind: ChangeKind::Changed,
                before: Some(json!("acme")),
                after: Some(json!(HOSTILE)),
            }],
            ignored: Vec::new(),
            coverage: None,
            switched_off: Vec::new(),
        };
        let policy = Policy {
            origin: "team/<policy>.toml".into(),
            rules: Vec::new(),
            overrides: Vec::new(),
            waivers: Vec::new(),
            max_waiver_days: 90,
        };
        let findings = [Finding {
            rule_id: "instance.name".into(),
            title: "Names are plain".into(),
            severity: Severity::High,
            status: Status::Fail,
            target: "instance.name".into(),
            detail: HOSTILE.into(),
            waiver: None,
        }];
        let review = Review::default();
        let report = Report {
            command: "audit",
            current: "snap/a&b.json",
            baseline: None,
            snapshot: &snapshot,
            drift: Some(&drift),
            baseline_snapshot: None,
            policy: Some((&policy, &findings, &review)),
            exit_code: 6,
        };
        let run = BTreeMap::from([("period".to_owned(), json!("2026 <Q4>"))]);
        render(&report, &run, trend)
    }

    #[test]
    fn every_value_is_escaped_as_esc_does() {
        let html = hostile_report(&[]);
        assert!(
            html.contains(&format!(
                "<p>Setting: <code>instance.name</code> — {ESCAPED}</p>"
            )),
            "finding detail: {html}"
        );
        // The drifted value is shown in its display form: a JSON string, quoted, `"` as `\"`.
        assert!(
            html.contains(
                "<tr><td>~</td><td><code>instance.name</code></td><td><code>&quot;acme&quot;</code></td>\
                 <td><code>&quot;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; \\&quot;quoted\\&quot; &amp; more&quot;</code></td></tr>"
            ),
            "drift row: {html}"
        );
        assert!(
            html.contains("<td>Period</td><td>2026 &lt;Q4&gt;</td>"),
            "{html}"
        );
        assert!(
            html.contains("<code>snap/a&amp;b.json</code>"),
            "`/` is left alone: {html}"
        );
        assert!(
            html.contains(
                "<p>Policy: <code>team/&lt;policy&gt;.toml</code> — 0 rules, 0 disabled.</p>"
            ),
            "{html}"
        );
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            !html.contains("&#x"),
            "minijinja's own escaper is not used: {html}"
        );
    }

    #[test]
    fn code_spans_are_code_and_everything_is_escaped() {
        assert_eq!(
            code_spans("carry an `aud` claim <b>").to_string(),
            "carry an <code>aud</code> claim &lt;b&gt;"
        );
        assert_eq!(
            code_spans("one ` backtick & more").to_string(),
            "one ` backtick &amp; more"
        );
    }

    #[test]
    fn the_trend_chart_is_markup_and_its_labels_are_escaped() {
        let point = |label: &str| TrendPoint {
            label: label.to_owned(),
            failures: [0, 1, 0, 0, 0],
            unknown: 0,
            drift: 1,
        };
        let html = hostile_report(&[point("2026-Q3"), point("Q4 <b>&</b>")]);
        assert!(
            html.contains(
                "<h2>Posture over time (2 audits)</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\""
            ),
            "{html}"
        );
        assert!(
            html.contains(">Q4 &lt;b&gt;&amp;&lt;/b&gt;</text>"),
            "{html}"
        );
        assert!(
            html.contains("</svg>\n\n<h2>Coverage gaps (1)</h2>"),
            "{html}"
        );
    }
}
