//! Outbound calls: the INVITE (RFC 3261 §13.2), its responses, digest
//! challenges (§22.2–§22.3), the ACK for a 2xx (§13.2.2.4), forked 2xx
//! (§13.2.2.4: ACK, then BYE the extra dialogs), CANCEL (§9.1), and the
//! move to another site when a site does not answer (DESIGN §4).

use std::time::Instant;

use crate::connection::ConnectionId;
use crate::dialog::{Dialog, InDialogRequest};
use crate::event::Event;
use crate::io::Output;
use crate::message::headers::{ProxyAuthenticate, WwwAuthenticate};
use crate::message::{parse, HeaderName as H, Message, MessageWriter, Method};
use crate::registration::request::{aor, contact_uri, via_value};
use crate::sdp::SessionDescription;
use crate::session::{SessionId, SessionReason, SessionStatus};
use crate::transaction::Destination;

use super::super::Endpoint;
use super::{CallTx, OutInvite, Route};

/// The methods we accept, for Allow (RFC 3261 §20.5).
pub(in crate::endpoint) const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY, INFO";

/// How many challenges in a row an INVITE answers before giving up.
const MAX_AUTH_RETRIES: u8 = 2;

fn phrase(code: u16) -> &'static str {
    match code {
        408 => "Request Timeout",
        488 => "Not Acceptable Here",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

impl Endpoint {
    /// The first Dialing event (the session starts in Dialing, so the
    /// usual de-duplication would swallow it).
    pub(super) fn announce_dialing(&mut self, sid: SessionId, reason: SessionReason) {
        let Some(s) = self.sessions.get(&sid) else {
            return;
        };
        tracing::info!(session = %sid, connection = %s.conn, %reason, "dialing");
        self.outputs
            .push_back(Output::Event(Event::SessionStatusChanged {
                session: sid,
                connection: s.conn,
                direction: s.direction,
                status: SessionStatus::Dialing,
                reason,
            }));
    }

    /// The Request-URI for the session's destination on its connection: a
    /// URI as given, or `sip:<user>@<domain>`.
    fn request_uri(&self, sid: SessionId) -> Option<String> {
        let s = self.sessions.get(&sid)?;
        if s.destination.contains(':') {
            return Some(s.destination.clone());
        }
        let c = self.conns.get(&s.conn)?;
        let scheme = if c.cfg.transport == crate::io::TransportKind::Tls {
            "sips"
        } else {
            "sip"
        };
        Some(format!("{scheme}:{}@{}", s.destination, c.domain))
    }

    /// Sends the session's INVITE: a new one, or (with `challenge`) the
    /// same one again with credentials, a new branch and CSeq + 1.
    pub(super) fn send_invite(
        &mut self,
        now: Instant,
        sid: SessionId,
        challenge: Option<&Message<'_>>,
    ) {
        let Some(ruri) = self.request_uri(sid) else {
            return;
        };
        let Some(s) = self.sessions.get(&sid) else {
            return;
        };
        let Some(Route { dest, local }) = self.call_route(s.conn) else {
            self.retry_elsewhere(now, sid, 503);
            return;
        };
        let Some(c) = self.conns.get(&s.conn) else {
            return;
        };
        let ident = c.identity(local, &self.config.user_agent);
        let contact = format!("<{}>", contact_uri(&ident));
        let via = via_value(&ident, &self.rng.branch());
        let from_header = aor(&ident, None);
        let credentials = c.credentials.clone();
        let s = self.sessions.get_mut(&sid).expect("present");
        let (call_id, from_tag, cseq, body) = match (&s.invite, challenge) {
            (Some(inv), Some(_)) => (
                inv.call_id.clone(),
                inv.from_tag.clone(),
                inv.cseq + 1,
                parse(&inv.request)
                    .map(|m| m.body().to_vec())
                    .unwrap_or_default(),
            ),
            _ => {
                let mut call_id = self.rng.token(20);
                call_id.push_str("@geosip");
                let offer = s.media.offer(false);
                (
                    call_id,
                    self.rng.token(10),
                    1,
                    offer.to_string().into_bytes(),
                )
            }
        };
        let mut cnonce = String::new();
        self.rng.push_token(&mut cnonce, 16);
        let auth = match (challenge, &credentials) {
            (Some(resp), Some(creds)) => {
                let (proxy, ch) = challenges(resp);
                s.auth
                    .respond(ch, proxy, creds, "INVITE", &ruri, &body, &cnonce)
                    .ok()
            }
            _ => None,
        };
        let retries = match (&s.invite, challenge) {
            (Some(inv), Some(_)) => inv.auth_retries + 1,
            _ => 0,
        };
        let mut buf = std::mem::take(&mut self.buf);
        let mut w = MessageWriter::request(&mut buf, Method::Invite, &ruri);
        let mut from = from_header;
        from.push_str(";tag=");
        from.push_str(&from_tag);
        w.header(H::Via, &via)
            .header(H::MaxForwards, "70")
            .header(H::From, &from)
            .header(H::To, &format!("<{ruri}>"))
            .header(H::CallId, &call_id)
            .header(H::CSeq, &format!("{cseq} INVITE"))
            .header(H::Contact, &contact)
            .header(H::Allow, ALLOW);
        if let Some(a) = &auth {
            w.header(a.name, &a.value);
        }
        w.header(H::UserAgent, &self.config.user_agent)
            .header(H::ContentType, "application/sdp");
        w.finish(&body);
        let request = buf.clone();
        self.buf = buf;
        if s.remote.is_empty() {
            s.remote = ruri.clone();
        }
        let conn = s.conn;
        match self.start_call_tx(now, sid, conn, request.clone(), dest, CallTx::Invite) {
            Some(tx) => {
                let s = self.sessions.get_mut(&sid).expect("present");
                if let Some(old) = s.invite.as_ref().map(|i| i.tx) {
                    self.owners.remove(&old);
                }
                s.invite = Some(OutInvite {
                    tx,
                    request,
                    dest,
                    provisional: false,
                    cancel_pending: false,
                    answered: false,
                    call_id,
                    from_tag,
                    request_uri: ruri,
                    cseq,
                    sent_nonce: auth.map(|a| a.nonce),
                    auth_retries: retries,
                });
            }
            None => self.end_session(
                sid,
                SessionReason::SipError {
                    code: 503,
                    phrase: "Service Unavailable".into(),
                },
            ),
        }
    }

    /// The INVITE got no answer (`code` 408) or its transport failed or
    /// its connection went down (503): the call moves once to another
    /// Available connection as a new dialog; otherwise it ends. At dial
    /// time (nothing sent yet) it just picks the connection.
    pub(super) fn retry_elsewhere(&mut self, now: Instant, sid: SessionId, code: u16) {
        let Some(s) = self.sessions.get(&sid) else {
            return;
        };
        if s.ended {
            return;
        }
        let from = s.conn;
        let sent = s.invite.is_some();
        let next = if sent && s.fell_back {
            None
        } else {
            self.conns
                .values()
                .find(|c| c.id != from && c.can_call())
                .map(|c| c.id)
        };
        let Some(next) = next else {
            let reason = if sent {
                SessionReason::SipError {
                    code,
                    phrase: phrase(code).to_owned(),
                }
            } else {
                SessionReason::NoConnection
            };
            if let Some(inv) = self.sessions.get_mut(&sid).and_then(|s| s.invite.take()) {
                self.owners.remove(&inv.tx);
                self.table.terminate(inv.tx);
            }
            self.end_session(sid, reason);
            return;
        };
        let addr = self.media_addr(next);
        let s = self.sessions.get_mut(&sid).expect("present");
        if let Some(inv) = s.invite.take() {
            // A new dialog on the other site (DESIGN §4): the old INVITE
            // is abandoned, as Timer B or the transport already ended it.
            self.owners.remove(&inv.tx);
            self.table.terminate(inv.tx);
            s.fell_back = true;
        }
        s.conn = next;
        s.dialog = None;
        s.auth = Default::default();
        s.media.addr = addr;
        s.media.pending_offer = None;
        s.media.local = None;
        s.remote = String::new();
        self.set_session_status(
            sid,
            SessionStatus::Dialing,
            SessionReason::Fallback { from, code },
        );
        self.send_invite(now, sid, None);
    }

    /// A response to our INVITE.
    pub(in crate::endpoint) fn on_invite_response(
        &mut self,
        now: Instant,
        sid: SessionId,
        tx: crate::transaction::TxId,
        resp: &Message<'_>,
    ) {
        let code = resp.status().unwrap_or(500);
        let Some(s) = self.sessions.get_mut(&sid) else {
            return;
        };
        let Some(inv) = s.invite.as_mut().filter(|i| i.tx == tx) else {
            return;
        };
        match code {
            100..=199 => {
                inv.provisional = true;
                if inv.cancel_pending {
                    inv.cancel_pending = false;
                    self.send_cancel(now, sid);
                    return;
                }
                if s.ended || code == 100 {
                    return;
                }
                if s.dialog.is_none() {
                    if let Ok(invite) = parse(&inv.request) {
                        s.dialog = Dialog::from_response(&invite, resp).ok();
                    }
                }
                self.set_session_status(sid, SessionStatus::Ringing, SessionReason::Remote);
            }
            200..=299 => self.on_invite_2xx(now, sid, resp),
            _ => {
                inv.answered = true;
                let retry = matches!(code, 401 | 407)
                    && !s.ended
                    && inv.auth_retries < MAX_AUTH_RETRIES
                    && self
                        .conns
                        .get(&s.conn)
                        .is_some_and(|c| c.credentials.is_some())
                    && {
                        let (_, ch) = challenges(resp);
                        matches!(
                            s.auth.classify(ch, inv.sent_nonce.as_deref()),
                            crate::auth::ChallengeVerdict::Retry(_)
                        )
                    };
                if retry {
                    self.send_invite(now, sid, Some(resp));
                } else if !s.ended {
                    let phrase = resp.reason().unwrap_or("").to_owned();
                    self.end_session(sid, SessionReason::SipError { code, phrase });
                }
            }
        }
    }

    /// A 2xx to our INVITE: the call is up (or, for a retransmission, the
    /// ACK goes again; for a second dialog of a forked INVITE, or a call
    /// hung up meanwhile, ACK and BYE).
    fn on_invite_2xx(&mut self, now: Instant, sid: SessionId, resp: &Message<'_>) {
        let Some(s) = self.sessions.get_mut(&sid) else {
            return;
        };
        let Some(inv) = s.invite.as_mut() else { return };
        inv.answered = true;
        let to_tag = resp.to().ok().and_then(|t| t.tag()).unwrap_or("");
        let confirmed = s
            .dialog
            .as_ref()
            .filter(|d| d.state == crate::dialog::DialogState::Confirmed);
        if let Some(d) = confirmed {
            if d.remote_tag == to_tag {
                // RFC 3261 §13.2.2.4: a retransmitted 2xx gets the same ACK.
                if let Some((ack, dest)) = s.ack.clone() {
                    self.transmit(dest, ack);
                }
                return;
            }
        }
        let Ok(invite) = parse(&inv.request) else {
            return;
        };
        let Ok(mut dialog) = Dialog::from_response(&invite, resp) else {
            return;
        };
        let dest = inv.dest;
        let cseq = inv.cseq;
        let conn = s.conn;
        if confirmed.is_some() || s.ended {
            // An extra dialog from a fork, or a call we already hung up:
            // it must be ACKed and then ended (RFC 3261 §13.2.2.4).
            self.send_ack(now, conn, &dialog, cseq, dest, None);
            self.bye_orphan(now, sid, &mut dialog, dest);
            return;
        }
        let ack = self.send_ack(now, conn, &dialog, cseq, dest, Some(sid));
        let s = self.sessions.get_mut(&sid).expect("present");
        s.ack = ack.map(|a| (a, dest));
        s.remote = dialog.remote_target.clone();
        s.dialog = Some(dialog);
        let answer = body_sdp(resp);
        let accepted = answer.is_some_and(|a| s.media.take_answer(a, false));
        if !accepted {
            // No usable answer: end the call properly (RFC 3264 §5).
            self.send_bye(now, sid);
            self.end_session(
                sid,
                SessionReason::SipError {
                    code: 488,
                    phrase: phrase(488).to_owned(),
                },
            );
            return;
        }
        self.set_session_status(sid, SessionStatus::Connected, SessionReason::Remote);
        self.announce_media(sid);
    }

    /// Sends the ACK for a 2xx within `dialog` (RFC 3261 §13.2.2.4: a new
    /// branch, the INVITE's CSeq number); returns it.
    pub(super) fn send_ack(
        &mut self,
        _now: Instant,
        conn: ConnectionId,
        dialog: &Dialog,
        cseq: u32,
        dest: Destination,
        _sid: Option<SessionId>,
    ) -> Option<Vec<u8>> {
        let c = self.conns.get(&conn)?;
        let local = c.local(self.config.local_udp)?;
        let ident = c.identity(local, &self.config.user_agent);
        let via = via_value(&ident, &self.rng.branch());
        let mut buf = Vec::with_capacity(512);
        dialog.write_request(
            &mut buf,
            &InDialogRequest {
                method: Method::Ack,
                cseq,
                via: &via,
                contact: None,
                extra: &[],
                content_type: None,
                body: b"",
                user_agent: &self.config.user_agent,
            },
        );
        self.transmit(dest, buf.clone());
        Some(buf)
    }

    /// Ends an extra dialog with a BYE nobody waits for.
    fn bye_orphan(&mut self, now: Instant, sid: SessionId, dialog: &mut Dialog, dest: Destination) {
        let Some(conn) = self.sessions.get(&sid).map(|s| s.conn) else {
            return;
        };
        // On a disabled connection, a 2xx that comes after the disable is
        // ACKed but not BYEd (start_call_tx refuses it).
        if let Some(bytes) = self.write_in_dialog(conn, dialog, Method::Bye, None, None, b"") {
            self.start_call_tx(now, sid, conn, bytes, dest, CallTx::Other);
        }
    }

    /// Writes a new request within `dialog` from connection `conn`
    /// (taking the next CSeq number).
    pub(super) fn write_in_dialog(
        &mut self,
        conn: ConnectionId,
        dialog: &mut Dialog,
        method: Method<'_>,
        extra: Option<(H, &str)>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Option<Vec<u8>> {
        let c = self.conns.get(&conn)?;
        let local = c.local(self.config.local_udp)?;
        let ident = c.identity(local, &self.config.user_agent);
        let via = via_value(&ident, &self.rng.branch());
        let contact = format!("<{}>", contact_uri(&ident));
        let cseq = dialog.next_seq();
        let extra: Vec<(H, &str)> = extra.into_iter().collect();
        let mut buf = Vec::with_capacity(512 + body.len());
        dialog.write_request(
            &mut buf,
            &InDialogRequest {
                method,
                cseq,
                via: &via,
                contact: (method == Method::Invite).then_some(contact.as_str()),
                extra: &extra,
                content_type,
                body,
                user_agent: &self.config.user_agent,
            },
        );
        Some(buf)
    }

    /// Hangs up our INVITE before its final response: CANCEL now if a
    /// provisional came, else as soon as one does (RFC 3261 §9.1).
    pub(super) fn cancel_invite(&mut self, now: Instant, sid: SessionId) {
        let Some(inv) = self.sessions.get_mut(&sid).and_then(|s| s.invite.as_mut()) else {
            return;
        };
        if inv.answered {
            // A final response came; a 2xx (if any) made a dialog to BYE.
            self.send_bye(now, sid);
        } else if inv.provisional {
            self.send_cancel(now, sid);
        } else {
            inv.cancel_pending = true;
        }
    }

    /// Sends the CANCEL of our INVITE (RFC 3261 §9.1): its Request-URI,
    /// top Via (same branch), Route, From, To, Call-ID and CSeq number.
    fn send_cancel(&mut self, now: Instant, sid: SessionId) {
        let Some(s) = self.sessions.get(&sid) else {
            return;
        };
        let conn = s.conn;
        let Some(inv) = s.invite.as_ref() else {
            return;
        };
        let Ok(invite) = parse(&inv.request) else {
            return;
        };
        let (Some(via), Some(from), Some(to), Ok(call_id)) = (
            invite.header_values(H::Via).next(),
            invite.header(H::From),
            invite.header(H::To),
            invite.call_id(),
        ) else {
            return;
        };
        let mut buf = Vec::with_capacity(512);
        let mut w = MessageWriter::request(&mut buf, Method::Cancel, &inv.request_uri);
        w.header(H::Via, via).header(H::MaxForwards, "70");
        for route in invite.headers_named(H::Route) {
            w.header(H::Route, route.value);
        }
        w.header(H::From, from)
            .header(H::To, to)
            .header(H::CallId, call_id)
            .header(H::CSeq, &format!("{} CANCEL", inv.cseq))
            .header(H::UserAgent, &self.config.user_agent);
        w.finish(b"");
        let (dest, invite_tx) = (inv.dest, inv.tx);
        self.start_call_tx(now, sid, conn, buf, dest, CallTx::Other);
        // RFC 3261 §9.1: with no final response 64·T1 after the CANCEL,
        // the INVITE transaction is given up.
        let give_up = now + self.config.transactions.timers.t1 * 64;
        self.abandon.push((invite_tx, give_up));
    }

    /// Sends a BYE in the session's dialog (RFC 3261 §15.1.1); nobody
    /// waits for its answer.
    pub(super) fn send_bye(&mut self, now: Instant, sid: SessionId) {
        let Some(s) = self.sessions.get_mut(&sid) else {
            return;
        };
        let Some(mut dialog) = s.dialog.take() else {
            return;
        };
        let conn = s.conn;
        let dest = self.call_route(conn).map(|r| r.dest);
        if let (Some(dest), Some(bytes)) = (
            dest,
            self.write_in_dialog(conn, &mut dialog, Method::Bye, None, None, b""),
        ) {
            self.start_call_tx(now, sid, conn, bytes, dest, CallTx::Other);
        }
        if let Some(s) = self.sessions.get_mut(&sid) {
            s.dialog = Some(dialog);
        }
    }

    /// The INVITE transaction of a session ended.
    pub(in crate::endpoint) fn on_invite_terminated(
        &mut self,
        sid: SessionId,
        tx: crate::transaction::TxId,
    ) {
        if let Some(s) = self.sessions.get_mut(&sid) {
            if s.invite.as_ref().is_some_and(|i| i.tx == tx) {
                s.invite = None;
            }
        }
        self.reap(sid);
    }
}

/// The challenges of a 401 or 407, and whether they are a proxy's.
fn challenges<'a>(resp: &Message<'a>) -> (bool, Vec<crate::message::headers::AuthValue<'a>>) {
    if resp.status() == Some(407) {
        let ch = resp.typed_all::<ProxyAuthenticate>().filter_map(Result::ok);
        (true, ch.map(|c| c.0).collect())
    } else {
        let ch = resp.typed_all::<WwwAuthenticate>().filter_map(Result::ok);
        (false, ch.map(|c| c.0).collect())
    }
}

/// The SDP body of a message, if it has one that parses.
pub(super) fn body_sdp(msg: &Message<'_>) -> Option<SessionDescription> {
    let body = msg.body();
    if body.is_empty() {
        return None;
    }
    let ct = msg.header(H::ContentType).unwrap_or("application/sdp");
    if !ct
        .trim()
        .to_ascii_lowercase()
        .starts_with("application/sdp")
    {
        return None;
    }
    SessionDescription::parse(std::str::from_utf8(body).ok()?).ok()
}
