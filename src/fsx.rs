//! Atomic file writes and directory swaps: the one place that creates temporary files and
//! directories next to their destination and renames them into place, so that nothing half
//! written is ever seen under a final name, even after a crash or a SIGKILL.
//!
//! A directory is prepared by [`StagedDir`]: created under a private staging name, seeded (for
//! example with an "incomplete" marker), only then renamed to its visible temporary name
//! `.clerk-drift-<tag>…`, filled, and finally swapped into place. A directory under a visible
//! name therefore always holds its seed files, from its first moment to its last.
//!
//! This module knows nothing of what the files mean (snapshots, bundles, recordings), never
//! prints, and never removes anything it did not create itself, except what a caller asks it to
//! replace. Errors are typed and name the path; callers that word them differently map them.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A failed file operation, naming the path it was about.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("creating {}", .path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// `path` is the directory the temporary directory was to be created in.
    #[error("creating a temporary directory in {}", .path.display())]
    TempDir {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// `path` is the file to be written: its temporary file (beside it, in the same directory)
    /// could not be created. The temporary file's own name is never shown.
    #[error("writing {} (creating its temporary file beside it)", .path.display())]
    TempFile {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("writing {}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// Renaming a written temporary file over `path`.
    #[error("replacing {}", .path.display())]
    Replace {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// Removing the empty directory `path` a staged directory was to take the place of.
    #[error("replacing empty {}", .path.display())]
    ReplaceEmpty {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// Renaming a staged directory to `path` (or moving the previous `path` aside).
    #[error("moving a directory to {}", .path.display())]
    Rename {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl Error {
    /// The path the error names and the underlying I/O error.
    pub fn into_parts(self) -> (PathBuf, io::Error) {
        match self {
            Error::CreateDir { path, source }
            | Error::TempDir { path, source }
            | Error::TempFile { path, source }
            | Error::Write { path, source }
            | Error::Replace { path, source }
            | Error::ReplaceEmpty { path, source }
            | Error::Rename { path, source } => (path, source),
        }
    }
}

/// The directory `path` lives in (`.` for a bare file name).
fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `contents` to `path` atomically: a temporary file in the same directory, flushed to
/// disk, renamed over `path`, then the directory flushed so that the rename itself survives a
/// crash.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let dir = parent_of(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(".clerk-drift-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|source| Error::TempFile {
            path: path.to_path_buf(),
            source: without_temp_name(source),
        })?;
    tmp.write_all(contents)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source: without_temp_name(source),
        })?;
    tmp.persist(path).map_err(|e| Error::Replace {
        path: path.to_path_buf(),
        source: without_temp_name(e.error),
    })?;
    sync_dir(&dir);
    Ok(())
}

/// The I/O error without the temporary file's name that `tempfile` adds to it: messages name the
/// destination, never an internal name.
fn without_temp_name(e: io::Error) -> io::Error {
    match e.get_ref() {
        // `tempfile`'s wrapper reads "<the OS's words> at path <the temporary file>".
        Some(inner) => {
            let text = inner.to_string();
            let words = text
                .split(" at path ")
                .next()
                .unwrap_or_default()
                .to_owned();
            io::Error::new(e.kind(), words)
        }
        None => e,
    }
}

/// Creates `path` (which must not exist) readable and writable by its owner only, writes `bytes`
/// and flushes them to disk. For files inside a directory that is renamed into place afterwards.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })
}

/// `std::fs::create_dir_all`, naming `path` in its error.
pub fn create_dir_all(path: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(path).map_err(|source| Error::CreateDir {
        path: path.to_path_buf(),
        source,
    })
}

/// Makes renames and removals in `dir` durable (best effort: not every filesystem allows it).
pub fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// What [`StagedDir::swap_into`] does with a target that already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// The target may only be an empty directory; it is removed first. Anything else fails
    /// (content that appeared after the caller checked is never deleted).
    MustBeEmpty,
    /// The target (which the caller has vetted) is moved aside, replaced, and then deleted; if
    /// the replacement fails it is put back.
    Replace,
}

/// A directory being prepared next to its destination, removed when dropped unless it was
/// swapped into place.
#[derive(Debug)]
pub struct StagedDir {
    path: PathBuf,
    parent: PathBuf,
    placed: bool,
}

