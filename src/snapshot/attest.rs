//! Attestations: settings no Clerk API exposes (webhook signature checks, secret-key rotation,
//! session revocation, Dashboard access) — or that the available APIs do not reach (session
//! lifetimes without Platform API access) — stated by a named person, dated, and expiring.
//!
//! ```toml
//! [[attestation]]
//! path = "attested.webhooks.signature_verified"
//! value = true
//! attested_by = "alice@acme.test"
//! attested_at = 2026-11-01
//! expires = 2027-02-01
//! evidence = "https://wiki.acme.test/security/webhooks"
//! ```
//!
//! Merged into a snapshot with provenance `attested`. An expired attestation leaves the setting
//! unobserved (so rules over it are `unknown`), and an attestation never overrides an observed
//! value: that conflict is an error. Validation ([`Attestations::parse`]) is judged against
//! [`Limits`]: `attested_at` may not be after today, and `expires` may be at most
//! `max_days` after `attested_at` (clerk-drift.toml's `[governance] max_attestation_days`, never
//! the attestations file). Unknown keys and paths get "did you mean".

use std::ops::Range;

use jiff::ToSpan;
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::{Value, json};
use toml::Spanned;

use super::model::{Snapshot, Source, Unobserved};
use super::schema::{self, Kind};
use crate::diag::{self, Diagnostic};
use crate::path::Path;

/// The default limit on how long an attestation may hold, from `attested_at` to `expires`
/// (`[governance] max_attestation_days` in clerk-drift.toml changes it).
pub const DEFAULT_MAX_ATTESTATION_DAYS: i64 = 365;

/// What an attestations file is judged against: today (UTC) and the longest an attestation may
/// hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub today: Date,
    pub max_days: i64,
}

/// One validated attestation.
#[derive(Debug, Clone, PartialEq)]
pub struct Attestation {
    pub path: Path,
    /// The value, in the snapshot's normalized form (durations in seconds).
    pub value: Value,
    pub attested_by: String,
    pub attested_at: Date,
    pub expires: Date,
    pub evidence: Option<String>,
    /// `file:line`.
    pub origin: String,
}

/// A validated attestations file.
#[derive(Debug, Clone, Default)]
pub struct Attestations {
    pub origin: String,
    pub items: Vec<Attestation>,
}

