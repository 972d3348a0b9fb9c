//! Registration flow of each connection (RFC 3261 §10.2): first
//! REGISTER, digest challenges, refresh, 423, failures with RFC 5626 §4.5
//! back-off, and unregistering.

use std::time::{Duration, Instant};

use crate::auth::ChallengeVerdict;
use crate::connection::ConnectionId;
use crate::event::{ConnectionStatus, StatusReason};
use crate::io::TransportKind;
use crate::message::headers::{AuthValue, ProxyAuthenticate, WwwAuthenticate};
use crate::message::{HeaderName, Message};
use crate::registration::request::{contact_uri, write_register, Identity, RegisterRequest};
use crate::registration::{classify, refresh_delay, RegisterOutcome};
use crate::transaction::{Destination, TxId};

use super::conn::{Conn, FlowState, Phase};
use super::{Endpoint, EndpointConfig, Purpose, TimerKind};
use crate::rng::SipRng;

/// The most 423 answers followed in a row before giving up on a site.
const MAX_INTERVAL_RAISES: u32 = 3;

impl Endpoint {
    /// Starts (or restarts) registering: resolve, connect, then REGISTER.
    pub(super) fn start(&mut self, now: Instant, id: ConnectionId) {
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        if !c.enabled {
            return;
        }
        if c.remote.is_none() {
            c.phase = Phase::Resolving;
            self.outputs.push_back(crate::io::Output::Resolve {
                connection: id,
                host: c.host.clone(),
                port: c.port,
                transport: c.cfg.transport,
            });
            return;
        }
        if c.cfg.transport.is_stream() && !matches!(c.flow, Some(FlowState::Up(..))) {
            if c.flow.is_none() {
                c.phase = Phase::Connecting;
                self.open_flow(now, id);
            }
            return;
        }
        self.send_register(now, id, None);
    }

    /// Stops everything a connection does, sending an unregister if it
    /// may hold a binding (RFC 3261 §10.2.2: Expires 0 for our Contact).
    pub(super) fn stop(&mut self, now: Instant, id: ConnectionId, removing: bool) {
        for kind in [
            TimerKind::Register,
            TimerKind::Probe,
            TimerKind::ProbeDeadline,
        ] {
            self.timers.cancel((id, kind));
        }
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        let was_registered = c.registered_until.is_some_and(|t| t > now) || c.reg_tx.is_some();
        for tx in [c.reg_tx.take(), c.probe_tx.take()].into_iter().flatten() {
            self.owners.remove(&tx);
            self.table.terminate(tx);
        }
        let c = self.conns.get_mut(&id).expect("present");
        c.phase = Phase::Idle;
        c.registered_until = None;
        c.failures = 0;
        c.probing = false;
        let sent = if was_registered {
            build_register(&mut self.rng, &self.config, c, None, 0, &mut self.buf)
                .and_then(|dest| self.table.send_request(now, self.buf.clone(), dest).ok())
        } else {
            None
        };
        let Some(tx) = sent else {
            self.close_flow(now, id);
            return;
        };
        // The unregister is on its own now; it must not outlive the probe
        // timeout, so that a removal ends all traffic soon.
        let c = self.conns.get_mut(&id).expect("present");
        self.owners.insert(tx, Purpose::Unregister(id));
        let (flow, local) = match c.flow.take() {
            Some(FlowState::Up(f, l)) => (Some(f), Some(l)),
            Some(other) => (Some(other.id()), None),
            None => (None, None),
        };
        c.ping_out = false;
        let deadline = now + c.cfg.probe_timeout;
        let detached = if removing {
            self.conns.remove(&id)
        } else {
            None
        };
        self.unregisters.push(super::Unregister {
            tx,
            conn: id,
            deadline,
            flow,
            local,
            detached,
            challenged: false,
        });
    }

    /// The Register timer: a refresh or a retry.
    pub(super) fn on_register_timer(&mut self, now: Instant, id: ConnectionId) {
        let Some(c) = self.conns.get(&id) else { return };
        if !c.enabled || c.reg_tx.is_some() {
            return;
        }
        self.start(now, id);
    }

