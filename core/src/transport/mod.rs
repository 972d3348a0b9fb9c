//! Transport helpers that need no I/O: stream framing for TCP and TLS
//! (RFC 3261 §18.3) with RFC 5626 §3.5.1 CRLF keep-alives, and the order in
//! which SRV targets are tried (RFC 2782, RFC 3263 §4.4).

mod framing;
mod srv;

pub use framing::{FlowRole, Frame, FramingError, StreamFramer};
pub use srv::{order_srv, SrvTarget};
