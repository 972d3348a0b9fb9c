//! What the `endpoint` fuzz target does with its input, shared with the
//! corpus replay test in `core/tests/fuzz_corpus.rs` (which includes this
//! file by `#[path]`, as does the fuzz target, so it must depend on nothing
//! but `geosip-core` and `std`).
//!
//! The input is a sequence of operations on an [`Endpoint`] with two
//! connections (0: UDP to 10.1.0.1:5060 with a password, 1: TCP to
//! 10.2.0.1:5060), played the way a runtime would: after every operation
//! the outputs are drained, and `handle_timeout` runs whenever a deadline
//! is due. Each operation starts with one byte whose value modulo 16 picks
//! it; the bytes after it are its parameters (missing bytes read as 0, and
//! `chunk` is a little-endian `u16` length and that many bytes):
//!
//! | op | parameters | what |
//! |---|---|---|
//! | 0, 1 | chunk | a datagram from site 1 (0) or site 2 (1) |
//! | 2 | p, chunk | a datagram from an unknown address `10.9.(p>>4).1:5060+(p&15)` |
//! | 3 | p, chunk | stream data on the newest flow (`p&1`: the one before); `p&2` also on a closed or failed flow |
//! | 4 | p | `FlowConnected` for the newest (`p&1`: previous) flow still connecting |
//! | 5 | p | `FlowFailed` (error `p>>2`) for the newest (`p&1`: previous) open flow; `p&2` also a closed one |
//! | 6 | p | `DatagramFailed` to site 1, site 2 or an unknown address (`p%3`), error `p>>2` |
//! | 7, 15 | e, u16 | time passes: `u16 << (e%8)` ms; virtual time stops at 2 h |
//! | 8 | p | connection `p&1`: disable, enable, remove, add back with config variant `p>>4`, shutdown (`((p>>1)&7)%5`) |
//! | 9 | sel, code, v, a | answer a REGISTER or OPTIONS the endpoint sent (see [`Driver::answer`]) |
//! | 10 | p | keep-alive bytes (`\r\n`, `\r\n\r\n`, `\r\n\r\n\r\n` by `(p>>2)%3`) on a flow, or as a datagram from site 1 if `p&2` |
//! | 11 | p, q | a well-formed request from a site or an unknown address (see [`Driver::request`]) |
//! | 12 | | `handle_timeout(now)` with nothing due |
//! | 13 | p | `Resolved` for a connection that never asked |
//! | 14 | s, ... | a call operation: a command, an INVITE or in-dialog request from a site, an answer to a call request (see `calls.rs`) |
//!
//! At the end, 45 s of quiet pass. The invariants (each a panic):
//! - after `handle_timeout(now)`, `poll_timeout()` is `None` or after `now`;
//! - one call yields fewer than 1000 outputs, and one advance of time
//!   fewer than 100 000 timer steps;
//! - every transmitted message parses; the endpoint's own requests are
//!   REGISTER, OPTIONS, INVITE, ACK, BYE or CANCEL, validate, and go to
//!   site 1 over UDP or on an open, connected flow to site 2; responses go
//!   where a request came from; the call invariants are in `calls.rs`;
//! - no request (REGISTER, OPTIONS, INVITE, BYE, CANCEL, ACK), ping or
//!   connect for a connection more than the probe timeout (4 s) after it
//!   was disabled or removed, but for an ACK or BYE answering what the
//!   site sent just then (this once
//!   failed: `regressions/endpoint/probe-retransmits-after-disable`);
//! - flow ids are new; `Close` names a flow the endpoint opened, once;
//!   `stats().flows` counts the flows neither closed nor failed;
//! - `stats().transactions <= 8 + 2 * (stimuli in the last 40 s)`, where a
//!   stimulus is an input or command (stream data weighs `1 + len/16`):
//!   every transaction ends within 37 s, and without stimuli the two
//!   connections have at most a REGISTER and a probe each;
//! - status events come one per change, only for present connections, and
//!   agree with `connection(id)`; command results agree with the model;
//! - an enabled connection always has a timer pending at the end.

mod calls;

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use geosip_core::auth::{challenge, DigestAlgorithm, Qop};
use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
use geosip_core::endpoint::{Endpoint, EndpointConfig};
use geosip_core::event::{ConnectionStatus, Event};
use geosip_core::io::{FlowId, Input, Output, Transmit, TransportError, TransportKind};
use geosip_core::message::{
    parse, HeaderName, Message, MessageWriter, Method, ParseLimits, Parser,
};
use geosip_core::transport::StreamFramer;

