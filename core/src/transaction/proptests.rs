//! Property test of the whole table: random sequences of sends, responses
//! (matching, retransmitted and stray), incoming requests and their
//! retransmissions, TU answers, ACKs, transport failures and time jumps.
//!
//! Invariants checked after every step: no panic; the table stays within
//! its bound; the timer heap stays within `2·live + 16` entries; no timer
//! is left due after the step; no event names a transaction after its
//! `Terminated`; a stray response changes nothing. At the end, once the
//! TU has answered every request and time has run 64·T1 + T4 past the
//! last input, only client INVITEs still ringing in Proceeding remain
//! (RFC 3261 §17.1.1.2 gives them no timer; the TU ends them); the whole
//! run is replayed and must produce the same events.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::*;
use crate::io::{FlowId, TransportError, TransportKind};
use crate::message::{parse, MessageWriter};

const CODES: [u16; 11] = [100, 180, 183, 200, 202, 302, 404, 486, 487, 500, 603];
const MAX: usize = 12;

#[derive(Debug, Clone)]
enum Op {
    Send {
        invite: bool,
        flow: Option<u64>,
    },
    Response {
        pick: usize,
        code: usize,
        stray: bool,
    },
    Incoming {
        invite: bool,
        flow: Option<u64>,
    },
    Retransmit {
        pick: usize,
    },
    Respond {
        pick: usize,
        code: usize,
    },
    Ack {
        pick: usize,
    },
    Advance {
        ms: u64,
    },
    FlowFails {
        flow: u64,
    },
    DatagramFails,
}

fn op() -> impl Strategy<Value = Op> {
    let flow = prop::option::of(1u64..3);
    prop_oneof![
        3 => (any::<bool>(), flow.clone()).prop_map(|(invite, flow)| Op::Send { invite, flow }),
        5 => (any::<usize>(), 0..CODES.len(), prop::bool::weighted(0.1))
            .prop_map(|(pick, code, stray)| Op::Response { pick, code, stray }),
        3 => (any::<bool>(), flow).prop_map(|(invite, flow)| Op::Incoming { invite, flow }),
        2 => any::<usize>().prop_map(|pick| Op::Retransmit { pick }),
        3 => (any::<usize>(), 0..CODES.len()).prop_map(|(pick, code)| Op::Respond { pick, code }),
        2 => any::<usize>().prop_map(|pick| Op::Ack { pick }),
        4 => prop_oneof![0u64..1000, 0u64..40_000].prop_map(|ms| Op::Advance { ms }),
        1 => (1u64..3).prop_map(|flow| Op::FlowFails { flow }),
        1 => Just(Op::DatagramFails),
    ]
}

fn remote() -> SocketAddr {
    "192.0.2.2:5060".parse().unwrap()
}

fn dest(flow: Option<u64>) -> Destination {
    match flow {
        Some(f) => Destination::stream(remote(), TransportKind::Tcp, FlowId(f)),
        None => Destination::udp(remote()),
    }
}

