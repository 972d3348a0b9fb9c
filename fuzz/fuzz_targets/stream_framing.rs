//! Feeds the input (after a first byte that picks the flow role, the limits
//! and the chunking) to a `StreamFramer`, and checks that the frames do not
//! depend on the chunking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    geosip_fuzz::exercise_stream(data);
});
