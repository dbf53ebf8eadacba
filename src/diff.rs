//! Semantic diff of two snapshots. Pure: no I/O.
//!
//! Collections are compared by identity key, sets by element, free-form JSON (claims) key by
//! key; toggled durations compare as one value. A path missing on one side is `added`/`removed`
//! only when that side observed its surroundings; when that side's coverage says it was not
//! observed it is `unobserved` (observed in the baseline only: lost coverage, reported as
//! incomplete data) or `newly_observed` (observed now only). Neither is drift: the same instance
//! read through fewer APIs is the same configuration, and the change of source is a coverage
//! note. Observed values (`observed.…`) are walked leaf by leaf: objects field by field, keyed lists
//! (the snapshots' `keyed` patterns) entry by entry as `[key]`, sets by element. Provenance is not
//! compared; source conflicts are, as `disagreement`: a curated path whose sources' disagreement
//! differs between the two sides, when every source involved was observed on both (the same
//! instance read through fewer APIs has fewer disagreements, and that is not drift).

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use crate::path::Path;
use crate::snapshot::schema::{self, Kind};
use crate::snapshot::{Snapshot, Source};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Changed,
    Added,
    Removed,
    /// Observed in the baseline, not observed now: a coverage note, not drift, but incomplete
    /// data.
    Unobserved,
    /// Not observed in the baseline, observed now: a coverage note, not drift.
    NewlyObserved,
    /// The sources of a curated setting disagree differently than in the baseline (an edit to a
    /// source the more authoritative one outranks): drift. `before`/`after` are the values by
    /// source (`{"fapi": false, "plapi": true}`), absent while they agreed.
    Disagreement,
}

impl ChangeKind {
    /// Whether this kind is drift (a setting really differs).
    pub fn is_drift(self) -> bool {
        matches!(
            self,
            ChangeKind::Changed
                | ChangeKind::Added
                | ChangeKind::Removed
                | ChangeKind::Disagreement
        )
    }
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub path: Path,
    pub kind: ChangeKind,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// All differences, in path order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Drift {
    pub changes: Vec<Change>,
    /// Differences on paths the team decided not to track (`--ignore`, `[[ignore]]`): listed,
    /// never counted as drift.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<Ignored>,
    /// How the two sides were observed, when that differs; `None` when both were read from the
    /// same sources and every setting was observed on both sides or neither.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<CoverageNote>,
    /// `unobserved` paths whose feature the current snapshot observes switched off
    /// ([`schema::SWITCHED_BY`]): listed like any lost coverage, but not incomplete data.
    #[serde(skip)]
    pub switched_off: Vec<Path>,
}

/// A change of source between the baseline and the current snapshot: reported, never drift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageNote {
    /// The APIs the baseline was read from (`fapi`, `bapi`, `plapi`).
    pub baseline_sources: Vec<Source>,
    /// The APIs the current snapshot was read from.
    pub current_sources: Vec<Source>,
    /// Settings observed in the baseline only (`unobserved` changes).
    pub baseline_only: usize,
    /// Settings observed now only (`newly_observed` changes).
    pub current_only: usize,
}

/// The APIs a snapshot read at least one file from.
fn observed_sources(s: &Snapshot) -> Vec<Source> {
    s.coverage
        .sources
        .iter()
        .filter(|(source, files)| {
            matches!(source, Source::Fapi | Source::Bapi | Source::Plapi) && !files.is_empty()
        })
        .map(|(source, _)| *source)
        .collect()
}

/// A difference set aside by an ignore rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ignored {
    pub change: Change,
    pub pattern: String,
    pub reason: String,
}

/// A path glob not to track: `*` matches within one path segment, `[*]` any collection key,
/// `**` anything; a pattern also covers everything below the paths it matches.
#[derive(Debug, Clone)]
pub struct IgnoreRule {
    pub pattern: String,
    pub reason: String,
    regex: regex::Regex,
}