fn request(method: &str, branch: &str, to_tag: &str) -> Vec<u8> {
    format!(
        "{method} sip:bob@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch={branch}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:a@example.com>;tag=a\r\nTo: <sip:b@example.com>{to_tag}\r\n\
         Call-ID: {branch}\r\nCSeq: 1 {method}\r\nContent-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

fn response(req: &[u8], code: u16) -> Vec<u8> {
    let m = parse(req).unwrap();
    let mut out = Vec::new();
    MessageWriter::response_to(&mut out, &m, code, "R", Some("t")).finish(b"");
    out
}

struct Run {
    table: TransactionTable,
    now: Instant,
    log: Vec<TxEvent>,
    terminated: BTreeSet<TxId>,
    sent: Vec<Vec<u8>>,
    received: Vec<(Vec<u8>, Destination, Option<TxId>)>,
    next_branch: u32,
}

impl Run {
    fn new(t0: Instant) -> Self {
        Run {
            table: TransactionTable::new(TransactionConfig {
                max_transactions: MAX,
                ..TransactionConfig::default()
            }),
            now: t0,
            log: Vec::new(),
            terminated: BTreeSet::new(),
            sent: Vec::new(),
            received: Vec::new(),
            next_branch: 0,
        }
    }

    fn branch(&mut self) -> String {
        self.next_branch += 1;
        format!("z9hG4bK{}", self.next_branch)
    }

    fn step(&mut self, op: &Op) {
        let now = self.now;
        match *op {
            Op::Send { invite, flow } => {
                let b = self.branch();
                let req = request(if invite { "INVITE" } else { "OPTIONS" }, &b, "");
                if self
                    .table
                    .send_request(now, req.clone(), dest(flow))
                    .is_ok()
                {
                    self.sent.push(req);
                }
            }
            Op::Response { pick, code, stray } => {
                let req = if stray || self.sent.is_empty() {
                    request("INVITE", "z9hG4bKstray", "")
                } else {
                    self.sent[pick % self.sent.len()].clone()
                };
                let resp = response(&req, CODES[code]);
                let before: Vec<_> = self.table.transactions().collect();
                let deadline = self.table.next_deadline();
                let action = self.table.handle_response(now, &parse(&resp).unwrap());
                if action == ResponseAction::Unmatched {
                    assert_eq!(before, self.table.transactions().collect::<Vec<_>>());
                    assert_eq!(deadline, self.table.next_deadline());
                    assert!(self.table.poll_event().is_none(), "a stray changed nothing");
                }
            }
            Op::Incoming { invite, flow } => {
                let b = self.branch();
                let req = request(if invite { "INVITE" } else { "OPTIONS" }, &b, "");
                let d = dest(flow);
                let tx = match self.table.handle_request(now, &parse(&req).unwrap(), d) {
                    Ok(RequestAction::New { tx, .. }) => Some(tx),
                    Ok(other) => panic!("a fresh request gave {other:?}"),
                    Err(e) => {
                        assert_eq!(e, TransactionError::TableFull { max: MAX });
                        None
                    }
                };
                self.received.push((req, d, tx));
            }
            Op::Retransmit { pick } if !self.received.is_empty() => {
                let i = pick % self.received.len();
                let (req, d, _) = self.received[i].clone();
                // After its transaction ended, a late copy starts anew.
                if let Ok(RequestAction::New { tx, .. }) =
                    self.table.handle_request(now, &parse(&req).unwrap(), d)
                {
                    self.received[i].2 = Some(tx);
                }
            }
            Op::Respond { pick, code } if !self.received.is_empty() => {
                let (req, _, tx) = &self.received[pick % self.received.len()];
                if let Some(tx) = *tx {
                    let _ = self.table.respond(now, tx, response(req, CODES[code]));
                }
            }
            Op::Ack { pick } if !self.received.is_empty() => {
                let (req, d, _) = self.received[pick % self.received.len()].clone();
                let branch = parse(&req)
                    .unwrap()
                    .top_via()
                    .unwrap()
                    .branch()
                    .unwrap()
                    .to_owned();
                let ack = request("ACK", &branch, ";tag=t");
                let action = self.table.handle_request(now, &parse(&ack).unwrap(), d);
                assert!(matches!(
                    action,
                    Ok(RequestAction::AckAbsorbed { .. } | RequestAction::AckToTu { .. })
                ));
            }
            Op::Advance { ms } => {
                self.now += Duration::from_millis(ms);
                self.table.handle_timeout(self.now);
            }
            Op::FlowFails { flow } => {
                self.table.transport_failed(
                    now,
                    TransportFailure::Flow(FlowId(flow)),
                    TransportError::Reset,
                );
            }
            Op::DatagramFails => {
                self.table.transport_failed(
                    now,
                    TransportFailure::Datagram(remote()),
                    TransportError::Refused,
                );
            }
            _ => {}
        }
        self.check();
    }

    fn check(&mut self) {
        while let Some(ev) = self.table.poll_event() {
            let tx = match &ev {
                TxEvent::Transmit { tx, .. }
                | TxEvent::Timeout { tx, .. }
                | TxEvent::TransportError { tx, .. }
                | TxEvent::Terminated { tx } => *tx,
            };
            assert!(!self.terminated.contains(&tx), "{ev:?} after Terminated");
            if let TxEvent::Terminated { tx } = ev {
                self.terminated.insert(tx);
            }
            self.log.push(ev);
        }
        let t = &self.table;
        assert!(t.len() <= MAX);
        assert!(
            t.timer_entries() <= 2 * t.len() + 16,
            "{} heap entries for {} transactions",
            t.timer_entries(),
            t.len()
        );
        assert!(
            t.next_deadline().is_none_or(|d| d > self.now),
            "a timer left due"
        );
        for (tx, kind, state) in t.transactions() {
            use TxState::*;
            let allowed: &[TxState] = match kind {
                TxKind::ClientInvite => &[Calling, Proceeding, Completed, Accepted],
                TxKind::ClientNonInvite => &[Trying, Proceeding, Completed],
                TxKind::ServerInvite => &[Proceeding, Completed, Confirmed, Accepted],
                TxKind::ServerNonInvite => &[Trying, Proceeding, Completed],
            };
            assert!(allowed.contains(&state), "{tx} {kind:?} in {state:?}");
        }
    }

    /// The TU answers everything, then time runs out 64·T1 + T4.
    fn wind_down(&mut self) {
        let live: Vec<_> = self.table.transactions().collect();
        for (i, (tx, kind, state)) in live.into_iter().enumerate() {
            if !kind.is_client() && matches!(state, TxState::Trying | TxState::Proceeding) {
                let req = &self.received.iter().find(|r| r.2 == Some(tx)).unwrap().0;
                let code = if i % 2 == 0 { 486 } else { 200 };
                self.table
                    .respond(self.now, tx, response(req, code))
                    .unwrap();
            }
        }
        self.check();
        let timers = self.table.config().timers;
        let end = self.now + timers.t1 * 64 + timers.t4;
        while let Some(at) = self.table.next_deadline().filter(|at| *at <= end) {
            self.now = at;
            self.table.handle_timeout(at);
            self.check();
        }
        for (tx, kind, state) in self.table.transactions().collect::<Vec<_>>() {
            assert_eq!(
                (kind, state),
                (TxKind::ClientInvite, TxState::Proceeding),
                "{tx} outlived its timers"
            );
            self.table.terminate(tx);
        }
        self.check();
        assert!(self.table.is_empty());
        assert_eq!(self.table.timer_entries(), 0);
        assert_eq!(self.table.next_deadline(), None);
    }
}

fn run(ops: &[Op], t0: Instant) -> Vec<TxEvent> {
    let mut r = Run::new(t0);
    for op in ops {
        r.step(op);
    }
    r.wind_down();
    r.log
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_traffic_keeps_the_invariants(ops in prop::collection::vec(op(), 0..80)) {
        let t0 = Instant::now();
        let first = run(&ops, t0);
        prop_assert_eq!(first, run(&ops, t0), "the same inputs give the same run");
    }
}
