//! What a site writes down and what it sends: the requests it received,
//! its counters, and its outputs to the network.

use std::net::SocketAddr;
use std::time::Instant;

use geosip_core::io::{FlowId, TransportKind};

/// One request a site received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedRequest {
    /// When.
    pub at: Instant,
    /// The method.
    pub method: String,
    /// Over what.
    pub transport: TransportKind,
    /// From where.
    pub source: SocketAddr,
    /// The Expires header, else the first Contact's `expires`.
    pub expires: Option<u32>,
    /// The CSeq number.
    pub cseq: u32,
    /// The Call-ID.
    pub call_id: String,
    /// The top Via branch.
    pub branch: Option<String>,
    /// Whether it carried Authorization.
    pub has_credentials: bool,
    /// The bytes as received.
    pub raw: Vec<u8>,
}

/// Counters of what a site saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteCounters {
    /// Requests received, retransmissions included.
    pub requests: u64,
    /// Requests answered from the transaction memory.
    pub retransmissions: u64,
    /// CRLFCRLF pings on streams (each answered with a pong).
    pub pings: u64,
    /// Datagrams of bare CRLFs (UDP keep-alives; not answered).
    pub udp_keepalives: u64,
    /// Datagrams or stream messages that did not parse.
    pub malformed: u64,
    /// Times the site was started again after a stop.
    pub restarts: u64,
}

/// What a site sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteOutput {
    /// A datagram from the site's `from` to the endpoint's `to`.
    Udp {
        /// The site's address.
        from: SocketAddr,
        /// The endpoint's address.
        to: SocketAddr,
        /// The bytes.
        data: Vec<u8>,
    },
    /// Bytes on a flow.
    Stream {
        /// The flow.
        flow: FlowId,
        /// The bytes.
        data: Vec<u8>,
    },
    /// Reset a flow whose stream cannot be framed.
    Reset {
        /// The flow.
        flow: FlowId,
    },
}
