//! `init`: sets a repository up for clerk-drift. Reads Clerk's variables and the flags (as every
//! live command does, through `live::resolve`), asks what it cannot tell (unless `--yes`),
//! checks every target file before any request, proves each key with one request
//! (`clerk::prove`), pulls the first baseline with the clerk-drift.toml it is about to write, and
//! accepts it through `baseline::prepare` — so its record and hash chain are what `baseline
//! accept` writes. Then writes clerk-drift.toml, a starter policy layer, an attestations
//! template and the CI files ([`templates`]). Nothing is written unless every check passed; a
//! write that fails takes back what this run had written.

mod templates;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, Result, bail};

use super::{live, process_env, today};
use crate::clerk::keys::PublishableKey;
use crate::cli::{Api, CredentialArgs, InitArgs, LiveArgs, PolicyArgs};
use crate::config::Config;
use crate::recording::Source;
use crate::secrets::{self, Kind};
use crate::{Outcome, Ui, baseline, exit, report};
use templates::Setup;

/// Why the first baseline is accepted.
const REASON: &str = "first baseline, pulled by `clerk-drift init`";

pub(super) fn run(args: InitArgs, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    if dir.exists() && !dir.is_dir() {
        bail!("--dir {}: not a directory", dir.display());
    }
    // Paths as the user will see them: relative to the current directory unless --dir.
    let at = |rel: &str| {
        if dir == Path::new(".") {
            PathBuf::from(rel)
        } else {
            dir.join(rel)
        }
    };
    let asker = Asker {
        ui: ui.as_ref(),
        yes: args.yes,
    };
    let keyring = live::keyring_for(&args.credentials);

    // What the environment says, and what only the user can: the instance's name, the
    // Platform application.
    let pk_text = match &args.credentials.publishable_key {
        Some(k) => Some(k.trim().to_owned()),
        None => secrets::set_value(&process_env, "CLERK_PUBLISHABLE_KEY")?,
    };
    let pk = pk_text
        .as_deref()
        .map(PublishableKey::parse)
        .transpose()
        .context("the publishable key")?;
    let name = match &args.instance {
        Some(n) => n.clone(),
        None => asker.line(
            "Instance name (for clerk-drift.toml and the files' names)",
            pk.as_ref().map_or("default", |k| k.env.as_str()),
        )?,
    };
    check_name(&name)?;
    let left_out = |api: Api| args.without.contains(&api);
    let mut app = args.credentials.app.clone().or_else(|| {
        process_env("CLERK_APPLICATION_ID")
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty())
    });
    if app.is_none()
        && !left_out(Api::Platform)
        && secrets::find(
            Kind::PlatformKey,
            &name,
            args.credentials.platform_key_file.as_deref(),
            &process_env,
            &keyring,
        )?
        .is_some()
    {
        let answer = asker.line(
            "A Platform API key is set: its application id (app_…; empty to go without the Platform API)",
            "",
        )?;
        app = Some(answer).filter(|a| !a.is_empty());
    }
    let by = super::baseline::who(args.by.as_deref())?;
    let live_args = LiveArgs {
        instance: Some(name.clone()),
        credentials: CredentialArgs {
            publishable_key: pk_text.clone(),
            app: app.clone(),
            ..args.credentials.clone()
        },
        without: args.without.clone(),
        quiet: true,
        ..LiveArgs::default()
    };
    let resolved = live::resolve(&live_args, None, &process_env, &keyring)?;
    let target = &resolved.target;
    let setup = Setup {
        name: &name,
        publishable_key: pk_text.as_deref(),
        app: app.as_deref(),
        backend: target.bapi.is_some(),
        platform: target.plapi.is_some(),
        without: without(&args, &resolved),
        today: today()?,
    };

    // Every target, before any request: nothing is overwritten without --force.
    let files = files(&setup);
    let baseline_path = at(&setup.baseline());
    let mut existing: Vec<String> = Vec::new();
    for rel in files
        .iter()
        .map(|(rel, _)| rel.clone())
        .chain([setup.baseline()])
    {
        let path = at(&rel);
        if path.is_dir() {
            bail!("{}: is a directory; nothing was written", path.display());
        }
        if path.exists() {
            existing.push(path.display().to_string());
        }
    }
    if !existing.is_empty() && !args.force {
        bail!(
            "{} file(s) exist; nothing was written (pass --force to overwrite them):\n  - {}",
            existing.len(),
            existing.join("\n  - ")
        );
    }
    let mut intro = match &args.dir {
        Some(d) => format!("clerk-drift init: instance `{name}` into {}\n", d.display()),
        None => format!("clerk-drift init: instance `{name}`\n"),
    };
    for (source, api) in [
        (Source::Fapi, target.fapi.as_ref()),
        (Source::Bapi, target.bapi.as_ref()),
        (Source::Plapi, target.plapi.as_ref().map(|p| &p.api)),
    ] {
        let line = match api {
            Some(a) => format!("read with {}", a.credential),
            None => setup
                .without
                .iter()
                .find(|(n, _)| source_of(n) == Some(source))
                .map_or_else(
                    || "left out".to_owned(),
                    |(_, why)| format!("left out: {why}"),
                ),
        };
        intro.push_str(&format!("  {:<14}{line}\n", source.api_name()));
    }
    if !args.yes {
        let mut prompt = intro.clone();
        prompt.push_str(&format!(
            "Check the keys, pull the first baseline and write {} file(s){}? [Y/n] ",
            files.len() + 1,
            if existing.is_empty() {
                String::new()
            } else {
                format!(" (overwriting {})", existing.len())
            }
        ));
        if !asker.confirm(&prompt)? {
            bail!("stopped: nothing was checked or written");
        }
    }

    // One request per key.
    let mut out = intro;
    if target.bapi.is_some() || target.plapi.is_some() {
        let mut refused = Vec::new();
        let mut accepted = Vec::new();
        for (source, proof) in crate::clerk::prove(target)? {
            match proof {
                Ok(_) => accepted.push(source.api_name()),
                Err(why) => refused.push(format!("{}: {why}", source.api_name())),
            }
        }
        if refused.is_empty() {
            out.push_str(&format!(
                "Keys accepted (one GET each): {}\n",
                accepted.join(", ")
            ));
        }
        if !refused.is_empty() {
            bail!(
                "a key was not accepted; nothing was written:\n  - {}",
                refused.join("\n  - ")
            );
        }
    }

    // The first baseline, pulled with the clerk-drift.toml that `plan` will read.
    let config_path = at(templates::CONFIG);
    let config_text = templates::config(&setup);
    let config = Config::parse(&config_text, &config_path)
        .context("the clerk-drift.toml init wrote does not validate (a bug)")?;
    // The key and the application id come from the clerk-drift.toml just written.
    let pull_args = LiveArgs {
        instance: Some(name.clone()),
        credentials: CredentialArgs {
            publishable_key: None,
            app: None,
            ..args.credentials.clone()
        },
        quiet: args.quiet,
        ..LiveArgs::default()
    };
    let pulled = super::current::pull(&pull_args, Some(&config), ui, None, true)?;
    if !pulled.gaps.is_empty() {
        bail!(
            "the pull was incomplete, and a baseline must not be accepted from partial data; nothing was written:\n  - {}",
            pulled.gaps.join("\n  - ")
        );
    }
    let prepared = match baseline::prepare(
        &baseline_path,
        &pulled.snapshot,
        &[],
        &by,
        REASON,
        jiff::Timestamp::now(),
    ) {
        Ok(p) => Some(p),
        // --force over a baseline that already is this configuration: it stays as it is.
        Err(baseline::Error::NothingToAccept { .. }) if args.force => None,
        Err(e) => return Err(e.into()),
    };
    let policy = PolicyArgs {
        source: crate::cli::PolicySource::default(),
        fail_on: None,
        require_observed: false,
        deny_unused_waivers: false,
        verbose: false,
    };
    let eval = super::judge(
        &policy,
        None,
        super::governance(Some(&config)),
        &pulled.snapshot,
    )?;

    // Write: the files, then the baseline; a failure takes back what was written.
    let mut written = Written::default();
    let contents: Vec<(PathBuf, String)> = files
        .into_iter()
        .map(|(rel, text)| (at(&rel), text))
        .collect();
    for (path, text) in &contents {
        if let Err(e) = written.write(path, text.as_bytes()) {
            written.undo();
            return Err(e);
        }
    }
    out.push('\n');
    match prepared {
        Some(p) => {
            if let Err(e) = written.dirs_for(&baseline_path) {
                written.undo();
                return Err(e);
            }
            let done = match p.write() {
                Ok(done) => done,
                Err(e) => {
                    written.undo();
                    return Err(e.into());
                }
            };
            let failing: Vec<_> = eval.failing().collect();
            report::text::render_accepted(
                &mut out,
                &format!("the live pull of instance `{name}`"),
                &baseline_path,
                &done,
                (&by, REASON),
                &failing,
            );
        }
        None => out.push_str(&format!(
            "{} already is this configuration: left as it is.\n",
            baseline_path.display()
        )),
    }
    out.push_str("\nWrote:\n");
    for (path, _) in &contents {
        out.push_str(&format!("  {}\n", path.display()));
    }
    out.push_str(&next_steps(&setup, eval.blocking()));
    Ok(Outcome {
        stdout: out,
        code: exit::CLEAN,
        styled: true,
    })
}