const fn v4(a: u8, b: u8, c: u8, d: u8, port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::new(a, b, c, d)), port)
}

/// Our UDP socket.
const LOCAL: SocketAddr = v4(10, 0, 0, 1, 5060);
/// The sites of connections 0 (UDP) and 1 (TCP).
const SITES: [SocketAddr; 2] = [v4(10, 1, 0, 1, 5060), v4(10, 2, 0, 1, 5060)];
/// A sender that is no site.
const STRANGER: SocketAddr = v4(10, 9, 0, 9, 5060);

/// Virtual time stops here (the final quiet period aside).
const MAX_VIRTUAL: Duration = Duration::from_secs(2 * 3600);
/// `ConnectionConfig::probe_timeout`, kept at its default by every variant.
const PROBE_TIMEOUT: Duration = Duration::from_secs(4);
/// Transactions live at most 32 s (Timer F/H/J) plus 5 s (Timer K/I);
/// a call's INVITE up to 64·T1 (32 s) after its CANCEL, and the CANCEL
/// can go out when a provisional arrives (RFC 3261 §9.1), so calls need a
/// wider window (`regressions/endpoint/call-cancelled-invites-outlive-tx-window`).
const TX_WINDOW: Duration = Duration::from_secs(72);
/// Transactions without any stimulus: per connection a REGISTER and a
/// probe, with room to spare.
const TX_BASE: usize = 8;
const MAX_OPS: usize = 512;
const MAX_OUTPUTS_PER_CALL: usize = 1000;
const MAX_STEPS_PER_ADVANCE: usize = 100_000;
/// The endpoint's own requests are validated up to this many times per
/// run (they are built from the same template; only answers vary them).
const VALIDATE_BUDGET: usize = 64;

/// Limits far above the defaults: the endpoint's responses copy headers
/// from requests, and a compact name written long can outgrow a limit the
/// request met (as in `fuzz/regressions/parse_message/roundtrip-*`).
const LOOSE: ParseLimits = ParseLimits {
    max_message_size: 1 << 24,
    max_headers: 1 << 16,
    max_line_length: 1 << 24,
};

/// Whether to print every input and output (`GEOSIP_FUZZ_TRACE=1`), to
/// read what a reproducer does.
fn tracing() -> bool {
    static TRACE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("GEOSIP_FUZZ_TRACE").is_some())
}

/// Runs the operations in `data` against a fresh endpoint, checking the
/// invariants listed in the module documentation.
pub fn run_endpoint(data: &[u8]) {
    let mut d = Driver::new();
    let mut input = Bytes(data);
    let mut ops = 0;
    while !input.0.is_empty() && ops < MAX_OPS {
        ops += 1;
        d.op(&mut input);
    }
    d.advance(Duration::from_secs(45), false);
    if (0..2).any(|i| d.present[i] && d.enabled[i]) {
        assert!(
            d.ep.poll_timeout().is_some(),
            "an enabled connection has no timer pending"
        );
    }
}

/// The input, read front to back; reads past the end give zeros.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    fn chunk(&mut self) -> &'a [u8] {
        let n = usize::from(self.u16()).min(self.0.len());
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a
    }
}

/// What the driver knows of a flow the endpoint asked for.
#[derive(Debug)]
struct FlowModel {
    remote: SocketAddr,
    connected: bool,
    /// The endpoint closed it.
    closed: bool,
    /// The driver (as the runtime) reported it failed.
    failed: bool,
}

impl FlowModel {
    fn open(&self) -> bool {
        !self.closed && !self.failed
    }
}

/// A request the endpoint sent, to be answered.
#[derive(Debug, Clone)]
struct Sent {
    flow: Option<FlowId>,
    bytes: Vec<u8>,
}

struct Driver {
    ep: Endpoint,
    base: Instant,
    now: Instant,
    /// The model of each connection.
    present: [bool; 2],
    enabled: [bool; 2],
    /// Since when the connection is disabled or removed (kept across a
    /// re-add that starts disabled).
    inactive_since: [Option<Instant>; 2],
    /// The last status event of each connection.
    status: [Option<ConnectionStatus>; 2],
    flows: BTreeMap<FlowId, FlowModel>,
    /// How many of them are neither closed nor failed.
    open_flows: usize,
    newest_flow: Option<FlowId>,
    previous_flow: Option<FlowId>,
    /// The last few requests sent to each site, newest last.
    sent: [VecDeque<Sent>; 2],
    /// Addresses that sent datagrams: where UDP responses may go.
    peers: HashSet<SocketAddr>,
    /// Inputs and commands with their time and weight.
    stimuli: VecDeque<(Instant, usize)>,
    /// Own requests validated so far.
    validated: usize,
    buf: Vec<u8>,
    /// Sessions, dialogs and the endpoint's call requests.
    calls: calls::CallModel,
}

