//! `policy lint | list | explain`: validate policy layers (every mistake at once), list the
//! rules, explain one.

use std::fmt::Write as _;

use anyhow::{Result, bail};

use super::{discover_config, governance, load_policy, today};
use crate::cli::PolicyCommand;
use crate::policy::load::Layers;
use crate::{Outcome, exit, policy, report};

pub(super) fn run(cmd: PolicyCommand) -> Result<Outcome> {
    match cmd {
        PolicyCommand::Lint(a) => {
            let limits = governance(discover_config(a.config.as_deref())?.as_ref());
            let mut policy = Layers {
                builtin: !a.no_builtin,
                files: a.files,
            }
            .load()?;
            policy.max_waiver_days = limits.max_waiver_days;
            let mut out = format!(
                "ok: {} — {} rule(s), {} disabled, {} waiver(s)\n",
                policy.origin,
                policy.rules.len(),
                policy.disabled.len(),
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
            let code = exit::Found {
                bad_waivers: review.is_bad(false),
                ..exit::Found::default()
            }
            .code();
            Ok(Outcome {
                stdout: out,
                code,
                styled: false,
            })
        }
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
