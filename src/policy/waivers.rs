//! Waivers: time-boxed, reasoned exceptions to failing findings. A waived finding stays visible
//! and is counted as waived; an expired waiver stops applying (and sets exit bit 8); a waiver
//! beyond the allowed horizon (`max_waiver_days`, from clerk-drift.toml) or naming a key the
//! snapshot does not have is invalid (bit 8); a waiver that matches nothing is reported as unused
//! (whether or not it also expired). Pure: "today" is passed in, so tests pin the date.

use jiff::ToSpan;
use jiff::civil::Date;

use serde_json::Value;

use super::eval::{Finding, Status};
use super::model::{Policy, Waiver};
use crate::path::{Path, Seg};
use crate::snapshot::Snapshot;

/// Days before expiry from which a waiver is reported as expiring.
pub const WARN_DAYS: i64 = 14;

/// What happened to the waivers.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Review {
    /// Findings now marked waived.
    pub applied: usize,
    pub expired: Vec<Waiver>,
    /// Waivers not applied, with why (beyond the horizon, or a target key the snapshot lacks).
    pub invalid: Vec<(Waiver, String)>,
    /// Waivers, valid or expired, that match no failing or unknown finding (an expired one is
    /// in `expired` too).
    pub unused: Vec<Waiver>,
    /// Valid waivers that expire within [`WARN_DAYS`].
    pub expiring: Vec<Waiver>,
}

impl Review {
    /// Exit bit 8: an expired or invalid waiver (or, when denied, an unused one).
    pub fn is_bad(&self, deny_unused: bool) -> bool {
        !self.expired.is_empty()
            || !self.invalid.is_empty()
            || (deny_unused && !self.unused.is_empty())
    }
}

/// Does `waiver` cover a finding on `target`? Without a target it covers every finding of the
/// rule; with one, that path and everything below it.
fn covers(waiver: &Waiver, finding: &Finding) -> bool {
    if waiver.rule != finding.rule_id {
        return false;
    }
    match &waiver.target {
        None => true,
        Some(t) => {
            finding.target == *t
                || finding
                    .target
                    .strip_prefix(t.as_str())
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        }
    }
}

/// Why a waiver's target names an entry `snap` does not have (with the nearest key), if it does;
/// nothing when the collection was not observed (then nobody can tell).
fn missing_key(waiver: &Waiver, snap: &Snapshot) -> Option<String> {
    let target = Path::parse(waiver.target.as_deref()?).ok()?;
    for (i, seg) in target.0.iter().enumerate() {
        let Seg::Key(key) = seg else { continue };
        let parent = Path(target.0[..i].to_vec());
        let keys: Vec<&str> = match snap.get(&parent)? {
            Value::Object(entries) => entries.keys().map(String::as_str).collect(),
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            _ => return None,
        };
        if keys.contains(&key.as_str()) {
            continue;
        }
        let hint = match crate::diag::closest(key, keys.iter().copied()) {
            Some(best) => format!("did you mean `{}`?", parent.key(best)),
            None if keys.is_empty() => format!("`{parent}` is empty"),
            None => format!("it has {}", keys.join(", ")),
        };
        return Some(format!(
            "targets `{target}`, but the snapshot has no `{key}` in `{parent}`; {hint}"
        ));
    }
    None
}

