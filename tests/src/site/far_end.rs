//! The site as UAS (RFC 3261 §13.3, §12.1.1): the far-end phones behind
//! it answer the endpoint's INVITEs as their [`FarEnd`] says, and the
//! site answers the endpoint's requests inside a dialog, be it one the
//! endpoint or the site began.

use std::time::Instant;

use geosip_core::message::headers::{Authorization, ProxyAuthorization};
use geosip_core::message::{parse, HeaderName, Message, Method};

use super::calls::{CallDirection, CallState, FarEnd, Party, Peer, SiteCall, SiteCallId};
use super::registrar::{RegisterVerdict, Source};
use super::sdp::{self, SdpDirection};
use super::state::{Dialog, ServerInvite};
use super::timers::Task;
use super::{Site, SiteOutput};

/// The reason phrase of a status the far end sends (RFC 3261 §21).
pub(super) fn reason(code: u16) -> &'static str {
    match code {
        100 => "Trying",
        180 => "Ringing",
        200 => "OK",
        401 => "Unauthorized",
        407 => "Proxy Authentication Required",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        491 => "Request Pending",
        603 => "Decline",
        c if c < 300 => "OK",
        _ => "Rejected",
    }
}

pub(super) fn tag_of(msg: &Message<'_>, to: bool) -> Option<String> {
    let na = if to { msg.to() } else { msg.from() };
    na.ok().and_then(|n| n.tag().map(str::to_owned))
}

pub(super) fn branch_of(msg: &Message<'_>) -> String {
    let via = msg.top_via().ok();
    via.and_then(|v| v.branch()).unwrap_or("").to_owned()
}

impl Site {
    /// Whether a request belongs to the call machinery: INVITE, ACK,
    /// CANCEL, and anything but REGISTER and OPTIONS inside a dialog.
    pub(super) fn is_call_request(msg: &Message<'_>, method: Method<'_>) -> bool {
        match method {
            Method::Invite | Method::Ack | Method::Cancel => true,
            Method::Register | Method::Options => false,
            _ => tag_of(msg, true).is_some(),
        }
    }

    pub(super) fn call_token(&mut self) -> String {
        use rand_chacha::rand_core::Rng;
        format!("{:016x}", self.phones.rng.next_u64())
    }

    /// The far-end phone of `user`.
    pub(super) fn far_end_for(&self, user: &str) -> FarEnd {
        let c = &self.config;
        c.far_end_users
            .iter()
            .find(|(u, _)| u == user)
            .map_or(c.far_end_default, |(_, f)| *f)
    }

    /// A request from the endpoint for the calls; answers go to `peer`.
    pub(super) fn on_call_request(
        &mut self,
        now: Instant,
        raw: &[u8],
        msg: &Message<'_>,
        src: Source,
        peer: Peer,
        out: &mut Vec<SiteOutput>,
    ) {
        let Some(method) = msg.method() else { return };
        self.phones.purge(now, super::TRANSACTION_MEMORY);
        let branch = branch_of(msg);
        match method {
            Method::Ack => self.on_ack(now, msg, &branch),
            Method::Invite => {
                if let Some(tx) = self.phones.invites.get(&branch) {
                    // A retransmission: the last response again (§17.2.1).
                    self.counters.retransmissions += 1;
                    out.extend(tx.last.clone().map(|r| peer.send(r)));
                    return;
                }
                let tx = ServerInvite {
                    call: SiteCallId(0),
                    raw: raw.to_vec(),
                    source: src.addr,
                    peer,
                    last: None,
                    finished: None,
                    final_2xx: false,
                    resend: None,
                };
                if tag_of(msg, true).is_none() {
                    self.on_invite(now, msg, &branch, tx, src, out);
                } else {
                    self.on_reinvite(now, msg, &branch, tx, out);
                }
            }
            _ => {
                let key = (branch, method.as_str().to_owned());
                self.transactions.retain(|_, (at, _)| {
                    now.saturating_duration_since(*at) < super::TRANSACTION_MEMORY
                });
                if let Some((_, cached)) = self.transactions.get(&key) {
                    self.counters.retransmissions += 1;
                    out.push(peer.send(cached.clone()));
                    return;
                }
                let mut after = Vec::new();
                let resp = if method == Method::Cancel {
                    self.on_cancel(now, msg, &key.0, src.addr, &mut after)
                } else {
                    self.on_in_dialog(now, msg, method, src.addr)
                };
                self.transactions.insert(key, (now, resp.clone()));
                out.push(peer.send(resp));
                out.extend(after);
            }
        }
    }