impl IgnoreRule {
    pub fn new(pattern: &str, reason: &str) -> Result<Self, String> {
        if pattern.trim().is_empty() {
            return Err("an ignore pattern cannot be empty".into());
        }
        let mut re = String::from("^");
        let mut rest = pattern;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("[*]") {
                re.push_str(r"\[[^\]]*\]");
                rest = r;
            } else if let Some(r) = rest.strip_prefix("**") {
                re.push_str(".*");
                rest = r;
            } else if let Some(r) = rest.strip_prefix('*') {
                re.push_str(r"[^.\[]*");
                rest = r;
            } else {
                let c = rest.chars().next().unwrap_or_default();
                re.push_str(&regex::escape(&c.to_string()));
                rest = &rest[c.len_utf8()..];
            }
        }
        re.push_str(r"(?:$|[.\[])");
        let regex = regex::Regex::new(&re).map_err(|e| e.to_string())?;
        Ok(IgnoreRule {
            pattern: pattern.to_owned(),
            reason: reason.to_owned(),
            regex,
        })
    }

    pub fn matches(&self, path: &Path) -> bool {
        self.regex.is_match(&path.to_string())
            || crate::snapshot::groups::ignore_names(&self.pattern, path)
    }
}

impl Drift {
    /// Moves the changes that an ignore rule matches into `ignored`.
    pub fn ignore(&mut self, rules: &[IgnoreRule]) {
        if rules.is_empty() {
            return;
        }
        let mut kept = Vec::new();
        for c in std::mem::take(&mut self.changes) {
            match rules.iter().find(|r| r.matches(&c.path)) {
                Some(r) => self.ignored.push(Ignored {
                    change: c,
                    pattern: r.pattern.clone(),
                    reason: r.reason.clone(),
                }),
                None => kept.push(c),
            }
        }
        self.changes = kept;
    }
}

impl Drift {
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }

    pub fn has_drift(&self) -> bool {
        self.changes.iter().any(|c| c.kind.is_drift())
    }

    /// The current side lost coverage the baseline had: not drift, but incomplete data (exit 1),
    /// since what is no longer observed can no longer be compared.
    pub fn is_incomplete(&self) -> bool {
        self.changes
            .iter()
            .any(|c| c.kind == ChangeKind::Unobserved && !self.switched_off.contains(&c.path))
    }
}

/// Compares `baseline` with `current`.
pub fn diff(baseline: &Snapshot, current: &Snapshot) -> Drift {
    let mut w = Walker {
        baseline,
        current,
        out: Vec::new(),
    };
    w.walk(
        &Path::root(),
        Some(&baseline.settings),
        Some(&current.settings),
    );
    disagreements(baseline, current, &mut w.out);
    w.out.sort_by(|a, b| a.path.cmp(&b.path));
    let switched_off = w
        .out
        .iter()
        .filter(|c| c.kind == ChangeKind::Unobserved && switched_off(current, &c.path))
        .map(|c| c.path.clone())
        .collect();
    let mut drift = Drift {
        changes: w.out,
        ignored: Vec::new(),
        coverage: None,
        switched_off,
    };
    let note = CoverageNote {
        baseline_sources: observed_sources(baseline),
        current_sources: observed_sources(current),
        baseline_only: drift.count(ChangeKind::Unobserved),
        current_only: drift.count(ChangeKind::NewlyObserved),
    };
    if note.baseline_sources != note.current_sources
        || note.baseline_only > 0
        || note.current_only > 0
    {
        drift.coverage = Some(note);
    }
    drift
}

/// A disagreement's values by source, most authoritative first (`disagree: plapi true, fapi
/// false`), or `agreed` when there was none.
pub fn by_source(values: Option<&Value>) -> String {
    let Some(values) = values.and_then(Value::as_object) else {
        return "agreed".to_owned();
    };
    let rank = |s: &str| ["plapi", "bapi", "fapi"].iter().position(|r| *r == s);
    let mut parts: Vec<(&String, &Value)> = values.iter().collect();
    parts.sort_by_key(|(s, _)| rank(s));
    let parts: Vec<String> = parts.iter().map(|(s, v)| format!("{s} {v}")).collect();
    format!("disagree: {}", parts.join(", "))
}

