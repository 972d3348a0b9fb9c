//! Sending: what the endpoint and the sites put on the network (datagrams
//! with their link's faults, connects with TCP's SYN retransmissions,
//! stream bytes in order, closes and resets).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use geosip_core::connection::ConnectionId;
use geosip_core::io::{FlowId, TransportError, TransportKind};

use super::flow::in_order;
use super::link::{sample_copies, sample_delay};
use super::{EndpointSide, Flow, LinkConfig, Network, Packet, SiteSide, FIRST_EPHEMERAL};

impl Network {
    /// Sends a datagram from the endpoint to `to` (a site's address).
    pub fn send_udp_from_endpoint(
        &mut self,
        now: Instant,
        from: SocketAddr,
        to: SocketAddr,
        data: Vec<u8>,
    ) {
        let link = self.host_link(to.ip());
        self.send_datagram(now, link, Packet::UdpToSite { from, to, data });
    }

    /// Sends a datagram from a site (`from`) to the endpoint (`to`).
    pub fn send_udp_from_site(
        &mut self,
        now: Instant,
        from: SocketAddr,
        to: SocketAddr,
        data: Vec<u8>,
    ) {
        let link = self.host_link(from.ip());
        self.send_datagram(now, link, Packet::UdpToEndpoint { from, to, data });
    }

    pub(super) fn send_datagram(&mut self, now: Instant, link: LinkConfig, packet: Packet) {
        self.stats.datagrams_sent += 1;
        let copies = sample_copies(&link, &mut self.rng);
        match copies {
            0 => self.stats.datagrams_lost += 1,
            2 => self.stats.datagrams_duplicated += 1,
            _ => {}
        }
        for _ in 0..copies {
            let at = now + sample_delay(&link, &mut self.rng);
            self.schedule(at, packet.clone());
        }
    }

    /// The endpoint's `Output::Connect`: picks an ephemeral local port
    /// and sends the SYN.
    pub fn connect(
        &mut self,
        now: Instant,
        flow: FlowId,
        remote: SocketAddr,
        transport: TransportKind,
    ) {
        self.stats.connects += 1;
        if self.flows.contains_key(&flow) {
            self.note_misuse(format!("Connect reuses {flow:?}"));
            return;
        }
        let local = SocketAddr::new(self.endpoint_ip, self.next_port);
        self.next_port = self.next_port.checked_add(1).unwrap_or(FIRST_EPHEMERAL);
        self.flows
            .insert(flow, Flow::connecting(local, remote, transport));
        let delay = self.host_link(remote.ip()).delay;
        let timeout = self.config.connect_timeout;
        let (mut sent, mut rto) = (Duration::ZERO, self.config.syn_rto);
        while sent < timeout {
            self.schedule(now + sent + delay, Packet::Syn(flow));
            if rto.is_zero() {
                break;
            }
            sent += rto;
            rto *= 2;
        }
        self.schedule(now + timeout, Packet::ConnectTimeout(flow));
    }

    /// Stream bytes from the endpoint on `flow`.
    pub fn send_stream_from_endpoint(&mut self, now: Instant, flow: FlowId, data: Vec<u8>) {
        let Some(f) = self.flows.get_mut(&flow) else {
            self.note_misuse(format!("Transmit on unknown or closed {flow:?}"));
            return;
        };
        if f.endpoint != EndpointSide::Connected {
            let state = f.endpoint;
            self.note_misuse(format!("Transmit on {flow:?} while {state:?}"));
            return;
        }
        let delay = self
            .hosts
            .get(&f.remote.ip())
            .map_or(self.config.default_link.delay, |h| h.link.delay);
        let at = in_order(&mut f.last_to_site, now + delay);
        self.schedule(at, Packet::StreamToSite(flow, data));
    }

    /// Stream bytes from the site on `flow`.
    pub fn send_stream_from_site(&mut self, now: Instant, flow: FlowId, data: Vec<u8>) {
        let default_delay = self.config.default_link.delay;
        let Some(f) = self.flows.get_mut(&flow) else {
            return;
        };
        let delay = self
            .hosts
            .get(&f.remote.ip())
            .map_or(default_delay, |h| h.link.delay);
        let at = in_order(&mut f.last_to_endpoint, now + delay);
        self.schedule(at, Packet::StreamToEndpoint(flow, data));
    }

    /// The endpoint's `Output::Close`: a FIN to the site.
    pub fn close_from_endpoint(&mut self, now: Instant, flow: FlowId) {
        let Some(remote) = self.flows.get(&flow).map(|f| f.remote) else {
            return;
        };
        let delay = self.host_link(remote.ip()).delay;
        let f = self.flows.get_mut(&flow).expect("flow");
        f.endpoint = EndpointSide::Done;
        if f.site == SiteSide::Open {
            let at = in_order(&mut f.last_to_site, now + delay);
            self.schedule(at, Packet::Fin(flow));
        } else {
            f.site = SiteSide::Closed;
            self.forget_if_finished(flow);
        }
    }

    /// The site resets `flow` (it stopped, or could not frame the stream).
    pub fn reset_from_site(&mut self, now: Instant, flow: FlowId) {
        let default_delay = self.config.default_link.delay;
        let Some(f) = self.flows.get_mut(&flow) else {
            return;
        };
        f.site = SiteSide::Closed;
        self.stats.resets += 1;
        if f.endpoint != EndpointSide::Done {
            let delay = self
                .hosts
                .get(&f.remote.ip())
                .map_or(default_delay, |h| h.link.delay);
            let at = in_order(&mut f.last_to_endpoint, now + delay);
            self.schedule(at, Packet::Rst(flow, TransportError::Reset));
        }
        self.forget_if_finished(flow);
    }

    /// The endpoint's `Output::Resolve`.
    pub fn resolve(&mut self, now: Instant, connection: ConnectionId, host: &str, port: u16) {
        let result = match self.names.get(&host.to_ascii_lowercase()) {
            Some(ip) => Ok(vec![SocketAddr::new(*ip, port)]),
            None => Err(TransportError::Other(format!("no such host {host}"))),
        };
        self.schedule(now + self.config.dns_delay, Packet::Dns(connection, result));
    }

    pub(super) fn forget_if_finished(&mut self, flow: FlowId) {
        if self.flows.get(&flow).is_some_and(Flow::is_finished) {
            self.flows.remove(&flow);
        }
    }
}
