//! The call half of the `endpoint` target: op 14 with a sub-selector
//! (call commands, an INVITE from a site, in-dialog requests from the far
//! end, answers to the endpoint's INVITE / re-INVITE / BYE / CANCEL), the
//! model of the sessions and dialogs, and the call invariants.
//!
//! | op 14, `s % 9` | parameters | what |
//! |---|---|---|
//! | 0 | p, k | `dial(connection p&1, destination (p>>1)%8)` (`2000`, SIP and tel URIs, and junk) |
//! | 1 | k | `answer` the session picked by `k` (see [`Driver::pick_session`]) |
//! | 2 | k, c | `reject` with code `REJECT_CODES[c%8]` (some out of range) |
//! | 3, 4, 5 | k | `hold`, `retrieve`, `hangup` |
//! | 6 | p, q | an INVITE from a site (see [`Driver::site_invite`]) |
//! | 7 | d, m | a request in a dialog the endpoint made (see [`Driver::in_dialog`]) |
//! | 8 | sel, code, a | an answer to a call request of the endpoint (see [`Driver::call_answer`]) |
//!
//! Invariants (panics): the endpoint's call requests validate, in-dialog
//! ones (BYE, ACK, re-INVITE) carry a To tag and a Call-ID of a call we
//! know; session events only for sessions the endpoint gave us (from
//! `dial` or `IncomingCall`), on connection 0 or 1, nothing after
//! `Disconnected`; `sessions()` lists exactly the sessions not yet
//! Disconnected, with the status of their last event, at most 64; commands
//! on unknown or ended sessions are `UnknownSession`, a bad reject code
//! `BadCode`, a junk destination `BadDestination`; `hangup` and `reject`
//! that succeed end the session at once.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::net::IpAddr;

use geosip_core::connection::ConnectionId;
use geosip_core::event::Event;
use geosip_core::io::{FlowId, Input};
use geosip_core::message::{parse, HeaderName, Message, MessageWriter, Method};
use geosip_core::sdp::{Direction, SessionDescription};
use geosip_core::session::{CallError, SessionId, SessionStatus};

use super::{challenge_value, Driver, Sent, SITES};

/// `EndpointConfig::max_sessions` (the default).
const MAX_SESSIONS: usize = 64;
const DESTINATIONS: [&str; 8] = [
    "2000",
    "sip:2000@10.1.0.1",
    "tel:+15551234",
    "sip:2000@10.2.0.1;transport=tcp",
    "",
    "20 00",
    "http://x",
    "sip:",
];
const REJECT_CODES: [u16; 8] = [486, 603, 404, 480, 699, 400, 200, 700];
/// Answers to the endpoint's INVITE, re-INVITE, BYE and CANCEL.
const CALL_ANSWERS: [(u16, &str, Body); 16] = [
    (100, "Trying", Body::None),
    (180, "Ringing", Body::None),
    (183, "Session Progress", Body::Answer),
    (200, "OK", Body::Answer),
    (200, "OK", Body::Answer),
    (200, "OK", Body::Junk),
    (200, "OK", Body::None),
    (401, "Unauthorized", Body::Www),
    (407, "Proxy Authentication Required", Body::Proxy),
    (486, "Busy Here", Body::None),
    (491, "Request Pending", Body::None),
    (408, "Request Timeout", Body::None),
    (481, "Call/Transaction Does Not Exist", Body::None),
    (487, "Request Terminated", Body::None),
    (603, "Decline", Body::None),
    (302, "Moved Temporarily", Body::None),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    None,
    /// An SDP answer to the request's offer (or an offer if it had none).
    Answer,
    /// Not SDP.
    Junk,
    Www,
    Proxy,
}

/// What the driver knows of one session.
#[derive(Debug)]
struct SessionModel {
    /// The status of its last event, if any came.
    status: Option<SessionStatus>,
    ended: bool,
}

/// A dialog between the endpoint and a site, from the far end's side.
#[derive(Debug, Clone)]
struct DialogModel {
    site: usize,
    flow: Option<FlowId>,
    call_id: String,
    /// The far end's (our) URI and tag.
    far_uri: String,
    far_tag: String,
    /// The endpoint's URI and tag.
    ep_uri: String,
    ep_tag: String,
    /// Our last CSeq and that of our last INVITE.
    cseq: u32,
    invite_cseq: u32,
}

