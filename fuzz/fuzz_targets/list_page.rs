//! See `clerk_drift::fuzzing::list_page`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| clerk_drift::fuzzing::list_page(data));
