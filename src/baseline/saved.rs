//! Saved plans (`plan --save-plan FILE`, `baseline accept --from-plan FILE`), as Terraform's: the
//! JSON document (`saved_plan_version` 1) that records what a plan saw — the current snapshot in
//! canonical form and its SHA-256, the baseline file's path and SHA-256, each policy layer's path
//! and SHA-256 (each path also relative to the plan file and absolute, so that it is found from
//! another directory), the drift, the settings it no longer observed, the tool version and the
//! time — so that the snapshot can be accepted later, offline, exactly as planned, and refused
//! when the baseline changed since. Reading
//! checks every field (an error names the JSON path), the version, and the snapshot against its
//! hash (a damaged or edited plan is refused). No secrets: a snapshot holds none.

use std::path::{Path as FsPath, PathBuf};

use serde_json::{Value, json};

use super::{sha256, short};
use crate::diff::Drift;
use crate::jsonx;
use crate::snapshot::Snapshot;
use crate::snapshot::io;

/// The version this build writes and reads.
pub const VERSION: u64 = 1;

/// A saved plan that could not be written, read or used.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("reading {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: not a saved plan: invalid JSON: {message}", path.display())]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: not a saved plan (no `saved_plan_version`); make one with `clerk-drift plan --save-plan FILE`", path.display())]
    NotAPlan { path: PathBuf },
    #[error("{}: saved_plan_version {found} is not supported: clerk-drift {} reads version {VERSION}; run `clerk-drift plan --save-plan FILE` again with this version", path.display(), env!("CARGO_PKG_VERSION"))]
    Version { path: PathBuf, found: String },
    #[error("{}: {pointer}: {message}", path.display())]
    Field {
        path: PathBuf,
        pointer: String,
        message: String,
    },
    #[error("{}: $.snapshot does not match $.snapshot_sha256 (recorded {}, computed {}): the plan was changed or damaged after it was saved; run `clerk-drift plan --save-plan FILE` again", path.display(), short(recorded), short(computed))]
    Tampered {
        path: PathBuf,
        recorded: String,
        computed: String,
    },
    #[error("{}: stale plan: the baseline {} changed since the plan was saved (SHA-256 then {recorded}, now {now}); nothing was written: run `clerk-drift plan --save-plan {}` again", plan.display(), baseline.display(), plan.display())]
    Stale {
        plan: PathBuf,
        baseline: PathBuf,
        recorded: String,
        now: String,
    },
    #[error(transparent)]
    Snapshot(#[from] io::Error),
}

type Result<T> = std::result::Result<T, Error>;

/// A file a plan read, and its SHA-256 then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileHash {
    /// As the plan was given it (relative to the directory `plan` ran in).
    pub path: PathBuf,
    pub sha256: String,
    /// From the plan file's directory (`None` in plans of earlier builds, or when it has no such
    /// path).
    pub relative_to_plan: Option<PathBuf>,
    /// Where it was when the plan ran (`None` in plans of earlier builds).
    pub absolute: Option<PathBuf>,
}

