//! Invariants, checked on many generated variations of the shipped examples:
//! normalization ignores list order, diff(a, a) is empty, and a snapshot survives
//! render → parse → render byte for byte; `fix`'s patch restores what it says and writes only
//! what a step names.
//!
//! Every run draws the same cases (a fixed seed): a test run — CI's included — is reproducible,
//! never a lottery. To explore further, set proptest's own variables: `PROPTEST_RNG_SEED` (any
//! number) and `PROPTEST_CASES`; keep a failure's seed in `tests/proptest-regressions/`.

use clerk_drift::diff::diff;
use clerk_drift::recording::endpoints::PLATFORM_CONFIG;
use clerk_drift::recording::{LAYOUT, Recording};
use clerk_drift::remedy::merge;
use clerk_drift::snapshot::normalize::platform;
use clerk_drift::snapshot::{self, io};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use serde_json::Value;

use crate::common::*;

/// The seed every run draws its cases from, unless `PROPTEST_RNG_SEED` says otherwise.
const SEED: u64 = 0x00c1_e4c0_d41f;

/// `cases` cases from [`SEED`]; proptest's `PROPTEST_CASES` and `PROPTEST_RNG_SEED` override
/// them (`ProptestConfig::default()` reads them). Rejected pairs may be many when exploring with
/// many cases: the reject budget grows with the case count (unless
/// `PROPTEST_MAX_GLOBAL_REJECTS` sets it).
fn config(cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(SEED);
    }
    if std::env::var_os("PROPTEST_MAX_GLOBAL_REJECTS").is_none() {
        config.max_global_rejects = config
            .max_global_rejects
            .max(config.cases.saturating_mul(8));
    }
    config
}

fn recording(files: &[(std::path::PathBuf, Value)]) -> Recording {
    let mut rec = Recording::new("generated");
    for (rel, body) in files {
        let rel = rel.to_str().expect("utf-8").replace('\\', "/");
        let endpoint = LAYOUT.iter().find(|e| e.file == rel).expect("layout file");
        rec.insert(endpoint, body.clone(), std::path::Path::new(&rel))
            .expect("valid body");
    }
    rec
}

