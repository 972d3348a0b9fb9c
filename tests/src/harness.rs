//! [`Sim`]: one agent (normally the [`Endpoint`]), a seeded network, and
//! SIP server sites, driven over virtual time.
//!
//! The loop (in `harness/run.rs`): the next instant is the earliest of the
//! agent's `poll_timeout()`, the network's next arrival and every running
//! site's `poll_timeout()` (calls: ringing, hang-ups, retransmissions);
//! the clock moves there, arrivals are delivered (to the agent or to a
//! site), due agent and site timers run, and after every call into the
//! agent or a site its outputs go into the network.
//! Every run is reproducible from its seed, and a run that panics prints
//! its seed (see the `Drop` impl).

mod run;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use geosip_core::connection::{ConnectionConfig, ConnectionError, ConnectionId};
use geosip_core::endpoint::{Endpoint, EndpointConfig};
use geosip_core::event::ConnectionStatus;
use geosip_core::io::TransportKind;

use crate::agent::Agent;
use crate::clock::VirtualClock;
use crate::net::{LinkConfig, NetConfig, Network};
use crate::record::{EventRecord, InboundRecord, StatusRecord, TrafficRecord};
use crate::site::{Site, SiteConfig, SiteId, SiteOutput, SIP_PORT};

/// The endpoint's host.
pub const ENDPOINT_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
/// The endpoint's UDP socket.
pub const ENDPOINT_UDP: SocketAddr = SocketAddr::new(ENDPOINT_IP, SIP_PORT);

/// How many steps may happen at one virtual instant before the harness
/// calls it a livelock.
pub const DEFAULT_MAX_STEPS_PER_INSTANT: usize = 100_000;

/// A seed for one part of a run, derived from the run's seed (SplitMix64),
/// so that the network, each site and the endpoint draw independently.
pub fn derive_seed(seed: u64, stream: u64) -> u64 {
    let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The endpoint's 32-byte RNG seed for a run seed.
pub fn endpoint_rng_seed(seed: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&derive_seed(seed, 1000 + i as u64).to_le_bytes());
    }
    out
}

/// What the simulator holds that could grow without bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemoryView {
    /// Packets in flight.
    pub in_flight: usize,
    /// Flows the network tracks.
    pub flows: usize,
    /// Server transactions the sites remember.
    pub site_transactions: usize,
    /// Flows the sites hold open.
    pub site_flows: usize,
    /// Nonces the sites remember.
    pub site_nonces: usize,
    /// The agent's live transactions, if it counts them.
    pub agent_transactions: Option<usize>,
}

/// The simulator. See the module docs.
pub struct Sim<A: Agent = Endpoint> {
    seed: u64,
    clock: VirtualClock,
    net: Network,
    sites: Vec<Site>,
    agent: A,
    events: Vec<EventRecord>,
    traffic: Vec<TrafficRecord>,
    inbound: Vec<InboundRecord>,
    guard_instant: Option<Instant>,
    guard_steps: usize,
    max_steps_per_instant: usize,
}

impl Sim<Endpoint> {
    /// A simulator with an [`Endpoint`] whose RNG seed and UDP address come
    /// from the run: one seed, one run.
    pub fn new(seed: u64) -> Self {
        Sim::with_config(seed, EndpointConfig::default(), NetConfig::default())
    }

    /// Like [`Sim::new`] with settings; `rng_seed` and `local_udp` are
    /// filled in from the seed and [`ENDPOINT_UDP`].
    pub fn with_config(seed: u64, mut config: EndpointConfig, net: NetConfig) -> Self {
        config.rng_seed = endpoint_rng_seed(seed);
        config.local_udp = Some(ENDPOINT_UDP);
        Sim::with_agent(seed, net, |now| Endpoint::new(config, now))
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.agent
    }

    /// Adds a connection now.
    pub fn add_connection(
        &mut self,
        id: ConnectionId,
        config: ConnectionConfig,
    ) -> Result<(), ConnectionError> {
        self.command(|ep, now| ep.add_connection(now, id, config))
    }

    /// Enables a connection now.
    pub fn enable_connection(&mut self, id: ConnectionId) -> Result<(), ConnectionError> {
        self.command(|ep, now| ep.enable_connection(now, id))
    }

