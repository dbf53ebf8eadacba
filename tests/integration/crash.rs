//! Crash safety: `baseline accept` and `audit` killed with SIGKILL at spread-out moments of their
//! run never leave a corrupt result, and a full disk, a read-only filesystem or a directory the
//! user may not write end in a clear error with nothing lost.
//!
//! The last two need root (tmpfs mounts, switching to `nobody`): they are `#[ignore]`d in a
//! plain `cargo test`, `.ci/run` runs them with `--ignored`, and run without root they fail.
//!
//! `CLERK_DRIFT_KILL_ITERATIONS` sets the kills per command (default 30; `scripts/kill-loop` runs
//! more). Each prints a table row for docs/reliability.md.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{TODAY, code, example, root, stderr, stdout};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("clerk-drift")
}

fn cmd(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("USER", "crash-test")
        .env("CLERK_DRIFT_TODAY", TODAY)
        .args(args);
    c
}

fn iterations() -> u32 {
    std::env::var("CLERK_DRIFT_KILL_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30)
}

/// Kill moments spread over `span`, shuffled a little (xorshift) so they are not a grid.
fn moments(n: u32, span: Duration) -> Vec<Duration> {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    (0..n)
        .map(|i| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let jitter = (seed % 1000) as f64 / 1000.0;
            span.mul_f64((f64::from(i) + jitter) / f64::from(n.max(1)))
        })
        .collect()
}