/// Shuffles every array in place with a seeded generator (Fisher–Yates over a xorshift).
fn shuffle_all(files: &mut [(std::path::PathBuf, Value)], mut seed: u64) {
    seed |= 1;
    for (_, body) in files.iter_mut() {
        map_arrays(body, &mut |items| {
            for i in (1..items.len()).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                items.swap(i, (seed % (i as u64 + 1)) as usize);
            }
        });
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn normalization_ignores_list_order(seed in any::<u64>(), drifted in any::<bool>()) {
        let name = if drifted { "acme-prod-drifted" } else { "acme-prod" };
        let files = json_files(&example(name));
        let expected = io::to_canonical(&snapshot::normalize(&recording(&files)).expect("normalizes")).expect("renders");
        let mut shuffled = files.clone();
        shuffle_all(&mut shuffled, seed);
        let got = io::to_canonical(&snapshot::normalize(&recording(&shuffled)).expect("normalizes")).expect("renders");
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn diff_of_a_snapshot_with_itself_is_empty_and_rendering_round_trips(
        keep in proptest::collection::vec(any::<bool>(), LAYOUT.len()),
        drifted in any::<bool>(),
    ) {
        // Any subset of the recording's files is a valid (partially observed) recording.
        let name = if drifted { "acme-prod-drifted" } else { "acme-prod" };
        let files: Vec<_> = json_files(&example(name))
            .into_iter()
            .filter(|(rel, _)| {
                let i = LAYOUT.iter().position(|e| std::path::Path::new(e.file) == rel.as_path()).expect("layout file");
                keep[i]
            })
            .collect();
        prop_assume!(!files.is_empty());
        let snap = snapshot::normalize(&recording(&files)).expect("normalizes");
        prop_assert!(diff(&snap, &snap).changes.is_empty());
        let text = io::to_canonical(&snap).expect("renders");
        let parsed = io::from_text(&text, "generated").expect("parses");
        prop_assert_eq!(&parsed, &snap);
        prop_assert_eq!(io::to_canonical(&parsed).expect("renders"), text);
    }
}

static MUTATOR: std::sync::LazyLock<clerk_drift::fuzzing::Mutator> =
    std::sync::LazyLock::new(|| {
        clerk_drift::fuzzing::Mutator::new(
            Recording::load(&example("acme-prod")).expect("the example loads"),
        )
    });

/// A variation of the example recording: the fuzzers' structure-aware edits driven by `bytes`.
fn variation(bytes: &[u8]) -> Option<snapshot::Snapshot> {
    snapshot::normalize(&MUTATOR.mutate(bytes)).ok()
}

proptest! {
    #![proptest_config(config(48))]

    /// Normalizing is a function of the recording alone: again, and after the recording is
    /// written in the layout and read back (`pull --record` → `snapshot --from-dir`), it gives
    /// the same snapshot byte for byte.
    #[test]
    fn normalization_is_idempotent_through_a_written_recording(
        bytes in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let rec = MUTATOR.mutate(&bytes);
        let normalized = snapshot::normalize(&rec);
        // A variation normalize rejects is not a case of this property: counted as rejected.
        prop_assume!(normalized.is_ok());
        let first = io::to_canonical(&normalized.expect("assumed valid")).expect("renders");
        let again = io::to_canonical(&snapshot::normalize(&rec).expect("normalizes again")).expect("renders");
        prop_assert_eq!(&again, &first);
        let dir = tempfile::tempdir().expect("tempdir");
        let written = dir.path().join("rec");
        rec.write(&written).expect("writes");
        let reloaded = Recording::load(&written).expect("reloads");
        let through = io::to_canonical(&snapshot::normalize(&reloaded).expect("normalizes")).expect("renders");
        prop_assert_eq!(through, first);
    }

    /// Accepting drift makes it go away: after `baseline accept` of b over a, diff(baseline, b)
    /// is empty; accepting only some paths leaves exactly the others.
    #[test]
    fn accepted_drift_diffs_empty(bytes in proptest::collection::vec(any::<u8>(), 0..256), take in any::<u64>()) {
        let a = clerk_drift::fuzzing::example_snapshot();
        let b = variation(&bytes);
        prop_assume!(b.is_some());
        let b = b.expect("assumed valid");
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("baseline.json");
        std::fs::write(&path, io::to_canonical(&a).expect("renders")).expect("writes");
        let drift = diff(&a, &b);
        // A subset of the changed paths first, then everything.
        let some: Vec<String> = drift.changes.iter().enumerate()
            .filter(|(i, _)| take >> (i % 64) & 1 == 1)
            .map(|(_, c)| c.path.to_string())
            // `--path` takes globs: a literal `*` in a key would select more than itself.
            .filter(|p| !p.contains('*'))
            .collect();
        let now = jiff::Timestamp::from_second(1_795_000_000).expect("a time");
        if !some.is_empty() {
            clerk_drift::baseline::accept(&path, &b, &some, "proptest", "partial", now).expect("accepts");
            let partial = io::load(&path).expect("loads");
            let left: Vec<String> = diff(&partial, &b).changes.iter().map(|c| c.path.to_string()).collect();
            let expected: Vec<String> = drift.changes.iter().map(|c| c.path.to_string()).filter(|p| !some.contains(p)).collect();
            prop_assert_eq!(left, expected);
        }
        // Accepting everything; refused (and nothing written) when nothing is left to accept.
        let old = io::load(&path).expect("loads");
        let (left, recorded) = (!diff(&old, &b).changes.is_empty(), old.accepted.is_some());
        match clerk_drift::baseline::accept(&path, &b, &[], "proptest", "all", now) {
            Ok(_) => prop_assert!(left || !recorded),
            Err(clerk_drift::baseline::Error::NothingToAccept { .. }) => prop_assert!(!left && recorded),
            Err(e) => panic!("accept failed: {e}"),
        }
        let accepted = io::load(&path).expect("loads");
        prop_assert!(diff(&accepted, &b).changes.is_empty(), "{:?}", diff(&accepted, &b).changes);
    }

    /// The JSON report is canonical JSON (parsing and re-rendering it gives the same bytes) and
    /// carries every change with its before and after values.
    #[test]
    fn json_report_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let a = clerk_drift::fuzzing::example_snapshot();
        let b = variation(&bytes);
        prop_assume!(b.is_some());
        let b = b.expect("assumed valid");
        let drift = diff(&a, &b);
        let text = clerk_drift::report::json::render(&clerk_drift::report::Report {
            command: "diff",
            current: "b.json",
            baseline: Some("a.json"),
            snapshot: &b,
            drift: Some(&drift),
            baseline_snapshot: Some(&a),
            policy: None,
            exit_code: 0,
        });
        let parsed: Value = serde_json::from_str(&text).expect("valid JSON");
        let mut again = serde_json::to_string_pretty(&parsed).expect("renders");
        again.push('\n');
        prop_assert_eq!(&again, &text);
        let entries = parsed["drift"].as_array().expect("drift array");
        prop_assert_eq!(entries.len(), drift.changes.len());
        for (entry, change) in entries.iter().zip(&drift.changes) {
            let path = change.path.to_string();
            prop_assert_eq!(entry["path"].as_str(), Some(path.as_str()));
            prop_assert_eq!(entry.get("before").cloned().unwrap_or(Value::Null), change.before.clone().unwrap_or(Value::Null));
            prop_assert_eq!(entry.get("after").cloned().unwrap_or(Value::Null), change.after.clone().unwrap_or(Value::Null));
        }
    }
}

