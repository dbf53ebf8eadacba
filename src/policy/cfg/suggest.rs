//! "Did you mean" diagnostics: an unknown rule id or snapshot path, with the nearest known one
//! by edit distance as help. Reads the policy's ids and the schema; reports nothing itself.

use std::ops::Range;

use crate::diag::{Diagnostic, edit_distance};
use crate::policy::model::Policy;
use crate::snapshot::schema;

pub(super) fn unknown_rule(span: Range<usize>, id: &str, policy: &Policy) -> Diagnostic {
    let d = Diagnostic::new(span, format!("no rule `{id}` in {}", policy.origin));
    match crate::diag::closest(id, policy.rules.iter().map(|r| r.id.as_str())) {
        Some(best) => d.help(format!(
            "did you mean `{best}`? (`clerk-drift policy list` shows every id)"
        )),
        None => d.help("`clerk-drift policy list` shows every rule id"),
    }
}

pub(super) fn unknown_path(span: Range<usize>, pattern: &str) -> Diagnostic {
    let d = Diagnostic::new(span, format!("unknown snapshot path `{pattern}`"));
    match closest(pattern) {
        Some(best) => d.help(format!(
            "did you mean `{best}`? (docs/snapshot.md lists every path)"
        )),
        None => d.help("docs/snapshot.md lists every path"),
    }
}

/// The schema pattern nearest to `pattern` by edit distance, if any is close.
fn closest(pattern: &str) -> Option<&'static str> {
    schema::NODES
        .iter()
        .map(|n| (edit_distance(pattern, n.pattern), n.pattern))
        .filter(|(d, _)| *d <= 3.max(pattern.len() / 5))
        .min()
        .map(|(_, p)| p)
}
