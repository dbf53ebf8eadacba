//! Invariants, checked on many generated variations of the shipped examples:
//! normalization ignores list order, diff(a, a) is empty, and a snapshot survives
//! render → parse → render byte for byte.

use clerk_drift::diff::diff;
use clerk_drift::recording::{LAYOUT, Recording};
use clerk_drift::snapshot::{self, io};
use proptest::prelude::*;
use serde_json::Value;

use crate::common::*;

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
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

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
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

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
