//! Replays the fuzz corpus (`fuzz/corpus/<target>/`) and the minimized
//! reproducers (`fuzz/regressions/<target>/`) through the same checks as the
//! fuzz targets, so that `cargo test` catches regressions without nightly
//! or libFuzzer.
//!
//! The checks live in `fuzz/src/exercise.rs` and `fuzz/src/endpoint/`,
//! included here by path: the fuzz crate itself is outside the workspace
//! and links libFuzzer, so it cannot be a dependency. Those files depend on
//! nothing but geosip-core.

#[path = "../../fuzz/src/exercise.rs"]
mod exercise;

#[path = "../../fuzz/src/endpoint/mod.rs"]
mod endpoint;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The files of one directory, sorted; `None` if it does not exist.
fn files(dir: &Path) -> Option<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut v: Vec<PathBuf> = entries
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    Some(v)
}

/// Runs `check` on every corpus file of `target` (which must exist and not
/// be empty) and every reproducer, and fails naming each file that panicked.
fn replay(target: &str, check: fn(&[u8])) {
    let corpus_dir = fuzz_dir().join("corpus").join(target);
    let corpus = files(&corpus_dir)
        .unwrap_or_else(|| panic!("corpus directory {} is missing", corpus_dir.display()));
    assert!(
        !corpus.is_empty(),
        "corpus directory {} is empty",
        corpus_dir.display()
    );
    let regressions = files(&fuzz_dir().join("regressions").join(target)).unwrap_or_default();
    let mut failed = Vec::new();
    for path in corpus.iter().chain(&regressions) {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if catch_unwind(AssertUnwindSafe(|| check(&data))).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} {target} inputs failed (see the panics above):\n{}",
        failed.len(),
        corpus.len() + regressions.len(),
        failed.join("\n")
    );
}

#[test]
fn parse_message_corpus_replays_cleanly() {
    replay("parse_message", exercise::exercise_datagram);
}

#[test]
fn stream_framing_corpus_replays_cleanly() {
    replay("stream_framing", exercise::exercise_stream);
}

#[test]
fn endpoint_corpus_replays_cleanly() {
    replay("endpoint", endpoint::run_endpoint);
}
