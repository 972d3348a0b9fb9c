//! What geosip's two runtimes share, so that `geosip-tokio` and
//! `geosip-std` offer the same settings and errors and build TLS the same
//! way: [`PhoneConfig`] and [`TlsConfig`], [`PhoneError`] and
//! [`StartError`], the rustls client configuration, the discovery of the
//! address to advertise ([`prepare`]) and the randomness of the SRV draw. Both runtimes re-export the public types, so
//! applications name them through the runtime they use
//! (`geosip_tokio::PhoneConfig`, `geosip_std::PhoneConfig`).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod config;
mod error;
mod net;
mod start;
mod tls;

pub use config::{PhoneConfig, TlsConfig};
pub use error::{PhoneError, StartError};
pub use net::discover_ip;
pub use start::{os_random, prepare};
pub use tls::{client_config, server_name};
