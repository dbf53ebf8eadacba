//! Drift as text: curated changes grouped by section, each in its colour (line diffs for long
//! values), the findings a change breaks under it; then the other (observed) settings by group,
//! cosmetic ones folded into a counted line; lost and gained coverage, ignored changes, a
//! summary line.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use super::{HEADING, NOW_FAILS, fg, paint};
use crate::diff::{Change, ChangeKind, Drift};
use crate::path::{Path, Seg};
use crate::policy::{Finding, Status};
use crate::snapshot::schema::{self, display_value};
use crate::snapshot::{Snapshot, groups};

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

/// One drifted setting: its line (a line diff for a long value), then the given failing
/// findings that judge it.
fn write_drifted(out: &mut String, c: &Change, current: &Snapshot, failing: &ByTarget<'_>) {
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

/// `1 change`, `7 changes`.
fn changes(n: usize) -> String {
    format!("{n} change{}", if n == 1 { "" } else { "s" })
}

/// `items` in runs of equal [`groups::group_of`] names, in their (path) order.
fn by_group<T>(items: &[T], path: impl Fn(&T) -> &Path) -> Vec<(groups::Group, Vec<&T>)> {
    let mut out: Vec<(groups::Group, Vec<&T>)> = Vec::new();
    for item in items {
        let g = groups::group_of(path(item));
        match out.last_mut() {
            Some((last, list)) if *last == g => list.push(item),
            _ => out.push((g, vec![item])),
        }
    }
    out
}

/// The observed changes, by group: every change but the cosmetic ones listed, those counted on
/// one line per group (unless a failing finding judges them: a broken rule is never folded).
fn render_other(out: &mut String, other: &[&Change], current: &Snapshot, failing: &ByTarget<'_>) {
    out.push('\n');
    paint(
        out,
        HEADING,
        "Other settings (observed, not in the curated vocabulary):",
    );
    out.push('\n');
    for (group, list) in by_group(other, |c| &c.path) {
        let (folded, listed): (Vec<&&Change>, Vec<&&Change>) = list.iter().partition(|c| {
            groups::cosmetic(&c.path).is_some() && failing.touching(&c.path.to_string()).is_empty()
        });
        let mut categories: Vec<&str> = folded
            .iter()
            .filter_map(|c| groups::cosmetic(&c.path).map(|k| k.category))
            .collect();
        categories.sort_unstable();
        categories.dedup();
        let cosmetic = format!(
            "{} ({}); all listed in --format json",
            changes(folded.len()),
            categories.join(", ")
        );
        if listed.is_empty() {
            paint(
                out,
                HEADING,
                &format!("cosmetic: {} — {cosmetic}", group.name),
            );
            out.push('\n');
            continue;
        }
        paint(
            out,
            HEADING,
            &format!("{} — {}", group.name, changes(list.len())),
        );
        out.push('\n');
        for c in listed {
            write_drifted(out, c, current, failing);
        }
        if !folded.is_empty() {
            let _ = writeln!(out, "  cosmetic: {cosmetic}");
        }
    }
}

/// Leaves in a change's value (a whole section appearing at once counts every setting in it).
fn leaves(c: &Change) -> usize {
    c.after
        .as_ref()
        .or(c.before.as_ref())
        .map_or(1, |v| count_settings(v, &c.path))
}

/// [`render_drift`], with the given (newly) failing findings under each drifted setting whose
/// path they judge (at, above or below it). Curated settings come first, by section; then the
/// other (observed) settings by group, cosmetic ones folded ([`groups::COSMETIC`]).
pub fn render_drift_with(
    out: &mut String,
    drift: &Drift,
    current: &Snapshot,
    findings: &[Finding],
) {
    let drifted: Vec<&Change> = drift.changes.iter().filter(|c| c.kind.is_drift()).collect();
    let (other, curated): (Vec<&Change>, Vec<&Change>) =
        drifted.iter().partition(|c| groups::is_observed(&c.path));
    let failing = ByTarget::new(
        findings
            .iter()
            .filter(|f| f.status == Status::Fail && f.waiver.is_none()),
    );
    if drifted.is_empty() {
        out.push_str("No drift: the current settings match the baseline.\n");
    } else {
        let mut last = String::new();
        for c in &curated {
            let sec = section(&c.path);
            if sec != last {
                if !sec.is_empty() {
                    paint(out, HEADING, &sec);
                }
                out.push('\n');
                last = sec;
            }
            write_drifted(out, c, current, &failing);
        }
        if !other.is_empty() {
            render_other(out, &other, current, &failing);
        }
    }
    if !drifted.is_empty() {
        let total = count_settings(&current.settings, &Path::root());
        let unchanged = total.saturating_sub(drifted.len());
        // Under the curated sections it is indented like them; after the groups it stands apart.
        let indent = if other.is_empty() { "  " } else { "\n" };
        let _ = writeln!(out, "{indent}({unchanged} unchanged settings hidden)");
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
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{heading}");
        let (other, curated): (Vec<&Change>, Vec<&Change>) =
            list.iter().partition(|c| groups::is_observed(&c.path));
        for c in curated {
            write_change(out, c, current, "");
        }
        // Other settings: one counted line per group (a whole source can come or go at once).
        for (group, list) in by_group(&other, |c| &c.path) {
            let n: usize = list.iter().map(|c| leaves(c)).sum();
            let why = match kind {
                ChangeKind::Unobserved => format!(
                    ": {}",
                    current
                        .unobserved_reason(&list[0].path)
                        .unwrap_or("not observed")
                ),
                _ => String::new(),
            };
            out.push_str("  ");
            paint(
                out,
                change_style(kind),
                &format!(
                    "{} {} — {n} other setting{} under {}{why}",
                    sigil(kind),
                    group.name,
                    if n == 1 { "" } else { "s" },
                    group.prefix
                ),
            );
            out.push('\n');
        }
    }
    if !drift.ignored.is_empty() {
        let _ = writeln!(out, "\nIgnored (not tracked, not drift):");
        for (group, list) in by_group(&drift.ignored, |i| &i.change.path) {
            if group.curated {
                for i in list {
                    let suffix = format!("  [ignored by `{}`: {}]", i.pattern, i.reason);
                    write_change(out, &i.change, current, &suffix);
                }
                continue;
            }
            // An observed group: counted, per rule that dropped it.
            let mut rules: Vec<(&str, &str, usize)> = Vec::new();
            for i in list {
                match rules.iter_mut().find(|r| r.0 == i.pattern) {
                    Some(r) => r.2 += 1,
                    None => rules.push((&i.pattern, &i.reason, 1)),
                }
            }
            for (pattern, reason, n) in rules {
                let _ = writeln!(
                    out,
                    "  {} — {}  [ignored by `{pattern}`: {reason}]",
                    group.name,
                    changes(n)
                );
            }
        }
    }
    let ignored = if drift.ignored.is_empty() {
        String::new()
    } else {
        format!(" · {} ignored", drift.ignored.len())
    };
    let others = if other.is_empty() {
        String::new()
    } else {
        let cosmetic = other
            .iter()
            .filter(|c| groups::cosmetic(&c.path).is_some())
            .count();
        format!(
            " ({} in other settings, {cosmetic} of them cosmetic)",
            other.len()
        )
    };
    let _ = writeln!(
        out,
        "\nDrift: {} changed, {} added, {} removed{}{others} · {} no longer observed{ignored}",
        drift.count(ChangeKind::Changed),
        drift.count(ChangeKind::Added),
        drift.count(ChangeKind::Removed),
        disagreements(drift),
        drift.count(ChangeKind::Unobserved),
    );
}

/// `, 2 source disagreement(s)` when the diff has any (drift like the others), else nothing.
pub fn disagreements(drift: &Drift) -> String {
    match drift.count(ChangeKind::Disagreement) {
        0 => String::new(),
        n => format!(", {n} source disagreement(s)"),
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
mod other_settings_tests {
    use super::*;
    use crate::diff::{IgnoreRule, diff};
    use crate::policy::Severity;
    use crate::report::text::plain;
    use serde_json::json;

    fn before() -> Snapshot {
        Snapshot::for_test(
            json!({"session": {"multi_session": false},
                   "observed": {
                     "fapi": {
                       "auth_config": {"enhanced_email_deliverability": false},
                       "display_config": {"application_name": "Acme", "logo_image_url": "a.png",
                                          "preferred_sign_in_strategy": "password",
                                          "theme": {"general": {"color": "#000", "padding": "1em"}}}},
                     "plapi": {"branding": {"show_clerk_branding": true}}}}),
            &[],
        )
    }

    fn after() -> Snapshot {
        Snapshot::for_test(
            json!({"session": {"multi_session": true},
                   "observed": {
                     "fapi": {
                       "auth_config": {"enhanced_email_deliverability": true},
                       "display_config": {"application_name": "Acme Inc", "logo_image_url": "b.png",
                                          "preferred_sign_in_strategy": "otp",
                                          "theme": {"general": {"color": "#fff", "padding": "2em"}}}},
                     "plapi": {"branding": {"show_clerk_branding": false}}}}),
            &[],
        )
    }

    fn render(d: &Drift, findings: &[Finding]) -> String {
        let mut out = String::new();
        render_drift_with(&mut out, d, &after(), findings);
        plain(&out)
    }

    #[test]
    fn curated_first_then_other_settings_by_group_with_cosmetic_ones_folded() {
        let d = diff(&before(), &after());
        assert_eq!(
            render(&d, &[]),
            "session\n  ~ session.multi_session: false -> true\n\
             \nOther settings (observed, not in the curated vocabulary):\n\
             fapi auth_config — 1 change\n\
             \x20 ~ observed.fapi.auth_config.enhanced_email_deliverability: false -> true\n\
             fapi display_config — 5 changes\n\
             \x20 ~ observed.fapi.display_config.preferred_sign_in_strategy: \"password\" -> \"otp\"\n\
             \x20 cosmetic: 4 changes (branding, logos, theme); all listed in --format json\n\
             cosmetic: plapi branding — 1 change (branding); all listed in --format json\n\
             \n(0 unchanged settings hidden)\n\
             \nDrift: 8 changed, 0 added, 0 removed (7 in other settings, 5 of them cosmetic) · 0 no longer observed\n"
        );
    }

    #[test]
    fn a_cosmetic_change_that_breaks_a_rule_is_listed_not_folded() {
        let d = diff(&before(), &after());
        let f = Finding {
            rule_id: "team.badge".into(),
            title: String::new(),
            severity: Severity::Low,
            status: Status::Fail,
            target: "observed.plapi.branding.show_clerk_branding".into(),
            detail: "found false, expected true".into(),
            waiver: None,
        };
        let out = render(&d, &[f]);
        assert!(
            out.contains(
                "plapi branding — 1 change\n  ~ observed.plapi.branding.show_clerk_branding: true -> false\n      ↳ now fails `team.badge` (low): found false, expected true\n"
            ),
            "{out}"
        );
        assert!(!out.contains("cosmetic: plapi branding"), "{out}");
    }

    #[test]
    fn an_ignored_group_is_counted_with_its_reason() {
        let mut d = diff(&before(), &after());
        d.ignore(&[
            IgnoreRule::new("fapi display_config", "marketing owns the sign-in page")
                .expect("rule"),
            IgnoreRule::new("cosmetic", "branding is not security").expect("rule"),
        ]);
        let out = render(&d, &[]);
        assert!(
            out.contains(
                "\nIgnored (not tracked, not drift):\n\
                 \x20 fapi display_config — 5 changes  [ignored by `fapi display_config`: marketing owns the sign-in page]\n\
                 \x20 plapi branding — 1 change  [ignored by `cosmetic`: branding is not security]\n"
            ),
            "{out}"
        );
        assert!(
            out.ends_with("\nDrift: 2 changed, 0 added, 0 removed (1 in other settings, 0 of them cosmetic) · 0 no longer observed · 6 ignored\n"),
            "{out}"
        );
    }

    #[test]
    fn without_observed_changes_the_plan_reads_as_before() {
        let curated_only =
            |multi: bool| Snapshot::for_test(json!({"session": {"multi_session": multi}}), &[]);
        let d = diff(&curated_only(false), &curated_only(true));
        let mut out = String::new();
        render_drift(&mut out, &d, &curated_only(true));
        assert_eq!(
            plain(&out),
            "session\n  ~ session.multi_session: false -> true\n  (0 unchanged settings hidden)\n\nDrift: 1 changed, 0 added, 0 removed · 0 no longer observed\n"
        );
    }

    #[test]
    fn a_source_no_longer_read_is_counted_by_group_with_its_reason() {
        let now = Snapshot::for_test(
            json!({"session": {"multi_session": false},
                   "observed": {"fapi": {"auth_config": {"enhanced_email_deliverability": false}}}}),
            &["observed.plapi"],
        );
        let mut then = before();
        then.settings["observed"]["fapi"]
            .as_object_mut()
            .expect("fapi")
            .remove("display_config");
        let d = diff(&then, &now);
        let mut out = String::new();
        render_drift(&mut out, &d, &now);
        assert!(
            plain(&out).ends_with(
                "\nObserved in the baseline only (coverage, not drift):\n\
                 \x20 ? plapi — 1 other setting under observed.plapi: no source for observed.plapi\n\
                 \nDrift: 0 changed, 0 added, 0 removed · 1 no longer observed\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn a_newly_observed_section_is_counted_by_group() {
        let old = Snapshot::for_test(json!({"session": {"multi_session": false}}), &["observed"]);
        let d = diff(&old, &after());
        let mut out = String::new();
        render_drift(&mut out, &d, &after());
        let out = plain(&out);
        assert!(
            out.contains(
                "\nNewly observed (not in the baseline; not drift):\n\
                 \x20 * observed — 7 other settings under observed\n\
                 \nDrift: 1 changed, 0 added, 0 removed · 0 no longer observed\n"
            ),
            "{out}"
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
