//! The transaction layer (RFC 3261 §17, RFC 6026) through its public face:
//! exact timer schedules, ACK generation, RFC 6026 2xx handling, server
//! retransmission and absorption, matching rules, stray responses,
//! transport failures and the table bound.

use std::time::{Duration, Instant};

use geosip_core::io::{FlowId, TransportError, TransportKind};
use geosip_core::message::{parse, HeaderName, MessageWriter, Method};
use geosip_core::transaction::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// A request from 192.0.2.1 to bob, with two Route headers.
fn request(method: &str, branch: &str, seq: u32, cseq_method: &str, to_tag: &str) -> Vec<u8> {
    request_from(method, branch, seq, cseq_method, to_tag, "192.0.2.1:5060")
}

fn request_from(
    method: &str,
    branch: &str,
    seq: u32,
    cseq_method: &str,
    to_tag: &str,
    sent_by: &str,
) -> Vec<u8> {
    let to_tag = if to_tag.is_empty() {
        String::new()
    } else {
        format!(";tag={to_tag}")
    };
    format!(
        "{method} sip:bob@192.0.2.2 SIP/2.0\r\n\
         Via: SIP/2.0/UDP {sent_by};branch={branch}\r\n\
         Max-Forwards: 70\r\n\
         Route: <sip:p1.example.com;lr>\r\n\
         Route: <sip:p2.example.com;lr>\r\n\
         From: \"Alice\" <sip:alice@example.com>;tag=a1\r\n\
         To: <sip:bob@example.com>{to_tag}\r\n\
         Call-ID: call-1@192.0.2.1\r\n\
         CSeq: {seq} {cseq_method}\r\n\
         Contact: <sip:alice@192.0.2.1>\r\n\
         Content-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

fn invite(branch: &str) -> Vec<u8> {
    request("INVITE", branch, 1, "INVITE", "")
}

fn options(branch: &str) -> Vec<u8> {
    request("OPTIONS", branch, 2, "OPTIONS", "")
}

/// A response to `req` built as a UAS would (RFC 3261 §8.2.6).
fn response(req: &[u8], code: u16, to_tag: Option<&str>) -> Vec<u8> {
    let m = parse(req).unwrap();
    let mut out = Vec::new();
    MessageWriter::response_to(&mut out, &m, code, "Reason", to_tag).finish(b"");
    out
}

fn udp() -> Destination {
    Destination::udp("192.0.2.2:5060".parse().unwrap())
}

fn tcp(flow: u64) -> Destination {
    Destination::stream(
        "192.0.2.2:5060".parse().unwrap(),
        TransportKind::Tcp,
        FlowId(flow),
    )
}

fn table() -> TransactionTable {
    TransactionTable::new(TransactionConfig::default())
}

fn drain(t: &mut TransactionTable) -> Vec<TxEvent> {
    std::iter::from_fn(|| t.poll_event()).collect()
}

fn sent(events: &[TxEvent]) -> Vec<Vec<u8>> {
    events
        .iter()
        .filter_map(|e| match e {
            TxEvent::Transmit { bytes, .. } => Some(bytes.clone()),
            _ => None,
        })
        .collect()
}

/// Runs every timer up to `end`, returning each event with the time it
/// happened, as an offset from `t0`.
fn run_until(t: &mut TransactionTable, t0: Instant, end: Duration) -> Vec<(Duration, TxEvent)> {
    let mut out = Vec::new();
    while let Some(at) = t.next_deadline().filter(|at| *at <= t0 + end) {
        t.handle_timeout(at);
        out.extend(drain(t).into_iter().map(|e| (at - t0, e)));
    }
    out
}

fn transmit_times(events: &[(Duration, TxEvent)]) -> Vec<Duration> {
    events
        .iter()
        .filter(|(_, e)| matches!(e, TxEvent::Transmit { .. }))
        .map(|(at, _)| *at)
        .collect()
}

fn deliver(t: &mut TransactionTable, now: Instant, bytes: &[u8]) -> ResponseAction {
    t.handle_response(now, &parse(bytes).unwrap())
}

fn incoming(
    t: &mut TransactionTable,
    now: Instant,
    bytes: &[u8],
    reply_to: Destination,
) -> RequestAction {
    t.handle_request(now, &parse(bytes).unwrap(), reply_to)
        .unwrap()
}

// ---------------------------------------------------------------- client

#[test]
fn timer_a_doubles_over_udp_until_timer_b_at_32s() {
    let mut t = table();
    let t0 = Instant::now();
    let tx = t.send_request(t0, invite("z9hG4bKa"), udp()).unwrap();
    assert_eq!(sent(&drain(&mut t)), [invite("z9hG4bKa")]);
    assert_eq!(t.state(tx), Some(TxState::Calling));
    let events = run_until(&mut t, t0, secs(60));
    // Intervals 0.5, 1, 2, 4, 8, 16 s (RFC 3261 §17.1.1.2).
    assert_eq!(
        transmit_times(&events),
        [ms(500), ms(1500), ms(3500), ms(7500), ms(15500), ms(31500)]
    );
    let tail: Vec<_> = events
        .iter()
        .filter(|(_, e)| !matches!(e, TxEvent::Transmit { .. }))
        .cloned()
        .collect();
    assert_eq!(
        tail,
        [
            (
                secs(32),
                TxEvent::Timeout {
                    tx,
                    reason: TimeoutReason::NoResponse
                }
            ),
            (secs(32), TxEvent::Terminated { tx }),
        ]
    );
    assert!(t.is_empty());
    assert_eq!(t.next_deadline(), None);
}

#[test]
fn reliable_transports_never_retransmit() {
    let mut t = table();
    let t0 = Instant::now();
    let inv = t.send_request(t0, invite("z9hG4bKa"), tcp(1)).unwrap();
    let opt = t.send_request(t0, options("z9hG4bKo"), tcp(1)).unwrap();
    assert_eq!(sent(&drain(&mut t)).len(), 2);
    // The only deadline is the transaction timeout.
    assert_eq!(t.next_deadline(), Some(t0 + secs(32)));
    let events = run_until(&mut t, t0, secs(60));
    assert!(transmit_times(&events).is_empty());
    for tx in [inv, opt] {
        assert!(events.contains(&(
            secs(32),
            TxEvent::Timeout {
                tx,
                reason: TimeoutReason::NoResponse
            }
        )));
    }
}

#[test]
fn timers_b_and_f_fire_at_64_t1_with_a_custom_t1() {
    let config = TransactionConfig {
        timers: TimerConfig::with_t1(ms(100)),
        ..TransactionConfig::default()
    };
    let mut t = TransactionTable::new(config);
    let t0 = Instant::now();
    let inv = t.send_request(t0, invite("z9hG4bKa"), udp()).unwrap();
    let opt = t.send_request(t0, options("z9hG4bKo"), udp()).unwrap();
    drain(&mut t);
    let events = run_until(&mut t, t0, secs(60));
    let timeouts: Vec<_> = events
        .iter()
        .filter(|(_, e)| matches!(e, TxEvent::Timeout { .. }))
        .cloned()
        .collect();
    let reason = TimeoutReason::NoResponse;
    assert_eq!(
        timeouts,
        [
            (ms(6400), TxEvent::Timeout { tx: inv, reason }),
            (ms(6400), TxEvent::Timeout { tx: opt, reason }),
        ]
    );
    // Nothing fired a moment before.
    let mut t = TransactionTable::new(config);
    t.send_request(t0, invite("z9hG4bKa"), tcp(1)).unwrap();
    t.handle_timeout(t0 + ms(6399));
    assert_eq!(drain(&mut t).len(), 1, "only the first send");
}

#[test]
fn the_timeout_policy_overrides_64_t1() {
    let config = TransactionConfig {
        timers: TimerConfig {
            timeout: secs(10),
            ..TimerConfig::default()
        },
        ..TransactionConfig::default()
    };
    let mut t = TransactionTable::new(config);
    let t0 = Instant::now();
    let tx = t.send_request(t0, options("z9hG4bKo"), tcp(1)).unwrap();
    let events = run_until(&mut t, t0, secs(60));
    assert_eq!(
        events[1],
        (
            secs(10),
            TxEvent::Timeout {
                tx,
                reason: TimeoutReason::NoResponse
            }
        )
    );
}

#[test]
fn timer_e_is_capped_at_t2() {
    let mut t = table();
    let t0 = Instant::now();
    t.send_request(t0, options("z9hG4bKo"), udp()).unwrap();
    drain(&mut t);
    let events = run_until(&mut t, t0, secs(60));
    assert_eq!(
        transmit_times(&events),
        [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500].map(ms)
    );
    assert!(matches!(events.last(), Some((d, TxEvent::Terminated { .. })) if *d == secs(32)));
}

#[test]
fn timer_e_fires_every_t2_in_proceeding() {
    let mut t = table();
    let t0 = Instant::now();
    let req = options("z9hG4bKo");
    let tx = t.send_request(t0, req.clone(), udp()).unwrap();
    drain(&mut t);
    let trying = response(&req, 100, None);
    assert_eq!(
        deliver(&mut t, t0 + ms(200), &trying),
        ResponseAction::Deliver { tx, code: 100 }
    );
    assert_eq!(t.state(tx), Some(TxState::Proceeding));
    let events = run_until(&mut t, t0, secs(60));
    assert_eq!(
        transmit_times(&events),
        [500, 4500, 8500, 12500, 16500, 20500, 24500, 28500].map(ms)
    );
    assert!(events.contains(&(
        secs(32),
        TxEvent::Timeout {
            tx,
            reason: TimeoutReason::NoResponse
        }
    )));
}

#[test]
fn non_invite_final_response_then_timer_k() {
    let mut t = table();
    let t0 = Instant::now();
    let req = options("z9hG4bKo");
    let tx = t.send_request(t0, req.clone(), udp()).unwrap();
    drain(&mut t);
    let ok = response(&req, 200, Some("b"));
    assert_eq!(
        deliver(&mut t, t0 + secs(1), &ok),
        ResponseAction::Deliver { tx, code: 200 }
    );
    assert_eq!(t.state(tx), Some(TxState::Completed));
    // A retransmitted final is absorbed (RFC 3261 §17.1.2.2).
    assert_eq!(
        deliver(&mut t, t0 + secs(2), &ok),
        ResponseAction::Absorbed { tx }
    );
    assert_eq!(t.next_deadline(), Some(t0 + secs(6)), "Timer K = T4");
    let events = run_until(&mut t, t0, secs(60));
    assert_eq!(events, [(secs(6), TxEvent::Terminated { tx })]);

    // Over TCP, K is zero: the transaction ends with the response.
    let tx = t.send_request(t0, req.clone(), tcp(1)).unwrap();
    drain(&mut t);
    assert_eq!(
        deliver(&mut t, t0 + secs(1), &ok),
        ResponseAction::Deliver { tx, code: 200 }
    );
    assert_eq!(drain(&mut t), [TxEvent::Terminated { tx }]);
    assert_eq!(
        deliver(&mut t, t0 + secs(1), &ok),
        ResponseAction::Unmatched
    );
}

#[test]
fn a_486_is_acked_by_the_transaction() {
    let mut t = table();
    let t0 = Instant::now();
    let req = invite("z9hG4bKinv");
    let tx = t.send_request(t0, req.clone(), udp()).unwrap();
    drain(&mut t);
    let ringing = response(&req, 180, Some("bob1"));
    assert_eq!(
        deliver(&mut t, t0 + ms(100), &ringing),
        ResponseAction::Deliver { tx, code: 180 }
    );
    assert_eq!(t.state(tx), Some(TxState::Proceeding));
    // Proceeding: no Timer A, no Timer B.
    assert_eq!(t.next_deadline(), None);

    let busy = response(&req, 486, Some("bob1"));
    assert_eq!(
        deliver(&mut t, t0 + secs(3), &busy),
        ResponseAction::Deliver { tx, code: 486 }
    );
    assert_eq!(t.state(tx), Some(TxState::Completed));
    let events = drain(&mut t);
    let [TxEvent::Transmit { dest, bytes, .. }] = &events[..] else {
        panic!("one ACK, got {events:?}");
    };
    assert_eq!(*dest, udp(), "the ACK goes where the INVITE went");
    let ack = parse(bytes).unwrap();
    let inv = parse(&req).unwrap();
    assert_eq!(ack.method(), Some(Method::Ack));
    assert_eq!(ack.request_uri(), inv.request_uri());
    assert_eq!(ack.header_values(HeaderName::Via).count(), 1);
    assert_eq!(ack.top_via().unwrap(), inv.top_via().unwrap());
    let routes = |m: &geosip_core::message::Message<'_>| -> Vec<String> {
        m.header_values(HeaderName::Route)
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(routes(&ack), routes(&inv));
    assert_eq!(ack.from().unwrap(), inv.from().unwrap());
    assert_eq!(ack.to().unwrap().tag(), Some("bob1"));
    assert_eq!(ack.to().unwrap().uri, inv.to().unwrap().uri);
    assert_eq!(ack.call_id().unwrap(), inv.call_id().unwrap());
    assert_eq!(ack.cseq().unwrap().seq, 1);
    assert_eq!(ack.cseq().unwrap().method, Method::Ack);
    assert_eq!(ack.header(HeaderName::Contact), None);
    let first_ack = bytes.clone();

    // The 486 again: our ACK was lost; send it again, tell nobody.
    assert_eq!(
        deliver(&mut t, t0 + secs(4), &busy),
        ResponseAction::Absorbed { tx }
    );
    assert_eq!(sent(&drain(&mut t)), [first_ack]);
    // Timer D: 32 s after the 486.
    let events = run_until(&mut t, t0, secs(100));
    assert_eq!(events, [(secs(35), TxEvent::Terminated { tx })]);

    // Over TCP, D is zero.
    let tx = t.send_request(t0, req.clone(), tcp(1)).unwrap();
    drain(&mut t);
    deliver(&mut t, t0 + secs(1), &busy);
    let events = drain(&mut t);
    assert!(matches!(events[0], TxEvent::Transmit { .. }));
    assert_eq!(events[1], TxEvent::Terminated { tx });
}

#[test]
fn a_2xx_moves_to_accepted_and_its_retransmissions_reach_the_tu() {
    let mut t = table();
    let t0 = Instant::now();
    let req = invite("z9hG4bKinv");
    let tx = t.send_request(t0, req.clone(), udp()).unwrap();
    drain(&mut t);
    let ok = response(&req, 200, Some("bob1"));
    assert_eq!(
        deliver(&mut t, t0 + secs(1), &ok),
        ResponseAction::Deliver { tx, code: 200 }
    );
    assert_eq!(t.state(tx), Some(TxState::Accepted));
    assert!(
        drain(&mut t).is_empty(),
        "the TU, not the transaction, ACKs a 2xx"
    );
    // RFC 6026 §7.2: retransmissions and forked 2xx go to the TU.
    assert_eq!(
        deliver(&mut t, t0 + secs(2), &ok),
        ResponseAction::Deliver { tx, code: 200 }
    );
    let forked = response(&req, 200, Some("bob2"));
    assert_eq!(
        deliver(&mut t, t0 + secs(3), &forked),
        ResponseAction::Deliver { tx, code: 200 }
    );
    // A late 1xx or non-2xx is absorbed.
    let busy = response(&req, 486, Some("bob3"));
    assert_eq!(
        deliver(&mut t, t0 + secs(3), &busy),
        ResponseAction::Absorbed { tx }
    );
    assert!(drain(&mut t).is_empty());
    // Timer M = 64*T1 after the first 2xx.
    assert_eq!(t.next_deadline(), Some(t0 + secs(33)));
    let events = run_until(&mut t, t0, secs(100));
    assert_eq!(events, [(secs(33), TxEvent::Terminated { tx })]);
    assert_eq!(
        deliver(&mut t, t0 + secs(40), &ok),
        ResponseAction::Unmatched
    );
}

#[test]
fn a_late_wake_up_sends_one_retransmission_not_a_burst() {
    let mut t = table();
    let t0 = Instant::now();
    t.send_request(t0, invite("z9hG4bKa"), udp()).unwrap();
    drain(&mut t);
    t.handle_timeout(t0 + secs(5));
    assert_eq!(sent(&drain(&mut t)).len(), 1);
    assert_eq!(t.next_deadline(), Some(t0 + ms(7500)), "back on the grid");
}

// ---------------------------------------------------------------- server

#[test]
fn server_invite_retransmits_its_final_on_timer_g_and_on_request_retransmission() {
    let mut t = table();
    let t0 = Instant::now();
    let req = invite("z9hG4bKs1");
    let RequestAction::New { tx, kind } = incoming(&mut t, t0, &req, udp()) else {
        panic!()
    };
    assert_eq!(kind, TxKind::ServerInvite);
    let busy = response(&req, 486, Some("me"));
    t.respond(t0, tx, busy.clone()).unwrap();
    assert_eq!(sent(&drain(&mut t)), std::slice::from_ref(&busy));
    assert_eq!(t.state(tx), Some(TxState::Completed));

    // Timer G: T1, 2T1, 4T1 ... capped at T2.
    let events = run_until(&mut t, t0, ms(12000));
    assert_eq!(
        transmit_times(&events),
        [500, 1500, 3500, 7500, 11500].map(ms)
    );
    assert!(events
        .iter()
        .all(|(_, e)| matches!(e, TxEvent::Transmit { bytes, .. } if *bytes == busy)));

    // The INVITE again: the 486 again.
    assert_eq!(
        incoming(&mut t, t0 + ms(12100), &req, udp()),
        RequestAction::Retransmission { tx }
    );
    assert_eq!(sent(&drain(&mut t)), std::slice::from_ref(&busy));

    // The ACK (same branch, RFC 3261 §17.1.1.3) is absorbed.
    let ack = request("ACK", "z9hG4bKs1", 1, "ACK", "me");
    assert_eq!(
        incoming(&mut t, t0 + ms(12200), &ack, udp()),
        RequestAction::AckAbsorbed { tx }
    );
    assert_eq!(t.state(tx), Some(TxState::Confirmed));
    // Again: still absorbed; and the INVITE is absorbed too.
    assert_eq!(
        incoming(&mut t, t0 + ms(12300), &ack, udp()),
        RequestAction::AckAbsorbed { tx }
    );
    incoming(&mut t, t0 + ms(12300), &req, udp());
    assert!(drain(&mut t).is_empty());
    // No more G; Timer I = T4 after the ACK.
    let events = run_until(&mut t, t0, secs(100));
    assert_eq!(events, [(ms(17200), TxEvent::Terminated { tx })]);
}

#[test]
fn server_invite_timer_h_reports_the_missing_ack() {
    let mut t = table();
    let t0 = Instant::now();
    let req = invite("z9hG4bKs1");
    let RequestAction::New { tx, .. } = incoming(&mut t, t0, &req, udp()) else {
        panic!()
    };
    t.respond(t0, tx, response(&req, 603, Some("me"))).unwrap();
    drain(&mut t);
    let events = run_until(&mut t, t0, secs(100));
    assert_eq!(
        transmit_times(&events),
        [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500].map(ms)
    );
    let n = events.len();
    assert_eq!(
        events[n - 2..],
        [
            (
                secs(32),
                TxEvent::Timeout {
                    tx,
                    reason: TimeoutReason::NoAck
                }
            ),
            (secs(32), TxEvent::Terminated { tx }),
        ]
    );
}

#[test]
fn server_invite_over_tcp_sends_once_and_ends_at_the_ack() {
    let mut t = table();
    let t0 = Instant::now();
    let req = invite("z9hG4bKs1");
    let RequestAction::New { tx, .. } = incoming(&mut t, t0, &req, tcp(4)) else {
        panic!()
    };
    t.respond(t0, tx, response(&req, 486, Some("me"))).unwrap();
    assert_eq!(sent(&drain(&mut t)).len(), 1);
    assert_eq!(t.next_deadline(), Some(t0 + secs(32)), "only Timer H");
    let ack = request("ACK", "z9hG4bKs1", 1, "ACK", "me");
    assert_eq!(
        incoming(&mut t, t0 + secs(1), &ack, tcp(4)),
        RequestAction::AckAbsorbed { tx }
    );
    assert_eq!(
        drain(&mut t),
        [TxEvent::Terminated { tx }],
        "Timer I is zero"
    );
}

#[test]
fn server_invite_accepted_per_rfc_6026() {
    let mut t = table();
    let t0 = Instant::now();
    let req = invite("z9hG4bKs1");
    let RequestAction::New { tx, .. } = incoming(&mut t, t0, &req, udp()) else {
        panic!()
    };
    let ok = response(&req, 200, Some("me"));
    t.respond(t0, tx, ok.clone()).unwrap();
    assert_eq!(t.state(tx), Some(TxState::Accepted));
    assert_eq!(sent(&drain(&mut t)), std::slice::from_ref(&ok));
    // Retransmitted INVITE: absorbed, no 2xx from the transaction.
    assert_eq!(
        incoming(&mut t, t0 + ms(500), &req, udp()),
        RequestAction::Retransmission { tx }
    );
    assert!(drain(&mut t).is_empty());
    // The TU's own 2xx retransmission passes through.
    t.respond(t0 + ms(500), tx, ok.clone()).unwrap();
    assert_eq!(sent(&drain(&mut t)), std::slice::from_ref(&ok));
    // No other response is allowed any more.
    assert_eq!(
        t.respond(t0 + ms(600), tx, response(&req, 486, Some("me"))),
        Err(TransactionError::InvalidState {
            tx,
            state: TxState::Accepted,
            code: 486
        })
    );
    // The ACK for a 2xx has its own branch: no transaction, for the TU.
    let ack = request("ACK", "z9hG4bKack", 1, "ACK", "me");
    assert_eq!(
        incoming(&mut t, t0 + ms(700), &ack, udp()),
        RequestAction::AckToTu { tx: None }
    );
    // One that does reach the transaction in Accepted also goes to the TU.
    let same_branch_ack = request("ACK", "z9hG4bKs1", 1, "ACK", "me");
    assert_eq!(
        incoming(&mut t, t0 + ms(700), &same_branch_ack, udp()),
        RequestAction::AckToTu { tx: Some(tx) }
    );
    // Timer L.
    let events = run_until(&mut t, t0, secs(100));
    assert_eq!(events, [(secs(32), TxEvent::Terminated { tx })]);
}

#[test]
fn server_invite_sends_100_trying_when_the_tu_is_slow() {
    let mut t = table();
    let t0 = Instant::now();
    let req = invite("z9hG4bKs1");
    let RequestAction::New { tx, .. } = incoming(&mut t, t0, &req, udp()) else {
        panic!()
    };
    assert!(drain(&mut t).is_empty());
    assert_eq!(t.next_deadline(), Some(t0 + ms(200)));
    let events = run_until(&mut t, t0, ms(300));
    assert_eq!(transmit_times(&events), [ms(200)]);
    let TxEvent::Transmit { bytes, .. } = &events[0].1 else {
        panic!()
    };
    let trying = parse(bytes).unwrap();
    assert_eq!(trying.status(), Some(100));
    assert_eq!(trying.top_via().unwrap().branch(), Some("z9hG4bKs1"));
    assert_eq!(trying.to().unwrap().tag(), None);
    // A retransmitted INVITE gets the 100 again.
    incoming(&mut t, t0 + ms(500), &req, udp());
    assert_eq!(sent(&drain(&mut t)), std::slice::from_ref(bytes));
    assert_eq!(t.state(tx), Some(TxState::Proceeding));

    // A TU that answers in time suppresses it.
    let req2 = invite("z9hG4bKs2");
    let RequestAction::New { tx, .. } = incoming(&mut t, t0, &req2, udp()) else {
        panic!()
    };
    let ringing = response(&req2, 180, Some("me"));
    t.respond(t0 + ms(50), tx, ringing.clone()).unwrap();
    assert_eq!(sent(&drain(&mut t)), std::slice::from_ref(&ringing));
    assert!(run_until(&mut t, t0, secs(5)).is_empty());
    // The INVITE again: the latest provisional again.
    incoming(&mut t, t0 + secs(5), &req2, udp());
    assert_eq!(sent(&drain(&mut t)), [ringing]);

    // And with the option off, nothing is sent.
    let mut t = TransactionTable::new(TransactionConfig {
        auto_trying: None,
        ..TransactionConfig::default()
    });
    incoming(&mut t, t0, &req, udp());
    assert_eq!(t.next_deadline(), None);
}

#[test]
fn server_non_invite_answers_retransmissions_with_the_last_response() {
    let mut t = table();
    let t0 = Instant::now();
    let req = options("z9hG4bKo1");
    let RequestAction::New { tx, kind } = incoming(&mut t, t0, &req, udp()) else {
        panic!()
    };
    assert_eq!(kind, TxKind::ServerNonInvite);
    // Trying: a retransmission is absorbed silently.
    assert_eq!(
        incoming(&mut t, t0 + ms(500), &req, udp()),
        RequestAction::Retransmission { tx }
    );
    assert!(drain(&mut t).is_empty());
    let trying = response(&req, 100, None);
    t.respond(t0 + ms(600), tx, trying.clone()).unwrap();
    assert_eq!(t.state(tx), Some(TxState::Proceeding));
    incoming(&mut t, t0 + ms(1500), &req, udp());
    assert_eq!(sent(&drain(&mut t)), [trying.clone(), trying]);
    let ok = response(&req, 200, Some("me"));
    t.respond(t0 + secs(2), tx, ok.clone()).unwrap();
    assert_eq!(t.state(tx), Some(TxState::Completed));
    incoming(&mut t, t0 + ms(3500), &req, udp());
    assert_eq!(sent(&drain(&mut t)), [ok.clone(), ok.clone()]);
    assert!(matches!(
        t.respond(t0 + secs(4), tx, ok.clone()),
        Err(TransactionError::InvalidState { .. })
    ));
    // Timer J = 64*T1 over UDP.
    let events = run_until(&mut t, t0, secs(100));
    assert_eq!(events, [(secs(34), TxEvent::Terminated { tx })]);

    // Over TCP, J is zero.
    let RequestAction::New { tx, .. } = incoming(&mut t, t0, &req, tcp(2)) else {
        panic!()
    };
    t.respond(t0, tx, ok).unwrap();
    let events = drain(&mut t);
    assert_eq!(events[1], TxEvent::Terminated { tx });
}

// -------------------------------------------------------------- matching

#[test]
fn client_matching_uses_branch_and_cseq_method() {
    let mut t = table();
    let t0 = Instant::now();
    let inv = invite("z9hG4bKm");
    let cancel = request("CANCEL", "z9hG4bKm", 1, "CANCEL", "");
    let inv_tx = t.send_request(t0, inv.clone(), udp()).unwrap();
    // A CANCEL copies the INVITE's branch yet is a transaction of its own.
    let cancel_tx = t.send_request(t0, cancel.clone(), udp()).unwrap();
    assert_ne!(inv_tx, cancel_tx);
    assert_eq!(t.kind(cancel_tx), Some(TxKind::ClientNonInvite));
    assert_eq!(
        deliver(&mut t, t0, &response(&cancel, 200, Some("b"))),
        ResponseAction::Deliver {
            tx: cancel_tx,
            code: 200
        }
    );
    assert_eq!(
        deliver(&mut t, t0, &response(&inv, 487, Some("b"))),
        ResponseAction::Deliver {
            tx: inv_tx,
            code: 487
        }
    );
    // A different branch matches nothing.
    let other = invite("z9hG4bKother");
    assert_eq!(
        deliver(&mut t, t0, &response(&other, 200, Some("b"))),
        ResponseAction::Unmatched
    );
    // Same branch, other CSeq method: nothing either.
    let bye = request("BYE", "z9hG4bKm", 2, "BYE", "b");
    assert_eq!(
        deliver(&mut t, t0, &response(&bye, 200, None)),
        ResponseAction::Unmatched
    );
}

#[test]
fn server_matching_rules() {
    let mut t = table();
    let t0 = Instant::now();
    let inv = invite("z9hG4bKsrv");
    let RequestAction::New { tx: inv_tx, .. } = incoming(&mut t, t0, &inv, udp()) else {
        panic!()
    };
    // CANCEL: its own server transaction, and it finds its INVITE (§9.2).
    let cancel = request("CANCEL", "z9hG4bKsrv", 1, "CANCEL", "");
    let RequestAction::New { tx: c_tx, kind } = incoming(&mut t, t0, &cancel, udp()) else {
        panic!()
    };
    assert_ne!(c_tx, inv_tx);
    assert_eq!(kind, TxKind::ServerNonInvite);
    assert_eq!(
        t.find_invite_for_cancel(&parse(&cancel).unwrap()),
        Some(inv_tx)
    );
    // Same branch from another sent-by: another transaction (§17.2.3).
    let elsewhere = request_from("INVITE", "z9hG4bKsrv", 1, "INVITE", "", "192.0.2.77:5060");
    assert!(matches!(
        incoming(&mut t, t0, &elsewhere, udp()),
        RequestAction::New { .. }
    ));
    // Different branch: new.
    assert!(matches!(
        incoming(&mut t, t0, &invite("z9hG4bKsrv2"), udp()),
        RequestAction::New { .. }
    ));
    // The ACK for a non-2xx matches the INVITE server transaction.
    t.respond(t0, inv_tx, response(&inv, 480, Some("me")))
        .unwrap();
    let ack = request("ACK", "z9hG4bKsrv", 1, "ACK", "me");
    assert_eq!(
        incoming(&mut t, t0, &ack, udp()),
        RequestAction::AckAbsorbed { tx: inv_tx }
    );
}

#[test]
fn rfc_2543_requests_match_on_dialog_fields() {
    let mut t = table();
    let t0 = Instant::now();
    // No magic cookie: matched by Request-URI, tags, Call-ID, CSeq, Via.
    let inv = invite("old1");
    let RequestAction::New { tx, .. } = incoming(&mut t, t0, &inv, udp()) else {
        panic!()
    };
    assert!(t.key(tx).unwrap().is_rfc2543());
    assert_eq!(
        incoming(&mut t, t0, &inv, udp()),
        RequestAction::Retransmission { tx }
    );
    let next = request("INVITE", "old1", 2, "INVITE", "");
    assert!(matches!(
        incoming(&mut t, t0, &next, udp()),
        RequestAction::New { .. }
    ));
    t.respond(t0, tx, response(&inv, 486, Some("mine")))
        .unwrap();
    // The ACK must carry the To tag of our response.
    let wrong = request("ACK", "old1", 1, "ACK", "other");
    assert_eq!(
        incoming(&mut t, t0, &wrong, udp()),
        RequestAction::AckToTu { tx: None }
    );
    let right = request("ACK", "old1", 1, "ACK", "mine");
    assert_eq!(
        incoming(&mut t, t0, &right, udp()),
        RequestAction::AckAbsorbed { tx }
    );
}

#[test]
fn a_stray_response_is_reported_and_changes_nothing() {
    let mut t = table();
    let t0 = Instant::now();
    let req = invite("z9hG4bKmine");
    let tx = t.send_request(t0, req.clone(), udp()).unwrap();
    drain(&mut t);
    let deadline = t.next_deadline();
    let spoofed = response(&invite("z9hG4bKforged"), 200, Some("x"));
    assert_eq!(
        deliver(&mut t, t0 + ms(100), &spoofed),
        ResponseAction::Unmatched
    );
    let no_via = b"SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    assert!(matches!(
        deliver(&mut t, t0 + ms(100), no_via),
        ResponseAction::Invalid(KeyError::Via(_))
    ));
    assert_eq!(t.state(tx), Some(TxState::Calling));
    assert_eq!(t.next_deadline(), deadline);
    assert!(drain(&mut t).is_empty());
    // A request given as a response is refused, too.
    assert_eq!(
        deliver(&mut t, t0, &req),
        ResponseAction::Invalid(KeyError::NotAResponse)
    );
}