fn conn_config(id: usize, variant: u8) -> ConnectionConfig {
    let mut c = if id == 0 {
        ConnectionConfig::new("1001", "10.1.0.1:5060", TransportKind::Udp)
    } else {
        ConnectionConfig::new("1002", "10.2.0.1:5060", TransportKind::Tcp)
    };
    if (id == 0) != (variant & 8 != 0) {
        c.password = Some(Secret::new("secret"));
    }
    if variant & 1 != 0 {
        c.reg_interval = Duration::from_secs(60);
        c.retry_base = Duration::from_secs(1);
        c.retry_max = Duration::from_secs(8);
        c.keepalive_interval = Duration::from_secs(2);
    }
    c.reg_match_received_rport = variant & 2 != 0;
    c.enabled = variant & 4 == 0;
    c
}

fn transport_error(k: u8) -> TransportError {
    match k % 8 {
        0 => TransportError::Refused,
        1 => TransportError::Reset,
        2 => TransportError::ConnectTimeout,
        3 => TransportError::TimedOut,
        4 => TransportError::Tls("bad certificate".into()),
        5 => TransportError::Unreachable,
        6 => TransportError::Framing("fuzz".into()),
        _ => TransportError::Other("fuzz".into()),
    }
}

/// What goes into a response besides the copied headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Extra {
    None,
    /// Our Contact with `;expires=V`.
    ContactExpires,
    /// `Expires: V`.
    Expires,
    /// WWW-Authenticate.
    Www,
    /// Two WWW-Authenticate (SHA-256 and MD5).
    WwwTwo,
    /// Proxy-Authenticate.
    Proxy,
    /// `Min-Expires: V`.
    MinExpires,
    /// `Retry-After: V`.
    RetryAfter,
}

const ANSWERS: &[(u16, &str, Extra)] = &[
    (100, "Trying", Extra::None),
    (180, "Ringing", Extra::None),
    (200, "OK", Extra::ContactExpires),
    (200, "OK", Extra::Expires),
    (200, "OK", Extra::None),
    (202, "Accepted", Extra::ContactExpires),
    (401, "Unauthorized", Extra::Www),
    (407, "Proxy Authentication Required", Extra::Proxy),
    (401, "Unauthorized", Extra::None),
    (401, "Unauthorized", Extra::WwwTwo),
    (403, "Forbidden", Extra::None),
    (404, "Not Found", Extra::None),
    (408, "Request Timeout", Extra::None),
    (423, "Interval Too Brief", Extra::MinExpires),
    (423, "Interval Too Brief", Extra::None),
    (480, "Temporarily Unavailable", Extra::RetryAfter),
    (486, "Busy Here", Extra::None),
    (500, "Server Internal Error", Extra::RetryAfter),
    (503, "Service Unavailable", Extra::RetryAfter),
    (503, "Service Unavailable", Extra::None),
    (504, "Server Time-out", Extra::None),
    (600, "Busy Everywhere", Extra::None),
    (603, "Decline", Extra::None),
    (302, "Moved Temporarily", Extra::None),
    (481, "Call/Transaction Does Not Exist", Extra::None),
    (489, "Bad Event", Extra::None),
    (494, "Security Agreement Required", Extra::None),
    (580, "Precondition Failure", Extra::None),
    (699, "Whatever", Extra::None),
    (200, "OK", Extra::Www),
    (401, "Unauthorized", Extra::Proxy),
    (407, "Proxy Authentication Required", Extra::Www),
];

/// Values for Expires, Min-Expires and Retry-After.
const VALUES: [u32; 16] = [
    0,
    1,
    2,
    5,
    10,
    30,
    60,
    120,
    300,
    600,
    1800,
    3600,
    7200,
    86_400,
    65_535,
    u32::MAX,
];

impl Driver {
    fn new() -> Self {
        let base = Instant::now();
        let config = EndpointConfig {
            rng_seed: [0x5e; 32],
            local_udp: Some(LOCAL),
            ..Default::default()
        };
        let mut d = Driver {
            ep: Endpoint::new(config, base),
            base,
            now: base,
            present: [false; 2],
            enabled: [false; 2],
            inactive_since: [None; 2],
            status: [None; 2],
            flows: BTreeMap::new(),
            open_flows: 0,
            newest_flow: None,
            previous_flow: None,
            sent: [VecDeque::new(), VecDeque::new()],
            peers: HashSet::new(),
            stimuli: VecDeque::new(),
            validated: 0,
            buf: Vec::new(),
            calls: calls::CallModel::default(),
        };
        d.add(0, 0);
        d.add(1, 0);
        d
    }

