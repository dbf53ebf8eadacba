//! The baseline lifecycle: `accept` writes the current snapshot (or selected paths of it) as the
//! new baseline with an acceptance record (who, when, why) and a hash chain to the baseline it
//! replaces, which is kept in `history/` next to it; `log` walks the chain; `verify` checks it.
//! An accept is built first ([`prepare`]: a `--path` that matches no change and an accept that
//! changes nothing are refused there) and written after ([`Prepared::write`]), so that the caller
//! can judge the new baseline before anything is written. Writes are atomic (temp file, fsync,
//! rename, fsync of the directory).
//! Saved plans, accepted later as planned, are read and written by [`saved`].

pub mod saved;

use std::path::{Path as FsPath, PathBuf};

use sha2::{Digest, Sha256};

use crate::diff::{self, ChangeKind, IgnoreRule};
use crate::fsx;
use crate::path::Path;
use crate::snapshot::io;
use crate::snapshot::model::{Acceptance, Snapshot};

/// A baseline that could not be accepted or whose chain could not be walked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("--reason is required: say why this configuration is the new last-known-good")]
    NoReason,
    #[error("--path `{glob}`: {message}")]
    BadPath { glob: String, message: String },
    #[error("--path needs an existing baseline to update; {} does not exist", path.display())]
    NothingToUpdate { path: PathBuf },
    #[error("--path `{glob}` matches no change between {} and the current configuration; {hint}", path.display())]
    NoMatch {
        glob: String,
        path: PathBuf,
        hint: String,
    },
    #[error("nothing to accept: the current configuration is the baseline {} already; nothing was written", path.display())]
    NothingToAccept { path: PathBuf },
    #[error("the history chain of {} does not end", path.display())]
    EndlessChain { path: PathBuf },
    #[error("reading {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Snapshot(#[from] io::Error),
    #[error(transparent)]
    Write(#[from] fsx::Error),
}

type Result<T> = std::result::Result<T, Error>;

/// SHA-256 of bytes, hex.
pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The hash a baseline's acceptance record pins: its canonical text without the record.
fn content_sha(snap: &Snapshot) -> Result<String> {
    let mut bare = snap.clone();
    bare.accepted = None;
    Ok(sha256(io::to_canonical(&bare)?.as_bytes()))
}

/// Where replaced baselines go: `<dir>/history/<stem>.<sha>.json`.
pub fn history_dir(baseline: &FsPath) -> PathBuf {
    baseline
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(FsPath::new("."))
        .join("history")
}

fn history_file(baseline: &FsPath, sha: &str) -> PathBuf {
    let stem = baseline
        .file_stem()
        .map_or_else(|| "baseline".into(), |s| s.to_string_lossy().into_owned());
    history_dir(baseline).join(format!("{stem}.{sha}.json"))
}

/// What `accept` did.
pub struct Accepted {
    pub snapshot: Snapshot,
    /// The changes taken from the current snapshot.
    pub changes: Vec<diff::Change>,
    pub previous_sha256: Option<String>,
}

/// An accept built and not yet written: the new baseline and what it replaces.
pub struct Prepared {
    path: PathBuf,
    old_bytes: Option<Vec<u8>>,
    /// The new baseline, acceptance record included.
    pub snapshot: Snapshot,
    /// The changes taken from the current snapshot.
    pub changes: Vec<diff::Change>,
    pub previous_sha256: Option<String>,
}

/// Builds the new baseline and writes it (and the replaced one into `history/`).
pub fn accept(
    baseline_path: &FsPath,
    current: &Snapshot,
    paths: &[String],
    by: &str,
    reason: &str,
    now: jiff::Timestamp,
) -> Result<Accepted> {
    prepare(baseline_path, current, paths, by, reason, now)?.write()
}

