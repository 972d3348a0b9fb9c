//! Connections: one user (DN) on one SIP server site, the unit of
//! registration and failover (the seed's IConnectionManager).

use std::fmt;
use std::time::{Duration, Instant};

use crate::event::{ConnectionStatus, StatusReason};
use crate::io::TransportKind;

/// A connection's id; in `SipEndpoint.config` it is N of `proxyN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(pub u32);

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A password that never shows in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a password.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The password, for computing digests only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Everything about one connection that the application sets.
///
/// Timing defaults (all can be changed):
/// - `reg_interval` 3600 s: how often to re-register, and the Expires asked
///   for unless `reg_timeout` is set.
/// - `retry_base` 2 s and `retry_max` 30 s (never above `reg_interval`):
///   the RFC 5626 §4.5 back-off of retries to a down site,
///   `min(max, base·2^n)·random(0.5..1)`.
/// - `keepalive_interval` 5 s: how often a registered site is probed.
/// - `probe_timeout` 4 s: how long a probe may go unanswered before the site
///   counts as down (shorter than the 32 s transaction timeout).
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionConfig {
    /// The user (DN), e.g. `1001`.
    pub user: String,
    /// The site as `host:port` (port optional).
    pub server: String,
    /// The transport.
    pub transport: TransportKind,
    /// The SIP domain of the AOR; defaults to the server's host.
    pub domain: Option<String>,
    /// The digest user name; defaults to `user`.
    pub auth_user: Option<String>,
    /// The password, if the site challenges.
    pub password: Option<Secret>,
    /// Display name for From and To.
    pub display_name: Option<String>,
    /// Re-registration interval. Default 3600 s.
    pub reg_interval: Duration,
    /// Expires asked for in REGISTER; defaults to `reg_interval`.
    pub reg_timeout: Option<Duration>,
    /// Rewrite the Contact from Via `received`/`rport` (RFC 3581).
    pub reg_match_received_rport: bool,
    /// First retry delay after a failure. Default 2 s.
    pub retry_base: Duration,
    /// Longest retry delay. Default 30 s, capped at `reg_interval`.
    pub retry_max: Duration,
    /// Keep-alive probe interval while registered. Default 5 s.
    pub keepalive_interval: Duration,
    /// How long a keep-alive or recovery probe may go unanswered. Default 4 s.
    pub probe_timeout: Duration,
    /// Whether the connection starts enabled. Default true.
    pub enabled: bool,
}

impl ConnectionConfig {
    /// A connection with the default settings.
    pub fn new(
        user: impl Into<String>,
        server: impl Into<String>,
        transport: TransportKind,
    ) -> Self {
        ConnectionConfig {
            user: user.into(),
            server: server.into(),
            transport,
            domain: None,
            auth_user: None,
            password: None,
            display_name: None,
            reg_interval: Duration::from_secs(3600),
            reg_timeout: None,
            reg_match_received_rport: false,
            retry_base: Duration::from_secs(2),
            retry_max: Duration::from_secs(30),
            keepalive_interval: Duration::from_secs(5),
            probe_timeout: Duration::from_secs(4),
            enabled: true,
        }
    }
}

/// What [`Endpoint::connections`](crate::endpoint::Endpoint::connections)
/// lists for each connection.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionInfo {
    /// The id.
    pub id: ConnectionId,
    /// The user (DN).
    pub user: String,
    /// The server as configured.
    pub server: String,
    /// The transport.
    pub transport: TransportKind,
    /// The current status.
    pub status: ConnectionStatus,
    /// Whether it is enabled.
    pub enabled: bool,
    /// Until when the registrar holds our binding, if registered.
    pub registered_until: Option<Instant>,
    /// The last failure, if any.
    pub last_error: Option<StatusReason>,
}

/// Why a connection command failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectionError {
    /// A connection with this id exists already.
    #[error("connection {0} exists already")]
    Duplicate(ConnectionId),
    /// No connection has this id.
    #[error("no connection {0}")]
    Unknown(ConnectionId),
    /// The server address does not parse.
    #[error("bad server address {0:?}: {1}")]
    BadServer(String, &'static str),
    /// The user is not a valid SIP user part.
    #[error("bad user {0:?}")]
    BadUser(String),
    /// The endpoint has no local address for this transport.
    #[error("no local {0} address configured")]
    NoLocalAddress(TransportKind),
    /// Too many connections.
    #[error("at most {0} connections")]
    TooMany(usize),
}
