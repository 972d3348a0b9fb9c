//! The [`Endpoint`]: the public face of the core. It ties connections,
//! registrations, transactions and failover together behind a sans-IO
//! interface (DESIGN §2): `handle_*` in, `poll_*` out, time as an argument.
//!
//! Failure detection and recovery (DESIGN §4), with the defaults of
//! [`ConnectionConfig`]:
//! - A registered site is probed every `keepalive_interval` (5 s): OPTIONS
//!   on UDP, a CRLFCRLF ping on TCP and TLS (RFC 5626 §3.5.1). No answer
//!   within `probe_timeout` (4 s) makes it Unavailable (reason 408), so a
//!   dead site is noticed within 9 s; a reset stream flow or an ICMP error
//!   is noticed at once.
//! - A site that stopped answering is probed every `probe_timeout` (a
//!   cheap OPTIONS, or a new TCP/TLS connect); the first answer brings the
//!   REGISTER at once, so a returning site is used again within seconds.
//! - REGISTER retries follow RFC 5626 §4.5 back-off with jitter; a
//!   `Retry-After` is honoured and a site that answers with an error is not
//!   probed, only retried.

mod call;
mod conn;
mod inbound;
mod probe;
mod register;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::connection::{ConnectionConfig, ConnectionError, ConnectionId, ConnectionInfo};
use crate::event::{ConnectionStatus, Event, StatusReason};
use crate::io::{FlowId, Input, Output, TransportError, TransportKind};
use crate::message::ParseLimits;
use crate::rng::SipRng;
use crate::timer::TimerTable;
use crate::transaction::{TransactionConfig, TransactionTable, TxEvent, TxId};
use crate::transport::{FlowRole, StreamFramer};

use conn::{Conn, FlowState};

/// Endpoint-wide settings.
#[derive(Debug, Clone)]
pub struct EndpointConfig {
    /// Seed of the endpoint's RNG (tags, branches, Call-IDs, cnonces,
    /// back-off jitter): one seed gives one run.
    pub rng_seed: [u8; 32],
    /// Our UDP socket address as peers should see it (Via, Contact). The
    /// runtime fills it in from its socket; UDP connections need it.
    pub local_udp: Option<SocketAddr>,
    /// Parser limits for received messages.
    pub limits: ParseLimits,
    /// Transaction timers (T1 500 ms, T2 4 s, T4 5 s, timeout 32 s) and the
    /// bound on live transactions.
    pub transactions: TransactionConfig,
    /// The User-Agent header value.
    pub user_agent: String,
    /// At most this many connections. Default 100 000.
    pub max_connections: usize,
    /// How long a stream connect may take before the endpoint gives up on
    /// it, should the runtime not report first. Default 5 s.
    pub connect_timeout: Duration,
    /// At most this many calls at once; more inbound calls get 486 Busy
    /// Here. Default 64.
    pub max_sessions: usize,
    /// The address our SDP offers for media; defaults to our address
    /// towards the call's site.
    pub media_addr: Option<std::net::IpAddr>,
    /// The first RTP port; calls take even ports from here on. Default
    /// 40000.
    pub media_port_base: u16,
    /// Whether the endpoint answers calls the site asks it to auto-answer
    /// (`Call-Info: answer-after`, `Alert-Info: auto-answer`). Default true.
    pub auto_answer: bool,
    /// Whether requests from anywhere but our connections' sites are
    /// taken. Default false: they get 403, which keeps SIP scanners from
    /// calling the endpoint directly.
    pub accept_direct_calls: bool,
}

impl Default for EndpointConfig {
    fn default() -> Self {
        EndpointConfig {
            rng_seed: [0; 32],
            local_udp: None,
            limits: ParseLimits::default(),
            transactions: TransactionConfig::default(),
            user_agent: concat!("geosip/", env!("CARGO_PKG_VERSION")).to_owned(),
            max_connections: 100_000,
            connect_timeout: Duration::from_secs(5),
            max_sessions: 64,
            media_addr: None,
            media_port_base: 40000,
            auto_answer: true,
            accept_direct_calls: false,
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
    /// Stream flows open or opening now.
    pub flows: usize,
    /// Unregisters (REGISTER with Expires 0) still waiting for their
    /// answer: a runtime shutting down waits until this is 0.
    pub unregistering: usize,
}

/// What a client transaction of the endpoint is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Register(ConnectionId),
    Probe(ConnectionId),
    /// An unregister that outlives its connection (disable keeps the
    /// connection, remove does not).
    Unregister(ConnectionId),
    /// A call's INVITE, re-INVITE, BYE or CANCEL, or its INVITE server
    /// transaction.
    Call(crate::session::SessionId, call::CallTx),
}

/// The connection timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum TimerKind {
    /// Send a REGISTER: a refresh, or a retry after a failure.
    Register,
    /// Send a keep-alive or recovery probe.
    Probe,
    /// The probe (or ping, or connect) in flight has had its time.
    ProbeDeadline,
}

