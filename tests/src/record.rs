//! What the simulator writes down: every output of the endpoint that
//! touches the network (the traffic log), every event with its time, and
//! helpers to read SIP out of the recorded bytes.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use geosip_core::connection::ConnectionId;
use geosip_core::event::{ConnectionStatus, Event, StatusReason};
use geosip_core::io::{FlowId, TransportKind};
use geosip_core::message::headers::{Contact, Expires};
use geosip_core::message::{parse, Message};

/// What kind of traffic an endpoint output is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrafficKind {
    /// A UDP datagram (`Output::Transmit` without a flow).
    Datagram,
    /// Bytes on a stream flow (`Output::Transmit` with a flow).
    Stream,
    /// A connect (`Output::Connect`): a SYN, so it counts as traffic.
    Connect,
}

/// One thing the endpoint sent towards an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrafficRecord {
    /// When.
    pub at: Instant,
    /// When, as an offset from the start of the run (compare these across
    /// runs).
    pub offset: Duration,
    /// The kind.
    pub kind: TrafficKind,
    /// The transport.
    pub transport: TransportKind,
    /// The flow, for streams and connects.
    pub flow: Option<FlowId>,
    /// Where to.
    pub remote: SocketAddr,
    /// The bytes (empty for a connect).
    pub data: Vec<u8>,
}

impl TrafficRecord {
    /// The bytes parsed as one SIP message, if they are one.
    pub fn message(&self) -> Option<Message<'_>> {
        parse(&self.data).ok()
    }

    /// The request method, if the bytes are a request.
    pub fn method(&self) -> Option<String> {
        self.message()?.method().map(|m| m.as_str().to_owned())
    }

    /// Whether this is a REGISTER.
    pub fn is_register(&self) -> bool {
        self.method().as_deref() == Some("REGISTER")
    }

    /// Whether the bytes are only CRs and LFs (a keep-alive ping).
    pub fn is_keepalive(&self) -> bool {
        !self.data.is_empty() && self.data.iter().all(|b| matches!(b, b'\r' | b'\n'))
    }

    /// The top Via branch: one per transaction, the same on retransmission.
    pub fn branch(&self) -> Option<String> {
        self.message()?.top_via().ok()?.branch().map(str::to_owned)
    }

    /// The Expires header, else the first Contact's `expires`.
    pub fn expires(&self) -> Option<u32> {
        let m = self.message()?;
        m.typed_opt::<Expires>()
            .ok()
            .flatten()
            .map(|e| e.0)
            .or_else(|| {
                m.typed_all::<Contact>()
                    .filter_map(Result::ok)
                    .find_map(|c| c.expires())
            })
    }

    /// A one-line rendering that does not depend on the run's base instant
    /// (for comparing runs and for failure output).
    pub fn line(&self) -> String {
        let mut s = String::with_capacity(self.data.len() + 64);
        let _ = write!(
            s,
            "{:>12.6} {:?} {} {:?} -> {} ",
            self.offset.as_secs_f64(),
            self.kind,
            self.transport,
            self.flow.map(|f| f.0),
            self.remote
        );
        s.push_str(
            &String::from_utf8_lossy(&self.data)
                .escape_debug()
                .to_string(),
        );
        s
    }
}

/// One thing the network delivered to the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundRecord {
    /// When.
    pub at: Instant,
    /// When, as an offset from the start of the run.
    pub offset: Duration,
    /// What.
    pub input: crate::net::EndpointInput,
}

impl InboundRecord {
    /// The bytes, for datagrams and stream data.
    pub fn data(&self) -> Option<&[u8]> {
        match &self.input {
            crate::net::EndpointInput::Datagram { data, .. }
            | crate::net::EndpointInput::StreamData { data, .. } => Some(data),
            _ => None,
        }
    }

    /// A one-line rendering (the first line of a message).
    pub fn line(&self) -> String {
        let what = match self.data() {
            Some(d) => {
                let first = d.split(|&b| b == b'\r').next().unwrap_or_default();
                String::from_utf8_lossy(first).into_owned()
            }
            None => format!("{:?}", self.input),
        };
        format!("{:>12.6} <- {what}", self.offset.as_secs_f64())
    }
}

/// An event with its time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    /// When.
    pub at: Instant,
    /// When, as an offset from the start of the run.
    pub offset: Duration,
    /// The event.
    pub event: Event,
}

/// A connection status change with its time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRecord {
    /// When.
    pub at: Instant,
    /// When, as an offset from the start of the run.
    pub offset: Duration,
    /// The connection.
    pub id: ConnectionId,
    /// The new status.
    pub status: ConnectionStatus,
    /// Why.
    pub reason: StatusReason,
}

impl EventRecord {
    /// The status change, if this event is one.
    pub fn status(&self) -> Option<StatusRecord> {
        match &self.event {
            Event::ConnectionStatusChanged {
                id, status, reason, ..
            } => Some(StatusRecord {
                at: self.at,
                offset: self.offset,
                id: *id,
                status: *status,
                reason: reason.clone(),
            }),
            #[allow(unreachable_patterns)] // Event is non_exhaustive
            _ => None,
        }
    }
}

/// The first transmission of each transaction in `records`, in order:
/// retransmissions (same branch) are left out.
pub fn first_transmissions<'r>(
    records: impl IntoIterator<Item = &'r TrafficRecord>,
) -> Vec<&'r TrafficRecord> {
    let mut seen = std::collections::BTreeSet::new();
    records
        .into_iter()
        .filter(|r| match r.branch() {
            Some(b) => seen.insert(b),
            None => true,
        })
        .collect()
}

/// The gaps between consecutive instants.
pub fn gaps(times: &[Instant]) -> Vec<Duration> {
    times.windows(2).map(|w| w[1] - w[0]).collect()
}