/// An INVITE a site sent, until the endpoint's tag for it is known.
#[derive(Debug, Clone)]
struct InboundInvite {
    site: usize,
    flow: Option<FlowId>,
    call_id: String,
    branch: String,
    from_tag: String,
    to: String,
    request_uri: String,
}

/// The call part of the driver's model.
#[derive(Default)]
pub(super) struct CallModel {
    sessions: BTreeMap<SessionId, SessionModel>,
    /// Session ids in the order they came.
    ids: Vec<SessionId>,
    dialogs: VecDeque<DialogModel>,
    inbound: VecDeque<InboundInvite>,
    /// The endpoint's last call requests (INVITE, BYE, CANCEL) and their site.
    requests: VecDeque<(usize, Sent)>,
    /// The last answer and the last INVITE we sent, to send again.
    last_answer: Option<(usize, Option<FlowId>, Vec<u8>)>,
    last_invite: Option<(usize, Option<FlowId>, Vec<u8>)>,
    /// Every Call-ID of a call: ours and the endpoint's.
    call_ids: HashSet<String>,
    next: u32,
    validated: usize,
    /// The site whose input is being handled: ACKs and BYEs it provokes
    /// are answers to it, not traffic of a removed connection.
    pub(super) answering: Option<usize>,
}

impl CallModel {
    fn live(&self) -> usize {
        self.sessions.values().filter(|s| !s.ended).count()
    }

    fn push_dialog(&mut self, d: DialogModel) {
        if self
            .dialogs
            .iter()
            .any(|x| x.call_id == d.call_id && x.ep_tag == d.ep_tag && x.far_tag == d.far_tag)
        {
            return;
        }
        if self.dialogs.len() == 8 {
            self.dialogs.pop_front();
        }
        self.dialogs.push_back(d);
    }
}

fn offer(direction: Direction, id: u64) -> String {
    let mut sdp = SessionDescription::audio_offer(IpAddr::from([10, 9, 9, 9]), 7000, id);
    sdp.set_direction(direction);
    sdp.to_string()
}

impl Driver {
    pub(super) fn call_op(&mut self, inp: &mut super::Bytes<'_>) {
        let s = inp.u8();
        match s % 9 {
            0 => {
                let p = inp.u8();
                self.dial(p);
            }
            1..=5 => {
                let k = inp.u8();
                let c = if s % 9 == 2 { inp.u8() } else { 0 };
                self.session_command(s % 9, k, c);
            }
            6 => {
                let p = inp.u8();
                let q = inp.u8();
                self.site_invite(p, q);
            }
            7 => {
                let d = inp.u8();
                let m = inp.u8();
                self.in_dialog(d, m);
            }
            _ => {
                let sel = inp.u8();
                let code = inp.u8();
                let a = inp.u8();
                self.call_answer(sel, code, a);
            }
        }
    }

    fn dial(&mut self, p: u8) {
        let conn = ConnectionId(u32::from(p & 1));
        let dest = DESTINATIONS[usize::from((p >> 1) % 8)];
        self.stimulus(2);
        if super::tracing() {
            eprintln!("{:?} dial({conn}, {dest:?})", self.at());
        }
        let live = self.calls.live();
        let r = self.ep.dial(self.now, conn, dest);
        match r {
            Ok(sid) => {
                assert!(dest_ok(dest), "dial accepted {dest:?}");
                assert!(live < MAX_SESSIONS, "dial accepted call {}", live + 1);
                assert!(
                    !self.calls.sessions.contains_key(&sid),
                    "dial reused session id {sid}"
                );
                self.calls.sessions.insert(
                    sid,
                    SessionModel {
                        status: None,
                        ended: false,
                    },
                );
                self.calls.ids.push(sid);
            }
            Err(CallError::BadDestination(_)) => assert!(!dest_ok(dest), "dial refused {dest:?}"),
            Err(CallError::TooMany(n)) => {
                assert_eq!(n, MAX_SESSIONS);
                assert!(live >= MAX_SESSIONS, "TooMany with {live} calls");
            }
            Err(e) => panic!("dial({conn}, {dest:?}): {e}"),
        }
        self.drain();
        self.catch_up();
    }

