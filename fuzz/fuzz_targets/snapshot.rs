//! See `clerk_drift::fuzzing::snapshot_file`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| clerk_drift::fuzzing::snapshot_file(data));
