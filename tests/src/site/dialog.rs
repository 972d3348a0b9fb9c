//! The site's side of the endpoint's requests inside a dialog and of the
//! INVITE server transactions (RFC 3261 §12.2.2, §13.3.1.4, §17.2.1):
//! responses kept for retransmissions, ACK, CANCEL (§9.2), re-INVITE
//! (§14.2), BYE (§15.1.2) and the rest.

use std::net::SocketAddr;
use std::time::Instant;

use geosip_core::message::headers::Route;
use geosip_core::message::{parse, HeaderName, Message, Method};

use super::calls::{CallDirection, CallState, FarEnd, Party, SiteCallId};
use super::far_end::{reason, tag_of};
use super::response::response_with_body;
use super::sdp;
use super::state::ServerInvite;
use super::timers::{GiveUp, Resend, Task};
use super::{Site, SiteOutput};

impl Site {
    pub(super) fn set_state(&mut self, id: SiteCallId, state: CallState) {
        if let Some(c) = self.phones.get_mut(id) {
            c.state = state;
        }
    }

    /// Sends a response to the INVITE of `branch` and keeps it for
    /// retransmissions: a 2xx until the ACK (§13.3.1.4), other finals by
    /// Timer G until the ACK (§17.2.1).
    pub(super) fn invite_response(
        &mut self,
        now: Instant,
        branch: &str,
        code: u16,
        mut extra: Vec<(HeaderName, String)>,
        body: Option<Vec<u8>>,
        out: &mut Vec<SiteOutput>,
    ) {
        let Some(tx) = self.phones.invites.get(branch) else {
            return;
        };
        let Some(call) = self.phones.get(tx.call) else {
            return;
        };
        let (id, transport) = (call.id, call.d.transport);
        if (101..300).contains(&code) {
            extra.push((
                HeaderName::Contact,
                self.site_contact(&call.user.clone(), transport),
            ));
            extra.extend(
                self.record_route(transport)
                    .map(|rr| (HeaderName::RecordRoute, rr)),
            );
        }
        let tag = call.local_tag.clone();
        let dir = body.as_deref().and_then(sdp::direction);
        if body.is_some() {
            extra.push((HeaderName::ContentType, "application/sdp".to_owned()));
        }
        let Ok(req) = parse(&tx.raw) else { return };
        let cseq = req.cseq().map(|c| c.seq).unwrap_or(0);
        let bytes = response_with_body(
            &req,
            tx.source,
            code,
            reason(code),
            &tag,
            &extra,
            body.as_deref().unwrap_or(b""),
        );
        let peer = tx.peer;
        out.push(peer.send(bytes.clone()));
        self.phones
            .note(id, now, Party::Endpoint, "INVITE", Some(code), dir);
        let resend = (code >= 200).then(|| {
            let give_up = if code < 300 {
                GiveUp::NoAck(id)
            } else {
                GiveUp::Nothing
            };
            self.phones
                .timers
                .start(now, Resend::new(now, peer, bytes.clone(), true, give_up))
        });
        let tx = self.phones.invites.get_mut(branch).expect("present");
        tx.last = Some(bytes);
        if let Some(key) = resend {
            tx.finished = Some(now);
            tx.final_2xx = code < 300;
            if code < 300 {
                if let Some(c) = self.phones.get_mut(id) {
                    c.d.awaiting_ack = Some((cseq, key));
                }
            } else {
                tx.resend = Some(key);
            }
        }
    }

    pub(super) fn site_contact(&self, user: &str, t: geosip_core::io::TransportKind) -> String {
        format!("<sip:{user}@{};transport={}>", self.addr(t), t.uri_param())
    }

    pub(super) fn record_route(&self, t: geosip_core::io::TransportKind) -> Option<String> {
        let rr = format!("<sip:{};transport={};lr>", self.addr(t), t.uri_param());
        self.config.record_route.then_some(rr)
    }

    /// Notes an in-dialog request from the endpoint and whether it carried
    /// the site's Record-Route as its Route (RFC 3261 §12.2.1.1).
    pub(super) fn note_route(&mut self, id: SiteCallId, msg: &Message<'_>) {
        let ip = self.ip.to_string();
        let top = msg.typed_all::<Route>().next().and_then(Result::ok);
        let to_us = top
            .as_ref()
            .and_then(|r| r.uri.as_sip())
            .is_some_and(|s| s.host.to_string() == ip);
        let ok = if self.config.record_route {
            to_us
        } else {
            top.is_none()
        };
        if let Some(c) = self.phones.get_mut(id) {
            c.endpoint_requests += 1;
            c.route_ok &= ok;
        }
    }

    pub(super) fn dialog_of(&self, msg: &Message<'_>) -> Option<SiteCallId> {
        let to = tag_of(msg, true)?;
        let from = tag_of(msg, false);
        self.phones
            .by_dialog(msg.call_id().ok()?, &to, from.as_deref())
    }