    pub(super) fn on_invite(
        &mut self,
        now: Instant,
        msg: &Message<'_>,
        branch: &str,
        mut tx: ServerInvite,
        src: Source,
        out: &mut Vec<SiteOutput>,
    ) {
        let call_id = msg.call_id().unwrap_or("").to_owned();
        let from_tag = tag_of(msg, false);
        let sip_user = |m: Option<geosip_core::message::Uri<'_>>| {
            m.and_then(|u| u.as_sip().and_then(|s| s.user).map(str::to_owned))
                .unwrap_or_default()
        };
        let user = sip_user(msg.parsed_request_uri().and_then(Result::ok));
        let challenged = self.phones.calls.iter().find(|c| {
            c.call_id == call_id
                && c.remote_tag == from_tag
                && matches!(
                    c.state,
                    CallState::Ended {
                        code: Some(401 | 407),
                        by: Party::Site
                    }
                )
        });
        let id = if let Some(c) = challenged {
            let id = c.id;
            let c = self.phones.get_mut(id).expect("found");
            c.state = CallState::Trying;
            c.d.invite_branch = branch.to_owned();
            c.d.peer = tx.peer;
            id
        } else {
            let id = SiteCallId(self.phones.next_id);
            self.phones.next_id += 1;
            let local_tag = self.call_token();
            let to = msg.header(HeaderName::To).unwrap_or("");
            let target = msg
                .contacts()
                .find_map(|c| c.ok()?.addr().map(|a| a.uri.as_str().to_owned()));
            let from = msg.from().ok();
            let d = Dialog {
                peer: tx.peer,
                transport: src.transport,
                local: format!("{to};tag={local_tag}"),
                remote: msg.header(HeaderName::From).unwrap_or("").to_owned(),
                remote_target: target
                    .unwrap_or_else(|| from.map(|f| f.uri.as_str().to_owned()).unwrap_or_default()),
                local_cseq: 0,
                invite_branch: branch.to_owned(),
                sdp_version: 0,
                awaiting_ack: None,
                cancelled: false,
                confirmed: false,
            };
            self.phones.calls.push(SiteCall {
                id,
                direction: CallDirection::FromEndpoint,
                user: user.clone(),
                endpoint_user: sip_user(from.map(|f| f.uri)),
                call_id,
                state: CallState::Trying,
                endpoint_sdp: None,
                endpoint_requests: 0,
                route_ok: true,
                exchanges: Vec::new(),
                local_tag,
                remote_tag: from_tag,
                d,
            });
            id
        };
        tx.call = id;
        self.phones.invites.insert(branch.to_owned(), tx);
        if let Some(code) = self.config.challenge_invites {
            let creds = if code == 407 {
                msg.typed_opt::<ProxyAuthorization>()
                    .ok()
                    .flatten()
                    .map(|a| a.0)
            } else {
                msg.typed_opt::<Authorization>().ok().flatten().map(|a| a.0)
            };
            if let Some(RegisterVerdict::Challenge { stale }) =
                self.registrar.authenticate(now, &self.config, msg, creds)
            {
                let nonce = self.call_token();
                let name = if code == 407 {
                    HeaderName::ProxyAuthenticate
                } else {
                    HeaderName::WwwAuthenticate
                };
                let extra: Vec<_> = self
                    .registrar
                    .challenges(now, &self.config, nonce, stale)
                    .into_iter()
                    .map(|c| (name, c))
                    .collect();
                self.invite_response(now, branch, code, extra, None, out);
                self.set_state(
                    id,
                    CallState::Ended {
                        code: Some(code),
                        by: Party::Site,
                    },
                );
                return;
            }
        }
        match self.far_end_for(&user) {
            FarEnd::Silent => {}
            FarEnd::Answer { ring, .. } => {
                self.trying_ringing(now, branch, id, true, out);
                self.phones.timers.at(now + ring, Task::Final(id));
            }
            FarEnd::Reject { after, .. } => {
                self.trying_ringing(now, branch, id, !after.is_zero(), out);
                if after.is_zero() {
                    self.far_end_final(now, id, out);
                } else {
                    self.phones.timers.at(now + after, Task::Final(id));
                }
            }
            FarEnd::NoAnswer => self.trying_ringing(now, branch, id, true, out),
        }
    }

    pub(super) fn trying_ringing(
        &mut self,
        now: Instant,
        branch: &str,
        id: SiteCallId,
        ring: bool,
        out: &mut Vec<SiteOutput>,
    ) {
        self.invite_response(now, branch, 100, Vec::new(), None, out);
        if ring {
            self.invite_response(now, branch, 180, Vec::new(), None, out);
            self.set_state(id, CallState::Ringing);
        }
    }

    /// The far-end phone's final response (its ring or reject timer).
    pub(super) fn far_end_final(
        &mut self,
        now: Instant,
        id: SiteCallId,
        out: &mut Vec<SiteOutput>,
    ) {
        let Some(call) = self.phones.get(id) else {
            return;
        };
        let branch = call.d.invite_branch.clone();
        let ringing = matches!(call.state, CallState::Trying | CallState::Ringing);
        if !ringing
            || self
                .phones
                .invites
                .get(&branch)
                .is_none_or(|t| t.finished.is_some())
        {
            return;
        }
        match self.far_end_for(&call.user.clone()) {
            FarEnd::Answer { .. } => {
                let raw = self.phones.invites[&branch].raw.clone();
                let offer = parse(&raw).map(|m| m.body().to_vec()).unwrap_or_default();
                self.answer_offer(now, &branch, id, &offer, out);
            }
            FarEnd::Reject { code, .. } => {
                self.invite_response(now, &branch, code, Vec::new(), None, out);
                self.set_state(
                    id,
                    CallState::Ended {
                        code: Some(code),
                        by: Party::Site,
                    },
                );
            }
            FarEnd::NoAnswer | FarEnd::Silent => {}
        }
    }

    /// 200 with the answer to `offer` (or with an offer if it is empty,
    /// RFC 3261 §13.2.1), or 488 if the offer has no audio.
    pub(super) fn answer_offer(
        &mut self,
        now: Instant,
        branch: &str,
        id: SiteCallId,
        offer: &[u8],
        out: &mut Vec<SiteOutput>,
    ) {
        let Some(call) = self.phones.get_mut(id) else {
            return;
        };
        call.d.sdp_version += 1;
        let version = call.d.sdp_version;
        let origin = self.origin(id, version);
        let call = self.phones.get_mut(id).expect("present");
        let body = if offer.is_empty() {
            Some(sdp::offer(&origin, SdpDirection::SendRecv))
        } else {
            call.endpoint_sdp = sdp::direction(offer).or(call.endpoint_sdp);
            sdp::answer(offer, &origin)
        };
        match body {
            Some(b) => {
                self.invite_response(now, branch, 200, Vec::new(), Some(b), out);
                self.set_state(id, CallState::Connected);
            }
            None => self.invite_response(now, branch, 488, Vec::new(), None, out),
        }
    }
}
