//! # geosip-core
//!
//! The sans-IO heart of geosip, a SIP user-agent library for softphones and
//! contact-center agents that keep working when a whole SIP server site goes
//! down.
//!
//! This crate never touches a socket, a clock or global randomness: bytes and
//! timer ticks go in, messages to send, timers and events come out. The
//! runtimes (`geosip-tokio`, `geosip-std`) wire it to the real world.
//!
//! What is here today:
//! - [`message`]: the zero-copy SIP parser, typed header views, URIs,
//!   validation, the serializer and the request/response builders
//!   (RFC 3261 §7, §8.2.6, §19, §20, §25; RFC 4475 torture-tested).
//! - [`transport`]: stream framing for TCP and TLS (RFC 3261 §18.3) with
//!   RFC 5626 §3.5.1 CRLF keep-alives.
//! - [`transaction`]: the RFC 3261 §17 / RFC 6026 transaction layer.
//! - [`auth`]: digest authentication (RFC 2617, 7616, 8760).
//! - [`registration`] and [`endpoint`]: per-connection registration with
//!   failure detection, back-off and recovery, behind the sans-IO
//!   [`endpoint::Endpoint`] ([`io`] and [`event`] hold its inputs, outputs
//!   and events; [`connection`] its connection settings).
//!
//! # Examples
//!
//! ```
//! use geosip_core::message::{parse, Method};
//!
//! let bytes = b"OPTIONS sip:bob@example.com SIP/2.0\r\n\
//! Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n\
//! From: <sip:alice@example.com>;tag=a\r\n\
//! To: <sip:bob@example.com>\r\n\
//! Call-ID: 1@192.0.2.1\r\n\
//! CSeq: 1 OPTIONS\r\n\
//! Max-Forwards: 70\r\n\
//! Content-Length: 0\r\n\r\n";
//! let msg = parse(bytes).unwrap();
//! assert_eq!(msg.method(), Some(Method::Options));
//! assert_eq!(msg.cseq().unwrap().seq, 1);
//! assert_eq!(msg.top_via().unwrap().branch(), Some("z9hG4bK1"));
//! ```
#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

pub mod auth;
pub mod config;
pub mod connection;
pub mod dialog;
pub mod endpoint;
pub mod event;
pub mod io;
pub mod message;
pub mod registration;
pub mod rng;
pub mod sdp;
pub mod session;
pub mod timer;
pub mod transaction;
pub mod transport;

#[cfg(feature = "rsip")]
pub mod rsip_compat;

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
