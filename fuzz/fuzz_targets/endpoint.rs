//! Plays the input as a sequence of datagrams, stream data, flow events,
//! timer ticks, connection commands and answers to the endpoint's own
//! requests against an `Endpoint` with two connections, and checks its
//! invariants (see `src/endpoint.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

// Included by path, like the corpus replay test in
// core/tests/fuzz_corpus.rs does.
#[path = "../src/endpoint/mod.rs"]
mod endpoint;

fuzz_target!(|data: &[u8]| {
    endpoint::run_endpoint(data);
});
