//! Calls against a hand-played site: the exact messages of an outbound
//! call, hold and retrieve, an inbound call, CANCEL, 3pcc NOTIFY and the
//! source policy. The simulator in `tests/` plays whole stories.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use geosip_core::connection::{ConnectionConfig, ConnectionId};
use geosip_core::endpoint::{Endpoint, EndpointConfig};
use geosip_core::event::Event;
use geosip_core::io::{Input, Output, TransportKind};
use geosip_core::message::{parse, HeaderName as H, Message, MessageWriter, Method};
use geosip_core::sdp::{Direction, SessionDescription};
use geosip_core::session::{CallDirection, CallError, SessionId, SessionReason, SessionStatus};

const LOCAL: &str = "10.0.0.1:5060";
const SITE: &str = "10.1.0.1:5060";

struct Phone {
    ep: Endpoint,
    now: Instant,
    sent: Vec<(SocketAddr, Vec<u8>)>,
    events: Vec<Event>,
}

impl Phone {
    /// An endpoint with connection 0 (user 1001) registered on SITE.
    fn new() -> Phone {
        Phone::with_password(None)
    }

    fn with_password(password: Option<&str>) -> Phone {
        let now = Instant::now();
        let ep = Endpoint::new(
            EndpointConfig {
                local_udp: Some(LOCAL.parse().unwrap()),
                rng_seed: [3; 32],
                ..Default::default()
            },
            now,
        );
        let mut p = Phone {
            ep,
            now,
            sent: Vec::new(),
            events: Vec::new(),
        };
        let mut cfg = ConnectionConfig::new("1001", SITE, TransportKind::Udp);
        cfg.password = password.map(geosip_core::connection::Secret::new);
        p.ep.add_connection(now, ConnectionId(0), cfg).unwrap();
        p.drain();
        let reg = p.take(Method::Register);
        let ok = respond(
            &reg,
            200,
            "OK",
            &[
                (H::Contact, reg.header(H::Contact).unwrap()),
                (H::Expires, "600"),
            ],
            b"",
        );
        p.deliver(&ok);
        p.sent.clear();
        p.events.clear();
        p
    }

    fn drain(&mut self) {
        while let Some(o) = self.ep.poll_output() {
            match o {
                Output::Transmit(t) => self.sent.push((t.remote, t.data)),
                Output::Event(e) => self.events.push(e),
                _ => {}
            }
        }
    }

    fn deliver_from(&mut self, remote: &str, data: &[u8]) {
        self.ep.handle_input(
            self.now,
            Input::Datagram {
                local: LOCAL.parse().unwrap(),
                remote: remote.parse().unwrap(),
                data,
            },
        );
        self.drain();
    }

    fn deliver(&mut self, data: &[u8]) {
        self.deliver_from(SITE, data);
    }

    fn advance(&mut self, d: Duration) {
        let end = self.now + d;
        while let Some(t) = self.ep.poll_timeout().filter(|t| *t <= end) {
            self.now = self.now.max(t);
            self.ep.handle_timeout(self.now);
            self.drain();
        }
        self.now = end;
    }

    /// Takes the last sent message of `method` (a request) and parses it.
    fn take(&mut self, method: Method<'_>) -> Message<'static> {
        let i = self
            .sent
            .iter()
            .rposition(|(_, d)| parse(d).unwrap().method() == Some(method))
            .unwrap_or_else(|| panic!("no {method:?} sent"));
        let (_, data) = self.sent.remove(i);
        parse(Box::leak(data.into_boxed_slice())).unwrap()
    }

    /// Takes the last response with `code`.
    fn take_response(&mut self, code: u16) -> Message<'static> {
        let i = self
            .sent
            .iter()
            .rposition(|(_, d)| parse(d).unwrap().status() == Some(code))
            .unwrap_or_else(|| {
                panic!(
                    "no {code} sent; sent: {:?}",
                    self.sent
                        .iter()
                        .map(|(_, d)| String::from_utf8_lossy(d)
                            .lines()
                            .next()
                            .unwrap_or("")
                            .to_owned())
                        .collect::<Vec<_>>()
                )
            });
        let (_, data) = self.sent.remove(i);
        parse(Box::leak(data.into_boxed_slice())).unwrap()
    }

