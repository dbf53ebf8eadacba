//! Attestation files, applied to the example snapshot.
#![no_main]

use std::sync::LazyLock;

use clerk_drift::{fuzzing, snapshot::Snapshot};
use libfuzzer_sys::fuzz_target;

static SNAPSHOT: LazyLock<Snapshot> = LazyLock::new(fuzzing::example_snapshot);

fuzz_target!(|data: &[u8]| fuzzing::attestations(data, &SNAPSHOT));
