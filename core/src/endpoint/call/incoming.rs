//! Inbound calls: a new INVITE (RFC 3261 §13.3), taken on the connection
//! it came in on and rung with 180; CANCEL (§9.2); answering with a 2xx
//! that is retransmitted until its ACK (§13.3.1.4) and rejecting; and the
//! source policy that keeps SIP scanners out.

use std::time::{Duration, Instant};

use crate::connection::ConnectionId;
use crate::dialog::Dialog;
use crate::event::Event;
use crate::io::Output;
use crate::message::{parse, HeaderName as H, Message, MessageWriter};
use crate::registration::request::contact_uri;
use crate::session::{CallDirection, CallError, SessionId, SessionReason, SessionStatus};
use crate::transaction::{Destination, TxId};

use super::super::Endpoint;
use super::outbound::{body_sdp, ALLOW};
use super::{CallTimer, InInvite, MediaState, PendingOk, Session};

/// A response to an INVITE: status, To tag, and for dialog-making
/// responses our Contact (from `conn`) and an SDP body.
struct Reply<'a> {
    code: u16,
    reason: &'a str,
    to_tag: &'a str,
    conn: Option<ConnectionId>,
    sdp: Option<&'a str>,
}

/// The longest auto-answer delay honoured; longer ones ring normally.
const MAX_AUTO_ANSWER: Duration = Duration::from_secs(3600);

impl Endpoint {
    /// Whether a request comes from one of our connections' sites: over a
    /// flow we opened, or from a site's address (RFC 3261 §26.3.2.2 leaves
    /// the policy to us; a softphone behind a site takes calls only from
    /// it).
    pub(in crate::endpoint) fn is_from_our_site(&self, from: &Destination) -> bool {
        if let Some(flow) = from.flow {
            return self.flows.contains_key(&flow);
        }
        self.conns
            .values()
            .any(|c| c.remote.is_some_and(|r| r.ip() == from.remote.ip()))
    }

    /// The connection an inbound request belongs to: the one whose site
    /// sent it and whose user the Request-URI names; else one whose site
    /// sent it; else (direct calls allowed) the one whose user it names.
    fn inbound_connection(&self, msg: &Message<'_>, from: &Destination) -> Option<ConnectionId> {
        let user = msg
            .parsed_request_uri()
            .and_then(Result::ok)
            .and_then(|u| u.as_sip().and_then(|s| s.user));
        let from_site = |c: &super::super::conn::Conn| match from.flow {
            Some(f) => c.flow.map(super::super::conn::FlowState::id) == Some(f),
            None => c.remote.is_some_and(|r| r.ip() == from.remote.ip()),
        };
        let enabled = || self.conns.values().filter(|c| c.enabled);
        enabled()
            .find(|c| from_site(c) && user == Some(c.cfg.user.as_str()))
            .or_else(|| enabled().find(|c| from_site(c)))
            .or_else(|| {
                self.config
                    .accept_direct_calls
                    .then(|| enabled().find(|c| user == Some(c.cfg.user.as_str())))
                    .flatten()
            })
            .or_else(|| {
                self.config
                    .accept_direct_calls
                    .then(|| enabled().next())
                    .flatten()
            })
            .map(|c| c.id)
    }

    /// Writes and sends a response to the INVITE of server transaction
    /// `tx` (or any request), with our Contact when it makes a dialog.
    fn respond_invite(
        &mut self,
        now: Instant,
        tx: TxId,
        req: &Message<'_>,
        reply: Reply<'_>,
    ) -> Option<Vec<u8>> {
        let Reply {
            code,
            reason,
            to_tag,
            conn,
            sdp,
        } = reply;
        let contact = conn.and_then(|id| {
            let c = self.conns.get(&id)?;
            let local = c.local(self.config.local_udp)?;
            Some(format!(
                "<{}>",
                contact_uri(&c.identity(local, &self.config.user_agent))
            ))
        });
        let mut buf = Vec::with_capacity(512);
        let mut w = MessageWriter::response_to(&mut buf, req, code, reason, Some(to_tag));
        // RFC 3261 §12.1.1: a response that makes a dialog copies the
        // Record-Route.
        if (101..300).contains(&code) {
            for rr in req.headers_named(H::RecordRoute) {
                w.header(H::RecordRoute, rr.value);
            }
            if let Some(c) = &contact {
                w.header(H::Contact, c);
            }
        }
        w.header(H::Allow, ALLOW)
            .header(H::UserAgent, &self.config.user_agent);
        if let Some(body) = sdp {
            w.header(H::ContentType, "application/sdp");
            w.finish(body.as_bytes());
        } else {
            w.finish(b"");
        }
        let _ = self.table.respond(now, tx, buf.clone());
        Some(buf)
    }

