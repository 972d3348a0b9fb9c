//! # geosip-std
//!
//! The blocking driver for [`geosip_core`], for applications without an
//! async runtime: the sans-IO endpoint on a background thread with std::net
//! sockets. The driver itself arrives with the runtimes issue.
#![forbid(unsafe_code)]

pub use geosip_core as core;
