//! The Markdown report (`--format markdown`): compact, for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`. Curated changes first, then other (observed) settings by group with
//! cosmetic ones counted; failing, unknown and waived findings are listed, passing ones counted.
//! Deterministic. This file decides what is shown (the view); the layout is the template
//! `templates/report.md.j2`, which escapes with the `code`, `cell` and `html` filters of
//! `report::templates`. Unknown findings over settings nobody attested collapse into one line.
//! [`render_within`] keeps the report within a [`Budget`] (GitHub's step-summary or comment
//! limit), summarizing the least important lists first (`budget`).

mod budget;

pub use budget::{Budget, Unit};

use serde::Serialize;

use super::Report;
use super::json::status_name;
use super::templates;
use crate::diff::{Change, ChangeKind};
use crate::policy::{Severity, Status, Waiver};
use crate::snapshot::{groups, schema};

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

/// What `report.md.j2` shows.
#[derive(Clone, Serialize)]
struct View<'a> {
    command: &'a str,
    verdict: String,
    exit_code: u8,
    current: &'a str,
    baseline: Option<&'a str>,
    /// What a budget left out, and where the full report is (none: nothing was left out).
    cut: Option<String>,
    drift: Option<DriftView<'a>>,
    policy: Option<PolicyView<'a>>,
}

#[derive(Clone, Serialize)]
struct DriftView<'a> {
    changed: usize,
    added: usize,
    removed: usize,
    disagreement: usize,
    /// Changes of curated settings, as table rows.
    rows: Vec<ChangeRow>,
    /// Curated rows a budget left out.
    rows_more: usize,
    /// Large collections a budget summarized, each in a `<details>` block.
    collections: Vec<CollectionView>,
    /// Changes of other (observed) settings: how many, and their groups.
    other_count: usize,
    other: Vec<OtherGroup>,
    ignored_count: usize,
    ignored: Vec<IgnoredRow<'a>>,
    /// Settings the baseline observed that are not observed now.
    lost_count: usize,
    lost: Vec<LostRow<'a>>,
}

/// One drift row; `before` / `after` are the displayed values (none: the side is absent).
#[derive(Clone, Serialize)]
struct ChangeRow {
    sigil: &'static str,
    path: String,
    before: Option<String>,
    after: Option<String>,
    /// The collection (a set or keyed map) whose element the row changes, and the element.
    #[serde(skip)]
    element: Option<(String, String)>,
}

/// A large collection's changes, summarized: `+ 12,000 allowlist identifiers`, the first
/// `rows`, and how many more were left out.
#[derive(Clone, Serialize)]
struct CollectionView {
    summary: String,
    rows: Vec<ChangeRow>,
    #[serde(serialize_with = "with_thousands")]
    more: usize,
}

/// `12,000` in the report.
fn with_thousands<S: serde::Serializer>(n: &usize, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&budget::thousands(*n))
}

/// An observed group's changes: the listed ones as rows, the cosmetic ones counted.
#[derive(Clone, Serialize)]
struct OtherGroup {
    name: String,
    rows: Vec<ChangeRow>,
    /// Rows a budget left out.
    folded: usize,
    cosmetic_count: usize,
    /// The cosmetic categories folded (`branding, logos, theme`).
    cosmetic: String,
}

/// An ignored curated change (`count` 0), or an observed group's changes one rule ignored
/// (`path` is the group's name).
#[derive(Clone, Serialize)]
struct IgnoredRow<'a> {
    path: String,
    count: usize,
    pattern: &'a str,
    reason: &'a str,
}

/// A curated setting no longer observed (`count` 0), or an observed group's (`path` is the
/// group's name).
#[derive(Clone, Serialize)]
struct LostRow<'a> {
    path: String,
    count: usize,
    reason: &'a str,
}

