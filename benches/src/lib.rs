//! Shared helpers for the geosip benchmarks (see `benches/README.md`).
#![forbid(unsafe_code)]