impl StagedDir {
    /// Creates the directory that will become `target`, in `target`'s parent (created when
    /// missing), holding the `seed` files. It is visible as `.clerk-drift-<tag>XXXXXX` only once
    /// every seed file is written: before that it is an empty `.clerk-drift-staging-<tag>XXXXXX`
    /// that a process killed at that moment leaves behind. Without seed files it is created
    /// directly under the visible name.
    pub fn create(target: &Path, tag: &str, seed: &[(&str, &[u8])]) -> Result<Self, Error> {
        let parent = parent_of(target);
        create_dir_all(&parent)?;
        let temp_dir_error = |source| Error::TempDir {
            path: parent.clone(),
            source,
        };
        let visible_prefix = format!(".clerk-drift-{tag}");
        if seed.is_empty() {
            let dir = tempfile::Builder::new()
                .prefix(&visible_prefix)
                .tempdir_in(&parent)
                .map_err(temp_dir_error)?;
            return Ok(Self {
                path: dir.keep(),
                parent,
                placed: false,
            });
        }
        let staging_prefix = format!(".clerk-drift-staging-{tag}");
        let staging = tempfile::Builder::new()
            .prefix(&staging_prefix)
            .tempdir_in(&parent)
            .map_err(temp_dir_error)?;
        for (name, bytes) in seed {
            write_private(&staging.path().join(name), bytes)?;
        }
        sync_dir(staging.path());
        // The staging name is unique in `parent`, so the visible name derived from it is too
        // (short of a leftover of an earlier run with the same random suffix: then the rename
        // fails, the staging directory is removed, and nothing is overwritten).
        let suffix = staging
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .and_then(|n| n.strip_prefix(&staging_prefix).map(str::to_owned))
            .unwrap_or_default();
        let path = parent.join(format!("{visible_prefix}{suffix}"));
        std::fs::rename(staging.path(), &path).map_err(temp_dir_error)?;
        // Renamed: the staging guard must not try to delete it any more.
        let _ = staging.keep();
        sync_dir(&parent);
        Ok(Self {
            path,
            parent,
            placed: false,
        })
    }

    /// Where the directory is while it is being prepared.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the file `rel` (a relative path; parent directories are created) with
    /// [`write_private`].
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Error> {
        let path = self.path.join(rel);
        if let Some(p) = path.parent() {
            create_dir_all(p)?;
        }
        write_private(&path, bytes)
    }

    /// Flushes the directory and renames it to `target`; `existing` says what happens to a
    /// `target` that already exists. On error the staged directory is removed. `target` is then
    /// as it was, with two exceptions a failing filesystem can cause: an empty `target`
    /// ([`Existing::MustBeEmpty`]) removed before the rename failed stays removed, and a
    /// replaced `target` ([`Existing::Replace`]) that cannot be moved back stays beside it under
    /// the staging name with `.old` appended.
    pub fn swap_into(mut self, target: &Path, existing: Existing) -> Result<(), Error> {
        sync_dir(&self.path);
        let rename_error = |source| Error::Rename {
            path: target.to_path_buf(),
            source,
        };
        match existing {
            Existing::MustBeEmpty => {
                if target.exists() {
                    std::fs::remove_dir(target).map_err(|source| Error::ReplaceEmpty {
                        path: target.to_path_buf(),
                        source,
                    })?;
                }
                std::fs::rename(&self.path, target).map_err(rename_error)?;
            }
            Existing::Replace => {
                let aside = self.path.with_extension("old");
                let had_old = target.exists();
                if had_old {
                    std::fs::rename(target, &aside).map_err(rename_error)?;
                }
                if let Err(source) = std::fs::rename(&self.path, target) {
                    if had_old {
                        let _ = std::fs::rename(&aside, target);
                    }
                    return Err(rename_error(source));
                }
                if had_old {
                    let _ = std::fs::remove_dir_all(&aside);
                }
            }
        }
        self.placed = true;
        sync_dir(&self.parent);
        Ok(())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.placed {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("ls")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn write_atomic_creates_and_replaces_leaving_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.json");
        write_atomic(&path, b"one").expect("writes");
        write_atomic(&path, b"two").expect("replaces");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        assert_eq!(names(dir.path()), ["a.json"]);
    }

    #[test]
    fn write_atomic_names_the_file_it_cannot_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("missing").join("a.json");
        let err = write_atomic(&path, b"x").expect_err("no such directory");
        assert!(matches!(err, Error::TempFile { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "writing {} (creating its temporary file beside it)",
                path.display()
            )
        );
    }

    #[test]
    fn write_private_never_overwrites_and_is_owner_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("secret");
        write_private(&path, b"x").expect("writes");
        let err = write_private(&path, b"y").expect_err("exists");
        assert_eq!(err.to_string(), format!("writing {}", path.display()));
        let (named, source) = err.into_parts();
        assert_eq!(named, path);
        assert_eq!(source.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).expect("read"), b"x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_seeded_staged_dir_is_visible_only_with_its_seed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("deep").join("bundle");
        let staged = StagedDir::create(&target, "test", &[("MARK", b"m")]).expect("stages");
        let name = staged
            .path()
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(name.starts_with(".clerk-drift-test"), "{name}");
        assert_eq!(names(&dir.path().join("deep")), [name]);
        assert_eq!(names(staged.path()), ["MARK"]);
        staged.write("sub/file", b"f").expect("writes");
        staged
            .swap_into(&target, Existing::MustBeEmpty)
            .expect("swaps");
        assert_eq!(names(&dir.path().join("deep")), ["bundle"]);
        assert_eq!(names(&target), ["MARK", "sub"]);
        assert_eq!(std::fs::read(target.join("sub/file")).expect("read"), b"f");
    }

