//! Requests within a call's dialog: BYE (RFC 3261 §15), re-INVITE both
//! ways for hold and retrieve (§14, RFC 3264 §8.4) with 491 glare
//! handling (§14.1, §14.2), and the NOTIFY `Event: talk` / `Event: hold`
//! by which a contact-center site drives the phone (third-party call
//! control).

use std::time::{Duration, Instant};

use crate::event::Event;
use crate::io::Output;
use crate::message::{HeaderName as H, Message, MessageWriter, Method};
use crate::session::{CallDirection, SessionAction, SessionId, SessionReason};
use crate::transaction::TxId;

use super::super::Endpoint;
use super::outbound::{body_sdp, ALLOW};
use super::{CallTimer, CallTx, ReInvite};

impl Endpoint {
    /// Answers a request with a plain response (and `extra` headers).
    pub(in crate::endpoint) fn respond_plain(
        &mut self,
        now: Instant,
        tx: TxId,
        msg: &Message<'_>,
        code: u16,
        reason: &str,
        extra: &[(H, &str)],
    ) {
        let tag = self.rng.token(10);
        let mut buf = Vec::with_capacity(400);
        let mut w = MessageWriter::response_to(&mut buf, msg, code, reason, Some(&tag));
        for (name, value) in extra {
            w.header(*name, value);
        }
        w.header(H::UserAgent, &self.config.user_agent);
        w.finish(b"");
        if code >= 300 {
            self.stats.rejected_requests += 1;
        }
        let _ = self.table.respond(now, tx, buf);
    }

    /// A request with a To tag (server transaction `tx`): it must belong
    /// to one of our calls' dialogs (RFC 3261 §12.2.2), else 481.
    pub(in crate::endpoint) fn on_in_dialog_request(
        &mut self,
        now: Instant,
        tx: TxId,
        msg: &Message<'_>,
    ) {
        let Some(sid) = self
            .sessions
            .values()
            .find(|s| !s.ended && s.dialog.as_ref().is_some_and(|d| d.accepts(msg)))
            .map(|s| s.id)
        else {
            self.respond_plain(now, tx, msg, 481, "Call/Transaction Does Not Exist", &[]);
            return;
        };
        let seq = msg.cseq().map(|c| c.seq).unwrap_or(0);
        let in_order = self
            .sessions
            .get_mut(&sid)
            .and_then(|s| s.dialog.as_mut())
            .is_some_and(|d| d.take_remote_seq(seq));
        if !in_order {
            // RFC 3261 §12.2.2: a lower CSeq than seen before.
            self.respond_plain(now, tx, msg, 500, "Server Internal Error", &[]);
            return;
        }
        match msg.method() {
            Some(Method::Bye) => {
                self.respond_plain(now, tx, msg, 200, "OK", &[]);
                self.end_session(sid, SessionReason::Remote);
            }
            Some(Method::Invite) => self.on_reinvite(now, tx, sid, msg),
            Some(Method::Notify) => self.on_notify(now, tx, sid, msg),
            Some(Method::Info | Method::Options) => {
                self.respond_plain(now, tx, msg, 200, "OK", &[(H::Allow, ALLOW)]);
            }
            _ => self.respond_plain(now, tx, msg, 501, "Not Implemented", &[(H::Allow, ALLOW)]),
        }
    }

    /// A re-INVITE from the far end: it holds or retrieves us, or just
    /// refreshes the session.
    fn on_reinvite(&mut self, now: Instant, tx: TxId, sid: SessionId, msg: &Message<'_>) {
        let s = self.sessions.get_mut(&sid).expect("present");
        if s.reinvite.is_some() {
            // RFC 3261 §14.2: our own re-INVITE is pending (glare).
            self.respond_plain(now, tx, msg, 491, "Request Pending", &[]);
            return;
        }
        if s.pending_ok.is_some() || s.incoming.is_some() {
            // §14.2: an INVITE of theirs is still unacknowledged.
            let wait = (self.rng.next_u64() % 10).to_string();
            self.respond_plain(
                now,
                tx,
                msg,
                500,
                "Server Internal Error",
                &[(H::RetryAfter, &wait)],
            );
            return;
        }
        let before = s.status;
        let sdp = match body_sdp(msg) {
            Some(offer) => s.media.answer(offer),
            None if msg.body().is_empty() => Some(s.media.offer(s.media.local_hold)),
            None => None,
        };
        let Some(sdp) = sdp else {
            // Not acceptable: the call stays as it was (RFC 3261 §14.2).
            self.respond_plain(now, tx, msg, 488, "Not Acceptable Here", &[]);
            return;
        };
        if let Some(d) = s.dialog.as_mut() {
            d.refresh_target(msg);
        }
        let conn = s.conn;
        let tag = s
            .dialog
            .as_ref()
            .map(|d| d.local_tag.clone())
            .unwrap_or_default();
        let dest = self.table.destination(tx);
        let ok = self.respond_dialog(now, tx, msg, &tag, conn, &sdp.to_string());
        if let (Some(bytes), Some(dest)) = (ok, dest) {
            let cseq = msg.cseq().map(|c| c.seq).unwrap_or(0);
            self.arm_ok(now, sid, bytes, dest, cseq);
        }
        let s = self.sessions.get(&sid).expect("present");
        let (after, answered) = (s.up_status(), s.media.pending_offer.is_none());
        if after != before {
            self.set_session_status(sid, after, SessionReason::Remote);
        }
        if answered {
            self.announce_media(sid);
        }
    }

