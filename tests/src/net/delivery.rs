//! What the network hands over: owned copies of the core's [`Input`] for
//! the endpoint, and the inputs a server site understands.

use std::net::{IpAddr, SocketAddr};

use geosip_core::connection::ConnectionId;
use geosip_core::io::{FlowId, Input, TransportError, TransportKind};

/// An [`Input`] that owns its bytes, so that it can wait in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointInput {
    /// A UDP datagram from a site.
    Datagram {
        /// The endpoint's socket.
        local: SocketAddr,
        /// The sender.
        remote: SocketAddr,
        /// The payload.
        data: Vec<u8>,
    },
    /// Bytes on a stream flow.
    StreamData {
        /// The flow.
        flow: FlowId,
        /// The bytes.
        data: Vec<u8>,
    },
    /// A flow the endpoint asked for is up.
    FlowConnected {
        /// The flow.
        flow: FlowId,
        /// The endpoint's end of it.
        local: SocketAddr,
    },
    /// A flow failed.
    FlowFailed {
        /// The flow.
        flow: FlowId,
        /// Why.
        error: TransportError,
    },
    /// An ICMP error for a datagram.
    DatagramFailed {
        /// Where the datagram went.
        remote: SocketAddr,
        /// Why.
        error: TransportError,
    },
    /// The answer to a name lookup.
    Resolved {
        /// The connection that asked.
        connection: ConnectionId,
        /// The addresses or the error.
        result: Result<Vec<SocketAddr>, TransportError>,
    },
}

impl EndpointInput {
    /// The borrowed [`Input`] to feed the core.
    pub fn as_input(&self) -> Input<'_> {
        match self {
            EndpointInput::Datagram {
                local,
                remote,
                data,
            } => Input::Datagram {
                local: *local,
                remote: *remote,
                data,
            },
            EndpointInput::StreamData { flow, data } => Input::StreamData { flow: *flow, data },
            EndpointInput::FlowConnected { flow, local } => Input::FlowConnected {
                flow: *flow,
                local: *local,
            },
            EndpointInput::FlowFailed { flow, error } => Input::FlowFailed {
                flow: *flow,
                error: error.clone(),
            },
            EndpointInput::DatagramFailed { remote, error } => Input::DatagramFailed {
                remote: *remote,
                error: error.clone(),
            },
            EndpointInput::Resolved { connection, result } => Input::Resolved {
                connection: *connection,
                result: result.clone(),
            },
        }
    }
}

/// What a site receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteInput {
    /// A UDP datagram to one of the site's ports.
    Datagram {
        /// The sender.
        from: SocketAddr,
        /// The site's address it was sent to.
        to: SocketAddr,
        /// The payload.
        data: Vec<u8>,
    },
    /// A stream flow was accepted.
    FlowOpened {
        /// The flow (the endpoint's id for it).
        flow: FlowId,
        /// The endpoint's end.
        from: SocketAddr,
        /// The site's end.
        to: SocketAddr,
        /// TCP or TLS.
        transport: TransportKind,
    },
    /// Bytes on an accepted flow.
    StreamData {
        /// The flow.
        flow: FlowId,
        /// The bytes.
        data: Vec<u8>,
    },
    /// The endpoint closed the flow.
    FlowClosed {
        /// The flow.
        flow: FlowId,
    },
}

/// One thing the network delivers now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// To the endpoint.
    ToEndpoint(EndpointInput),
    /// To the site at `host`.
    ToSite {
        /// The site's host address.
        host: IpAddr,
        /// What it gets.
        input: SiteInput,
    },
}

impl From<&Input<'_>> for EndpointInput {
    fn from(input: &Input<'_>) -> Self {
        match input {
            Input::Datagram {
                local,
                remote,
                data,
            } => EndpointInput::Datagram {
                local: *local,
                remote: *remote,
                data: data.to_vec(),
            },
            Input::StreamData { flow, data } => EndpointInput::StreamData {
                flow: *flow,
                data: data.to_vec(),
            },
            Input::FlowConnected { flow, local } => EndpointInput::FlowConnected {
                flow: *flow,
                local: *local,
            },
            Input::FlowFailed { flow, error } => EndpointInput::FlowFailed {
                flow: *flow,
                error: error.clone(),
            },
            Input::DatagramFailed { remote, error } => EndpointInput::DatagramFailed {
                remote: *remote,
                error: error.clone(),
            },
            Input::Resolved { connection, result } => EndpointInput::Resolved {
                connection: *connection,
                result: result.clone(),
            },
        }
    }
}
