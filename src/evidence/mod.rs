//! Evidence bundles: a directory of the files an audit produced, a `manifest.json` with the
//! SHA-256 of every file and the run's metadata, and a `SHA256SUMS` that `sha256sum -c` checks.
//! `verify` recomputes every hash and names each file that was altered, added or removed.
//! Written all at once (a sibling temporary directory, then a rename: see [`crate::fsx`]), every
//! file readable by its owner only (the snapshot lists users' identifiers and the instance's
//! configuration). What goes into a bundle is [`bundle`]'s; the posture trend over earlier
//! bundles is [`trend`]'s.

pub mod bundle;
pub mod trend;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::baseline::sha256;
use crate::fsx;

/// A bundle that could not be written, archived or read for verification.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{} exists and is not empty: evidence bundles are never overwritten", dir.display())]
    NotEmpty { dir: PathBuf },
    #[error("invalid bundle path `{0}`")]
    BadPath(String),
    #[error("serializing the manifest")]
    Serialize(#[source] serde_json::Error),
    /// A file operation; `what` says which and on what ("reading x", "archiving y").
    #[error("{what}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Fs(#[from] fsx::Error),
    /// A minisign key or signature problem, naming the key file (never its content).
    #[error("{0}")]
    Key(String),
    #[error("{} exists: refusing to overwrite a key", path.display())]
    KeyExists { path: PathBuf },
    /// An archive member `verify` refuses (a path outside the bundle, a link), named.
    #[error("{0}")]
    Archive(String),
    #[error("{} has no name to archive under", dir.display())]
    NoName { dir: PathBuf },
    #[error(
        "{} is an incomplete evidence bundle: the audit that wrote it was interrupted ({INCOMPLETE} is still there); run the audit again",
        dir.display()
    )]
    Incomplete { dir: PathBuf },
    #[error("{}: missing: {MANIFEST} (not an evidence bundle, or its manifest was removed)", path.display())]
    NoManifest { path: PathBuf },
    /// `path` is the manifest's file, or `manifest.json (in X.tar.gz)` for an archive's.
    #[error("{}:{line}:{column}: not a clerk-drift manifest: {message}", path.display())]
    Manifest {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(transparent)]
    Snapshot(#[from] crate::snapshot::io::Error),
    #[error(transparent)]
    Baseline(#[from] crate::baseline::Error),
}

type Result<T> = std::result::Result<T, Error>;

/// `io` errors with what was being done.
fn io_err(what: impl FnOnce() -> String) -> impl FnOnce(std::io::Error) -> Error {
    move |source| Error::Io {
        what: what(),
        source,
    }
}

/// The manifest's version.
pub const MANIFEST_VERSION: u32 = 1;
pub const MANIFEST: &str = "manifest.json";
pub const SUMS: &str = "SHA256SUMS";
/// The minisign signature of `manifest.json` (`minisign -Vm manifest.json -p KEY.pub` checks it).
pub const SIGNATURE: &str = "manifest.json.minisig";

/// `manifest.json`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub manifest_version: u32,
    pub tool: Tool,
    /// Run metadata: time, instance, period, operator, CI context.
    pub run: BTreeMap<String, serde_json::Value>,
    /// Bundle-relative path → SHA-256 (hex) of every file but the manifest and `SHA256SUMS`.
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    pub version: String,
    /// The git commit the binary was built from ("unknown" outside a checkout).
    pub commit: String,
}

/// Writes the bundle to `dir`, which must not exist yet (or be empty).
/// Refuses a bundle directory that exists and is not empty (bundles are never overwritten):
/// checked again by [`write`], and by `audit` before its pull.
pub fn refuse_existing(dir: &Path) -> Result<()> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(Error::NotEmpty {
            dir: dir.to_path_buf(),
        });
    }
    Ok(())
}