    /// A new INVITE outside any dialog (server transaction `tx`).
    pub(in crate::endpoint) fn on_new_invite(
        &mut self,
        now: Instant,
        tx: TxId,
        msg: &Message<'_>,
        from: Destination,
    ) {
        let tag = self.rng.token(10);
        let refuse = |ep: &mut Endpoint, code: u16, reason: &str| {
            ep.stats.rejected_requests += 1;
            ep.respond_invite(
                now,
                tx,
                msg,
                Reply {
                    code,
                    reason,
                    to_tag: &tag,
                    conn: None,
                    sdp: None,
                },
            );
        };
        // RFC 3261 §8.2.2.2: the same request reaching us again by another
        // path (a merged request: same From tag, Call-ID and CSeq, another
        // branch) gets 482.
        let merged = {
            let key = (
                msg.call_id().ok(),
                msg.from().ok().and_then(|f| f.tag()),
                msg.cseq().ok().map(|c| c.seq),
            );
            self.sessions.values().any(|s| {
                !s.ended
                    && s.direction == CallDirection::Inbound
                    && s.dialog.as_ref().is_some_and(|d| {
                        key.0 == Some(d.call_id.as_str())
                            && key.1 == Some(d.remote_tag.as_str())
                            && key.2.is_some()
                            && d.remote_seq == key.2
                    })
            })
        };
        if merged {
            refuse(self, 482, "Loop Detected");
            return;
        }
        let Some(conn) = self.inbound_connection(msg, &from) else {
            refuse(self, 404, "Not Found");
            return;
        };
        if let Err(CallError::TooMany(_)) = self.check_room() {
            refuse(self, 486, "Busy Here");
            return;
        }
        // An offer that does not parse or that we cannot take: 488
        // (RFC 3261 §13.3.1.3, RFC 3264 §6).
        if !msg.body().is_empty() {
            let usable = body_sdp(msg).is_some_and(|offer| {
                offer
                    .answer(
                        std::net::Ipv4Addr::LOCALHOST.into(),
                        9,
                        0,
                        Default::default(),
                    )
                    .accepts_media()
            });
            if !usable {
                refuse(self, 488, "Not Acceptable Here");
                return;
            }
        }
        let first_seq = (self.rng.next_u64() % 0x7fff_0000) as u32 + 1;
        let Ok(dialog) = Dialog::from_request(msg, &tag, first_seq) else {
            refuse(self, 400, "Bad Request");
            return;
        };
        let sid = self.new_session_id();
        let port = self.next_media_port();
        let session_id = self.rng.next_u64() >> 1;
        let addr = self.media_addr(conn);
        let mut request = Vec::with_capacity(1024);
        msg.write_to(&mut request);
        let remote = msg
            .from()
            .map(|f| f.uri.as_str().to_owned())
            .unwrap_or_default();
        let to = msg
            .to()
            .map(|t| t.uri.as_str().to_owned())
            .unwrap_or_default();
        self.sessions.insert(
            sid,
            Box::new(Session {
                id: sid,
                conn,
                direction: CallDirection::Inbound,
                status: SessionStatus::Ringing,
                remote: remote.clone(),
                destination: String::new(),
                dialog: Some(dialog),
                invite: None,
                incoming: Some(InInvite { tx, request }),
                pending_ok: None,
                reinvite: None,
                glare_retry: None,
                ack: None,
                media: MediaState::new(addr, port, session_id, None),
                auth: Default::default(),
                fell_back: false,
                ended: false,
            }),
        );
        self.owners
            .insert(tx, super::super::Purpose::Call(sid, super::CallTx::Other));
        // 180 with our tag: an early dialog on the far end, and the
        // caller hears ringing, even while another call talks (call
        // waiting).
        self.respond_invite(
            now,
            tx,
            msg,
            Reply {
                code: 180,
                reason: "Ringing",
                to_tag: &tag,
                conn: Some(conn),
                sdp: None,
            },
        );
        let auto_answer = if self.config.auto_answer {
            auto_answer_delay(msg)
        } else {
            None
        };
        tracing::info!(session = %sid, connection = %conn, from = %remote, ?auto_answer, "incoming call");
        self.outputs.push_back(Output::Event(Event::IncomingCall {
            session: sid,
            connection: conn,
            from: remote,
            to,
            auto_answer,
        }));
        self.outputs
            .push_back(Output::Event(Event::SessionStatusChanged {
                session: sid,
                connection: conn,
                direction: CallDirection::Inbound,
                status: SessionStatus::Ringing,
                reason: SessionReason::Remote,
            }));
        if let Some(d) = auto_answer {
            self.call_timers.set((sid, CallTimer::AutoAnswer), now + d);
        }
    }

