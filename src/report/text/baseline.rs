//! `baseline accept` and `baseline log` as text: what was accepted, by whom and why, the changes
//! taken, and what the accepted configuration still fails (or why `--fail-on` refused it); the
//! hash chain, one line per link.

use std::fmt::Write as _;
use std::path::Path;

use super::{render_drift, render_still_failing};
use crate::baseline::{self, Accepted, Link};
use crate::diff::Drift;
use crate::policy::{Finding, Severity};

/// What `baseline accept` did: `label` accepted as the baseline at `path` by `by` for
/// `reason`, then the changes it took and the findings it still fails.
pub fn render_accepted(
    out: &mut String,
    label: &str,
    path: &Path,
    done: &Accepted,
    (by, reason): (&str, &str),
    failing: &[&Finding],
) {
    let _ = write!(out, "Accepted {label} as the baseline {}", path.display());
    match &done.previous_sha256 {
        Some(prev) => {
            let _ = writeln!(
                out,
                " (replacing {}, kept in {}).",
                baseline::short(prev),
                baseline::history_dir(path).display()
            );
        }
        None => out.push_str(" (the first in its chain).\n"),
    }
    let _ = writeln!(out, "By {by}: {}\n", reason.trim());
    if !done.changes.is_empty() {
        let drift = Drift {
            changes: done.changes.clone(),
            ignored: Vec::new(),
            coverage: None,
            switched_off: Vec::new(),
        };
        out.push_str("Accepted changes:\n");
        render_drift(out, &drift, &done.snapshot);
        out.push('\n');
    }
    // Never hide an active violation: show what the accepted configuration still fails.
    if failing.is_empty() {
        out.push_str("The accepted baseline passes the policy.\n");
    } else {
        let _ = writeln!(
            out,
            "Warning: the accepted baseline still fails {} rule(s):",
            failing.len()
        );
        render_still_failing(out, failing);
    }
}

/// `baseline accept --fail-on` refusing: `blocking` failing findings at or above `threshold`,
/// so nothing was written; then every finding the configuration fails.
pub fn render_refused(
    out: &mut String,
    label: &str,
    path: &Path,
    (blocking, threshold): (usize, Severity),
    failing: &[&Finding],
) {
    let _ = writeln!(
        out,
        "Refused: {label} fails {blocking} rule(s) at or above {threshold} (--fail-on {threshold}); {} was not written.",
        path.display()
    );
    let _ = writeln!(out, "Failing rules:");
    render_still_failing(out, failing);
}

/// `baseline log`: one line per link of the chain, newest first, with its problem if any.
pub fn render_log(out: &mut String, links: &[Link]) {
    for l in links {
        match &l.accepted {
            Some(acc) => {
                let _ = writeln!(
                    out,
                    "{}  {}  {}  {}{}",
                    baseline::short(&l.sha256),
                    acc.at,
                    acc.by,
                    acc.reason,
                    acc.paths
                        .as_ref()
                        .map(|p| format!(" [paths: {}]", p.join(", ")))
                        .unwrap_or_default()
                );
            }
            None if l.problem.is_none() => {
                let _ = writeln!(
                    out,
                    "{}  (not accepted with clerk-drift: the start of the chain)",
                    baseline::short(&l.sha256)
                );
            }
            None => {}
        }
        if let Some(p) = &l.problem {
            let _ = writeln!(out, "    ! {}: {p}", l.file.display());
        }
    }
}