/// Applies the policy's waivers to `findings` as of `today` (UTC); with the `snapshot` the
/// findings came from, a waiver whose target names an entry it lacks is invalid.
pub fn apply(
    findings: &mut [Finding],
    policy: &Policy,
    snapshot: Option<&Snapshot>,
    today: Date,
) -> Review {
    let mut review = Review::default();
    let horizon = today
        .checked_add(policy.max_waiver_days.days())
        .unwrap_or(Date::MAX);
    for w in &policy.waivers {
        if w.expires > horizon {
            review.invalid.push((
                w.clone(),
                format!(
                    "expires {}, beyond the {}-day limit (until {horizon}; max_waiver_days)",
                    w.expires, policy.max_waiver_days
                ),
            ));
            continue;
        }
        if let Some(why) = snapshot.and_then(|s| missing_key(w, s)) {
            review.invalid.push((w.clone(), why));
            continue;
        }
        let open = |f: &Finding| matches!(f.status, Status::Fail | Status::Unknown);
        if w.expires < today {
            let mut matched = 0;
            for f in findings.iter_mut().filter(|f| open(f) && covers(w, f)) {
                f.detail = format!("{} (waiver expired {}: {})", f.detail, w.expires, w.origin);
                matched += 1;
            }
            review.expired.push(w.clone());
            if matched == 0 {
                review.unused.push(w.clone());
            }
            continue;
        }
        let mut matched = 0;
        for f in findings
            .iter_mut()
            .filter(|f| open(f) && covers(w, f) && f.waiver.is_none())
        {
            f.waiver = Some(w.clone());
            matched += 1;
        }
        review.applied += matched;
        if matched == 0 {
            review.unused.push(w.clone());
        }
        if w.expires
            .since(today)
            .is_ok_and(|span| span.get_days() <= i32::try_from(WARN_DAYS).unwrap_or(i32::MAX))
        {
            review.expiring.push(w.clone());
        }
    }
    review
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::model::Severity;

    fn finding(rule: &str, target: &str, status: Status) -> Finding {
        Finding {
            rule_id: rule.into(),
            title: "t".into(),
            severity: Severity::High,
            status,
            target: target.into(),
            detail: "found x".into(),
            waiver: None,
        }
    }

    fn policy(waivers: &str) -> Policy {
        let text = format!(
            "[[rule]]\nid = \"jwt.lifetime\"\ntitle = \"t\"\nseverity = \"high\"\neach = \"jwt_templates\"\npath = \"lifetime\"\nmax = 60\n{}",
            waivers.replace("reason = \"r\"\n", "reason = \"r\"\napproved_by = \"a\"\n")
        );
        Policy::parse(&text, "p.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    const TODAY: &str = "2026-11-22";

    #[test]
    fn an_active_waiver_marks_only_its_target() {
        let p = policy(
            "[[waiver]]\nrule = \"jwt.lifetime\"\ntarget = \"jwt_templates[supabase]\"\nreason = \"vendor needs 5m\"\napproved_by = \"ciso@acme.test\"\nexpires = 2026-12-31\n",
        );
        let mut f = vec![
            finding(
                "jwt.lifetime",
                "jwt_templates[supabase].lifetime",
                Status::Fail,
            ),
            finding(
                "jwt.lifetime",
                "jwt_templates[supabase-old].lifetime",
                Status::Fail,
            ),
        ];
        let r = apply(&mut f, &p, None, date(TODAY));
        assert!(f[0].waiver.is_some());
        assert!(
            f[1].waiver.is_none(),
            "a prefix of another key is not a match"
        );
        assert_eq!(r.applied, 1);
        assert!(!r.is_bad(true));
        assert!(r.expiring.is_empty());
    }

    #[test]
    fn expiry_is_end_of_day_and_then_the_finding_counts_again() {
        let p = policy(
            "[[waiver]]\nrule = \"jwt.lifetime\"\nreason = \"r\"\nexpires = \"2026-11-22\"\n",
        );
        let mut f = vec![finding(
            "jwt.lifetime",
            "jwt_templates[a].lifetime",
            Status::Fail,
        )];
        let r = apply(&mut f, &p, None, date("2026-11-22"));
        assert!(f[0].waiver.is_some(), "still valid on its last day");
        assert_eq!(r.expiring.len(), 1, "warned within 14 days");
        let mut f = vec![finding(
            "jwt.lifetime",
            "jwt_templates[a].lifetime",
            Status::Fail,
        )];
        let r = apply(&mut f, &p, None, date("2026-11-23"));
        assert!(f[0].waiver.is_none());
        assert!(
            f[0].detail.contains("waiver expired 2026-11-22: p.toml:9"),
            "{}",
            f[0].detail
        );
        assert_eq!(r.expired.len(), 1);
        assert!(r.is_bad(false));
    }

    #[test]
    fn beyond_the_horizon_is_invalid_and_unused_is_reported() {
        let mut p = policy(
            "[[waiver]]\nrule = \"jwt.lifetime\"\nreason = \"r\"\nexpires = 2027-01-01\n[[waiver]]\nrule = \"jwt.lifetime\"\ntarget = \"jwt_templates[gone]\"\nreason = \"r\"\nexpires = 2026-12-01\n",
        );
        p.max_waiver_days = 30;
        let mut f = vec![finding(
            "jwt.lifetime",
            "jwt_templates[a].lifetime",
            Status::Fail,
        )];
        let r = apply(&mut f, &p, None, date(TODAY));
        assert_eq!(r.invalid.len(), 1);
        assert!(
            r.invalid[0].1.contains("beyond the 30-day limit"),
            "{}",
            r.invalid[0].1
        );
        assert_eq!(r.unused.len(), 1);
        assert!(f[0].waiver.is_none());
        assert!(r.is_bad(false));
        let p =
            policy("[[waiver]]\nrule = \"jwt.lifetime\"\nreason = \"r\"\nexpires = 2026-12-31\n");
        let mut passing = vec![finding(
            "jwt.lifetime",
            "jwt_templates[a].lifetime",
            Status::Pass,
        )];
        let r = apply(&mut passing, &p, None, date(TODAY));
        assert_eq!(r.unused.len(), 1);
        assert!(!r.is_bad(false) && r.is_bad(true));
    }

    #[test]
    fn an_expired_waiver_that_matches_nothing_is_also_unused() {
        let p =
            policy("[[waiver]]\nrule = \"jwt.lifetime\"\nreason = \"r\"\nexpires = 2026-11-01\n");
        let mut f = vec![finding(
            "jwt.lifetime",
            "jwt_templates[a].lifetime",
            Status::Pass,
        )];
        let r = apply(&mut f, &p, None, date(TODAY));
        assert_eq!((r.expired.len(), r.unused.len()), (1, 1));
        let mut f = vec![finding(
            "jwt.lifetime",
            "jwt_templates[a].lifetime",
            Status::Fail,
        )];
        let r = apply(&mut f, &p, None, date(TODAY));
        assert_eq!((r.expired.len(), r.unused.len()), (1, 0));
    }

    #[test]
    fn a_target_key_the_snapshot_lacks_is_invalid_with_the_nearest_key() {
        let p = policy(
            "[[waiver]]\nrule = \"jwt.lifetime\"\ntarget = \"jwt_templates[supabse]\"\nreason = \"r\"\nexpires = 2026-12-01\n",
        );
        let snap = Snapshot::for_test(
            serde_json::json!({"jwt_templates": {"supabase": {"lifetime": 3600}}}),
            &[],
        );
        let mut f = vec![finding(
            "jwt.lifetime",
            "jwt_templates[supabase].lifetime",
            Status::Fail,
        )];
        let r = apply(&mut f, &p, Some(&snap), date(TODAY));
        assert_eq!(r.invalid.len(), 1);
        assert_eq!(
            r.invalid[0].1,
            "targets `jwt_templates[supabse]`, but the snapshot has no `supabse` in `jwt_templates`; did you mean `jwt_templates[supabase]`?"
        );
        // Not observed: nobody can tell, so the waiver stands (and is unused here).
        let empty = Snapshot::for_test(serde_json::json!({}), &["jwt_templates"]);
        let r = apply(&mut f, &p, Some(&empty), date(TODAY));
        assert!(r.invalid.is_empty());
    }
}
