//! Text rendering of drift, findings and the plan verdict, for people. Styles (anstyle) are
//! applied as each styled piece is written, so the text carries ANSI escapes: the caller decides
//! whether they reach a terminal (the binary writes through `anstream`, which strips them when
//! colour is off) and strips them ([`plain`]) before text goes to a file. The rule list and
//! `policy explain` stay unstyled. It renders only: no I/O, no exit codes. One file per block:
//! [`drift`], [`findings`] (and waivers), [`rules`], [`summary`] (the plan's closing lines),
//! [`baseline`] (accept and log).

mod baseline;
mod drift;
mod findings;
mod rules;
mod summary;

use std::fmt::Write as _;

use anstyle::{AnsiColor, Color, Style};

pub use baseline::{render_accepted, render_log, render_refused};
pub use drift::{count_settings, render_drift, render_drift_with};
pub use findings::{
    findings_summary, render_evaluation, render_findings, render_still_failing, render_waivers,
};
pub use rules::{render_rule, render_rule_list};
pub use summary::{plan_summary, render_verdict, verdict};

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

#[cfg(test)]
mod colour_tests {
    use super::*;
    use crate::diff::{Change, ChangeKind, Drift};
    use crate::path::Path;
    use crate::policy::{Finding, Severity, Status};
    use crate::snapshot::Snapshot;
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
            coverage: None,
            switched_off: Vec::new(),
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
