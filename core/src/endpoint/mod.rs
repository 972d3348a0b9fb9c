//! The [`Endpoint`]: the public face of the core. It ties connections,
//! registrations, transactions and failover together behind a sans-IO
//! interface (DESIGN §2): `handle_*` in, `poll_*` out, time as an argument.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use crate::connection::{ConnectionConfig, ConnectionError, ConnectionId, ConnectionInfo};
use crate::io::{Input, Output};
use crate::message::ParseLimits;

/// Endpoint-wide settings.
#[derive(Debug, Clone)]
pub struct EndpointConfig {
    /// Seed of the endpoint's RNG (tags, branches, Call-IDs, cnonces,
    /// back-off jitter): one seed gives one run.
    pub rng_seed: [u8; 32],
    /// Our UDP socket address as peers should see it (Via, Contact). The
    /// runtime fills it in from its socket.
    pub local_udp: Option<SocketAddr>,
    /// Parser limits for received messages.
    pub limits: ParseLimits,
    /// The User-Agent header value.
    pub user_agent: String,
    /// At most this many connections.
    pub max_connections: usize,
}

impl Default for EndpointConfig {
    fn default() -> Self {
        EndpointConfig {
            rng_seed: [0; 32],
            local_udp: None,
            limits: ParseLimits::default(),
            user_agent: concat!("geosip/", env!("CARGO_PKG_VERSION")).to_owned(),
            max_connections: 100_000,
        }
    }
}

/// Counters of what the endpoint dropped or did, for diagnostics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Datagrams or stream messages that did not parse.
    pub malformed: u64,
    /// Responses that matched no transaction (stray or spoofed).
    pub stray_responses: u64,
    /// Requests the endpoint answered with an error or dropped.
    pub rejected_requests: u64,
    /// Transactions alive now.
    pub transactions: usize,
}

/// A SIP user agent with several connections (sites), sans-IO.
///
/// After every `handle_*` call or command, drain [`poll_output`] until it
/// returns `None`, then sleep until [`poll_timeout`] and call
/// [`handle_timeout`].
///
/// [`poll_output`]: Endpoint::poll_output
/// [`poll_timeout`]: Endpoint::poll_timeout
/// [`handle_timeout`]: Endpoint::handle_timeout
#[derive(Debug)]
pub struct Endpoint {
    config: EndpointConfig,
    outputs: VecDeque<Output>,
    stats: Stats,
    connections: Vec<(ConnectionId, ConnectionConfig)>,
}

impl Endpoint {
    /// A new endpoint with no connections.
    pub fn new(config: EndpointConfig, _now: Instant) -> Self {
        Endpoint {
            config,
            outputs: VecDeque::new(),
            stats: Stats::default(),
            connections: Vec::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &EndpointConfig {
        &self.config
    }

    /// Adds a connection; an enabled one starts registering at once.
    pub fn add_connection(
        &mut self,
        _now: Instant,
        id: ConnectionId,
        config: ConnectionConfig,
    ) -> Result<(), ConnectionError> {
        if self.connections.iter().any(|(i, _)| *i == id) {
            return Err(ConnectionError::Duplicate(id));
        }
        self.connections.push((id, config));
        Ok(())
    }

    /// Enables a connection: it registers again.
    pub fn enable_connection(
        &mut self,
        _now: Instant,
        id: ConnectionId,
    ) -> Result<(), ConnectionError> {
        self.find(id).map(|_| ())
    }

    /// Disables a connection: it unregisters (Expires 0) and stops retrying.
    pub fn disable_connection(
        &mut self,
        _now: Instant,
        id: ConnectionId,
    ) -> Result<(), ConnectionError> {
        self.find(id).map(|_| ())
    }

    /// Removes a connection: it unregisters and all traffic to its site ends.
    pub fn remove_connection(
        &mut self,
        _now: Instant,
        id: ConnectionId,
    ) -> Result<(), ConnectionError> {
        let i = self
            .connections
            .iter()
            .position(|(c, _)| *c == id)
            .ok_or(ConnectionError::Unknown(id))?;
        self.connections.remove(i);
        Ok(())
    }

    /// Every connection with its properties.
    pub fn connections(&self) -> Vec<ConnectionInfo> {
        Vec::new()
    }

    /// Unregisters every connection.
    pub fn shutdown(&mut self, _now: Instant) {}

    /// Feeds received bytes or a transport event.
    pub fn handle_input(&mut self, _now: Instant, _input: Input<'_>) {}

    /// Runs every timer that is due at `now`.
    pub fn handle_timeout(&mut self, _now: Instant) {}

    /// The next thing to do.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        None
    }

    /// Counters for diagnostics.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    fn find(&self, id: ConnectionId) -> Result<&ConnectionConfig, ConnectionError> {
        self.connections
            .iter()
            .find(|(c, _)| *c == id)
            .map(|(_, c)| c)
            .ok_or(ConnectionError::Unknown(id))
    }
}