/// `path` as one row when curated; an observed one adds `weight` to the last row when `count`
/// finds it is of the same group (and rule), else starts a row named by its group.
fn fold<R>(
    rows: &mut Vec<R>,
    path: &crate::path::Path,
    weight: usize,
    row: impl FnOnce(String, usize) -> R,
    count: impl FnOnce(&mut R) -> Option<&mut usize>,
) {
    if !groups::is_observed(path) {
        rows.push(row(path.to_string(), 0));
        return;
    }
    let name = groups::group_of(path).name;
    if let Some(n) = rows.last_mut().and_then(count) {
        *n += weight;
        return;
    }
    rows.push(row(name, weight));
}

#[derive(Clone, Serialize)]
struct PolicyView<'a> {
    failed: usize,
    waived: usize,
    unknown: usize,
    passed: usize,
    /// Failing and unknown findings (waived ones last), most severe first.
    listed: Vec<FindingRow<'a>>,
    /// The unknown findings over settings nobody attested, as one line.
    attested: Option<AttestedLine>,
    /// What a budget left out of the lists, one line each (`27 unknown findings`).
    more: Vec<String>,
    expired: Vec<WaiverNote<'a>>,
    invalid: Vec<WaiverNote<'a>>,
    unused: Vec<WaiverNote<'a>>,
    expiring: Vec<WaiverNote<'a>>,
    overrides: Vec<super::overrides::Row<'a>>,
    origin: &'a str,
}

#[derive(Clone, Serialize)]
struct FindingRow<'a> {
    #[serde(skip)]
    class: Class,
    #[serde(skip)]
    sev: Severity,
    status: &'static str,
    severity: &'static str,
    rule_id: &'a str,
    target: &'a str,
    detail: &'a str,
    waiver: Option<WaiverNote<'a>>,
}

/// Which list a finding row belongs to, for a budget's stages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Failing,
    Unknown,
    Waived,
}

/// `11 attested rules unknown (1 high, 7 medium, 3 low)`, and the rules.
#[derive(Clone, Serialize)]
struct AttestedLine {
    count: usize,
    severities: String,
    rules: Vec<String>,
}

/// A waiver as the report names it; `why` only for an invalid one.
#[derive(Clone, Serialize)]
struct WaiverNote<'a> {
    origin: &'a str,
    rule: &'a str,
    expires: String,
    reason: &'a str,
    why: &'a str,
}

impl<'a> WaiverNote<'a> {
    fn new(w: &'a Waiver, why: &'a str) -> Self {
        WaiverNote {
            origin: &w.origin,
            rule: &w.rule,
            expires: w.expires.to_string(),
            reason: &w.reason,
            why,
        }
    }
}

fn change_row(c: &Change) -> ChangeRow {
    let kind = schema::kind_of(&c.path);
    let show = |v: &Option<serde_json::Value>| v.as_ref().map(|v| schema::display_value(kind, v));
    ChangeRow {
        sigil: match c.kind {
            ChangeKind::Changed => "~",
            ChangeKind::Added => "+",
            ChangeKind::Disagreement => "≠",
            _ => "-",
        },
        path: c.path.to_string(),
        before: show(&c.before),
        after: show(&c.after),
        element: element_of(&c.path),
    }
}

/// The collection a curated path is an element of (a set of strings or a keyed map:
/// `restrictions.allowlist.identifiers`, `jwt_templates`) and the element's key: the first key
/// segment below one.
fn element_of(path: &crate::path::Path) -> Option<(String, String)> {
    path.0.iter().enumerate().find_map(|(i, seg)| {
        let crate::path::Seg::Key(key) = seg else {
            return None;
        };
        let parent = crate::path::Path(path.0[..i].to_vec());
        matches!(
            schema::kind_of(&parent),
            Some(schema::Kind::StrSet | schema::Kind::Map)
        )
        .then(|| (parent.to_string(), key.clone()))
    })
}

