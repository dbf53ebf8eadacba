//! Where reports go: standard output gets the `--format` report unless a plain `-o FILE` takes
//! it; every `--output FORMAT=FILE` gets that format (written atomically, text without styles);
//! `--step-summary` appends the Markdown form to `$GITHUB_STEP_SUMMARY`. Every format comes from
//! the one evaluation of the run, and every destination is checked ([`check`]) before any
//! request.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use super::process_env;
use crate::cli::{Format, Output, ReportArgs};
use crate::{Outcome, report};

/// Checks every `-o/--output` before any request: at most one plain FILE, no file named twice
/// (also through `.`, `..` or a symbolic link), none a directory; their parent directories are
/// created.
pub(super) fn check(args: &ReportArgs) -> Result<()> {
    let plain: Vec<&Output> = args
        .output
        .iter()
        .filter(|o| matches!(o, Output::Plain(_)))
        .collect();
    if let [first, second, ..] = plain.as_slice() {
        bail!(
            "{} and {}: at most one plain -o FILE (it takes the --format report instead of standard output); name the others FORMAT=FILE (e.g. --output sarif=clerk-drift.sarif)",
            first.flag(),
            second.flag()
        );
    }
    let mut seen: Vec<(PathBuf, &Output)> = Vec::new();
    for out in &args.output {
        let path = out.path();
        if path.is_dir() {
            bail!("{}: is a directory; name a file to write", out.flag());
        }
        super::preflight::output_dir(path).with_context(|| out.flag())?;
        let Some(name) = path.file_name() else {
            bail!("{}: name a file to write", out.flag());
        };
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
        let dir = std::fs::canonicalize(dir.unwrap_or(std::path::Path::new(".")))
            .with_context(|| format!("{}: resolving its directory", out.flag()))?;
        let key = dir.join(name);
        if let Some((_, earlier)) = seen.iter().find(|(k, _)| *k == key) {
            bail!(
                "{} and {} name the same file; give each output its own",
                earlier.flag(),
                out.flag()
            );
        }
        seen.push((key, out));
    }
    Ok(())
}

/// How a Markdown report must fit: its budget (`--markdown-limit`; the step summary's never over
/// GitHub's 1 MiB), and the file of the same run holding the full report, which its note names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Fit<'a> {
    pub budget: report::markdown::Budget,
    pub full: Option<&'a str>,
}

/// One run's report in `format`, from its already-rendered human `text`; `instance` names the
/// instance judged (SARIF's `automationDetails.id`); a Markdown report keeps within `fit`.
pub(super) fn render(
    format: Format,
    text: &str,
    r: &report::Report<'_>,
    instance: Option<&str>,
    fit: Fit<'_>,
) -> String {
    match format {
        Format::Text => text.to_owned(),
        Format::Json => report::json::render(r),
        Format::Markdown => report::markdown::render_within(r, fit.budget, fit.full),
        Format::Junit => report::junit::render(r),
        Format::Sarif => report::sarif::render(r, &sarif_site(r, instance)),
    }
}

/// Delivers one run's report (human `text` and the report it was rendered from) to every
/// destination.
pub(super) fn emit(
    text: String,
    r: &report::Report<'_>,
    instance: Option<&str>,
    args: &ReportArgs,
) -> Result<Outcome> {
    deliver(r.exit_code, args, |format, fit| {
        Ok(render(format, &text, r, instance, fit))
    })
}