    /// A session id: one the endpoint gave us (`k` counts back from the
    /// newest), or with `k%8 == 7` one it never gave.
    fn pick_session(&self, k: u8) -> SessionId {
        let ids = &self.calls.ids;
        if ids.is_empty() || k % 8 == 7 {
            return SessionId(1_000_000 + u64::from(k));
        }
        ids[ids.len() - 1 - usize::from(k >> 3) % ids.len()]
    }

    fn session_command(&mut self, which: u8, k: u8, c: u8) {
        let sid = self.pick_session(k);
        let known_live = self.calls.sessions.get(&sid).is_some_and(|s| !s.ended);
        self.stimulus(2);
        let now = self.now;
        let code = REJECT_CODES[usize::from(c % 8)];
        let (name, r) = match which {
            1 => ("answer", self.ep.answer(now, sid)),
            2 => ("reject", self.ep.reject(now, sid, code)),
            3 => ("hold", self.ep.hold(now, sid)),
            4 => ("retrieve", self.ep.retrieve(now, sid)),
            _ => ("hangup", self.ep.hangup(now, sid)),
        };
        if super::tracing() {
            eprintln!("{:?} {name}({sid}) -> {r:?}", self.at());
        }
        if which == 2 && !(400..=699).contains(&code) {
            assert_eq!(r, Err(CallError::BadCode(code)), "reject({sid}, {code})");
        } else if !known_live {
            assert_eq!(
                r,
                Err(CallError::UnknownSession(sid)),
                "{name} of a session that is unknown or over"
            );
        }
        self.drain();
        if r.is_ok() && matches!(which, 2 | 5) {
            assert!(
                self.calls.sessions.get(&sid).is_some_and(|s| s.ended),
                "{name}({sid}) succeeded but the session did not end"
            );
        }
        self.catch_up();
    }

    /// Sends `bytes` from site `site`: on `flow` if it is given (and still
    /// usable), else as a datagram.
    fn send_from_site(&mut self, site: usize, flow: Option<FlowId>, bytes: &[u8]) {
        match flow {
            Some(flow) => {
                if self
                    .flows
                    .get(&flow)
                    .is_some_and(|f| f.open() && f.connected)
                {
                    self.input(Input::StreamData { flow, data: bytes }, 1);
                }
            }
            None => self.datagram(SITES[site], bytes),
        }
    }

    /// Where site `p&1` sends from: site 1 over UDP, site 2 on the newest
    /// usable flow (`None` if there is none).
    fn site_source(&self, site: usize) -> Option<Option<FlowId>> {
        if site == 0 {
            Some(None)
        } else {
            self.pick_flow(0, false).map(Some)
        }
    }