pub fn write(
    dir: &Path,
    files: &BTreeMap<String, Vec<u8>>,
    run: BTreeMap<String, serde_json::Value>,
    sign_key: Option<&Path>,
) -> Result<Manifest> {
    refuse_existing(dir)?;
    // The marker is there from the first moment the directory is visible until the bundle is
    // complete at its final path: a bundle interrupted at any point carries it, and `verify`
    // refuses it.
    let staged =
        fsx::StagedDir::create(dir, "evidence", &[(INCOMPLETE, INCOMPLETE_TEXT.as_bytes())])?;
    let mut hashes = BTreeMap::new();
    for (rel, bytes) in files {
        if [MANIFEST, SUMS, SIGNATURE, INCOMPLETE].contains(&rel.as_str())
            || rel.contains("..")
            || rel.starts_with('/')
        {
            return Err(Error::BadPath(rel.clone()));
        }
        staged.write(rel, bytes)?;
        hashes.insert(rel.clone(), sha256(bytes));
    }
    let manifest = Manifest {
        manifest_version: MANIFEST_VERSION,
        tool: Tool {
            name: "clerk-drift".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            commit: env!("CLERK_DRIFT_COMMIT").into(),
        },
        run,
        files: hashes,
    };
    let mut text = serde_json::to_string_pretty(&manifest).map_err(Error::Serialize)?;
    text.push('\n');
    staged.write(MANIFEST, text.as_bytes())?;
    if let Some(key) = sign_key {
        let signature = sign(key, text.as_bytes())?;
        staged.write(SIGNATURE, signature.as_bytes())?;
    }
    let mut sums = String::new();
    let mut all: BTreeMap<&str, String> = manifest
        .files
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    all.insert(MANIFEST, sha256(text.as_bytes()));
    for (rel, sha) in all {
        sums.push_str(&format!("{sha}  {rel}\n"));
    }
    staged.write(SUMS, sums.as_bytes())?;
    staged
        .swap_into(dir, fsx::Existing::MustBeEmpty)
        .map_err(|e| match e {
            fsx::Error::Rename { path, source } => Error::Io {
                what: format!("moving the bundle to {}", path.display()),
                source,
            },
            other => other.into(),
        })?;
    std::fs::remove_file(dir.join(INCOMPLETE))
        .map_err(io_err(|| format!("completing {}", dir.display())))?;
    fsx::sync_dir(dir);
    Ok(manifest)
}

/// The marker of a bundle still being written (see [`write`]).
pub const INCOMPLETE: &str = "INCOMPLETE";
const INCOMPLETE_TEXT: &str = "clerk-drift was still writing this evidence bundle when it stopped: \
the bundle is incomplete and must not be used. Run the audit again.\n";

/// Signs `data` with the minisign secret key in `key` (unencrypted, as `keygen` writes it).
/// Errors name the key file, never its content.
fn sign(key: &Path, data: &[u8]) -> Result<String> {
    let text =
        std::fs::read_to_string(key).map_err(io_err(|| format!("reading {}", key.display())))?;
    let sk = minisign::SecretKeyBox::from_string(&text)
        .and_then(minisign::SecretKeyBox::into_unencrypted_secret_key)
        .map_err(|e| {
            Error::Key(format!(
                "{}: not an unencrypted minisign secret key ({e})",
                key.display()
            ))
        })?;
    let sig = minisign::sign(
        None,
        &sk,
        std::io::Cursor::new(data),
        Some("clerk-drift evidence manifest"),
        Some("signature from clerk-drift"),
    )
    .map_err(|e| Error::Key(format!("signing with {}: {e}", key.display())))?;
    Ok(sig.into_string())
}

/// Writes a new minisign key pair: `<prefix>.key` (secret, unencrypted, mode 0600) and
/// `<prefix>.pub`. Refuses to overwrite.
pub fn keygen(prefix: &Path) -> Result<(PathBuf, PathBuf)> {
    let secret = prefix.with_extension("key");
    let public = prefix.with_extension("pub");
    for p in [&secret, &public] {
        if p.exists() {
            return Err(Error::KeyExists { path: p.clone() });
        }
    }
    let pair = minisign::KeyPair::generate_unencrypted_keypair()
        .map_err(|e| Error::Key(format!("generating a key pair: {e}")))?;
    let sk = pair
        .sk
        .to_box(Some("clerk-drift evidence signing key"))
        .map_err(|e| Error::Key(format!("encoding the secret key: {e}")))?
        .into_string();
    let pk = pair
        .pk
        .to_box()
        .map_err(|e| Error::Key(format!("encoding the public key: {e}")))?
        .into_string();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    use std::io::Write as _;
    opts.open(&secret)
        .and_then(|mut f| f.write_all(sk.as_bytes()))
        .map_err(io_err(|| format!("writing {}", secret.display())))?;
    std::fs::write(&public, pk).map_err(io_err(|| format!("writing {}", public.display())))?;
    Ok((secret, public))
}