    /// Builds and sends a REGISTER; `challenge` holds the response to
    /// answer with credentials.
    pub(super) fn send_register(
        &mut self,
        now: Instant,
        id: ConnectionId,
        challenge: Option<&Message<'_>>,
    ) {
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        let Some(dest) = build_register(
            &mut self.rng,
            &self.config,
            c,
            challenge,
            c.expires,
            &mut self.buf,
        ) else {
            return;
        };
        if c.phase != Phase::Registered {
            c.phase = Phase::Registering;
        }
        match self.table.send_request(now, self.buf.clone(), dest) {
            Ok(tx) => {
                c.reg_tx = Some(tx);
                self.owners.insert(tx, Purpose::Register(id));
                // On a stream, watch the flow while the REGISTER waits (see
                // `on_probe_timer`); a registered connection's keep-alives
                // do that already.
                if c.phase == Phase::Registering && c.cfg.transport.is_stream() {
                    let at = now + c.cfg.probe_timeout;
                    let due = self.timers.get((id, TimerKind::Probe));
                    self.timers
                        .set((id, TimerKind::Probe), due.map_or(at, |d| d.min(at)));
                }
            }
            Err(_) => {
                // The table is full: try again later rather than lose the
                // connection.
                self.fail(
                    now,
                    id,
                    StatusReason::Timeout,
                    Some(Duration::from_secs(1)),
                    false,
                );
            }
        }
    }

    /// A final response to an unregister: done, unless it is the first
    /// challenge, which is answered once (registrars such as Kamailio
    /// authenticate unregisters too).
    pub(super) fn on_unregister_response(
        &mut self,
        now: Instant,
        tx: TxId,
        id: ConnectionId,
        resp: &Message<'_>,
    ) {
        let code = resp.status().unwrap_or(500);
        let Some(i) = self.unregisters.iter().position(|u| u.tx == tx) else {
            return;
        };
        if matches!(code, 401 | 407) && !self.unregisters[i].challenged {
            self.unregisters[i].challenged = true;
            let u = &mut self.unregisters[i];
            let attached = u.detached.is_none();
            let conn = match u.detached.as_deref_mut() {
                Some(c) => Some(c),
                None => self
                    .conns
                    .get_mut(&id)
                    .map(|c| &mut **c)
                    .filter(|c| !c.enabled),
            };
            if let Some(c) = conn {
                // Use the flow the unregister went out on.
                if let Some(flow) = u.flow {
                    if let Some(local) = self.flows.get(&flow).and(u.local) {
                        c.flow = Some(FlowState::Up(flow, local));
                    }
                }
                let dest =
                    build_register(&mut self.rng, &self.config, c, Some(resp), 0, &mut self.buf);
                if attached {
                    c.flow = None;
                }
                if let Some(dest) = dest {
                    if let Ok(new_tx) = self.table.send_request(now, self.buf.clone(), dest) {
                        self.owners.remove(&tx);
                        self.owners.insert(new_tx, Purpose::Unregister(id));
                        u.tx = new_tx;
                        return;
                    }
                }
            }
        }
        self.finish_unregister(now, tx, id);
    }