    fn at(&self) -> Duration {
        self.now - self.base
    }

    fn op(&mut self, inp: &mut Bytes<'_>) {
        let op = inp.u8();
        match op % 16 {
            0 | 1 => {
                let data = inp.chunk();
                self.datagram(SITES[usize::from(op % 16)], data);
            }
            2 => {
                let p = inp.u8();
                let from = v4(10, 9, p >> 4, 1, 5060 + u16::from(p & 15));
                let data = inp.chunk();
                self.datagram(from, data);
            }
            3 => {
                let p = inp.u8();
                let data = inp.chunk();
                if let Some(flow) = self.pick_flow(p, p & 2 != 0) {
                    self.input(Input::StreamData { flow, data }, 1 + data.len() / 16);
                }
            }
            4 => {
                let p = inp.u8();
                let flow = if p & 1 == 0 {
                    self.newest_flow
                } else {
                    self.previous_flow
                };
                let Some(flow) = flow else { return };
                let Some(f) = self.flows.get_mut(&flow) else {
                    return;
                };
                if !f.open() || f.connected {
                    return;
                }
                f.connected = true;
                let local = v4(10, 0, 0, 1, 40_000 + u16::from(p >> 1));
                self.input(Input::FlowConnected { flow, local }, 1);
            }
            5 => {
                let p = inp.u8();
                let flow = if p & 1 == 0 {
                    self.newest_flow
                } else {
                    self.previous_flow
                };
                let Some(flow) = flow else { return };
                let Some(f) = self.flows.get_mut(&flow) else {
                    return;
                };
                if !f.open() && p & 2 == 0 {
                    return;
                }
                if f.open() {
                    self.open_flows -= 1;
                }
                f.failed = true;
                let error = transport_error(p >> 2);
                self.input(Input::FlowFailed { flow, error }, 1);
            }
            6 => {
                let p = inp.u8();
                let remote = [SITES[0], SITES[1], STRANGER][usize::from(p % 3)];
                let error = transport_error(p >> 2);
                self.input(Input::DatagramFailed { remote, error }, 1);
            }
            7 | 15 => {
                let e = inp.u8();
                let ms = u64::from(inp.u16()) << (e % 8);
                self.advance(Duration::from_millis(ms), true);
            }
            8 => {
                let p = inp.u8();
                self.command(p);
            }
            14 => self.call_op(inp),
            9 => {
                let sel = inp.u8();
                let code = inp.u8();
                let v = inp.u8();
                let a = inp.u8();
                self.answer(sel, code, v, a);
            }
            10 => {
                let p = inp.u8();
                let data: &[u8] =
                    [b"\r\n" as &[u8], b"\r\n\r\n", b"\r\n\r\n\r\n"][usize::from((p >> 2) % 3)];
                if p & 2 != 0 {
                    self.datagram(SITES[0], data);
                } else if let Some(flow) = self.pick_flow(p, false) {
                    self.input(Input::StreamData { flow, data }, 1);
                }
            }
            11 => {
                let p = inp.u8();
                let q = inp.u8();
                self.request(p, q);
            }
            12 => self.timeout(),
            _ => {
                let p = inp.u8();
                let result = if p & 2 == 0 {
                    Ok(vec![SITES[usize::from(p & 1)]])
                } else {
                    Err(TransportError::Unreachable)
                };
                let connection = ConnectionId(u32::from(p & 1) + u32::from(p >> 7) * 5);
                self.input(Input::Resolved { connection, result }, 1);
            }
        }
    }

    /// The newest flow (`p&1`: the one before), if it can carry data: open
    /// and connected, or (`stale`) connected and since closed or failed.
    fn pick_flow(&self, p: u8, stale: bool) -> Option<FlowId> {
        let flow = if p & 1 == 0 {
            self.newest_flow
        } else {
            self.previous_flow
        }?;
        let f = &self.flows[&flow];
        (f.connected && (stale || f.open())).then_some(flow)
    }

    fn stimulus(&mut self, weight: usize) {
        self.stimuli.push_back((self.now, weight));
    }

    fn datagram(&mut self, remote: SocketAddr, data: &[u8]) {
        self.peers.insert(remote);
        self.input(
            Input::Datagram {
                local: LOCAL,
                remote,
                data,
            },
            1,
        );
    }

    fn input(&mut self, input: Input<'_>, weight: usize) {
        self.stimulus(weight);
        if tracing() {
            eprintln!("{:?} in  {input:?}", self.at());
        }
        self.ep.handle_input(self.now, input);
        self.drain();
        self.catch_up();
    }

