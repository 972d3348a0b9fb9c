//! A simulated SIP server site: a registrar with digest auth that answers
//! REGISTER and OPTIONS over UDP, TCP and TLS, answers CRLFCRLF pings on
//! streams with a CRLF pong (RFC 5626 §3.5.1), absorbs retransmissions
//! like a server transaction (RFC 3261 §17.2.2), and records every request
//! it gets so that tests can assert on them.
//!
//! A site can be stopped (service down, ports closed; the network refuses
//! and resets), started again (a restart: bindings, nonces and flows are
//! lost) and switched into modes ([`SiteMode`]) or told to refuse users
//! with 403. Cutting a site off is the network's business
//! ([`Network::set_cut`](crate::net::Network::set_cut)); the site only
//! notes it.

mod calls;
mod config;
mod dialog;
mod far_end;
mod records;
mod registrar;
mod response;
pub mod sdp;
mod serve;
mod state;
mod stream;
mod timers;
mod uac;
mod uac_response;

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use geosip_core::io::{FlowId, TransportKind};
use geosip_core::message::parse;
use rand_chacha::rand_core::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use calls::{
    CallDirection, CallError, CallState, Exchange, FarEnd, Party, Peer, SiteCall, SiteCallId,
    SiteCallOptions,
};
pub use config::{SiteConfig, SiteId, SiteMode};
pub use records::{ReceivedRequest, SiteCounters, SiteOutput};
pub use registrar::{aor_of, Binding, RegisterVerdict, Registrar, Source};
pub use response::{response, response_with_body};
pub use sdp::SdpDirection;
pub use timers::{T1, T2};

use state::Phones;
use stream::SiteFlow;

use crate::net::SiteInput;

/// The UDP and TCP port of a site unless its [`SiteConfig::port`] says
/// otherwise.
pub const SIP_PORT: u16 = 5060;
/// The TLS port of a site unless its [`SiteConfig::tls_port`] says
/// otherwise.
pub const SIPS_PORT: u16 = 5061;

/// How long a server transaction remembers its response (Timer J,
/// 64·T1, RFC 3261 §17.2.2).
const TRANSACTION_MEMORY: Duration = Duration::from_secs(32);

/// Mixed into the site's seed for the calls' own RNG stream.
const CALL_STREAM: u64 = 0xCA11_5EED_0000_0001;

/// One SIP server site. See the module docs.
#[derive(Debug)]
pub struct Site {
    id: SiteId,
    config: SiteConfig,
    ip: IpAddr,
    /// The UDP/TCP port and the TLS port, from the config.
    ports: [u16; 2],
    rng: ChaCha8Rng,
    running: bool,
    cut: bool,
    mode: SiteMode,
    rejected: BTreeSet<String>,
    registrar: Registrar,
    transactions: BTreeMap<(String, String), (Instant, Vec<u8>)>,
    flows: BTreeMap<FlowId, SiteFlow>,
    requests: Vec<ReceivedRequest>,
    counters: SiteCounters,
    phones: Phones,
}

impl Site {
    /// A running site at `ip`, drawing nonces and tags from `seed`.
    pub fn new(id: SiteId, ip: IpAddr, config: SiteConfig, seed: u64) -> Self {
        let ports = [
            config.port.unwrap_or(SIP_PORT),
            config.tls_port.unwrap_or(SIPS_PORT),
        ];
        Site {
            id,
            config,
            ip,
            ports,
            rng: ChaCha8Rng::seed_from_u64(seed),
            running: true,
            cut: false,
            mode: SiteMode::Normal,
            rejected: BTreeSet::new(),
            registrar: Registrar::default(),
            transactions: BTreeMap::new(),
            flows: BTreeMap::new(),
            requests: Vec::new(),
            counters: SiteCounters::default(),
            // Calls draw from their own stream, so that REGISTER nonces and
            // tags stay what they were whether calls happen or not.
            phones: Phones::new(ChaCha8Rng::seed_from_u64(seed ^ CALL_STREAM)),
        }
    }

    /// The site's id.
    pub fn id(&self) -> SiteId {
        self.id
    }

    /// The settings.
    pub fn config(&self) -> &SiteConfig {
        &self.config
    }

    /// The settings, to change while running (e.g. Min-Expires).
    pub fn config_mut(&mut self) -> &mut SiteConfig {
        &mut self.config
    }

    /// The host address.
    pub fn ip(&self) -> IpAddr {
        self.ip
    }

    /// The address for a transport: the configured port (default 5060)
    /// for UDP and TCP, the TLS port (default 5061) for TLS.
    pub fn addr(&self, transport: TransportKind) -> SocketAddr {
        let port = match transport {
            TransportKind::Tls => self.ports[1],
            _ => self.ports[0],
        };
        SocketAddr::new(self.ip, port)
    }

    /// The ports the site listens on while running: the UDP/TCP port,
    /// then the TLS port.
    pub fn ports(&self) -> &[u16] {
        &self.ports
    }

    /// Whether the service runs.
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// Whether the site is cut off from the endpoint.
    pub fn is_cut(&self) -> bool {
        self.cut
    }

    /// Whether the endpoint can reach a working service.
    pub fn is_reachable(&self) -> bool {
        self.running && !self.cut
    }

    /// Stops the service: everything in memory is lost.
    pub fn stop(&mut self) {
        self.running = false;
        self.registrar = Registrar::default();
        self.transactions.clear();
        self.flows.clear();
        self.phones.clear();
    }

    /// Starts the service again after a stop.
    pub fn start(&mut self) {
        if !self.running {
            self.running = true;
            self.counters.restarts += 1;
        }
    }