/// What a run's SARIF points at, found on disk: the baseline file (else the checked snapshot
/// file; a live pull or a recording directory is no file) with its text, and the policy layer
/// files, each named relative to its repository's root.
fn sarif_site(r: &report::Report<'_>, instance: Option<&str>) -> report::sarif::Site {
    let current = Some(r.current).filter(|c| !c.starts_with("live pull"));
    let artifact = r
        .baseline
        .into_iter()
        .chain(current)
        .map(Path::new)
        .filter(|p| p.is_file())
        .find_map(|p| Some((sarif_uri(p)?, std::fs::read_to_string(p).ok()?)));
    let mut policies = std::collections::BTreeMap::new();
    if let Some((policy, _, _)) = r.policy {
        for rule in &policy.rules {
            if rule.origin != crate::policy::BUILTIN_NAME
                && !policies.contains_key(&rule.origin)
                && let Some(uri) = sarif_uri(Path::new(&rule.origin))
            {
                policies.insert(rule.origin.clone(), uri);
            }
        }
    }
    // Without an instance of clerk-drift.toml, the baseline's (else the snapshot's) file name
    // names it (`baselines/NAME.json`).
    let instance = instance.map(str::to_owned).or_else(|| {
        let named = r.baseline.or(current)?;
        let stem = Path::new(named).file_stem()?.to_string_lossy();
        Some(stem.into_owned())
    });
    report::sarif::Site {
        instance,
        artifact,
        policies,
    }
}

/// `file` as SARIF names it: relative to the root of the repository holding it (the git work
/// tree found by walking up for `.git`, else the current directory), or an absolute `file://`
/// URI outside it. None when the file cannot be resolved.
fn sarif_uri(file: &Path) -> Option<report::sarif::Uri> {
    let file = std::fs::canonicalize(file).ok()?;
    let root = file
        .ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
        .or_else(|| std::env::current_dir().ok()?.canonicalize().ok());
    Some(
        match root.as_deref().and_then(|r| file.strip_prefix(r).ok()) {
            Some(rel) => report::sarif::Uri::Repository(uri_path(rel)),
            None => report::sarif::Uri::Absolute(format!("file://{}", uri_path(&file))),
        },
    )
}

/// A path as a URI path: `/`-separated, every byte outside RFC 3986's unreserved set
/// percent-encoded.
fn uri_path(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let mut out = String::new();
    if path.is_absolute() {
        out.push('/');
    }
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        for b in part.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Delivers a run's reports: `render` makes each format (once for each Markdown fit, however
/// many destinations take it); the files are written, the step summary appended, and standard
/// output returned.
pub(super) fn deliver<'a>(
    code: u8,
    args: &'a ReportArgs,
    render: impl Fn(Format, Fit<'_>) -> Result<String>,
) -> Result<Outcome> {
    // A cut Markdown report names the file of this run that holds everything.
    let full = args.output.iter().find_map(|o| match o {
        Output::Format(Format::Json | Format::Sarif, path) => path.to_str(),
        _ => None,
    });
    let main = Fit {
        budget: args.markdown_limit.budget(),
        full,
    };
    let summary = Fit {
        budget: args.markdown_limit.step_summary(),
        full,
    };
    let mut made: Vec<(Format, Fit<'a>, String)> = Vec::new();
    let mut get = |format: Format, fit: Fit<'a>| -> Result<String> {
        let fit = if format == Format::Markdown {
            fit
        } else {
            main
        };
        if let Some((.., text)) = made.iter().find(|(f, t, _)| *f == format && *t == fit) {
            return Ok(text.clone());
        }
        let text = render(format, fit)?;
        made.push((format, fit, text.clone()));
        Ok(text)
    };
    let mut plain = None;
    for out in &args.output {
        let (format, path) = match out {
            Output::Plain(path) => {
                plain = Some(path);
                (args.format, path)
            }
            Output::Format(format, path) => (*format, path),
        };
        let mut text = get(format, main)?;
        // A file gets the text without the styles the text renderers put in.
        if format == Format::Text {
            text = report::text::plain(&text);
        }
        crate::fsx::write_atomic(path, text.as_bytes())?;
    }
    if args.step_summary
        && let Some(path) = process_env("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty())
    {
        use std::io::Write as _;
        let markdown = get(Format::Markdown, summary)?;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("opening $GITHUB_STEP_SUMMARY ({path})"))?;
        f.write_all(markdown.as_bytes())
            .with_context(|| format!("appending to $GITHUB_STEP_SUMMARY ({path})"))?;
    }
    Ok(match plain {
        Some(_) => Outcome {
            stdout: String::new(),
            code,
            styled: false,
        },
        None => Outcome {
            stdout: get(args.format, main)?,
            code,
            styled: args.format == Format::Text,
        },
    })
}
