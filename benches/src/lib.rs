//! Shared helpers for the geosip benchmarks (see `benches/README.md`):
//! the parser benchmark's messages, and the endpoint benchmark's
//! in-process [`registrar`] and [`load`] driver.
#![forbid(unsafe_code)]

use std::path::PathBuf;

pub mod load;
pub mod registrar;

/// The benchmark messages, by group name and file name in
/// `shared/bench-messages/`.
pub const MESSAGES: [(&str, &str); 3] = [
    ("invite", "invite.sip"),
    ("ok_register", "ok_register.sip"),
    ("unauthorized_register", "unauthorized_register.sip"),
];

/// One benchmark message, read into memory.
#[derive(Debug, Clone)]
pub struct BenchMessage {
    /// The criterion group name (`invite`, `ok_register`, ...).
    pub name: &'static str,
    /// The bytes of the file, exactly as on the wire.
    pub bytes: Vec<u8>,
}

/// The folder holding the messages: `$GEOSIP_SHARED/bench-messages` when
/// `GEOSIP_SHARED` is set, else `shared/bench-messages` beside the
/// repository (`../../shared/bench-messages` from this crate).
pub fn messages_dir() -> PathBuf {
    let shared = match std::env::var_os("GEOSIP_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    };
    shared.join("bench-messages")
}

/// Reads every message of [`MESSAGES`]; panics with the path when one is
/// missing, since a benchmark without its input is meaningless.
pub fn load_messages() -> Vec<BenchMessage> {
    let dir = messages_dir();
    MESSAGES
        .iter()
        .map(|&(name, file)| {
            let path = dir.join(file);
            let bytes = std::fs::read(&path).unwrap_or_else(|e| {
                panic!(
                    "cannot read {} ({e}); set GEOSIP_SHARED to the shared/ folder",
                    path.display()
                )
            });
            BenchMessage { name, bytes }
        })
        .collect()
}
