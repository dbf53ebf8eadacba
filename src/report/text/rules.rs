//! `policy list` and `policy explain` as text (unstyled).

use std::fmt::Write as _;

use super::findings::target;

/// `policy list`: one line per rule, then the disabled ones.
pub fn render_rule_list(policy: &crate::policy::Policy) -> String {
    let mut out = String::new();
    let width = policy.rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for r in &policy.rules {
        let _ = writeln!(
            out,
            "{:<8} {:<width$}  {}",
            r.severity.as_str(),
            r.id,
            r.title
        );
    }
    for d in &policy.disabled {
        let _ = writeln!(
            out,
            "{:<8} {:<width$}  disabled by {}: {}",
            "-", d.id, d.by, d.reason
        );
    }
    let _ = writeln!(
        out,
        "\n{} rule(s) from {}{}",
        policy.rules.len(),
        policy.origin,
        if policy.disabled.is_empty() {
            String::new()
        } else {
            format!(", {} disabled", policy.disabled.len())
        }
    );
    out
}

/// `policy explain ID`.
pub fn render_rule(policy: &crate::policy::Policy, id: &str) -> Option<String> {
    let r = policy.rule(id)?;
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", r.id, r.title);
    let _ = writeln!(out, "severity: {}    defined in: {}", r.severity, r.origin);
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