    fn statuses(&self, sid: SessionId) -> Vec<(SessionStatus, SessionReason)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::SessionStatusChanged {
                    session,
                    status,
                    reason,
                    ..
                } if *session == sid => Some((*status, reason.clone())),
                _ => None,
            })
            .collect()
    }
}

/// A response to `req` with a To tag `far`, extra headers and a body.
fn respond(
    req: &Message<'_>,
    code: u16,
    reason: &str,
    extra: &[(H, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut w = MessageWriter::response_to(&mut out, req, code, reason, Some("far"));
    for (n, v) in extra {
        w.header(*n, v);
    }
    if !body.is_empty() {
        w.header(H::ContentType, "application/sdp");
    }
    w.finish(body);
    out
}

fn answer_to(req: &Message<'_>) -> String {
    let offer = SessionDescription::parse(std::str::from_utf8(req.body()).unwrap()).unwrap();
    offer
        .answer("10.9.9.9".parse().unwrap(), 7000, 5, Direction::SendRecv)
        .to_string()
}

const RR: &str = "<sip:10.1.0.1:5060;transport=udp;lr>";
const FAR_CONTACT: &str = "<sip:2000@10.1.0.1:5060;transport=udp>";

/// Dials 2000 and plays 180 and 200 with Record-Route; returns the call.
fn connected_call(p: &mut Phone) -> SessionId {
    let sid = p.ep.dial(p.now, ConnectionId(0), "2000").unwrap();
    p.drain();
    let invite = p.take(Method::Invite);
    p.deliver(&respond(
        &invite,
        180,
        "Ringing",
        &[(H::RecordRoute, RR), (H::Contact, FAR_CONTACT)],
        b"",
    ));
    let body = answer_to(&invite);
    p.deliver(&respond(
        &invite,
        200,
        "OK",
        &[(H::RecordRoute, RR), (H::Contact, FAR_CONTACT)],
        body.as_bytes(),
    ));
    sid
}

#[test]
fn outbound_call_sends_a_proper_invite_and_acks_the_2xx() {
    let mut p = Phone::new();
    let sid = p.ep.dial(p.now, ConnectionId(0), "2000").unwrap();
    p.drain();
    let invite = p.take(Method::Invite);
    invite.validate().unwrap();
    assert_eq!(invite.request_uri(), Some("sip:2000@10.1.0.1"));
    assert_eq!(invite.to().unwrap().uri.as_str(), "sip:2000@10.1.0.1");
    assert!(invite.from().unwrap().tag().is_some());
    assert_eq!(invite.cseq().unwrap().method, Method::Invite);
    assert_eq!(
        invite
            .contacts()
            .next()
            .unwrap()
            .unwrap()
            .addr()
            .unwrap()
            .uri
            .as_str(),
        "sip:1001@10.0.0.1:5060;transport=udp"
    );
    let offer = SessionDescription::parse(std::str::from_utf8(invite.body()).unwrap()).unwrap();
    assert_eq!(offer.media[0].formats, ["0", "8", "101"]);
    assert_eq!(offer.direction(), Direction::SendRecv);
    assert_eq!(
        p.statuses(sid),
        [(SessionStatus::Dialing, SessionReason::Local)]
    );

    p.deliver(&respond(
        &invite,
        180,
        "Ringing",
        &[(H::RecordRoute, RR), (H::Contact, FAR_CONTACT)],
        b"",
    ));
    let body = answer_to(&invite);
    let ok = respond(
        &invite,
        200,
        "OK",
        &[(H::RecordRoute, RR), (H::Contact, FAR_CONTACT)],
        body.as_bytes(),
    );
    p.deliver(&ok);
    let ack = p.take(Method::Ack);
    // RFC 3261 §13.2.2.4: to the remote target, via the route set, with
    // the INVITE's CSeq number and a new branch.
    assert_eq!(
        ack.request_uri(),
        Some("sip:2000@10.1.0.1:5060;transport=udp")
    );
    assert_eq!(ack.header(H::Route), Some(RR));
    assert_eq!(ack.cseq().unwrap().seq, invite.cseq().unwrap().seq);
    assert_ne!(
        ack.top_via().unwrap().branch(),
        invite.top_via().unwrap().branch()
    );
    assert_eq!(ack.to().unwrap().tag(), Some("far"));
    assert_eq!(
        p.statuses(sid),
        [
            (SessionStatus::Dialing, SessionReason::Local),
            (SessionStatus::Ringing, SessionReason::Remote),
            (SessionStatus::Connected, SessionReason::Remote)
        ]
    );
    assert!(p
        .events
        .iter()
        .any(|e| matches!(e, Event::SessionMedia { session, .. } if *session == sid)));
    // A retransmitted 2xx gets the same ACK again.
    p.deliver(&ok);
    let again = p.take(Method::Ack);
    assert_eq!(
        again.top_via().unwrap().branch(),
        ack.top_via().unwrap().branch()
    );
    let info = p.ep.session(sid).unwrap();
    assert_eq!(info.status, SessionStatus::Connected);
    assert_eq!(info.direction, CallDirection::Outbound);
    assert_eq!(info.connection, ConnectionId(0));
}

#[test]
fn hold_and_retrieve_by_reinvite() {
    let mut p = Phone::new();
    let sid = connected_call(&mut p);
    p.sent.clear();
    p.ep.hold(p.now, sid).unwrap();
    p.drain();
    let reinvite = p.take(Method::Invite);
    assert_eq!(reinvite.to().unwrap().tag(), Some("far"));
    assert_eq!(reinvite.header(H::Route), Some(RR));
    let offer = SessionDescription::parse(std::str::from_utf8(reinvite.body()).unwrap()).unwrap();
    assert_eq!(offer.direction(), Direction::SendOnly);
    assert_eq!(offer.origin.version, 2, "RFC 3264 §8: version + 1");
    // Still connected until the far end accepts.
    assert_eq!(p.ep.session(sid).unwrap().status, SessionStatus::Connected);
    assert_eq!(p.ep.hold(p.now, sid), Err(CallError::Pending(sid)));
    let answer = offer.answer("10.9.9.9".parse().unwrap(), 7000, 5, Direction::SendRecv);
    assert_eq!(answer.direction(), Direction::RecvOnly);
    p.deliver(&respond(
        &reinvite,
        200,
        "OK",
        &[(H::Contact, FAR_CONTACT)],
        answer.to_string().as_bytes(),
    ));
    p.take(Method::Ack);
    assert_eq!(p.ep.session(sid).unwrap().status, SessionStatus::Held);

    // A 491 leaves the call held and retries after 2.1-4 s (RFC 3261 §14.1).
    p.ep.retrieve(p.now, sid).unwrap();
    p.drain();
    let r1 = p.take(Method::Invite);
    p.deliver(&respond(&r1, 491, "Request Pending", &[], b""));
    assert_eq!(p.ep.session(sid).unwrap().status, SessionStatus::Held);
    p.advance(Duration::from_millis(2090));
    assert!(p
        .sent
        .iter()
        .all(|(_, d)| parse(d).unwrap().method() != Some(Method::Invite)));
    p.advance(Duration::from_millis(1920));
    let r2 = p.take(Method::Invite);
    let offer = SessionDescription::parse(std::str::from_utf8(r2.body()).unwrap()).unwrap();
    assert_eq!(offer.direction(), Direction::SendRecv);
    assert!(r2.cseq().unwrap().seq > r1.cseq().unwrap().seq);
    let answer = offer.answer("10.9.9.9".parse().unwrap(), 7000, 5, Direction::SendRecv);
    p.deliver(&respond(&r2, 200, "OK", &[], answer.to_string().as_bytes()));
    assert_eq!(p.ep.session(sid).unwrap().status, SessionStatus::Connected);

    // A refused re-INVITE leaves the call as it was and says so.
    p.ep.hold(p.now, sid).unwrap();
    p.drain();
    let r3 = p.take(Method::Invite);
    p.deliver(&respond(&r3, 488, "Not Acceptable Here", &[], b""));
    assert_eq!(p.ep.session(sid).unwrap().status, SessionStatus::Connected);
    assert!(p
        .events
        .iter()
        .any(|e| matches!(e, Event::SessionActionFailed { session, .. } if *session == sid)));

    // Hangup: BYE in the dialog.
    p.ep.hangup(p.now, sid).unwrap();
    p.drain();
    let bye = p.take(Method::Bye);
    assert_eq!(bye.header(H::Route), Some(RR));
    assert_eq!(
        p.statuses(sid).last().unwrap(),
        &(SessionStatus::Disconnected, SessionReason::Local)
    );
    assert_eq!(p.ep.hangup(p.now, sid), Err(CallError::UnknownSession(sid)));
}

fn inbound_invite(extra: &str, call_id: &str) -> Vec<u8> {
    let sdp = SessionDescription::audio_offer("10.9.9.9".parse().unwrap(), 7000, 77).to_string();
    format!(
        "INVITE sip:1001@10.0.0.1:5060;transport=udp SIP/2.0\r\n\
Via: SIP/2.0/UDP 10.1.0.1:5060;branch=z9hG4bK{call_id}\r\n\
Max-Forwards: 70\r\n\
Record-Route: {RR}\r\n\
From: <sip:5000@10.1.0.1>;tag=caller\r\n\
To: <sip:1001@10.1.0.1>\r\n\
Call-ID: {call_id}\r\n\
CSeq: 1 INVITE\r\n\
Contact: <sip:5000@10.1.0.1:5060>\r\n\
{extra}Content-Type: application/sdp\r\n\
Content-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    )
    .into_bytes()
}

/// A request of the caller (5000 at the site) within the dialog of an
/// inbound call `call_id`, whose To tag (ours) is `tag`.
fn in_dialog(method: &str, call_id: &str, tag: &str, seq: u32, extra: &str, body: &str) -> Vec<u8> {
    let ct = if body.is_empty() {
        String::new()
    } else {
        "Content-Type: application/sdp\r\n".to_owned()
    };
    format!(
        "{method} sip:1001@10.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 10.1.0.1:5060;branch=z9hG4bK{method}{seq}\r\n\
From: <sip:5000@10.1.0.1>;tag=caller\r\nTo: <sip:1001@10.1.0.1>;tag={tag}\r\nCall-ID: {call_id}\r\n\
CSeq: {seq} {method}\r\n{extra}{ct}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn incoming_id(p: &Phone) -> SessionId {
    p.events
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::IncomingCall { session, .. } => Some(*session),
            _ => None,
        })
        .expect("an incoming call")
}

#[test]
fn inbound_call_rings_is_answered_and_the_2xx_waits_for_its_ack() {
    let mut p = Phone::new();
    p.deliver(&inbound_invite("", "in1"));
    let ringing = p.take_response(180);
    assert!(ringing.to().unwrap().tag().is_some());
    assert_eq!(ringing.header(H::RecordRoute), Some(RR));
    let sid = incoming_id(&p);
    let info = p.ep.session(sid).unwrap();
    assert_eq!(
        (info.status, info.direction, info.connection),
        (
            SessionStatus::Ringing,
            CallDirection::Inbound,
            ConnectionId(0)
        )
    );
    p.ep.answer(p.now, sid).unwrap();
    p.drain();
    let ok = p.take_response(200);
    let answer = SessionDescription::parse(std::str::from_utf8(ok.body()).unwrap()).unwrap();
    assert_eq!(answer.direction(), Direction::SendRecv);
    assert_eq!(answer.media[0].formats, ["0", "8", "101"]);
    // No ACK yet: the 2xx goes again after T1 (RFC 3261 §13.3.1.4).
    p.advance(Duration::from_millis(500));
    p.take_response(200);
    let tag = ok.to().unwrap().tag().unwrap().to_owned();
    p.deliver(&in_dialog("ACK", "in1", &tag, 1, "", ""));
    p.advance(Duration::from_secs(5));
    assert!(
        p.sent
            .iter()
            .all(|(_, d)| parse(d).unwrap().status() != Some(200)),
        "no 2xx after the ACK"
    );
    assert_eq!(p.ep.session(sid).unwrap().status, SessionStatus::Connected);

    // A second call rings while the first talks; answering it holds the first.
    p.deliver(&inbound_invite("", "in2"));
    p.take_response(180);
    let second = incoming_id(&p);
    assert_ne!(second, sid);
    assert_eq!(p.ep.session(sid).unwrap().status, SessionStatus::Connected);
    p.ep.answer(p.now, second).unwrap();
    p.drain();
    let hold = p.take(Method::Invite);
    assert_eq!(hold.call_id().unwrap(), "in1");
    let offer = SessionDescription::parse(std::str::from_utf8(hold.body()).unwrap()).unwrap();
    assert_eq!(offer.direction(), Direction::SendOnly);

    // The far end hangs up the first.
    p.deliver(&in_dialog("BYE", "in1", &tag, 2, "", ""));
    p.take_response(200);
    assert_eq!(
        p.statuses(sid).last().unwrap(),
        &(SessionStatus::Disconnected, SessionReason::Remote)
    );
    assert!(p.ep.session(sid).is_none());
}

#[test]
fn cancel_ends_a_ringing_call_with_487() {
    let mut p = Phone::new();
    let invite = inbound_invite("", "c1");
    p.deliver(&invite);
    let sid = incoming_id(&p);
    let cancel = b"CANCEL sip:1001@10.0.0.1:5060;transport=udp SIP/2.0\r\nVia: SIP/2.0/UDP 10.1.0.1:5060;branch=z9hG4bKc1\r\n\
Max-Forwards: 70\r\nFrom: <sip:5000@10.1.0.1>;tag=caller\r\nTo: <sip:1001@10.1.0.1>\r\nCall-ID: c1\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n";
    p.deliver(cancel);
    let ok = p.take_response(200);
    assert_eq!(ok.cseq().unwrap().method, Method::Cancel);
    let terminated = p.take_response(487);
    assert_eq!(terminated.cseq().unwrap().method, Method::Invite);
    assert_eq!(
        p.statuses(sid).last().unwrap(),
        &(SessionStatus::Disconnected, SessionReason::Remote)
    );
}

#[test]
fn the_site_drives_the_phone_auto_answer_and_notify() {
    let mut p = Phone::new();
    p.deliver(&inbound_invite(
        "Call-Info: <sip:10.1.0.1>;answer-after=2\r\n",
        "a1",
    ));
    let sid = incoming_id(&p);
    assert!(p.events.iter().any(|e| matches!(e, Event::IncomingCall { auto_answer: Some(d), .. } if *d == Duration::from_secs(2))));
    p.advance(Duration::from_millis(1900));
    assert_eq!(p.ep.session(sid).unwrap().status, SessionStatus::Ringing);
    p.advance(Duration::from_millis(200));
    let ok = p.take_response(200);
    assert_eq!(
        p.statuses(sid).last().unwrap(),
        &(SessionStatus::Connected, SessionReason::Site)
    );
    let tag = ok.to().unwrap().tag().unwrap().to_owned();
    p.deliver(&in_dialog("ACK", "a1", &tag, 1, "", ""));
    let notify = |event: &str, seq: u32| {
        let extra = format!("Event: {event}\r\nSubscription-State: terminated\r\n");
        in_dialog("NOTIFY", "a1", &tag, seq, &extra, "")
    };
    p.deliver(&notify("hold", 2));
    p.take_response(200);
    let reinvite = p.take(Method::Invite);
    let offer = SessionDescription::parse(std::str::from_utf8(reinvite.body()).unwrap()).unwrap();
    assert_eq!(offer.direction(), Direction::SendOnly);
    let answer = offer.answer("10.9.9.9".parse().unwrap(), 7000, 5, Direction::SendRecv);
    p.deliver(&respond(
        &reinvite,
        200,
        "OK",
        &[],
        answer.to_string().as_bytes(),
    ));
    assert_eq!(
        p.statuses(sid).last().unwrap(),
        &(SessionStatus::Held, SessionReason::Site)
    );
    p.deliver(&notify("talk", 3));
    p.take_response(200);
    let reinvite = p.take(Method::Invite);
    let offer = SessionDescription::parse(std::str::from_utf8(reinvite.body()).unwrap()).unwrap();
    assert_eq!(offer.direction(), Direction::SendRecv);
    p.deliver(&notify("presence", 4));
    let bad = p.take_response(489);
    assert_eq!(bad.header(H::AllowEvents), Some("talk, hold"));
}

#[test]
fn strangers_get_403_and_unknown_dialogs_481() {
    let mut p = Phone::new();
    p.deliver_from("203.0.113.66:5060", &inbound_invite("", "scan"));
    let forbidden = p.take_response(403);
    assert_eq!(forbidden.call_id().unwrap(), "scan");
    assert!(p.ep.sessions().is_empty());
    assert!(!p
        .events
        .iter()
        .any(|e| matches!(e, Event::IncomingCall { .. })));
    let bye = b"BYE sip:1001@10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.1.0.1:5060;branch=z9hG4bKx\r\n\
From: <sip:5000@10.1.0.1>;tag=a\r\nTo: <sip:1001@10.1.0.1>;tag=b\r\nCall-ID: nope\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n";
    p.deliver(bye);
    p.take_response(481);
}

#[test]
fn commands_on_wrong_sessions_are_errors() {
    let mut p = Phone::new();
    let ghost = SessionId(99);
    assert_eq!(
        p.ep.answer(p.now, ghost),
        Err(CallError::UnknownSession(ghost))
    );
    assert_eq!(
        p.ep.hold(p.now, ghost),
        Err(CallError::UnknownSession(ghost))
    );
    assert!(matches!(
        p.ep.dial(p.now, ConnectionId(0), "bad dest"),
        Err(CallError::BadDestination(_))
    ));
    let sid =
        p.ep.dial(p.now, ConnectionId(0), "sip:2000@10.1.0.1")
            .unwrap();
    assert!(matches!(
        p.ep.answer(p.now, sid),
        Err(CallError::InvalidState { .. })
    ));
    assert!(matches!(
        p.ep.hold(p.now, sid),
        Err(CallError::InvalidState { .. })
    ));
    assert_eq!(p.ep.reject(p.now, sid, 200), Err(CallError::BadCode(200)));
}

#[test]
fn hangup_before_any_answer_cancels_once_it_rings() {
    let mut p = Phone::new();
    let sid = p.ep.dial(p.now, ConnectionId(0), "2000").unwrap();
    p.drain();
    let invite = p.take(Method::Invite);
    p.ep.hangup(p.now, sid).unwrap();
    p.drain();
    // RFC 3261 §9.1: no CANCEL before a provisional.
    assert!(p
        .sent
        .iter()
        .all(|(_, d)| parse(d).unwrap().method() != Some(Method::Cancel)));
    p.deliver(&respond(&invite, 100, "Trying", &[], b""));
    let cancel = p.take(Method::Cancel);
    assert_eq!(
        cancel.top_via().unwrap().branch(),
        invite.top_via().unwrap().branch()
    );
    assert_eq!(cancel.cseq().unwrap().seq, invite.cseq().unwrap().seq);
    p.deliver(&respond(&cancel, 200, "OK", &[], b""));
    p.deliver(&respond(&invite, 487, "Request Terminated", &[], b""));
    // The transaction ACKs the 487 itself.
    let ack = p.take(Method::Ack);
    assert_eq!(
        ack.top_via().unwrap().branch(),
        invite.top_via().unwrap().branch()
    );
    assert_eq!(
        p.statuses(sid).last().unwrap(),
        &(SessionStatus::Disconnected, SessionReason::Local)
    );
}

#[test]
fn a_2xx_racing_the_cancel_and_a_forked_2xx_are_acked_and_byed() {
    let mut p = Phone::new();
    let sid = p.ep.dial(p.now, ConnectionId(0), "2000").unwrap();
    p.drain();
    let invite = p.take(Method::Invite);
    p.deliver(&respond(
        &invite,
        180,
        "Ringing",
        &[(H::Contact, FAR_CONTACT)],
        b"",
    ));
    p.ep.hangup(p.now, sid).unwrap();
    p.drain();
    p.take(Method::Cancel);
    let body = answer_to(&invite);
    p.deliver(&respond(
        &invite,
        200,
        "OK",
        &[(H::Contact, FAR_CONTACT)],
        body.as_bytes(),
    ));
    p.take(Method::Ack);
    let bye = p.take(Method::Bye);
    assert_eq!(bye.to().unwrap().tag(), Some("far"));
    assert_eq!(
        p.statuses(sid)
            .iter()
            .filter(|(s, _)| *s == SessionStatus::Disconnected)
            .count(),
        1
    );

    // A forked INVITE: the first 2xx makes the call, a second dialog is
    // ACKed and BYE'd (RFC 3261 §13.2.2.4).
    let sid = p.ep.dial(p.now, ConnectionId(0), "2000").unwrap();
    p.drain();
    let invite = p.take(Method::Invite);
    let body = answer_to(&invite);
    p.deliver(&respond(
        &invite,
        200,
        "OK",
        &[(H::Contact, FAR_CONTACT)],
        body.as_bytes(),
    ));
    p.take(Method::Ack);
    let fork = String::from_utf8(respond(
        &invite,
        200,
        "OK",
        &[(H::Contact, "<sip:2000@10.1.0.7>")],
        body.as_bytes(),
    ))
    .unwrap()
    .replace("tag=far", "tag=fork");
    p.deliver(fork.as_bytes());
    let ack = p.take(Method::Ack);
    assert_eq!(ack.to().unwrap().tag(), Some("fork"));
    let bye = p.take(Method::Bye);
    assert_eq!(bye.to().unwrap().tag(), Some("fork"));
    assert_eq!(bye.request_uri(), Some("sip:2000@10.1.0.7"));
    assert_eq!(p.ep.session(sid).unwrap().status, SessionStatus::Connected);
}

#[test]
fn invite_challenges_are_answered() {
    use geosip_core::auth::{challenge, verify, DigestAlgorithm, Qop};
    use geosip_core::message::headers::ProxyAuthorization;
    let mut p = Phone::with_password(Some("pw"));
    let sid = p.ep.dial(p.now, ConnectionId(0), "2000").unwrap();
    p.drain();
    let invite = p.take(Method::Invite);
    let ch = challenge("site", "n1", DigestAlgorithm::Md5, false, &[Qop::Auth]);
    p.deliver(&respond(
        &invite,
        407,
        "Proxy Authentication Required",
        &[(H::ProxyAuthenticate, &ch)],
        b"",
    ));
    let ack = p.take(Method::Ack);
    assert_eq!(
        ack.top_via().unwrap().branch(),
        invite.top_via().unwrap().branch()
    );
    let again = p.take(Method::Invite);
    assert_eq!(again.call_id().unwrap(), invite.call_id().unwrap());
    assert_eq!(again.from().unwrap().tag(), invite.from().unwrap().tag());
    assert_eq!(again.cseq().unwrap().seq, invite.cseq().unwrap().seq + 1);
    assert_ne!(
        again.top_via().unwrap().branch(),
        invite.top_via().unwrap().branch()
    );
    let creds = again.typed::<ProxyAuthorization>().unwrap();
    verify(&creds, "pw", "INVITE", again.body()).unwrap();
    assert_eq!(p.ep.session(sid).unwrap().status, SessionStatus::Dialing);
    // The same challenge again means wrong credentials: the call ends.
    p.deliver(&respond(
        &again,
        407,
        "Proxy Authentication Required",
        &[(H::ProxyAuthenticate, &ch)],
        b"",
    ));
    assert_eq!(
        p.statuses(sid).last().unwrap(),
        &(
            SessionStatus::Disconnected,
            SessionReason::SipError {
                code: 407,
                phrase: "Proxy Authentication Required".into()
            }
        )
    );
}

#[test]
fn the_applications_own_sdp_is_offered_and_hold_changes_only_its_direction() {
    use geosip_core::session::DialOptions;
    let mut p = Phone::new();
    let mine = "v=0\r\no=app 99 5 IN IP4 10.0.0.50\r\ns=app\r\nc=IN IP4 10.0.0.50\r\nt=0 0\r\n\
m=audio 30000 RTP/AVP 9 0\r\na=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\na=x-app:keep\r\n";
    assert!(matches!(
        p.ep.dial_with(
            p.now,
            ConnectionId(0),
            "2000",
            DialOptions {
                sdp: Some("nonsense".into())
            }
        ),
        Err(CallError::BadSdp(_))
    ));
    let sid =
        p.ep.dial_with(
            p.now,
            ConnectionId(0),
            "2000",
            DialOptions {
                sdp: Some(mine.into()),
            },
        )
        .unwrap();
    p.drain();
    let invite = p.take(Method::Invite);
    let offer = SessionDescription::parse(std::str::from_utf8(invite.body()).unwrap()).unwrap();
    assert_eq!(offer.media[0].port, 30000);
    assert_eq!(offer.media[0].formats, ["9", "0"]);
    assert!(offer.media[0].attributes.contains(&"x-app:keep".to_owned()));
    let body = answer_to(&invite);
    p.deliver(&respond(
        &invite,
        200,
        "OK",
        &[(H::Contact, FAR_CONTACT)],
        body.as_bytes(),
    ));
    p.ep.hold(p.now, sid).unwrap();
    p.drain();
    let reinvite = p.take(Method::Invite);
    let held = SessionDescription::parse(std::str::from_utf8(reinvite.body()).unwrap()).unwrap();
    assert_eq!(held.direction(), Direction::SendOnly);
    assert_eq!(held.media[0].port, 30000);
    assert!(held.media[0].attributes.contains(&"x-app:keep".to_owned()));
    assert_eq!(held.origin.session_id, offer.origin.session_id);
    assert_eq!(held.origin.version, offer.origin.version + 1);
}

#[test]
fn an_offerless_invite_gets_our_offer_in_the_2xx_and_the_answer_comes_in_the_ack() {
    let mut p = Phone::new();
    let invite = String::from_utf8(inbound_invite("", "nooffer")).unwrap();
    let head =
        invite.split("Content-Type").next().unwrap().to_owned() + "Content-Length: 0\r\n\r\n";
    p.deliver(head.as_bytes());
    let sid = incoming_id(&p);
    p.ep.answer(p.now, sid).unwrap();
    p.drain();
    let ok = p.take_response(200);
    let offer = SessionDescription::parse(std::str::from_utf8(ok.body()).unwrap()).unwrap();
    assert_eq!(offer.direction(), Direction::SendRecv);
    let answer = offer
        .answer("10.9.9.9".parse().unwrap(), 7000, 5, Direction::SendRecv)
        .to_string();
    let tag = ok.to().unwrap().tag().unwrap().to_owned();
    let ack = in_dialog("ACK", "nooffer", &tag, 1, "", &answer);
    p.events.clear();
    p.deliver(&ack);
    assert!(p
        .events
        .iter()
        .any(|e| matches!(e, Event::SessionMedia { session, .. } if *session == sid)));
    let info = p.ep.session(sid).unwrap();
    assert_eq!(info.status, SessionStatus::Connected);
    assert!(info.remote_sdp.unwrap().contains("m=audio 7000"));
}

/// Found by the `endpoint` fuzz target
/// (`fuzz/regressions/endpoint/call-bye-to-disabled-site-for-late-*`): a
/// 2xx of a second dialog that came after the connection was disabled
/// got a BYE, retransmitted for 32 s, long past the probe timeout after
/// which a disabled connection's traffic stops. It is ACKed, not BYEd.
#[test]
fn a_forked_2xx_after_disable_is_acked_but_not_byed() {
    let mut p = Phone::new();
    let _sid = p.ep.dial(p.now, ConnectionId(0), "2000").unwrap();
    p.drain();
    let invite = p.take(Method::Invite);
    let body = answer_to(&invite);
    let extra = [(H::Contact, FAR_CONTACT)];
    let ok = respond(&invite, 200, "OK", &extra, body.as_bytes());
    p.deliver(&ok);
    p.ep.disable_connection(p.now, ConnectionId(0)).unwrap();
    p.drain();
    p.sent.clear();
    let fork = String::from_utf8(ok)
        .unwrap()
        .replace(";tag=far", ";tag=fork");
    p.deliver(fork.as_bytes());
    p.advance(Duration::from_secs(40));
    // To-tag `fork`: messages of the second dialog (the first one's BYE,
    // sent at the disable, is retransmitted until the probe timeout).
    let forked: Vec<String> = p
        .sent
        .iter()
        .map(|(_, d)| parse(d).unwrap())
        .filter(|m| {
            m.to()
                .ok()
                .and_then(|t| t.tag().map(str::to_owned))
                .as_deref()
                == Some("fork")
        })
        .filter_map(|m| m.method().map(|m| m.as_str().to_owned()))
        .collect();
    assert_eq!(forked, ["ACK"]);
}

#[test]
fn a_required_extension_we_lack_gets_420_with_unsupported() {
    let mut p = Phone::new();
    p.deliver(&inbound_invite("Require: 100rel, precondition\r\n", "req"));
    let bad = p.take_response(420);
    assert_eq!(bad.header(H::Unsupported), Some("100rel, precondition"));
    assert!(p.ep.sessions().is_empty());
    // Supported (not Require) is fine.
    p.deliver(&inbound_invite("Supported: 100rel\r\n", "sup"));
    p.take_response(180);
}

#[test]
fn a_merged_invite_by_another_path_gets_482() {
    let mut p = Phone::new();
    p.deliver(&inbound_invite("", "merge"));
    p.take_response(180);
    // The same INVITE by another proxy path: another branch.
    let again = String::from_utf8(inbound_invite("", "merge"))
        .unwrap()
        .replace("branch=z9hG4bKmerge", "branch=z9hG4bKother");
    p.deliver(again.as_bytes());
    p.take_response(482);
    assert_eq!(p.ep.sessions().len(), 1);
}