/// A `disagreement` for every curated path whose per-source values differ between the sides,
/// when every source involved was observed on both and no other change of that path says it.
/// A snapshot written before schema_version 3 never had its conflicts compared: its
/// disagreements are not compared with anything.
fn disagreements(baseline: &Snapshot, current: &Snapshot, out: &mut Vec<Change>) {
    if [baseline, current]
        .iter()
        .any(|s| s.migrated_from.is_some_and(|v| v < 3))
    {
        return;
    }
    let by_path = |s: &Snapshot| -> std::collections::BTreeMap<String, Value> {
        s.conflicts
            .iter()
            .map(|c| {
                let values = c
                    .values
                    .iter()
                    .map(|(source, v)| (source.as_str().to_owned(), v.clone()))
                    .collect();
                (c.path.clone(), Value::Object(values))
            })
            .collect()
    };
    let (before, after) = (by_path(baseline), by_path(current));
    let observed_both: BTreeSet<&'static str> = observed_sources(baseline)
        .into_iter()
        .filter(|s| observed_sources(current).contains(s))
        .map(Source::as_str)
        .collect();
    // Paths whose value (or part of it: a set's element, a claim) changed: that change is the
    // one line, and accepting it adopts the path's disagreement too.
    let reported: Vec<Path> = out
        .iter()
        .filter(|c| c.kind.is_drift())
        .map(|c| c.path.clone())
        .collect();
    for key in union(before.keys(), after.keys()) {
        let (b, a) = (before.get(key), after.get(key));
        let Ok(path) = Path::parse(key) else { continue };
        if b == a || reported.iter().any(|r| r.starts_with(&path)) {
            continue;
        }
        let involved = [b, a]
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .flat_map(|m| m.keys());
        if !involved.clone().all(|s| observed_both.contains(s.as_str())) {
            continue;
        }
        out.push(Change {
            path,
            kind: ChangeKind::Disagreement,
            before: b.cloned(),
            after: a.cloned(),
        });
    }
}

/// Whether `path` lies in a collection whose feature `current` observes switched off.
fn switched_off(current: &Snapshot, path: &Path) -> bool {
    schema::SWITCHED_BY.iter().any(|(collection, switch)| {
        Path::parse(collection).is_ok_and(|c| path.starts_with(&c))
            && Path::parse(switch).is_ok_and(|s| current.get(&s) == Some(&Value::Bool(false)))
    })
}

struct Walker<'a> {
    baseline: &'a Snapshot,
    current: &'a Snapshot,
    out: Vec<Change>,
}

