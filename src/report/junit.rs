//! JUnit XML (`--format junit`) via quick-junit: a `policy` suite with one test case per rule ×
//! target (failing findings are failures with the message; unknown, not-applicable and waived ones
//! are skipped with the reason), and for `diff`/`plan` a `drift` suite with one case per drifted
//! setting. No timestamps: the same inputs give the same bytes.

use quick_junit::{NonSuccessKind, Report as JReport, TestCase, TestCaseStatus, TestSuite};

use super::Report;
use crate::diff::ChangeKind;
use crate::policy::Status;
use crate::snapshot::schema;

/// Renders the JUnit document.
pub fn render(r: &Report<'_>) -> String {
    let mut report = JReport::new("clerk-drift");
    if let Some(drift) = r.drift {
        let mut suite = TestSuite::new("drift");
        for c in &drift.changes {
            let kind = schema::kind_of(&c.path);
            // A disagreement's absent side is sources that agreed.
            let none = if c.kind == ChangeKind::Disagreement {
                "(sources agreed)"
            } else {
                "(none)"
            };
            let show = |v: &Option<serde_json::Value>| {
                v.as_ref()
                    .map_or_else(|| none.to_owned(), |v| schema::display_value(kind, v))
            };
            let status = match c.kind {
                ChangeKind::NewlyObserved => TestCaseStatus::success(),
                // Not drift, but incomplete data: an error, with the reason.
                ChangeKind::Unobserved => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                    s.set_message(format!(
                        "no longer observed (was {}): {}",
                        show(&c.before),
                        r.snapshot
                            .unobserved_reason(&c.path)
                            .unwrap_or("not observed")
                    ));
                    s.set_type("unobserved");
                    s
                }
                kind => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(format!(
                        "{}: {} -> {}",
                        kind_name(kind),
                        show(&c.before),
                        show(&c.after)
                    ));
                    s.set_type(kind_name(kind));
                    s
                }
            };
            let mut case = TestCase::new(c.path.to_string(), status);
            case.set_classname("drift");
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    if let Some((_, findings, _)) = r.policy {
        let mut suite = TestSuite::new("policy");
        for f in findings {
            let status = match (f.status, &f.waiver) {
                (Status::Fail | Status::Unknown, Some(w)) => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(format!(
                        "waived until {} ({}): {}",
                        w.expires, w.origin, w.reason
                    ));
                    s
                }
                (Status::Fail, None) => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(f.detail.clone());
                    s.set_type(f.severity.as_str());
                    s.set_description(format!("{} ({}): {}", f.title, f.severity, f.detail));
                    s
                }
                (Status::Unknown, None) => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(format!("unknown: {}", f.detail));
                    s
                }
                (Status::NotApplicable, _) => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(format!("not applicable: {}", f.detail));
                    s
                }
                (Status::Pass, _) => TestCaseStatus::success(),
            };
            let mut case = TestCase::new(format!("{} {}", f.rule_id, f.target), status);
            case.set_classname(f.rule_id.clone());
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    let mut text = report.to_string().unwrap_or_default();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

fn kind_name(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Changed => "changed",
        ChangeKind::Added => "added",
        ChangeKind::Removed => "removed",
        ChangeKind::Unobserved => "unobserved",
        ChangeKind::NewlyObserved => "newly observed",
        ChangeKind::Disagreement => "sources disagree",
    }
}