/// Runs `args` in `dir` and kills it after `after` (if it is still running); true if killed.
fn run_and_kill(dir: &Path, args: &[&str], after: Duration) -> bool {
    let mut child = cmd(dir, args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + after;
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return true;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// How long an uninterrupted run takes (the span the kills are spread over).
fn duration_of(dir: &Path, args: &[&str]) -> Duration {
    let t = Instant::now();
    let o = cmd(dir, args).output().expect("runs");
    assert!(
        [0, 2, 4, 6].contains(&code(&o)),
        "{args:?}: {}{}",
        stdout(&o),
        stderr(&o)
    );
    t.elapsed()
}

#[test]
fn a_killed_baseline_accept_never_leaves_a_torn_baseline_or_a_broken_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let good = example("acme-prod").display().to_string();
    let drifted = example("acme-prod-drifted").display().to_string();
    let accept = |snap: &str, reason: String| -> Vec<String> {
        [
            "baseline",
            "accept",
            "--snapshot",
            snap,
            "--baseline",
            "b.json",
            "--reason",
            &reason,
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let first = accept(&good, "r0".into());
    let first: Vec<&str> = first.iter().map(String::as_str).collect();
    let span = duration_of(d, &first);
    let n = iterations();
    let (mut killed, mut corrupt) = (0, 0);
    for (i, at) in moments(n, span * 2).into_iter().enumerate() {
        let snap = if i % 2 == 0 { &drifted } else { &good };
        let args = accept(snap, format!("r{}", i + 1));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        killed += u32::from(run_and_kill(d, &args, at));
        let o = cmd(d, &["baseline", "verify", "--baseline", "b.json"])
            .output()
            .expect("runs");
        if code(&o) != 0 {
            corrupt += 1;
            eprintln!("after kill #{i} at {at:?}: {}{}", stdout(&o), stderr(&o));
        }
    }
    eprintln!(
        "| `baseline accept` | {n} | {killed} | {corrupt} |  (kills spread over 0–{:.0} ms)",
        (span * 2).as_secs_f64() * 1000.0
    );
    assert_eq!(corrupt, 0, "torn baselines or broken chains");
    assert!(
        killed > 0,
        "no run was interrupted: the kill moments missed"
    );
}

/// A bundle directory is whole and verifies, or carries the INCOMPLETE marker and does not.
fn bundle_is_consistent(d: &Path, bundle: &Path) -> Result<(), String> {
    let o = cmd(d, &["evidence", "verify", &bundle.display().to_string()])
        .output()
        .expect("runs");
    let marked = bundle.join("INCOMPLETE").exists();
    match (marked, code(&o)) {
        (false, 0) => Ok(()),
        (true, c) if c != 0 && stderr(&o).contains("incomplete evidence bundle") => Ok(()),
        (m, c) => Err(format!(
            "{}: marked incomplete: {m}, verify exit {c}: {}{}",
            bundle.display(),
            stdout(&o),
            stderr(&o)
        )),
    }
}

#[test]
fn a_killed_audit_leaves_no_bundle_that_passes_verification_unless_it_is_complete() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let snap = example("acme-prod-drifted").display().to_string();
    let baseline = root()
        .join("baselines/acme-prod.json")
        .display()
        .to_string();
    let audit = |out: &str| -> Vec<String> {
        [
            "audit",
            "--snapshot",
            &snap,
            "--baseline",
            &baseline,
            "--out",
            out,
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let probe = audit("probe");
    let span = duration_of(d, &probe.iter().map(String::as_str).collect::<Vec<_>>());
    let n = iterations();
    let (mut killed, mut corrupt, mut complete) = (0, 0, 0);
    for (i, at) in moments(n, span * 2).into_iter().enumerate() {
        let out = format!("bundle-{i}");
        let args = audit(&out);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        killed += u32::from(run_and_kill(d, &args, at));
        let bundle = d.join(&out);
        if bundle.exists() {
            match bundle_is_consistent(d, &bundle) {
                Ok(()) if !bundle.join("INCOMPLETE").exists() => complete += 1,
                Ok(()) => {}
                Err(e) => {
                    corrupt += 1;
                    eprintln!("after kill #{i} at {at:?}: {e}");
                }
            }
        }
    }
    // Temporary directories of interrupted runs are marked incomplete too.
    for entry in std::fs::read_dir(d).expect("ls").filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(".clerk-drift-evidence")
            && let Err(e) = bundle_is_consistent(d, &entry.path())
        {
            corrupt += 1;
            eprintln!("left behind: {e}");
        }
        // A run killed before its marker was written leaves at most an empty staging directory,
        // which cannot pass verification.
        if name.starts_with(".clerk-drift-staging-evidence") {
            let left: Vec<String> = std::fs::read_dir(entry.path())
                .expect("ls")
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            let o = cmd(
                d,
                &["evidence", "verify", &entry.path().display().to_string()],
            )
            .output()
            .expect("runs");
            if !(left.is_empty() || left == ["INCOMPLETE"]) || code(&o) == 0 {
                corrupt += 1;
                eprintln!(
                    "left behind: {name} holds {left:?}, verify exit {}",
                    code(&o)
                );
            }
        }
    }
    eprintln!(
        "| `audit --out` | {n} | {killed} | {corrupt} |  ({complete} complete bundles; kills spread over 0–{:.0} ms)",
        (span * 2).as_secs_f64() * 1000.0
    );
    assert_eq!(corrupt, 0, "an interrupted bundle passed verification");
    assert!(
        killed > 0,
        "no run was interrupted: the kill moments missed"
    );
}

/// Runs `script` in a private mount namespace (`unshare -m`), where it may mount a tmpfs.
/// Panics, naming the cause, when this machine does not allow it.
fn in_namespace(script: &str) -> std::process::Output {
    let probe = Command::new("unshare")
        .args(["-m", "sh", "-c", "mount -t tmpfs tmpfs /mnt"])
        .output()
        .expect("needs `unshare` (util-linux)");
    assert!(
        probe.status.success(),
        "needs `unshare -m` and tmpfs mounts (root): {}",
        String::from_utf8_lossy(&probe.stderr)
    );
    Command::new("unshare")
        .args(["-m", "sh", "-c", script])
        .output()
        .expect("unshare runs")
}

/// The root-only tests run from `.ci/run`; anywhere else they are ignored, and run as another
/// user they fail here instead of passing without having checked anything.
fn require_root() {
    assert!(
        is_root(),
        "this test needs root (run it from .ci/run, or with sudo): it did NOT check anything"
    );
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[test]
#[ignore = "needs root: mounts a full and a read-only tmpfs in a private mount namespace; run by .ci/run"]
fn a_full_disk_or_read_only_filesystem_gives_a_clear_error_and_loses_nothing() {
    require_root();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let mnt = d.join("mnt");
    std::fs::create_dir(&mnt).expect("mkdir");
    let prev = root().join("baselines/acme-prod.json");
    let drifted = example("acme-prod-drifted");
    let q = |p: &Path| shell_quote(&p.display().to_string());
    let commands: [(&str, String); 3] = [
        (
            "snapshot -o",
            format!("snapshot --from-dir {} -o {}/s.json", q(&drifted), q(&mnt)),
        ),
        (
            "baseline accept",
            format!(
                "baseline accept --snapshot {} --baseline {}/b.json --reason disk",
                q(&drifted),
                q(&mnt)
            ),
        ),
        (
            "audit --out",
            format!(
                "audit --snapshot {} --baseline {}/b.json --out {}/bundle",
                q(&drifted),
                q(&mnt),
                q(&mnt)
            ),
        ),
    ];
    let cases = [
        (
            "full disk",
            "dd if=/dev/zero of=\"$M/fill\" bs=4k 2>/dev/null || true",
            "No space left on device",
        ),
        (
            "read-only filesystem",
            "mount -o remount,ro \"$M\"",
            "Read-only file system",
        ),
    ];
    for (case, prepare, cause) in cases {
        for (name, args) in &commands {
            let out = d.join("out");
            let _ = std::fs::remove_dir_all(&out);
            std::fs::create_dir(&out).expect("mkdir");
            let script = format!(
                "set -e; M={m}; O={o}; mount -t tmpfs -o size=512k tmpfs \"$M\"; cp {prev} \"$M/b.json\"; \
                 {prepare}; set +e; {bin} {args} >\"$O/stdout\" 2>\"$O/stderr\"; echo $? >\"$O/rc\"; \
                 cp \"$M/b.json\" \"$O/after.json\"; ls -A \"$M\" >\"$O/ls\"",
                m = q(&mnt),
                o = q(&out),
                prev = q(&prev),
                bin = q(&bin()),
            );
            let o = in_namespace(&script);
            assert!(
                o.status.success(),
                "{case} × {name}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap_or_default();
            let what = format!("{case} × {name}");
            assert_eq!(read("rc").trim(), "1", "{what}: {}", read("stderr"));
            let err = read("stderr");
            assert!(
                err.contains(cause),
                "{what}: the error does not name the cause: {err}"
            );
            assert!(
                err.contains("mnt/"),
                "{what}: the error does not name the file: {err}"
            );
            assert_eq!(
                std::fs::read(out.join("after.json")).expect("baseline copied out"),
                std::fs::read(&prev).expect("baseline"),
                "{what}: the baseline changed"
            );
            let left: Vec<String> = read("ls")
                .lines()
                .filter(|l| !["b.json", "fill"].contains(l))
                .map(str::to_owned)
                .collect();
            assert!(left.is_empty(), "{what}: left {left:?}");
            eprintln!(
                "| {case} | `{name}` | exit 1: {} |",
                err.lines().next().unwrap_or_default()
            );
        }
    }
}

#[test]
#[ignore = "needs root: switches to `nobody` with setpriv, as root writes anywhere; run by .ci/run"]
fn a_directory_the_user_may_not_write_gives_a_clear_error() {
    require_root();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let locked = d.join("locked");
    std::fs::create_dir(&locked).expect("mkdir");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for p in [d, locked.as_path()] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
    }
    let drifted = example("acme-prod-drifted").display().to_string();
    let target = locked.join("s.json").display().to_string();
    let o = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(bin())
        .args(["snapshot", "--from-dir", &drifted, "-o", &target])
        .current_dir(d)
        .output()
        .expect("needs setpriv (util-linux)");
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("Permission denied"), "{err}");
    assert!(err.contains("locked"), "names the directory: {err}");
    assert_eq!(std::fs::read_dir(&locked).expect("ls").count(), 0);
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