// ------------------------------------------------------- table and errors

#[test]
fn the_table_is_bounded() {
    let mut t = TransactionTable::new(TransactionConfig {
        max_transactions: 3,
        ..TransactionConfig::default()
    });
    let t0 = Instant::now();
    let a = t.send_request(t0, options("z9hG4bK1"), udp()).unwrap();
    t.send_request(t0, options("z9hG4bK2"), udp()).unwrap();
    incoming(&mut t, t0, &options("z9hG4bK3"), udp());
    assert_eq!(t.len(), 3);
    let full = Err(TransactionError::TableFull { max: 3 });
    assert_eq!(t.send_request(t0, options("z9hG4bK4"), udp()), full);
    let req = options("z9hG4bK5");
    assert_eq!(
        t.handle_request(t0, &parse(&req).unwrap(), udp()),
        full.map(|_: TxId| RequestAction::AckToTu { tx: None })
    );
    // A retransmission and an ACK still work when full.
    assert!(matches!(
        incoming(&mut t, t0, &options("z9hG4bK3"), udp()),
        RequestAction::Retransmission { .. }
    ));
    assert!(t.terminate(a));
    assert!(!t.terminate(a));
    assert!(t.send_request(t0, options("z9hG4bK4"), udp()).is_ok());
}

#[test]
fn refusals() {
    let mut t = table();
    let t0 = Instant::now();
    let tx = t.send_request(t0, options("z9hG4bKd"), udp()).unwrap();
    assert_eq!(
        t.send_request(t0, options("z9hG4bKd"), udp()),
        Err(TransactionError::Duplicate(tx))
    );
    assert_eq!(
        t.send_request(t0, request("ACK", "z9hG4bKx", 1, "ACK", "t"), udp()),
        Err(TransactionError::AckIsNotATransaction)
    );
    assert!(matches!(
        t.send_request(t0, b"garbage".to_vec(), udp()),
        Err(TransactionError::Parse(_))
    ));
    assert_eq!(
        t.respond(t0, tx, response(&options("z9hG4bKd"), 200, None)),
        Err(TransactionError::NotAServerTransaction(tx))
    );
    let gone = tx;
    t.terminate(gone);
    assert_eq!(
        t.respond(t0, gone, b"x".to_vec()),
        Err(TransactionError::UnknownTransaction(gone))
    );
    assert_eq!(t.len(), 0);
}

