//! What the network hands over: owned copies of the core's [`Input`] for
//! the endpoint, and the inputs a server site understands.

use std::net::{IpAddr, SocketAddr};

use geosip_core::io::{FlowId, TransportKind};

/// The core's owned input, under the name the simulator uses.
pub use geosip_core::io::OwnedInput as EndpointInput;

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
