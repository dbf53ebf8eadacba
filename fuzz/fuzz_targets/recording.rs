//! Structure-aware: edits of the example's recorded Clerk responses, normalized and evaluated.
#![no_main]

use std::sync::LazyLock;

use clerk_drift::fuzzing;
use clerk_drift::recording::Recording;
use clerk_drift::snapshot::Snapshot;
use libfuzzer_sys::fuzz_target;

static MUTATOR: LazyLock<fuzzing::Mutator> = LazyLock::new(|| {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/acme-prod");
    fuzzing::Mutator::new(
        Recording::load(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())),
    )
});
static SNAPSHOT: LazyLock<Snapshot> = LazyLock::new(fuzzing::example_snapshot);

fuzz_target!(|data: &[u8]| fuzzing::recording(data, &MUTATOR, &SNAPSHOT));
