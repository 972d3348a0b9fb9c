//! Shared logic of the geosip fuzz targets. The code lives in
//! `exercise.rs`, which `core/tests/fuzz_corpus.rs` also includes (by
//! `#[path]`) to replay the corpus under `cargo test` without libFuzzer.

mod exercise;

pub use exercise::{exercise_datagram, exercise_stream};