/// The files besides the baseline, relative to the directory; clerk-drift.toml first.
fn files(setup: &Setup<'_>) -> Vec<(String, String)> {
    vec![
        (templates::CONFIG.to_owned(), templates::config(setup)),
        (setup.policy(), templates::policy(setup)),
        (setup.attestations(), templates::attestations(setup)),
        (
            templates::WORKFLOW.to_owned(),
            templates::github_workflow(setup),
        ),
        (templates::GITLAB.to_owned(), templates::gitlab(setup)),
    ]
}

/// What to do next.
fn next_steps(setup: &Setup<'_>, blocking: usize) -> String {
    let mut out = String::from("\nNext:\n");
    out.push_str("  1. Review the files and commit them.\n");
    let keys: Vec<&str> = [
        (setup.backend, "CLERK_SECRET_KEY"),
        (setup.platform, "CLERK_PLATFORM_API_KEY"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, k)| *k)
    .collect();
    if keys.is_empty() {
        out.push_str("  2. GitHub: create the environment `clerk-drift` (Settings > Environments), limited to the default branch; GitLab: include .gitlab/clerk-drift.gitlab-ci.yml.\n");
    } else {
        out.push_str(&format!(
            "  2. GitHub: create the environment `clerk-drift` (Settings > Environments), limited to the default branch, with the secrets {}; GitLab: masked, protected CI/CD variables of the same names, and include .gitlab/clerk-drift.gitlab-ci.yml.\n",
            keys.join(" and ")
        ));
    }
    out.push_str(&format!(
        "  3. `clerk-drift plan --instance {}` compares the live instance with this baseline",
        setup.name
    ));
    if blocking > 0 {
        out.push_str(&format!(
            "; it exits 4 until the {blocking} failing rule(s) at or above high are fixed or waived (policy/{}.toml).\n",
            setup.name
        ));
    } else {
        out.push_str(": no drift now, exit 0.\n");
    }
    out
}

