//! Saved plans (`plan --save-plan FILE`, `baseline accept --from-plan FILE`), as Terraform's: the
//! JSON document (`saved_plan_version` 1) that records what a plan saw — the current snapshot in
//! canonical form and its SHA-256, the baseline file's path and SHA-256, each policy layer's path
//! and SHA-256, the drift, the tool version and the time — so that the snapshot can be accepted
//! later, offline, exactly as planned, and refused when the baseline changed since. Reading
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
    pub path: PathBuf,
    pub sha256: String,
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
        })
    }
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
        let file =
            |f: &FileHash| json!({ "path": f.path.display().to_string(), "sha256": f.sha256 });
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
        let policy = (0..layers.len())
            .map(|i| {
                Ok(FileHash {
                    path: PathBuf::from(string(&format!("/policy/layers/{i}/path"))?),
                    sha256: sha(&format!("/policy/layers/{i}/sha256"))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
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
            baseline: FileHash {
                path: PathBuf::from(string("/baseline/path")?),
                sha256: sha("/baseline/sha256")?,
            },
            builtin_policy: boolean("/policy/builtin")?,
            policy,
            incomplete: boolean("/incomplete")?,
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
            },
            builtin_policy: true,
            policy: vec![FileHash {
                path: "team.toml".into(),
                sha256: "b".repeat(64),
            }],
            incomplete: false,
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
