//! # geosip-std
//!
//! The blocking driver for [`geosip_core`], for applications without an
//! async runtime: a [`Phone`] owns the sans-IO [`Endpoint`](geosip_core::endpoint::Endpoint) on one
//! background thread and wires it to a `std::net` UDP socket, TCP and TLS
//! flows (rustls), the system resolver and
//! [`Instant::now`](std::time::Instant::now). Every method
//! blocks until the driver thread has carried it out; events arrive on a
//! [`std::sync::mpsc::Receiver`].
//!
//! # Threads
//!
//! - The **driver** thread owns the endpoint; nothing else calls into the
//!   core. It blocks in `UdpSocket::recv_from` with the read timeout set
//!   to the core's next deadline (at least 1 ms; no deadline, no timeout).
//! - Commands, flow news and DNS answers reach it over one std mpsc
//!   channel. To end its wait at once, whoever queues a message then sends
//!   a one-byte datagram to the driver's UDP socket from a loopback
//!   "waker" socket; the driver knows the waker's address and drops those
//!   datagrams unseen by the core.
//! - Each TCP or TLS flow has a thread that connects (and handshakes),
//!   then reads, and a writer thread fed by a channel, so a peer that does
//!   not read never blocks the driver.
//! - Each DNS lookup runs on a thread of its own: without a port, RFC
//!   3263 SRV questions over blocking UDP (`hickory-proto` messages) in
//!   RFC 2782 order; addresses from the configured name servers or the
//!   system resolver ([`std::net::ToSocketAddrs`]).
//!
//! # Examples
//!
//! ```no_run
//! use geosip_std::{Phone, PhoneConfig};
//! use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
//! use geosip_core::event::Event;
//! use geosip_core::io::TransportKind;
//!
//! # fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let (phone, events) = Phone::start(PhoneConfig::default())?;
//! let mut cfg = ConnectionConfig::new("1001", "sip1.example.com:5060", TransportKind::Udp);
//! cfg.password = Some(Secret::new("secret"));
//! phone.add_connection(ConnectionId(0), cfg)?;
//! for event in events.iter() {
//!     if let Event::ConnectionStatusChanged { id, status, .. } = &event {
//!         println!("connection {id}: {status}");
//!         break;
//!     }
//! }
//! let call = phone.dial(ConnectionId(0), "2000")?;
//! phone.hangup(call)?;
//! phone.shutdown(); // unregisters, bounded by PhoneConfig::shutdown_timeout
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod config;
mod dns;
mod driver;
mod flows;
mod phone;
mod tls;
mod wake;

pub use geosip_core as core;

pub use config::{PhoneConfig, TlsConfig};
pub use phone::Phone;

use std::net::SocketAddr;

use geosip_core::connection::ConnectionError;
use geosip_core::session::CallError;

/// Why a phone command failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PhoneError {
    /// The phone's thread has stopped (shut down).
    #[error("the phone has stopped")]
    Stopped,
    /// A connection command was refused.
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    /// A call command was refused.
    #[error(transparent)]
    Call(#[from] CallError),
}

/// Why a phone could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The UDP socket (or the loopback waker socket) could not be bound.
    #[error("cannot bind UDP {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
    /// The TLS roots are unusable.
    #[error("TLS configuration: {0}")]
    Tls(#[from] rustls::Error),
    /// No randomness from the operating system for the RNG seed.
    #[error("no randomness for the RNG seed: {0}")]
    Random(String),
    /// The driver thread could not be started.
    #[error("cannot start the phone's thread: {0}")]
    Thread(std::io::Error),
}