/// Builds the new baseline without writing anything. Refuses a `--path` glob that matches no
/// change (with the nearest changed path) and an accept that would change nothing (the same
/// configuration over a baseline that already carries an acceptance record).
pub fn prepare(
    baseline_path: &FsPath,
    current: &Snapshot,
    paths: &[String],
    by: &str,
    reason: &str,
    now: jiff::Timestamp,
) -> Result<Prepared> {
    if reason.trim().is_empty() {
        return Err(Error::NoReason);
    }
    let old_bytes = match std::fs::read(baseline_path) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(Error::Read {
                path: baseline_path.to_path_buf(),
                source,
            });
        }
    };
    let old = match &old_bytes {
        Some(b) => Some(io::from_text(
            &String::from_utf8_lossy(b),
            &baseline_path.display().to_string(),
        )?),
        None => None,
    };
    let rules: Vec<IgnoreRule> = paths
        .iter()
        .map(|g| {
            IgnoreRule::new(g, "--path").map_err(|e| Error::BadPath {
                glob: g.clone(),
                message: e.to_string(),
            })
        })
        .collect::<Result<_>>()?;
    if old.is_none() && !rules.is_empty() {
        return Err(Error::NothingToUpdate {
            path: baseline_path.to_path_buf(),
        });
    }
    let (mut new, changes) = match &old {
        Some(old) => {
            let d = diff::diff(old, current);
            // A file without an acceptance record (from `snapshot -o`) gains one: that is a
            // change; an accepted baseline accepted again unchanged is not.
            if d.changes.is_empty() && old.accepted.is_some() {
                return Err(Error::NothingToAccept {
                    path: baseline_path.to_path_buf(),
                });
            }
            if let Some(rule) = rules
                .iter()
                .find(|r| !d.changes.iter().any(|c| r.matches(&c.path)))
            {
                return Err(Error::NoMatch {
                    glob: rule.pattern.clone(),
                    path: baseline_path.to_path_buf(),
                    hint: nearest_change(&rule.pattern, &d.changes),
                });
            }
            if rules.is_empty() {
                (current.clone(), d.changes)
            } else {
                // Only the selected paths move; everything else stays as accepted before.
                let mut d = d;
                d.ignore(&rules);
                let taken: Vec<diff::Change> = d.ignored.into_iter().map(|i| i.change).collect();
                let mut next = old.clone();
                for c in &taken {
                    apply(&mut next, current, c);
                }
                (next, taken)
            }
        }
        None => (current.clone(), Vec::new()),
    };
    new.accepted = None;
    let previous_sha256 = old_bytes.as_ref().map(|b| sha256(b));
    new.accepted = Some(Acceptance {
        by: by.to_owned(),
        at: now.round(jiff::Unit::Second).unwrap_or(now).to_string(),
        reason: reason.trim().to_owned(),
        paths: (!paths.is_empty()).then(|| paths.to_vec()),
        content_sha256: content_sha(&new)?,
        previous_sha256: previous_sha256.clone(),
    });
    Ok(Prepared {
        path: baseline_path.to_path_buf(),
        old_bytes,
        snapshot: new,
        changes,
        previous_sha256,
    })
}

/// "Did you mean" for a `--path` glob that matched nothing: the nearest changed path (or a
/// parent of one, as `parent.**`), else the changed paths themselves.
fn nearest_change(glob: &str, changes: &[diff::Change]) -> String {
    let mut candidates: Vec<String> = Vec::new();
    for c in changes {
        candidates.push(c.path.to_string());
        for n in 1..c.path.0.len() {
            let parent = Path(c.path.0[..n].to_vec()).to_string();
            candidates.push(parent.clone());
            candidates.push(format!("{parent}.**"));
        }
    }
    match crate::diag::closest(glob, candidates.iter().map(String::as_str)) {
        Some(best) => format!("did you mean `{best}`?"),
        None if changes.is_empty() => "there are no changes".to_owned(),
        None => {
            let mut changed: Vec<String> = changes.iter().map(|c| c.path.to_string()).collect();
            let more = changed.len().saturating_sub(5);
            changed.truncate(5);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            format!("the changes are at {}{more}", changed.join(", "))
        }
    }
}