/// The drifted observed settings by group, in path order; cosmetic ones counted, not rowed.
fn other_groups(drift: &crate::diff::Drift) -> Vec<OtherGroup> {
    let mut out: Vec<OtherGroup> = Vec::new();
    let mut categories: Vec<Vec<&str>> = Vec::new();
    for c in drift
        .changes
        .iter()
        .filter(|c| c.kind.is_drift() && groups::is_observed(&c.path))
    {
        let name = groups::group_of(&c.path).name;
        if out.last().is_none_or(|g| g.name != name) {
            out.push(OtherGroup {
                name,
                rows: Vec::new(),
                folded: 0,
                cosmetic_count: 0,
                cosmetic: String::new(),
            });
            categories.push(Vec::new());
        }
        let (Some(g), Some(cats)) = (out.last_mut(), categories.last_mut()) else {
            continue;
        };
        match groups::cosmetic(&c.path) {
            Some(k) => {
                g.cosmetic_count += 1;
                if !cats.contains(&k.category) {
                    cats.push(k.category);
                }
            }
            None => g.rows.push(change_row(c)),
        }
    }
    for (g, mut cats) in out.iter_mut().zip(categories) {
        cats.sort_unstable();
        g.cosmetic = cats.join(", ");
    }
    out
}

fn drift_view<'a>(r: &Report<'a>, drift: &'a crate::diff::Drift) -> DriftView<'a> {
    let mut lost: Vec<LostRow<'a>> = Vec::new();
    for c in drift
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Unobserved)
    {
        let reason = r
            .snapshot
            .unobserved_reason(&c.path)
            .unwrap_or("not observed");
        let name = groups::group_of(&c.path).name;
        // A whole section lost at once counts every setting in it.
        let settings = c
            .before
            .as_ref()
            .map_or(1, |v| super::text::count_settings(v, &c.path));
        fold(
            &mut lost,
            &c.path,
            settings,
            |path, count| LostRow {
                path,
                count,
                reason,
            },
            |last| (last.count > 0 && last.path == name).then_some(&mut last.count),
        );
    }
    let mut ignored: Vec<IgnoredRow<'a>> = Vec::new();
    for i in &drift.ignored {
        let name = groups::group_of(&i.change.path).name;
        fold(
            &mut ignored,
            &i.change.path,
            1,
            |path, count| IgnoredRow {
                path,
                count,
                pattern: &i.pattern,
                reason: &i.reason,
            },
            |last| {
                (last.count > 0 && last.path == name && last.pattern == i.pattern)
                    .then_some(&mut last.count)
            },
        );
    }
    DriftView {
        changed: drift.count(ChangeKind::Changed),
        added: drift.count(ChangeKind::Added),
        removed: drift.count(ChangeKind::Removed),
        disagreement: drift.count(ChangeKind::Disagreement),
        rows: drift
            .changes
            .iter()
            .filter(|c| c.kind.is_drift() && !groups::is_observed(&c.path))
            .map(change_row)
            .collect(),
        rows_more: 0,
        collections: Vec::new(),
        other_count: drift
            .changes
            .iter()
            .filter(|c| c.kind.is_drift() && groups::is_observed(&c.path))
            .count(),
        other: other_groups(drift),
        ignored_count: drift.ignored.len(),
        ignored,
        lost_count: drift.count(ChangeKind::Unobserved),
        lost,
    }
}

fn policy_view<'a>(
    policy: &'a crate::policy::Policy,
    findings: &'a [crate::policy::Finding],
    review: &'a crate::policy::waivers::Review,
) -> PolicyView<'a> {
    let count = |name: &str| findings.iter().filter(|f| status_name(f) == name).count();
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
    let notes = |ws: &'a [Waiver]| ws.iter().map(|w| WaiverNote::new(w, "")).collect();
    // Rules over settings nobody attested: one line, not a row each.
    let (unattested, listed): (Vec<_>, Vec<_>) = listed.into_iter().partition(|f| {
        f.status == Status::Unknown
            && f.waiver.is_none()
            && f.target.starts_with("attested.")
            && f.detail == crate::snapshot::normalize::NEVER_ATTESTED
    });
    PolicyView {
        failed: count("fail"),
        waived: count("waived"),
        unknown: count("unknown"),
        passed: count("pass"),
        attested: attested_line(&unattested),
        more: Vec::new(),
        listed: listed
            .into_iter()
            .map(|f| FindingRow {
                class: match (&f.waiver, f.status) {
                    (Some(_), _) => Class::Waived,
                    (None, Status::Fail) => Class::Failing,
                    _ => Class::Unknown,
                },
                sev: f.severity,
                status: status_name(f),
                severity: f.severity.as_str(),
                rule_id: &f.rule_id,
                target: &f.target,
                detail: &f.detail,
                waiver: f.waiver.as_ref().map(|w| WaiverNote::new(w, "")),
            })
            .collect(),
        expired: notes(&review.expired),
        invalid: review
            .invalid
            .iter()
            .map(|(w, why)| WaiverNote::new(w, why))
            .collect(),
        unused: notes(&review.unused),
        expiring: notes(&review.expiring),
        overrides: super::overrides::rows(policy),
        origin: &policy.origin,
    }
}