    /// As a runtime does: run the timers that are due.
    fn catch_up(&mut self) {
        if self.ep.poll_timeout().is_some_and(|t| t <= self.now) {
            self.timeout();
        }
    }

    fn timeout(&mut self) {
        if tracing() {
            eprintln!("{:?} handle_timeout", self.at());
        }
        self.ep.handle_timeout(self.now);
        self.drain();
        if let Some(t) = self.ep.poll_timeout() {
            assert!(
                t > self.now,
                "poll_timeout() is {:?} right after handle_timeout at {:?}",
                t.saturating_duration_since(self.base),
                self.at()
            );
        }
    }

    /// Lets time pass, stepping through every deadline on the way.
    fn advance(&mut self, by: Duration, capped: bool) {
        let mut target = self.now + by;
        if capped {
            target = target.min(self.base + MAX_VIRTUAL).max(self.now);
        }
        let mut steps = 0;
        while let Some(t) = self.ep.poll_timeout() {
            if t > target {
                break;
            }
            steps += 1;
            assert!(
                steps <= MAX_STEPS_PER_ADVANCE,
                "more than {MAX_STEPS_PER_ADVANCE} timer steps in one advance (at {:?})",
                self.at()
            );
            self.now = self.now.max(t);
            self.timeout();
        }
        self.now = target;
    }

    fn add(&mut self, i: usize, variant: u8) {
        let cfg = conn_config(i, variant);
        let enabled = cfg.enabled;
        let r = self
            .ep
            .add_connection(self.now, ConnectionId(i as u32), cfg);
        assert_eq!(r.is_ok(), !self.present[i], "add_connection({i}): {r:?}");
        if r.is_ok() {
            self.present[i] = true;
            self.enabled[i] = enabled;
            self.status[i] = None;
            if enabled {
                self.inactive_since[i] = None;
            }
        }
        self.drain();
        self.catch_up();
    }

    fn command(&mut self, p: u8) {
        let i = usize::from(p & 1);
        let id = ConnectionId(i as u32);
        self.stimulus(2);
        if tracing() {
            eprintln!("{:?} command {}", self.at(), ((p >> 1) & 7) % 5);
        }
        let was_active = self.present[i] && self.enabled[i];
        match ((p >> 1) & 7) % 5 {
            0 => {
                let r = self.ep.disable_connection(self.now, id);
                assert_eq!(r.is_ok(), self.present[i], "disable({i}): {r:?}");
                if was_active {
                    self.enabled[i] = false;
                    self.inactive_since[i] = Some(self.now);
                }
            }
            1 => {
                let r = self.ep.enable_connection(self.now, id);
                assert_eq!(r.is_ok(), self.present[i], "enable({i}): {r:?}");
                if self.present[i] {
                    self.enabled[i] = true;
                    self.inactive_since[i] = None;
                }
            }
            2 => {
                let r = self.ep.remove_connection(self.now, id);
                assert_eq!(r.is_ok(), self.present[i], "remove({i}): {r:?}");
                self.present[i] = false;
                self.enabled[i] = false;
                if was_active {
                    self.inactive_since[i] = Some(self.now);
                }
            }
            3 => return self.add(i, p >> 4),
            _ => {
                self.ep.shutdown(self.now);
                for i in 0..2 {
                    if self.present[i] && self.enabled[i] {
                        self.enabled[i] = false;
                        self.inactive_since[i] = Some(self.now);
                    }
                }
            }
        }
        self.drain();
        self.catch_up();
    }