/// A stream flow the endpoint opened.
#[derive(Debug)]
struct Flow {
    conn: ConnectionId,
    remote: SocketAddr,
    transport: TransportKind,
    framer: StreamFramer,
}

/// A SIP user agent with several connections (sites), sans-IO.
///
/// After every `handle_*` call or command, drain [`poll_output`] until it
/// returns `None`, then sleep until [`poll_timeout`] and call
/// [`handle_timeout`].
///
/// # Examples
///
/// ```
/// use std::time::Instant;
/// use geosip_core::connection::{ConnectionConfig, ConnectionId};
/// use geosip_core::endpoint::{Endpoint, EndpointConfig};
/// use geosip_core::io::{Output, TransportKind};
///
/// let now = Instant::now();
/// let mut ep = Endpoint::new(
///     EndpointConfig { local_udp: Some("192.0.2.10:5060".parse().unwrap()), ..Default::default() },
///     now,
/// );
/// ep.add_connection(now, ConnectionId(0), ConnectionConfig::new("1001", "192.0.2.1:5060", TransportKind::Udp))
///     .unwrap();
/// let mut sent = 0;
/// while let Some(out) = ep.poll_output() {
///     if let Output::Transmit(t) = out {
///         assert!(t.data.starts_with(b"REGISTER sip:192.0.2.1 SIP/2.0"));
///         sent += 1;
///     }
/// }
/// assert_eq!(sent, 1);
/// assert!(ep.poll_timeout().is_some());
/// ```
///
/// [`poll_output`]: Endpoint::poll_output
/// [`poll_timeout`]: Endpoint::poll_timeout
/// [`handle_timeout`]: Endpoint::handle_timeout
#[derive(Debug)]
pub struct Endpoint {
    config: EndpointConfig,
    rng: SipRng,
    outputs: VecDeque<Output>,
    stats: Stats,
    /// Boxed: a `Conn` is large, and a B-tree node holds eleven values
    /// inline whether they are used or not.
    conns: BTreeMap<ConnectionId, Box<Conn>>,
    table: TransactionTable,
    owners: HashMap<TxId, Purpose>,
    timers: TimerTable<(ConnectionId, TimerKind)>,
    flows: BTreeMap<FlowId, Flow>,
    next_flow: u64,
    /// Unregisters in flight, with the time they are abandoned.
    unregisters: Vec<Unregister>,
    /// Scratch buffer for building requests.
    buf: Vec<u8>,
    /// Calls, boxed for the same reason as connections.
    sessions: BTreeMap<crate::session::SessionId, Box<call::Session>>,
    call_timers: TimerTable<(crate::session::SessionId, call::CallTimer)>,
    next_session: u64,
    /// Connections that stopped being able to carry calls since the last
    /// look (their unanswered INVITEs move elsewhere).
    lost: Vec<ConnectionId>,
    /// Call transactions to a disabled or removed connection's site, with
    /// when they are given up, so that no traffic outlives the command by
    /// more than the probe timeout.
    abandon: Vec<(TxId, Instant)>,
}

/// An unregister (REGISTER with Expires 0) in flight.
#[derive(Debug)]
struct Unregister {
    tx: TxId,
    conn: ConnectionId,
    /// When it is abandoned, so that no traffic outlives a removal by more
    /// than the probe timeout.
    deadline: Instant,
    /// The stream flow it uses, closed when it ends, and our address on it.
    flow: Option<FlowId>,
    local: Option<SocketAddr>,
    /// The connection, when it was removed (needed to answer a challenge).
    detached: Option<Box<Conn>>,
    /// Whether a challenge was answered already.
    challenged: bool,
}

