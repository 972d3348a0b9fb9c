//! Parser benchmark: geosip against rsip 0.4, rsipstack 0.7 and a memchr
//! floor, on the messages of `shared/bench-messages/` (see README.md).
//!
//! One criterion group per message; each group holds two levels:
//!
//! - `index/<parser>`: parse, then touch every header.
//! - `typed/<parser>`: the same, plus typed top Via (transport, host,
//!   branch), From and To (URI, tag), CSeq (number, method), Call-ID, and
//!   every WWW-Authenticate challenge (realm, nonce, algorithm).
//!
//! The timed code and the start-up check run the same functions; only the
//! [`Sink`] differs: [`BlackBoxSink`] hides every value behind `black_box`,
//! [`Collect`] turns them into text to compare with what the messages hold.

use std::fmt::Display;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use geosip_benches::{load_messages, BenchMessage};
use geosip_core::message::headers::WwwAuthenticate;

/// Where the parsers hand their values.
trait Sink {
    /// A value read from the message (`None` when absent).
    fn put<T: Display>(&mut self, key: &'static str, value: Option<T>);
    /// A parse error where a value was expected.
    fn fail<E: Display>(&mut self, key: &'static str, err: E);
}

/// The timed sink: every value goes through `black_box`, errors are
/// counted.
#[derive(Default)]
struct BlackBoxSink {
    failures: usize,
}

impl Sink for BlackBoxSink {
    #[inline(always)]
    fn put<T: Display>(&mut self, _key: &'static str, value: Option<T>) {
        black_box(value);
    }

    #[inline(always)]
    fn fail<E: Display>(&mut self, _key: &'static str, err: E) {
        black_box(err);
        self.failures += 1;
    }
}

/// One collected entry: the value as text, or the error as text.
type Entry = (&'static str, Result<Option<String>, String>);

/// The checking sink: every value and error as text.
#[derive(Default)]
struct Collect(Vec<Entry>);

impl Sink for Collect {
    fn put<T: Display>(&mut self, key: &'static str, value: Option<T>) {
        self.0.push((key, Ok(value.map(|v| v.to_string()))));
    }

    fn fail<E: Display>(&mut self, key: &'static str, err: E) {
        self.0.push((key, Err(err.to_string())));
    }
}

/// A parser under test, for the start-up check: level (a) and level (b).
/// (The timed loops call the functions directly, see [`parse_benches`].)
struct Contender {
    name: &'static str,
    index: fn(&[u8], &mut Collect),
    typed: fn(&[u8], &mut Collect),
}

const CONTENDERS: [Contender; 4] = [
    Contender {
        name: "geosip",
        index: geosip_index::<Collect>,
        typed: geosip_typed::<Collect>,
    },
    Contender {
        name: "rsip",
        index: rsip_index::<Collect>,
        typed: rsip_typed::<Collect>,
    },
    Contender {
        name: "rsipstack",
        index: rsipstack_index::<Collect>,
        typed: rsipstack_typed::<Collect>,
    },
    Contender {
        name: "memchr",
        index: memchr_floor::<Collect>,
        typed: memchr_floor::<Collect>,
    },
];

// ---------------------------------------------------------------- floor

/// The floor: one pass over the bytes counting lines, which every parser
/// must at least do.
fn memchr_floor<S: Sink>(bytes: &[u8], s: &mut S) {
    s.put("lines", Some(memchr::memchr_iter(b'\n', bytes).count()));
}

// ---------------------------------------------------------------- geosip

/// Parses and touches every header, then hands the message to `then` by
/// reference: the message is not moved around (for every parser alike),
/// so the harness's own copies stay out of the figures.
fn geosip_parse_touch<S: Sink>(
    bytes: &[u8],
    s: &mut S,
    then: impl FnOnce(&geosip_core::message::Message<'_>, &mut S),
) {
    match geosip_core::message::parse(bytes) {
        Ok(ref msg) => {
            let mut n = 0usize;
            for h in msg.headers() {
                black_box(h.name);
                black_box(h.value);
                n += 1;
            }
            s.put("headers", Some(n));
            then(msg, s);
        }
        Err(e) => s.fail("parse", e),
    }
}

fn geosip_index<S: Sink>(bytes: &[u8], s: &mut S) {
    geosip_parse_touch(bytes, s, |msg, _| {
        black_box(msg);
    });
}

fn geosip_typed<S: Sink>(bytes: &[u8], s: &mut S) {
    geosip_parse_touch(bytes, s, geosip_typed_views);
}

fn geosip_typed_views<S: Sink>(msg: &geosip_core::message::Message<'_>, s: &mut S) {
    match msg.top_via() {
        Ok(v) => {
            s.put("via.transport", Some(v.transport));
            s.put("via.host", Some(v.host));
            s.put("via.branch", v.branch());
        }
        Err(e) => s.fail("via", e),
    }
    match msg.from() {
        Ok(a) => {
            s.put("from.uri", Some(a.uri));
            s.put("from.tag", a.tag());
        }
        Err(e) => s.fail("from", e),
    }
    match msg.to() {
        Ok(a) => {
            s.put("to.uri", Some(a.uri));
            s.put("to.tag", a.tag());
        }
        Err(e) => s.fail("to", e),
    }
    match msg.cseq() {
        Ok(c) => {
            s.put("cseq.seq", Some(c.seq));
            s.put("cseq.method", Some(c.method));
        }
        Err(e) => s.fail("cseq", e),
    }
    match msg.call_id() {
        Ok(id) => s.put("call_id", Some(id)),
        Err(e) => s.fail("call_id", e),
    }
    for ch in msg.typed_all::<WwwAuthenticate>() {
        match ch {
            Ok(ch) => {
                s.put("www.realm", ch.realm());
                s.put("www.nonce", ch.nonce());
                s.put("www.algorithm", ch.algorithm());
            }
            Err(e) => s.fail("www", e),
        }
    }
}

// ---------------------------------------------------------------- rsip

fn rsip_parse_touch<S: Sink>(
    bytes: &[u8],
    s: &mut S,
    then: impl FnOnce(&rsip::SipMessage, &mut S),
) {
    use rsip::prelude::HasHeaders;
    match rsip::SipMessage::try_from(bytes) {
        Ok(ref msg) => {
            let mut n = 0usize;
            for h in msg.headers().iter() {
                black_box(h);
                n += 1;
            }
            s.put("headers", Some(n));
            then(msg, s);
        }
        Err(e) => s.fail("parse", e),
    }
}

fn rsip_index<S: Sink>(bytes: &[u8], s: &mut S) {
    rsip_parse_touch(bytes, s, |msg, _| {
        black_box(msg);
    });
}

fn rsip_typed<S: Sink>(bytes: &[u8], s: &mut S) {
    rsip_parse_touch(bytes, s, rsip_typed_views);
}

fn rsip_typed_views<S: Sink>(msg: &rsip::SipMessage, s: &mut S) {
    use rsip::prelude::{HasHeaders, HeadersExt, ToTypedHeader, UntypedHeader};
    match msg.via_header().and_then(|h| h.typed()) {
        Ok(v) => {
            s.put("via.transport", Some(v.transport));
            s.put("via.host", Some(&v.uri.host_with_port.host));
            s.put("via.branch", v.branch());
        }
        Err(e) => s.fail("via", e),
    }
    match msg.from_header().and_then(|h| h.typed()) {
        Ok(a) => {
            s.put("from.uri", Some(&a.uri));
            s.put("from.tag", a.tag());
        }
        Err(e) => s.fail("from", e),
    }
    match msg.to_header().and_then(|h| h.typed()) {
        Ok(a) => {
            s.put("to.uri", Some(&a.uri));
            s.put("to.tag", a.tag());
        }
        Err(e) => s.fail("to", e),
    }
    match msg.cseq_header().and_then(|h| h.typed()) {
        Ok(c) => {
            s.put("cseq.seq", Some(c.seq));
            s.put("cseq.method", Some(c.method));
        }
        Err(e) => s.fail("cseq", e),
    }
    match msg.call_id_header() {
        Ok(id) => s.put("call_id", Some(id.value())),
        Err(e) => s.fail("call_id", e),
    }
    for h in msg.headers().iter() {
        if let rsip::Header::WwwAuthenticate(h) = h {
            match h.typed() {
                Ok(ch) => {
                    s.put("www.realm", Some(&ch.realm));
                    s.put("www.nonce", Some(&ch.nonce));
                    s.put("www.algorithm", ch.algorithm);
                }
                Err(e) => s.fail("www", e),
            }
        }
    }
}

// ---------------------------------------------------------------- rsipstack

fn rsipstack_parse_touch<S: Sink>(
    bytes: &[u8],
    s: &mut S,
    then: impl FnOnce(&rsipstack::sip::SipMessage, &mut S),
) {
    use rsipstack::sip::prelude::HasHeaders;
    match rsipstack::sip::SipMessage::try_from(bytes) {
        Ok(ref msg) => {
            let mut n = 0usize;
            for h in msg.headers().iter() {
                black_box(h);
                n += 1;
            }
            s.put("headers", Some(n));
            then(msg, s);
        }
        Err(e) => s.fail("parse", e),
    }
}

fn rsipstack_index<S: Sink>(bytes: &[u8], s: &mut S) {
    rsipstack_parse_touch(bytes, s, |msg, _| {
        black_box(msg);
    });
}

fn rsipstack_typed<S: Sink>(bytes: &[u8], s: &mut S) {
    rsipstack_parse_touch(bytes, s, rsipstack_typed_views);
}

fn rsipstack_typed_views<S: Sink>(msg: &rsipstack::sip::SipMessage, s: &mut S) {
    use rsipstack::sip::prelude::{HasHeaders, HeadersExt, ToTypedHeader};
    match msg.via_header().and_then(|h| h.typed()) {
        Ok(v) => {
            s.put("via.transport", Some(v.transport));
            s.put("via.host", Some(&v.uri.host_with_port.host));
            s.put("via.branch", v.branch());
        }
        Err(e) => s.fail("via", e),
    }
    match msg.from_header().and_then(|h| h.typed()) {
        Ok(a) => {
            s.put("from.uri", Some(&a.uri));
            s.put("from.tag", a.tag());
        }
        Err(e) => s.fail("from", e),
    }
    match msg.to_header().and_then(|h| h.typed()) {
        Ok(a) => {
            s.put("to.uri", Some(&a.uri));
            s.put("to.tag", a.tag());
        }
        Err(e) => s.fail("to", e),
    }
    match msg.cseq_header().and_then(|h| h.typed()) {
        Ok(c) => {
            s.put("cseq.seq", Some(c.seq));
            s.put("cseq.method", Some(c.method));
        }
        Err(e) => s.fail("cseq", e),
    }
    match msg.call_id_header() {
        Ok(id) => s.put("call_id", Some(id.value())),
        Err(e) => s.fail("call_id", e),
    }
    for h in msg.headers().iter() {
        if let rsipstack::sip::Header::WwwAuthenticate(h) = h {
            match h.typed() {
                Ok(ch) => {
                    s.put("www.realm", Some(&ch.realm));
                    s.put("www.nonce", Some(&ch.nonce));
                    s.put("www.algorithm", ch.algorithm);
                }
                Err(e) => s.fail("www", e),
            }
        }
    }
}

// ---------------------------------------------------------------- checks

/// What level (b) must find in each message.
fn expected(name: &str) -> Vec<(&'static str, &'static str)> {
    let mut v = match name {
        "invite" => vec![
            ("via.transport", "UDP"),
            ("via.host", "192.0.2.101"),
            ("via.branch", "z9hG4bK776asdhds"),
            ("from.uri", "sip:alice@atlanta.example.com"),
            ("from.tag", "1928301774"),
            ("to.uri", "sip:bob@biloxi.example.com"),
            ("cseq.seq", "314159"),
            ("cseq.method", "INVITE"),
            ("call_id", "a84b4c76e66710@pc33.atlanta.example.com"),
        ],
        "ok_register" | "unauthorized_register" => vec![
            ("via.transport", "UDP"),
            ("via.host", "192.0.2.101"),
            ("via.branch", "z9hG4bKnashds7"),
            ("from.uri", "sip:alice@atlanta.example.com"),
            ("from.tag", "a73kszlfl"),
            ("to.uri", "sip:alice@atlanta.example.com"),
            ("to.tag", "37GkEhwl6"),
            ("cseq.seq", if name == "ok_register" { "2" } else { "1" }),
            ("cseq.method", "REGISTER"),
            ("call_id", "1j9FpLxk3uxtm8tn@192.0.2.101"),
        ],
        other => panic!("no expectations for message {other}"),
    };
    if name == "unauthorized_register" {
        for alg in ["SHA-256", "MD5"] {
            v.push(("www.realm", "atlanta.example.com"));
            v.push(("www.nonce", "ZmDbXmYS2u3rTBZc8rKZ3lU4Qk5lS5Kf"));
            v.push(("www.algorithm", alg));
        }
    }
    v
}

/// Runs every contender once through the checking sink, outside timing:
/// every parser must parse and index the message, and the typed values
/// must be the expected ones. A typed WWW-Authenticate challenge that
/// rsip or rsipstack rejects is reported, not fatal (it is what they do
/// with `algorithm=SHA-256`); anything else wrong panics.
fn check(m: &BenchMessage) {
    let lines = memchr::memchr_iter(b'\n', &m.bytes).count();
    let geosip_headers = geosip_core::message::parse(&m.bytes)
        .unwrap_or_else(|e| panic!("{}: geosip fails: {e}", m.name))
        .header_count();
    for c in &CONTENDERS {
        // Level (a).
        let mut got = Collect::default();
        (c.index)(&m.bytes, &mut got);
        let want = if c.name == "memchr" {
            lines
        } else {
            geosip_headers
        };
        let key = if c.name == "memchr" {
            "lines"
        } else {
            "headers"
        };
        assert_eq!(
            got.0,
            vec![(key, Ok(Some(want.to_string())))],
            "{}/index/{}",
            m.name,
            c.name
        );
        if c.name == "memchr" {
            continue;
        }

        // Level (b): the index entry, then the typed values.
        let mut got = Collect::default();
        (c.typed)(&m.bytes, &mut got);
        let mut got = got.0.into_iter();
        assert_eq!(
            got.next(),
            Some(("headers", Ok(Some(geosip_headers.to_string())))),
            "{}/typed/{}",
            m.name,
            c.name
        );
        // The To of the INVITE has no tag; every parser says None.
        let got = got.filter(|(k, v)| !(*k == "to.tag" && matches!(v, Ok(None))));
        let mut want = expected(m.name).into_iter().peekable();
        for (key, value) in got {
            match value {
                Ok(value) => {
                    let (wk, wv) = want
                        .next()
                        .unwrap_or_else(|| panic!("{}/typed/{}: extra {key}", m.name, c.name));
                    assert_eq!(key, wk, "{}/typed/{}", m.name, c.name);
                    assert!(
                        value.as_deref().is_some_and(|v| v.eq_ignore_ascii_case(wv)),
                        "{}/typed/{}: {key} is {value:?}, expected {wv:?}",
                        m.name,
                        c.name
                    );
                }
                Err(e) if key == "www" && c.name != "geosip" => {
                    // The whole challenge failed: skip its three values.
                    let skipped: Vec<_> = (0..3).filter_map(|_| want.next()).collect();
                    let alg = skipped.last().map(|s| s.1).unwrap_or("?");
                    println!(
                        "note: {}/typed/{}: WWW-Authenticate with algorithm={alg} rejected: {e}",
                        m.name, c.name
                    );
                }
                Err(e) => panic!("{}/typed/{}: {key} failed: {e}", m.name, c.name),
            }
        }
        assert!(
            want.peek().is_none(),
            "{}/typed/{}: missing {:?}",
            m.name,
            c.name,
            want.collect::<Vec<_>>()
        );
    }
}

// ---------------------------------------------------------------- criterion

/// Times one function; `f` is a function item, so the call is static and
/// may be inlined, as it would be in an application.
fn bench_one<F: Fn(&[u8], &mut BlackBoxSink)>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    level: &str,
    name: &str,
    bytes: &[u8],
    f: F,
) {
    group.bench_with_input(BenchmarkId::new(level, name), bytes, |b, bytes| {
        b.iter(|| {
            let mut sink = BlackBoxSink::default();
            f(black_box(bytes), &mut sink);
            sink.failures
        })
    });
}

fn parse_benches(cr: &mut Criterion) {
    for m in load_messages() {
        check(&m);
        let bytes = m.bytes.as_slice();
        let mut group = cr.benchmark_group(m.name);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        bench_one(&mut group, "index", "geosip", bytes, geosip_index);
        bench_one(&mut group, "index", "rsip", bytes, rsip_index);
        bench_one(&mut group, "index", "rsipstack", bytes, rsipstack_index);
        bench_one(&mut group, "index", "memchr", bytes, memchr_floor);
        bench_one(&mut group, "typed", "geosip", bytes, geosip_typed);
        bench_one(&mut group, "typed", "rsip", bytes, rsip_typed);
        bench_one(&mut group, "typed", "rsipstack", bytes, rsipstack_typed);
        bench_one(&mut group, "typed", "memchr", bytes, memchr_floor);
        group.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = config();
    targets = parse_benches
}

/// The geosip calls of one level, out of line so that a profiler can
/// count them alone (`--toggle-collect=*profiled_geosip*`).
#[inline(never)]
fn profiled_geosip(level: &str, bytes: &[u8]) -> usize {
    let mut sink = BlackBoxSink::default();
    match level {
        "index" => geosip_index(black_box(bytes), &mut sink),
        "typed" => geosip_typed(black_box(bytes), &mut sink),
        other => panic!("unknown level {other:?}"),
    }
    sink.failures
}

/// `GEOSIP_PARSE_PROFILE=<message>:<index|typed>[:N]`: checks the message,
/// then runs geosip's calls of that level N times (default 1000) without
/// criterion, for callgrind (see README.md).
fn profile(mode: &str) {
    let mut parts = mode.split(':');
    let (name, level) = (parts.next().unwrap_or(""), parts.next().unwrap_or("typed"));
    let n: usize = parts.next().map_or(1000, |n| {
        n.parse()
            .expect("GEOSIP_PARSE_PROFILE=<message>:<index|typed>[:N]")
    });
    let m = load_messages()
        .into_iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("no bench message {name:?}"));
    check(&m);
    let mut failures = 0;
    for _ in 0..n {
        failures += profiled_geosip(level, &m.bytes);
    }
    assert_eq!(failures, 0, "geosip failed on {name}");
    println!("{name}/{level}/geosip x{n}");
}

fn main() {
    if let Ok(mode) = std::env::var("GEOSIP_PARSE_PROFILE") {
        profile(&mode);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