    /// Answers a request the endpoint sent. `sel`: bit 0 the site, bits
    /// 1-2 which of its last four requests (0 the newest), bit 3 split the
    /// response in two stream chunks, bit 4 send it from an unknown
    /// address, bit 5 fill in Via `received`/`rport` (RFC 3581), bit 6
    /// another To tag. `code` picks the status and extra headers from
    /// `ANSWERS`, `v` the number in Expires, Min-Expires or Retry-After
    /// from `VALUES`, and `a` the challenge: nonce `a&3`, stale `a&4`,
    /// algorithm `(a>>3)%7` (6: an unknown one), qop `a>>6` (none, auth,
    /// auth-int, both).
    fn answer(&mut self, sel: u8, code: u8, v: u8, a: u8) {
        let site = usize::from(sel & 1);
        let idx = usize::from((sel >> 1) & 3);
        let Some(sent) = self.sent[site].iter().rev().nth(idx).cloned() else {
            return;
        };
        let Ok(req) = parse(&sent.bytes) else {
            return;
        };
        let (status, reason, extra) = ANSWERS[usize::from(code) % ANSWERS.len()];
        let value = VALUES[usize::from(v % 16)].to_string();
        let tag = if sel & 0x40 == 0 {
            "srv".to_owned()
        } else {
            format!("srv{a}")
        };
        let mut buf = std::mem::take(&mut self.buf);
        let mut w = MessageWriter::response_to(&mut buf, &req, status, reason, Some(&tag));
        match extra {
            Extra::None => {}
            Extra::ContactExpires => {
                if let Some(c) = req.header(HeaderName::Contact) {
                    w.header(HeaderName::Contact, &format!("{c};expires={value}"));
                }
            }
            Extra::Expires => {
                w.header(HeaderName::Expires, &value);
            }
            Extra::Www | Extra::Proxy => {
                let name = if extra == Extra::Www {
                    HeaderName::WwwAuthenticate
                } else {
                    HeaderName::ProxyAuthenticate
                };
                w.header(name, &challenge_value(a));
            }
            Extra::WwwTwo => {
                let nonce = format!("nonce{}", a & 3);
                for alg in [DigestAlgorithm::Sha256, DigestAlgorithm::Md5] {
                    let c = challenge("geosip.test", &nonce, alg, a & 4 != 0, &[Qop::Auth]);
                    w.header(HeaderName::WwwAuthenticate, &c);
                }
            }
            Extra::MinExpires => {
                w.header(HeaderName::MinExpires, &value);
            }
            Extra::RetryAfter => {
                w.header(HeaderName::RetryAfter, &value);
            }
        }
        w.header(HeaderName::Server, "geosip-fuzz");
        w.finish(b"");
        if sel & 0x20 != 0 {
            buf = with_received(&buf);
        }
        if sel & 0x10 != 0 {
            self.datagram(STRANGER, &buf);
        } else if let Some(flow) = sent.flow {
            if self
                .flows
                .get(&flow)
                .is_some_and(|f| f.open() && f.connected)
            {
                let cut = if sel & 8 != 0 {
                    buf.len() / 2
                } else {
                    buf.len()
                };
                let (first, second) = buf.split_at(cut);
                for data in [first, second] {
                    if !data.is_empty() {
                        self.input(Input::StreamData { flow, data }, 1);
                    }
                }
            }
        } else {
            self.datagram(SITES[site], &buf);
        }
        self.buf = buf;
    }

    /// Sends a well-formed request. `p`: method `p%10`, source `(p>>4)%3`
    /// (site 1 over UDP, the newest connected flow, an unknown address).
    /// `q`: transaction `q&7` (branch, Call-ID, tags), bit 3 leaves out
    /// Call-ID (a 400), bit 4 `Max-Forwards: 0`, bit 5 a body, bit 6
    /// `Require: fuzz`, bit 7 CSeq 2.
    fn request(&mut self, p: u8, q: u8) {
        const METHODS: [Method<'static>; 10] = [
            Method::Invite,
            Method::Ack,
            Method::Bye,
            Method::Cancel,
            Method::Options,
            Method::Register,
            Method::Message,
            Method::Notify,
            Method::Info,
            Method::Extension("FOO"),
        ];
        let method = METHODS[usize::from(p % 10)];
        let source = (p >> 4) % 3;
        let flow = if source == 1 {
            match self.pick_flow(0, false) {
                Some(f) => Some(f),
                None => return,
            }
        } else {
            None
        };
        let (from, transport) = match source {
            0 => (SITES[0], "UDP"),
            1 => (SITES[1], "TCP"),
            _ => (STRANGER, "UDP"),
        };
        let n = q & 7;
        let mut buf = std::mem::take(&mut self.buf);
        let mut w = MessageWriter::request(&mut buf, method, "sip:1001@10.0.0.1:5060");
        w.header(
            HeaderName::Via,
            &format!("SIP/2.0/{transport} {from};branch=z9hG4bKfz{n}"),
        )
        .header(
            HeaderName::From,
            &format!("<sip:peer@{}>;tag=f{n}", from.ip()),
        )
        .header(HeaderName::To, "<sip:1001@10.0.0.1>");
        if q & 8 == 0 {
            w.header(HeaderName::CallId, &format!("call{n}@fuzz"));
        }
        let seq = if q & 0x80 == 0 { 1 } else { 2 };
        w.header(HeaderName::CSeq, &format!("{seq} {}", method.as_str()))
            .header(
                HeaderName::MaxForwards,
                if q & 0x10 == 0 { "70" } else { "0" },
            );
        if q & 0x40 != 0 {
            w.header(HeaderName::Require, "fuzz");
        }
        if q & 0x20 != 0 {
            w.header(HeaderName::ContentType, "text/plain");
            w.finish(b"hello");
        } else {
            w.finish(b"");
        }
        match flow {
            Some(flow) => self.input(Input::StreamData { flow, data: &buf }, 1),
            None => self.datagram(from, &buf),
        }
        self.buf = buf;
    }

