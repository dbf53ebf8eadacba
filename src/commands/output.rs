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

/// Checks every report destination before any request: `-o/--output` (at most one plain FILE,
/// never `-`, never a directory) and `extra` (`--save-plan`), none naming another nor one of the
/// run's `inputs` (label, path) — compared by their resolved paths, so also through `.`, `..` or
/// a symbolic link, to a directory or to the file itself. Only when all pass are their parent
/// directories created.
pub(super) fn check(
    args: &ReportArgs,
    extra: &[(String, &Path)],
    inputs: &[(String, PathBuf)],
) -> Result<()> {
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
    let outputs: Vec<(String, &Path)> = args
        .output
        .iter()
        .map(|o| (o.flag(), o.path()))
        .chain(extra.iter().map(|(f, p)| (f.clone(), *p)))
        .collect();
    let inputs: Vec<(&str, PathBuf)> = inputs
        .iter()
        .filter_map(|(label, p)| Some((label.as_str(), resolve(p)?)))
        .collect();
    let mut seen: Vec<(PathBuf, &str)> = Vec::new();
    for (flag, path) in &outputs {
        if path.as_os_str() == "-" {
            bail!(
                "{flag}: `-` is not a file here; standard output already gets the --format report (e.g. --format json), so name a file for this one"
            );
        }
        if path.is_dir() {
            bail!("{flag}: is a directory; name a file to write");
        }
        if path.file_name().is_none() {
            bail!("{flag}: name a file to write");
        }
        let key = resolve(path).with_context(|| format!("{flag}: resolving its directory"))?;
        if let Some((_, earlier)) = seen.iter().find(|(k, _)| *k == key) {
            bail!("{earlier} and {flag} name the same file; give each output its own");
        }
        if let Some((label, _)) = inputs.iter().find(|(_, k)| *k == key) {
            bail!(
                "{flag}: is the {label} this run reads ({}); writing the report there would replace it — name another file",
                path.display()
            );
        }
        seen.push((key, flag.as_str()));
    }
    for (flag, path) in &outputs {
        super::preflight::output_dir(path).with_context(|| flag.clone())?;
    }
    Ok(())
}

/// `path` resolved without creating anything: each existing prefix canonicalized (a symbolic
/// link, to a directory or to the file itself, followed), the names past it appended with `.` and
/// `..` applied. None when the current directory is unknown.
fn resolve(path: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let mut found = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                found.pop();
            }
            other => {
                found.push(other);
                if let Ok(p) = std::fs::canonicalize(&found) {
                    found = p;
                }
            }
        }
    }
    Some(found)
}

/// How a Markdown report must fit: its budget (`--markdown-limit`; the step summary's never over
/// GitHub's 1 MiB), and the file of the same run holding the full report, which its note names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Fit<'a> {
    pub budget: report::markdown::Budget,
    pub full: Option<&'a str>,
}

/// One run's report in `format`, from its already-rendered human `text`; `instance` names the
/// instance judged (SARIF's `automationDetails.id`) of the configuration file `config` when one
/// is in use; a Markdown report keeps within `fit`.
pub(super) fn render(
    format: Format,
    text: &str,
    r: &report::Report<'_>,
    (instance, config): (Option<&str>, Option<&Path>),
    fit: Fit<'_>,
) -> String {
    match format {
        Format::Text => text.to_owned(),
        Format::Json => report::json::render(r),
        Format::Markdown => report::markdown::render_within(r, fit.budget, fit.full),
        Format::Junit => report::junit::render(r),
        Format::Sarif => report::sarif::render(r, &sarif_site(r, instance, config)),
    }
}

/// Delivers one run's report (human `text` and the report it was rendered from) to every
/// destination.
pub(super) fn emit(
    text: String,
    r: &report::Report<'_>,
    who: (Option<&str>, Option<&Path>),
    args: &ReportArgs,
) -> Result<Outcome> {
    deliver(r.exit_code, args, |format, fit| {
        Ok(render(format, &text, r, who, fit))
    })
}

