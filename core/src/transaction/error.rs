//! Errors of the transaction table. Each is a refusal that leaves the
//! table as it was.

use super::event::{TxId, TxState};
use super::key::KeyError;
use crate::message::ParseError;

/// Why the table refused a request to send, a received request or a
/// response from the TU.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransactionError {
    /// The table holds
    /// [`max_transactions`](super::TransactionConfig::max_transactions)
    /// already. For a received request the caller should answer 503
    /// statelessly or drop it.
    #[error("the transaction table is full ({max} transactions)")]
    TableFull {
        /// The bound.
        max: usize,
    },
    /// The bytes given to send do not parse.
    #[error("the message does not parse: {0}")]
    Parse(#[from] ParseError),
    /// A response was given where a request belongs.
    #[error("expected a request")]
    NotARequest,
    /// A request was given where a response belongs.
    #[error("expected a response")]
    NotAResponse,
    /// ACK never creates a client transaction (RFC 3261 §17.1.1.3: the
    /// ACK for a non-2xx belongs to the INVITE transaction; the TU sends
    /// the ACK for a 2xx straight to the transport, §13.2.2.4).
    #[error("ACK is not sent through a client transaction")]
    AckIsNotATransaction,
    /// The message cannot be keyed.
    #[error("cannot match the message: {0}")]
    Key(#[from] KeyError),
    /// A transaction with the same key is alive: the branch was reused.
    #[error("{0} already has this branch and method")]
    Duplicate(TxId),
    /// No such transaction (it may have terminated).
    #[error("no transaction {0}")]
    UnknownTransaction(TxId),
    /// A response was given to a client transaction.
    #[error("{0} is a client transaction")]
    NotAServerTransaction(TxId),
    /// The transaction cannot send this response in its state: a second
    /// final response, or a non-2xx after a 2xx.
    #[error("{tx} cannot send a {code} in state {state:?}")]
    InvalidState {
        /// The transaction.
        tx: TxId,
        /// Its state.
        state: TxState,
        /// The status code given.
        code: u16,
    },
}
