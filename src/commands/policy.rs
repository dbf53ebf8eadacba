//! `policy lint | list | explain`: validate policy layers and attestations files (every mistake
//! at once), list the rules, explain one.

use std::fmt::Write as _;

use anyhow::{Result, bail};

use super::current::read_attestations;
use super::{discover_config, governance, load_policy, today};
use crate::cli::{PolicyCommand, PolicyLintArgs};
use crate::policy::load::Layers;
use crate::{Outcome, exit, policy, report};

pub(super) fn run(cmd: PolicyCommand) -> Result<Outcome> {
    match cmd {
        PolicyCommand::Lint(a) => lint(a),
        PolicyCommand::List(a) => {
            let policy = load_policy(&a.source, None)?;
            Ok(Outcome {
                stdout: report::text::render_rule_list(&policy),
                ..Default::default()
            })
        }
        PolicyCommand::Explain(a) => {
            let policy = load_policy(&a.source, None)?;
            match report::text::render_rule(&policy, &a.rule) {
                Some(text) => Ok(Outcome {
                    stdout: text,
                    ..Default::default()
                }),
                None => bail!(
                    "no rule `{}` in {} (`clerk-drift policy list` shows every id)",
                    a.rule,
                    policy.origin
                ),
            }
        }
    }
}

/// `policy lint`: the layers (unless only attestations are given with `--no-builtin`), then each
/// attestations file, judged with clerk-drift.toml's `[governance]` limits.
fn lint(a: PolicyLintArgs) -> Result<Outcome> {
    let limits = governance(discover_config(a.config.as_deref())?.as_ref());
    let mut out = String::new();
    let mut bad_waivers = false;
    if !(a.no_builtin && a.files.is_empty() && !a.attestations.is_empty()) {
        let mut policy = Layers {
            builtin: !a.no_builtin,
            files: a.files,
        }
        .load()?;
        policy.max_waiver_days = limits.max_waiver_days;
        let _ = writeln!(
            out,
            "ok: {} — {} rule(s), {} disabled, {} waiver(s)",
            policy.origin,
            policy.rules.len(),
            policy.disabled().count(),
            policy.waivers.len()
        );
        let review = policy::waivers::apply(&mut [], &policy, None, today()?);
        for (w, why) in &review.invalid {
            let _ = writeln!(out, "warning: waiver {} for `{}`: {why}", w.origin, w.rule);
        }
        for w in &review.expired {
            let _ = writeln!(
                out,
                "warning: waiver {} for `{}` expired {}",
                w.origin, w.rule, w.expires
            );
        }
        bad_waivers = review.is_bad(false);
    }
    let today = today()?;
    for path in &a.attestations {
        let att = read_attestations(path, limits)?;
        let _ = writeln!(
            out,
            "ok: {} — {} attestation(s)",
            path.display(),
            att.items.len()
        );
        for item in att.items.iter().filter(|i| i.expires < today) {
            let _ = writeln!(
                out,
                "warning: attestation {} of `{}` expired {}: the setting is unobserved again",
                item.origin, item.path, item.expires
            );
        }
    }
    let code = exit::Found {
        bad_waivers,
        ..exit::Found::default()
    }
    .code();
    Ok(Outcome {
        stdout: out,
        code,
        styled: false,
    })
}
