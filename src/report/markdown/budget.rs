//! Keeping the Markdown report within a size: GitHub's job summary takes at most 1 MiB
//! (1,048,576 bytes) per step, a comment at most 65,536 characters. The whole report when it
//! fits; else the stages below, each summarizing more, until it fits — least important first:
//! large collections' element lists (12,000 allowlist identifiers become a `<details>` block
//! with 20 of them, then only its summary line), other settings' rows (counted per group),
//! unknown and waived findings, failing findings when none of them sets exit bit 4, the ignored
//! and no-longer-observed lists and the waiver notes; then the curated drift rows and the failing
//! rows from their ends (the failing rows are sorted most severe first), as many as fit; as a last
//! resort the heading and the counts. The verdict, the failing findings at or above `--fail-on`
//! and the curated drift are what survives longest. A stage never cuts text: it changes the view
//! and the template lays the report out again, so the result is whole Markdown (no cut row or
//! tag); a note at the top says what was left out and where the full report is.

use super::{Class, CollectionView, View, lay_out};
use crate::policy::Severity;

/// How many rows a summarized collection still lists.
const COLLECTION_ROWS: usize = 20;

/// What a [`Budget`] counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// UTF-8 bytes (GitHub's step summary).
    Bytes,
    /// Characters (Unicode scalar values: GitHub's comment body).
    Chars,
}

/// The most a Markdown report may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub max: usize,
    pub unit: Unit,
    /// The limit as the report's note names it.
    what: &'static str,
}

impl Budget {
    /// No limit.
    pub const NONE: Budget = Budget {
        max: usize::MAX,
        unit: Unit::Bytes,
        what: "no limit",
    };
    /// GitHub's limit on a step's job summary (`$GITHUB_STEP_SUMMARY`): 1 MiB.
    pub const STEP_SUMMARY: Budget = Budget {
        max: 1_048_576,
        unit: Unit::Bytes,
        what: "GitHub's step summary limit (1,048,576 bytes)",
    };
    /// GitHub's limit on an issue or pull-request comment's body.
    pub const COMMENT: Budget = Budget {
        max: 65_536,
        unit: Unit::Chars,
        what: "GitHub's comment limit (65,536 characters)",
    };
    /// The smallest share [`Budget::split`] gives: the heading and the counts always fit in it.
    pub const MIN: usize = 4_096;

    /// The size of `text` in this budget's unit.
    pub fn size(self, text: &str) -> usize {
        match self.unit {
            Unit::Bytes => text.len(),
            Unit::Chars => text.chars().count(),
        }
    }

    pub fn fits(self, text: &str) -> bool {
        self.size(text) <= self.max
    }

    /// The tighter of two budgets.
    pub fn min(self, other: Budget) -> Budget {
        if other.max < self.max { other } else { self }
    }

    /// One report's share when `parts` reports go into one document with `overhead` more
    /// (headings between them): `plan --all` in Markdown. Never below [`Budget::MIN`].
    pub fn split(self, parts: usize, overhead: usize) -> Budget {
        if self.max == usize::MAX {
            return self;
        }
        let max = (self.max.saturating_sub(overhead) / parts.max(1)).max(Self::MIN);
        Budget { max, ..self }
    }
}

/// One stage: summarizes one more kind of list in `view`; false when there was nothing to do.
type Stage = fn(&mut View<'_>) -> bool;

const STAGES: [Stage; 7] = [
    collections_listed,
    collections_counted,
    other_counted,
    unknown_counted,
    waived_counted,
    failing_counted,
    notes_counted,
];

/// The report within `budget` (see the module's documentation).
pub(super) fn fit(mut view: View<'_>, budget: Budget, full: Option<&str>) -> String {
    let whole = lay_out(&view);
    if budget.fits(&whole) {
        return whole;
    }
    let full = full.map_or_else(
        || "the JSON report (`--format json`) lists every entry".to_owned(),
        super::templates::code,
    );
    for stage in STAGES {
        if !stage(&mut view) {
            continue;
        }
        view.cut = Some(note(&view, budget, &full));
        let text = lay_out(&view);
        if budget.fits(&text) {
            return text;
        }
    }
    // The curated drift rows and the failing rows: the first `k` of each, as many as fit.
    let longest = |v: &View<'_>| {
        let rows = v.drift.as_ref().map_or(0, |d| d.rows.len());
        let listed = v.policy.as_ref().map_or(0, |p| p.listed.len());
        rows.max(listed)
    };
    let attempt = |k: usize| {
        let mut v = view.clone();
        keep(&mut v, k);
        v.cut = Some(note(&v, budget, &full));
        let text = lay_out(&v);
        budget.fits(&text).then_some(text)
    };
    if let Some(mut best) = attempt(0) {
        // `attempt(lo)` fits; `attempt(hi)` does not (all of them did not fit above).
        let (mut lo, mut hi) = (0, longest(&view));
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            match attempt(mid) {
                Some(text) => {
                    best = text;
                    lo = mid;
                }
                None => hi = mid,
            }
        }
        return best;
    }
    minimal(&view, budget, &full)
}

