//! Events for the application.

use std::fmt;

use std::time::Duration;

use crate::connection::ConnectionId;
use crate::io::{TransportError, TransportKind};
use crate::session::{CallDirection, SessionAction, SessionId, SessionReason, SessionStatus};

/// The registration status of a connection (its site), in the order it
/// usually moves: Registering → Available or Unavailable → Disabled or
/// Removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionStatus {
    /// The first REGISTER is under way.
    Registering,
    /// Registered: the site answered 2xx and keep-alives are answered.
    Available,
    /// The site is down or refuses us; it is being retried.
    Unavailable,
    /// Disabled by the application; unregistered.
    Disabled,
    /// Removed by the application; the last event of a connection.
    Removed,
}

impl fmt::Display for ConnectionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConnectionStatus::Registering => "Registering",
            ConnectionStatus::Available => "Available",
            ConnectionStatus::Unavailable => "Unavailable",
            ConnectionStatus::Disabled => "Disabled",
            ConnectionStatus::Removed => "Removed",
        })
    }
}

/// Why a status changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusReason {
    /// The site answered with this SIP status (2xx on success, 401/403 for
    /// bad credentials, 5xx/6xx when it refuses service).
    Sip {
        /// The status code.
        code: u16,
        /// The reason phrase.
        phrase: String,
    },
    /// No answer: a transaction or keep-alive timed out. Reported as SIP
    /// code 408 "Request Timeout".
    Timeout,
    /// The transport failed.
    Transport(TransportError),
    /// The application asked for it (enable, disable, remove).
    Command,
}

impl StatusReason {
    /// The SIP code that stands for this reason: the code itself, 408 for
    /// a timeout, 503 for a transport error, `None` for a command.
    pub fn code(&self) -> Option<u16> {
        match self {
            StatusReason::Sip { code, .. } => Some(*code),
            StatusReason::Timeout => Some(408),
            StatusReason::Transport(_) => Some(503),
            StatusReason::Command => None,
        }
    }
}

impl fmt::Display for StatusReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusReason::Sip { code, phrase } => write!(f, "{code} {phrase}"),
            StatusReason::Timeout => f.write_str("408 Request Timeout"),
            StatusReason::Transport(e) => write!(f, "transport error: {e}"),
            StatusReason::Command => f.write_str("by command"),
        }
    }
}

/// An event for the application.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A connection's status changed; exactly one event per change.
    ConnectionStatusChanged {
        /// The connection.
        id: ConnectionId,
        /// Its user (DN).
        user: String,
        /// Its server as configured (`host:port`).
        server: String,
        /// Its transport.
        transport: TransportKind,
        /// The new status.
        status: ConnectionStatus,
        /// Why.
        reason: StatusReason,
    },
    /// A call's status changed. Every session event names the connection
    /// that carries the call at that moment.
    SessionStatusChanged {
        /// The call.
        session: SessionId,
        /// The connection carrying it.
        connection: ConnectionId,
        /// Who started it.
        direction: CallDirection,
        /// The new status.
        status: SessionStatus,
        /// Why.
        reason: SessionReason,
    },
    /// A call came in and rings; a `SessionStatusChanged` to Ringing
    /// follows. Answer it with
    /// [`Endpoint::answer`](crate::endpoint::Endpoint::answer).
    IncomingCall {
        /// The call.
        session: SessionId,
        /// The connection it came in on.
        connection: ConnectionId,
        /// The caller (From URI).
        from: String,
        /// Whom it is for (To URI).
        to: String,
        /// The site asks for auto-answer after this long (third-party call
        /// control), and the endpoint will do it.
        auto_answer: Option<Duration>,
    },
    /// An offer/answer exchange completed: the SDPs now in force, for the
    /// media engine.
    SessionMedia {
        /// The call.
        session: SessionId,
        /// The connection carrying it.
        connection: ConnectionId,
        /// Our SDP.
        local_sdp: String,
        /// The far end's SDP.
        remote_sdp: String,
    },
    /// A hold or retrieve failed; the call stays as it was.
    SessionActionFailed {
        /// The call.
        session: SessionId,
        /// The connection carrying it.
        connection: ConnectionId,
        /// What failed.
        action: SessionAction,
        /// Why.
        reason: SessionReason,
    },
}