/// The APIs set up without, each with why, as `without` names them.
fn without(args: &InitArgs, resolved: &live::Resolved) -> Vec<(&'static str, String)> {
    let target = &resolved.target;
    let mut out = Vec::new();
    for (api, name, source, pulled) in [
        (
            Api::Frontend,
            "frontend",
            Source::Fapi,
            target.fapi.is_some(),
        ),
        (Api::Backend, "backend", Source::Bapi, target.bapi.is_some()),
        (
            Api::Platform,
            "platform",
            Source::Plapi,
            target.plapi.is_some(),
        ),
    ] {
        if pulled {
            continue;
        }
        let why = if args.without.contains(&api) {
            format!("left out with --without {name}")
        } else {
            resolved
                .missing
                .iter()
                .find_map(|m| m.strip_prefix(&format!("{}: ", source.api_name())))
                .map_or_else(
                    || "not set up when init ran".to_owned(),
                    |m| format!("{} when init ran", m.split(':').next().unwrap_or(m).trim()),
                )
        };
        out.push((name, why));
    }
    out
}

/// The API a `without` name stands for.
fn source_of(name: &str) -> Option<Source> {
    crate::config::API_NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)
}

/// An instance name fit for a TOML table, a file name and a workflow: letters, digits, `-` and
/// `_`, starting with a letter.
fn check_name(name: &str) -> Result<()> {
    let fits = name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !fits {
        bail!(
            "instance name `{name}`: use letters, digits, `-` and `_`, starting with a letter (at most 64)"
        );
    }
    Ok(())
}