/// The two shipped example recordings (the other files of a generated pair).
static EXAMPLES: std::sync::LazyLock<[Recording; 2]> = std::sync::LazyLock::new(|| {
    ["acme-prod", "acme-prod-drifted"]
        .map(|name| Recording::load(&example(name)).expect("the example loads"))
});

/// `rec` with its Platform config replaced.
fn with_config(mut rec: Recording, config: &Value) -> Recording {
    rec.remove(PLATFORM_CONFIG.file);
    rec.insert(
        &PLATFORM_CONFIG,
        config.clone(),
        std::path::Path::new(PLATFORM_CONFIG.file),
    )
    .expect("valid body");
    rec
}

/// Every member of a document, as JSON pointers, parents before children.
fn members(v: &Value, ptr: &str, out: &mut Vec<String>) {
    if let Value::Object(o) = v {
        for (k, x) in o {
            let p = format!("{ptr}/{}", k.replace('~', "~0").replace('/', "~1"));
            out.push(p.clone());
            members(x, &p, out);
        }
    }
}

/// A Platform config: the example's (the hardened or the drifted one) with type-preserving edits
/// driven by `bytes`: a boolean flipped, a number changed, a string replaced by another string
/// of the document or emptied, a set of strings cut or grown, a member removed, a provider's
/// block switched on with Clerk's shared credentials.
fn generated_config(drifted: bool, bytes: &[u8]) -> Value {
    let mut config = EXAMPLES[usize::from(drifted)]
        .get(PLATFORM_CONFIG.file)
        .expect("the example has a config")
        .clone();
    let mut strings = Vec::new();
    let mut all = Vec::new();
    members(&config, "", &mut all);
    for p in &all {
        if let Some(Value::String(s)) = config.pointer(p) {
            strings.push(s.clone());
        }
    }
    for pair in bytes.chunks(3) {
        let mut ptrs = Vec::new();
        members(&config, "", &mut ptrs);
        let (Some(&pick), Some(&op)) = (pair.first(), pair.get(1)) else {
            break;
        };
        let arg = pair.get(2).copied().unwrap_or(0);
        if ptrs.is_empty() {
            break;
        }
        let ptr = ptrs[(usize::from(pick) * 7919 + usize::from(arg)) % ptrs.len()].clone();
        let Some(v) = config.pointer_mut(&ptr) else {
            continue;
        };
        match (v.clone(), op % 8) {
            (_, 7) => {
                let (parent, key) = ptr.rsplit_once('/').expect("a member");
                let key = key.replace("~1", "/").replace("~0", "~");
                if let Some(Value::Object(o)) = config.pointer_mut(parent) {
                    o.remove(&key);
                }
            }
            (Value::Bool(b), _) => *v = Value::Bool(!b),
            (Value::Number(_), _) => *v = Value::from(i64::from(arg % 40)),
            (Value::String(_), 0) => *v = Value::from(""),
            (Value::String(_), _) if !strings.is_empty() => {
                *v = Value::from(strings[usize::from(arg) % strings.len()].clone());
            }
            (Value::Array(items), _) if items.iter().all(Value::is_string) => {
                let mut items = items;
                if op % 2 == 0 || strings.is_empty() {
                    items.truncate(usize::from(arg) % (items.len() + 1));
                } else {
                    items.push(Value::from(
                        strings[usize::from(arg) % strings.len()].clone(),
                    ));
                }
                *v = Value::Array(items);
            }
            (Value::Object(mut o), _)
                if ptr.starts_with("/connection_oauth_") && !ptr[1..].contains('/') =>
            {
                o.insert("enabled".into(), Value::Bool(arg % 2 == 0));
                o.insert("client_id".into(), Value::from(""));
                *v = Value::Object(o);
            }
            _ => {}
        }
    }
    config
}

/// A generated recording: one of the examples' other files, with a generated Platform config.
fn generated(drifted: bool, bytes: &[u8]) -> (Recording, Value) {
    let config = generated_config(drifted, bytes);
    (
        with_config(EXAMPLES[usize::from(drifted)].clone(), &config),
        config,
    )
}

