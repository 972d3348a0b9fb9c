//! The simulated TCP/TLS flows: what each end knows about a flow, so that
//! connects, resets and closes reach the endpoint the way a runtime would
//! report them, and the bytes TCP holds back while the path is cut.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use geosip_core::io::TransportKind;

/// The endpoint's view of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointSide {
    /// `Output::Connect` seen, no answer delivered yet.
    Connecting,
    /// `Input::FlowConnected` delivered.
    Connected,
    /// `Input::FlowFailed` delivered or `Output::Close` seen: the endpoint
    /// will not use it again.
    Done,
}

/// The site's view of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteSide {
    /// The SYN has not arrived (or never will).
    NotAccepted,
    /// Accepted and open.
    Open,
    /// Reset by the site (it stopped) or closed by the endpoint.
    Closed,
}

/// One flow between the endpoint and a site.
#[derive(Debug, Clone)]
pub struct Flow {
    /// The endpoint's end (an ephemeral port).
    pub local: SocketAddr,
    /// The site's end.
    pub remote: SocketAddr,
    /// TCP or TLS.
    pub transport: TransportKind,
    /// What the endpoint knows.
    pub endpoint: EndpointSide,
    /// What the site knows.
    pub site: SiteSide,
    /// Bytes towards the site that TCP is retransmitting (the path was
    /// cut when they got there).
    pub parked_to_site: Parked,
    /// The same towards the endpoint.
    pub parked_to_endpoint: Parked,
    /// When the last segment towards the site is due, to keep the stream
    /// in order if the delay changes.
    pub last_to_site: Option<Instant>,
    /// The same towards the endpoint.
    pub last_to_endpoint: Option<Instant>,
}

impl Flow {
    /// A flow the endpoint has just asked for.
    pub fn connecting(local: SocketAddr, remote: SocketAddr, transport: TransportKind) -> Self {
        Flow {
            local,
            remote,
            transport,
            endpoint: EndpointSide::Connecting,
            site: SiteSide::NotAccepted,
            parked_to_site: Parked::default(),
            parked_to_endpoint: Parked::default(),
            last_to_site: None,
            last_to_endpoint: None,
        }
    }

    /// Whether both ends are done with it, so it can be forgotten.
    pub fn is_finished(&self) -> bool {
        self.endpoint == EndpointSide::Done && self.site != SiteSide::Open
    }
}

/// Segments waiting for a retransmission to get through.
#[derive(Debug, Clone, Default)]
pub struct Parked {
    /// When the first of them reached the cut.
    pub since: Option<Instant>,
    /// The segments, in order.
    pub segments: VecDeque<Vec<u8>>,
}

impl Parked {
    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }
}

/// Moves `at` to no earlier than `last`, and records it as the new last:
/// a stream never reorders.
pub(crate) fn in_order(last: &mut Option<Instant>, at: Instant) -> Instant {
    let at = match *last {
        Some(l) if l > at => l,
        _ => at,
    };
    *last = Some(at);
    at
}
