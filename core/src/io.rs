//! What goes into the sans-IO core and what comes out of it (the shape of
//! quinn-proto and str0m): the runtime feeds [`Input`]s and timer ticks,
//! and drains [`Output`]s until there are none.

use std::fmt;
use std::net::SocketAddr;

/// A transport a connection uses to reach its site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportKind {
    /// UDP: unreliable, so transactions retransmit (RFC 3261 §17).
    Udp,
    /// TCP: a stream flow.
    Tcp,
    /// TLS over TCP: a stream flow.
    Tls,
}

impl TransportKind {
    /// Whether the transport is reliable (no retransmissions).
    pub fn is_reliable(self) -> bool {
        !matches!(self, TransportKind::Udp)
    }

    /// Whether the transport is a stream that needs a connected flow.
    pub fn is_stream(self) -> bool {
        !matches!(self, TransportKind::Udp)
    }

    /// The token used in Via headers.
    pub fn via_token(self) -> &'static str {
        match self {
            TransportKind::Udp => "UDP",
            TransportKind::Tcp => "TCP",
            TransportKind::Tls => "TLS",
        }
    }

    /// The value of a `;transport=` URI parameter.
    pub fn uri_param(self) -> &'static str {
        match self {
            TransportKind::Udp => "udp",
            TransportKind::Tcp => "tcp",
            TransportKind::Tls => "tls",
        }
    }

    /// The default port (RFC 3261 §19.1.2).
    pub fn default_port(self) -> u16 {
        match self {
            TransportKind::Tls => 5061,
            _ => 5060,
        }
    }
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.via_token())
    }
}

/// A stream flow (a TCP or TLS connection) that the core asked the runtime
/// to open with [`Output::Connect`]. Ids are never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlowId(pub u64);

/// Why a transport failed. For the failover logic these all mean that the
/// site cannot be reached over this flow right now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The connection was refused (TCP RST on connect, or ICMP port
    /// unreachable on UDP).
    #[error("connection refused")]
    Refused,
    /// The flow was reset or closed by the peer.
    #[error("connection reset")]
    Reset,
    /// Connecting took too long.
    #[error("connect timed out")]
    ConnectTimeout,
    /// An established flow stopped delivering (a TCP user timeout).
    #[error("connection timed out")]
    TimedOut,
    /// The TLS handshake failed (bad certificate, name mismatch...).
    #[error("TLS failure: {0}")]
    Tls(String),
    /// The host or network is unreachable.
    #[error("unreachable")]
    Unreachable,
    /// The stream could not be framed any more (RFC 3261 §18.3).
    #[error("stream framing failed: {0}")]
    Framing(String),
    /// Anything else the runtime reports.
    #[error("{0}")]
    Other(String),
}

impl TransportError {
    /// The transport error an I/O error stands for, as every runtime
    /// reports it to the core. A timed-out blocking socket may say
    /// `WouldBlock`; it counts as a timeout.
    ///
    /// ```
    /// use geosip_core::io::TransportError;
    /// let e = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
    /// assert_eq!(TransportError::from_io(&e), TransportError::Refused);
    /// ```
    pub fn from_io(e: &std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        match e.kind() {
            K::ConnectionRefused => TransportError::Refused,
            K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => {
                TransportError::Reset
            }
            K::TimedOut | K::WouldBlock => TransportError::TimedOut,
            K::HostUnreachable | K::NetworkUnreachable | K::AddrNotAvailable => {
                TransportError::Unreachable
            }
            _ => TransportError::Other(e.to_string()),
        }
    }
}

/// Input to the core.
#[derive(Debug, Clone)]
pub enum Input<'a> {
    /// A UDP datagram arrived on `local` from `remote`.
    Datagram {
        /// Our socket's address.
        local: SocketAddr,
        /// The sender.
        remote: SocketAddr,
        /// The payload.
        data: &'a [u8],
    },
    /// Bytes arrived on a stream flow.
    StreamData {
        /// The flow.
        flow: FlowId,
        /// The bytes, in order, in any chunking.
        data: &'a [u8],
    },
    /// A flow asked for with [`Output::Connect`] is up.
    FlowConnected {
        /// The flow.
        flow: FlowId,
        /// Our end of it.
        local: SocketAddr,
    },
    /// A flow failed to connect, or an open flow failed or was closed.
    FlowFailed {
        /// The flow.
        flow: FlowId,
        /// Why.
        error: TransportError,
    },
    /// The answer to [`Output::Resolve`]: the addresses of a server host,
    /// best first (RFC 3263), or why there are none.
    Resolved {
        /// The connection that asked.
        connection: crate::connection::ConnectionId,
        /// The addresses, or the error.
        result: Result<Vec<SocketAddr>, TransportError>,
    },
    /// A datagram could not be sent or drew an ICMP error.
    DatagramFailed {
        /// Where it was going.
        remote: SocketAddr,
        /// Why.
        error: TransportError,
    },
}

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The transport.
    pub transport: TransportKind,
    /// The stream flow to send on; `None` for UDP.
    pub flow: Option<FlowId>,
    /// The local address to send from (UDP), if the core has a preference.
    pub local: Option<SocketAddr>,
    /// The destination.
    pub remote: SocketAddr,
    /// The bytes.
    pub data: Vec<u8>,
}