    /// A 200 with our SDP to a request in a dialog of connection `conn`.
    fn respond_dialog(
        &mut self,
        now: Instant,
        tx: TxId,
        msg: &Message<'_>,
        tag: &str,
        conn: crate::connection::ConnectionId,
        sdp: &str,
    ) -> Option<Vec<u8>> {
        let contact = {
            let c = self.conns.get(&conn)?;
            let local = c.local(self.config.local_udp)?;
            format!(
                "<{}>",
                crate::registration::request::contact_uri(
                    &c.identity(local, &self.config.user_agent)
                )
            )
        };
        let mut buf = Vec::with_capacity(1024);
        MessageWriter::response_to(&mut buf, msg, 200, "OK", Some(tag))
            .header(H::Contact, &contact)
            .header(H::Allow, ALLOW)
            .header(H::UserAgent, &self.config.user_agent)
            .header(H::ContentType, "application/sdp")
            .finish(sdp.as_bytes());
        let _ = self.table.respond(now, tx, buf.clone());
        Some(buf)
    }

    /// NOTIFY `Event: talk` answers a ringing call or retrieves a held one,
    /// `Event: hold` holds (the remote-control convention of contact-center
    /// SIP servers); 200 when acted on, 489 Bad Event for other packages
    /// (RFC 6665 §8.3.2).
    fn on_notify(&mut self, now: Instant, tx: TxId, sid: SessionId, msg: &Message<'_>) {
        let event = msg
            .header(H::Event)
            .map(|e| {
                e.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        let s = self.sessions.get(&sid).expect("present");
        let ringing_here = s.incoming.is_some();
        let held_by_us = s.media.local_hold;
        let up = s.is_up();
        let result = match event.as_str() {
            "talk" if ringing_here => self.answer_as(now, sid, SessionReason::Site),
            "talk" if held_by_us => self.change_hold(now, sid, false, SessionReason::Site),
            "talk" if up => Ok(()),
            "hold" if up => self.change_hold(now, sid, true, SessionReason::Site),
            "talk" | "hold" => {
                self.respond_plain(now, tx, msg, 403, "Forbidden", &[]);
                return;
            }
            _ => {
                self.respond_plain(
                    now,
                    tx,
                    msg,
                    489,
                    "Bad Event",
                    &[(H::AllowEvents, "talk, hold")],
                );
                return;
            }
        };
        match result {
            Ok(()) => self.respond_plain(now, tx, msg, 200, "OK", &[]),
            Err(_) => self.respond_plain(now, tx, msg, 491, "Request Pending", &[]),
        }
    }

    /// Sends a re-INVITE that holds (`hold`) or retrieves the far end.
    pub(in crate::endpoint) fn send_reinvite(
        &mut self,
        now: Instant,
        sid: SessionId,
        hold: bool,
        reason: SessionReason,
    ) {
        let Some(s) = self.sessions.get_mut(&sid) else {
            return;
        };
        let Some(mut dialog) = s.dialog.take() else {
            return;
        };
        let conn = s.conn;
        let offer = s.media.offer(hold).to_string();
        let route = self.call_route(conn);
        let bytes = self.write_in_dialog(
            conn,
            &mut dialog,
            Method::Invite,
            None,
            Some("application/sdp"),
            offer.as_bytes(),
        );
        let cseq = dialog.local_seq;
        self.sessions.get_mut(&sid).expect("present").dialog = Some(dialog);
        let sent = match (route, bytes) {
            (Some(r), Some(b)) => self
                .start_call_tx(now, sid, conn, b, r.dest, CallTx::ReInvite)
                .map(|tx| (tx, r.dest)),
            _ => None,
        };
        let Some((tx, dest)) = sent else {
            self.sessions
                .get_mut(&sid)
                .expect("present")
                .media
                .pending_offer = None;
            self.action_failed(
                sid,
                hold,
                SessionReason::SipError {
                    code: 503,
                    phrase: "Service Unavailable".into(),
                },
            );
            return;
        };
        let s = self.sessions.get_mut(&sid).expect("present");
        s.reinvite = Some(ReInvite {
            tx,
            hold,
            reason,
            cseq,
            dest,
        });
    }

    fn action_failed(&mut self, sid: SessionId, hold: bool, reason: SessionReason) {
        let Some(s) = self.sessions.get(&sid) else {
            return;
        };
        tracing::info!(session = %sid, hold, %reason, "re-INVITE failed; the call stays as it was");
        self.outputs
            .push_back(Output::Event(Event::SessionActionFailed {
                session: sid,
                connection: s.conn,
                action: if hold {
                    SessionAction::Hold
                } else {
                    SessionAction::Retrieve
                },
                reason,
            }));
    }

    /// A response to our re-INVITE.
    pub(in crate::endpoint) fn on_reinvite_response(
        &mut self,
        now: Instant,
        sid: SessionId,
        tx: TxId,
        resp: &Message<'_>,
    ) {
        let code = resp.status().unwrap_or(500);
        if code < 200 {
            return;
        }
        let Some(s) = self.sessions.get_mut(&sid) else {
            return;
        };
        let current = s.reinvite.as_ref().is_some_and(|r| r.tx == tx);
        if !current {
            // A retransmitted 2xx of an earlier re-INVITE: ACK it again.
            if (200..300).contains(&code) {
                if let Some((ack, dest)) = s.ack.clone() {
                    self.transmit(dest, ack);
                }
            }
            return;
        }
        let r = s.reinvite.take().expect("current");
        match code {
            200..=299 => {
                let (conn, dest) = (s.conn, r.dest);
                let Some(mut dialog) = s.dialog.take() else {
                    return;
                };
                dialog.refresh_target(resp);
                let ack = self.send_ack(now, conn, &dialog, r.cseq, dest, Some(sid));
                let s = self.sessions.get_mut(&sid).expect("present");
                s.dialog = Some(dialog);
                s.ack = ack.map(|a| (a, dest));
                let accepted = body_sdp(resp).is_some_and(|a| s.media.take_answer(a, r.hold));
                if accepted {
                    let status = s.up_status();
                    self.set_session_status(sid, status, r.reason);
                    self.announce_media(sid);
                } else {
                    s.media.pending_offer = None;
                    self.action_failed(
                        sid,
                        r.hold,
                        SessionReason::SipError {
                            code: 488,
                            phrase: "Not Acceptable Here".into(),
                        },
                    );
                }
            }
            491 => {
                // RFC 3261 §14.1: try again after a random wait, 2.1–4 s
                // if we own the Call-ID (we made the call), else 0–2 s,
                // in units of 10 ms.
                s.media.pending_offer = None;
                let ticks = if s.direction == CallDirection::Outbound {
                    210 + self.rng.next_u64() % 191
                } else {
                    self.rng.next_u64() % 201
                };
                s.glare_retry = Some((r.hold, r.reason));
                self.call_timers.set(
                    (sid, CallTimer::GlareRetry),
                    now + Duration::from_millis(ticks * 10),
                );
            }
            408 | 481 => {
                // RFC 3261 §12.2.1.2: the dialog is gone.
                let phrase = resp.reason().unwrap_or("").to_owned();
                self.send_bye(now, sid);
                self.end_session(sid, SessionReason::SipError { code, phrase });
            }
            _ => {
                s.media.pending_offer = None;
                let phrase = resp.reason().unwrap_or("").to_owned();
                self.action_failed(sid, r.hold, SessionReason::SipError { code, phrase });
            }
        }
    }

    /// The wait after a 491 is over: send the re-INVITE again, if the
    /// call still wants it.
    pub(in crate::endpoint) fn on_glare_timer(&mut self, now: Instant, sid: SessionId) {
        let Some(s) = self.sessions.get_mut(&sid) else {
            return;
        };
        let Some((hold, reason)) = s.glare_retry.take() else {
            return;
        };
        if s.ended || !s.is_up() || s.media.local_hold == hold || s.reinvite.is_some() {
            return;
        }
        self.send_reinvite(now, sid, hold, reason);
    }

    /// A client transaction of a call ended without a final response.
    pub(in crate::endpoint) fn on_call_tx_failed(
        &mut self,
        now: Instant,
        sid: SessionId,
        kind: CallTx,
        tx: TxId,
        timed_out: bool,
    ) {
        let code = if timed_out { 408 } else { 503 };
        let Some(s) = self.sessions.get_mut(&sid) else {
            return;
        };
        match kind {
            CallTx::Invite => {
                let Some(inv) = s.invite.as_ref().filter(|i| i.tx == tx) else {
                    return;
                };
                if inv.answered || s.ended {
                    return;
                }
                if inv.provisional {
                    // It rang, so the site was there; the call is lost.
                    self.end_session(
                        sid,
                        SessionReason::SipError {
                            code,
                            phrase: if timed_out {
                                "Request Timeout".into()
                            } else {
                                "Service Unavailable".into()
                            },
                        },
                    );
                } else {
                    self.retry_elsewhere(now, sid, code);
                }
            }
            CallTx::ReInvite => {
                if s.reinvite.as_ref().is_some_and(|r| r.tx == tx) {
                    s.reinvite = None;
                    s.media.pending_offer = None;
                    // RFC 3261 §12.2.1.2: a 408 (or no answer at all)
                    // ends the dialog.
                    self.send_bye(now, sid);
                    self.end_session(
                        sid,
                        SessionReason::SipError {
                            code,
                            phrase: if timed_out {
                                "Request Timeout".into()
                            } else {
                                "Service Unavailable".into()
                            },
                        },
                    );
                }
            }
            CallTx::Other => {}
        }
    }
}
