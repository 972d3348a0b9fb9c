//! What happens when a packet reaches the far end: the rules for cut-off
//! hosts, stopped services and flow state, applied at arrival time so that
//! a fault that starts while a packet is in flight catches it.

use std::time::Instant;

use geosip_core::io::TransportError;

use super::flow::in_order;
use super::link::sample_delay;
use super::park::Direction;
use super::{EndpointInput, EndpointSide, Network, Packet, SiteInput, SiteSide};

impl Network {
    pub(super) fn arrive(&mut self, now: Instant, packet: Packet) {
        match packet {
            Packet::UdpToSite { from, to, data } => {
                let Some(host) = self.hosts.get(&to.ip()) else {
                    self.stats.unroutable += 1;
                    return;
                };
                if host.cut {
                    self.stats.dropped_by_cut += 1;
                } else if !host.listening.contains(&to.port()) {
                    // ICMP port unreachable travels back like a datagram.
                    self.stats.refused += 1;
                    let link = host.link;
                    let at = now + sample_delay(&link, &mut self.rng);
                    self.schedule(at, Packet::Icmp { remote: to });
                } else {
                    self.deliver_to_site(to.ip(), SiteInput::Datagram { from, to, data });
                }
            }
            Packet::UdpToEndpoint { from, to, data } => {
                if self.is_cut(from.ip()) {
                    self.stats.dropped_by_cut += 1;
                    return;
                }
                self.stats.datagrams_delivered += 1;
                self.deliver_to_endpoint(EndpointInput::Datagram {
                    local: to,
                    remote: from,
                    data,
                });
            }
            Packet::Icmp { remote } => {
                if self.is_cut(remote.ip()) {
                    self.stats.dropped_by_cut += 1;
                    return;
                }
                self.deliver_to_endpoint(EndpointInput::DatagramFailed {
                    remote,
                    error: TransportError::Refused,
                });
            }
            Packet::Syn(flow) => self.syn_arrives(now, flow),
            Packet::SynAck(flow) => {
                let Some(f) = self.flows.get(&flow) else {
                    return;
                };
                let cut = self.is_cut(f.remote.ip());
                let f = self.flows.get_mut(&flow).expect("flow");
                if cut || f.endpoint != EndpointSide::Connecting {
                    return;
                }
                f.endpoint = EndpointSide::Connected;
                let local = f.local;
                self.deliver_to_endpoint(EndpointInput::FlowConnected { flow, local });
            }
            Packet::Rst(flow, error) => {
                let Some(f) = self.flows.get(&flow) else {
                    return;
                };
                // A lost RST is not resent; the next bytes draw another.
                let cut = self.is_cut(f.remote.ip());
                let f = self.flows.get_mut(&flow).expect("flow");
                if cut || f.endpoint == EndpointSide::Done {
                    self.forget_if_finished(flow);
                    return;
                }
                f.endpoint = EndpointSide::Done;
                self.deliver_to_endpoint(EndpointInput::FlowFailed { flow, error });
                self.forget_if_finished(flow);
            }
            Packet::ConnectTimeout(flow) => {
                let Some(f) = self.flows.get_mut(&flow) else {
                    return;
                };
                if f.endpoint != EndpointSide::Connecting {
                    return;
                }
                f.endpoint = EndpointSide::Done;
                let site_open = f.site == SiteSide::Open;
                f.site = SiteSide::Closed;
                let host = f.remote.ip();
                self.deliver_to_endpoint(EndpointInput::FlowFailed {
                    flow,
                    error: TransportError::ConnectTimeout,
                });
                if site_open {
                    // The runtime gave up; the site's half-open flow goes.
                    self.deliver_to_site(host, SiteInput::FlowClosed { flow });
                }
                self.forget_if_finished(flow);
            }
            Packet::StreamToSite(flow, data) => self.stream_reaches_site(now, flow, data),
            Packet::StreamToEndpoint(flow, data) => {
                let Some(f) = self.flows.get(&flow) else {
                    return;
                };
                if self.is_cut(f.remote.ip()) || !f.parked_to_endpoint.is_empty() {
                    self.park(now, flow, Direction::ToEndpoint, data);
                } else {
                    self.stream_reaches_endpoint(flow, data);
                }
            }
            Packet::Retransmit(flow, dir) => self.retransmit(now, flow, dir),
            Packet::GiveUp(flow, dir, since) => self.give_up(flow, dir, since),
            // The site's end is told even across a cut: its own stack would
            // time the flow out, and the site holds nothing worth testing.
            Packet::Fin(flow) => {
                let Some(f) = self.flows.get_mut(&flow) else {
                    return;
                };
                if f.site != SiteSide::Open {
                    return;
                }
                f.site = SiteSide::Closed;
                let host = f.remote.ip();
                self.deliver_to_site(host, SiteInput::FlowClosed { flow });
                self.forget_if_finished(flow);
            }
            Packet::Dns(connection, result) => {
                self.deliver_to_endpoint(EndpointInput::Resolved { connection, result });
            }
        }
    }

    /// The SYN reaches the site's host: accept, refuse, or vanish.
    fn syn_arrives(&mut self, now: Instant, flow: super::FlowId) {
        let Some(f) = self.flows.get(&flow) else {
            return;
        };
        if f.endpoint != EndpointSide::Connecting || f.site == SiteSide::Closed {
            return;
        }
        let remote = f.remote;
        let Some(host) = self.hosts.get(&remote.ip()) else {
            self.stats.unroutable += 1;
            return;
        };
        if host.cut {
            self.stats.dropped_by_cut += 1;
            return;
        }
        if f.site == SiteSide::Open {
            // The SYN-ACK was lost: a retransmitted SYN draws another.
            let at = now + host.link.delay;
            self.schedule(at, Packet::SynAck(flow));
            return;
        }
        let delay = host.link.delay;
        let listening = host.listening.contains(&remote.port());
        let f = self.flows.get_mut(&flow).expect("flow");
        let at = in_order(&mut f.last_to_endpoint, now + delay);
        if listening {
            f.site = SiteSide::Open;
            let (local, transport) = (f.local, f.transport);
            self.schedule(at, Packet::SynAck(flow));
            self.deliver_to_site(
                remote.ip(),
                SiteInput::FlowOpened {
                    flow,
                    from: local,
                    to: remote,
                    transport,
                },
            );
        } else {
            f.site = SiteSide::Closed;
            self.stats.refused += 1;
            self.schedule(at, Packet::Rst(flow, TransportError::Refused));
        }
    }
}