    /// Notes that the network cut the site off or restored it.
    pub fn set_cut(&mut self, cut: bool) {
        self.cut = cut;
    }

    /// The mode.
    pub fn mode(&self) -> SiteMode {
        self.mode
    }

    /// Switches the mode.
    pub fn set_mode(&mut self, mode: SiteMode) {
        self.mode = mode;
    }

    /// Answers REGISTERs of `user` with 403 from now on.
    pub fn reject_user(&mut self, user: impl Into<String>) {
        self.rejected.insert(user.into());
    }

    /// Accepts `user` again.
    pub fn accept_user(&mut self, user: &str) {
        self.rejected.remove(user);
    }

    /// The bindings alive at `now`, by AOR (`user@host`).
    pub fn bindings(&self, now: Instant) -> BTreeMap<String, Vec<Binding>> {
        self.registrar.bindings(now)
    }

    /// Whether `user` has a binding at `now`, under any domain.
    pub fn is_bound(&self, now: Instant, user: &str) -> bool {
        self.bindings(now)
            .keys()
            .any(|aor| aor.split('@').next() == Some(user))
    }

    /// Every request received, in order.
    pub fn requests(&self) -> &[ReceivedRequest] {
        &self.requests
    }

    /// The requests of one method.
    pub fn requests_of<'s>(
        &'s self,
        method: &'s str,
    ) -> impl Iterator<Item = &'s ReceivedRequest> + 's {
        self.requests.iter().filter(move |r| r.method == method)
    }

    /// Counters.
    pub fn counters(&self) -> &SiteCounters {
        &self.counters
    }

    /// State the site holds that could grow: (transactions, flows, nonces).
    pub fn memory(&self) -> (usize, usize, usize) {
        (
            self.transactions.len(),
            self.flows.len(),
            self.registrar.nonce_count(),
        )
    }

    /// When the next call timer is due (ringing, hang-ups,
    /// retransmissions); `None` while stopped.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.running.then(|| self.phones.timers.next()).flatten()
    }

    /// Runs the call timers due at `now`; returns what to send.
    pub fn handle_timeout(&mut self, now: Instant) -> Vec<SiteOutput> {
        let mut out = Vec::new();
        while self.running {
            let Some(task) = self.phones.timers.pop_due(now) else {
                break;
            };
            self.run_task(now, task, &mut out);
        }
        out
    }

    /// Every call since the last start, in order.
    pub fn calls(&self) -> &[SiteCall] {
        &self.phones.calls
    }

    /// One call.
    pub fn call(&self, id: SiteCallId) -> Option<&SiteCall> {
        self.phones.get(id)
    }

    /// The last call, if any.
    pub fn last_call(&self) -> Option<&SiteCall> {
        self.phones.calls.last()
    }

    /// Answers the next re-INVITE from the endpoint with 491 Request
    /// Pending (RFC 3261 §14.2), once.
    pub fn set_glare_next_reinvite(&mut self) {
        self.phones.glare_next_reinvite = true;
    }

    /// Handles what the network delivered; returns what to send.
    pub fn handle(&mut self, now: Instant, input: SiteInput) -> Vec<SiteOutput> {
        let mut out = Vec::new();
        if !self.running {
            return out;
        }
        match input {
            SiteInput::Datagram { from, to, data } => {
                if !data.is_empty() && data.iter().all(|b| matches!(b, b'\r' | b'\n')) {
                    self.counters.udp_keepalives += 1;
                    return out;
                }
                let source = Source {
                    addr: from,
                    transport: TransportKind::Udp,
                };
                let peer = Peer::Udp {
                    local: to,
                    remote: from,
                };
                self.on_message(now, &data, source, peer, &mut out);
            }
            SiteInput::FlowOpened {
                flow,
                from,
                transport,
                ..
            } => {
                self.flows.insert(flow, SiteFlow::new(from, transport));
            }
            SiteInput::StreamData { flow, data } => self.on_stream(now, flow, &data, &mut out),
            SiteInput::FlowClosed { flow } => {
                self.flows.remove(&flow);
            }
        }
        out
    }

    /// One message from the endpoint; what it makes the site send goes to
    /// `out` (responses to `peer`).
    pub(super) fn on_message(
        &mut self,
        now: Instant,
        raw: &[u8],
        source: Source,
        peer: Peer,
        out: &mut Vec<SiteOutput>,
    ) {
        let Ok(msg) = parse(raw) else {
            self.counters.malformed += 1;
            return;
        };
        let Some(method) = msg.method() else {
            self.on_call_response(now, &msg, out);
            return;
        };
        self.counters.requests += 1;
        self.record(now, raw, &msg, source);
        if Site::is_call_request(&msg, method) {
            self.on_call_request(now, raw, &msg, source, peer, out);
            return;
        }
        let branch = msg
            .top_via()
            .ok()
            .and_then(|v| v.branch())
            .unwrap_or("")
            .to_owned();
        let key = (branch, method.as_str().to_owned());
        self.transactions
            .retain(|_, (at, _)| now.saturating_duration_since(*at) < TRANSACTION_MEMORY);
        if let Some((_, cached)) = self.transactions.get(&key) {
            self.counters.retransmissions += 1;
            out.push(peer.send(cached.clone()));
            return;
        }
        let resp = self.answer(now, &msg, method, source);
        self.transactions.insert(key, (now, resp.clone()));
        out.push(peer.send(resp));
    }

    fn token(&mut self) -> String {
        format!("{:016x}", self.rng.next_u64())
    }
}
