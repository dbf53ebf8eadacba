//! Drift as text: changes grouped by section, each in its colour (line diffs for long
//! values), the findings a change breaks under it, lost and gained coverage, a summary line.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use super::{HEADING, NOW_FAILS, fg, paint};
use crate::diff::{Change, ChangeKind, Drift};
use crate::path::{Path, Seg};
use crate::policy::{Finding, Status};
use crate::snapshot::Snapshot;
use crate::snapshot::schema::{self, display_value};

/// A change line's colour, by what happened to the setting.
fn change_style(kind: ChangeKind) -> Style {
    fg(match kind {
        ChangeKind::Changed => AnsiColor::Yellow,
        ChangeKind::Added => AnsiColor::Green,
        ChangeKind::Removed => AnsiColor::Red,
        ChangeKind::Unobserved => AnsiColor::Magenta,
        ChangeKind::NewlyObserved => AnsiColor::Cyan,
        ChangeKind::Disagreement => AnsiColor::Yellow,
    })
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
        ChangeKind::Disagreement => '≠',
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
        ChangeKind::Disagreement => format!(
            "{s} {}: sources {} (baseline: {})",
            c.path,
            crate::diff::by_source(c.after.as_ref()),
            crate::diff::by_source(c.before.as_ref())
        ),
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
    if let Some(note) = &drift.coverage {
        let names = |s: &[crate::snapshot::Source]| -> String {
            if s.is_empty() {
                return "no API".to_owned();
            }
            s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" + ")
        };
        let _ = writeln!(
            out,
            "\nCoverage note (not drift): baseline read from {}, current snapshot from {}; {} setting(s) observed in the baseline only, {} now only.",
            names(&note.baseline_sources),
            names(&note.current_sources),
            note.baseline_only,
            note.current_only,
        );
    }
    for (kind, heading) in [
        (
            ChangeKind::Unobserved,
            "Observed in the baseline only (coverage, not drift):",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::text::plain;
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
                coverage: None,
                switched_off: Vec::new(),
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
