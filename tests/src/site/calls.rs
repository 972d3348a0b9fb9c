//! Calls through a site: the records tests assert on ([`SiteCall`]), the
//! far-end phones' behaviour ([`FarEnd`]), the options of calls the site
//! places ([`SiteCallOptions`]), and the state the site keeps per dialog
//! and per transaction.
//!
//! The site plays a record-routing proxy and the phone behind it at once:
//! its 18x/2xx carry its Record-Route and a Contact at its own address, so
//! the endpoint's in-dialog requests come back to it with a Route. The
//! site itself sends in-dialog requests straight to the endpoint's
//! Contact over the call's address or flow; it keeps no route set, as no
//! proxy stands between.

use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use geosip_core::io::FlowId;

use super::records::SiteOutput;
use super::sdp::SdpDirection;

/// A call's number on its site, in the order calls began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SiteCallId(pub u32);

impl fmt::Display for SiteCallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "call{}", self.0)
    }
}

/// Who placed a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallDirection {
    /// The endpoint called a far-end phone behind the site.
    FromEndpoint,
    /// The site called the endpoint (an inbound call for the endpoint).
    ToEndpoint,
}

/// One side of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The endpoint under test.
    Endpoint,
    /// The site (its far-end phone or its own caller).
    Site,
}

/// Where a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallState {
    /// INVITE sent or received, nothing more yet.
    Trying,
    /// A provisional response with a To tag (180/183) was sent or seen.
    Ringing,
    /// A 2xx was sent or seen.
    Connected,
    /// Over. `code` is the final response to the INVITE if the call never
    /// connected (`None` after a BYE or a timeout); `by` is who ended it.
    Ended {
        /// The final response that ended it, if one did.
        code: Option<u16>,
        /// Who ended it.
        by: Party,
    },
}

/// One request and one response to it, as the site saw them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// When the response was sent or received.
    pub at: Instant,
    /// Who sent the request.
    pub by: Party,
    /// The request's method.
    pub method: String,
    /// The response's status (`None`: ACK, which has none, or no response
    /// before the timeout).
    pub code: Option<u16>,
    /// The direction of the response's SDP body, if it had one.
    pub sdp: Option<SdpDirection>,
}

/// A call's record. See the module docs.
#[derive(Debug, Clone)]
pub struct SiteCall {
    /// Its number.
    pub id: SiteCallId,
    /// Who placed it.
    pub direction: CallDirection,
    /// The user at the site's end: the far-end phone called, or the
    /// `from_user` of a call the site placed.
    pub user: String,
    /// The user at the endpoint's end (From user, or the user called).
    pub endpoint_user: String,
    /// The Call-ID.
    pub call_id: String,
    /// Where it stands.
    pub state: CallState,
    /// The direction of the last SDP the endpoint sent (offer or answer).
    pub endpoint_sdp: Option<SdpDirection>,
    /// In-dialog requests from the endpoint (ACK for 2xx included).
    pub endpoint_requests: u32,
    /// Whether each of them carried the site's Record-Route as Route
    /// (none when the site does not record-route).
    pub route_ok: bool,
    /// Every request and response, in order.
    pub exchanges: Vec<Exchange>,
    /// The site's tag.
    pub local_tag: String,
    /// The endpoint's tag, once known.
    pub remote_tag: Option<String>,
    pub(crate) d: super::state::Dialog,
}

impl SiteCall {
    /// Whether the call is over.
    pub fn is_ended(&self) -> bool {
        matches!(self.state, CallState::Ended { .. })
    }

    /// The responses exchanged for requests of `method`, in order.
    pub fn codes(&self, method: &str) -> Vec<Option<u16>> {
        self.exchanges
            .iter()
            .filter(|e| e.method == method)
            .map(|e| e.code)
            .collect()
    }

    /// `(method, code)` of every exchange, in order.
    pub fn summary(&self) -> Vec<(&str, Option<u16>)> {
        self.exchanges
            .iter()
            .map(|e| (e.method.as_str(), e.code))
            .collect()
    }
}

/// How a far-end phone behind the site answers an INVITE from the
/// endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FarEnd {
    /// 100 and 180 at once, 200 with an SDP answer after `ring`; BYE
    /// `hangup_after` the ACK, if set.
    Answer {
        /// How long it rings.
        ring: Duration,
        /// When to hang up after the call is confirmed.
        hangup_after: Option<Duration>,
    },
    /// 100 at once (and 180 if `after` is not zero), then `code`.
    Reject {
        /// The final status, e.g. 486 or 603.
        code: u16,
        /// How long before it.
        after: Duration,
    },
    /// 100 and 180, then ringing until CANCEL.
    NoAnswer,
    /// No response at all; the INVITE is only recorded.
    Silent,
}

impl FarEnd {
    /// Answers after `ring`, never hangs up.
    pub fn answer(ring: Duration) -> Self {
        FarEnd::Answer {
            ring,
            hangup_after: None,
        }
    }

    /// Rejects at once with `code`.
    pub fn reject(code: u16) -> Self {
        FarEnd::Reject {
            code,
            after: Duration::ZERO,
        }
    }
}

impl Default for FarEnd {
    fn default() -> Self {
        FarEnd::answer(Duration::from_secs(1))
    }
}

/// How the site places a call to a registered user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteCallOptions {
    /// The calling user. Default "5000".
    pub from_user: String,
    /// Adds `Call-Info: <sip:SITE>;answer-after=N`.
    pub answer_after: Option<u32>,
    /// Adds `Alert-Info: <http://127.0.0.1>;info=alert-autoanswer`.
    pub alert_info_auto_answer: bool,
    /// Whether the INVITE carries an offer (PCMU, PCMA, telephone-event,
    /// sendrecv). Default true.
    pub sdp: bool,
}

impl Default for SiteCallOptions {
    fn default() -> Self {
        SiteCallOptions {
            from_user: "5000".to_owned(),
            answer_after: None,
            alert_info_auto_answer: false,
            sdp: true,
        }
    }
}

/// Why the site could not act on a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallError {
    /// The site is stopped.
    NotRunning,
    /// The user has no live binding.
    NotRegistered,
    /// The binding is over TCP/TLS and its flow is gone.
    NoFlow,
    /// No such call (or it was lost in a restart).
    NoSuchCall,
    /// The call is not in a state for this (e.g. NOTIFY before 2xx).
    WrongState,
}

/// Where the site sends a call's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// From the site's UDP socket `local` to `remote`.
    Udp {
        /// The site's socket.
        local: SocketAddr,
        /// The endpoint's address.
        remote: SocketAddr,
    },
    /// On a stream flow the endpoint opened.
    Stream {
        /// The flow.
        flow: FlowId,
    },
}

impl Peer {
    /// The output that sends `data` there.
    pub fn send(&self, data: Vec<u8>) -> SiteOutput {
        match *self {
            Peer::Udp { local, remote } => SiteOutput::Udp {
                from: local,
                to: remote,
                data,
            },
            Peer::Stream { flow } => SiteOutput::Stream { flow, data },
        }
    }

    /// Whether it is UDP (and so needs retransmissions).
    pub fn is_udp(&self) -> bool {
        matches!(self, Peer::Udp { .. })
    }
}
