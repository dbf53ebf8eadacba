//! Text rendering of drift, findings and the plan verdict, for people. Styles (anstyle) are
//! applied as each styled piece is written, so the text carries ANSI escapes: the caller decides
//! whether they reach a terminal (the binary writes through `anstream`, which strips them when
//! colour is off) and strips them ([`plain`]) before text goes to a file. The rule list and
//! `policy explain` stay unstyled. It renders only: no I/O, no exit codes.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Color, Style};

use crate::diff::{Change, ChangeKind, Drift};
use crate::path::{Path, Seg};
use crate::policy::{Finding, Severity, Status};
use crate::snapshot::Snapshot;
use crate::snapshot::schema::{self, display_value};

const fn fg(c: AnsiColor) -> Style {
    Style::new().fg_color(Some(Color::Ansi(c)))
}

/// Section headings and the verdict.
const HEADING: Style = Style::new().bold();
/// A finding that fails and a waiver that no longer applies.
const BAD: Style = fg(AnsiColor::Red).bold();
/// "now fails" under a drifted setting.
const NOW_FAILS: Style = fg(AnsiColor::Red);

/// `s` between `style`'s escape and its reset.
fn paint(out: &mut String, style: Style, s: &str) {
    let _ = write!(out, "{}{s}{}", style.render(), style.render_reset());
}

/// `text` without the styles the renderers put in: what goes to a file.
pub fn plain(text: &str) -> String {
    anstream::adapter::strip_str(text).to_string()
}

/// A change line's colour, by what happened to the setting.
fn change_style(kind: ChangeKind) -> Style {
    fg(match kind {
        ChangeKind::Changed => AnsiColor::Yellow,
        ChangeKind::Added => AnsiColor::Green,
        ChangeKind::Removed => AnsiColor::Red,
        ChangeKind::Unobserved => AnsiColor::Magenta,
        ChangeKind::NewlyObserved => AnsiColor::Cyan,
    })
}

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

/// `  {change line}{suffix}`, the whole line in the change's colour.
fn write_change(out: &mut String, c: &Change, current: &Snapshot, suffix: &str) {
    out.push_str("  ");
    paint(
        out,
        change_style(c.kind),
        &format!("{}{suffix}", change_line(c, current)),
    );
    out.push('\n');
}

fn sigil(kind: ChangeKind) -> char {
    match kind {
        ChangeKind::Changed => '~',
        ChangeKind::Added => '+',
        ChangeKind::Removed => '-',
        ChangeKind::Unobserved => '?',
        ChangeKind::NewlyObserved => '*',
    }
}

fn section(path: &Path) -> String {
    match path.0.first() {
        Some(Seg::Field(f) | Seg::Key(f)) => f.clone(),
        None => String::new(),
    }
}

fn change_line(c: &Change, current: &Snapshot) -> String {
    let kind = schema::kind_of(&c.path);
    let show = |v: &Option<serde_json::Value>| {
        v.as_ref()
            .map_or_else(String::new, |v| display_value(kind, v))
    };
    let is_set_element = matches!(c.path.0.last(), Some(Seg::Key(_)))
        && schema::kind_of(&Path(c.path.0[..c.path.0.len() - 1].to_vec()))
            == Some(schema::Kind::StrSet);
    let s = sigil(c.kind);
    match c.kind {
        // A change the human form hides (the length of a disabled timeout) shows as raw JSON.
        ChangeKind::Changed if show(&c.before) == show(&c.after) => {
            let raw = |v: &Option<serde_json::Value>| {
                v.as_ref().map_or_else(String::new, ToString::to_string)
            };
            format!("{s} {}: {} -> {}", c.path, raw(&c.before), raw(&c.after))
        }
        ChangeKind::Changed => format!("{s} {}: {} -> {}", c.path, show(&c.before), show(&c.after)),
        ChangeKind::Added | ChangeKind::NewlyObserved if is_set_element => {
            format!("{s} {}", c.path)
        }
        ChangeKind::Removed if is_set_element => format!("{s} {}", c.path),
        ChangeKind::Added | ChangeKind::NewlyObserved => {
            format!("{s} {} = {}", c.path, show(&c.after))
        }
        ChangeKind::Removed => format!("{s} {} (was {})", c.path, show(&c.before)),
        ChangeKind::Unobserved => {
            let reason = current.unobserved_reason(&c.path).unwrap_or("not observed");
            format!("{s} {} (was {}): {reason}", c.path, show(&c.before))
        }
    }
}

