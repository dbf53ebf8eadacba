//! Shared helpers: running the binary, copying recordings, walking JSON.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// The day the tests judge expiries by (`CLERK_DRIFT_TODAY`).
pub const TODAY: &str = "2026-11-22";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn example(name: &str) -> PathBuf {
    root().join("examples").join(name)
}

pub fn baseline() -> PathBuf {
    root().join("baselines").join("acme-prod.json")
}

/// The shipped baseline as a plain snapshot, its acceptance record removed: for tests that start
/// a baseline of their own elsewhere (the record's hash chain points into `baselines/history/`,
/// which such a copy does not carry).
pub fn unaccepted_baseline() -> String {
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(baseline()).expect("baseline")).expect("JSON");
    if let Some(o) = v.as_object_mut() {
        o.remove("accepted");
    }
    let mut text = serde_json::to_string_pretty(&v).expect("JSON");
    text.push('\n');
    text
}

/// Runs clerk-drift with `args` in the repository root; never panics on a non-zero exit.
pub fn run(args: &[&str]) -> Output {
    // Time-relative rules (certificate expiry) and waivers are judged as of a fixed day.
    run_on(TODAY, args)
}

/// [`run`], with the tool's clock pinned to `today` (waiver and attestation horizons).
pub fn run_on(today: &str, args: &[&str]) -> Output {
    Command::cargo_bin("clerk-drift")
        .expect("binary builds")
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("CLERK_DRIFT_TODAY", today)
        .args(args)
        .output()
        .expect("binary runs")
}

/// Writes `text` to `dir/name`; returns the path as text, for an argument.
pub fn write_file(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

/// Every JSON file below `dir`, relative path → parsed body.
pub fn json_files(dir: &Path) -> Vec<(PathBuf, Value)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path).expect("readable file");
                let rel = path.strip_prefix(dir).expect("below dir").to_path_buf();
                out.push((rel, serde_json::from_str(&text).expect("valid JSON")));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Writes `files` as a recording under `dir`.
pub fn write_recording(dir: &Path, files: &[(PathBuf, Value)]) {
    for (rel, body) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        std::fs::write(
            &path,
            serde_json::to_string_pretty(body).expect("serializes"),
        )
        .expect("write");
    }
}

/// Applies `f` to every array in a JSON tree, depth first.
pub fn map_arrays(v: &mut Value, f: &mut dyn FnMut(&mut Vec<Value>)) {
    match v {
        Value::Array(items) => {
            for item in items.iter_mut() {
                map_arrays(item, f);
            }
            f(items);
        }
        Value::Object(map) => {
            for item in map.values_mut() {
                map_arrays(item, f);
            }
        }
        _ => {}
    }
}

/// Clerk environment variables a developer's shell may carry: cleared for every live run.
pub const CLERK_VARS: &[&str] = &[
    "CLERK_PUBLISHABLE_KEY",
    "CLERK_SECRET_KEY",
    "CLERK_SECRET_KEY_FILE",
    "CLERK_PLATFORM_API_KEY",
    "CLERK_PLATFORM_API_KEY_FILE",
    "CLERK_APPLICATION_ID",
    "CLERK_FRONTEND_API_URL",
    "CLERK_BACKEND_API_URL",
    "CLERK_PLATFORM_API_URL",
];

/// The publishable key of the fake production instance (`clerk.acme.test`).
pub const PUBLISHABLE_KEY: &str = "pk_live_Y2xlcmsuYWNtZS50ZXN0JA";

/// clerk-drift against the fake Clerk at `uri`, with all three credentials, in `cwd`.
pub fn live(uri: &str, cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("clerk-drift").expect("binary builds");
    cmd.current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("CLERK_DRIFT_TODAY", TODAY);
    for var in CLERK_VARS {
        cmd.env_remove(var);
    }
    cmd.env("CLERK_DRIFT_NO_KEYRING", "1")
        .env("CLERK_PUBLISHABLE_KEY", PUBLISHABLE_KEY)
        .env("CLERK_SECRET_KEY", crate::fake::SECRET_KEY)
        .env("CLERK_PLATFORM_API_KEY", crate::fake::PLATFORM_KEY)
        .env("CLERK_APPLICATION_ID", crate::fake::APP)
        .env("CLERK_FRONTEND_API_URL", uri)
        .env("CLERK_BACKEND_API_URL", uri)
        .env("CLERK_PLATFORM_API_URL", uri);
    cmd
}

pub fn output(cmd: &mut Command) -> Output {
    cmd.output().expect("binary runs")
}

/// The arguments of the README's main job: plan the drifted example against the shipped baseline.
pub const PLAN_DRIFTED: [&str; 5] = [
    "plan",
    "--snapshot",
    "examples/acme-prod-drifted",
    "--baseline",
    "baselines/acme-prod.json",
];

/// Runs the README's main job with `extra` arguments (e.g. `--format json`).
pub fn plan_drifted(extra: &[&str]) -> Output {
    let args: Vec<&str> = PLAN_DRIFTED.iter().chain(extra).copied().collect();
    run(&args)
}

/// A snapshot without the one volatile field a pull adds (`meta.collected_at`).
pub fn comparable(text: &str) -> Value {
    let mut v: Value = serde_json::from_str(text).expect("snapshot JSON");
    if let Some(meta) = v.get_mut("meta").and_then(Value::as_object_mut) {
        meta.remove("collected_at");
    }
    v
}