/// What a run's SARIF points at, found on disk: the baseline file (else the checked snapshot
/// file; a live pull or a recording directory is no file) with its text, else a file that exists
/// to place results on (a recording's raw file, else `config` at the instance's table), and the
/// policy layer files, each named relative to its repository's root.
fn sarif_site(
    r: &report::Report<'_>,
    instance: Option<&str>,
    config: Option<&Path>,
) -> report::sarif::Site {
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
    let fallback = match artifact {
        Some(_) => None,
        None => fallback(r, current, instance, config),
    };
    let instance = instance.map(str::to_owned).or_else(|| {
        let named = r.baseline.or(current)?;
        let stem = Path::new(named).file_stem()?.to_string_lossy();
        Some(stem.into_owned())
    });
    report::sarif::Site {
        instance,
        artifact,
        policies,
        fallback,
    }
}

/// The raw files of a recording that hold the settings, in the order looked for.
const RECORDING_FILES: [&str; 3] = [
    "plapi/config.json",
    "fapi/environment.json",
    "bapi/instance.json",
];

/// Without a snapshot or baseline file: the first of [`RECORDING_FILES`] that exists in the
/// baseline's (else the current's) recording directory, at line 1; else the configuration file
/// at its `[instances.NAME]` line (line 1 when not found). None when there is no file at all.
fn fallback(
    r: &report::Report<'_>,
    current: Option<&str>,
    instance: Option<&str>,
    config: Option<&Path>,
) -> Option<(report::sarif::Uri, usize)> {
    let recorded = r
        .baseline
        .into_iter()
        .chain(current)
        .map(Path::new)
        .filter(|p| p.is_dir())
        .flat_map(|dir| RECORDING_FILES.iter().map(move |f| dir.join(f)))
        .find(|f| f.is_file());
    if let Some(file) = recorded {
        return Some((sarif_uri(&file)?, 1));
    }
    let config = config.filter(|p| p.is_file())?;
    let text = std::fs::read_to_string(config).unwrap_or_default();
    let line = instance
        .and_then(|name| {
            let tables = [
                format!("[instances.{name}]"),
                format!("[instances.\"{name}\"]"),
            ];
            text.lines()
                .position(|l| tables.iter().any(|t| l.trim() == t))
        })
        .map_or(1, |i| i + 1);
    Some((sarif_uri(config)?, line))
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

/// How a report reaches an existing `path`: a regular file (or none yet) is replaced atomically;
/// anything else — a character device such as `/dev/null`, a FIFO — is opened and written in
/// place, never replaced (a rename would put a regular file in its stead).
#[derive(Debug, PartialEq, Eq)]
enum Write {
    Replace,
    InPlace,
}

fn how_to_write(path: &Path) -> Write {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => Write::InPlace,
        _ => Write::Replace,
    }
}

/// Writes one report file (see [`Write`]).
fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    match how_to_write(path) {
        Write::Replace => Ok(crate::fsx::write_atomic(path, bytes)?),
        Write::InPlace => {
            use std::io::Write as _;
            std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|mut f| f.write_all(bytes))
                .with_context(|| format!("writing {}", path.display()))
        }
    }
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
        Output::Format(Format::Json, path) => path.to_str(),
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
        write(path, text.as_bytes())?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_or_none_is_replaced_anything_else_written_in_place() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("r.json");
        assert_eq!(how_to_write(&file), Write::Replace, "no file yet");
        std::fs::write(&file, "x").expect("write");
        assert_eq!(how_to_write(&file), Write::Replace);
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        assert_eq!(how_to_write(&fifo), Write::InPlace);
    }

    #[test]
    fn resolve_applies_dot_dot_through_missing_directories_and_follows_linked_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = std::fs::canonicalize(dir.path()).expect("canonical");
        std::fs::write(root.join("x.sarif"), "").expect("write");
        assert_eq!(
            resolve(&dir.path().join("sub/../x.sarif")),
            Some(root.join("x.sarif"))
        );
        assert_eq!(
            resolve(&dir.path().join("a/b/c.json")),
            Some(root.join("a/b/c.json"))
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("x.sarif"), root.join("link.sarif"))
                .expect("symlink");
            assert_eq!(
                resolve(&dir.path().join("link.sarif")),
                Some(root.join("x.sarif"))
            );
        }
        assert!(!root.join("sub").exists() && !root.join("a").exists());
    }
}
