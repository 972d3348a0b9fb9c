//! Parses the input as a datagram; on success walks every typed view,
//! validates, serializes and checks that the serialized form parses back
//! to an equal message.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    geosip_fuzz::exercise_datagram(data);
});