    /// Disables a connection now.
    pub fn disable_connection(&mut self, id: ConnectionId) -> Result<(), ConnectionError> {
        self.command(|ep, now| ep.disable_connection(now, id))
    }

    /// Removes a connection now.
    pub fn remove_connection(&mut self, id: ConnectionId) -> Result<(), ConnectionError> {
        self.command(|ep, now| ep.remove_connection(now, id))
    }

    /// Shuts the endpoint down now.
    pub fn shutdown(&mut self) {
        self.command(|ep, now| ep.shutdown(now));
    }

    /// A connection config for `user` on `site` over `transport`, with the
    /// password the site has for the user.
    pub fn connection_config(
        &self,
        site: SiteId,
        user: &str,
        transport: TransportKind,
    ) -> ConnectionConfig {
        let s = self.site(site);
        let mut c = ConnectionConfig::new(user, s.addr(transport).to_string(), transport);
        c.password = s
            .config()
            .password(user)
            .map(geosip_core::connection::Secret::new);
        c
    }
}

impl<A: Agent> Sim<A> {
    /// A simulator around any agent, built at the run's start instant.
    pub fn with_agent(seed: u64, net: NetConfig, make: impl FnOnce(Instant) -> A) -> Self {
        let clock = VirtualClock::new();
        let agent = make(clock.now());
        let mut sim = Sim {
            seed,
            net: Network::new(derive_seed(seed, 1), ENDPOINT_IP, net),
            clock,
            sites: Vec::new(),
            agent,
            events: Vec::new(),
            traffic: Vec::new(),
            inbound: Vec::new(),
            guard_instant: None,
            guard_steps: 0,
            max_steps_per_instant: DEFAULT_MAX_STEPS_PER_INSTANT,
        };
        sim.drain();
        sim
    }

    /// The run's seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The current virtual instant.
    pub fn now(&self) -> Instant {
        self.clock.now()
    }

    /// Virtual time since the start.
    pub fn elapsed(&self) -> Duration {
        self.clock.elapsed()
    }

    /// The clock.
    pub fn clock(&self) -> &VirtualClock {
        &self.clock
    }

    /// Sets the livelock cap.
    pub fn set_max_steps_per_instant(&mut self, max: usize) {
        self.max_steps_per_instant = max;
    }

    /// The agent.
    pub fn agent(&self) -> &A {
        &self.agent
    }

    /// Runs a command on the agent at the current instant, then drains
    /// its outputs into the network.
    pub fn command<R>(&mut self, f: impl FnOnce(&mut A, Instant) -> R) -> R {
        let now = self.now();
        let r = f(&mut self.agent, now);
        self.drain();
        r
    }

    /// The network.
    pub fn net(&self) -> &Network {
        &self.net
    }

    /// The network, to change links.
    pub fn net_mut(&mut self) -> &mut Network {
        &mut self.net
    }

    /// Adds a running site at 10.N.0.1 (N = 1, 2, ...).
    pub fn add_site(&mut self, config: SiteConfig) -> SiteId {
        let id = SiteId(self.sites.len());
        let n = u8::try_from(self.sites.len() + 1).expect("at most 255 sites");
        let ip = IpAddr::V4(Ipv4Addr::new(10, n, 0, 1));
        let site = Site::new(id, ip, config, derive_seed(self.seed, 100 + id.0 as u64));
        self.net.add_host(ip, site.ports(), site.config().link);
        if let Some(name) = &site.config().host_name {
            self.net.add_name(name.to_ascii_lowercase(), ip);
        }
        self.sites.push(site);
        id
    }

    /// A site.
    pub fn site(&self, id: SiteId) -> &Site {
        &self.sites[id.0]
    }

    /// A site, to change its mode or users.
    pub fn site_mut(&mut self, id: SiteId) -> &mut Site {
        &mut self.sites[id.0]
    }

    /// Every site.
    pub fn sites(&self) -> &[Site] {
        &self.sites
    }

    /// The site's `host:port` for a transport, as a connection's `server`.
    pub fn server(&self, id: SiteId, transport: TransportKind) -> String {
        self.site(id).addr(transport).to_string()
    }