/// Findings by target path, to find those that judge a changed path — at, under or above it —
/// in logarithmic time per change (a plan can hold thousands of changes and findings).
pub(crate) struct ByTarget<'a> {
    map: std::collections::BTreeMap<&'a str, Vec<(usize, &'a Finding)>>,
}

impl<'a> ByTarget<'a> {
    pub(crate) fn new(findings: impl IntoIterator<Item = &'a Finding>) -> Self {
        let mut map: std::collections::BTreeMap<&str, Vec<(usize, &Finding)>> = Default::default();
        for (i, f) in findings.into_iter().enumerate() {
            map.entry(f.target.as_str()).or_default().push((i, f));
        }
        ByTarget { map }
    }

    /// The findings whose target is `change`, under it (`change.x`, `change[k]`) or above it,
    /// in their original order.
    pub(crate) fn touching(&self, change: &str) -> Vec<&'a Finding> {
        let boundary =
            |rest: &str| rest.is_empty() || rest.starts_with('.') || rest.starts_with('[');
        let mut hits: Vec<(usize, &Finding)> = Vec::new();
        // At or under: the keys that start with `change` are contiguous from it on.
        for (target, fs) in self.map.range(change..) {
            let Some(rest) = target.strip_prefix(change) else {
                break;
            };
            if boundary(rest) {
                hits.extend(fs.iter().copied());
            }
        }
        // Above: every proper prefix of `change` that ends at a segment boundary.
        for (i, ch) in change.char_indices().skip(1) {
            if (ch == '.' || ch == '[')
                && let Some(fs) = self.map.get(&change[..i])
            {
                hits.extend(fs.iter().copied());
            }
        }
        hits.sort_by_key(|(i, _)| *i);
        hits.into_iter().map(|(_, f)| f).collect()
    }
}

/// A changed value too long for one line, as a line diff of its pretty JSON (or text).
fn long_change(c: &Change) -> Option<Vec<String>> {
    let (Some(before), Some(after)) = (&c.before, &c.after) else {
        return None;
    };
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    };
    let (b, a) = (text(before), text(after));
    let long = |s: &str| s.contains('\n') && s.len() > 60;
    if !(long(&b) || long(&a)) {
        return None;
    }
    let diff = similar::TextDiff::from_lines(&b, &a);
    Some(
        diff.iter_all_changes()
            .map(|ch| {
                let sign = match ch.tag() {
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                    similar::ChangeTag::Equal => ' ',
                };
                format!("{sign} {}", ch.value().trim_end_matches('\n'))
            })
            .collect(),
    )
}

/// Drift grouped by section, then lost and gained coverage, then a summary line.
pub fn render_drift(out: &mut String, drift: &Drift, current: &Snapshot) {
    render_drift_with(out, drift, current, &[]);
}

/// [`render_drift`], with the given (newly) failing findings under each drifted setting whose
/// path they judge (at, above or below it).
pub fn render_drift_with(
    out: &mut String,
    drift: &Drift,
    current: &Snapshot,
    findings: &[Finding],
) {
    let drifted: Vec<&Change> = drift.changes.iter().filter(|c| c.kind.is_drift()).collect();
    let failing = ByTarget::new(
        findings
            .iter()
            .filter(|f| f.status == Status::Fail && f.waiver.is_none()),
    );
    if drifted.is_empty() {
        out.push_str("No drift: the current settings match the baseline.\n");
    } else {
        let mut last = String::new();
        for c in &drifted {
            let sec = section(&c.path);
            if sec != last {
                if !sec.is_empty() {
                    paint(out, HEADING, &sec);
                }
                out.push('\n');
                last = sec;
            }
            match (c.kind, long_change(c)) {
                (ChangeKind::Changed, Some(lines)) => {
                    out.push_str("  ");
                    paint(
                        out,
                        change_style(c.kind),
                        &format!("{} {}:", sigil(c.kind), c.path),
                    );
                    out.push('\n');
                    for l in lines {
                        let _ = writeln!(out, "      {l}");
                    }
                }
                _ => write_change(out, c, current, ""),
            }
            for f in failing.touching(&c.path.to_string()) {
                out.push_str("      ");
                paint(
                    out,
                    NOW_FAILS,
                    &format!("↳ now fails `{}` ({}): {}", f.rule_id, f.severity, f.detail),
                );
                out.push('\n');
            }
        }
    }
    if !drifted.is_empty() {
        let total = count_settings(&current.settings, &Path::root());
        let unchanged = total.saturating_sub(drifted.len());
        let _ = writeln!(out, "  ({unchanged} unchanged settings hidden)");
    }
    for (kind, heading) in [
        (
            ChangeKind::Unobserved,
            "Observed in the baseline but not now (incomplete data):",
        ),
        (
            ChangeKind::NewlyObserved,
            "Newly observed (not in the baseline; not drift):",
        ),
    ] {
        let list: Vec<&Change> = drift.changes.iter().filter(|c| c.kind == kind).collect();
        if !list.is_empty() {
            let _ = writeln!(out, "\n{heading}");
            for c in list {
                write_change(out, c, current, "");
            }
        }
    }
    if !drift.ignored.is_empty() {
        let _ = writeln!(out, "\nIgnored (not tracked, not drift):");
        for i in &drift.ignored {
            let suffix = format!("  [ignored by `{}`: {}]", i.pattern, i.reason);
            write_change(out, &i.change, current, &suffix);
        }
    }
    let ignored = if drift.ignored.is_empty() {
        String::new()
    } else {
        format!(" · {} ignored", drift.ignored.len())
    };
    let _ = writeln!(
        out,
        "\nDrift: {} changed, {} added, {} removed · {} no longer observed{ignored}",
        drift.count(ChangeKind::Changed),
        drift.count(ChangeKind::Added),
        drift.count(ChangeKind::Removed),
        drift.count(ChangeKind::Unobserved),
    );
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
            let by = w
                .approved_by
                .as_deref()
                .map(|a| format!(", approved by {a}"))
                .unwrap_or_default();
            let _ = write!(
                out,
                "\n          waived until {}{by}: {} ({})",
                w.expires, w.reason, w.origin
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "\n{}", findings_summary(findings));
}

