//! # geosip-tokio
//!
//! The tokio driver for [`geosip_core`]: it will own the sans-IO endpoint on
//! one task and wire it to UDP, TCP and TLS sockets, DNS and the clock.
//! The message layer it builds on is [`geosip_core::message`]; the driver
//! itself arrives with the runtimes issue.
#![forbid(unsafe_code)]

pub use geosip_core as core;
