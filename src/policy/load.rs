//! Loading a policy (the built-in pack unless left out, then each layer file in order) and
//! judging a snapshot with it: evaluation, `--require-observed`, waivers, and the threshold that
//! gates. Reads the layer files; knows nothing of the command line or clerk-drift.toml (the
//! commands resolve those into [`Layers`] and [`Judging`]).

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use super::cfg;
use super::eval::{Finding, Status, evaluate};
use super::model::{Policy, Severity};
use super::waivers::{self, Review};
use crate::snapshot::Snapshot;

/// Which policy to load.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    /// Start from the built-in pack.
    pub builtin: bool,
    /// Policy and waiver files layered on it, in order.
    pub files: Vec<PathBuf>,
}

/// A policy that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("--no-builtin needs at least one --policy FILE")]
    NoLayers,
    #[error("reading {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Invalid(#[from] cfg::Error),
}

impl Layers {
    pub fn load(&self) -> Result<Policy, LoadError> {
        let mut policy = if self.builtin {
            Policy::parse(super::BUILTIN, super::BUILTIN_NAME)?
        } else {
            if self.files.is_empty() {
                return Err(LoadError::NoLayers);
            }
            Policy::parse("", "")?
        };
        for path in &self.files {
            policy = policy.layer(&read(path)?, &path.display().to_string())?;
        }
        Ok(policy)
    }
}

fn read(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// How to judge: the day waivers and time-relative rules are judged on, the gate, and whether
/// `unknown` counts as failing.
#[derive(Debug, Clone, Copy)]
pub struct Judging {
    pub today: Date,
    /// Failing findings at or above this severity gate (`None`: `--fail-on none`).
    pub threshold: Option<Severity>,
    pub require_observed: bool,
}

/// A policy evaluated against a snapshot, with waivers applied.
pub struct Evaluation {
    pub policy: Policy,
    pub findings: Vec<Finding>,
    pub review: Review,
    pub today: Date,
    pub threshold: Option<Severity>,
}

/// Evaluates `policy` against `snapshot` as `judging` says.
pub fn judge(mut policy: Policy, snapshot: &Snapshot, judging: Judging) -> Evaluation {
    // Time-relative rules are judged from the start of "today" (UTC), like waivers.
    if let Ok(now) = judging.today.to_zoned(jiff::tz::TimeZone::UTC) {
        policy.set_now(now.timestamp());
    }
    let mut findings = evaluate(&policy, snapshot);
    if judging.require_observed {
        for f in findings.iter_mut().filter(|f| f.status == Status::Unknown) {
            f.status = Status::Fail;
            f.detail = format!("not observed (--require-observed): {}", f.detail);
        }
    }
    let review = waivers::apply(&mut findings, &policy, Some(snapshot), judging.today);
    Evaluation {
        policy,
        findings,
        review,
        today: judging.today,
        threshold: judging.threshold,
    }
}

impl Evaluation {
    /// Failing findings at or above the threshold that no waiver accepts.
    pub fn blocking(&self) -> usize {
        self.threshold.map_or(0, |min| {
            self.findings
                .iter()
                .filter(|f| f.status == Status::Fail && f.severity >= min && f.waiver.is_none())
                .count()
        })
    }

    /// Failing findings that no waiver accepts, whatever their severity.
    pub fn failing(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.status == Status::Fail && f.waiver.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::constant(2026, 11, 26)
    }

    #[test]
    fn without_the_pack_a_layer_is_required() {
        let layers = Layers {
            builtin: false,
            files: Vec::new(),
        };
        assert!(matches!(layers.load(), Err(LoadError::NoLayers)));
    }

    #[test]
    fn a_missing_layer_names_its_path() {
        let layers = Layers {
            builtin: true,
            files: vec![PathBuf::from("no/such/policy.toml")],
        };
        let err = layers.load().err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("reading no/such/policy.toml"));
    }

    #[test]
    fn require_observed_turns_unknown_into_failures_that_gate() {
        let policy = Layers {
            builtin: true,
            files: Vec::new(),
        }
        .load();
        let Ok(policy) = policy else {
            panic!("the built-in pack loads")
        };
        // An empty recording: nothing observed, every rule `unknown`.
        let empty = crate::snapshot::normalize(&crate::recording::Recording::default())
            .expect("an empty recording normalizes");
        let lenient = judge(
            policy.clone(),
            &empty,
            Judging {
                today: today(),
                threshold: Some(Severity::High),
                require_observed: false,
            },
        );
        assert_eq!(lenient.blocking(), 0);
        assert!(lenient.findings.iter().any(|f| f.status == Status::Unknown));
        assert!(lenient.findings.iter().all(|f| f.status != Status::Fail));
        let strict = judge(
            policy,
            &empty,
            Judging {
                today: today(),
                threshold: Some(Severity::High),
                require_observed: true,
            },
        );
        assert!(strict.blocking() > 0);
        assert!(strict.findings.iter().all(|f| f.status != Status::Unknown));
        let none = Evaluation {
            threshold: None,
            ..strict
        };
        assert_eq!(none.blocking(), 0);
    }
}
