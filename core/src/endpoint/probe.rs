//! Noticing that a site died and that it came back (DESIGN §4): keep-alive
//! probes while registered, cheap recovery probes while down, and the
//! stream flow events that say the same faster.

use std::net::SocketAddr;
use std::time::Instant;

use crate::connection::ConnectionId;
use crate::event::StatusReason;
use crate::io::{FlowId, Output, Transmit, TransportError, TransportKind};
use crate::registration::request::{write_options, Identity};
use crate::transaction::{Destination, TransportFailure};
use crate::transport::{FlowRole, StreamFramer};

use super::conn::{FlowState, Phase};
use super::{Endpoint, Purpose, TimerKind};

impl Endpoint {
    /// The Probe timer: a keep-alive while registered, a recovery probe
    /// while down.
    pub(super) fn on_probe_timer(&mut self, now: Instant, id: ConnectionId) {
        let Some(c) = self.conns.get(&id) else { return };
        if !c.enabled {
            return;
        }
        match c.phase {
            Phase::Registered => {
                let every = c.cfg.keepalive_interval;
                self.timers.set((id, TimerKind::Probe), now + every);
                self.send_probe(now, id);
            }
            // No retransmissions on a stream: a REGISTER on a flow that
            // died silently would wait for Timer F (64·T1, 32 s). A ping
            // (RFC 5626 §3.5.1) left unanswered for the probe timeout finds
            // the dead flow sooner; the REGISTER's answer, if it comes,
            // ends this.
            Phase::Registering if c.cfg.transport.is_stream() && c.reg_tx.is_some() => {
                let every = c.cfg.probe_timeout;
                self.timers.set((id, TimerKind::Probe), now + every);
                self.send_probe(now, id);
            }
            Phase::Waiting if c.probing => {
                let every = c.cfg.probe_timeout;
                self.timers.set((id, TimerKind::Probe), now + every);
                if c.cfg.transport.is_stream() {
                    // A new connect is the probe: if it comes up, the
                    // REGISTER follows at once.
                    if c.flow.is_none() {
                        self.open_flow(now, id);
                    }
                } else {
                    self.send_probe(now, id);
                }
            }
            _ => {}
        }
    }

    /// Sends one probe and arms its deadline: OPTIONS on UDP, a CRLFCRLF
    /// ping on a stream flow (RFC 5626 §3.5.1).
    fn send_probe(&mut self, now: Instant, id: ConnectionId) {
        let local_udp = self.config.local_udp;
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        let Some(remote) = c.remote else { return };
        let deadline = now + c.cfg.probe_timeout;
        match (c.cfg.transport, c.flow) {
            (TransportKind::Udp, _) => {
                // Armed at all: a deadline already due pops in this same
                // round of timers, after this one.
                let waiting = self.timers.get((id, TimerKind::ProbeDeadline)).is_some();
                if c.probe_tx.is_some() && waiting {
                    // The last probe still waits for its answer: its
                    // deadline stands. Replacing it would push the deadline
                    // back at every tick when the keep-alive interval is no
                    // longer than the probe timeout, and a dead site would
                    // never be noticed.
                    return;
                }
                if let Some(tx) = c.probe_tx.take() {
                    self.owners.remove(&tx);
                    self.table.terminate(tx);
                }
                let Some(local) = c.local(local_udp) else {
                    return;
                };
                let ident = Identity {
                    user: &c.cfg.user,
                    domain: &c.domain,
                    display_name: None,
                    transport: TransportKind::Udp,
                    via: local,
                    contact: c.learned_contact.unwrap_or(local),
                    user_agent: &self.config.user_agent,
                };
                let branch = self.rng.branch();
                let call_id = self.rng.token(16);
                let tag = self.rng.token(8);
                write_options(
                    &mut self.buf,
                    &ident,
                    &c.probe_target(),
                    &branch,
                    &call_id,
                    &tag,
                );
                if let Ok(tx) =
                    self.table
                        .send_request(now, self.buf.clone(), Destination::udp(remote))
                {
                    c.probe_tx = Some(tx);
                    self.owners.insert(tx, Purpose::Probe(id));
                    self.timers.set((id, TimerKind::ProbeDeadline), deadline);
                }
            }
            (t, Some(FlowState::Up(flow, _))) if !c.ping_out => {
                c.ping_out = true;
                self.outputs.push_back(Output::Transmit(Transmit {
                    transport: t,
                    flow: Some(flow),
                    local: None,
                    remote,
                    data: StreamFramer::PING.to_vec(),
                }));
                self.timers.set((id, TimerKind::ProbeDeadline), deadline);
            }
            _ => {}
        }
    }

    /// The probe, ping or connect in flight had no answer in time.
    pub(super) fn on_probe_deadline(&mut self, now: Instant, id: ConnectionId) {
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        let connecting = matches!(c.flow, Some(FlowState::Connecting(_)));
        let outstanding = c.probe_tx.is_some() || c.ping_out || connecting;
        if let Some(tx) = c.probe_tx.take() {
            // Abandon it: its retransmissions must not go on for 32 s.
            self.owners.remove(&tx);
            self.table.terminate(tx);
        }
        c.ping_out = false;
        if !outstanding {
            // The probe already ended; nothing is overdue.
            return;
        }
        if connecting {
            self.close_flow(now, id);
            self.on_probe_failed(
                now,
                id,
                StatusReason::Transport(TransportError::ConnectTimeout),
            );
        } else {
            self.on_probe_failed(now, id, StatusReason::Timeout);
        }
    }