/// Waiver problems and notices, after the findings.
pub fn render_waivers(
    out: &mut String,
    policy: &crate::policy::Policy,
    review: &crate::policy::waivers::Review,
    today: jiff::civil::Date,
) {
    let mut lines = Vec::new();
    let bad = |word: &str| {
        let mut s = String::new();
        paint(&mut s, BAD, word);
        s
    };
    for w in &review.expired {
        lines.push(format!(
            "  {}  {} `{}`{} expired {} — the finding counts again (exit bit 8)",
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
    for w in &review.unused {
        lines.push(format!(
            "  UNUSED   {} `{}`{} matched no failing finding: remove it",
            w.origin,
            w.rule,
            target(w)
        ));
    }
    for w in &review.expiring {
        let days = w.expires.since(today).map_or(0, |s| s.get_days());
        lines.push(format!(
            "  EXPIRING {} `{}`{} expires {} (in {days} day(s))",
            w.origin,
            w.rule,
            target(w),
            w.expires
        ));
    }
    for d in &policy.disabled {
        lines.push(format!("  DISABLED `{}` by {}: {}", d.id, d.by, d.reason));
    }
    if !lines.is_empty() {
        let _ = writeln!(out, "\nWaivers and overrides:");
        for l in lines {
            let _ = writeln!(out, "{l}");
        }
    }
}

fn target(w: &crate::policy::Waiver) -> String {
    w.target
        .as_deref()
        .map(|t| format!(" on {t}"))
        .unwrap_or_default()
}

/// `policy list`: one line per rule, then the disabled ones.
pub fn render_rule_list(policy: &crate::policy::Policy) -> String {
    let mut out = String::new();
    let width = policy.rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for r in &policy.rules {
        let _ = writeln!(
            out,
            "{:<8} {:<width$}  {}",
            r.severity.as_str(),
            r.id,
            r.title
        );
    }
    for d in &policy.disabled {
        let _ = writeln!(
            out,
            "{:<8} {:<width$}  disabled by {}: {}",
            "-", d.id, d.by, d.reason
        );
    }
    let _ = writeln!(
        out,
        "\n{} rule(s) from {}{}",
        policy.rules.len(),
        policy.origin,
        if policy.disabled.is_empty() {
            String::new()
        } else {
            format!(", {} disabled", policy.disabled.len())
        }
    );
    out
}

/// `policy explain ID`.
pub fn render_rule(policy: &crate::policy::Policy, id: &str) -> Option<String> {
    let r = policy.rule(id)?;
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", r.id, r.title);
    let _ = writeln!(out, "severity: {}    defined in: {}", r.severity, r.origin);
    let quantifier = match r.quantifier {
        crate::policy::Quantifier::Each => "every",
        crate::policy::Quantifier::Any => "any (at least one)",
        crate::policy::Quantifier::None => "no (none may match)",
    };
    let reads = match &r.each {
        Some(each) if r.path.is_empty() => format!("{quantifier} element of `{each}`"),
        Some(each) => format!("`{}` of {quantifier} entry of `{each}`", r.path),
        None => format!("`{}`", r.path),
    };
    let _ = writeln!(out, "reads: {reads}");
    let _ = writeln!(
        out,
        "expects: {}",
        crate::policy::eval::expectation(&r.assertion, r.kind)
    );
    if let Some(f) = &r.filter {
        let _ = writeln!(
            out,
            "only entries where: `{}` is {}",
            f.path,
            crate::policy::eval::expectation(&f.assertion, f.kind)
        );
    }
    if let Some(w) = &r.when {
        let _ = writeln!(
            out,
            "applies when: `{}` is {}",
            w.path,
            crate::policy::eval::expectation(&w.assertion, w.kind)
        );
    }
    if let Some(t) = &r.rationale {
        let _ = writeln!(out, "\nwhy: {}", t.trim());
    }
    if let Some(t) = &r.remediation {
        let _ = writeln!(out, "\nfix: {}", t.trim());
    }
    if !r.controls.is_empty() {
        let _ = writeln!(out, "\ncontrols:");
        for (framework, ids) in &r.controls {
            let _ = writeln!(out, "  {framework}: {}", ids.join(", "));
        }
    }
    let waivers: Vec<&crate::policy::Waiver> =
        policy.waivers.iter().filter(|w| w.rule == r.id).collect();
    for w in waivers {
        let _ = writeln!(
            out,
            "waiver: {}{} until {}: {}",
            w.origin,
            target(w),
            w.expires,
            w.reason
        );
    }
    Some(out)
}

/// The plan's closing lines: the one-line [`plan_summary`], then the verdict in bold.
pub fn render_verdict(out: &mut String, drift: &Drift, findings: &[Finding], verdict: &str) {
    let _ = writeln!(out, "\n{}", plan_summary(drift, findings));
    paint(out, HEADING, verdict);
    out.push('\n');
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

/// Scalar settings (leaves; a set or free-form object counts once) in a snapshot's settings.
pub fn count_settings(v: &serde_json::Value, path: &Path) -> usize {
    use crate::snapshot::schema::Kind;
    match (v, schema::kind_of(path)) {
        (serde_json::Value::Object(map), kind)
            if !matches!(kind, Some(Kind::Json | Kind::ToggledDuration)) =>
        {
            let keyed = kind == Some(Kind::Map);
            map.iter()
                .map(|(k, child)| {
                    let p = if keyed { path.key(k) } else { path.field(k) };
                    count_settings(child, &p)
                })
                .sum()
        }
        _ => 1,
    }
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
        "Drift: {} changed, {} added, {} removed ({relevant} security-relevant) · Policy: {} · {unknown} unknown",
        drift.count(ChangeKind::Changed),
        drift.count(ChangeKind::Added),
        drift.count(ChangeKind::Removed),
        policy.join(", "),
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn line(path: &str, before: serde_json::Value, after: serde_json::Value) -> String {
        let c = Change {
            path: Path::parse(path).expect("path"),
            kind: ChangeKind::Changed,
            before: Some(before),
            after: Some(after),
        };
        change_line(&c, &Snapshot::for_test(json!({}), &[]))
    }

    #[test]
    fn long_values_change_as_a_line_diff() {
        let c = Change {
            path: Path::parse("jwt_templates[supabase].claims.app_metadata").expect("path"),
            kind: ChangeKind::Changed,
            before: Some(
                json!({"org": "{{org.id}}", "role": "{{org.role}}", "plan": "{{org.public_metadata.plan}}"}),
            ),
            after: Some(
                json!({"org": "{{org.id}}", "role": "admin", "plan": "{{org.public_metadata.plan}}"}),
            ),
        };
        let mut out = String::new();
        render_drift(
            &mut out,
            &Drift {
                changes: vec![c],
                ignored: Vec::new(),
            },
            &Snapshot::for_test(json!({}), &[]),
        );
        let out = plain(&out);
        assert!(
            out.contains("  ~ jwt_templates[supabase].claims.app_metadata:\n"),
            "{out}"
        );
        assert!(
            out.contains("      -   \"role\": \"{{org.role}}\""),
            "{out}"
        );
        assert!(out.contains("      +   \"role\": \"admin\""), "{out}");
        assert!(
            out.contains("        \"org\": \"{{org.id}}\","),
            "unchanged lines stay: {out}"
        );
    }

    #[test]
    fn changes_read_in_human_units() {
        assert_eq!(
            line(
                "session.inactivity_timeout",
                json!({"enabled": true, "seconds": 1800}),
                json!({"enabled": false, "seconds": 1800})
            ),
            "~ session.inactivity_timeout: 30m -> disabled"
        );
    }

    #[test]
    fn a_change_the_human_form_hides_falls_back_to_raw_values() {
        assert_eq!(
            line(
                "session.inactivity_timeout",
                json!({"enabled": false, "seconds": 1800}),
                json!({"enabled": false, "seconds": 600})
            ),
            "~ session.inactivity_timeout: {\"enabled\":false,\"seconds\":1800} -> {\"enabled\":false,\"seconds\":600}"
        );
    }
}

#[cfg(test)]
mod by_target_tests {
    use super::ByTarget;
    use crate::policy::{Finding, Severity, Status};

    fn finding(rule: &str, target: &str) -> Finding {
        Finding {
            rule_id: rule.into(),
            title: String::new(),
            severity: Severity::High,
            status: Status::Fail,
            target: target.into(),
            detail: String::new(),
            waiver: None,
        }
    }

    #[test]
    fn finds_targets_at_under_and_above_a_change_in_rule_order() {
        let findings = [
            finding("under-key", "jwt_templates[supabase].lifetime"),
            finding("above", "jwt_templates"),
            finding("sibling-prefix", "jwt_templates_extra"),
            finding("at", "jwt_templates[supabase]"),
            finding("other-entry", "jwt_templates[supabase2]"),
            finding("under-field", "jwt_templates[supabase].claims.aud"),
            finding("unrelated", "session.lifetime"),
        ];
        let by = ByTarget::new(&findings);
        let ids = |change: &str| -> Vec<String> {
            by.touching(change)
                .iter()
                .map(|f| f.rule_id.clone())
                .collect()
        };
        assert_eq!(
            ids("jwt_templates[supabase]"),
            ["under-key", "above", "at", "under-field"]
        );
        assert_eq!(
            ids("jwt_templates[supabase].claims"),
            ["above", "at", "under-field"]
        );
        assert_eq!(ids("session"), ["unrelated"]);
        assert!(
            ids("sess").is_empty(),
            "a prefix that is not a segment does not touch"
        );
        assert!(ids("mfa").is_empty());
    }
}

#[cfg(test)]
mod colour_tests {
    use super::*;
    use serde_json::json;

    fn change(path: &str, kind: ChangeKind) -> Change {
        Change {
            path: Path::parse(path).expect("path"),
            kind,
            before: Some(json!({"enabled": true, "seconds": 1800})),
            after: Some(json!({"enabled": false, "seconds": 1800})),
        }
    }

    #[test]
    fn styles_sigils_statuses_and_headings_as_they_are_written() {
        let snap = Snapshot::for_test(json!({}), &[]);
        let drift = Drift {
            changes: vec![change("session.inactivity_timeout", ChangeKind::Changed)],
            ignored: Vec::new(),
        };
        let findings = [Finding {
            rule_id: "x".into(),
            title: String::new(),
            severity: Severity::High,
            status: Status::Fail,
            target: "session.inactivity_timeout".into(),
            detail: "d".into(),
            waiver: None,
        }];
        let mut out = String::new();
        render_drift_with(&mut out, &drift, &snap, &findings);
        render_findings(&mut out, &findings, "p.toml", false);
        assert!(
            out.starts_with("\u{1b}[1msession\u{1b}[0m\n  \u{1b}[33m~ session.inactivity_timeout: 30m -> disabled\u{1b}[0m\n"),
            "{out:?}"
        );
        assert!(
            out.contains("      \u{1b}[31m↳ now fails `x` (high): d\u{1b}[0m\n"),
            "{out:?}"
        );
        assert!(
            out.contains("  \u{1b}[1m\u{1b}[31mFAIL\u{1b}[0m    high"),
            "{out:?}"
        );
        assert!(
            out.contains("\nPolicy: 1 failed (1 high), 0 passed"),
            "plain lines stay plain: {out:?}"
        );
        // Stripping the styles gives the plain text back.
        let stripped = plain(&out);
        assert!(stripped.starts_with("session\n  ~ session.inactivity_timeout: 30m -> disabled\n      ↳ now fails `x` (high): d\n"), "{stripped}");
        assert!(
            stripped.contains("\n  FAIL    high     x  session.inactivity_timeout: d\n"),
            "{stripped}"
        );
    }
}