/// `11 attested rules unknown (1 high, 7 medium, 3 low)`; none when there are none.
fn attested_line(findings: &[&crate::policy::Finding]) -> Option<AttestedLine> {
    if findings.is_empty() {
        return None;
    }
    let severities: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|s| {
            let n = findings.iter().filter(|f| f.severity == *s).count();
            (n > 0).then(|| format!("{n} {}", s.as_str()))
        })
        .collect();
    let mut rules: Vec<String> = findings.iter().map(|f| f.rule_id.clone()).collect();
    rules.dedup();
    Some(AttestedLine {
        count: findings.len(),
        severities: severities.join(", "),
        rules,
    })
}

fn view<'a>(r: &Report<'a>) -> View<'a> {
    View {
        command: r.command,
        verdict: verdict(r.exit_code),
        exit_code: r.exit_code,
        current: r.current,
        baseline: r.baseline,
        cut: None,
        drift: r.drift.map(|d| drift_view(r, d)),
        policy: r
            .policy
            .map(|(policy, findings, review)| policy_view(policy, findings, review)),
    }
}

fn lay_out(view: &View<'_>) -> String {
    templates::render(templates::MARKDOWN, view)
}

/// Renders the whole report (the evidence bundle's `report.md`).
pub fn render(r: &Report<'_>) -> String {
    lay_out(&view(r))
}

/// Renders the report within `budget`: whole when it fits, else with the least important lists
/// summarized, stage by stage, and a line saying what was left out and where the full report is
/// (`full_report`, e.g. the JSON file written next to it; none: how to get one).
pub fn render_within(r: &Report<'_>, budget: Budget, full_report: Option<&str>) -> String {
    budget::fit(view(r), budget, full_report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::Snapshot;

    #[test]
    fn table_cells_escape_pipes_and_code_spans_lose_backticks() {
        let snapshot = Snapshot::for_test(serde_json::json!({}), &[]);
        let policy = crate::policy::Policy {
            origin: "a|b.toml".into(),
            rules: Vec::new(),
            overrides: Vec::new(),
            waivers: Vec::new(),
            max_waiver_days: 90,
        };
        let findings = [crate::policy::Finding {
            rule_id: "x`y".into(),
            title: String::new(),
            severity: crate::policy::Severity::Low,
            status: Status::Fail,
            target: "a|b".into(),
            detail: "one | two\nthree".into(),
            waiver: None,
        }];
        let review = crate::policy::waivers::Review::default();
        let md = render(&Report {
            command: "check",
            current: "s`.json",
            baseline: None,
            snapshot: &snapshot,
            drift: None,
            baseline_snapshot: None,
            policy: Some((&policy, &findings, &review)),
            exit_code: 0,
        });
        assert_eq!(
            md,
            "## clerk-drift check: ✅ clean (exit 0)\n\n**Current:** `s'.json`\n\n\
             ### Policy: 1 failed, 0 waived, 0 unknown, 0 passed\n\n\
             | Status | Severity | Rule | Target | Detail |\n|---|---|---|---|---|\n\
             | fail | low | `x'y` | `a\\|b` | one \\| two three |\n\n<sub>Policy: a\\|b.toml</sub>\n"
        );
    }
}
