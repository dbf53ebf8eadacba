//! The Markdown report (`--format markdown`): compact, for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`. Failing, unknown and waived findings are listed; passing ones are
//! counted. Deterministic.

use std::fmt::Write as _;

use super::Report;
use super::json::status_name;
use crate::diff::ChangeKind;
use crate::policy::Status;
use crate::snapshot::schema;

/// Escapes text for a GFM table cell: the table parser turns `\|` back into `|`, even inside code
/// spans; other backslashes are left alone so that code spans show them as they are.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "'"))
}

fn verdict(exit_code: u8) -> String {
    if exit_code == 0 {
        return "✅ clean".to_owned();
    }
    if exit_code == 1 {
        return "⚠️ error or incomplete data".to_owned();
    }
    let mut parts = Vec::new();
    if exit_code & 2 != 0 {
        parts.push("drift");
    }
    if exit_code & 4 != 0 {
        parts.push("policy violations");
    }
    if exit_code & 8 != 0 {
        parts.push("waiver problems");
    }
    format!("❌ {}", parts.join(", "))
}

/// Renders the report.
pub fn render(r: &Report<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## clerk-drift {}: {} (exit {})\n",
        r.command,
        verdict(r.exit_code),
        r.exit_code
    );
    let _ = write!(out, "**Current:** {}", code(r.current));
    if let Some(b) = r.baseline {
        let _ = write!(out, " · **Baseline:** {}", code(b));
    }
    out.push_str("\n\n");

    if let Some(drift) = r.drift {
        let drifted: Vec<_> = drift.changes.iter().filter(|c| c.kind.is_drift()).collect();
        let _ = writeln!(
            out,
            "### Drift: {} changed, {} added, {} removed",
            drift.count(ChangeKind::Changed),
            drift.count(ChangeKind::Added),
            drift.count(ChangeKind::Removed)
        );
        if drifted.is_empty() {
            out.push_str("\nNo drift: the current settings match the baseline.\n");
        } else {
            out.push_str("\n| | Setting | Before | After |\n|---|---|---|---|\n");
            for c in drifted {
                let kind = schema::kind_of(&c.path);
                let show = |v: &Option<serde_json::Value>| {
                    v.as_ref()
                        .map_or_else(String::new, |v| code(&schema::display_value(kind, v)))
                };
                let sigil = match c.kind {
                    ChangeKind::Changed => "~",
                    ChangeKind::Added => "+",
                    _ => "-",
                };
                let _ = writeln!(
                    out,
                    "| {sigil} | {} | {} | {} |",
                    cell(&code(&c.path.to_string())),
                    cell(&show(&c.before)),
                    cell(&show(&c.after))
                );
            }
        }
        if !drift.ignored.is_empty() {
            let _ = writeln!(out, "\n**Ignored (not tracked):** {}", drift.ignored.len());
            for i in &drift.ignored {
                let _ = writeln!(
                    out,
                    "- {} — ignored by {}: {}",
                    code(&i.change.path.to_string()),
                    code(&i.pattern),
                    i.reason
                );
            }
        }
        let lost: Vec<_> = drift
            .changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Unobserved)
            .collect();
        if !lost.is_empty() {
            let _ = writeln!(
                out,
                "\n**Incomplete data:** {} setting(s) observed in the baseline are not observed now:",
                lost.len()
            );
            for c in lost {
                let reason = r
                    .snapshot
                    .unobserved_reason(&c.path)
                    .unwrap_or("not observed");
                let _ = writeln!(out, "- {} — {}", code(&c.path.to_string()), reason);
            }
        }
        out.push('\n');
    }

    if let Some((policy, findings, review)) = r.policy {
        let count = |name: &str| findings.iter().filter(|f| status_name(f) == name).count();
        let _ = writeln!(
            out,
            "### Policy: {} failed, {} waived, {} unknown, {} passed",
            count("fail"),
            count("waived"),
            count("unknown"),
            count("pass")
        );
        let mut listed: Vec<_> = findings
            .iter()
            .filter(|f| matches!(f.status, Status::Fail | Status::Unknown))
            .collect();
        listed.sort_by(|a, b| {
            (
                a.waiver.is_some(),
                a.status,
                std::cmp::Reverse(a.severity),
                &a.rule_id,
                &a.target,
            )
                .cmp(&(
                    b.waiver.is_some(),
                    b.status,
                    std::cmp::Reverse(b.severity),
                    &b.rule_id,
                    &b.target,
                ))
        });
        if !listed.is_empty() {
            out.push_str(
                "\n| Status | Severity | Rule | Target | Detail |\n|---|---|---|---|---|\n",
            );
            for f in listed {
                let mut detail = f.detail.clone();
                if let Some(w) = &f.waiver {
                    detail = format!("{detail} — waived until {}: {}", w.expires, w.reason);
                }
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    status_name(f),
                    f.severity,
                    cell(&code(&f.rule_id)),
                    cell(&code(&f.target)),
                    cell(&detail)
                );
            }
        }
        let mut notes = Vec::new();
        for w in &review.expired {
            notes.push(format!(
                "expired waiver {} for {} ({})",
                w.origin,
                code(&w.rule),
                w.expires
            ));
        }
        for (w, why) in &review.invalid {
            notes.push(format!(
                "invalid waiver {} for {}: {why}",
                w.origin,
                code(&w.rule)
            ));
        }
        for w in &review.unused {
            notes.push(format!("unused waiver {} for {}", w.origin, code(&w.rule)));
        }
        for w in &review.expiring {
            notes.push(format!(
                "waiver {} for {} expires {}",
                w.origin,
                code(&w.rule),
                w.expires
            ));
        }
        for d in &policy.disabled {
            notes.push(format!(
                "rule {} disabled by {}: {}",
                code(&d.id),
                d.by,
                d.reason
            ));
        }
        if !notes.is_empty() {
            out.push_str("\n**Waivers and overrides**\n");
            for n in notes {
                let _ = writeln!(out, "- {n}");
            }
        }
        let _ = writeln!(out, "\n<sub>Policy: {}</sub>", cell(&policy.origin));
    }
    out
}
