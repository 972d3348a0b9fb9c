//! # geosip-sim
//!
//! The deterministic simulator (virtual clock, seeded lossy network, SIP
//! server sites that can go down) and the integration tests of geosip.
//! Today it holds the corpus helpers shared by the message-layer tests.
#![forbid(unsafe_code)]

use std::path::PathBuf;

/// The `shared/` folder that sits beside the repository (RFC 4475 torture
/// messages, benchmark messages). `GEOSIP_SHARED` overrides it.
pub fn shared_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("GEOSIP_SHARED") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}
