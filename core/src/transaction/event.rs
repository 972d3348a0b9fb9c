//! What the transaction layer tells its caller (RFC 3261 §17: the
//! transaction user, TU, hears about responses, timeouts and transport
//! errors; the transport sends what the transactions give it).
//!
//! Two channels, on purpose:
//! - What a received message means for the TU comes back at once as the
//!   return value of `handle_response` / `handle_request`
//!   ([`ResponseAction`], [`RequestAction`]). The caller still holds the
//!   parsed [`Message`](crate::message::Message), which borrows its
//!   input, so it hands that very message to the TU: no copy, no second
//!   parse, no lifetime in the event type.
//! - Everything else (bytes to send, timer outcomes, terminations) waits
//!   in a queue of [`TxEvent`]s drained with `poll_event`, because timers
//!   produce it with no message in hand.

use std::fmt;
use std::net::SocketAddr;

use super::destination::Destination;
use crate::io::FlowId;

/// A transaction's id. Ids are never reused within one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TxId(pub(crate) u64);

impl TxId {
    /// The number, for logs and maps.
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for TxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tx#{}", self.0)
    }
}

/// Which of the four state machines of RFC 3261 §17 a transaction runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TxKind {
    /// §17.1.1, with RFC 6026 §7.2.
    ClientInvite,
    /// §17.1.2.
    ClientNonInvite,
    /// §17.2.1, with RFC 6026 §7.1.
    ServerInvite,
    /// §17.2.2.
    ServerNonInvite,
}

impl TxKind {
    /// Whether this is a client transaction.
    pub fn is_client(self) -> bool {
        matches!(self, TxKind::ClientInvite | TxKind::ClientNonInvite)
    }

    /// Whether this is an INVITE transaction.
    pub fn is_invite(self) -> bool {
        matches!(self, TxKind::ClientInvite | TxKind::ServerInvite)
    }
}

/// The state of a transaction. Each machine uses a subset:
///
/// | machine | states |
/// |---|---|
/// | client INVITE | Calling, Proceeding, Completed, Accepted, Terminated |
/// | client non-INVITE | Trying, Proceeding, Completed, Terminated |
/// | server INVITE | Proceeding, Completed, Confirmed, Accepted, Terminated |
/// | server non-INVITE | Trying, Proceeding, Completed, Terminated |
///
/// A terminated transaction leaves the table at once, so the table only
/// ever reports the other states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TxState {
    /// Client INVITE: request sent, no response yet.
    Calling,
    /// Non-INVITE: request sent or received, no response yet.
    Trying,
    /// A provisional response was received or sent.
    Proceeding,
    /// A final response (3xx–6xx for INVITE) was received or sent; waiting
    /// out retransmissions.
    Completed,
    /// Server INVITE: the ACK for a 3xx–6xx arrived.
    Confirmed,
    /// INVITE with a 2xx (RFC 6026): absorbing retransmissions while the
    /// TUs on both ends handle the 2xx and its ACK.
    Accepted,
    /// Done.
    Terminated,
}

/// Why a transaction timed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeoutReason {
    /// Timer B or F: no final response (client INVITE: no response at
    /// all). The TU must act as if it had received a 408 (RFC 3261
    /// §8.1.3.1).
    NoResponse,
    /// Timer H: the ACK for our 3xx–6xx never came (RFC 3261 §17.2.1).
    NoAck,
}

/// Something the caller must do or know, drained with
/// [`TransactionTable::poll_event`](super::TransactionTable::poll_event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxEvent {
    /// Send `bytes` to `dest`: a first send, a retransmission, an ACK for
    /// a non-2xx response, or a response.
    Transmit {
        /// The transaction that sends.
        tx: TxId,
        /// Where.
        dest: Destination,
        /// The message.
        bytes: Vec<u8>,
    },
    /// The transaction timed out; it terminates right after.
    Timeout {
        /// The transaction.
        tx: TxId,
        /// Which timer, and so what the TU must do.
        reason: TimeoutReason,
    },
    /// The transport failed under a transaction that still needed it
    /// (RFC 3261 §17.1.4, §17.2.4); it terminates right after. Client
    /// transactions that already had their final response end without
    /// this event.
    TransportError {
        /// The transaction.
        tx: TxId,
        /// What failed, as the runtime reported it.
        error: crate::io::TransportError,
    },
    /// The transaction ended and left the table; the last event about it.
    Terminated {
        /// The transaction.
        tx: TxId,
    },
}

/// What a received response means, returned by
/// [`TransactionTable::handle_response`](super::TransactionTable::handle_response).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseAction {
    /// Hand this response to the TU that owns `tx`: a provisional, a final,
    /// or (client INVITE in Accepted, RFC 6026 §7.2) a retransmitted 2xx
    /// that the TU must ACK again.
    Deliver {
        /// The transaction.
        tx: TxId,
        /// The status code.
        code: u16,
    },
    /// A retransmission the transaction dealt with itself (for a 3xx–6xx
    /// to an INVITE it re-sent the ACK); nothing for the TU.
    Absorbed {
        /// The transaction.
        tx: TxId,
    },
    /// No transaction matches: a late, stray or spoofed response. Count it
    /// and drop it (RFC 6026 §8.10); no state changed.
    Unmatched,
    /// The response lacks what matching needs (a top Via with a branch,
    /// a CSeq), or is a request. Count it as malformed and drop it.
    Invalid(super::KeyError),
}

/// What a received request means, returned by
/// [`TransactionTable::handle_request`](super::TransactionTable::handle_request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestAction {
    /// A new server transaction: hand the request to the TU, which answers
    /// with [`respond`](super::TransactionTable::respond).
    New {
        /// The transaction.
        tx: TxId,
        /// Server INVITE or server non-INVITE.
        kind: TxKind,
    },
    /// A retransmission of a request that has a transaction; the latest
    /// response, if any, was sent again. Nothing for the TU.
    Retransmission {
        /// The transaction.
        tx: TxId,
    },
    /// The ACK for our 3xx–6xx, absorbed by the INVITE server transaction
    /// (RFC 3261 §17.2.1). Nothing for the TU.
    AckAbsorbed {
        /// The transaction.
        tx: TxId,
    },
    /// An ACK for the TU, which creates no transaction: the ACK for a 2xx
    /// (its own branch, so usually `tx: None`), one that reached an INVITE
    /// server transaction in Accepted (RFC 6026 §7.1, `tx: Some`), or a
    /// stray ACK. The dialog layer matches it by dialog.
    AckToTu {
        /// The INVITE server transaction it matched, if any.
        tx: Option<TxId>,
    },
}

/// What failed, as reported by
/// [`TransactionTable::transport_failed`](super::TransactionTable::transport_failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportFailure {
    /// A stream flow failed or closed: every transaction sending on it.
    Flow(FlowId),
    /// A datagram to this address failed (ICMP error): every UDP
    /// transaction sending there.
    Datagram(SocketAddr),
    /// A send of one transaction failed.
    Transaction(TxId),
}

impl TransportFailure {
    /// Whether the failure hits a transaction with this id and destination.
    pub(crate) fn hits(&self, tx: TxId, dest: &Destination) -> bool {
        match *self {
            TransportFailure::Flow(f) => dest.flow == Some(f),
            TransportFailure::Datagram(addr) => !dest.is_reliable() && dest.remote == addr,
            TransportFailure::Transaction(t) => t == tx,
        }
    }
}