    /// Moves every output through the checks.
    fn drain(&mut self) {
        let mut n = 0;
        while let Some(out) = self.ep.poll_output() {
            n += 1;
            assert!(
                n < MAX_OUTPUTS_PER_CALL,
                "{MAX_OUTPUTS_PER_CALL} outputs from one call (at {:?}): a loop?",
                self.at()
            );
            self.check_output(out);
        }
        self.check_state();
    }

    fn check_output(&mut self, out: Output) {
        if tracing() {
            match &out {
                Output::Transmit(t) => eprintln!(
                    "{:?} out Transmit {:?} {} {:?}",
                    self.at(),
                    t.flow,
                    t.remote,
                    String::from_utf8_lossy(&t.data)
                ),
                other => eprintln!("{:?} out {other:?}", self.at()),
            }
        }
        match out {
            Output::Transmit(t) => self.check_transmit(t),
            Output::Connect {
                flow,
                remote,
                transport,
                server_name,
            } => {
                assert_eq!(remote, SITES[1], "connect to {remote}");
                assert_eq!(transport, TransportKind::Tcp);
                assert_eq!(server_name, "10.2.0.1");
                assert!(
                    self.flows
                        .keys()
                        .next_back()
                        .is_none_or(|&last| flow > last),
                    "flow id {flow:?} is not new"
                );
                assert!(
                    self.present[1] && self.enabled[1],
                    "connect for connection 1, which is disabled or removed"
                );
                self.check_site_traffic(1, "a connect");
                self.open_flows += 1;
                self.flows.insert(
                    flow,
                    FlowModel {
                        remote,
                        connected: false,
                        closed: false,
                        failed: false,
                    },
                );
                self.previous_flow = self.newest_flow;
                self.newest_flow = Some(flow);
            }
            Output::Resolve { host, .. } => panic!("Resolve of {host:?}, an IP address"),
            Output::Close { flow } => {
                let f = self
                    .flows
                    .get_mut(&flow)
                    .unwrap_or_else(|| panic!("Close of {flow:?}, never opened"));
                // regressions/endpoint/double-close-on-framing-error closed
                // a flow twice in one call before 083fdb3.
                assert!(!f.closed, "{flow:?} closed twice");
                f.closed = true;
                if !f.failed {
                    self.open_flows -= 1;
                }
            }
            Output::Event(Event::ConnectionStatusChanged { id, status, .. }) => {
                let i = id.0 as usize;
                assert!(i < 2, "event for unknown connection {id}");
                if status == ConnectionStatus::Removed {
                    assert!(!self.present[i], "Removed event for a present connection");
                } else {
                    assert!(
                        self.present[i],
                        "{status} event for removed connection {id}"
                    );
                }
                assert_ne!(
                    self.status[i],
                    Some(status),
                    "two {status} events in a row for connection {id}"
                );
                self.status[i] = Some(status);
            }
            Output::Event(e) => self.check_session_event(&e),
        }
    }

