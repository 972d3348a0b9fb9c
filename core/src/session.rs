//! Calls as the application sees them (the seed's ICallControl): session
//! ids, statuses, the reasons they change, what can go wrong with a call
//! command, and what [`Endpoint::sessions`](crate::endpoint::Endpoint::sessions)
//! lists.

use std::fmt;

use crate::connection::ConnectionId;
use crate::sdp::SdpError;

/// A call's id. Ids are never reused within one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(pub u64);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Who started the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallDirection {
    /// We dialed.
    Outbound,
    /// The site offered it to us.
    Inbound,
}

impl fmt::Display for CallDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CallDirection::Outbound => "outbound",
            CallDirection::Inbound => "inbound",
        })
    }
}

/// Where a call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionStatus {
    /// Outbound: the INVITE is out, nothing rings yet.
    Dialing,
    /// Outbound: the far end rings (a 18x came). Inbound: the call is
    /// offered to us and rings here until answered or rejected.
    Ringing,
    /// Talking.
    Connected,
    /// We hold the far end (our SDP is `sendonly`, or `inactive` if it holds
    /// us too).
    Held,
    /// The far end holds us and we do not hold it.
    RemoteHeld,
    /// Over; the last status of a session.
    Disconnected,
}

impl fmt::Display for SessionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SessionStatus::Dialing => "Dialing",
            SessionStatus::Ringing => "Ringing",
            SessionStatus::Connected => "Connected",
            SessionStatus::Held => "Held",
            SessionStatus::RemoteHeld => "RemoteHeld",
            SessionStatus::Disconnected => "Disconnected",
        })
    }
}

/// Why a call's status changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionReason {
    /// The application asked (dial, answer, hold, retrieve, hangup), or
    /// the endpoint did it for the application (holding the other calls
    /// when one starts).
    Local,
    /// The far end did it: it rang, answered, held or retrieved us, or
    /// hung up.
    Remote,
    /// The site did it on behalf of the agent's desktop (third-party call
    /// control): auto-answer (`Call-Info: answer-after`) or an in-dialog
    /// NOTIFY with `Event: talk` or `Event: hold`.
    Site,
    /// A SIP error: the final response that ended the call, or 408
    /// "Request Timeout" when its site did not answer at all (the site is
    /// down), or 503 when the transport to it failed.
    SipError {
        /// The status code.
        code: u16,
        /// The reason phrase.
        phrase: String,
    },
    /// The call moved to another connection because its own could not
    /// carry it (down, disabled, removed, or it did not answer the
    /// INVITE); the event's connection is the new one.
    Fallback {
        /// The connection the call left.
        from: ConnectionId,
        /// Why: 408 when the site did not answer, 503 when its transport
        /// failed or it is not available.
        code: u16,
    },
    /// No connection was available to carry the call.
    NoConnection,
}

impl SessionReason {
    /// A timeout: 408 "Request Timeout" (the site is down).
    pub fn timeout() -> Self {
        SessionReason::SipError {
            code: 408,
            phrase: "Request Timeout".to_owned(),
        }
    }

    /// The SIP code this reason stands for, if any.
    pub fn code(&self) -> Option<u16> {
        match self {
            SessionReason::SipError { code, .. } => Some(*code),
            SessionReason::Fallback { code, .. } => Some(*code),
            SessionReason::NoConnection => Some(503),
            _ => None,
        }
    }
}

impl fmt::Display for SessionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionReason::Local => f.write_str("by us"),
            SessionReason::Remote => f.write_str("by the far end"),
            SessionReason::Site => f.write_str("by the site (3pcc)"),
            SessionReason::SipError { code, phrase } => write!(f, "SIP error {code} {phrase}"),
            SessionReason::Fallback { from, code } => {
                write!(f, "moved from connection {from} ({code})")
            }
            SessionReason::NoConnection => f.write_str("no connection available"),
        }
    }
}

/// A call action that can fail after it was accepted (a re-INVITE the far
/// end refused); reported with
/// [`Event::SessionActionFailed`](crate::event::Event::SessionActionFailed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionAction {
    /// Holding the far end.
    Hold,
    /// Retrieving it.
    Retrieve,
}

impl fmt::Display for SessionAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SessionAction::Hold => "hold",
            SessionAction::Retrieve => "retrieve",
        })
    }
}

/// What [`Endpoint::sessions`](crate::endpoint::Endpoint::sessions) lists
/// for each call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// The id.
    pub id: SessionId,
    /// The connection carrying the call.
    pub connection: ConnectionId,
    /// Who started it.
    pub direction: CallDirection,
    /// Its status.
    pub status: SessionStatus,
    /// The far end: the URI we dialed, or the caller's From URI.
    pub remote: String,
    /// The Call-ID of its dialog.
    pub call_id: String,
    /// Our current SDP, if one was sent.
    pub local_sdp: Option<String>,
    /// The far end's current SDP, if one came.
    pub remote_sdp: Option<String>,
}

/// Options for [`Endpoint::dial_with`](crate::endpoint::Endpoint::dial_with).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DialOptions {
    /// The SDP offer to send instead of the default audio offer. Hold and
    /// retrieve change only its direction attributes and its version.
    pub sdp: Option<String>,
}

/// Why a call command was refused. The endpoint's state is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// No session has this id (or it is over).
    #[error("no session {0}")]
    UnknownSession(SessionId),
    /// The command does not fit the session's status.
    #[error("session {session} is {status}: cannot {command}")]
    InvalidState {
        /// The session.
        session: SessionId,
        /// Its status.
        status: SessionStatus,
        /// What was asked.
        command: &'static str,
    },
    /// A hold or retrieve is already under way.
    #[error("session {0} has a re-INVITE in progress")]
    Pending(SessionId),
    /// The destination is neither a SIP URI nor a user part.
    #[error("bad destination {0:?}")]
    BadDestination(String),
    /// The SDP given does not parse.
    #[error("bad SDP: {0}")]
    BadSdp(#[from] SdpError),
    /// A reject code outside 400..=699.
    #[error("{0} is not a rejection code (400..=699)")]
    BadCode(u16),
    /// Too many calls at once.
    #[error("at most {0} calls at once")]
    TooMany(usize),
}