/// Questions on standard error, answers from standard input; `--yes` takes every default.
struct Asker<'a> {
    ui: &'a dyn Ui,
    yes: bool,
}

impl Asker<'_> {
    /// One answer, `default` when empty.
    fn line(&self, question: &str, default: &str) -> Result<String> {
        if self.yes {
            return Ok(default.to_owned());
        }
        let prompt = if default.is_empty() {
            format!("{question}: ")
        } else {
            format!("{question} [{default}]: ")
        };
        let answer = self.answer(&prompt)?;
        Ok(if answer.is_empty() {
            default.to_owned()
        } else {
            answer
        })
    }

    /// Yes (the default) or no.
    fn confirm(&self, prompt: &str) -> Result<bool> {
        loop {
            match self.answer(prompt)?.to_ascii_lowercase().as_str() {
                "" | "y" | "yes" => return Ok(true),
                "n" | "no" => return Ok(false),
                _ => {}
            }
        }
    }

    fn answer(&self, prompt: &str) -> Result<String> {
        match self.ui.ask(prompt).context("reading an answer")? {
            Some(a) => Ok(a.trim().to_owned()),
            None => bail!(
                "no answer (standard input ended): answer the questions, or pass --yes to take the defaults"
            ),
        }
    }
}

/// What this run wrote, to take back when a later write fails: each file's earlier content
/// (none: it did not exist) and the directories it created.
#[derive(Default)]
struct Written {
    files: Vec<(PathBuf, Option<Vec<u8>>)>,
    dirs: Vec<PathBuf>,
}

impl Written {
    /// Creates the missing directories above `path`, remembering them.
    fn dirs_for(&mut self, path: &Path) -> Result<()> {
        let mut missing = Vec::new();
        let mut cur = path.parent();
        while let Some(d) = cur.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
            missing.push(d.to_path_buf());
            cur = d.parent();
        }
        for d in missing.into_iter().rev() {
            crate::fsx::create_dir_all(&d)?;
            self.dirs.push(d);
        }
        Ok(())
    }

    fn write(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        self.dirs_for(path)?;
        let before = std::fs::read(path).ok();
        crate::fsx::write_atomic(path, bytes)?;
        self.files.push((path.to_path_buf(), before));
        Ok(())
    }

    /// Puts back every file as it was and removes the directories this run created.
    fn undo(self) {
        for (path, before) in self.files.into_iter().rev() {
            let _ = match before {
                Some(bytes) => crate::fsx::write_atomic(&path, &bytes).map_err(|_| ()),
                None => std::fs::remove_file(&path).map_err(|_| ()),
            };
        }
        for d in self.dirs.into_iter().rev() {
            let _ = std::fs::remove_dir(&d);
        }
    }
}