/// The changes between two snapshots that concern Platform-sourced settings: what `fix`'s patch
/// must leave none of. Not counted: the config schema (a separate file the patch does not
/// touch), secrets (never in a patch: `fix` says "re-enter in the Dashboard"), and source
/// disagreements (they compare the other APIs' readings, which a Platform config patch does not
/// change).
fn platform_changes(
    target: &snapshot::Snapshot,
    after: &snapshot::Snapshot,
) -> Vec<clerk_drift::diff::Change> {
    let schema = clerk_drift::path::Path::parse("observed.plapi.config_schema").expect("path");
    diff(target, after)
        .changes
        .into_iter()
        .filter(|c| c.kind != clerk_drift::diff::ChangeKind::Disagreement)
        .filter(|c| !c.path.starts_with(&schema))
        .filter(|c| {
            !matches!(c.path.0.last(), Some(clerk_drift::path::Seg::Field(f)) if f == "client_secret")
        })
        .filter(|c| {
            [target, after]
                .iter()
                .any(|s| s.source_of(&c.path) == Some(snapshot::Source::Plapi))
        })
        .collect()
}

proptest! {
    #![proptest_config(config(96))]

    /// `fix`'s promise: for two generated recordings, applying the patch built from their
    /// snapshots to the current recording's Platform config and normalizing gives exactly the
    /// target's Platform-sourced settings. What a merge patch cannot say — a list of objects
    /// (kept keyed, without its key field) or a `null` the target needs (a patch's `null`
    /// deletes) — sets a pair aside; `fix` names those instead of patching them.
    #[test]
    fn the_patch_restores_the_platform_sourced_settings(
        cur_drifted in any::<bool>(),
        cur_edits in proptest::collection::vec(any::<u8>(), 0..48),
        tgt_drifted in any::<bool>(),
        tgt_edits in proptest::collection::vec(any::<u8>(), 0..48),
    ) {
        let (cur_rec, cur_config) = generated(cur_drifted, &cur_edits);
        let (tgt_rec, _) = generated(tgt_drifted, &tgt_edits);
        // An edit Clerk's types do not allow (a string where a known field wants a boolean) is
        // an error of its own test (fuzzing); the pair is set aside.
        let (current, target) = (snapshot::normalize(&cur_rec), snapshot::normalize(&tgt_rec));
        prop_assume!(current.is_ok() && target.is_ok());
        let (Ok(current), Ok(target)) = (current, target) else {
            unreachable!("assumed above")
        };
        let views = [&current, &target].map(|s| platform::view(s).expect("observed"));
        prop_assume!(views.iter().all(|v| v.lists.is_empty()));
        let remedy = clerk_drift::remedy::remedy(&current, &target);
        // What a merge patch truly cannot say: a `null` at a key the current config does not
        // have (a patch's `null` clears a key, it cannot add one). A `null` over a value is in
        // the patch (sent with `--destructive`) and checked here. Keys the target never had
        // (added since) are left as they are on purpose: `fix` lists them.
        prop_assume!(remedy.unwritable.is_empty());
        prop_assume!(remedy.added_since.is_empty());
        let patched = match &remedy.patch {
            Some(p) => merge::apply(&cur_config, p),
            None => cur_config.clone(),
        };
        let text = serde_json::to_string(&remedy.patch).expect("text");
        prop_assert!(!text.contains("\"present\""), "a secret's state in the patch: {}", text);
        let after = snapshot::normalize(&with_config(cur_rec, &patched)).expect("normalizes");
        let left = platform_changes(&target, &after);
        prop_assert!(left.is_empty(), "left after the patch {}: {:#?}", text, left);
    }

    /// `--to policy`: every leaf of the patch is explained by a step that names it (no key is
    /// written that no failing rule asked for).
    #[test]
    fn the_policy_patch_writes_only_what_a_step_names(
        drifted in any::<bool>(),
        edits in proptest::collection::vec(any::<u8>(), 0..48),
    ) {
        use clerk_drift::policy::load::{Judging, Layers, judge};
        let (rec, _) = generated(drifted, &edits);
        let current = snapshot::normalize(&rec);
        prop_assume!(current.is_ok());
        let Ok(current) = current else { unreachable!("assumed above") };
        let policy = Layers { builtin: true, files: Vec::new() }.load().expect("the pack loads");
        let judging = || Judging {
            today: jiff::civil::date(2026, 1, 1),
            threshold: None,
            require_observed: false,
        };
        let now = judge(policy, &current, judging());
        let target = clerk_drift::remedy::target::policy_target(&current, &now.policy, &now.findings);
        let remedy = clerk_drift::remedy::remedy(&current, &target.snapshot);
        let named: Vec<String> = remedy
            .steps
            .iter()
            .flat_map(|s| match &s.how {
                clerk_drift::remedy::How::Patch { fields } => fields.clone(),
                _ => Vec::new(),
            })
            .collect();
        let leaves = remedy.patch.as_ref().map(merge::leaves).unwrap_or_default();
        let text = serde_json::to_string(&remedy.patch).expect("text");
        for leaf in &leaves {
            prop_assert!(
                named.contains(leaf),
                "{} is in the patch {} but no step names it: {:#?}",
                leaf,
                text,
                remedy.steps
            );
        }
    }
}