    /// A final response to a REGISTER of ours.
    pub(super) fn on_register_response(
        &mut self,
        now: Instant,
        id: ConnectionId,
        tx: TxId,
        resp: &Message<'_>,
    ) {
        let code = resp.status().unwrap_or(500);
        if code < 200 {
            return;
        }
        let local_udp = self.config.local_udp;
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        if c.reg_tx != Some(tx) {
            return;
        }
        c.reg_tx = None;
        self.owners.remove(&tx);
        let Some(local) = c.local(local_udp) else {
            return;
        };
        let ident_contact = {
            let ident = Identity {
                user: &c.cfg.user,
                domain: &c.domain,
                display_name: None,
                transport: c.cfg.transport,
                via: local,
                contact: c.learned_contact.unwrap_or(local),
                user_agent: "",
            };
            contact_uri(&ident)
        };
        // RFC 3581 §4: the registrar's view of our address.
        if c.cfg.reg_match_received_rport {
            if let Some(seen) = observed_address(resp, local) {
                if seen != c.learned_contact.unwrap_or(local) {
                    c.learned_contact = Some(seen);
                    if (200..300).contains(&code) {
                        // Register the address the registrar can reach.
                        self.send_register(now, id, None);
                        return;
                    }
                }
            }
        }
        let phrase = resp.reason().unwrap_or("").to_owned();
        match classify(resp, &ident_contact, c.expires) {
            RegisterOutcome::Registered { expires } => {
                c.failures = 0;
                c.probing = false;
                c.interval_raises = 0;
                c.phase = Phase::Registered;
                c.registered_until = Some(now + Duration::from_secs(u64::from(expires)));
                let refresh = refresh_delay(expires, c.cfg.reg_interval);
                let keepalive = c.cfg.keepalive_interval;
                self.timers.set((id, TimerKind::Register), now + refresh);
                self.timers.set((id, TimerKind::Probe), now + keepalive);
                // A ping still out (sent while the REGISTER waited) loses
                // its deadline here, so it must not block the next one.
                c.ping_out = false;
                self.timers.cancel((id, TimerKind::ProbeDeadline));
                self.set_status(
                    id,
                    ConnectionStatus::Available,
                    StatusReason::Sip { code, phrase },
                );
            }
            RegisterOutcome::Challenged => {
                let verdict = c.credentials.as_ref().map(|_| {
                    let (_, ch) = challenges(resp);
                    c.auth.classify(ch, c.sent_nonce.as_deref())
                });
                match verdict {
                    Some(ChallengeVerdict::Retry(_)) => self.send_register(now, id, Some(resp)),
                    _ => {
                        // No credentials, wrong ones, or nothing we can
                        // answer: the site refuses us (RFC 7616 §3.3).
                        self.fail(now, id, StatusReason::Sip { code, phrase }, None, false);
                    }
                }
            }
            RegisterOutcome::IntervalTooBrief { min_expires } => {
                c.interval_raises += 1;
                if c.interval_raises <= MAX_INTERVAL_RAISES {
                    // RFC 3261 §10.2.8: retry with at least Min-Expires.
                    c.expires = min_expires;
                    self.send_register(now, id, None);
                } else {
                    self.fail(now, id, StatusReason::Sip { code, phrase }, None, false);
                }
            }
            RegisterOutcome::Failed { code, retry_after } => {
                self.fail(
                    now,
                    id,
                    StatusReason::Sip { code, phrase },
                    retry_after,
                    false,
                );
            }
        }
    }

    /// The connection failed: Unavailable, then a retry after the
    /// back-off (or the Retry-After), and recovery probes if the site went
    /// silent rather than refusing.
    pub(super) fn fail(
        &mut self,
        now: Instant,
        id: ConnectionId,
        reason: StatusReason,
        retry_after: Option<Duration>,
        silent: bool,
    ) {
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        if !c.enabled {
            return;
        }
        let was_down = c.status == ConnectionStatus::Unavailable;
        c.failures = c.failures.saturating_add(1);
        c.registered_until = None;
        c.phase = Phase::Waiting;
        let wait = match retry_after {
            Some(r) => r,
            None => c.backoff.wait(c.failures, &mut self.rng),
        };
        c.probing = silent;
        let probe_every = c.cfg.probe_timeout;
        tracing::debug!(connection = %id, %reason, failures = c.failures, retry_in = ?wait, probing = silent, "registration failed");
        if let Some(tx) = c.probe_tx.take() {
            self.owners.remove(&tx);
            self.table.terminate(tx);
        }
        self.timers.set((id, TimerKind::Register), now + wait);
        self.timers.cancel((id, TimerKind::ProbeDeadline));
        if silent {
            // Keep an earlier probe if one is due: repeated failures must
            // not push the search for a returning site further out.
            let at = match self.timers.get((id, TimerKind::Probe)) {
                Some(t) if was_down && t > now => t.min(now + probe_every),
                _ => now + probe_every,
            };
            self.timers.set((id, TimerKind::Probe), at);
        } else {
            self.timers.cancel((id, TimerKind::Probe));
        }
        if silent
            && self
                .conns
                .get(&id)
                .is_some_and(|c| c.cfg.transport.is_stream())
        {
            self.close_flow(now, id);
        }
        self.set_status(id, ConnectionStatus::Unavailable, reason);
    }
}