impl Walker<'_> {
    fn push(
        &mut self,
        path: Path,
        kind: ChangeKind,
        before: Option<&Value>,
        after: Option<&Value>,
    ) {
        self.out.push(Change {
            path,
            kind,
            before: before.cloned(),
            after: after.cloned(),
        });
    }

    fn walk(&mut self, path: &Path, before: Option<&Value>, after: Option<&Value>) {
        let (before, after) = match (before, after) {
            (None, None) => return,
            (Some(b), None) => {
                let kind = if self.current.unobserved_reason(path).is_some() {
                    ChangeKind::Unobserved
                } else {
                    ChangeKind::Removed
                };
                self.push(path.clone(), kind, Some(b), None);
                return;
            }
            (None, Some(a)) => {
                let kind = if self.baseline.unobserved_reason(path).is_some() {
                    ChangeKind::NewlyObserved
                } else {
                    ChangeKind::Added
                };
                self.push(path.clone(), kind, None, Some(a));
                return;
            }
            (Some(b), Some(a)) => (b, a),
        };
        let kind = schema::kind_of(path);
        match (kind, before, after) {
            (Some(Kind::Observed), Value::Object(b), Value::Object(a)) => {
                let pattern = path.pattern();
                let keyed =
                    self.baseline.keyed.contains(&pattern) || self.current.keyed.contains(&pattern);
                for key in union(b.keys(), a.keys()) {
                    let child = if keyed {
                        path.key(key)
                    } else {
                        path.field(key)
                    };
                    self.walk(&child, b.get(key), a.get(key));
                }
            }
            (Some(Kind::Observed), Value::Array(b), Value::Array(a)) => {
                let b: std::collections::BTreeMap<String, &Value> =
                    b.iter().map(|v| (element_key(v), v)).collect();
                let a: std::collections::BTreeMap<String, &Value> =
                    a.iter().map(|v| (element_key(v), v)).collect();
                for (k, v) in &b {
                    if !a.contains_key(k) {
                        self.push(path.key(k), ChangeKind::Removed, Some(v), None);
                    }
                }
                for (k, v) in &a {
                    if !b.contains_key(k) {
                        self.push(path.key(k), ChangeKind::Added, None, Some(v));
                    }
                }
            }
            (Some(Kind::Struct) | None, Value::Object(b), Value::Object(a)) => {
                for key in union(b.keys(), a.keys()) {
                    self.walk(&path.field(key), b.get(key), a.get(key));
                }
            }
            (Some(Kind::Map), Value::Object(b), Value::Object(a)) => {
                for key in union(b.keys(), a.keys()) {
                    let entry = path.key(key);
                    match (b.get(key), a.get(key)) {
                        (Some(x), None) => self.push(entry, ChangeKind::Removed, Some(x), None),
                        (None, Some(y)) => self.push(entry, ChangeKind::Added, None, Some(y)),
                        (x, y) => self.walk(&entry, x, y),
                    }
                }
            }
            (Some(Kind::Json), Value::Object(b), Value::Object(a)) => {
                for key in union(b.keys(), a.keys()) {
                    let child = path.field(key);
                    match (b.get(key), a.get(key)) {
                        (Some(x), None) => self.push(child, ChangeKind::Removed, Some(x), None),
                        (None, Some(y)) => self.push(child, ChangeKind::Added, None, Some(y)),
                        (Some(x), Some(y)) if x != y => {
                            self.push(child, ChangeKind::Changed, Some(x), Some(y))
                        }
                        _ => {}
                    }
                }
            }
            (Some(Kind::StrSet), Value::Array(b), Value::Array(a)) => {
                let b: BTreeSet<String> = b.iter().map(element_key).collect();
                let a: BTreeSet<String> = a.iter().map(element_key).collect();
                for gone in b.difference(&a) {
                    self.push(
                        path.key(gone),
                        ChangeKind::Removed,
                        Some(&Value::String(gone.clone())),
                        None,
                    );
                }
                for new in a.difference(&b) {
                    self.push(
                        path.key(new),
                        ChangeKind::Added,
                        None,
                        Some(&Value::String(new.clone())),
                    );
                }
            }
            _ if before != after => {
                self.push(path.clone(), ChangeKind::Changed, Some(before), Some(after))
            }
            _ => {}
        }
    }
}

fn element_key(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn union<'a>(
    a: impl Iterator<Item = &'a String>,
    b: impl Iterator<Item = &'a String>,
) -> BTreeSet<&'a String> {
    a.chain(b).collect()
}