    /// Answers a ringing inbound call with a 2xx and our SDP.
    pub(in crate::endpoint) fn answer_as(
        &mut self,
        now: Instant,
        sid: SessionId,
        reason: SessionReason,
    ) -> Result<(), CallError> {
        let s = self.live_session(sid)?;
        let Some(incoming) = &s.incoming else {
            return Err(CallError::InvalidState {
                session: sid,
                status: s.status,
                command: "answer",
            });
        };
        let (tx, request) = (incoming.tx, incoming.request.clone());
        self.hold_others(now, sid);
        let Ok(invite) = parse(&request) else {
            return Err(CallError::UnknownSession(sid));
        };
        let s = self.sessions.get_mut(&sid).expect("present");
        // The offer came in the INVITE: answer it. None came: offer in the
        // 2xx, and take the answer from the ACK (RFC 3264 §4).
        let sdp = match body_sdp(&invite) {
            Some(offer) => s.media.answer(offer),
            None => Some(s.media.offer(false)),
        };
        let Some(sdp) = sdp else {
            self.refuse_incoming(now, sid, 488);
            self.end_session(
                sid,
                SessionReason::SipError {
                    code: 488,
                    phrase: "Not Acceptable Here".into(),
                },
            );
            return Ok(());
        };
        let tag = s
            .dialog
            .as_ref()
            .map(|d| d.local_tag.clone())
            .unwrap_or_default();
        let conn = s.conn;
        let cseq = invite.cseq().map(|c| c.seq).unwrap_or(0);
        self.call_timers.cancel((sid, CallTimer::AutoAnswer));
        let dest = self.table.destination(tx);
        let body = sdp.to_string();
        let reply = Reply {
            code: 200,
            reason: "OK",
            to_tag: &tag,
            conn: Some(conn),
            sdp: Some(&body),
        };
        let ok = self.respond_invite(now, tx, &invite, reply);
        let s = self.sessions.get_mut(&sid).expect("present");
        s.incoming = None;
        if let Some(d) = s.dialog.as_mut() {
            d.state = crate::dialog::DialogState::Confirmed;
        }
        if let (Some(bytes), Some(dest)) = (ok, dest) {
            self.arm_ok(now, sid, bytes, dest, cseq);
        }
        self.set_session_status(sid, SessionStatus::Connected, reason);
        self.announce_media(sid);
        Ok(())
    }

    /// Keeps a 2xx of ours to send again until its ACK: T1, doubling up
    /// to T2, on unreliable transports; the ACK is awaited 64·T1 on any
    /// (RFC 3261 §13.3.1.4).
    pub(in crate::endpoint) fn arm_ok(
        &mut self,
        now: Instant,
        sid: SessionId,
        bytes: Vec<u8>,
        dest: Destination,
        cseq: u32,
    ) {
        let t = self.config.transactions.timers;
        let Some(s) = self.sessions.get_mut(&sid) else {
            return;
        };
        s.pending_ok = Some(PendingOk {
            bytes,
            dest,
            cseq,
            interval: t.t1,
            give_up: now + t.t1 * 64,
        });
        let first = if dest.is_reliable() { t.t1 * 64 } else { t.t1 };
        self.call_timers
            .set((sid, CallTimer::OkRetransmit), now + first);
    }

    /// The 2xx retransmission timer.
    pub(in crate::endpoint) fn on_ok_timer(&mut self, now: Instant, sid: SessionId) {
        let t2 = self.config.transactions.timers.t2;
        let Some(s) = self.sessions.get_mut(&sid) else {
            return;
        };
        let Some(ok) = s.pending_ok.as_mut() else {
            return;
        };
        if now >= ok.give_up {
            // No ACK: the dialog is confirmed but the session ends
            // (RFC 3261 §13.3.1.4).
            s.pending_ok = None;
            self.send_bye(now, sid);
            self.end_session(sid, SessionReason::timeout());
            return;
        }
        let (dest, bytes) = (ok.dest, ok.bytes.clone());
        ok.interval = (ok.interval * 2).min(t2);
        let next = (now + ok.interval).min(ok.give_up);
        self.transmit(dest, bytes);
        self.call_timers.set((sid, CallTimer::OkRetransmit), next);
    }

    /// An ACK for a 2xx of ours (it matched no transaction, or reached an
    /// INVITE server transaction in Accepted).
    pub(in crate::endpoint) fn on_ack(&mut self, now: Instant, msg: &Message<'_>) {
        let Some(sid) = self
            .sessions
            .values()
            .find(|s| !s.ended && s.dialog.as_ref().is_some_and(|d| d.accepts(msg)))
            .map(|s| s.id)
        else {
            return;
        };
        let seq = msg.cseq().map(|c| c.seq).ok();
        let s = self.sessions.get_mut(&sid).expect("present");
        if s.pending_ok.as_ref().map(|o| o.cseq) != seq {
            return;
        }
        s.pending_ok = None;
        self.call_timers.cancel((sid, CallTimer::OkRetransmit));
        // We offered in the 2xx: the ACK carries the answer (RFC 3264 §4).
        if s.media.pending_offer.is_some() {
            let hold = s.media.local_hold;
            let accepted = body_sdp(msg).is_some_and(|a| s.media.take_answer(a, hold));
            match accepted {
                true => self.announce_media(sid),
                false => {
                    // No usable answer to our offer: end the call.
                    self.send_bye(now, sid);
                    self.end_session(
                        sid,
                        SessionReason::SipError {
                            code: 488,
                            phrase: "Not Acceptable Here".into(),
                        },
                    );
                }
            }
        }
    }