    /// An INVITE from a site. `p`: bit 0 the site; bits 1-2 the body (an
    /// audio offer, none, junk, a video-only offer); bits 3-4 auto-answer
    /// headers (none, `Call-Info: ;answer-after=N` with N from `q`,
    /// `Alert-Info: ;info=alert-autoanswer`, both); bit 5 no Record-Route;
    /// bit 6 no Contact; bit 7 a user that no connection has. `q&0x80`:
    /// send the previous INVITE again instead (a retransmission).
    fn site_invite(&mut self, p: u8, q: u8) {
        if q & 0x80 != 0 {
            if let Some((site, flow, bytes)) = self.calls.last_invite.clone() {
                self.calls.answering = Some(site);
                self.send_from_site(site, flow, &bytes);
                self.calls.answering = None;
            }
            return;
        }
        let site = usize::from(p & 1);
        let Some(flow) = self.site_source(site) else {
            return;
        };
        self.calls.next += 1;
        let n = self.calls.next;
        let ip = SITES[site].ip();
        let transport = if site == 0 { "UDP" } else { "TCP" };
        let user = if p & 0x80 != 0 {
            "9999"
        } else if site == 0 {
            "1001"
        } else {
            "1002"
        };
        let request_uri = format!("sip:{user}@10.0.0.1:5060");
        let inv = InboundInvite {
            site,
            flow,
            call_id: format!("fzc{n}@{ip}"),
            branch: format!("z9hG4bKfzc{n}"),
            from_tag: format!("ft{n}"),
            to: format!("<sip:{user}@{ip}>"),
            request_uri,
        };
        let body = match (p >> 1) & 3 {
            0 => offer(Direction::SendRecv, u64::from(n)),
            1 => String::new(),
            2 => "v=0\r\nthis is not sdp\r\n".to_owned(),
            _ => "v=0\r\no=- 1 1 IN IP4 10.9.9.9\r\ns=-\r\nc=IN IP4 10.9.9.9\r\nt=0 0\r\nm=video 7002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n".to_owned(),
        };
        let mut buf = Vec::new();
        let mut w = MessageWriter::request(&mut buf, Method::Invite, &inv.request_uri);
        w.header(
            HeaderName::Via,
            &format!("SIP/2.0/{transport} {};branch={}", SITES[site], inv.branch),
        )
        .header(HeaderName::MaxForwards, "70");
        if p & 0x20 == 0 {
            w.header(
                HeaderName::RecordRoute,
                &format!("<sip:{};lr>", SITES[site]),
            );
        }
        w.header(
            HeaderName::From,
            &format!("<sip:5000@{ip}>;tag={}", inv.from_tag),
        )
        .header(HeaderName::To, &inv.to)
        .header(HeaderName::CallId, &inv.call_id)
        .header(HeaderName::CSeq, "1 INVITE");
        if p & 0x40 == 0 {
            w.header(HeaderName::Contact, &format!("<sip:5000@{}>", SITES[site]));
        }
        let after = ["0", "1", "5", "7200"][usize::from(q % 4)];
        if (p >> 3) & 1 != 0 {
            w.header(
                HeaderName::CallInfo,
                &format!("<sip:{ip}>;answer-after={after}"),
            );
        }
        if (p >> 3) & 2 != 0 {
            w.header(
                HeaderName::AlertInfo,
                "<http://www.notused.com>;info=alert-autoanswer",
            );
        }
        if !body.is_empty() {
            w.header(HeaderName::ContentType, "application/sdp");
        }
        w.finish(body.as_bytes());
        self.calls.call_ids.insert(inv.call_id.clone());
        if self.calls.inbound.len() == 8 {
            self.calls.inbound.pop_front();
        }
        self.calls.inbound.push_back(inv);
        self.calls.last_invite = Some((site, flow, buf.clone()));
        self.calls.answering = Some(site);
        self.send_from_site(site, flow, &buf);
        self.calls.answering = None;
    }

    /// A request from the far end of dialog `d` (counted back from the
    /// newest). `m%8`: ACK (of our last INVITE), BYE, re-INVITE with
    /// `sendonly`, `sendrecv`, `inactive` or no SDP, NOTIFY with `Event:
    /// talk`, `hold` or junk (`(m>>3)%3`), CANCEL of the dialog's INVITE
    /// (or of the newest INVITE from a site). `m&0x40`: an old CSeq.
    fn in_dialog(&mut self, d: u8, m: u8) {
        if m % 8 == 7 {
            return self.cancel_inbound(d);
        }
        let n = self.calls.dialogs.len();
        if n == 0 {
            return;
        }
        let idx = n - 1 - usize::from(d) % n;
        let dlg = self.calls.dialogs[idx].clone();
        let flow = match dlg.flow {
            Some(_) => match self.site_source(1) {
                Some(f) => f,
                None => return,
            },
            None => None,
        };
        let (method, body) = match m % 8 {
            0 => (Method::Ack, None),
            1 => (Method::Bye, None),
            2 => (
                Method::Invite,
                Some(offer(Direction::SendOnly, u64::from(self.calls.next))),
            ),
            3 => (
                Method::Invite,
                Some(offer(Direction::SendRecv, u64::from(self.calls.next))),
            ),
            4 => (
                Method::Invite,
                Some(offer(Direction::Inactive, u64::from(self.calls.next))),
            ),
            5 => (Method::Invite, None),
            _ => (Method::Notify, None),
        };
        let seq = if method == Method::Ack {
            dlg.invite_cseq
        } else if m & 0x40 != 0 {
            1
        } else {
            dlg.cseq + 1
        };
        {
            let dm = &mut self.calls.dialogs[idx];
            dm.cseq = dm.cseq.max(seq);
            if method == Method::Invite {
                dm.invite_cseq = seq;
            }
        }
        self.calls.next += 1;
        let k = self.calls.next;
        let site = dlg.site;
        let transport = if site == 0 { "UDP" } else { "TCP" };
        let mut buf = Vec::new();
        let mut w = MessageWriter::request(&mut buf, method, "sip:1001@10.0.0.1:5060");
        w.header(
            HeaderName::Via,
            &format!("SIP/2.0/{transport} {};branch=z9hG4bKfzd{k}", SITES[site]),
        )
        .header(HeaderName::MaxForwards, "70")
        .header(
            HeaderName::From,
            &format!("<{}>;tag={}", dlg.far_uri, dlg.far_tag),
        )
        .header(
            HeaderName::To,
            &format!("<{}>;tag={}", dlg.ep_uri, dlg.ep_tag),
        )
        .header(HeaderName::CallId, &dlg.call_id)
        .header(HeaderName::CSeq, &format!("{seq} {}", method.as_str()));
        if method == Method::Invite {
            w.header(HeaderName::Contact, &format!("<sip:5000@{}>", SITES[site]));
        }
        if method == Method::Notify {
            let event = ["talk", "hold", "junk;id=1"][usize::from((m >> 3) % 3)];
            w.header(HeaderName::Event, event)
                .header(HeaderName::SubscriptionState, "active");
        }
        match body {
            Some(b) => {
                w.header(HeaderName::ContentType, "application/sdp");
                w.finish(b.as_bytes());
            }
            None => {
                w.finish(b"");
            }
        }
        self.calls.answering = Some(site);
        self.send_from_site(site, flow, &buf);
        self.calls.answering = None;
    }