#[cfg(test)]
mod ignore_tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        IgnoreRule::new(pattern, "r")
            .map(|r| r.matches(&Path::parse(path).unwrap_or_default()))
            .unwrap_or(false)
    }

    #[test]
    fn globs_match_segments_keys_and_everything_below() {
        assert!(m(
            "instance.domains[*].cname_targets",
            "instance.domains[acme.com].cname_targets[clerk.acme.com]"
        ));
        assert!(m(
            "instance.domains",
            "instance.domains[acme.com].proxy_url"
        ));
        assert!(m(
            "jwt_templates[*].claims.*",
            "jwt_templates[supabase].claims.aud"
        ));
        assert!(m(
            "organizations.**",
            "organizations.roles[org:admin].permissions"
        ));
        assert!(
            !m("instance.domain", "instance.domains[acme.com]"),
            "no partial segment"
        );
        assert!(!m(
            "jwt_templates[*].lifetime",
            "jwt_templates[supabase].claims.aud"
        ));
        assert!(!m("session.*", "sessions.x"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn snap(settings: Value, unobserved: &[&str]) -> Snapshot {
        Snapshot::for_test(settings, unobserved)
    }

    fn lines(d: &Drift) -> Vec<String> {
        d.changes
            .iter()
            .map(|c| format!("{:?} {}", c.kind, c.path))
            .collect()
    }

    #[test]
    fn identical_snapshots_have_no_changes() {
        let s = snap(
            json!({"session": {"multi_session": true}, "jwt_templates": {"a": {"claims": {"aud": "x"}}}}),
            &[],
        );
        assert!(diff(&s, &s).changes.is_empty());
    }

    #[test]
    fn collections_sets_and_claims_are_compared_by_identity() {
        let a = snap(
            json!({"instance": {"allowed_origins": ["https://a", "https://b"]},
                   "jwt_templates": {"sb": {"lifetime": 60, "claims": {"aud": "x", "role": "r"}}, "old": {"lifetime": 60, "claims": {}}},
                   "session": {"inactivity_timeout": {"enabled": true, "seconds": 1800}}}),
            &[],
        );
        let b = snap(
            json!({"instance": {"allowed_origins": ["https://b", "http://c"]},
                   "jwt_templates": {"sb": {"lifetime": 3600, "claims": {"role": "r"}}, "new": {"lifetime": 60, "claims": {}}},
                   "session": {"inactivity_timeout": {"enabled": false, "seconds": 1800}}}),
            &[],
        );
        assert_eq!(
            lines(&diff(&a, &b)),
            vec![
                "Added instance.allowed_origins[\"http://c\"]",
                "Removed instance.allowed_origins[\"https://a\"]",
                "Added jwt_templates[new]",
                "Removed jwt_templates[old]",
                "Removed jwt_templates[sb].claims.aud",
                "Changed jwt_templates[sb].lifetime",
                "Changed session.inactivity_timeout",
            ]
        );
    }

    #[test]
    fn lost_coverage_is_unobserved_not_removed() {
        let a = snap(json!({"session": {"multi_session": true}}), &[]);
        let b = snap(json!({"session": {}}), &["session.multi_session"]);
        let d = diff(&a, &b);
        assert_eq!(lines(&d), vec!["Unobserved session.multi_session"]);
        assert!(!d.has_drift());
        assert!(d.is_incomplete());
        let note = d.coverage.expect("a coverage note");
        assert_eq!((note.baseline_only, note.current_only), (1, 0));
        let back = diff(&b, &a);
        assert_eq!(lines(&back), vec!["NewlyObserved session.multi_session"]);
        assert!(!back.has_drift());
        assert_eq!(back.coverage.map(|n| n.current_only), Some(1));
    }

    #[test]
    fn a_feature_switched_off_is_drift_not_incomplete_data() {
        let on = snap(
            json!({"organizations": {"enabled": true, "roles": {"org:admin": {"name": "Admin"}}}}),
            &[],
        );
        // Organizations switched off: Clerk refuses the roles read, the switch is observed.
        let off = snap(
            json!({"organizations": {"enabled": false}}),
            &["organizations.roles"],
        );
        let d = diff(&on, &off);
        assert_eq!(
            lines(&d),
            vec![
                "Changed organizations.enabled",
                "Unobserved organizations.roles"
            ]
        );
        assert!(d.has_drift());
        assert!(!d.is_incomplete(), "{:?}", d.switched_off);
        // Not observed for another reason (no Backend API), with the switch still on: lost
        // coverage, incomplete data.
        let unread = snap(
            json!({"organizations": {"enabled": true}}),
            &["organizations.roles"],
        );
        let d = diff(&on, &unread);
        assert!(!d.has_drift());
        assert!(d.is_incomplete());
    }

    #[test]
    fn a_new_disagreement_between_observed_sources_is_drift_but_not_across_views() {
        use crate::snapshot::model::Conflict;
        let both = |s: &mut Snapshot| {
            for source in [Source::Fapi, Source::Plapi] {
                s.coverage.sources.insert(source, vec!["x".into()]);
            }
        };
        let mut a = snap(json!({"session": {"multi_session": true}}), &[]);
        both(&mut a);
        let mut b = a.clone();
        b.conflicts.push(Conflict {
            path: "session.multi_session".into(),
            chosen: Source::Plapi,
            values: [(Source::Plapi, json!(true)), (Source::Fapi, json!(false))].into(),
        });
        let d = diff(&a, &b);
        assert_eq!(lines(&d), vec!["Disagreement session.multi_session"]);
        assert!(d.has_drift());
        assert_eq!(
            by_source(d.changes[0].after.as_ref()),
            "disagree: plapi true, fapi false"
        );
        assert_eq!(by_source(d.changes[0].before.as_ref()), "agreed");
        // The baseline read without the Platform config: fewer sources, not a disagreement.
        let mut fapi_only = snap(json!({"session": {"multi_session": true}}), &[]);
        fapi_only
            .coverage
            .sources
            .insert(Source::Fapi, vec!["x".into()]);
        assert!(!diff(&fapi_only, &b).has_drift());
    }
}
