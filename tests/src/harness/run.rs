//! The event loop of [`Sim`]: advance virtual time to the next thing that
//! happens, deliver, run timers, drain outputs; with a livelock guard.

use std::time::{Duration, Instant};

use geosip_core::io::Output;

use crate::agent::Agent;
use crate::net::{Delivery, SiteInput};
use crate::record::{EventRecord, InboundRecord, TrafficKind, TrafficRecord};
use crate::site::SiteOutput;

use super::{Sim, ENDPOINT_UDP};

impl<A: Agent> Sim<A> {
    /// Runs for `d` of virtual time.
    pub fn run_for(&mut self, d: Duration) {
        let deadline = self.now() + d;
        while self.step(deadline) {}
    }

    /// Runs until `cond` holds (checked before the first step and after
    /// every step) or `max` of virtual time has passed; returns whether it
    /// held.
    pub fn run_until(&mut self, mut cond: impl FnMut(&Self) -> bool, max: Duration) -> bool {
        let deadline = self.now() + max;
        loop {
            if cond(self) {
                return true;
            }
            if !self.step(deadline) {
                return cond(self);
            }
        }
    }

    /// Runs until the instant `t` (an offset from the start of the run).
    pub fn run_to(&mut self, t: Duration) {
        let target = self.clock.at(t);
        let now = self.now();
        if target > now {
            self.run_for(target - now);
        }
    }

    /// One step: deliver what is due now and run due timers; if nothing
    /// was due, move the clock to the next thing that happens, but not past
    /// `deadline`. Returns false once the clock is at `deadline` and
    /// nothing is due.
    pub fn step(&mut self, deadline: Instant) -> bool {
        let now = self.now();
        let mut progressed = false;
        while let Some(d) = self.net.poll_delivery(now) {
            self.guard(now);
            self.dispatch(now, d);
            progressed = true;
        }
        if self.agent.poll_timeout().is_some_and(|t| t <= now) {
            self.guard(now);
            self.agent.handle_timeout(now);
            self.drain();
            progressed = true;
        }
        for i in 0..self.sites.len() {
            if self.sites[i].poll_timeout().is_some_and(|t| t <= now) {
                self.guard(now);
                let outs = self.sites[i].handle_timeout(now);
                self.send_site_outputs(now, outs);
                progressed = true;
            }
        }
        if progressed {
            return true;
        }
        let next = [self.agent.poll_timeout(), self.net.next_arrival()]
            .into_iter()
            .chain(self.sites.iter().map(|s| s.poll_timeout()))
            .flatten()
            .min();
        match next {
            Some(t) if t <= deadline => {
                self.clock.advance_to(t);
                true
            }
            _ => {
                self.clock.advance_to(deadline);
                false
            }
        }
    }

    fn guard(&mut self, now: Instant) {
        if self.guard_instant == Some(now) {
            self.guard_steps += 1;
            if self.guard_steps > self.max_steps_per_instant {
                panic!(
                    "geosip-sim: livelock: more than {} steps at virtual time {:?} \
                     (seed {}); the agent keeps asking for work at the same instant",
                    self.max_steps_per_instant,
                    self.clock.offset(now),
                    self.seed
                );
            }
        } else {
            self.guard_instant = Some(now);
            self.guard_steps = 1;
        }
    }

    fn dispatch(&mut self, now: Instant, delivery: Delivery) {
        match delivery {
            Delivery::ToEndpoint(input) => {
                self.agent.handle_input(now, input.as_input());
                self.inbound.push(InboundRecord {
                    at: now,
                    offset: self.clock.offset(now),
                    input,
                });
                self.drain();
            }
            Delivery::ToSite { host, input } => self.deliver_to_site(now, host, input),
        }
    }

    fn deliver_to_site(&mut self, now: Instant, host: std::net::IpAddr, input: SiteInput) {
        let Some(site) = self.sites.iter_mut().find(|s| s.ip() == host) else {
            return;
        };
        let outs = site.handle(now, input);
        self.send_site_outputs(now, outs);
    }

    /// Puts what a site sends into the network.
    pub(super) fn send_site_outputs(&mut self, now: Instant, outs: Vec<SiteOutput>) {
        for out in outs {
            match out {
                SiteOutput::Udp { from, to, data } => {
                    self.net.send_udp_from_site(now, from, to, data);
                }
                SiteOutput::Stream { flow, data } => {
                    self.net.send_stream_from_site(now, flow, data);
                }
                SiteOutput::Reset { flow } => self.net.reset_from_site(now, flow),
            }
        }
    }

    /// Drains the agent's outputs into the network and the logs.
    pub(super) fn drain(&mut self) {
        let now = self.now();
        let offset = self.clock.offset(now);
        while let Some(out) = self.agent.poll_output() {
            self.guard(now);
            match out {
                Output::Transmit(t) => {
                    let kind = if t.flow.is_some() {
                        TrafficKind::Stream
                    } else {
                        TrafficKind::Datagram
                    };
                    self.traffic.push(TrafficRecord {
                        at: now,
                        offset,
                        kind,
                        transport: t.transport,
                        flow: t.flow,
                        remote: t.remote,
                        data: t.data.clone(),
                    });
                    match t.flow {
                        Some(flow) => self.net.send_stream_from_endpoint(now, flow, t.data),
                        None => {
                            let from = t.local.unwrap_or(ENDPOINT_UDP);
                            self.net.send_udp_from_endpoint(now, from, t.remote, t.data);
                        }
                    }
                }
                Output::Connect {
                    flow,
                    remote,
                    transport,
                    ..
                } => {
                    self.traffic.push(TrafficRecord {
                        at: now,
                        offset,
                        kind: TrafficKind::Connect,
                        transport,
                        flow: Some(flow),
                        remote,
                        data: Vec::new(),
                    });
                    self.net.connect(now, flow, remote, transport);
                }
                Output::Resolve {
                    connection,
                    host,
                    port,
                    transport,
                } => {
                    let port = port.unwrap_or(transport.default_port());
                    self.net.resolve(now, connection, &host, port);
                }
                Output::Close { flow } => self.net.close_from_endpoint(now, flow),
                Output::Event(event) => self.events.push(EventRecord {
                    at: now,
                    offset,
                    event,
                }),
            }
        }
    }
}
