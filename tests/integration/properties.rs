//! Invariants, checked on many generated variations of the shipped examples:
//! normalization ignores list order, diff(a, a) is empty, and a snapshot survives
//! render → parse → render byte for byte.

use clerk_drift::diff::diff;
use clerk_drift::snapshot::{self, Recording, io, recording::LAYOUT};
use proptest::prelude::*;
use serde_json::Value;

use crate::common::*;

fn recording(files: &[(std::path::PathBuf, Value)]) -> Recording {
    let mut rec = Recording {
        origin: "generated".into(),
        ..Recording::default()
    };
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