/// The heading, the counts and the note; if even that does not fit, the heading and the note.
fn minimal(view: &View<'_>, budget: Budget, full: &str) -> String {
    let mut v = view.clone();
    keep(&mut v, 0);
    if let Some(d) = v.drift.as_mut() {
        d.collections.clear();
        d.other.clear();
    }
    if let Some(p) = v.policy.as_mut() {
        p.attested = None;
    }
    v.cut = Some(note(&v, budget, full));
    let text = lay_out(&v);
    if budget.fits(&text) {
        return text;
    }
    format!(
        "## clerk-drift {}: {} (exit {})\n\n> **Shortened to fit {}:** only the verdict fits. The full report: the JSON report (`--format json`).\n",
        view.command, view.verdict, view.exit_code, budget.what
    )
}

/// Keeps the first `k` curated drift rows and listed findings.
fn keep(view: &mut View<'_>, k: usize) {
    if let Some(d) = view.drift.as_mut()
        && d.rows.len() > k
    {
        d.rows_more += d.rows.len() - k;
        d.rows.truncate(k);
    }
    if let Some(p) = view.policy.as_mut()
        && p.listed.len() > k
    {
        let cut: Vec<_> = p.listed.split_off(k);
        p.more.push(format!(
            "{} more failing finding(s) ({})",
            thousands(cut.len()),
            by_severity(cut.iter().map(|f| f.sev))
        ));
    }
}

