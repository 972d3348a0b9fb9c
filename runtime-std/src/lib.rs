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
//!   3263 SRV questions over blocking UDP, or TCP when the answer is
//!   truncated (`hickory-proto` messages), targets in RFC 2782 order;
//!   addresses from the configured name servers or the system resolver
//!   ([`std::net::ToSocketAddrs`]).
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

mod dns;
mod driver;
mod flows;
mod phone;
mod tls;
mod wake;

pub use geosip_core as core;

pub use geosip_runtime_common::{PhoneConfig, PhoneError, StartError, TlsConfig};
pub use phone::Phone;
