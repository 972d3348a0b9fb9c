//! Calls: INVITE sessions on top of dialogs (RFC 3261 §12–§15), with SDP
//! offer/answer and hold (RFC 3264), outbound fallback between sites,
//! inbound calls per connection, call waiting and third-party call
//! control.
//!
//! - `api`: the application's commands (the seed's ICallControl).
//! - `outbound`: dial, the INVITE's responses, CANCEL, fallback.
//! - `incoming`: a new INVITE, CANCEL, answer and reject, the 2xx
//!   retransmission of RFC 3261 §13.3.1.4, ACK.
//! - `in_dialog`: BYE, re-INVITE (hold and retrieve, both ways, 491
//!   glare) and the 3pcc NOTIFY.
//! - `media`: the session's SDP state.

mod api;
mod in_dialog;
mod incoming;
mod media;
mod outbound;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::auth::DigestClient;
use crate::connection::ConnectionId;
use crate::dialog::Dialog;
use crate::event::{ConnectionStatus, Event};
use crate::io::{Output, TransportKind};
use crate::registration::request::Identity;
use crate::session::{CallDirection, SessionId, SessionInfo, SessionReason, SessionStatus};
use crate::transaction::{Destination, TxId};

use super::conn::{Conn, FlowState};
use super::Endpoint;

pub(super) use media::MediaState;
pub(super) use outbound::ALLOW;

/// What a client transaction of a call is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CallTx {
    /// The initial INVITE.
    Invite,
    /// A re-INVITE of ours (hold or retrieve).
    ReInvite,
    /// Anything whose answer does not matter (BYE, CANCEL, the BYE of an
    /// extra forked dialog).
    Other,
}

/// A call's timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum CallTimer {
    /// Answer an inbound call the site asked to auto-answer.
    AutoAnswer,
    /// Retransmit our 2xx until its ACK comes (RFC 3261 §13.3.1.4).
    OkRetransmit,
    /// Send a re-INVITE again after a 491 (RFC 3261 §14.1).
    GlareRetry,
}

/// Our initial INVITE, until its final response.
#[derive(Debug)]
pub(super) struct OutInvite {
    pub tx: TxId,
    /// The INVITE as sent (for CANCEL and the dialog).
    pub request: Vec<u8>,
    pub dest: Destination,
    /// A provisional response came: CANCEL may be sent (RFC 3261 §9.1),
    /// and a timeout no longer moves the call to another site.
    pub provisional: bool,
    /// The application hung up before any provisional came.
    pub cancel_pending: bool,
    /// A final response came.
    pub answered: bool,
    pub call_id: String,
    pub from_tag: String,
    pub request_uri: String,
    pub cseq: u32,
    /// Credentials computed for the last challenge, and the nonce they use.
    pub sent_nonce: Option<String>,
    pub auth_retries: u8,
}

/// An inbound INVITE not yet answered with a final response.
#[derive(Debug)]
pub(super) struct InInvite {
    pub tx: TxId,
    /// The INVITE as received, to build the responses from.
    pub request: Vec<u8>,
}

/// A 2xx of ours to an INVITE, retransmitted until its ACK
/// (RFC 3261 §13.3.1.4).
#[derive(Debug)]
pub(super) struct PendingOk {
    pub bytes: Vec<u8>,
    pub dest: Destination,
    pub cseq: u32,
    pub interval: Duration,
    pub give_up: Instant,
}

/// A re-INVITE of ours in flight.
#[derive(Debug)]
pub(super) struct ReInvite {
    pub tx: TxId,
    /// Whether it holds (else it retrieves).
    pub hold: bool,
    pub reason: SessionReason,
    pub cseq: u32,
    pub dest: Destination,
}