/// Writes `<dir>.tar.gz` holding the bundle under its directory name, deterministically: sorted
/// entries, zero mtimes, fixed modes and owners. Written atomically ([`fsx::write_atomic`]).
pub fn archive(dir: &Path) -> Result<PathBuf> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::NoName {
            dir: dir.to_path_buf(),
        })?;
    let target = dir.with_file_name(format!("{name}.tar.gz"));
    let mut files = Vec::new();
    walk(dir, dir, &mut files)?;
    files.sort();
    // Built in memory (a bundle is a few megabytes at most), then written atomically.
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for rel in &files {
        let bytes = std::fs::read(dir.join(rel)).map_err(io_err(|| format!("reading {rel}")))?;
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_cksum();
        tar.append_data(&mut header, format!("{name}/{rel}"), bytes.as_slice())
            .map_err(io_err(|| format!("archiving {rel}")))?;
    }
    let bytes = tar
        .into_inner()
        .and_then(flate2::write::GzEncoder::finish)
        .map_err(io_err(|| "finishing the archive".to_owned()))?;
    fsx::write_atomic(&target, &bytes)?;
    Ok(target)
}

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Verification {
    pub altered: Vec<String>,
    pub missing: Vec<String>,
    pub added: Vec<String>,
    /// Problems with the manifest or `SHA256SUMS` themselves.
    pub other: Vec<String>,
    /// How many files `SHA256SUMS` lists.
    pub listed: usize,
    /// Whether the bundle carries `manifest.json.minisig`.
    pub signed: bool,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.altered.is_empty()
            && self.missing.is_empty()
            && self.added.is_empty()
            && self.other.is_empty()
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    let reading = || format!("reading {}", dir.display());
    for entry in std::fs::read_dir(dir).map_err(io_err(reading))? {
        let path = entry.map_err(io_err(reading))?.path();
        if path.is_dir() {
            walk(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// A bundle as `verify` reads it: every file's bytes by bundle-relative path.
type Contents = BTreeMap<String, Vec<u8>>;

/// Reads the bundle directory `dir` into memory (a bundle is a few megabytes at most).
fn read_bundle_dir(dir: &Path) -> Result<Contents> {
    let mut rels = Vec::new();
    walk(dir, dir, &mut rels)?;
    let mut files = Contents::new();
    for rel in rels {
        let bytes = std::fs::read(dir.join(&rel)).map_err(io_err(|| format!("reading {rel}")))?;
        files.insert(rel, bytes);
    }
    Ok(files)
}

/// Reads the archive `audit --archive` wrote (`NAME.tar.gz` holding `NAME/…`) into memory,
/// nothing extracted: every member must be a regular file (or a directory) below the one
/// top-level directory, its path made of plain names only — a member with `..`, an absolute
/// path, a link or a device is refused, naming it. So is a member larger than
/// [`MAX_MEMBER`] and an archive whose members add up to more than [`MAX_TOTAL`] (a gzip bomb).
fn read_archive(path: &Path) -> Result<Contents> {
    read_archive_within(path, MAX_MEMBER, MAX_TOTAL)
}

/// The largest archive member `evidence verify` reads: 256 MiB.
pub const MAX_MEMBER: u64 = 256 << 20;
/// The most an archive's members may add up to: 1 GiB.
pub const MAX_TOTAL: u64 = 1 << 30;

/// `256 MiB`, or `10 bytes` below a MiB.
fn size(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

fn read_archive_within(path: &Path, max_member: u64, max_total: u64) -> Result<Contents> {
    let file =
        std::fs::File::open(path).map_err(io_err(|| format!("reading {}", path.display())))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(std::io::BufReader::new(file)));
    let not_archive = |e: std::io::Error| Error::Io {
        what: format!("reading {} as a .tar.gz archive", path.display()),
        source: e,
    };
    let refuse = |member: &str, why: &str| {
        Error::Archive(format!(
            "{}: member `{member}` {why}: refused (nothing was extracted)",
            path.display()
        ))
    };
    let mut top: Option<String> = None;
    let mut files = Contents::new();
    let mut total = 0u64;
    for entry in tar.entries().map_err(not_archive)? {
        let mut entry = entry.map_err(not_archive)?;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let mut parts = Vec::new();
        for c in Path::new(&raw).components() {
            match c {
                std::path::Component::Normal(n) => parts.push(n.to_string_lossy().into_owned()),
                std::path::Component::CurDir => {}
                _ => return Err(refuse(&raw, "is outside the bundle")),
            }
        }
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            continue;
        }
        if !(kind.is_file() || kind == tar::EntryType::Continuous) {
            return Err(refuse(&raw, "is not a regular file"));
        }
        let Some((first, rest)) = parts.split_first().filter(|(_, r)| !r.is_empty()) else {
            return Err(refuse(&raw, "is not inside the bundle's directory"));
        };
        match &top {
            Some(t) if t != first => {
                return Err(refuse(
                    &raw,
                    &format!("is not inside the bundle's directory `{t}`"),
                ));
            }
            Some(_) => {}
            None => top = Some(first.clone()),
        }
        let rel = rest.join("/");
        let mut bytes = Vec::new();
        // The header's size is not trusted: at most one byte past the limit is read.
        std::io::Read::read_to_end(
            &mut std::io::Read::take(&mut entry, max_member + 1),
            &mut bytes,
        )
        .map_err(not_archive)?;
        if bytes.len() as u64 > max_member {
            return Err(refuse(
                &raw,
                &format!("is larger than {}", size(max_member)),
            ));
        }
        total += bytes.len() as u64;
        if total > max_total {
            return Err(Error::Archive(format!(
                "{}: its members add up to more than {}: refused (nothing was extracted)",
                path.display(),
                size(max_total)
            )));
        }
        if files.insert(rel, bytes).is_some() {
            return Err(refuse(&raw, "appears twice"));
        }
    }
    Ok(files)
}

/// Recomputes every hash of the bundle at `path` — a bundle directory, or the `.tar.gz` archive
/// `audit --archive` writes (read in memory, never extracted) — and with `pubkey` checks the
/// manifest's signature.
pub fn verify(path: &Path, pubkey: Option<&Path>) -> Result<Verification> {
    // A file is an archive; anything else is read as a bundle directory.
    let files = if path.is_file() {
        read_archive(path)?
    } else {
        if path.join(INCOMPLETE).exists() {
            return Err(Error::Incomplete {
                dir: path.to_path_buf(),
            });
        }
        read_bundle_dir(path)?
    };
    if files.contains_key(INCOMPLETE) {
        return Err(Error::Incomplete {
            dir: path.to_path_buf(),
        });
    }
    let manifest_path = if path.is_file() {
        PathBuf::from(format!("{MANIFEST} (in {})", path.display()))
    } else {
        path.join(MANIFEST)
    };
    let text = match files.get(MANIFEST) {
        Some(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        None => {
            return Err(Error::NoManifest {
                path: path.to_path_buf(),
            });
        }
    };
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| Error::Manifest {
        path: manifest_path.clone(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let mut v = Verification::default();
    for (rel, want) in &manifest.files {
        match files.get(rel) {
            Some(bytes) if sha256(bytes) == *want => {}
            Some(_) => v.altered.push(rel.clone()),
            None => v.missing.push(rel.clone()),
        }
    }
    for rel in files.keys() {
        if rel != MANIFEST && rel != SUMS && rel != SIGNATURE && !manifest.files.contains_key(rel) {
            v.added.push(rel.clone());
        }
    }
    // SHA256SUMS must agree with the manifest and pin the manifest itself.
    match files.get(SUMS) {
        Some(sums) => {
            let sums = String::from_utf8_lossy(sums);
            v.listed = sums.lines().count();
            let listed: BTreeMap<&str, &str> = sums
                .lines()
                .filter_map(|l| l.split_once("  ").map(|(h, f)| (f, h)))
                .collect();
            if listed.get(MANIFEST) != Some(&sha256(text.as_bytes()).as_str()) {
                v.other
                    .push(format!("{MANIFEST} does not match its line in {SUMS}"));
            }
            for (rel, sha) in &manifest.files {
                if listed.get(rel.as_str()) != Some(&sha.as_str()) {
                    v.other
                        .push(format!("{SUMS} disagrees with {MANIFEST} about {rel}"));
                }
            }
        }
        None => v.missing.push(SUMS.to_owned()),
    }
    v.signed = files.contains_key(SIGNATURE);
    if let Some(pk_path) = pubkey {
        let pk_text = std::fs::read_to_string(pk_path)
            .map_err(io_err(|| format!("reading {}", pk_path.display())))?;
        let pk = minisign::PublicKeyBox::from_string(&pk_text)
            .and_then(|b| b.into_public_key())
            .map_err(|e| {
                Error::Key(format!(
                    "{}: not a minisign public key ({e})",
                    pk_path.display()
                ))
            })?;
        match files.get(SIGNATURE) {
            None => v
                .other
                .push(format!("{SIGNATURE} is missing: the bundle is not signed")),
            Some(sig) => {
                let ok = minisign::SignatureBox::from_string(&String::from_utf8_lossy(sig))
                    .and_then(|b| {
                        minisign::verify(
                            &pk,
                            &b,
                            std::io::Cursor::new(text.as_bytes()),
                            true,
                            false,
                            false,
                        )
                    })
                    .is_ok();
                if !ok {
                    v.other.push(format!(
                        "the signature in {SIGNATURE} does not verify with {}",
                        pk_path.display()
                    ));
                }
            }
        }
    }
    v.altered.sort();
    v.missing.sort();
    v.added.sort();
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `.tar.gz` of `b/NAME` members.
    fn archive_of(dir: &Path, members: &[(&str, &[u8])]) -> PathBuf {
        let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let mut b = tar::Builder::new(gz);
        for (name, bytes) in members {
            let mut h = tar::Header::new_gnu();
            h.set_size(bytes.len() as u64);
            h.set_mode(0o644);
            b.append_data(&mut h, format!("b/{name}"), *bytes)
                .expect("append");
        }
        let bytes = b.into_inner().expect("tar").finish().expect("gzip");
        let path = dir.join("b.tar.gz");
        std::fs::write(&path, bytes).expect("write");
        path
    }

    #[test]
    fn archive_members_are_capped_one_by_one_and_together() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = archive_of(tmp.path(), &[("a", b"0123456789"), ("c", b"0123456789x")]);
        let err = read_archive_within(&path, 10, 100).expect_err("too large");
        assert_eq!(
            err.to_string(),
            format!(
                "{}: member `b/c` is larger than 10 bytes: refused (nothing was extracted)",
                path.display()
            )
        );
        let err = read_archive_within(&path, 11, 20).expect_err("too much");
        assert_eq!(
            err.to_string(),
            format!(
                "{}: its members add up to more than 20 bytes: refused (nothing was extracted)",
                path.display()
            )
        );
        let files = read_archive_within(&path, 11, 21).expect("within");
        assert_eq!(files.len(), 2);
        assert_eq!((MAX_MEMBER, MAX_TOTAL), (256 << 20, 1 << 30));
        assert_eq!(size(MAX_MEMBER), "256 MiB");
    }

    #[test]
    fn an_archive_without_or_with_a_broken_manifest_says_so() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = archive_of(tmp.path(), &[("report.md", b"x")]);
        let err = verify(&path, None).expect_err("no manifest");
        assert_eq!(
            err.to_string(),
            format!(
                "{}: missing: manifest.json (not an evidence bundle, or its manifest was removed)",
                path.display()
            )
        );
        let path = archive_of(tmp.path(), &[("manifest.json", b"{,")]);
        let err = verify(&path, None).expect_err("broken manifest");
        assert!(
            err.to_string().starts_with(&format!(
                "manifest.json (in {}):1:2: not a clerk-drift manifest: ",
                path.display()
            )),
            "{err}"
        );
        // A directory without one.
        let dir = tmp.path().join("d");
        std::fs::create_dir(&dir).expect("mkdir");
        let err = verify(&dir, None).expect_err("no manifest");
        assert_eq!(
            err.to_string(),
            format!(
                "{}: missing: manifest.json (not an evidence bundle, or its manifest was removed)",
                dir.display()
            )
        );
    }
}
