//! Transport helpers that need no I/O: stream framing for TCP and TLS
//! (RFC 3261 §18.3) with RFC 5626 §3.5.1 CRLF keep-alives.

mod framing;

pub use framing::{FlowRole, Frame, FramingError, StreamFramer};