/// One call.
#[derive(Debug)]
pub(super) struct Session {
    pub id: SessionId,
    pub conn: ConnectionId,
    pub direction: CallDirection,
    pub status: SessionStatus,
    /// The far end's URI.
    pub remote: String,
    /// What the application dialed, kept to dial again elsewhere.
    pub destination: String,
    pub dialog: Option<Dialog>,
    pub invite: Option<OutInvite>,
    pub incoming: Option<InInvite>,
    pub pending_ok: Option<PendingOk>,
    pub reinvite: Option<ReInvite>,
    /// A re-INVITE to send again after a 491: (hold, reason).
    pub glare_retry: Option<(bool, SessionReason)>,
    /// The ACK we sent for the 2xx of our INVITE, sent again for each
    /// retransmission of it (RFC 3261 §13.2.2.4).
    pub ack: Option<(Vec<u8>, Destination)>,
    pub media: MediaState,
    /// The digest state for INVITEs and re-INVITEs of this call.
    pub auth: DigestClient,
    /// Whether the call already moved to another connection once.
    pub fell_back: bool,
    /// Disconnected; kept only while its INVITE transaction may still
    /// bring a 2xx to ACK and end.
    pub ended: bool,
}

impl Session {
    pub fn info(&self) -> SessionInfo {
        SessionInfo {
            id: self.id,
            connection: self.conn,
            direction: self.direction,
            status: self.status,
            remote: self.remote.clone(),
            call_id: self
                .dialog
                .as_ref()
                .map(|d| d.call_id.clone())
                .or_else(|| self.invite.as_ref().map(|i| i.call_id.clone()))
                .unwrap_or_default(),
            local_sdp: self.media.local.as_ref().map(|s| s.to_string()),
            remote_sdp: self.media.remote.as_ref().map(|s| s.to_string()),
        }
    }

    /// Whether the call is up (talking or held either way).
    pub fn is_up(&self) -> bool {
        matches!(
            self.status,
            SessionStatus::Connected | SessionStatus::Held | SessionStatus::RemoteHeld
        )
    }

    /// The status that the hold flags give an established call.
    pub fn up_status(&self) -> SessionStatus {
        if self.media.local_hold {
            SessionStatus::Held
        } else if self.media.remote_hold {
            SessionStatus::RemoteHeld
        } else {
            SessionStatus::Connected
        }
    }
}

/// Where a connection's messages go and the address they come from.
#[derive(Debug, Clone, Copy)]
pub(super) struct Route {
    pub dest: Destination,
    pub local: SocketAddr,
}

impl Conn {
    /// The connection's site and our address towards it, if it can carry
    /// a message now.
    pub(super) fn route(&self, udp: Option<SocketAddr>) -> Option<Route> {
        let remote = self.remote?;
        let local = self.local(udp)?;
        let dest = match (self.cfg.transport, self.flow) {
            (TransportKind::Udp, _) => Destination::udp(remote),
            (t, Some(FlowState::Up(flow, _))) => Destination::stream(remote, t, flow),
            _ => return None,
        };
        Some(Route { dest, local })
    }

    /// Who we are on this connection, for requests and Contact.
    pub(super) fn identity<'a>(&'a self, local: SocketAddr, user_agent: &'a str) -> Identity<'a> {
        Identity {
            user: &self.cfg.user,
            domain: &self.domain,
            display_name: self.cfg.display_name.as_deref(),
            transport: self.cfg.transport,
            via: local,
            contact: self.learned_contact.unwrap_or(local),
            user_agent,
        }
    }

    /// Whether a call can go out on this connection now.
    pub(super) fn can_call(&self) -> bool {
        self.enabled && self.status == ConnectionStatus::Available
    }
}

impl Endpoint {
    /// Whether a destination can still be used: UDP, or a flow that is
    /// still open (a stored destination may name a flow that failed since).
    pub(super) fn is_live(&self, dest: &Destination) -> bool {
        dest.flow.is_none_or(|f| self.flows.contains_key(&f))
    }

    /// Where a call's messages on connection `id` go now, if anywhere.
    pub(super) fn call_route(&self, id: ConnectionId) -> Option<Route> {
        let c = self.conns.get(&id).filter(|c| c.enabled)?;
        c.route(self.config.local_udp)
            .filter(|r| self.is_live(&r.dest))
    }