    /// Makes a site act now (e.g. place or hang up a call); what it sends
    /// goes into the network at once.
    ///
    /// ```
    /// use geosip_sim::scripted::ScriptedUa;
    /// use geosip_sim::site::{CallError, SiteCallOptions};
    /// use geosip_sim::{Sim, SiteConfig};
    ///
    /// let mut sim = Sim::with_agent(1, Default::default(), |_| ScriptedUa::new());
    /// let site = sim.add_site(SiteConfig::new("example.com"));
    /// let r = sim.site_command(site, |s, now| s.call_user(now, "1001", SiteCallOptions::default()));
    /// assert_eq!(r, Err(CallError::NotRegistered));
    /// ```
    pub fn site_command<R>(
        &mut self,
        id: SiteId,
        f: impl FnOnce(&mut Site, Instant) -> (R, Vec<SiteOutput>),
    ) -> R {
        let now = self.now();
        let (r, outs) = f(&mut self.sites[id.0], now);
        self.send_site_outputs(now, outs);
        r
    }

    /// Stops a site's service: ports close, flows reset, memory is lost.
    pub fn stop_site(&mut self, id: SiteId) {
        let now = self.now();
        let site = &mut self.sites[id.0];
        site.stop();
        let ip = site.ip();
        self.net.set_listening(now, ip, &[]);
    }

    /// Starts a stopped site again (a restart).
    pub fn start_site(&mut self, id: SiteId) {
        let now = self.now();
        let site = &mut self.sites[id.0];
        site.start();
        let (ip, ports) = (site.ip(), site.ports());
        self.net.set_listening(now, ip, ports);
    }

    /// Cuts a site off: silence both ways.
    pub fn cut_site(&mut self, id: SiteId) {
        let site = &mut self.sites[id.0];
        site.set_cut(true);
        self.net.set_cut(site.ip(), true);
    }

    /// Ends a cut.
    pub fn restore_site(&mut self, id: SiteId) {
        let site = &mut self.sites[id.0];
        site.set_cut(false);
        self.net.set_cut(site.ip(), false);
    }

    /// Changes one site's link.
    pub fn set_link(&mut self, id: SiteId, link: LinkConfig) {
        let ip = self.site(id).ip();
        self.net.set_link(ip, link);
    }

    /// Every event so far, with times.
    pub fn events(&self) -> &[EventRecord] {
        &self.events
    }

    /// The status changes of one connection, in order.
    pub fn status_events_for(&self, id: ConnectionId) -> Vec<StatusRecord> {
        self.events
            .iter()
            .filter_map(EventRecord::status)
            .filter(|s| s.id == id)
            .collect()
    }

    /// The last status reported for a connection.
    pub fn status_of(&self, id: ConnectionId) -> Option<ConnectionStatus> {
        self.status_events_for(id).last().map(|s| s.status)
    }

    /// Everything the agent sent, in order.
    pub fn traffic(&self) -> &[TrafficRecord] {
        &self.traffic
    }

    /// What the agent sent to a site's host (any port, any transport).
    pub fn traffic_to(&self, id: SiteId) -> impl Iterator<Item = &TrafficRecord> + '_ {
        let ip = self.site(id).ip();
        self.traffic.iter().filter(move |r| r.remote.ip() == ip)
    }

    /// Everything the network delivered to the agent, in order.
    pub fn inbound(&self) -> &[InboundRecord] {
        &self.inbound
    }

    /// When the agent last sent anything to a site.
    pub fn last_traffic_to(&self, id: SiteId) -> Option<Instant> {
        self.traffic_to(id).last().map(|r| r.at)
    }

    /// The traffic log, one line per record, independent of the base
    /// instant: two runs with one seed give equal traces.
    pub fn trace(&self) -> Vec<String> {
        self.traffic.iter().map(TrafficRecord::line).collect()
    }

    /// What could grow without bound.
    pub fn memory(&self) -> MemoryView {
        let mut m = MemoryView {
            in_flight: self.net.in_flight(),
            flows: self.net.flow_count(),
            agent_transactions: self.agent.transactions(),
            ..MemoryView::default()
        };
        for s in &self.sites {
            let (t, f, n) = s.memory();
            m.site_transactions += t;
            m.site_flows += f;
            m.site_nonces += n;
        }
        m
    }
}

impl<A: Agent> Drop for Sim<A> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "geosip-sim: the failed run had seed {} (virtual time {:?}); replay with that seed",
                self.seed,
                self.clock.elapsed()
            );
        }
    }
}
