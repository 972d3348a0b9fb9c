//! The load driver of the endpoint benchmark: one [`Endpoint`] with many
//! UDP connections spread over a few in-process sites (one
//! [`Registrar`]), an in-memory network between them, and a virtual clock
//! that only moves when the driver moves it.
//!
//! The sites can also be recorded and replayed ([`Mode`]): a twin
//! endpoint (same seed, same inputs) then gets the recorded answers
//! without the registrar running, so that a timing covers the endpoint
//! alone.
//!
//! The driver follows the endpoint's contract: after every call into the
//! endpoint it drains [`Endpoint::poll_output`]. Datagrams the endpoint
//! sends are queued and delivered in order; each one the registrar
//! answers is fed straight back with [`Endpoint::handle_input`]. Every
//! datagram is one message, counted once each way.

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
use geosip_core::endpoint::{Endpoint, EndpointConfig};
use geosip_core::event::{ConnectionStatus, Event};
use geosip_core::io::{Input, Output, Transmit, TransportKind};
use geosip_core::transaction::TransactionConfig;

use crate::registrar::{password, Registrar};

/// Connections in the benchmark.
pub const CONNECTIONS: usize = 10_000;
/// Sites the connections are spread over (round robin).
pub const SITES: usize = 4;
/// The bound on live transactions: the default 4096 is far too low for
/// 10,000 connections registering at once.
pub const MAX_TRANSACTIONS: usize = 65_536;

/// The endpoint's UDP address.
pub const LOCAL: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 5060);

/// The address of site `s`: `10.0.1.<s+1>:5060`.
pub fn site_addr(s: usize) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 0, 1, s as u8 + 1)), 5060)
}

/// The site at `addr`, if it is one.
pub fn site_of(addr: SocketAddr) -> Option<usize> {
    match addr {
        SocketAddr::V4(a) if a.port() == 5060 && a.ip().octets()[..3] == [10, 0, 1] => {
            Some(usize::from(a.ip().octets()[3]).checked_sub(1)?).filter(|&s| s < SITES)
        }
        _ => None,
    }
}

/// The endpoint's configuration: `local_udp` set, transactions bound
/// raised to [`MAX_TRANSACTIONS`], a fixed RNG seed.
pub fn endpoint_config() -> EndpointConfig {
    EndpointConfig {
        rng_seed: [7; 32],
        local_udp: Some(LOCAL),
        transactions: TransactionConfig {
            max_transactions: MAX_TRANSACTIONS,
            ..TransactionConfig::default()
        },
        ..EndpointConfig::default()
    }
}

/// Connection `i`: user `u<i>` with password `pw<i>` on site `i % SITES`,
/// UDP, every other setting default (keep-alive 5 s, re-register 3600 s).
pub fn connection_config(i: usize) -> ConnectionConfig {
    let mut c = ConnectionConfig::new(
        format!("u{i}"),
        site_addr(i % SITES).to_string(),
        TransportKind::Udp,
    );
    c.password = Some(Secret::new(password(i)));
    c
}

/// What went by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Datagrams from the endpoint to the sites.
    pub sent: u64,
    /// Datagrams from the sites to the endpoint.
    pub received: u64,
    /// Connections that became Available.
    pub available: u64,
    /// Connections that became Unavailable (must stay 0).
    pub unavailable: u64,
}

impl Counters {
    /// Messages both ways.
    pub fn messages(&self) -> u64 {
        self.sent + self.received
    }
}

/// How the sites answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The registrar answers.
    Live,
    /// The registrar answers, and every datagram and its answer go on the
    /// tape.
    Record,
    /// The answers come off the tape, in order, and the registrar does
    /// nothing: each datagram must be the one recorded (the endpoint is
    /// deterministic: same seed, same inputs, same relative times), else
    /// the driver panics.
    Replay,
}

/// Datagrams the endpoint sent and what the sites answered, in order.
#[derive(Debug, Default)]
pub struct Tape {
    entries: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    pos: usize,
}

impl Tape {
    /// Datagrams recorded.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The in-memory network, the sites and the virtual clock.
#[derive(Debug)]
pub struct Driver {
    /// The sites.
    pub registrar: Registrar,
    /// How the sites answer.
    pub mode: Mode,
    /// What went by.
    pub counters: Counters,
    /// The virtual now.
    pub now: Instant,
    /// A counter of heap allocations (the benchmark's allocator), read
    /// around each [`Registrar::handle`] when set, so that the registrar's
    /// allocations can be told from the endpoint's.
    pub alloc_counter: Option<fn() -> u64>,
    /// Allocations made in [`Registrar::handle`] (when `alloc_counter` is
    /// set).
    pub registrar_allocs: u64,
    tape: Tape,
    net: VecDeque<Transmit>,
    scratch: Vec<u8>,
}

impl Driver {
    /// A driver for [`CONNECTIONS`] users on [`SITES`] sites, live, its
    /// clock at `now`. Everything it needs later in [`Mode::Live`] is
    /// allocated here.
    pub fn new(now: Instant) -> Self {
        Driver {
            registrar: Registrar::new(SITES, CONNECTIONS),
            mode: Mode::Live,
            counters: Counters::default(),
            now,
            alloc_counter: None,
            registrar_allocs: 0,
            tape: Tape::default(),
            net: VecDeque::with_capacity(2 * CONNECTIONS),
            scratch: Vec::with_capacity(2048),
        }
    }

