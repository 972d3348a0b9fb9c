//! Where a transaction sends: the address, transport and flow that the
//! caller chose (RFC 3261 §18.1.1 for requests, §18.2.2 for responses).
//! The transaction layer never resolves or picks addresses itself; it only
//! needs to know whether the transport is reliable (RFC 3261 §17.1.1.2,
//! §17.1.2.2) and which flow a transport failure hits (§17.1.4, §17.2.4).

use std::net::SocketAddr;

use crate::io::{FlowId, Transmit, TransportKind};

/// The place a transaction sends its messages to.
///
/// # Examples
///
/// ```
/// use geosip_core::io::{FlowId, TransportKind};
/// use geosip_core::transaction::Destination;
///
/// let udp = Destination::udp("192.0.2.10:5060".parse().unwrap());
/// assert!(!udp.is_reliable());
/// let tcp = Destination::stream("192.0.2.10:5060".parse().unwrap(), TransportKind::Tcp, FlowId(7));
/// assert!(tcp.is_reliable());
/// assert_eq!(tcp.transmit(b"hi".to_vec()).flow, Some(FlowId(7)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Destination {
    /// The remote address.
    pub remote: SocketAddr,
    /// The transport.
    pub transport: TransportKind,
    /// The stream flow, for TCP and TLS; `None` for UDP.
    pub flow: Option<FlowId>,
}

impl Destination {
    /// A UDP destination.
    pub fn udp(remote: SocketAddr) -> Self {
        Destination {
            remote,
            transport: TransportKind::Udp,
            flow: None,
        }
    }

    /// A TCP or TLS destination over an open flow.
    pub fn stream(remote: SocketAddr, transport: TransportKind, flow: FlowId) -> Self {
        Destination {
            remote,
            transport,
            flow: Some(flow),
        }
    }

    /// Whether the transport is reliable, which turns off the retransmit
    /// timers and zeroes the wait timers D, I, J and K.
    pub fn is_reliable(&self) -> bool {
        self.transport.is_reliable()
    }

    /// The [`Transmit`] that sends `data` here.
    pub fn transmit(&self, data: Vec<u8>) -> Transmit {
        Transmit {
            transport: self.transport,
            flow: self.flow,
            local: None,
            remote: self.remote,
            data,
        }
    }
}