/// An attestations file that does not validate, or one that contradicts observed data.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{rendered}{origin}: {count} error(s); no attestation was applied")]
    Invalid {
        origin: String,
        count: usize,
        rendered: String,
    },
    #[error(
        "{origin}: attestation of `{path}` contradicts the snapshot: it is observed by {observed_by} ({observed}); an attestation never overrides an observed value: remove it"
    )]
    Conflict {
        origin: String,
        path: String,
        observed_by: &'static str,
        observed: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    attestation: Vec<RawAttestation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttestation {
    path: Spanned<String>,
    value: Spanned<toml::Value>,
    attested_by: Spanned<String>,
    attested_at: Spanned<toml::Value>,
    expires: Spanned<toml::Value>,
    #[serde(default)]
    evidence: Option<String>,
}

fn date(v: &toml::Value) -> Option<Date> {
    match v {
        toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => {
            d.to_string().parse().ok()
        }
        toml::Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A TOML or shape error in an attestations file, with "did you mean" for a misspelt key.
fn toml_diagnostic(e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim();
    let d = Diagnostic::new(e.span().unwrap_or(0..0), message);
    let holds = "an [[attestation]] holds path, value, attested_by, attested_at, expires and optionally evidence";
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default();
        if key == "max_attestation_days" {
            return Diagnostic::new(
                e.span().unwrap_or(0..0),
                "`max_attestation_days` cannot be set in an attestations file: it limits the attestations the file holds",
            )
            .help("set it under [governance] in clerk-drift.toml (default 365 days)");
        }
        // toml names the keys it expected: "unknown field `x`, expected one of `a`, `b`".
        let expected: Vec<&str> = message
            .split_once("expected")
            .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        return match crate::diag::closest(key, expected) {
            Some(best) => d.help(format!("did you mean `{best}`? ({holds})")),
            None => d.help(holds),
        };
    }
    if message.contains("missing field") {
        return d.help(holds);
    }
    d
}

/// Converts a TOML value to the snapshot form of a setting of `kind`.
fn convert(kind: Kind, v: &toml::Value) -> Result<Value, String> {
    let duration = |v: &toml::Value| match v {
        toml::Value::Integer(i) if *i >= 0 => Ok(json!(i)),
        toml::Value::String(s) => crate::duration::parse_seconds(s).map(|n| json!(n)),
        _ => Err("expected a duration such as \"30m\" or a number of seconds".to_owned()),
    };
    match (kind, v) {
        (Kind::Bool, toml::Value::Boolean(b)) => Ok(json!(b)),
        (Kind::Int, toml::Value::Integer(i)) => Ok(json!(i)),
        (Kind::Str, toml::Value::String(s)) => Ok(json!(s)),
        (Kind::Duration, v) => duration(v),
        (Kind::ToggledDuration, toml::Value::String(s)) if s == "disabled" => {
            Ok(json!({"enabled": false, "seconds": 0}))
        }
        (Kind::ToggledDuration, v) => {
            duration(v).map(|secs| json!({"enabled": true, "seconds": secs}))
        }
        (Kind::StrSet, toml::Value::Array(items)) => {
            let mut out: Vec<String> = Vec::new();
            for i in items {
                match i {
                    toml::Value::String(s) => out.push(s.clone()),
                    _ => return Err("expected an array of strings".into()),
                }
            }
            out.sort();
            out.dedup();
            Ok(json!(out))
        }
        (Kind::Bool, _) => Err("expected true or false".into()),
        (Kind::Int, _) => Err("expected an integer".into()),
        (Kind::Str, _) => Err("expected a string".into()),
        (Kind::StrSet, _) => Err("expected an array of strings".into()),
        (k, _) => Err(format!("a {k:?} setting cannot be attested as one value")),
    }
}

impl Attestations {
    /// Parses and validates an attestations file against `limits`; every problem is reported at
    /// once.
    pub fn parse(text: &str, origin: &str, limits: Limits) -> Result<Attestations, Error> {
        let fail = |d: Vec<Diagnostic>| Error::Invalid {
            origin: origin.to_owned(),
            count: d.len(),
            rendered: diag::render(origin, text, &d),
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| fail(vec![toml_diagnostic(&e)]))?;
        let mut diags = Vec::new();
        let mut items = Vec::new();
        let mut seen: Vec<(String, Range<usize>)> = Vec::new();
        for a in raw.attestation {
            let before = diags.len();
            let path = match Path::parse(a.path.get_ref()) {
                Ok(p) => Some(p),
                Err(e) => {
                    diags.push(Diagnostic::new(a.path.span(), e.to_string()));
                    None
                }
            };
            let kind = path.as_ref().and_then(schema::kind_of);
            if let Some(p) = path.as_ref().filter(|_| kind.is_none()) {
                let pattern = p.pattern();
                let near = crate::diag::closest(&pattern, schema::NODES.iter().map(|n| n.pattern));
                let help = match near {
                    Some(best) => format!("did you mean `{best}`? (docs/snapshot.md lists every path; `attested.*` holds what no API exposes)"),
                    None => "attestable paths are listed in docs/snapshot.md (the `attested.*` section, or any setting the APIs did not report)".to_owned(),
                };
                diags.push(
                    Diagnostic::new(
                        a.path.span(),
                        format!("unknown snapshot path `{}`", a.path.get_ref()),
                    )
                    .help(help),
                );
            }
            if let Some(p) = &path {
                let key = p.to_string();
                if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                    let (line, _) = diag::line_col(text, first.start);
                    diags.push(Diagnostic::new(
                        a.path.span(),
                        format!("`{key}` is attested twice (first on line {line})"),
                    ));
                } else {
                    seen.push((key, a.path.span()));
                }
            }
            let value = match kind {
                Some(k) => match convert(k, a.value.get_ref()) {
                    Ok(v) => Some(v),
                    Err(why) => {
                        diags.push(Diagnostic::new(
                            a.value.span(),
                            format!("value for `{}`: {why}", a.path.get_ref()),
                        ));
                        None
                    }
                },
                None => None,
            };
            if a.attested_by.get_ref().trim().is_empty() {
                diags.push(Diagnostic::new(
                    a.attested_by.span(),
                    "`attested_by` names the person who attests",
                ));
            }
            let at = date(a.attested_at.get_ref());
            match at {
                None => diags.push(Diagnostic::new(
                    a.attested_at.span(),
                    "`attested_at` must be a date such as 2026-11-01",
                )),
                Some(at) if at > limits.today => diags.push(
                    Diagnostic::new(
                        a.attested_at.span(),
                        format!(
                            "`attested_at` ({at}) is in the future (today is {}, UTC)",
                            limits.today
                        ),
                    )
                    .help("date an attestation on the day it was made"),
                ),
                Some(_) => {}
            }
            let expires = date(a.expires.get_ref());
            match (at, expires) {
                (_, None) => diags.push(
                    Diagnostic::new(
                        a.expires.span(),
                        "`expires` must be a date such as 2027-02-01",
                    )
                    .help("attestations always expire: re-attest on a schedule"),
                ),
                (Some(at), Some(exp)) if exp < at => diags.push(Diagnostic::new(
                    a.expires.span(),
                    format!("`expires` ({exp}) is before `attested_at` ({at})"),
                )),
                (Some(at), Some(exp))
                    if at
                        .checked_add(limits.max_days.days())
                        .is_ok_and(|limit| exp > limit) =>
                {
                    let days = exp.since(at).map_or(0, |s| s.get_days());
                    diags.push(
                        Diagnostic::new(
                            a.expires.span(),
                            format!(
                                "`expires` ({exp}) is {days} days after `attested_at` ({at}), beyond the {}-day limit (max_attestation_days)",
                                limits.max_days
                            ),
                        )
                        .help("re-attest more often; [governance] max_attestation_days in clerk-drift.toml sets the limit"),
                    );
                }
                _ => {}
            }
            if diags.len() != before {
                continue;
            }
            let (line, _) = diag::line_col(text, a.path.span().start);
            if let (Some(path), Some(value), Some(attested_at), Some(expires)) =
                (path, value, at, expires)
            {
                items.push(Attestation {
                    path,
                    value,
                    attested_by: a.attested_by.into_inner().trim().to_owned(),
                    attested_at,
                    expires,
                    evidence: a.evidence,
                    origin: format!("{origin}:{line}"),
                });
            }
        }
        if !diags.is_empty() {
            diags.sort_by_key(|d| d.span.start);
            return Err(fail(diags));
        }
        Ok(Attestations {
            origin: origin.to_owned(),
            items,
        })
    }

    /// Merges the attestations into `snap` as of `today`. Returns notices (expired ones).
    pub fn apply(&self, snap: &mut Snapshot, today: Date) -> Result<Vec<String>, Error> {
        let mut notices = Vec::new();
        let mut applied = false;
        for a in &self.items {
            let key = a.path.to_string();
            if let Some(observed) = snap.get(&a.path) {
                let source = snap.source_of(&a.path).unwrap_or(Source::Fapi);
                if source != Source::Attested {
                    return Err(Error::Conflict {
                        origin: a.origin.clone(),
                        path: key,
                        observed_by: source.as_str(),
                        observed: observed.to_string(),
                    });
                }
            }
            if a.expires < today {
                let reason = format!(
                    "attestation by {} expired on {} ({}): re-attest",
                    a.attested_by, a.expires, a.origin
                );
                notices.push(format!(
                    "{}: attestation of `{key}` expired on {}",
                    a.origin, a.expires
                ));
                match snap.coverage.unobserved.iter_mut().find(|u| u.path == key) {
                    Some(u) => u.reason = reason,
                    None => snap
                        .coverage
                        .unobserved
                        .push(Unobserved { path: key, reason }),
                }
                continue;
            }
            super::normalize::insert(&mut snap.settings, &a.path, a.value.clone());
            snap.provenance.insert(key.clone(), Source::Attested);
            snap.coverage.unobserved.retain(|u| u.path != key);
            snap.meta.items.insert(
                key,
                json!({
                    "attested_by": a.attested_by,
                    "attested_at": a.attested_at.to_string(),
                    "expires": a.expires.to_string(),
                    "evidence": a.evidence,
                }),
            );
            applied = true;
        }
        if applied {
            let files = snap.coverage.sources.entry(Source::Attested).or_default();
            if !files.contains(&self.origin) {
                files.push(self.origin.clone());
            }
        }
        snap.coverage.unobserved.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(notices)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
[[attestation]]
path = "attested.webhooks.signature_verified"
value = true
attested_by = "alice@acme.test"
attested_at = 2026-11-01
expires = 2027-02-01
evidence = "https://wiki.acme.test/webhooks"

[[attestation]]
path = "session.inactivity_timeout"
value = "15m"
attested_by = "bob@acme.test"
attested_at = 2026-08-01
expires = 2026-11-01
"#;

    const LIMITS: Limits = Limits {
        today: Date::constant(2026, 11, 22),
        max_days: DEFAULT_MAX_ATTESTATION_DAYS,
    };

    fn d(s: &str) -> Date {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn applies_with_provenance_and_expires_into_unknown() -> Result<(), Error> {
        let a = Attestations::parse(FILE, "att.toml", LIMITS)?;
        assert_eq!(a.items[1].value, json!({"enabled": true, "seconds": 900}));
        let mut snap = Snapshot::for_test(
            json!({}),
            &[
                "attested.webhooks.signature_verified",
                "session.inactivity_timeout",
            ],
        );
        let notices = a.apply(&mut snap, d("2026-11-22"))?;
        let p = Path::parse("attested.webhooks.signature_verified").unwrap_or_default();
        assert_eq!(snap.get(&p), Some(&json!(true)));
        assert_eq!(snap.source_of(&p), Some(Source::Attested));
        assert_eq!(notices.len(), 1, "the session attestation expired");
        let reason = snap
            .unobserved_reason(&Path::parse("session.inactivity_timeout").unwrap_or_default())
            .unwrap_or_default();
        assert!(
            reason.contains("expired on 2026-11-01 (att.toml:11)"),
            "{reason}"
        );
        Ok(())
    }

    #[test]
    fn never_overrides_an_observation() -> Result<(), Error> {
        let a = Attestations::parse(FILE, "att.toml", LIMITS)?;
        let mut snap = Snapshot::for_test(
            json!({"attested": {"webhooks": {"signature_verified": false}}}),
            &[],
        );
        snap.provenance.insert("attested".into(), Source::Plapi);
        let err = a
            .apply(&mut snap, d("2026-11-22"))
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("never overrides an observed value")));
        Ok(())
    }

    #[test]
    fn every_mistake_is_located() {
        let text = "[[attestation]]\npath = \"attested.webhooks.signed\"\nvalue = 1\nattested_by = \"\"\nattested_at = \"yesterday\"\nexpires = 2020-01-01\n\n[[attestation]]\npath = \"attested.sessions.revoked_on_password_change\"\nvalue = \"yes\"\nattested_by = \"a\"\nattested_at = 2026-11-01\nexpires = 2026-10-01\n";
        let err = Attestations::parse(text, "a.toml", LIMITS)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        for want in [
            "a.toml:2:8: unknown snapshot path `attested.webhooks.signed`",
            "a.toml:4:15: `attested_by` names the person",
            "a.toml:5:15: `attested_at` must be a date",
            "a.toml:10:9: value for `attested.sessions.revoked_on_password_change`: expected true or false",
            "a.toml:13:11: `expires` (2026-10-01) is before `attested_at` (2026-11-01)",
        ] {
            assert!(err.contains(want), "missing `{want}` in {err}");
        }
    }

    #[test]
    fn the_future_and_the_horizon_are_refused() {
        let text = "[[attestation]]\npath = \"attested.webhooks.idempotent\"\nvalue = true\nattested_by = \"a\"\nattested_at = 2026-11-23\nexpires = 2026-12-01\n\n[[attestation]]\npath = \"attested.webhooks.signature_verified\"\nvalue = true\nattested_by = \"a\"\nattested_at = 2026-01-01\nexpires = 2026-02-01\n";
        let limits = Limits {
            max_days: 30,
            ..LIMITS
        };
        let err = Attestations::parse(text, "a.toml", limits)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        for want in [
            "a.toml:5:15: `attested_at` (2026-11-23) is in the future (today is 2026-11-22, UTC)",
            "a.toml:13:11: `expires` (2026-02-01) is 31 days after `attested_at` (2026-01-01), beyond the 30-day limit (max_attestation_days)",
            "a.toml: 2 error(s)",
        ] {
            assert!(err.contains(want), "missing `{want}` in {err}");
        }
    }
}
