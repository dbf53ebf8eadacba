//! `policy list` and `policy explain` as text (unstyled).

use std::fmt::Write as _;

use super::findings::target;
use crate::report::overrides;

/// `policy list`: one line per rule (the effective one, with a line under it for each override
/// that changed it), then the disabled ones with what they were.
pub fn render_rule_list(policy: &crate::policy::Policy) -> String {
    let mut out = String::new();
    let width = policy
        .rules
        .iter()
        .map(|r| r.id.len())
        .chain(policy.disabled().map(|(o, _)| o.rule.len()))
        .max()
        .unwrap_or(0);
    for r in &policy.rules {
        let _ = writeln!(
            out,
            "{:<8} {:<width$}  {}",
            r.severity.as_str(),
            r.id,
            r.title
        );
        overrides::list_lines(&mut out, policy, &r.id, 9);
    }
    for (o, r) in policy.disabled() {
        let _ = writeln!(
            out,
            "{:<8} {:<width$}  disabled by {}: {}",
            "-",
            o.rule,
            o.by,
            o.reason.as_deref().unwrap_or("")
        );
        let _ = writeln!(out, "{:9}↳ was {}: {}", "", r.severity, r.title);
    }
    let overridden = policy
        .rules
        .iter()
        .filter(|r| policy.overrides_of(&r.id).next().is_some())
        .count();
    let disabled = policy.disabled().count();
    let mut counts = String::new();
    if overridden > 0 {
        let _ = write!(counts, ", {overridden} overridden");
    }
    if disabled > 0 {
        let _ = write!(counts, ", {disabled} disabled");
    }
    let _ = writeln!(
        out,
        "\n{} rule(s) from {}{counts}",
        policy.rules.len(),
        policy.origin,
    );
    out
}

/// `policy explain ID`: the effective rule, what overrode it (file:line, before → after); a
/// disabled rule as it was, marked disabled.
pub fn render_rule(policy: &crate::policy::Policy, id: &str) -> Option<String> {
    let r = policy.rule(id).or_else(|| {
        policy
            .disabled()
            .find(|(o, _)| o.rule == id)
            .map(|(_, r)| r)
    })?;
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", r.id, r.title);
    let _ = writeln!(out, "severity: {}    defined in: {}", r.severity, r.origin);
    overrides::explain_lines(&mut out, policy, id);
    let quantifier = match r.quantifier {
        crate::policy::Quantifier::Each => "every",
        crate::policy::Quantifier::Any => "any (at least one)",
        crate::policy::Quantifier::None => "no (none may match)",
    };
    let reads = match &r.each {
        Some(each) if r.path.is_empty() => format!("{quantifier} element of `{each}`"),
        Some(each) => format!("`{}` of {quantifier} entry of `{each}`", r.path),
        None => format!("`{}`", r.path),
    };
    let _ = writeln!(out, "reads: {reads}");
    let _ = writeln!(
        out,
        "expects: {}",
        crate::policy::eval::expectation(&r.assertion, r.kind)
    );
    if let Some(f) = &r.filter {
        let _ = writeln!(
            out,
            "only entries where: `{}` is {}",
            f.path,
            crate::policy::eval::expectation(&f.assertion, f.kind)
        );
    }
    for w in &r.when {
        let _ = writeln!(
            out,
            "applies when: `{}` is {}",
            w.path,
            crate::policy::eval::expectation(&w.assertion, w.kind)
        );
    }
    if !r.when_any.is_empty() {
        let any: Vec<String> = r
            .when_any
            .iter()
            .map(|w| {
                format!(
                    "`{}` is {}",
                    w.path,
                    crate::policy::eval::expectation(&w.assertion, w.kind)
                )
            })
            .collect();
        let _ = writeln!(out, "applies when one of: {}", any.join("; "));
    }
    if let Some(t) = &r.rationale {
        let _ = writeln!(out, "\nwhy: {}", t.trim());
    }
    if let Some(t) = &r.remediation {
        let _ = writeln!(out, "\nfix: {}", t.trim());
    }
    if !r.controls.is_empty() {
        let _ = writeln!(out, "\ncontrols:");
        for (framework, ids) in &r.controls {
            let _ = writeln!(out, "  {framework}: {}", ids.join(", "));
        }
    }
    let waivers: Vec<&crate::policy::Waiver> =
        policy.waivers.iter().filter(|w| w.rule == r.id).collect();
    for w in waivers {
        let _ = writeln!(
            out,
            "waiver: {}{} until {}: {}",
            w.origin,
            target(w),
            w.expires,
            w.reason
        );
    }
    Some(out)
}