/// Output of the core.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Send these bytes.
    Transmit(Transmit),
    /// Open a stream flow to `remote`; answer with
    /// [`Input::FlowConnected`] or [`Input::FlowFailed`].
    Connect {
        /// The id the core gives the flow.
        flow: FlowId,
        /// Where to connect.
        remote: SocketAddr,
        /// TCP or TLS.
        transport: TransportKind,
        /// The name to verify the TLS certificate against (the configured
        /// host).
        server_name: String,
    },
    /// Resolve a server host name (A/AAAA, or SRV per RFC 3263 when no
    /// port is given); answer with [`Input::Resolved`]. Hosts given as IP
    /// addresses are never asked about.
    Resolve {
        /// The connection that needs it.
        connection: crate::connection::ConnectionId,
        /// The host name.
        host: String,
        /// The port, if configured.
        port: Option<u16>,
        /// The transport.
        transport: TransportKind,
    },
    /// Close a stream flow; the core will not use it again.
    Close {
        /// The flow.
        flow: FlowId,
    },
    /// Something the application should hear about.
    Event(crate::event::Event),
}

/// An [`Input`] that owns its bytes, so that it can wait in a queue or
/// cross a channel (runtimes, the simulator); [`OwnedInput::as_input`]
/// borrows it back.
///
/// ```
/// use geosip_core::io::{Input, OwnedInput};
/// let owned = OwnedInput::from(&Input::Datagram {
///     local: "192.0.2.10:5060".parse().unwrap(),
///     remote: "192.0.2.1:5060".parse().unwrap(),
///     data: b"\r\n\r\n",
/// });
/// assert!(matches!(owned.as_input(), Input::Datagram { data, .. } if data == b"\r\n\r\n"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnedInput {
    /// A UDP datagram.
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
        connection: crate::connection::ConnectionId,
        /// The addresses or the error.
        result: Result<Vec<SocketAddr>, TransportError>,
    },
}

impl OwnedInput {
    /// The borrowed [`Input`] to feed the core.
    pub fn as_input(&self) -> Input<'_> {
        match self {
            OwnedInput::Datagram {
                local,
                remote,
                data,
            } => Input::Datagram {
                local: *local,
                remote: *remote,
                data,
            },
            OwnedInput::StreamData { flow, data } => Input::StreamData { flow: *flow, data },
            OwnedInput::FlowConnected { flow, local } => Input::FlowConnected {
                flow: *flow,
                local: *local,
            },
            OwnedInput::FlowFailed { flow, error } => Input::FlowFailed {
                flow: *flow,
                error: error.clone(),
            },
            OwnedInput::DatagramFailed { remote, error } => Input::DatagramFailed {
                remote: *remote,
                error: error.clone(),
            },
            OwnedInput::Resolved { connection, result } => Input::Resolved {
                connection: *connection,
                result: result.clone(),
            },
        }
    }
}

impl From<&Input<'_>> for OwnedInput {
    fn from(input: &Input<'_>) -> Self {
        match input {
            Input::Datagram {
                local,
                remote,
                data,
            } => OwnedInput::Datagram {
                local: *local,
                remote: *remote,
                data: data.to_vec(),
            },
            Input::StreamData { flow, data } => OwnedInput::StreamData {
                flow: *flow,
                data: data.to_vec(),
            },
            Input::FlowConnected { flow, local } => OwnedInput::FlowConnected {
                flow: *flow,
                local: *local,
            },
            Input::FlowFailed { flow, error } => OwnedInput::FlowFailed {
                flow: *flow,
                error: error.clone(),
            },
            Input::DatagramFailed { remote, error } => OwnedInput::DatagramFailed {
                remote: *remote,
                error: error.clone(),
            },
            Input::Resolved { connection, result } => OwnedInput::Resolved {
                connection: *connection,
                result: result.clone(),
            },
        }
    }
}
