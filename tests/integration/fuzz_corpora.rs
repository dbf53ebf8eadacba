//! Replays every kept fuzz input — the minimized corpora in `fuzz/corpus/TARGET/` and the inputs
//! that once crashed a target in `fuzz/regressions/TARGET/` — through the same functions the
//! fuzz targets run (`clerk_drift::fuzzing`). A panic fails the test and names the file.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use clerk_drift::fuzzing;
use clerk_drift::recording::Recording;
use clerk_drift::snapshot::Snapshot;

use crate::common::*;

static SNAPSHOT: LazyLock<Snapshot> = LazyLock::new(fuzzing::example_snapshot);
static MUTATOR: LazyLock<fuzzing::Mutator> = LazyLock::new(|| {
    fuzzing::Mutator::new(Recording::load(&example("acme-prod")).expect("the example loads"))
});

/// Every fuzz target with what it runs; `fuzz/fuzz_targets/` has one file per name.
type Target = fn(&[u8]);

const TARGETS: &[(&str, Target)] = &[
    ("policy", |d| fuzzing::policy(d, &SNAPSHOT)),
    ("attestations", |d| fuzzing::attestations(d, &SNAPSHOT)),
    ("snapshot", fuzzing::snapshot_file),
    ("recording", |d| fuzzing::recording(d, &MUTATOR, &SNAPSHOT)),
    ("publishable_key", fuzzing::publishable_key),
    ("duration", fuzzing::duration),
    ("config", fuzzing::config),
    ("list_page", fuzzing::list_page),
];

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.is_file());
    files.sort();
    files
}

#[test]
fn every_fuzz_target_is_replayed_here() {
    let dir = root().join("fuzz/fuzz_targets");
    let mut on_disk: Vec<String> = inputs(&dir)
        .iter()
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_owned()))
        .collect();
    on_disk.sort();
    let mut here: Vec<String> = TARGETS.iter().map(|(n, _)| (*n).to_owned()).collect();
    here.sort();
    assert_eq!(on_disk, here);
}

#[test]
fn kept_fuzz_inputs_replay_without_panics() {
    let mut replayed = 0;
    for (name, run) in TARGETS {
        let corpus = inputs(&root().join("fuzz/corpus").join(name));
        assert!(!corpus.is_empty(), "fuzz/corpus/{name} is empty");
        let regressions = inputs(&root().join("fuzz/regressions").join(name));
        for file in corpus.iter().chain(&regressions) {
            let data = std::fs::read(file).expect("readable");
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{} panicked", file.display());
            replayed += 1;
        }
    }
    assert!(replayed >= TARGETS.len());
}