/// Our address as the server saw it: Via `received` and `rport`
/// (RFC 3581 §4), when they differ from what we sent.
fn observed_address(
    resp: &Message<'_>,
    local: std::net::SocketAddr,
) -> Option<std::net::SocketAddr> {
    let via = resp.top_via().ok()?;
    let ip = match via.received() {
        Some(r) => r
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .ok()?,
        None => local.ip(),
    };
    let port = via.rport().flatten().unwrap_or(local.port());
    let _ = resp.header(HeaderName::Via);
    Some(std::net::SocketAddr::new(ip, port))
}

/// Writes a REGISTER for `c` into `buf` and returns where it goes: with
/// credentials answering `challenge`, or the cached nonce's (RFC 7616
/// §3.4: nc counts up) so that refreshes need no extra round trip.
pub(super) fn build_register(
    rng: &mut SipRng,
    config: &EndpointConfig,
    c: &mut Conn,
    challenge: Option<&Message<'_>>,
    expires: u32,
    buf: &mut Vec<u8>,
) -> Option<Destination> {
    let (Some(remote), Some(local)) = (c.remote, c.local(config.local_udp)) else {
        return None;
    };
    let dest = match (c.cfg.transport, c.flow) {
        (TransportKind::Udp, _) => Destination::udp(remote),
        (t, Some(FlowState::Up(flow, _))) => Destination::stream(remote, t, flow),
        _ => return None,
    };
    c.cseq = c.cseq.wrapping_add(1).max(1);
    let branch = rng.branch();
    let mut cnonce = String::new();
    rng.push_token(&mut cnonce, 16);
    let ident = Identity {
        user: &c.cfg.user,
        domain: &c.domain,
        display_name: c.cfg.display_name.as_deref(),
        transport: c.cfg.transport,
        via: local,
        contact: c.learned_contact.unwrap_or(local),
        user_agent: &config.user_agent,
    };
    let mut ruri = String::with_capacity(c.domain.len() + 4);
    ruri.push_str("sip:");
    ruri.push_str(&c.domain);
    let auth = match (challenge, &c.credentials) {
        (Some(resp), Some(creds)) => {
            let (proxy, ch) = challenges(resp);
            c.auth
                .respond(ch, proxy, creds, "REGISTER", &ruri, b"", &cnonce)
                .ok()
        }
        (None, Some(_)) => c
            .auth
            .authorize_with_cached("REGISTER", &ruri, b"", &cnonce),
        _ => None,
    };
    c.sent_nonce = auth.as_ref().map(|a| a.nonce.clone());
    write_register(
        buf,
        &ident,
        &RegisterRequest {
            branch: &branch,
            call_id: &c.call_id,
            from_tag: &c.from_tag,
            cseq: c.cseq,
            expires,
            credentials: auth.as_ref().map(|a| (a.name, a.value.as_str())),
        },
    );
    Some(dest)
}

/// The challenges of a 401 (WWW-Authenticate) or a 407
/// (Proxy-Authenticate), in the server's order, and whether they are the
/// proxy's.
fn challenges<'a>(resp: &Message<'a>) -> (bool, Vec<AuthValue<'a>>) {
    if resp.status() == Some(407) {
        let ch = resp.typed_all::<ProxyAuthenticate>().filter_map(Result::ok);
        (true, ch.map(|c| c.0).collect())
    } else {
        let ch = resp.typed_all::<WwwAuthenticate>().filter_map(Result::ok);
        (false, ch.map(|c| c.0).collect())
    }
}