    /// Starts a client transaction for call `sid` on connection `conn`:
    /// the one way a call's requests go out, so that one rule holds for
    /// all of them. A disabled or removed connection starts none (its calls
    /// ended when it was disabled, and its traffic must stop within the
    /// probe timeout), and a flow that failed meanwhile is not used.
    pub(super) fn start_call_tx(
        &mut self,
        now: Instant,
        sid: SessionId,
        conn: ConnectionId,
        bytes: Vec<u8>,
        dest: Destination,
        kind: CallTx,
    ) -> Option<TxId> {
        if !self.is_live(&dest) || !self.conns.get(&conn).is_some_and(|c| c.enabled) {
            return None;
        }
        let tx = self.table.send_request(now, bytes, dest).ok()?;
        self.owners.insert(tx, super::Purpose::Call(sid, kind));
        Some(tx)
    }

    /// Sends a message outside any transaction (an ACK for a 2xx, a 2xx
    /// again), unless its flow is gone.
    pub(super) fn transmit(&mut self, dest: Destination, bytes: Vec<u8>) {
        if self.is_live(&dest) {
            self.outputs
                .push_back(Output::Transmit(dest.transmit(bytes)));
        }
    }

    /// Raises the session event if the status changes.
    pub(super) fn set_session_status(
        &mut self,
        sid: SessionId,
        status: SessionStatus,
        reason: SessionReason,
    ) {
        let Some(s) = self.sessions.get_mut(&sid) else {
            return;
        };
        if s.status == status && !matches!(reason, SessionReason::Fallback { .. }) {
            return;
        }
        s.status = status;
        tracing::info!(session = %sid, connection = %s.conn, %status, %reason, "session status changed");
        self.outputs
            .push_back(Output::Event(Event::SessionStatusChanged {
                session: sid,
                connection: s.conn,
                direction: s.direction,
                status,
                reason,
            }));
    }

    /// Ends a call: Disconnected with `reason`. The session stays only
    /// while its INVITE transaction may still bring a 2xx.
    pub(super) fn end_session(&mut self, sid: SessionId, reason: SessionReason) {
        let Some(s) = self.sessions.get_mut(&sid) else {
            return;
        };
        if s.ended {
            return;
        }
        s.ended = true;
        s.pending_ok = None;
        s.glare_retry = None;
        s.incoming = None;
        if let Some(r) = s.reinvite.take() {
            self.owners
                .insert(r.tx, super::Purpose::Call(sid, CallTx::Other));
        }
        for t in [
            CallTimer::AutoAnswer,
            CallTimer::OkRetransmit,
            CallTimer::GlareRetry,
        ] {
            self.call_timers.cancel((sid, t));
        }
        self.set_session_status(sid, SessionStatus::Disconnected, reason);
        self.reap(sid);
    }

    /// Forgets an ended session once nothing about it is in flight.
    pub(super) fn reap(&mut self, sid: SessionId) {
        if self
            .sessions
            .get(&sid)
            .is_some_and(|s| s.ended && s.invite.is_none())
        {
            self.sessions.remove(&sid);
        }
    }

    /// Sends the SessionMedia event when both SDPs are known.
    pub(super) fn announce_media(&mut self, sid: SessionId) {
        let Some(s) = self.sessions.get(&sid) else {
            return;
        };
        if let (Some(l), Some(r)) = (&s.media.local, &s.media.remote) {
            self.outputs.push_back(Output::Event(Event::SessionMedia {
                session: sid,
                connection: s.conn,
                local_sdp: l.to_string(),
                remote_sdp: r.to_string(),
            }));
        }
    }

    /// The call timers that are due.
    pub(super) fn run_call_timers(&mut self, now: Instant) {
        while let Some((sid, t)) = self.call_timers.pop_due(now) {
            match t {
                CallTimer::AutoAnswer => {
                    let _ = self.answer_as(now, sid, SessionReason::Site);
                }
                CallTimer::OkRetransmit => self.on_ok_timer(now, sid),
                CallTimer::GlareRetry => self.on_glare_timer(now, sid),
            }
            self.drain_table(now);
        }
    }