    /// CANCEL of an INVITE a site sent (RFC 3261 §9.1: the INVITE's
    /// Request-URI, Call-ID, From, To, top Via and CSeq number).
    fn cancel_inbound(&mut self, d: u8) {
        let n = self.calls.inbound.len();
        if n == 0 {
            return;
        }
        let inv = self.calls.inbound[n - 1 - usize::from(d) % n].clone();
        let flow = match inv.flow {
            Some(_) => match self.site_source(1) {
                Some(f) => f,
                None => return,
            },
            None => None,
        };
        let transport = if inv.site == 0 { "UDP" } else { "TCP" };
        let mut buf = Vec::new();
        let mut w = MessageWriter::request(&mut buf, Method::Cancel, &inv.request_uri);
        w.header(
            HeaderName::Via,
            &format!(
                "SIP/2.0/{transport} {};branch={}",
                SITES[inv.site], inv.branch
            ),
        )
        .header(HeaderName::MaxForwards, "70")
        .header(
            HeaderName::From,
            &format!("<sip:5000@{}>;tag={}", SITES[inv.site].ip(), inv.from_tag),
        )
        .header(HeaderName::To, &inv.to)
        .header(HeaderName::CallId, &inv.call_id)
        .header(HeaderName::CSeq, "1 CANCEL");
        w.finish(b"");
        self.calls.answering = Some(inv.site);
        self.send_from_site(inv.site, flow, &buf);
        self.calls.answering = None;
    }