impl Endpoint {
    /// A new endpoint with no connections.
    pub fn new(config: EndpointConfig, _now: Instant) -> Self {
        Endpoint {
            rng: SipRng::from_seed(config.rng_seed),
            table: TransactionTable::new(config.transactions),
            config,
            outputs: VecDeque::new(),
            stats: Stats::default(),
            conns: BTreeMap::new(),
            owners: HashMap::new(),
            timers: TimerTable::default(),
            flows: BTreeMap::new(),
            next_flow: 0,
            unregisters: Vec::new(),
            buf: Vec::with_capacity(1024),
            sessions: BTreeMap::new(),
            call_timers: TimerTable::default(),
            next_session: 0,
            lost: Vec::new(),
            abandon: Vec::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &EndpointConfig {
        &self.config
    }

    /// Adds a connection; an enabled one starts registering at once.
    pub fn add_connection(
        &mut self,
        now: Instant,
        id: ConnectionId,
        config: ConnectionConfig,
    ) -> Result<(), ConnectionError> {
        if self.conns.contains_key(&id) {
            return Err(ConnectionError::Duplicate(id));
        }
        if self.conns.len() >= self.config.max_connections {
            return Err(ConnectionError::TooMany(self.config.max_connections));
        }
        if config.transport == TransportKind::Udp && self.config.local_udp.is_none() {
            return Err(ConnectionError::NoLocalAddress(TransportKind::Udp));
        }
        let conn = Box::new(Conn::new(id, config, &mut self.rng)?);
        let enabled = conn.enabled;
        self.conns.insert(id, conn);
        if enabled {
            self.set_status(id, ConnectionStatus::Registering, StatusReason::Command);
            self.start(now, id);
        } else {
            self.set_status(id, ConnectionStatus::Disabled, StatusReason::Command);
        }
        self.drain_table(now);
        Ok(())
    }

    /// Enables a connection: it registers again.
    pub fn enable_connection(
        &mut self,
        now: Instant,
        id: ConnectionId,
    ) -> Result<(), ConnectionError> {
        let c = self
            .conns
            .get_mut(&id)
            .ok_or(ConnectionError::Unknown(id))?;
        if c.enabled {
            return Ok(());
        }
        c.enabled = true;
        c.failures = 0;
        self.set_status(id, ConnectionStatus::Registering, StatusReason::Command);
        self.start(now, id);
        self.drain_table(now);
        Ok(())
    }

    /// Disables a connection: it unregisters (Expires 0) and stops retrying.
    pub fn disable_connection(
        &mut self,
        now: Instant,
        id: ConnectionId,
    ) -> Result<(), ConnectionError> {
        let c = self
            .conns
            .get_mut(&id)
            .ok_or(ConnectionError::Unknown(id))?;
        if !c.enabled {
            return Ok(());
        }
        // Calls end first, while the connection may still send their
        // BYE or CANCEL; after that it sends no new call request.
        self.end_calls_on(now, id);
        if let Some(c) = self.conns.get_mut(&id) {
            c.enabled = false;
        }
        self.stop(now, id, false);
        self.set_status(id, ConnectionStatus::Disabled, StatusReason::Command);
        self.drain_table(now);
        Ok(())
    }

    /// Removes a connection: it unregisters, and all traffic to its site
    /// ends when that transaction does (at most `probe_timeout` later).
    pub fn remove_connection(
        &mut self,
        now: Instant,
        id: ConnectionId,
    ) -> Result<(), ConnectionError> {
        if !self.conns.contains_key(&id) {
            return Err(ConnectionError::Unknown(id));
        }
        self.end_calls_on(now, id);
        self.set_status(id, ConnectionStatus::Removed, StatusReason::Command);
        self.stop(now, id, true);
        self.conns.remove(&id);
        self.drain_table(now);
        Ok(())
    }

    /// Every connection with its properties, in id order.
    pub fn connections(&self) -> Vec<ConnectionInfo> {
        self.conns.values().map(|c| c.info()).collect()
    }

    /// One connection's properties.
    pub fn connection(&self, id: ConnectionId) -> Option<ConnectionInfo> {
        self.conns.get(&id).map(|c| c.info())
    }

    /// Unregisters every connection (Expires 0) and stops all retries;
    /// the connections stay, disabled.
    pub fn shutdown(&mut self, now: Instant) {
        let ids: Vec<_> = self.conns.keys().copied().collect();
        for id in ids {
            let _ = self.disable_connection(now, id);
        }
    }

    /// Runs every timer that is due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.table.handle_timeout(now);
        self.drain_table(now);
        while let Some(i) = self.unregisters.iter().position(|u| u.deadline <= now) {
            let (tx, conn) = (self.unregisters[i].tx, self.unregisters[i].conn);
            self.finish_unregister(now, tx, conn);
        }
        while let Some((id, kind)) = self.timers.pop_due(now) {
            match kind {
                TimerKind::Register => self.on_register_timer(now, id),
                TimerKind::Probe => self.on_probe_timer(now, id),
                TimerKind::ProbeDeadline => self.on_probe_deadline(now, id),
            }
            self.drain_table(now);
        }
        self.run_call_timers(now);
        if self.abandon.iter().any(|(_, at)| *at <= now) {
            let (due, keep): (Vec<_>, Vec<_>) =
                self.abandon.drain(..).partition(|(_, at)| *at <= now);
            self.abandon = keep;
            for (tx, _) in due {
                // The owner stays: the Terminated event ends its story
                // (an INVITE's session is forgotten then).
                self.table.terminate(tx);
            }
            self.drain_table(now);
        }
    }

    /// The next thing to do.
    pub fn poll_output(&mut self) -> Option<Output> {
        let out = self.outputs.pop_front();
        if out.is_none() && self.outputs.capacity() > 1024 {
            // Drained after a burst: give the memory back.
            self.outputs = VecDeque::new();
        }
        out
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.table.next_deadline(),
            self.timers.next_deadline(),
            self.call_timers.next_deadline(),
            self.abandon.iter().map(|(_, at)| *at).min(),
            self.unregisters.iter().map(|u| u.deadline).min(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// An unregister ended (answered, failed or abandoned): end its
    /// transaction and close the flow if the connection no longer needs it.
    fn finish_unregister(&mut self, now: Instant, tx: TxId, conn: ConnectionId) {
        let Some(i) = self.unregisters.iter().position(|u| u.tx == tx) else {
            return;
        };
        let u = self.unregisters.swap_remove(i);
        self.owners.remove(&tx);
        self.table.terminate(tx);
        let in_use = self
            .conns
            .get(&conn)
            .is_some_and(|c| c.enabled && u.detached.is_none());
        if let (Some(flow), false) = (u.flow, in_use) {
            if self.flows.remove(&flow).is_some() {
                self.table.transport_failed(
                    now,
                    crate::transaction::TransportFailure::Flow(flow),
                    closed_by_us(),
                );
                self.outputs.push_back(Output::Close { flow });
            }
            if let Some(c) = self.conns.get_mut(&conn) {
                if c.flow.map(FlowState::id) == Some(flow) {
                    c.flow = None;
                }
            }
        }
    }

    /// Counters for diagnostics.
    pub fn stats(&self) -> Stats {
        Stats {
            transactions: self.table.len(),
            flows: self.flows.len(),
            unregistering: self.unregisters.len(),
            ..self.stats.clone()
        }
    }

    /// Raises the status event if the status changes.
    fn set_status(&mut self, id: ConnectionId, status: ConnectionStatus, reason: StatusReason) {
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        if c.status == status && c.announced {
            return;
        }
        c.announced = true;
        c.status = status;
        // Never log credentials: only ids, addresses and reasons.
        tracing::info!(connection = %id, server = %c.cfg.server, %status, %reason, "connection status changed");
        if !matches!(reason, StatusReason::Command) && status == ConnectionStatus::Unavailable {
            c.last_error = Some(reason.clone());
        }
        if status != ConnectionStatus::Available && status != ConnectionStatus::Registering {
            self.lost.push(id);
        }
        self.outputs
            .push_back(Output::Event(Event::ConnectionStatusChanged {
                id,
                user: c.cfg.user.clone(),
                server: c.cfg.server.clone(),
                transport: c.cfg.transport,
                status,
                reason,
            }));
    }

    /// Moves the transaction table's events into outputs and to their
    /// owners.
    fn drain_table(&mut self, now: Instant) {
        loop {
            while let Some(ev) = self.table.poll_event() {
                self.on_tx_event(now, ev);
            }
            // Calls whose connection went down move elsewhere (which may
            // queue more transaction events).
            let Some(id) = self.lost.pop() else { break };
            self.on_connection_lost(now, id);
        }
    }

    fn on_tx_event(&mut self, now: Instant, ev: TxEvent) {
        match ev {
            TxEvent::Transmit { dest, bytes, .. } => {
                self.outputs
                    .push_back(Output::Transmit(dest.transmit(bytes)));
            }
            TxEvent::Timeout { tx, .. } => {
                if let Some(p) = self.owners.get(&tx).copied() {
                    self.on_tx_failed(now, tx, p, StatusReason::Timeout);
                }
            }
            TxEvent::TransportError { tx, error } => {
                if let Some(p) = self.owners.get(&tx).copied() {
                    self.on_tx_failed(now, tx, p, StatusReason::Transport(error));
                }
            }
            TxEvent::Terminated { tx } => {
                if let Some(Purpose::Call(sid, call::CallTx::Invite)) = self.owners.remove(&tx) {
                    self.on_invite_terminated(sid, tx);
                }
                if self.owners.capacity() > 4 * self.owners.len() + 64 {
                    self.owners.shrink_to(2 * self.owners.len() + 16);
                }
            }
        }
    }

    /// A client transaction failed without a final response.
    fn on_tx_failed(&mut self, now: Instant, tx: TxId, purpose: Purpose, reason: StatusReason) {
        match purpose {
            Purpose::Register(id) => {
                if let Some(c) = self.conns.get_mut(&id).filter(|c| c.reg_tx == Some(tx)) {
                    c.reg_tx = None;
                    self.fail(now, id, reason, None, true);
                }
            }
            Purpose::Probe(id) => {
                if let Some(c) = self.conns.get_mut(&id).filter(|c| c.probe_tx == Some(tx)) {
                    c.probe_tx = None;
                    self.on_probe_failed(now, id, reason);
                }
            }
            Purpose::Unregister(id) => self.finish_unregister(now, tx, id),
            Purpose::Call(sid, kind) => {
                let timed_out = matches!(reason, StatusReason::Timeout);
                self.on_call_tx_failed(now, sid, kind, tx, timed_out);
            }
        }
    }

    /// Opens a stream flow for a connection.
    fn open_flow(&mut self, now: Instant, id: ConnectionId) {
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        let Some(remote) = c.remote else { return };
        let flow = FlowId(self.next_flow);
        self.next_flow += 1;
        c.flow = Some(FlowState::Connecting(flow));
        c.last_connect = Some(now);
        let transport = c.cfg.transport;
        let server_name = c
            .host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        self.flows.insert(
            flow,
            Flow {
                conn: id,
                remote,
                transport,
                framer: StreamFramer::new(FlowRole::Client, self.config.limits),
            },
        );
        self.outputs.push_back(Output::Connect {
            flow,
            remote,
            transport,
            server_name,
        });
        self.timers.set(
            (id, TimerKind::ProbeDeadline),
            now + self.config.connect_timeout,
        );
    }

    /// Closes a connection's flow, if it has one.
    fn close_flow(&mut self, now: Instant, id: ConnectionId) {
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        if let Some(f) = c.flow.take() {
            let flow = f.id();
            c.ping_out = false;
            // A flow the runtime already reported failed is not closed
            // again: each flow gets at most one Close.
            if self.flows.remove(&flow).is_some() {
                self.table.transport_failed(
                    now,
                    crate::transaction::TransportFailure::Flow(flow),
                    closed_by_us(),
                );
                self.outputs.push_back(Output::Close { flow });
            }
        }
    }

    /// Feeds received bytes or a transport event.
    pub fn handle_input(&mut self, now: Instant, input: Input<'_>) {
        match input {
            Input::Datagram {
                local,
                remote,
                data,
            } => {
                self.on_datagram(now, local, remote, data);
            }
            Input::StreamData { flow, data } => self.on_stream_data(now, flow, data),
            Input::FlowConnected { flow, local } => self.on_flow_connected(now, flow, local),
            Input::FlowFailed { flow, error } => self.on_flow_failed(now, flow, error),
            Input::Resolved { connection, result } => self.on_resolved(now, connection, result),
            Input::DatagramFailed { remote, error } => {
                self.table.transport_failed(
                    now,
                    crate::transaction::TransportFailure::Datagram(remote),
                    error,
                );
            }
        }
        self.drain_table(now);
    }
}

/// The error given to transactions on a flow the endpoint closes itself.
fn closed_by_us() -> TransportError {
    TransportError::Other("flow closed by the endpoint".into())
}