    /// Answers a ringing inbound call with an error (reject or hangup).
    pub(in crate::endpoint) fn refuse_incoming(&mut self, now: Instant, sid: SessionId, code: u16) {
        let Some(s) = self.sessions.get_mut(&sid) else {
            return;
        };
        let Some(incoming) = s.incoming.take() else {
            return;
        };
        let tag = s
            .dialog
            .as_ref()
            .map(|d| d.local_tag.clone())
            .unwrap_or_default();
        self.call_timers.cancel((sid, CallTimer::AutoAnswer));
        if let Ok(invite) = parse(&incoming.request) {
            let reason = match code {
                486 => "Busy Here",
                487 => "Request Terminated",
                488 => "Not Acceptable Here",
                603 => "Decline",
                480 => "Temporarily Unavailable",
                _ => "Rejected",
            };
            self.respond_invite(
                now,
                incoming.tx,
                &invite,
                Reply {
                    code,
                    reason,
                    to_tag: &tag,
                    conn: None,
                    sdp: None,
                },
            );
        }
    }

    /// A CANCEL (server transaction `tx`): 200 to it, and 487 to the
    /// INVITE it cancels if that is still ringing (RFC 3261 §9.2).
    pub(in crate::endpoint) fn on_cancel(&mut self, now: Instant, tx: TxId, msg: &Message<'_>) {
        let invite_tx = self.table.find_invite_for_cancel(msg);
        let sid = invite_tx.and_then(|itx| {
            self.sessions
                .values()
                .find(|s| s.incoming.as_ref().is_some_and(|i| i.tx == itx))
                .map(|s| s.id)
        });
        let (code, reason) = if invite_tx.is_some() {
            (200, "OK")
        } else {
            (481, "Call/Transaction Does Not Exist")
        };
        let tag = self.rng.token(10);
        let mut buf = Vec::with_capacity(400);
        MessageWriter::response_to(&mut buf, msg, code, reason, Some(&tag))
            .header(H::UserAgent, &self.config.user_agent)
            .finish(b"");
        let _ = self.table.respond(now, tx, buf);
        if let Some(sid) = sid {
            self.refuse_incoming(now, sid, 487);
            self.end_session(sid, SessionReason::Remote);
        }
    }
}

/// The auto-answer delay a site asks for (third-party call control):
/// `Call-Info: <...>;answer-after=N`, or `Alert-Info` with `auto-answer`
/// or `info=alert-autoanswer` (at once).
fn auto_answer_delay(msg: &Message<'_>) -> Option<Duration> {
    for v in msg.header_values(H::CallInfo) {
        for param in v.split(';').skip(1) {
            let (name, value) = param.split_once('=').unwrap_or((param, ""));
            if name.trim().eq_ignore_ascii_case("answer-after") {
                let secs: u64 = value.trim().trim_matches('"').parse().ok()?;
                let d = Duration::from_secs(secs);
                return (d <= MAX_AUTO_ANSWER).then_some(d);
            }
        }
    }
    let auto = msg.header_values(H::AlertInfo).any(|v| {
        let v = v.to_ascii_lowercase();
        v.contains("auto-answer") || v.contains("alert-autoanswer")
    });
    auto.then_some(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::parse;

    fn with(header: &str) -> Option<Duration> {
        let raw = format!(
            "INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:c@d>;tag=1\r\n\
To: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n{header}\r\nContent-Length: 0\r\n\r\n"
        );
        auto_answer_delay(&parse(raw.as_bytes()).unwrap())
    }

    #[test]
    fn auto_answer_forms() {
        assert_eq!(
            with("Call-Info: <sip:site>;answer-after=3"),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            with("Call-Info: <sip:site> ; Answer-After = 0"),
            Some(Duration::ZERO)
        );
        assert_eq!(
            with("Alert-Info: <http://x>;info=alert-autoanswer"),
            Some(Duration::ZERO)
        );
        assert_eq!(
            with("Alert-Info: <http://x/auto-answer>"),
            Some(Duration::ZERO)
        );
        assert_eq!(with("Call-Info: <sip:site>;purpose=icon"), None);
        assert_eq!(with("Call-Info: <sip:site>;answer-after=x"), None);
        assert_eq!(with("Call-Info: <sip:site>;answer-after=99999"), None);
    }
}