    fn check_transmit(&mut self, t: Transmit) {
        let ping = t.data == StreamFramer::PING;
        let pong = t.data == StreamFramer::PONG;
        let request = !ping && !pong && !t.data.starts_with(b"SIP/2.0 ");
        let site = match t.flow {
            Some(flow) => {
                assert_eq!(t.transport, TransportKind::Tcp);
                let f = self
                    .flows
                    .get(&flow)
                    .unwrap_or_else(|| panic!("Transmit on {flow:?}, never opened"));
                assert!(!f.closed, "Transmit on {flow:?} after its Close");
                assert!(!f.failed, "Transmit on {flow:?} after FlowFailed");
                assert!(f.connected, "Transmit on {flow:?} before FlowConnected");
                assert_eq!(t.remote, f.remote);
                1
            }
            None => {
                assert_eq!(t.transport, TransportKind::Udp);
                assert!(!ping && !pong, "keep-alive bytes over UDP");
                if request {
                    assert_eq!(t.remote, SITES[0], "request to {} over UDP", t.remote);
                } else {
                    assert!(
                        self.peers.contains(&t.remote),
                        "response to {}, which sent nothing",
                        t.remote
                    );
                }
                0
            }
        };
        // An ACK or BYE for a 2xx the site just sent answers the site.
        let answers_site = self.calls.answering == Some(site)
            && (t.data.starts_with(b"ACK ") || t.data.starts_with(b"BYE "));
        if (request && !answers_site) || ping {
            self.check_site_traffic(site, if ping { "a ping" } else { "a request" });
        }
        if ping || pong {
            return;
        }
        // Retransmissions were checked the first time.
        let retransmission = request
            && self.sent[site]
                .back()
                .is_some_and(|s| s.bytes == t.data && s.flow == t.flow);
        if retransmission {
            return;
        }
        let m = match Parser::new(LOOSE).parse_datagram(&t.data) {
            Ok(m) => m,
            Err(e) => panic!(
                "the endpoint sent a message that does not parse: {e}\n{:?}",
                String::from_utf8_lossy(&t.data)
            ),
        };
        self.note_call_message(&m, site, t.flow, &t.data);
        if request {
            if self.validated < VALIDATE_BUDGET
                && matches!(m.method(), Some(Method::Register | Method::Options))
            {
                self.validated += 1;
                check_own_request(&m);
            }
            let sent = &mut self.sent[site];
            if sent.len() == 4 {
                sent.pop_front();
            }
            sent.push_back(Sent {
                flow: t.flow,
                bytes: t.data,
            });
        }
    }

    /// Client traffic for a connection must stop within the probe timeout
    /// of its disabling or removal.
    fn check_site_traffic(&self, site: usize, what: &str) {
        if let Some(since) = self.inactive_since[site] {
            let late = self.now - since;
            assert!(
                late <= PROBE_TIMEOUT,
                "{what} for connection {site} {late:?} after it was disabled or removed"
            );
        }
    }

    fn check_state(&mut self) {
        self.check_sessions();
        let stats = self.ep.stats();
        assert_eq!(
            stats.flows, self.open_flows,
            "stats().flows vs flows neither closed nor failed"
        );
        let horizon = self.now.checked_sub(TX_WINDOW);
        while let Some(&(t, _)) = self.stimuli.front() {
            if horizon.is_some_and(|h| t < h) {
                self.stimuli.pop_front();
            } else {
                break;
            }
        }
        let recent: usize = self.stimuli.iter().map(|&(_, w)| w).sum();
        assert!(
            stats.transactions <= TX_BASE + 2 * recent,
            "{} transactions with {recent} stimuli in the last {TX_WINDOW:?} (at {:?})",
            stats.transactions,
            self.at()
        );
        for i in 0..2 {
            match self.ep.connection(ConnectionId(i as u32)) {
                Some(info) => {
                    assert!(self.present[i], "connection {i} is back by itself");
                    assert_eq!(Some(info.status), self.status[i], "status of {i}");
                    assert_eq!(info.enabled, self.enabled[i], "enabled of {i}");
                    if info.status == ConnectionStatus::Available {
                        assert!(info.registered_until.is_some(), "Available, not registered");
                    }
                }
                None => assert!(!self.present[i], "connection {i} vanished"),
            }
        }
    }
}

/// A challenge header value from `a` (see [`Driver::answer`]).
fn challenge_value(a: u8) -> String {
    let nonce = format!("nonce{}", a & 3);
    let qop: &[Qop] = match a >> 6 {
        0 => &[],
        1 => &[Qop::Auth],
        2 => &[Qop::AuthInt],
        _ => &[Qop::Auth, Qop::AuthInt],
    };
    match usize::from((a >> 3) % 7) {
        6 => format!("Digest realm=\"geosip.test\", nonce=\"{nonce}\", algorithm=FOO"),
        k => challenge(
            "geosip.test",
            &nonce,
            DigestAlgorithm::ALL[k],
            a & 4 != 0,
            qop,
        ),
    }
}

/// The response with `;rport=6000;received=203.0.113.9` in its top Via in
/// place of the bare `;rport` we sent.
fn with_received(resp: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(resp);
    match text.find(";rport\r\n") {
        Some(i) => {
            let mut s = String::with_capacity(text.len() + 32);
            s.push_str(&text[..i]);
            s.push_str(";rport=6000;received=203.0.113.9");
            s.push_str(&text[i + 6..]);
            s.into_bytes()
        }
        None => resp.to_vec(),
    }
}

/// The endpoint's own REGISTER and OPTIONS requests are valid (call
/// requests are checked by `note_call_message`, which also refuses every
/// other method).
fn check_own_request(m: &Message<'_>) {
    if let Err(e) = m.validate() {
        panic!("the endpoint sent an invalid request: {e}");
    }
}