impl FileHash {
    /// The file's path and the SHA-256 of its bytes now.
    pub fn of(path: &FsPath) -> Result<FileHash> {
        let bytes = std::fs::read(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(FileHash {
            path: path.to_path_buf(),
            sha256: sha256(&bytes),
            relative_to_plan: None,
            absolute: None,
        })
    }

    /// Also records where the file is from the plan file `plan` (whose directory exists) and
    /// its absolute path.
    pub fn located(mut self, plan: &FsPath) -> FileHash {
        let absolute = std::fs::canonicalize(&self.path).ok();
        let dir = plan
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(FsPath::new("."));
        self.relative_to_plan = match (&absolute, std::fs::canonicalize(dir)) {
            (Some(file), Ok(dir)) => relative(&dir, file),
            _ => None,
        };
        self.absolute = absolute;
        self
    }

    /// Where to look for the file, in order, when accepting from the plan file `plan`: from the
    /// plan file's directory, the absolute path, the path as given (from the working directory).
    pub fn candidates(&self, plan: &FsPath) -> Vec<PathBuf> {
        let dir = plan.parent().unwrap_or(FsPath::new(""));
        let mut out: Vec<PathBuf> = Vec::new();
        let all = [
            self.relative_to_plan.as_ref().map(|r| dir.join(r)),
            self.absolute.clone(),
            Some(self.path.clone()),
        ];
        for p in all.into_iter().flatten() {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }

    /// The first of [`FileHash::candidates`] that is a file, if any; named as the plan was given
    /// it when that is the same file (`base.json`, not `out/../base.json`).
    pub fn find(&self, plan: &FsPath) -> Option<PathBuf> {
        let found = self.candidates(plan).into_iter().find(|p| p.is_file())?;
        match (
            std::fs::canonicalize(&found),
            std::fs::canonicalize(&self.path),
        ) {
            (Ok(a), Ok(b)) if a == b => Some(self.path.clone()),
            _ => Some(found),
        }
    }
}

/// `file` relative to `dir` (both absolute, canonical): `..` up to their common ancestor, then
/// down; `None` when they share none (another drive).
fn relative(dir: &FsPath, file: &FsPath) -> Option<PathBuf> {
    let d: Vec<_> = dir.components().collect();
    let f: Vec<_> = file.components().collect();
    let common = d.iter().zip(&f).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut out = PathBuf::new();
    for _ in common..d.len() {
        out.push("..");
    }
    for c in &f[common..] {
        out.push(c);
    }
    Some(out)
}

/// What a plan saw.
#[derive(Debug, Clone)]
pub struct SavedPlan {
    /// How the plan named the current snapshot (`live pull of instance `prod``, a file).
    pub current: String,
    pub snapshot: Snapshot,
    pub baseline: FileHash,
    /// Whether the built-in pack was layered under the files.
    pub builtin_policy: bool,
    pub policy: Vec<FileHash>,
    /// The pull had gaps (`--allow-partial`): such a plan is never accepted.
    pub incomplete: bool,
    /// The settings the baseline observed that the plan did not (incomplete data, exit 1): such
    /// a plan is never accepted either.
    pub not_observed: Vec<String>,
    pub exit_code: u8,
    pub created_at: String,
    pub tool_version: String,
}

impl SavedPlan {
    /// The document: keys sorted, pretty-printed, with a trailing newline.
    pub fn to_text(&self, drift: &Drift) -> Result<String> {
        let snapshot_text = io::to_canonical(&self.snapshot)?;
        let snapshot: Value = serde_json::from_str(&snapshot_text).map_err(|e| Error::Json {
            path: PathBuf::from("(the snapshot)"),
            line: e.line(),
            column: e.column(),
            message: jsonx::error_message(&e),
        })?;
        let file = |f: &FileHash| {
            let mut v = json!({ "path": f.path.display().to_string(), "sha256": f.sha256 });
            if let Some(r) = &f.relative_to_plan {
                v["relative_to_plan"] = json!(r.display().to_string());
            }
            if let Some(a) = &f.absolute {
                v["absolute"] = json!(a.display().to_string());
            }
            v
        };
        let doc = json!({
            "saved_plan_version": VERSION,
            "tool": { "name": "clerk-drift", "version": self.tool_version },
            "created_at": self.created_at,
            "current": self.current,
            "baseline": file(&self.baseline),
            "policy": {
                "builtin": self.builtin_policy,
                "layers": self.policy.iter().map(file).collect::<Vec<_>>(),
            },
            "incomplete": self.incomplete,
            "not_observed": self.not_observed,
            "exit_code": self.exit_code,
            "drift": drift,
            "snapshot_sha256": sha256(snapshot_text.as_bytes()),
            "snapshot": snapshot,
        });
        let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        text.push('\n');
        Ok(text)
    }

    /// Reads and checks a saved plan: JSON, version, every field, the snapshot against its hash.
    pub fn read(path: &FsPath) -> Result<SavedPlan> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let doc: Value = serde_json::from_str(&text).map_err(|e| Error::Json {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: jsonx::error_message(&e),
        })?;
        let field = |pointer: &str, message: String| Error::Field {
            path: path.to_path_buf(),
            pointer: format!("${}", pointer.replace('/', ".")),
            message,
        };
        match doc.get("saved_plan_version") {
            None => {
                return Err(Error::NotAPlan {
                    path: path.to_path_buf(),
                });
            }
            Some(v) if v.as_u64() == Some(VERSION) => {}
            Some(v) => {
                return Err(Error::Version {
                    path: path.to_path_buf(),
                    found: v.to_string(),
                });
            }
        }
        let get = |pointer: &str| -> Result<&Value> {
            doc.pointer(pointer)
                .ok_or_else(|| field(pointer, "missing".to_owned()))
        };
        let string = |pointer: &str| -> Result<String> {
            let v = get(pointer)?;
            v.as_str().map(str::to_owned).ok_or_else(|| {
                field(
                    pointer,
                    format!("expected a string, found {}", jsonx::type_name(v)),
                )
            })
        };
        let boolean = |pointer: &str| -> Result<bool> {
            let v = get(pointer)?;
            v.as_bool().ok_or_else(|| {
                field(
                    pointer,
                    format!("expected a boolean, found {}", jsonx::type_name(v)),
                )
            })
        };
        let sha = |pointer: &str| -> Result<String> {
            let s = string(pointer)?;
            if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
                Ok(s)
            } else {
                Err(field(
                    pointer,
                    format!("`{s}` is not a SHA-256 (64 hexadecimal digits)"),
                ))
            }
        };
        let exit_code = {
            let v = get("/exit_code")?;
            v.as_u64()
                .and_then(|n| u8::try_from(n).ok())
                .ok_or_else(|| field("/exit_code", format!("expected an exit code, found {v}")))?
        };
        let layers = get("/policy/layers")?
            .as_array()
            .ok_or_else(|| field("/policy/layers", "expected an array".to_owned()))?;
        // `relative_to_plan` and `absolute` are later additions: optional.
        let optional = |pointer: &str| -> Result<Option<PathBuf>> {
            match doc.pointer(pointer) {
                None => Ok(None),
                Some(_) => Ok(Some(PathBuf::from(string(pointer)?))),
            }
        };
        let file = |at: &str| -> Result<FileHash> {
            Ok(FileHash {
                path: PathBuf::from(string(&format!("{at}/path"))?),
                sha256: sha(&format!("{at}/sha256"))?,
                relative_to_plan: optional(&format!("{at}/relative_to_plan"))?,
                absolute: optional(&format!("{at}/absolute"))?,
            })
        };
        let policy = (0..layers.len())
            .map(|i| file(&format!("/policy/layers/{i}")))
            .collect::<Result<Vec<_>>>()?;
        // `not_observed` is a later addition: without it, the drift's `unobserved` changes.
        let not_observed = match doc.get("not_observed") {
            Some(v) => v
                .as_array()
                .ok_or_else(|| field("/not_observed", "expected an array".to_owned()))?
                .iter()
                .enumerate()
                .map(|(i, _)| string(&format!("/not_observed/{i}")))
                .collect::<Result<Vec<_>>>()?,
            None => doc
                .pointer("/drift/changes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|c| c["kind"] == "unobserved")
                .filter_map(|c| c["path"].as_str().map(str::to_owned))
                .collect(),
        };
        let recorded = sha("/snapshot_sha256")?;
        let snapshot_value = get("/snapshot")?;
        let snapshot_text = serde_json::to_string(snapshot_value).unwrap_or_default();
        let snapshot =
            io::from_text_as_written(&snapshot_text, &format!("{} ($.snapshot)", path.display()))
                .map_err(|e| field("/snapshot", e.to_string()))?;
        let computed = sha256(io::to_canonical(&snapshot)?.as_bytes());
        if computed != recorded {
            return Err(Error::Tampered {
                path: path.to_path_buf(),
                recorded,
                computed,
            });
        }
        Ok(SavedPlan {
            current: string("/current")?,
            snapshot,
            baseline: file("/baseline")?,
            builtin_policy: boolean("/policy/builtin")?,
            policy,
            incomplete: boolean("/incomplete")?,
            not_observed,
            exit_code,
            created_at: string("/created_at")?,
            tool_version: string("/tool/version")?,
        })
    }

    /// Refuses a plan whose baseline changed since it was saved (`baseline` is the file now).
    pub fn check_fresh(&self, plan: &FsPath, baseline: &FsPath) -> Result<()> {
        let now = FileHash::of(baseline)?;
        if now.sha256 != self.baseline.sha256 {
            return Err(Error::Stale {
                plan: plan.to_path_buf(),
                baseline: baseline.to_path_buf(),
                recorded: self.baseline.sha256.clone(),
                now: now.sha256,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> SavedPlan {
        SavedPlan {
            current: "s.json".into(),
            snapshot: Snapshot::for_test(json!({"session": {"lifetime": 60}}), &[]),
            baseline: FileHash {
                path: "b.json".into(),
                sha256: "a".repeat(64),
                relative_to_plan: Some("../b.json".into()),
                absolute: Some("/work/b.json".into()),
            },
            builtin_policy: true,
            policy: vec![FileHash {
                path: "team.toml".into(),
                sha256: "b".repeat(64),
                relative_to_plan: None,
                absolute: None,
            }],
            incomplete: false,
            not_observed: vec!["session.lifetime".into()],
            exit_code: 2,
            created_at: "2026-11-22T10:00:00Z".into(),
            tool_version: "0.1.0".into(),
        }
    }

    fn write(dir: &FsPath, text: &str) -> PathBuf {
        let path = dir.join("plan.json");
        std::fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn a_saved_plan_reads_back_as_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = plan().to_text(&Drift::default()).expect("text");
        let read = SavedPlan::read(&write(dir.path(), &text)).expect("reads");
        assert_eq!(read.baseline, plan().baseline);
        assert_eq!(read.policy, plan().policy);
        assert_eq!(
            io::to_canonical(&read.snapshot).expect("canonical"),
            io::to_canonical(&plan().snapshot).expect("canonical")
        );
        assert_eq!((read.exit_code, read.incomplete), (2, false));
        assert_eq!(read.not_observed, ["session.lifetime"]);
    }

    #[test]
    fn a_plan_without_the_later_fields_still_reads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut doc: Value =
            serde_json::from_str(&plan().to_text(&Drift::default()).expect("text")).expect("JSON");
        for key in ["relative_to_plan", "absolute"] {
            doc["baseline"].as_object_mut().expect("object").remove(key);
        }
        doc.as_object_mut().expect("object").remove("not_observed");
        doc["drift"] = json!({"changes": [
            {"path": "user.sign_up", "kind": "unobserved", "before": true, "after": null},
            {"path": "session.lifetime", "kind": "changed", "before": 1, "after": 2}
        ]});
        let path = write(dir.path(), &doc.to_string());
        let read = SavedPlan::read(&path).expect("reads");
        assert_eq!(
            (read.baseline.relative_to_plan, read.baseline.absolute),
            (None, None)
        );
        assert_eq!(read.not_observed, ["user.sign_up"]);
    }

    #[test]
    fn a_recorded_file_is_looked_for_from_the_plan_then_absolute_then_as_given() {
        assert_eq!(
            relative(
                FsPath::new("/w/repo/out"),
                FsPath::new("/w/repo/baselines/p.json")
            ),
            Some(PathBuf::from("../baselines/p.json"))
        );
        assert_eq!(
            relative(FsPath::new("/w/repo"), FsPath::new("/w/repo/b.json")),
            Some(PathBuf::from("b.json"))
        );
        assert_eq!(
            plan().baseline.candidates(FsPath::new("/tmp/x/plan.json")),
            [
                PathBuf::from("/tmp/x/../b.json"),
                PathBuf::from("/work/b.json"),
                PathBuf::from("b.json")
            ]
        );
        assert_eq!(
            plan().policy[0].candidates(FsPath::new("plan.json")),
            [PathBuf::from("team.toml")]
        );
    }

    #[test]
    fn an_edited_snapshot_a_bad_field_and_another_version_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = plan().to_text(&Drift::default()).expect("text");
        let edited = text.replace("\"lifetime\": 60", "\"lifetime\": 61");
        assert_ne!(edited, text);
        let err = SavedPlan::read(&write(dir.path(), &edited)).expect_err("tampered");
        assert!(
            err.to_string()
                .contains("$.snapshot does not match $.snapshot_sha256"),
            "{err}"
        );
        let bad = text.replacen(&"b".repeat(64), "xyz", 1);
        let err = SavedPlan::read(&write(dir.path(), &bad)).expect_err("bad sha");
        assert!(
            err.to_string().ends_with(
                "plan.json: $.policy.layers.0.sha256: `xyz` is not a SHA-256 (64 hexadecimal digits)"
            ),
            "{err}"
        );
        let v2 = text.replace("\"saved_plan_version\": 1", "\"saved_plan_version\": 2");
        let err = SavedPlan::read(&write(dir.path(), &v2)).expect_err("version");
        assert!(
            err.to_string()
                .contains("saved_plan_version 2 is not supported"),
            "{err}"
        );
        let err = SavedPlan::read(&write(dir.path(), "{}")).expect_err("not a plan");
        assert!(err.to_string().contains("not a saved plan"), "{err}");
    }
}