    pub(super) fn on_ack(&mut self, now: Instant, msg: &Message<'_>, branch: &str) {
        if let Some(tx) = self
            .phones
            .invites
            .get_mut(branch)
            .filter(|t| t.finished.is_some() && !t.final_2xx)
        {
            // The ACK of a non-2xx final: same branch (§17.1.1.3).
            let (id, key) = (tx.call, tx.resend.take());
            if let Some(key) = key {
                self.phones.timers.stop(key);
                self.phones
                    .note(id, now, Party::Endpoint, "ACK", None, None);
            }
            return;
        }
        let Some(id) = self.dialog_of(msg) else {
            return;
        };
        self.note_route(id, msg);
        self.phones
            .note(id, now, Party::Endpoint, "ACK", None, None);
        let cseq = msg.cseq().map(|c| c.seq).unwrap_or(0);
        let c = self.phones.get_mut(id).expect("found");
        if !msg.body().is_empty() {
            c.endpoint_sdp = sdp::direction(msg.body()).or(c.endpoint_sdp);
        }
        let Some((_, key)) = c.d.awaiting_ack.filter(|(s, _)| *s == cseq) else {
            return;
        };
        c.d.awaiting_ack = None;
        let first = !std::mem::replace(&mut c.d.confirmed, true);
        let (user, dir) = (c.user.clone(), c.direction);
        self.phones.timers.stop(key);
        if let (
            true,
            CallDirection::FromEndpoint,
            FarEnd::Answer {
                hangup_after: Some(d),
                ..
            },
        ) = (first, dir, self.far_end_for(&user))
        {
            self.phones.timers.at(now + d, Task::Hangup(id));
        }
    }

    pub(super) fn on_cancel(
        &mut self,
        now: Instant,
        msg: &Message<'_>,
        branch: &str,
        source: SocketAddr,
        out: &mut Vec<SiteOutput>,
    ) -> Vec<u8> {
        let pending = self
            .phones
            .invites
            .get(branch)
            .filter(|t| t.finished.is_none())
            .map(|t| t.call);
        let Some(id) = pending else {
            let tag = self.call_token();
            return response_with_body(msg, source, 481, reason(481), &tag, &[], b"");
        };
        // §9.2: 200 to the CANCEL, 487 to the INVITE.
        let tag = self
            .phones
            .get(id)
            .map(|c| c.local_tag.clone())
            .unwrap_or_default();
        let ok = response_with_body(msg, source, 200, "OK", &tag, &[], b"");
        self.phones
            .note(id, now, Party::Endpoint, "CANCEL", Some(200), None);
        self.invite_response(now, branch, 487, Vec::new(), None, out);
        self.set_state(
            id,
            CallState::Ended {
                code: Some(487),
                by: Party::Endpoint,
            },
        );
        ok
    }

    pub(super) fn on_reinvite(
        &mut self,
        now: Instant,
        msg: &Message<'_>,
        branch: &str,
        mut tx: ServerInvite,
        out: &mut Vec<SiteOutput>,
    ) {
        let Some(id) = self.dialog_of(msg) else {
            let resp = response_with_body(msg, tx.source, 481, reason(481), "", &[], b"");
            out.push(tx.peer.send(resp));
            return;
        };
        self.note_route(id, msg);
        tx.call = id;
        let peer = tx.peer;
        self.phones.invites.insert(branch.to_owned(), tx);
        if let Some(c) = self.phones.get_mut(id) {
            c.d.peer = peer;
        }
        if std::mem::take(&mut self.phones.glare_next_reinvite) {
            self.invite_response(now, branch, 491, Vec::new(), None, out);
            return;
        }
        self.answer_offer(now, branch, id, msg.body(), out);
    }

    pub(super) fn on_in_dialog(
        &mut self,
        now: Instant,
        msg: &Message<'_>,
        method: Method<'_>,
        source: SocketAddr,
    ) -> Vec<u8> {
        let Some(id) = self.dialog_of(msg) else {
            return response_with_body(msg, source, 481, reason(481), "", &[], b"");
        };
        self.note_route(id, msg);
        if method == Method::Bye {
            self.stop_awaiting_ack(id);
            self.set_state(
                id,
                CallState::Ended {
                    code: None,
                    by: Party::Endpoint,
                },
            );
        }
        self.phones
            .note(id, now, Party::Endpoint, method.as_str(), Some(200), None);
        response_with_body(msg, source, 200, "OK", "", &[], b"")
    }

    pub(super) fn stop_awaiting_ack(&mut self, id: SiteCallId) {
        let key = self
            .phones
            .get_mut(id)
            .and_then(|c| c.d.awaiting_ack.take());
        if let Some((_, key)) = key {
            self.phones.timers.stop(key);
        }
    }
}
