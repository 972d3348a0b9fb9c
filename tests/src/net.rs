//! The seeded network between the one endpoint and the server sites.
//!
//! - UDP datagrams get the per-host [`LinkConfig`]: delay, jitter (and so
//!   reordering), loss and duplication, all drawn from one ChaCha8 RNG
//!   seeded from a `u64`, in the order things are sent.
//! - A host can be *cut off* (a WAN partition): datagrams to and from it
//!   are dropped without a word, both ways, and open flows go silent: their
//!   bytes wait for TCP's retransmissions, which get through once the cut
//!   ends (late), or kill the flow after
//!   [`NetConfig::stream_give_up`].
//! - A host's SIP service can be *stopped* (host up, ports closed): UDP to
//!   it draws ICMP port unreachable ([`TransportError::Refused`]) one RTT
//!   after sending, connects are refused after one RTT, and open flows are
//!   reset (the endpoint hears `FlowFailed(Reset)` one delay later).
//! - Stream flows (TCP, TLS) follow `Output::Connect`: `FlowConnected`
//!   after one RTT if the site listens; nothing if cut off, in which case
//!   the network plays the runtime's connect timeout
//!   ([`NetConfig::connect_timeout`]). SYNs are retransmitted as TCP does
//!   ([`NetConfig::syn_rto`]), so a connect survives a cut that ends before
//!   its timeout. Stream bytes are reliable and in order, with the link's
//!   delay only.
//!
//! Addresses are virtual (10.0.0.1 for the endpoint, 10.N.0.1 for sites);
//! nothing here touches a socket.

mod arrive;
mod delivery;
mod flow;
mod link;
mod park;
mod send;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use geosip_core::connection::ConnectionId;
use geosip_core::io::{FlowId, TransportError};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use delivery::{Delivery, EndpointInput, SiteInput};
pub use flow::{EndpointSide, Flow, SiteSide};
pub use link::LinkConfig;

/// Network-wide settings.
#[derive(Debug, Clone, PartialEq)]
pub struct NetConfig {
    /// The link of hosts added without one.
    pub default_link: LinkConfig,
    /// How long the simulated runtime waits for a connect to be answered
    /// before it reports `FlowFailed(ConnectTimeout)`. Default 5 s.
    pub connect_timeout: Duration,
    /// The first SYN retransmission timeout; later ones double, as in
    /// TCP (RFC 6298 §5.7 with the 1 s initial RTO of RFC 6298 §2.1):
    /// SYNs go at 0, 1, 3, 7 s... until the connect timeout, so a path
    /// restored while connecting lets the connect through. Default 1 s.
    pub syn_rto: Duration,
    /// The retransmission timeout of stream bytes that meet a cut; it
    /// doubles on each try (RFC 6298 §5.5). Default 200 ms (Linux's
    /// minimum RTO).
    pub stream_rto: Duration,
    /// How long stream bytes may stay unacknowledged before both ends give
    /// the flow up (Linux gives up after about 15 minutes). Default 900 s.
    pub stream_give_up: Duration,
    /// How long a name lookup takes. Default 1 ms.
    pub dns_delay: Duration,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            default_link: LinkConfig::default(),
            connect_timeout: Duration::from_secs(5),
            syn_rto: Duration::from_secs(1),
            stream_rto: Duration::from_millis(200),
            stream_give_up: Duration::from_secs(900),
            dns_delay: Duration::from_millis(1),
        }
    }
}

/// Counters of what the network did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetStats {
    /// Datagrams handed to the network (both directions).
    pub datagrams_sent: u64,
    /// Datagram copies delivered.
    pub datagrams_delivered: u64,
    /// Datagrams the link lost.
    pub datagrams_lost: u64,
    /// Datagrams the link duplicated.
    pub datagrams_duplicated: u64,
    /// Packets of any kind dropped because a host was cut off.
    pub dropped_by_cut: u64,
    /// Datagrams or connects refused because the service was stopped.
    pub refused: u64,
    /// Connects asked for.
    pub connects: u64,
    /// Flows the site reset.
    pub resets: u64,
    /// Packets to an address no host has.
    pub unroutable: u64,
}

