//! The audit report (`report.html` in an evidence bundle): one self-contained file — inline CSS,
//! no scripts, no network — that an auditor opens or prints to PDF. Header, executive summary,
//! coverage gaps, the control matrix (framework control → rules → verdict → evidence), every
//! failing, unknown or waived finding with rationale, remediation and provenance, and the drift.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::Report;
use super::json::status_name;
use crate::diff::ChangeKind;
use crate::path::Path;
use crate::policy::{Finding, Severity, Status};
use crate::snapshot::{Snapshot, Source, schema};

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#1b1f24;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:2px solid #d0d7de;padding-bottom:.2rem}
table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.92em;word-break:break-all}
.meta td:first-child{width:12rem;color:#57606a}.fail{color:#cf222e;font-weight:600}.unknown{color:#9a6700;font-weight:600}
.waived{color:#0969da;font-weight:600}.pass{color:#1a7f37}.not_applicable{color:#6e7781}
.gaps{background:#fff8c5;border:1px solid #d4a72c;padding:.6rem 1rem}.finding{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1rem;margin:.8rem 0;page-break-inside:avoid}
.verdict{font-size:1.1rem;font-weight:600}
@media print{body{margin:0;max-width:none;font-size:11px}h2{page-break-after:avoid}a{color:inherit}}";

fn provenance(snap: &Snapshot, target: &str) -> String {
    let Ok(path) = Path::parse(target) else {
        return "—".into();
    };
    if snap.get(&path).is_none() {
        return snap
            .unobserved_reason(&path)
            .map_or_else(|| "not observed".to_owned(), |r| format!("unknown: {r}"));
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

/// `user alice · CI actor bob · run https://… · commit abc123`, from the manifest's operator.
fn operator(v: Option<&serde_json::Value>) -> String {
    let Some(serde_json::Value::Object(o)) = v else {
        return "—".into();
    };
    let parts: Vec<String> = [
        ("user", "user"),
        ("ci_actor", "CI actor"),
        ("ci_run_url", "run"),
        ("commit", "commit"),
    ]
    .iter()
    .filter_map(|(k, label)| {
        o.get(*k)
            .and_then(|v| v.as_str())
            .map(|s| format!("{label} {s}"))
    })
    .collect();
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join(" · ")
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

/// Renders the report. `run` holds manifest run metadata (period, created_at, operator…);
/// `trend` the earlier audits' numbers followed by this one's.
pub fn render(
    r: &Report<'_>,
    run: &BTreeMap<String, serde_json::Value>,
    trend: &[TrendPoint],
) -> String {
    let mut h = String::new();
    let meta = |k: &str| {
        run.get(k)
            .map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => "—".to_owned(),
                other => other.to_string(),
            })
            .unwrap_or_else(|| "—".to_owned())
    };
    let instance = meta("instance");
    let env = r
        .snapshot
        .get(&Path::parse("instance.environment").unwrap_or_default())
        .and_then(|v| v.as_str())
        .unwrap_or("unknown")
        .to_owned();
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>clerk-drift audit — {}</title><style>{CSS}</style></head><body>\n",
        esc(&instance)
    );
    let _ = write!(
        h,
        "<h1>Clerk security configuration audit</h1>\n<table class=\"meta\">\
         <tr><td>Instance</td><td>{}</td></tr><tr><td>Environment</td><td>{}</td></tr>\
         <tr><td>Period</td><td>{}</td></tr><tr><td>Run at (UTC)</td><td>{}</td></tr>\
         <tr><td>Data collected at</td><td>{}</td></tr><tr><td>Current</td><td><code>{}</code></td></tr>\
         <tr><td>Baseline</td><td><code>{}</code></td></tr><tr><td>Tool</td><td>clerk-drift {}</td></tr>\
         <tr><td>Operator</td><td>{}</td></tr><tr><td>Exit code</td><td>{}</td></tr></table>\n",
        esc(&instance),
        esc(&env),
        esc(&meta("period")),
        esc(&meta("created_at")),
        esc(&meta("collected_at")),
        esc(r.current),
        esc(r.baseline.unwrap_or("—")),
        env!("CARGO_PKG_VERSION"),
        esc(&operator(run.get("operator"))),
        r.exit_code
    );

    // Executive summary.
    h.push_str("<h2>Executive summary</h2>\n");
    if let Some((policy, findings, _)) = r.policy {
        h.push_str("<table><tr><th>Severity</th><th>Fail</th><th>Unknown</th><th>Waived</th><th>Pass</th></tr>\n");
        for sev in Severity::ALL {
            let n = |status: &str| {
                findings
                    .iter()
                    .filter(|f| f.severity == sev && status_name(f) == status)
                    .count()
            };
            let _ = writeln!(
                h,
                "<tr><td>{sev}</td><td class=\"fail\">{}</td><td class=\"unknown\">{}</td><td class=\"waived\">{}</td><td class=\"pass\">{}</td></tr>",
                n("fail"),
                n("unknown"),
                n("waived"),
                n("pass")
            );
        }
        let _ = writeln!(
            h,
            "</table>\n<p>Policy: <code>{}</code> — {} rules, {} disabled.</p>",
            esc(&policy.origin),
            policy.rules.len(),
            policy.disabled.len()
        );
    }
    if let Some(d) = r.drift {
        let _ = writeln!(
            h,
            "<p class=\"verdict\">Drift since the baseline: {} changed, {} added, {} removed, {} no longer observed.</p>",
            d.count(ChangeKind::Changed),
            d.count(ChangeKind::Added),
            d.count(ChangeKind::Removed),
            d.count(ChangeKind::Unobserved)
        );
    }

    if trend.len() > 1 {
        let _ = writeln!(
            h,
            "<h2>Posture over time ({} audits)</h2>\n{}",
            trend.len(),
            trend_svg(trend)
        );
    }

    // Coverage gaps, prominently.
    let gaps = &r.snapshot.coverage.unobserved;
    let _ = writeln!(h, "<h2>Coverage gaps ({})</h2>", gaps.len());
    if gaps.is_empty() {
        h.push_str("<p>Every setting was observed.</p>\n");
    } else {
        h.push_str("<div class=\"gaps\"><p>These settings were not observed; rules over them are <b>unknown</b>, never passed.</p><table><tr><th>Setting</th><th>Why</th></tr>\n");
        for g in gaps {
            let _ = writeln!(
                h,
                "<tr><td><code>{}</code></td><td>{}</td></tr>",
                esc(&g.path),
                esc(&g.reason)
            );
        }
        h.push_str("</table></div>\n");
    }

    if let Some((policy, findings, review)) = r.policy {
        // Control matrix: framework → control → rules → verdict → evidence.
        let mut matrix: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
        for rule in &policy.rules {
            for (framework, ids) in &rule.controls {
                for id in ids {
                    matrix.entry((framework, id)).or_default().push(&rule.id);
                }
            }
        }
        let _ = writeln!(h, "<h2>Control matrix ({} controls)</h2>", matrix.len());
        h.push_str("<table><tr><th>Framework</th><th>Control</th><th>Rules</th><th>Verdict</th><th>Evidence</th></tr>\n");
        for ((framework, control), rules) in &matrix {
            let verdict = worst(
                findings
                    .iter()
                    .filter(|f| rules.contains(&f.rule_id.as_str())),
            );
            let rules: Vec<String> = rules
                .iter()
                .map(|r| format!("<code>{}</code>", esc(r)))
                .collect();
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{verdict}\">{}</td><td><code>findings.json</code>, <code>snapshot.json</code></td></tr>",
                esc(framework),
                esc(control),
                rules.join("<br>"),
                verdict.replace('_', " ")
            );
        }
        h.push_str("</table>\n");

        // Findings that need attention.
        let open: Vec<&Finding> = findings
            .iter()
            .filter(|f| matches!(f.status, Status::Fail | Status::Unknown))
            .collect();
        let _ = writeln!(h, "<h2>Findings that need attention ({})</h2>", open.len());
        for f in open {
            let rule = policy.rule(&f.rule_id);
            let status = status_name(f);
            let _ = write!(
                h,
                "<div class=\"finding\"><p><span class=\"{status}\">{}</span> · {} · <code>{}</code> — {}</p>\
                 <p>Setting: <code>{}</code> — {}</p><p>Provenance: {}</p>",
                status.to_uppercase(),
                f.severity,
                esc(&f.rule_id),
                esc(&f.title),
                esc(&f.target),
                esc(&f.detail),
                esc(&provenance(r.snapshot, &f.target))
            );
            if let Some(w) = &f.waiver {
                let _ = write!(
                    h,
                    "<p>Waived until {} by {}: {} (<code>{}</code>)</p>",
                    w.expires,
                    esc(w.approved_by.as_deref().unwrap_or("—")),
                    esc(&w.reason),
                    esc(&w.origin)
                );
            }
            if let Some(rule) = rule {
                if let Some(t) = &rule.rationale {
                    let _ = write!(h, "<p><b>Why:</b> {}</p>", esc(t.trim()));
                }
                if let Some(t) = &rule.remediation {
                    let _ = write!(h, "<p><b>Fix:</b> {}</p>", esc(t.trim()));
                }
            }
            h.push_str("</div>\n");
        }
        // Every finding, with where its data came from.
        let _ = writeln!(h, "<h2>All findings ({})</h2>", findings.len());
        h.push_str("<table><tr><th>Verdict</th><th>Severity</th><th>Rule</th><th>Setting</th><th>Provenance</th></tr>\n");
        for f in findings.iter() {
            let status = status_name(f);
            let _ = writeln!(
                h,
                "<tr><td class=\"{status}\">{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                status.replace('_', " "),
                f.severity,
                esc(&f.rule_id),
                esc(&f.target),
                esc(&provenance(r.snapshot, &f.target))
            );
        }
        h.push_str("</table>\n");
        if !review.expired.is_empty() || !review.invalid.is_empty() {
            h.push_str("<h2>Waiver problems</h2><ul>\n");
            for w in &review.expired {
                let _ = writeln!(
                    h,
                    "<li>Expired {}: <code>{}</code> ({})</li>",
                    w.expires,
                    esc(&w.rule),
                    esc(&w.origin)
                );
            }
            for (w, why) in &review.invalid {
                let _ = writeln!(
                    h,
                    "<li>Invalid: <code>{}</code> ({}): {}</li>",
                    esc(&w.rule),
                    esc(&w.origin),
                    esc(why)
                );
            }
            h.push_str("</ul>\n");
        }
    }

    if let Some(d) = r.drift {
        let drifted: Vec<_> = d.changes.iter().filter(|c| c.kind.is_drift()).collect();
        let _ = writeln!(h, "<h2>Drift since the baseline ({})</h2>", drifted.len());
        if !drifted.is_empty() {
            h.push_str("<table><tr><th></th><th>Setting</th><th>Baseline</th><th>Now</th></tr>\n");
            for c in drifted {
                let kind = schema::kind_of(&c.path);
                let show = |v: &Option<serde_json::Value>| {
                    v.as_ref()
                        .map_or_else(String::new, |v| esc(&schema::display_value(kind, v)))
                };
                let sigil = match c.kind {
                    ChangeKind::Changed => "~",
                    ChangeKind::Added => "+",
                    _ => "−",
                };
                let _ = writeln!(
                    h,
                    "<tr><td>{sigil}</td><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td></tr>",
                    esc(&c.path.to_string()),
                    show(&c.before),
                    show(&c.after)
                );
            }
            h.push_str("</table>\n");
        }
    }
    h.push_str("<p><small>Generated by clerk-drift. Verify this bundle with <code>clerk-drift evidence verify</code> or <code>sha256sum -c SHA256SUMS</code>.</small></p>\n</body></html>\n");
    h
}