    #[test]
    fn an_unseeded_staged_dir_is_created_under_the_visible_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let staged = StagedDir::create(&dir.path().join("rec"), "test", &[]).expect("stages");
        assert!(
            staged
                .path()
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".clerk-drift-test"))
        );
        assert_eq!(names(staged.path()), Vec::<String>::new());
    }

    #[test]
    fn a_dropped_staged_dir_is_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let staged =
            StagedDir::create(&dir.path().join("b"), "test", &[("MARK", b"m")]).expect("stages");
        staged.write("x", b"x").expect("writes");
        drop(staged);
        assert_eq!(names(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn must_be_empty_replaces_an_empty_directory_and_refuses_a_full_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("b");
        std::fs::create_dir(&target).expect("mkdir");
        let staged = StagedDir::create(&target, "test", &[]).expect("stages");
        staged.write("new", b"n").expect("writes");
        staged
            .swap_into(&target, Existing::MustBeEmpty)
            .expect("replaces the empty directory");
        assert_eq!(names(&target), ["new"]);

        let staged = StagedDir::create(&target, "test", &[]).expect("stages");
        let err = staged
            .swap_into(&target, Existing::MustBeEmpty)
            .expect_err("not empty");
        assert_eq!(
            err.to_string(),
            format!("replacing empty {}", target.display())
        );
        assert_eq!(names(&target), ["new"], "the target is untouched");
        assert_eq!(names(dir.path()), ["b"], "the staged directory is gone");
    }

    #[test]
    fn replace_swaps_out_an_existing_directory_and_leaves_nothing_aside() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("rec");
        std::fs::create_dir(&target).expect("mkdir");
        std::fs::write(target.join("old"), b"o").expect("write");
        let staged = StagedDir::create(&target, "test", &[]).expect("stages");
        staged.write("new", b"n").expect("writes");
        staged
            .swap_into(&target, Existing::Replace)
            .expect("replaces");
        assert_eq!(names(&target), ["new"]);
        assert_eq!(names(dir.path()), ["rec"]);
    }

    #[test]
    fn a_failed_swap_names_the_target_and_removes_the_staged_directory() {
        let dir = tempfile::tempdir().expect("tempdir");
        // The target's parent is a file: the staged directory can be made (in `dir`) but not
        // renamed there.
        std::fs::write(dir.path().join("file"), b"f").expect("write");
        let staged = StagedDir::create(&dir.path().join("t"), "test", &[]).expect("stages");
        let target = dir.path().join("file").join("rec");
        let err = staged
            .swap_into(&target, Existing::Replace)
            .expect_err("cannot rename under a file");
        assert_eq!(
            err.to_string(),
            format!("moving a directory to {}", target.display())
        );
        assert_eq!(names(dir.path()), ["file"]);
    }
}