/// `12 high, 300 medium`.
fn by_severity(severities: impl Iterator<Item = Severity> + Clone) -> String {
    Severity::ALL
        .iter()
        .filter_map(|s| {
            let n = severities.clone().filter(|x| x == s).count();
            (n > 0).then(|| format!("{} {}", thousands(n), s.as_str()))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `12,000`.
pub(super) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The note at the top: what is not listed, and where the full report is.
fn note(view: &View<'_>, budget: Budget, full: &str) -> String {
    let mut left: Vec<String> = Vec::new();
    if let Some(d) = &view.drift {
        let collections: usize = d.collections.iter().map(|c| c.more).sum();
        if collections > 0 {
            left.push(format!(
                "{} change(s) in {} large collection(s)",
                thousands(collections),
                d.collections.len()
            ));
        }
        if d.rows_more > 0 {
            left.push(format!("{} curated change(s)", thousands(d.rows_more)));
        }
        let other: usize = d.other.iter().map(|g| g.folded).sum();
        if other > 0 {
            left.push(format!("{} change(s) of other settings", thousands(other)));
        }
        if d.ignored.is_empty() && d.ignored_count > 0 {
            left.push(format!("{} ignored change(s)", thousands(d.ignored_count)));
        }
        if d.lost.is_empty() && d.lost_count > 0 {
            left.push(format!(
                "{} setting(s) no longer observed",
                thousands(d.lost_count)
            ));
        }
    }
    if let Some(p) = &view.policy {
        left.extend(p.more.iter().cloned());
    }
    format!(
        "**Shortened to fit {}:** not listed here: {}. The full report: {full}.",
        budget.what,
        left.join("; ")
    )
}

/// Stage 1: every collection with more than [`COLLECTION_ROWS`] changed rows leaves the curated
/// table for a `<details>` block of its own that lists the first of them.
fn collections_listed(view: &mut View<'_>) -> bool {
    let Some(d) = view.drift.as_mut() else {
        return false;
    };
    let mut sizes: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for r in &d.rows {
        if let Some((c, _)) = &r.element {
            *sizes.entry(c.as_str()).or_default() += 1;
        }
    }
    let large: Vec<String> = sizes
        .into_iter()
        .filter(|(_, n)| *n > COLLECTION_ROWS)
        .map(|(c, _)| c.to_owned())
        .collect();
    if large.is_empty() {
        return false;
    }
    for name in large {
        let (rows, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut d.rows)
            .into_iter()
            .partition(|r| r.element.as_ref().is_some_and(|(c, _)| *c == name));
        d.rows = rest;
        let summary = summary(&name, &rows);
        let more = rows.len() - COLLECTION_ROWS;
        d.collections.push(CollectionView {
            summary,
            rows: rows.into_iter().take(COLLECTION_ROWS).collect(),
            more,
        });
    }
    true
}

/// `+ 12,000 allowlist identifiers, - 4 (restrictions.allowlist.identifiers)`: the elements
/// changed, by sigil (an element with rows of several kinds counts as `~`).
fn summary(collection: &str, rows: &[super::ChangeRow]) -> String {
    let mut elements: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
    for r in rows {
        if let Some((_, key)) = &r.element {
            let sigil = elements.entry(key.as_str()).or_insert(r.sigil);
            if *sigil != r.sigil {
                *sigil = "~";
            }
        }
    }
    let parts: Vec<String> = ["+", "-", "~", "≠"]
        .iter()
        .filter_map(|s| {
            let n = elements.values().filter(|v| *v == s).count();
            (n > 0).then(|| format!("{s} {}", thousands(n)))
        })
        .collect();
    format!("{} {} ({collection})", parts.join(", "), noun(collection))
}

/// A collection named for a person: `allowlist identifiers`, `redirect urls`, `jwt templates`.
fn noun(collection: &str) -> String {
    let fields: Vec<&str> = collection.split('.').filter(|s| !s.contains('[')).collect();
    let words = |s: &str| s.replace('_', " ");
    match fields.as_slice() {
        [.., parent, last]
            if matches!(
                *last,
                "identifiers" | "domains" | "permissions" | "scopes" | "factors"
            ) && *parent != "instance" =>
        {
            format!("{} {}", words(parent), words(last))
        }
        [.., last] => words(last),
        [] => collection.to_owned(),
    }
}

/// Stage 2: the summarized collections keep only their summary line.
fn collections_counted(view: &mut View<'_>) -> bool {
    let Some(d) = view.drift.as_mut() else {
        return false;
    };
    let mut done = false;
    for c in d.collections.iter_mut().filter(|c| !c.rows.is_empty()) {
        c.more += c.rows.len();
        c.rows.clear();
        done = true;
    }
    done
}

/// Stage 3: other settings' rows are counted per group.
fn other_counted(view: &mut View<'_>) -> bool {
    let Some(d) = view.drift.as_mut() else {
        return false;
    };
    let mut done = false;
    for g in d.other.iter_mut().filter(|g| !g.rows.is_empty()) {
        g.folded += g.rows.len();
        g.rows.clear();
        done = true;
    }
    done
}

/// Moves the findings of `class` out of the table into a counted line.
fn count_class(view: &mut View<'_>, class: Class, what: &str) -> bool {
    let Some(p) = view.policy.as_mut() else {
        return false;
    };
    let (out, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut p.listed)
        .into_iter()
        .partition(|f| f.class == class);
    p.listed = rest;
    if out.is_empty() {
        return false;
    }
    p.more.push(format!(
        "{} {what} ({})",
        thousands(out.len()),
        by_severity(out.iter().map(|f| f.sev))
    ));
    true
}

/// Stage 4: unknown findings are counted.
fn unknown_counted(view: &mut View<'_>) -> bool {
    count_class(view, Class::Unknown, "unknown finding(s)")
}

/// Stage 5: waived findings are counted.
fn waived_counted(view: &mut View<'_>) -> bool {
    count_class(view, Class::Waived, "waived finding(s)")
}

/// Stage 6: failing findings are counted when none of them is at or above `--fail-on` (the exit
/// code has no bit 4, and is not 1, which would hide it).
fn failing_counted(view: &mut View<'_>) -> bool {
    if view.exit_code == crate::exit::ERROR || view.exit_code & crate::exit::POLICY != 0 {
        return false;
    }
    count_class(
        view,
        Class::Failing,
        "failing finding(s) below the --fail-on gate",
    )
}

/// Stage 7: the ignored and no-longer-observed lists and the waiver and override notes are
/// counted.
fn notes_counted(view: &mut View<'_>) -> bool {
    let mut done = false;
    if let Some(d) = view.drift.as_mut()
        && !(d.ignored.is_empty() && d.lost.is_empty())
    {
        d.ignored.clear();
        d.lost.clear();
        done = true;
    }
    if let Some(p) = view.policy.as_mut() {
        let n = p.expired.len()
            + p.invalid.len()
            + p.unused.len()
            + p.expiring.len()
            + p.overrides.len();
        if n > 0 {
            p.expired.clear();
            p.invalid.clear();
            p.unused.clear();
            p.expiring.clear();
            p.overrides.clear();
            p.more
                .push(format!("{} waiver and override note(s)", thousands(n)));
            done = true;
        }
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(12_000), "12,000");
        assert_eq!(thousands(1_048_576), "1,048,576");
    }

    #[test]
    fn collections_are_named_for_people() {
        assert_eq!(
            noun("restrictions.allowlist.identifiers"),
            "allowlist identifiers"
        );
        assert_eq!(noun("instance.redirect_urls"), "redirect urls");
        assert_eq!(noun("jwt_templates"), "jwt templates");
        assert_eq!(noun("sign_in.identifiers"), "sign in identifiers");
    }

    /// 400 failing findings (exit 4: they gate), checked against budgets from the smallest up:
    /// never over, always whole, the most severe rows first, the rest counted.
    #[test]
    fn a_report_never_exceeds_its_budget_and_keeps_the_most_severe_rows() {
        let snapshot = crate::snapshot::Snapshot::for_test(serde_json::json!({}), &[]);
        let policy = crate::policy::Policy {
            origin: "pack".into(),
            rules: Vec::new(),
            overrides: Vec::new(),
            waivers: Vec::new(),
            max_waiver_days: 90,
        };
        let findings: Vec<crate::policy::Finding> = (0..400)
            .map(|i| crate::policy::Finding {
                rule_id: format!("rule-{i:03}"),
                title: String::new(),
                severity: if i < 5 {
                    Severity::Critical
                } else {
                    Severity::Low
                },
                status: crate::policy::Status::Fail,
                target: format!("target.{i}"),
                detail: "x".repeat(100),
                waiver: None,
            })
            .collect();
        let review = crate::policy::waivers::Review::default();
        let report = crate::report::Report {
            command: "check",
            current: "s.json",
            baseline: None,
            snapshot: &snapshot,
            drift: None,
            baseline_snapshot: None,
            policy: Some((&policy, &findings, &review)),
            exit_code: 4,
        };
        let whole = super::super::render(&report);
        for max in [Budget::MIN, 8_192, 20_000, whole.len() - 1] {
            let budget = Budget {
                max,
                ..Budget::STEP_SUMMARY
            };
            let md = super::super::render_within(&report, budget, Some("out/report.json"));
            assert!(md.len() <= max, "{max}: {}", md.len());
            assert!(md.contains("| fail | critical | `rule-004` |"), "{max}");
            let listed = md.matches("| fail |").count();
            assert!(
                md.contains(&format!(
                    "- {} more failing finding(s) ({} low), not listed here",
                    400 - listed,
                    400 - listed
                )),
                "{max}: {md}"
            );
            assert!(md.contains("The full report: `out/report.json`."), "{md}");
        }
        assert_eq!(
            super::super::render_within(&report, Budget::NONE, None),
            whole
        );
    }

    #[test]
    fn budgets_count_bytes_or_characters_and_split() {
        assert_eq!(Budget::STEP_SUMMARY.size("✅"), 3);
        assert_eq!(Budget::COMMENT.size("✅"), 1);
        assert_eq!(Budget::STEP_SUMMARY.min(Budget::COMMENT), Budget::COMMENT);
        assert_eq!(Budget::NONE.min(Budget::STEP_SUMMARY), Budget::STEP_SUMMARY);
        assert_eq!(Budget::STEP_SUMMARY.split(4, 576).max, 262_000);
        assert_eq!(Budget::COMMENT.split(1_000, 0).max, Budget::MIN);
        assert_eq!(Budget::NONE.split(3, 10), Budget::NONE);
    }
}