    /// Answers one of the endpoint's last call requests. `sel`: bits 0-2
    /// which (counted back from the newest), bit 3 a second To tag (a
    /// fork), bit 4 send the previous answer again instead, bit 5 no
    /// Contact or Record-Route. `code` picks from `CALL_ANSWERS`; `a` the
    /// challenge as in [`Driver::answer`].
    fn call_answer(&mut self, sel: u8, code: u8, a: u8) {
        if sel & 0x10 != 0 {
            if let Some((site, flow, bytes)) = self.calls.last_answer.clone() {
                self.calls.answering = Some(site);
                self.send_from_site(site, flow, &bytes);
                self.calls.answering = None;
            }
            return;
        }
        let n = self.calls.requests.len();
        if n == 0 {
            return;
        }
        let (site, sent) = self.calls.requests[n - 1 - usize::from(sel & 7) % n].clone();
        let Ok(req) = parse(&sent.bytes) else { return };
        let (status, reason, body) = CALL_ANSWERS[usize::from(code) % CALL_ANSWERS.len()];
        let tag = if sel & 8 == 0 { "far" } else { "fork" };
        let mut buf = Vec::new();
        let mut w = MessageWriter::response_to(&mut buf, &req, status, reason, Some(tag));
        let invite = req.method() == Some(Method::Invite);
        if invite && (101..300).contains(&status) && sel & 0x20 == 0 {
            w.header(
                HeaderName::RecordRoute,
                &format!("<sip:{};lr>", SITES[site]),
            )
            .header(HeaderName::Contact, &format!("<sip:2000@{}>", SITES[site]));
        }
        let sdp = match body {
            Body::Www => {
                w.header(HeaderName::WwwAuthenticate, &challenge_value(a));
                None
            }
            Body::Proxy => {
                w.header(HeaderName::ProxyAuthenticate, &challenge_value(a));
                None
            }
            Body::Answer if invite => {
                let text = std::str::from_utf8(req.body()).unwrap_or("");
                Some(match SessionDescription::parse(text) {
                    Ok(o) => o
                        .answer(IpAddr::from([10, 9, 9, 8]), 7100, 5, Direction::SendRecv)
                        .to_string(),
                    Err(_) => offer(Direction::SendRecv, 6),
                })
            }
            Body::Junk if invite => Some("v=0\r\nnonsense\r\n".to_owned()),
            _ => None,
        };
        match sdp {
            Some(b) => {
                w.header(HeaderName::ContentType, "application/sdp");
                w.finish(b.as_bytes());
            }
            None => {
                w.finish(b"");
            }
        }
        // An initial INVITE answered with a tag: the far end's dialog.
        if invite && status > 100 && status < 300 {
            if let (Ok(to), Ok(from), Ok(call_id)) = (req.to(), req.from(), req.call_id()) {
                if to.tag().is_none() {
                    if let Some(ep_tag) = from.tag() {
                        let d = DialogModel {
                            site,
                            flow: sent.flow,
                            call_id: call_id.to_owned(),
                            far_uri: to.uri.as_str().to_owned(),
                            far_tag: tag.to_owned(),
                            ep_uri: from.uri.as_str().to_owned(),
                            ep_tag: ep_tag.to_owned(),
                            cseq: 0,
                            invite_cseq: 0,
                        };
                        self.calls.push_dialog(d);
                    }
                }
            }
        }
        self.calls.last_answer = Some((site, sent.flow, buf.clone()));
        self.calls.answering = Some(site);
        self.send_from_site(site, sent.flow, &buf);
        self.calls.answering = None;
    }

    /// Notes a message the endpoint sent to `site` (already parsed):
    /// checks its call requests, keeps them to answer, and learns the
    /// endpoint's tag from its responses to INVITEs from sites.
    pub(super) fn note_call_message(
        &mut self,
        m: &Message<'_>,
        site: usize,
        flow: Option<FlowId>,
        bytes: &[u8],
    ) {
        match m.method() {
            Some(Method::Register | Method::Options) => {}
            Some(method @ (Method::Invite | Method::Ack | Method::Bye | Method::Cancel)) => {
                if self.calls.validated < 256 {
                    self.calls.validated += 1;
                    if let Err(e) = m.validate() {
                        panic!("the endpoint sent an invalid {method:?}: {e}");
                    }
                }
                let call_id = m.call_id().unwrap_or("").to_owned();
                let to_tag = m.to().ok().and_then(|t| t.tag().map(str::to_owned));
                let in_dialog = matches!(method, Method::Bye | Method::Ack)
                    || (method == Method::Invite && to_tag.is_some());
                if in_dialog {
                    assert!(to_tag.is_some(), "in-dialog {method:?} without a To tag");
                    assert!(
                        self.calls.call_ids.contains(&call_id),
                        "{method:?} with Call-ID {call_id:?} of no call"
                    );
                } else if method == Method::Invite {
                    self.calls.call_ids.insert(call_id);
                } else {
                    assert!(
                        self.calls.call_ids.contains(&call_id),
                        "CANCEL with Call-ID {call_id:?} of no call"
                    );
                }
                if method != Method::Ack {
                    if self.calls.requests.len() == 8 {
                        self.calls.requests.pop_front();
                    }
                    self.calls.requests.push_back((
                        site,
                        Sent {
                            flow,
                            bytes: bytes.to_vec(),
                        },
                    ));
                }
            }
            Some(other) => panic!("the endpoint sent {other:?}"),
            None => {
                // A response: to an INVITE from a site, with the
                // endpoint's tag, makes a dialog.
                let Ok(cseq) = m.cseq() else { return };
                if cseq.method != Method::Invite {
                    return;
                }
                let Some(code) = m.status() else { return };
                if !(101..300).contains(&code) {
                    return;
                }
                let (Ok(to), Ok(call_id)) = (m.to(), m.call_id()) else {
                    return;
                };
                let Some(ep_tag) = to.tag() else { return };
                // The endpoint took this INVITE as a call, whoever built it
                // (raw input too): its BYE after 64·T1 without an ACK
                // (RFC 3261 §13.3.1.4) carries this Call-ID.
                self.calls.call_ids.insert(call_id.to_owned());
                if let Some(inv) = self.calls.inbound.iter().find(|i| i.call_id == call_id) {
                    let d = DialogModel {
                        site: inv.site,
                        flow: inv.flow,
                        call_id: call_id.to_owned(),
                        far_uri: format!("sip:5000@{}", SITES[inv.site].ip()),
                        far_tag: inv.from_tag.clone(),
                        ep_uri: to.uri.as_str().to_owned(),
                        ep_tag: ep_tag.to_owned(),
                        cseq: 1,
                        invite_cseq: 1,
                    };
                    self.calls.push_dialog(d);
                }
            }
        }
    }

