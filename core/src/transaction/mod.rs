//! The transaction layer of RFC 3261 §17, as updated by RFC 6026: the four
//! state machines (client and server, INVITE and non-INVITE), matching of
//! messages to transactions, and their timers, all sans-IO.
//!
//! The [`TransactionTable`] owns every transaction. The caller (the
//! [`Endpoint`](crate::endpoint::Endpoint)) feeds it:
//! - requests to send, already serialized, with a [`Destination`]
//!   ([`TransactionTable::send_request`]);
//! - parsed responses and requests it received
//!   ([`TransactionTable::handle_response`],
//!   [`TransactionTable::handle_request`]), which return at once what the
//!   message means for the transaction user (TU);
//! - the TU's responses ([`TransactionTable::respond`]);
//! - transport failures and timer ticks.
//!
//! and drains [`TxEvent`]s: bytes to send, timeouts, transport errors and
//! terminations. Time is always an argument; the table never reads a
//! clock, and its ordered maps make every run depend on its inputs alone.
//!
//! What the table does not do, because RFC 3261 gives it to the TU: ACK a
//! 2xx (§13.2.2.4) or retransmit one (§13.3.1.4), run Timer C or ring
//! timeouts, answer a CANCEL (§9.2), or answer a request it has no room
//! for (a stateless 503).
//!
//! # Examples
//!
//! A UAS answering an INVITE with 486 over UDP, then getting the ACK:
//!
//! ```
//! use std::time::{Duration, Instant};
//! use geosip_core::message::{parse, MessageWriter};
//! use geosip_core::transaction::*;
//!
//! let mut table = TransactionTable::new(TransactionConfig::default());
//! let t0 = Instant::now();
//! let invite = b"INVITE sip:bob@192.0.2.2 SIP/2.0\r\n\
//! Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKi1\r\nMax-Forwards: 70\r\n\
//! From: <sip:alice@example.com>;tag=a\r\nTo: <sip:bob@example.com>\r\n\
//! Call-ID: i1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
//! let msg = parse(invite).unwrap();
//! let reply_to = Destination::udp("192.0.2.1:5060".parse().unwrap());
//! let RequestAction::New { tx, .. } = table.handle_request(t0, &msg, reply_to).unwrap() else {
//!     panic!("a new INVITE");
//! };
//!
//! let mut busy = Vec::new();
//! MessageWriter::response_to(&mut busy, &msg, 486, "Busy Here", Some("b")).finish(b"");
//! table.respond(t0, tx, busy.clone()).unwrap();
//! assert_eq!(table.state(tx), Some(TxState::Completed));
//! assert!(matches!(table.poll_event(), Some(TxEvent::Transmit { bytes, .. }) if bytes == busy));
//!
//! let ack = b"ACK sip:bob@192.0.2.2 SIP/2.0\r\n\
//! Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKi1\r\nMax-Forwards: 70\r\n\
//! From: <sip:alice@example.com>;tag=a\r\nTo: <sip:bob@example.com>;tag=b\r\n\
//! Call-ID: i1\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n";
//! let action = table.handle_request(t0 + Duration::from_millis(80), &parse(ack).unwrap(), reply_to);
//! assert_eq!(action, Ok(RequestAction::AckAbsorbed { tx }));
//! assert_eq!(table.state(tx), Some(TxState::Confirmed));
//! ```

mod ack;
mod client_invite;
mod client_non_invite;
mod config;
mod destination;
mod error;
mod event;
mod key;
mod machine;
#[cfg(test)]
mod proptests;
mod server_dispatch;
mod server_invite;
mod server_non_invite;
mod table;
mod timers;

pub use config::{TimerConfig, TransactionConfig};
pub use destination::Destination;
pub use error::TransactionError;
pub use event::{
    RequestAction, ResponseAction, TimeoutReason, TransportFailure, TxEvent, TxId, TxKind, TxState,
};
pub use key::{KeyError, TransactionKey, MAGIC_COOKIE};
pub use table::TransactionTable;