impl Prepared {
    /// Writes the new baseline (and the replaced one into `history/`).
    pub fn write(self) -> Result<Accepted> {
        let baseline_path = self.path.as_path();
        if let Some(parent) = baseline_path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fsx::create_dir_all(parent)?;
        }
        if let (Some(bytes), Some(sha)) = (&self.old_bytes, &self.previous_sha256) {
            let dir = history_dir(baseline_path);
            let created = !dir.exists();
            fsx::create_dir_all(&dir)?;
            if let Err(e) = fsx::write_atomic(&history_file(baseline_path, sha), bytes) {
                // Leave the directory as it was: a failed accept changes nothing.
                if created {
                    let _ = std::fs::remove_dir(&dir);
                }
                return Err(e.into());
            }
        }
        let text = io::to_canonical(&self.snapshot)?;
        fsx::write_atomic(baseline_path, text.as_bytes())?;
        Ok(Accepted {
            snapshot: self.snapshot,
            changes: self.changes,
            previous_sha256: self.previous_sha256,
        })
    }
}

/// Applies one change from `current` to `target`: the value, its provenance and coverage.
fn apply(target: &mut Snapshot, current: &Snapshot, c: &diff::Change) {
    // The sources' disagreement on the path comes with it (a `disagreement` change is only
    // that), and so does one on a setting holding it: a change at or below a disagreement's path
    // is the one line the diff shows for both (`diff`), so accepting `mfa.factors[totp]` adopts
    // whatever the sources say of `mfa.factors`, never leaves it to surface as drift nobody saw.
    let adopts = |x: &crate::snapshot::model::Conflict| {
        Path::parse(&x.path).is_ok_and(|p| c.path.starts_with(&p))
    };
    target.conflicts.retain(|x| !adopts(x));
    target
        .conflicts
        .extend(current.conflicts.iter().filter(|x| adopts(x)).cloned());
    target.conflicts.sort_by(|a, b| a.path.cmp(&b.path));
    if c.kind == ChangeKind::Disagreement {
        return;
    }
    let key = c.path.to_string();
    // A set element (`instance.allowed_origins["https://x"]`): add or remove just that element,
    // so the set's other changes stay unaccepted; sets are kept sorted and unique, as normalized.
    if let Some((crate::path::Seg::Key(element), parent)) = c.path.0.split_last() {
        let parent = Path(parent.to_vec());
        if crate::snapshot::schema::kind_of(&parent) == Some(crate::snapshot::schema::Kind::StrSet)
        {
            let mut set: std::collections::BTreeSet<String> = target
                .get(&parent)
                .and_then(serde_json::Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            match c.kind {
                ChangeKind::Removed | ChangeKind::Unobserved => {
                    set.remove(element.as_str());
                }
                _ => {
                    set.insert(element.clone());
                }
            }
            let value = serde_json::Value::Array(set.into_iter().map(Into::into).collect());
            crate::snapshot::normalize::insert(&mut target.settings, &parent, value);
            if let Some(source) = current.source_of(&parent) {
                target.provenance.insert(parent.to_string(), source);
            }
            return;
        }
        // An element of an observed set: any JSON value, named by its text (strings bare), the
        // set sorted by JSON text as normalized.
        if crate::snapshot::schema::kind_of(&parent)
            == Some(crate::snapshot::schema::Kind::Observed)
            && current
                .get(&parent)
                .or(target.get(&parent))
                .is_some_and(serde_json::Value::is_array)
        {
            let name = |v: &serde_json::Value| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let items = |s: &Snapshot| -> Vec<serde_json::Value> {
                s.get(&parent)
                    .and_then(serde_json::Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            };
            let mut set: std::collections::BTreeMap<String, serde_json::Value> = items(target)
                .into_iter()
                .map(|v| (v.to_string(), v))
                .collect();
            set.retain(|_, v| name(v) != *element);
            if !matches!(c.kind, ChangeKind::Removed | ChangeKind::Unobserved) {
                let added = items(current).into_iter().find(|v| name(v) == *element);
                let added = added.unwrap_or_else(|| serde_json::Value::String(element.clone()));
                set.insert(added.to_string(), added);
            }
            let value = serde_json::Value::Array(set.into_values().collect());
            crate::snapshot::normalize::insert(&mut target.settings, &parent, value);
            return;
        }
    }
    match (c.kind, current.get(&c.path)) {
        (ChangeKind::Removed | ChangeKind::Unobserved, _) | (_, None) => {
            remove(&mut target.settings, &c.path);
            target.provenance.remove(&key);
        }
        (_, Some(v)) => {
            crate::snapshot::normalize::insert(&mut target.settings, &c.path, v.clone());
            if let Some(source) = current.source_of(&c.path) {
                target.provenance.insert(key, source);
            }
        }
    }
}

fn remove(root: &mut serde_json::Value, path: &Path) {
    let Some((last, parents)) = path.0.split_last() else {
        return;
    };
    let mut cur = root;
    for seg in parents {
        let (crate::path::Seg::Field(k) | crate::path::Seg::Key(k)) = seg;
        match cur.get_mut(k) {
            Some(next) => cur = next,
            None => return,
        }
    }
    let (crate::path::Seg::Field(k) | crate::path::Seg::Key(k)) = last;
    match cur {
        serde_json::Value::Object(map) => {
            map.remove(k);
        }
        serde_json::Value::Array(items) => items.retain(|v| v.as_str() != Some(k.as_str())),
        _ => {}
    }
}

/// One link of the chain, newest first.
pub struct Link {
    pub file: PathBuf,
    pub sha256: String,
    pub accepted: Option<Acceptance>,
    /// What is wrong with this link, if anything.
    pub problem: Option<String>,
}

/// Walks the chain from the current baseline back through `history/`, checking every link.
pub fn chain(baseline_path: &FsPath) -> Result<Vec<Link>> {
    let mut links = Vec::new();
    let mut file = baseline_path.to_path_buf();
    let mut expected: Option<String> = None;
    loop {
        let bytes = match std::fs::read(&file) {
            Ok(b) => b,
            Err(e) => {
                links.push(Link {
                    file: file.clone(),
                    sha256: expected.clone().unwrap_or_default(),
                    accepted: None,
                    problem: Some(format!("missing: {e}")),
                });
                break;
            }
        };
        let sha = sha256(&bytes);
        let mut problem = None;
        if let Some(want) = &expected
            && *want != sha
        {
            problem = Some(format!(
                "content hash {} does not match the {} the next baseline recorded: the file was changed",
                short(&sha),
                short(want)
            ));
        }
        // As written: the acceptance record hashes the file's own schema_version.
        let snap = io::from_text_as_written(
            &String::from_utf8_lossy(&bytes),
            &file.display().to_string(),
        );
        let (accepted, parse_problem) = match snap {
            Ok(s) => {
                let accepted = s.accepted.clone();
                let content_problem = match &accepted {
                    Some(a) => match content_sha(&s) {
                        Ok(c) if c == a.content_sha256 => None,
                        Ok(_) => Some(
                            "edited after it was accepted: its content does not match its acceptance record"
                                .to_owned(),
                        ),
                        Err(e) => Some(e.to_string()),
                    },
                    None => None,
                };
                (accepted, content_problem)
            }
            Err(e) => (None, Some(format!("{e:#}"))),
        };
        let problem = problem.or(parse_problem);
        let previous = accepted.as_ref().and_then(|a| a.previous_sha256.clone());
        links.push(Link {
            file: file.clone(),
            sha256: sha,
            accepted,
            problem,
        });
        match previous {
            Some(prev) => {
                file = history_file(baseline_path, &prev);
                expected = Some(prev);
            }
            None => break,
        }
        if links.len() > 10_000 {
            return Err(Error::EndlessChain {
                path: baseline_path.to_path_buf(),
            });
        }
    }
    Ok(links)
}

pub fn short(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}