/// A host on the network: a site's address and its state.
#[derive(Debug, Clone)]
struct Host {
    link: LinkConfig,
    /// Ports with a service listening; empty while stopped.
    listening: Vec<u16>,
    cut: bool,
}

#[derive(Debug, Clone)]
enum Packet {
    UdpToSite {
        from: SocketAddr,
        to: SocketAddr,
        data: Vec<u8>,
    },
    UdpToEndpoint {
        from: SocketAddr,
        to: SocketAddr,
        data: Vec<u8>,
    },
    Icmp {
        remote: SocketAddr,
    },
    Syn(FlowId),
    SynAck(FlowId),
    Rst(FlowId, TransportError),
    ConnectTimeout(FlowId),
    StreamToSite(FlowId, Vec<u8>),
    StreamToEndpoint(FlowId, Vec<u8>),
    Retransmit(FlowId, park::Direction),
    GiveUp(FlowId, park::Direction, Instant),
    Fin(FlowId),
    Dns(ConnectionId, Result<Vec<SocketAddr>, TransportError>),
}

#[derive(Debug)]
struct Pending {
    at: Instant,
    seq: u64,
    packet: Packet,
}

impl PartialEq for Pending {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Pending {
    // Reversed: BinaryHeap is a max-heap and the earliest must come first;
    // `seq` breaks ties in sending order.
    fn cmp(&self, o: &Self) -> Ordering {
        (o.at, o.seq).cmp(&(self.at, self.seq))
    }
}

/// The simulated network. See the module docs for its rules.
#[derive(Debug)]
pub struct Network {
    config: NetConfig,
    rng: ChaCha8Rng,
    endpoint_ip: IpAddr,
    hosts: BTreeMap<IpAddr, Host>,
    names: BTreeMap<String, IpAddr>,
    flows: BTreeMap<FlowId, Flow>,
    in_flight: BinaryHeap<Pending>,
    ready: VecDeque<Delivery>,
    seq: u64,
    next_port: u16,
    stats: NetStats,
    misuse: Vec<String>,
}

const FIRST_EPHEMERAL: u16 = 49152;

impl Network {
    /// A network whose endpoint is at `endpoint_ip`, with draws from `seed`.
    pub fn new(seed: u64, endpoint_ip: IpAddr, config: NetConfig) -> Self {
        Network {
            config,
            rng: ChaCha8Rng::seed_from_u64(seed),
            endpoint_ip,
            hosts: BTreeMap::new(),
            names: BTreeMap::new(),
            flows: BTreeMap::new(),
            in_flight: BinaryHeap::new(),
            ready: VecDeque::new(),
            seq: 0,
            next_port: FIRST_EPHEMERAL,
            stats: NetStats::default(),
            misuse: Vec::new(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &NetConfig {
        &self.config
    }

    /// Adds a host listening on `ports`, with the default link unless one
    /// is given.
    pub fn add_host(&mut self, ip: IpAddr, ports: &[u16], link: Option<LinkConfig>) {
        let link = link.unwrap_or(self.config.default_link);
        self.hosts.insert(
            ip,
            Host {
                link,
                listening: ports.to_vec(),
                cut: false,
            },
        );
    }

    /// Gives a host a name that `Output::Resolve` finds.
    pub fn add_name(&mut self, name: impl Into<String>, ip: IpAddr) {
        self.names.insert(name.into(), ip);
    }

    /// A host's link.
    pub fn link(&self, ip: IpAddr) -> Option<LinkConfig> {
        self.hosts.get(&ip).map(|h| h.link)
    }

    /// Changes a host's link; datagrams in flight keep their timing.
    pub fn set_link(&mut self, ip: IpAddr, link: LinkConfig) {
        if let Some(h) = self.hosts.get_mut(&ip) {
            h.link = link;
        }
    }

    /// Changes every host's link and the default.
    pub fn set_all_links(&mut self, link: LinkConfig) {
        self.config.default_link = link;
        for h in self.hosts.values_mut() {
            h.link = link;
        }
    }

    /// Whether the host is cut off.
    pub fn is_cut(&self, ip: IpAddr) -> bool {
        self.hosts.get(&ip).is_some_and(|h| h.cut)
    }

    /// Cuts a host off or restores it. While cut, nothing passes; stream
    /// bytes wait for TCP's retransmissions (see `park.rs`).
    pub fn set_cut(&mut self, ip: IpAddr, cut: bool) {
        let Some(h) = self.hosts.get_mut(&ip) else {
            return;
        };
        h.cut = cut;
    }

    /// Opens or closes the host's service ports. Closing resets every
    /// open flow to the host (the endpoint hears of it unless cut off).
    pub fn set_listening(&mut self, now: Instant, ip: IpAddr, ports: &[u16]) {
        let Some(h) = self.hosts.get_mut(&ip) else {
            return;
        };
        h.listening = ports.to_vec();
        let closing: Vec<FlowId> = self
            .flows
            .iter()
            .filter(|(_, f)| {
                f.remote.ip() == ip && f.site == SiteSide::Open && !ports.contains(&f.remote.port())
            })
            .map(|(id, _)| *id)
            .collect();
        for flow in closing {
            self.reset_from_site(now, flow);
        }
    }

    fn host_link(&self, ip: IpAddr) -> LinkConfig {
        self.hosts
            .get(&ip)
            .map(|h| h.link)
            .unwrap_or(self.config.default_link)
    }

    fn schedule(&mut self, at: Instant, packet: Packet) {
        self.seq += 1;
        self.in_flight.push(Pending {
            at,
            seq: self.seq,
            packet,
        });
    }

    fn note_misuse(&mut self, what: String) {
        if self.misuse.len() < 100 {
            self.misuse.push(what);
        }
    }

    /// When the next packet arrives, if any is in flight. Call it after
    /// [`poll_delivery`](Self::poll_delivery) returned `None`.
    pub fn next_arrival(&self) -> Option<Instant> {
        self.in_flight.peek().map(|p| p.at)
    }

    /// The next delivery due at or before `now`.
    pub fn poll_delivery(&mut self, now: Instant) -> Option<Delivery> {
        loop {
            if let Some(d) = self.ready.pop_front() {
                return Some(d);
            }
            if self.in_flight.peek().is_none_or(|p| p.at > now) {
                return None;
            }
            let p = self.in_flight.pop().expect("peeked");
            self.arrive(p.at, p.packet);
        }
    }

    /// Packets in flight (for memory bounds).
    pub fn in_flight(&self) -> usize {
        self.in_flight.len() + self.ready.len()
    }

    /// Flows the network still tracks (for memory bounds).
    pub fn flow_count(&self) -> usize {
        self.flows.len()
    }

    /// A flow's state.
    pub fn flow(&self, flow: FlowId) -> Option<&Flow> {
        self.flows.get(&flow)
    }

    /// Counters.
    pub fn stats(&self) -> &NetStats {
        &self.stats
    }

    /// Things the endpoint did that a runtime would reject (sending on a
    /// flow that is not connected, reusing a flow id); empty when all is
    /// well.
    pub fn misuse(&self) -> &[String] {
        &self.misuse
    }

    fn deliver_to_endpoint(&mut self, input: EndpointInput) {
        self.ready.push_back(Delivery::ToEndpoint(input));
    }

    fn deliver_to_site(&mut self, host: IpAddr, input: SiteInput) {
        self.ready.push_back(Delivery::ToSite { host, input });
    }
}