#[test]
fn transport_failures_end_the_transactions_they_hit() {
    let mut t = table();
    let t0 = Instant::now();
    let on_flow = t.send_request(t0, options("z9hG4bK1"), tcp(1)).unwrap();
    let other_flow = t.send_request(t0, options("z9hG4bK2"), tcp(2)).unwrap();
    let over_udp = t.send_request(t0, invite("z9hG4bK3"), udp()).unwrap();
    let srv = invite("z9hG4bK4");
    let RequestAction::New { tx: server, .. } = incoming(&mut t, t0, &srv, tcp(1)) else {
        panic!()
    };
    drain(&mut t);
    assert_eq!(
        t.transport_failed(t0, TransportFailure::Flow(FlowId(1)), TransportError::Reset),
        2
    );
    let events = drain(&mut t);
    for tx in [on_flow, server] {
        // The event says what failed, as the runtime reported it.
        assert!(events.contains(&TxEvent::TransportError {
            tx,
            error: TransportError::Reset
        }));
        assert!(events.contains(&TxEvent::Terminated { tx }));
    }
    assert_eq!(t.len(), 2);
    // ICMP for the UDP destination.
    let n = t.transport_failed(
        t0,
        TransportFailure::Datagram(udp().remote),
        TransportError::Refused,
    );
    assert_eq!(n, 1);
    assert_eq!(
        drain(&mut t),
        [
            TxEvent::TransportError {
                tx: over_udp,
                error: TransportError::Refused
            },
            TxEvent::Terminated { tx: over_udp }
        ]
    );
    // A client transaction that has its final response ends quietly.
    deliver(&mut t, t0, &response(&options("z9hG4bK2"), 200, Some("b")));
    assert_eq!(t.len(), 0, "TCP: Timer K is zero");
    let udp_tx = t.send_request(t0, options("z9hG4bK5"), udp()).unwrap();
    deliver(&mut t, t0, &response(&options("z9hG4bK5"), 200, Some("b")));
    drain(&mut t);
    t.transport_failed(
        t0,
        TransportFailure::Transaction(udp_tx),
        TransportError::Unreachable,
    );
    assert_eq!(drain(&mut t), [TxEvent::Terminated { tx: udp_tx }]);
    let _ = other_flow;
}

#[test]
fn the_timer_heap_stays_bounded_under_churn() {
    let mut t = table();
    let t0 = Instant::now();
    // Two long-lived transactions, and a thousand that end at once over
    // TCP, each leaving a stale heap entry 32 s ahead.
    t.send_request(t0, options("z9hG4bKlive1"), udp()).unwrap();
    t.send_request(t0, invite("z9hG4bKlive2"), udp()).unwrap();
    for i in 0..1000 {
        let req = options(&format!("z9hG4bKchurn{i}"));
        t.send_request(t0, req.clone(), tcp(1)).unwrap();
        deliver(&mut t, t0, &response(&req, 200, Some("b")));
        assert!(
            t.timer_entries() <= 2 * t.len() + 16,
            "{}",
            t.timer_entries()
        );
    }
    assert_eq!(t.len(), 2);
    drain(&mut t);
    // The live ones still run on time.
    assert_eq!(t.next_deadline(), Some(t0 + ms(500)));
}