    /// A probe failed: a registered site is now down; a down one stays so.
    pub(super) fn on_probe_failed(&mut self, now: Instant, id: ConnectionId, reason: StatusReason) {
        // Whatever ended the probe, its deadline is moot now.
        self.timers.cancel((id, TimerKind::ProbeDeadline));
        let Some(c) = self.conns.get(&id) else { return };
        let stream = c.cfg.transport.is_stream();
        match c.phase {
            // A REGISTER retry started while a recovery probe was out: let
            // the REGISTER run; its retransmissions reach a returning site
            // sooner than the next probe would, and its own outcome decides.
            // Not on a stream, where nothing is retransmitted: there an
            // unanswered ping means the flow, and the REGISTER on it, died.
            Phase::Registering if !stream => {}
            Phase::Registering | Phase::Registered | Phase::Connecting => {
                if let Some(tx) = self.conns.get_mut(&id).and_then(|c| c.reg_tx.take()) {
                    self.owners.remove(&tx);
                    self.table.terminate(tx);
                }
                self.fail(now, id, reason, None, true);
            }
            _ => {}
        }
    }

    /// Any answer to a probe: the site is alive. While down, register at
    /// once.
    pub(super) fn on_probe_answered(&mut self, now: Instant, id: ConnectionId) {
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        c.ping_out = false;
        c.probe_tx = None;
        self.timers.cancel((id, TimerKind::ProbeDeadline));
        let c = &self.conns[&id];
        if c.phase == Phase::Waiting && c.probing && c.reg_tx.is_none() {
            self.start(now, id);
        }
    }

    pub(super) fn on_resolved(
        &mut self,
        now: Instant,
        id: ConnectionId,
        result: Result<Vec<SocketAddr>, TransportError>,
    ) {
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        if c.phase != Phase::Resolving {
            return;
        }
        match result.ok().and_then(|a| a.first().copied()) {
            Some(addr) => {
                c.remote = Some(addr);
                c.phase = Phase::Idle;
                self.start(now, id);
            }
            None => self.fail(
                now,
                id,
                StatusReason::Transport(TransportError::Unreachable),
                None,
                false,
            ),
        }
    }

    pub(super) fn on_flow_connected(&mut self, now: Instant, flow: FlowId, local: SocketAddr) {
        let Some(f) = self.flows.get(&flow) else {
            return;
        };
        let id = f.conn;
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        if c.flow != Some(FlowState::Connecting(flow)) {
            return;
        }
        c.flow = Some(FlowState::Up(flow, local));
        self.timers.cancel((id, TimerKind::ProbeDeadline));
        if c.enabled && c.reg_tx.is_none() {
            self.send_register(now, id, None);
        }
    }

    pub(super) fn on_flow_failed(&mut self, now: Instant, flow: FlowId, error: TransportError) {
        let Some(f) = self.flows.remove(&flow) else {
            return;
        };
        self.table
            .transport_failed(now, TransportFailure::Flow(flow), error.clone());
        self.drain_table(now);
        let id = f.conn;
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        if c.flow.map(FlowState::id) != Some(flow) {
            return;
        }
        c.flow = None;
        c.ping_out = false;
        if let Some(tx) = c.reg_tx.take() {
            self.owners.remove(&tx);
        }
        if !c.enabled {
            return;
        }
        // A connect that was pending for a whole probe interval failed:
        // the site may have come back meanwhile (a SYN sent before it did
        // is not answered), so try again at once rather than at the next
        // probe tick.
        let retry_now = c
            .last_connect
            .is_some_and(|t| now.saturating_duration_since(t) >= c.cfg.probe_timeout);
        if c.phase == Phase::Waiting {
            // A recovery connect failed; the next probe tries again.
            self.timers.cancel((id, TimerKind::ProbeDeadline));
        } else {
            self.fail(now, id, StatusReason::Transport(error), None, true);
        }
        let c = &self.conns[&id];
        if retry_now && c.probing && c.flow.is_none() && c.phase == Phase::Waiting {
            self.open_flow(now, id);
        }
    }

    pub(super) fn on_stream_data(&mut self, now: Instant, flow: FlowId, data: &[u8]) {
        let Some(f) = self.flows.get_mut(&flow) else {
            return;
        };
        if f.framer.push(data).is_err() {
            self.on_flow_failed(now, flow, TransportError::Framing("buffer limit".into()));
            self.outputs.push_back(Output::Close { flow });
            return;
        }
        // Take the framer out while its frames are handled, so that the
        // parsed messages it lends can be handed to the endpoint without a
        // copy or a second parse. It goes back unless the flow went away.
        let (remote, transport, conn) = (f.remote, f.transport, f.conn);
        let idle = StreamFramer::new(FlowRole::Client, self.config.limits);
        let mut framer = std::mem::replace(&mut f.framer, idle);
        loop {
            if !self.flows.contains_key(&flow) {
                return;
            }
            let frame = match framer.next_frame() {
                Ok(Some(frame)) => frame,
                Ok(None) => break,
                Err(e) => {
                    self.stats.malformed += 1;
                    let e = TransportError::Framing(e.to_string());
                    self.on_flow_failed(now, flow, e);
                    self.outputs.push_back(Output::Close { flow });
                    return;
                }
            };
            match frame {
                crate::transport::Frame::Pong => {
                    let answered = self.conns.get(&conn).is_some_and(|c| c.ping_out);
                    if answered {
                        self.on_probe_answered(now, conn);
                    }
                }
                crate::transport::Frame::Ping => {
                    self.outputs.push_back(Output::Transmit(Transmit {
                        transport,
                        flow: Some(flow),
                        local: None,
                        remote,
                        data: StreamFramer::PONG.to_vec(),
                    }));
                }
                crate::transport::Frame::Message { message, .. } => {
                    let dest = Destination::stream(remote, transport, flow);
                    self.on_parsed(now, &message, dest);
                }
            }
        }
        if let Some(f) = self.flows.get_mut(&flow) {
            f.framer = framer;
        }
    }
}