    /// The application disables or removes a connection: its calls end
    /// (CANCEL, 480, or BYE, while the connection can still send them),
    /// and what they leave in flight is given up after the probe timeout,
    /// so that traffic to the site stops soon.
    pub(in crate::endpoint) fn end_calls_on(&mut self, now: Instant, id: ConnectionId) {
        let on_it: Vec<SessionId> = self
            .sessions
            .values()
            .filter(|s| s.conn == id && !s.ended)
            .map(|s| s.id)
            .collect();
        for &sid in &on_it {
            let s = &self.sessions[&sid];
            if s.incoming.is_some() {
                self.refuse_incoming(now, sid, 480);
            } else if let Some(inv) = s.invite.as_ref().filter(|i| !i.answered) {
                if inv.provisional {
                    self.cancel_invite(now, sid);
                } else {
                    // Nothing answered yet: no CANCEL may be sent
                    // (RFC 3261 §9.1); just stop.
                    let tx = inv.tx;
                    self.owners.remove(&tx);
                    self.table.terminate(tx);
                    if let Some(s) = self.sessions.get_mut(&sid) {
                        s.invite = None;
                    }
                }
            } else if s.dialog.is_some() {
                self.send_bye(now, sid);
            }
            self.end_session(sid, SessionReason::Local);
        }
        let deadline = now
            + self
                .conns
                .get(&id)
                .map(|c| c.cfg.probe_timeout)
                .unwrap_or(Duration::from_secs(4));
        // Also what calls that ended earlier still send to this site (a
        // BYE after a timeout).
        let site = self.conns.get(&id).and_then(|c| c.remote);
        let mut txs: Vec<TxId> = self
            .owners
            .iter()
            .filter(|(tx, p)| match p {
                super::Purpose::Call(sid, _) => {
                    on_it.contains(sid)
                        || (site.is_some()
                            && self.table.destination(**tx).map(|d| d.remote) == site)
                }
                _ => false,
            })
            .map(|(tx, _)| *tx)
            .collect();
        txs.sort_unstable();
        self.abandon
            .extend(txs.into_iter().map(|tx| (tx, deadline)));
        // The CANCELs, 480s and BYEs go out now, before the caller stops
        // the connection and closes its flow (a Transmit after the Close
        // would be on a closed flow).
        self.drain_table(now);
    }

    /// A connection stopped being able to carry calls (its site is down,
    /// or it was disabled or removed). Calls on it whose INVITE has had no
    /// answer yet move to another connection at once rather than waiting
    /// for Timer B (DESIGN §4). Calls still ringing through it cannot be
    /// completed through a dead site: they end with 408 (CANCEL and 480
    /// go out in case the site hears them). Established calls stay: their
    /// media does not pass through the site.
    pub(super) fn on_connection_lost(&mut self, now: Instant, id: ConnectionId) {
        let on_it: Vec<(SessionId, bool, bool)> = self
            .sessions
            .values()
            .filter(|s| s.conn == id && !s.ended)
            .map(|s| {
                let unanswered = s.invite.as_ref().is_some_and(|i| !i.answered);
                let silent = s
                    .invite
                    .as_ref()
                    .is_some_and(|i| !i.provisional && !i.cancel_pending && !i.answered);
                (s.id, silent, unanswered || s.incoming.is_some())
            })
            .collect();
        for (sid, silent, ringing) in on_it {
            if silent {
                self.retry_elsewhere(now, sid, 503);
            } else if ringing {
                if self
                    .sessions
                    .get(&sid)
                    .is_some_and(|s| s.incoming.is_some())
                {
                    self.refuse_incoming(now, sid, 480);
                } else {
                    self.cancel_invite(now, sid);
                }
                self.end_session(sid, SessionReason::timeout());
            }
        }
    }
}