    /// Takes what was recorded, leaving the tape empty.
    pub fn take_tape(&mut self) -> Tape {
        std::mem::take(&mut self.tape)
    }

    /// Replays `tape` from its start: the sites' answers come from it.
    pub fn replay(&mut self, mut tape: Tape) {
        tape.pos = 0;
        self.tape = tape;
        self.mode = Mode::Replay;
    }

    /// A new endpoint with [`endpoint_config`], at the driver's now.
    pub fn endpoint(&self) -> Endpoint {
        Endpoint::new(endpoint_config(), self.now)
    }

    /// Adds connection `i` and drains the endpoint's outputs.
    pub fn add(&mut self, ep: &mut Endpoint, i: usize, config: ConnectionConfig) {
        ep.add_connection(self.now, ConnectionId(i as u32), config)
            .expect("add_connection");
        self.drain(ep);
    }

    /// Moves the endpoint's outputs: datagrams onto the network, status
    /// events into the counters. Anything else is a bug in the setup.
    pub fn drain(&mut self, ep: &mut Endpoint) {
        while let Some(out) = ep.poll_output() {
            match out {
                Output::Transmit(t) => self.net.push_back(t),
                Output::Event(Event::ConnectionStatusChanged { status, .. }) => match status {
                    ConnectionStatus::Available => self.counters.available += 1,
                    ConnectionStatus::Unavailable => self.counters.unavailable += 1,
                    _ => {}
                },
                other => panic!("unexpected output {other:?}"),
            }
        }
    }

    /// Delivers datagrams until the network is empty: each goes to its
    /// site, and the site's answer straight back to the endpoint.
    pub fn pump(&mut self, ep: &mut Endpoint) {
        while let Some(t) = self.net.pop_front() {
            self.counters.sent += 1;
            let site = site_of(t.remote).expect("datagram to a site");
            let answered = match self.mode {
                Mode::Replay => {
                    let Some((sent, answer)) = self.tape.entries.get_mut(self.tape.pos) else {
                        panic!("the endpoint sent more than was recorded");
                    };
                    self.tape.pos += 1;
                    assert!(
                        *sent == t.data,
                        "the endpoint diverged from the recording at datagram {}",
                        self.tape.pos
                    );
                    drop(t);
                    // The answer moves into the scratch buffer (and the
                    // old buffer onto the spent tape): no copy, no free.
                    match answer {
                        Some(a) => {
                            std::mem::swap(&mut self.scratch, a);
                            true
                        }
                        None => false,
                    }
                }
                Mode::Live | Mode::Record => {
                    let allocs = self.alloc_counter.map(|count| count());
                    let a = self.registrar.handle(site, &t.data, &mut self.scratch);
                    if let (Some(count), Some(before)) = (self.alloc_counter, allocs) {
                        self.registrar_allocs += count() - before;
                    }
                    if self.mode == Mode::Record {
                        let answer = a.then(|| self.scratch.clone());
                        self.tape.entries.push((t.data, answer));
                    }
                    a
                }
            };
            if answered {
                self.counters.received += 1;
                ep.handle_input(
                    self.now,
                    Input::Datagram {
                        local: LOCAL,
                        remote: site_addr(site),
                        data: &self.scratch,
                    },
                );
                self.drain(ep);
            }
        }
    }

    /// Moves the clock to each endpoint deadline up to and including
    /// `until`, runs the due timers and pumps; then leaves the clock at
    /// `until`.
    pub fn run_until(&mut self, ep: &mut Endpoint, until: Instant) {
        self.pump(ep);
        while let Some(at) = ep.poll_timeout().filter(|&at| at <= until) {
            self.now = self.now.max(at);
            ep.handle_timeout(self.now);
            self.drain(ep);
            self.pump(ep);
        }
        self.now = self.now.max(until);
    }

    /// Adds connections `0..n`, `spread` apart on the virtual clock (all
    /// at once if zero), and runs until all are Available and the network
    /// is quiet. Connection `i` is the `i`-th of `configs`.
    pub fn register_all(
        &mut self,
        ep: &mut Endpoint,
        configs: impl IntoIterator<Item = ConnectionConfig>,
        spread: Duration,
    ) {
        let start = self.counters.available;
        let mut n = 0u64;
        for (i, c) in configs.into_iter().enumerate() {
            if !spread.is_zero() && i > 0 {
                let at = self.now + spread;
                self.run_until(ep, at);
            }
            self.add(ep, i, c);
            n += 1;
        }
        self.pump(ep);
        assert_eq!(
            self.counters.available - start,
            n,
            "every connection registers"
        );
        assert_eq!(self.counters.unavailable, 0, "no connection fails");
        assert_eq!(self.registrar.stats.refused, 0, "no request refused");
    }

    /// Datagrams waiting on the network.
    pub fn in_flight(&self) -> usize {
        self.net.len()
    }

    /// The heap the driver and its registrar hold in their buffers (by
    /// capacity), to check that it did not grow while the endpoint's heap
    /// was being measured.
    pub fn buffer_capacity(&self) -> usize {
        self.net.capacity() * std::mem::size_of::<Transmit>()
            + self.scratch.capacity()
            + self.registrar.buffer_capacity()
    }
}