    /// Checks a session event against the model.
    pub(super) fn check_session_event(&mut self, e: &Event) {
        match e {
            Event::IncomingCall {
                session,
                connection,
                ..
            } => {
                assert!(connection.0 < 2, "IncomingCall on connection {connection}");
                let i = connection.0 as usize;
                assert!(
                    self.present[i] && self.enabled[i],
                    "IncomingCall on connection {connection}, disabled or removed"
                );
                assert!(
                    !self.calls.sessions.contains_key(session),
                    "IncomingCall reuses session id {session}"
                );
                self.calls.sessions.insert(
                    *session,
                    SessionModel {
                        status: None,
                        ended: false,
                    },
                );
                self.calls.ids.push(*session);
            }
            Event::SessionStatusChanged {
                session,
                connection,
                status,
                ..
            } => {
                assert!(
                    connection.0 < 2,
                    "{status} event on connection {connection}"
                );
                let s = self
                    .calls
                    .sessions
                    .get_mut(session)
                    .unwrap_or_else(|| panic!("{status} event for unknown session {session}"));
                assert!(
                    !s.ended,
                    "{status} event for session {session} after Disconnected"
                );
                s.status = Some(*status);
                if *status == SessionStatus::Disconnected {
                    s.ended = true;
                }
            }
            Event::SessionMedia { session, .. } | Event::SessionActionFailed { session, .. } => {
                let s = self
                    .calls
                    .sessions
                    .get(session)
                    .unwrap_or_else(|| panic!("{e:?} for unknown session {session}"));
                assert!(!s.ended, "{e:?} after Disconnected");
            }
            _ => {}
        }
    }

    /// `sessions()` lists exactly the sessions not yet Disconnected, with
    /// the status of their last event.
    pub(super) fn check_sessions(&self) {
        if self.calls.sessions.is_empty() {
            return;
        }
        let listed = self.ep.sessions();
        assert!(
            listed.len() <= MAX_SESSIONS,
            "{} sessions listed",
            listed.len()
        );
        for info in &listed {
            assert_ne!(
                info.status,
                SessionStatus::Disconnected,
                "sessions() lists Disconnected {}",
                info.id
            );
            let s = self
                .calls
                .sessions
                .get(&info.id)
                .unwrap_or_else(|| panic!("sessions() lists unknown {}", info.id));
            assert!(!s.ended, "sessions() lists {}, which ended", info.id);
            assert_eq!(
                s.status,
                Some(info.status),
                "status of {} vs its last event",
                info.id
            );
        }
        let live = self.calls.live();
        assert_eq!(
            listed.len(),
            live,
            "sessions() lists {} calls, the events say {live} are not over",
            listed.len()
        );
    }
}

/// Whether `dial` must accept a destination of `DESTINATIONS`.
fn dest_ok(dest: &str) -> bool {
    matches!(
        dest,
        "2000" | "sip:2000@10.1.0.1" | "tel:+15551234" | "sip:2000@10.2.0.1;transport=tcp"
    )
}
