//! Endpoint benchmark: one `Endpoint` with 10,000 UDP connections
//! registering with digest auth against 4 in-process sites, then keeping
//! them alive (see README.md, "Endpoint benchmark").
//!
//! - `endpoint/register_burst`: one iteration adds all 10,000 connections
//!   at one instant and pumps until all are Available: REGISTER, 401,
//!   REGISTER with credentials, 200, so 40,000 messages.
//! - `endpoint/keepalive`: 10,000 registered connections (registrations
//!   spread over one keep-alive interval); one iteration moves the
//!   virtual clock through one 5 s keep-alive interval, deadline by
//!   deadline: an OPTIONS and its 200 per connection, 20,000 messages.
//!
//! Each iteration runs twice: once against the live in-process registrar,
//! recording its answers, then on a twin endpoint (same seed, same
//! inputs) that gets the recorded answers without the registrar running.
//! Criterion times the twin, so its throughput is the endpoint's
//! messages/s on one core; the run with the registrar, and the twin's CPU
//! time (robust to other jobs on a shared machine), are printed at the
//! end and written to `<criterion dir>/endpoint/<bench>/summary.json`,
//! the heap figures to `<criterion dir>/endpoint/heap.json` (only by
//! `cargo bench`, not in `--test` mode), for `report.py`.
//!
//! Before timing, with a counting global allocator, the heap the endpoint
//! holds per idle registered connection is measured (see [`HeapRun`]).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput};
use geosip_benches::load::{connection_config, Driver, Mode, CONNECTIONS};
use geosip_core::connection::ConnectionConfig;
use geosip_core::endpoint::Endpoint;

// ---------------------------------------------------------------- allocator

/// Forwards to the system allocator and, while [`COUNTING`] is set,
/// counts the bytes and blocks that are live and the allocations made.
struct CountingAlloc;

/// Whether the counters run. On from the start, so that every block freed
/// while counting was counted when allocated; switched off for good
/// before the timed benchmarks, which then pay only this load.
static COUNTING: AtomicBool = AtomicBool::new(true);
/// Bytes live (as requested, without the allocator's own overhead).
static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);
/// Blocks live.
static LIVE_BLOCKS: AtomicUsize = AtomicUsize::new(0);
/// Allocations made (`alloc`, `alloc_zeroed` and moving `realloc`s
/// alike: every call that hands out a block).
static ALLOCS: AtomicU64 = AtomicU64::new(0);

impl CountingAlloc {
    fn on_alloc(size: usize) {
        if COUNTING.load(Relaxed) {
            LIVE_BYTES.fetch_add(size, Relaxed);
            LIVE_BLOCKS.fetch_add(1, Relaxed);
            ALLOCS.fetch_add(1, Relaxed);
        }
    }

    fn on_dealloc(size: usize) {
        if COUNTING.load(Relaxed) {
            LIVE_BYTES.fetch_sub(size, Relaxed);
            LIVE_BLOCKS.fetch_sub(1, Relaxed);
        }
    }
}

// SAFETY: every method forwards to `System` with the arguments it was
// given, so the blocks handed out are `System`'s and meet the `GlobalAlloc`
// contract as `System`'s do; the bookkeeping only touches atomics and
// never allocates.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller guarantees `layout` has a non-zero size, as
        // `System.alloc` requires.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            Self::on_alloc(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            Self::on_alloc(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller guarantees `ptr` came from this allocator
        // (hence from `System`) with this `layout`, and is not used again.
        unsafe { System.dealloc(ptr, layout) };
        Self::on_dealloc(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `ptr` came from this allocator
        // (hence from `System`) with `layout`, and that `new_size` is
        // non-zero and does not overflow when rounded to the alignment.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            Self::on_dealloc(layout.size());
            Self::on_alloc(new_size);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Live bytes and blocks now.
fn live() -> (usize, usize) {
    (LIVE_BYTES.load(Relaxed), LIVE_BLOCKS.load(Relaxed))
}

fn allocs() -> u64 {
    ALLOCS.load(Relaxed)
}

// ---------------------------------------------------------------- heap

/// One heap reading of the endpoint: live bytes and blocks above the
/// baseline, per connection, and the transactions alive then.
#[derive(Debug, Clone, Copy)]
struct HeapPoint {
    bytes_per_conn: f64,
    blocks_per_conn: f64,
    transactions: usize,
}

/// The heap figures, all for [`CONNECTIONS`] connections.
#[derive(Debug, Clone, Copy)]
struct HeapFigures {
    /// Idle between keep-alives, registrations spread over one keep-alive
    /// interval (as they drift apart in practice): every connection holds
    /// the Completed OPTIONS transaction of its last probe until its next
    /// probe, since the keep-alive interval and T4 (Timer K) are both 5 s.
    /// The headline figure.
    idle_spread: HeapPoint,
    /// The same after registering all at once and three keep-alive rounds
    /// (each round's 10,000 probes leave the endpoint in one
    /// `handle_timeout`).
    idle_burst: HeapPoint,
    /// Right after the burst: both REGISTER transactions of every
    /// connection still wait out Timer K in Completed.
    after_burst: HeapPoint,
    /// Registered, with no transaction alive: keep-alive interval raised to
    /// 60 s, read 10 s after registering (after Timer K).
    no_transaction: HeapPoint,
    /// Added disabled: the connection's state and config only.
    disabled: HeapPoint,
    /// Endpoint allocations per message during the burst (the
    /// registrar's not counted).
    burst_allocs_per_msg: f64,
    /// Endpoint allocations per message in keep-alive rounds.
    keepalive_allocs_per_msg: f64,
}

/// A heap measurement under way: the driver (registrar and network) and
/// the endpoint, built before the baseline.
///
/// The registrar's memory is kept out of the figure: the registrar and the
/// network queue are built (with their users, passwords and every buffer
/// preallocated) before the baseline, the registrar keeps no per-user
/// state (no bindings; counter nonces), and [`HeapRun::point`] checks that
/// their buffers did not grow and that no datagram is in flight. What is
/// left above the baseline is the endpoint's: its connections (with their
/// configs, which are built after the baseline), transactions, timers and
/// maps, and whatever capacity its queues and maps kept.
struct HeapRun {
    d: Driver,
    ep: Endpoint,
    base: (usize, usize),
    buffers: usize,
}

impl HeapRun {
    fn new() -> Self {
        let mut d = Driver::new(Instant::now());
        d.alloc_counter = Some(allocs);
        let ep = d.endpoint();
        let buffers = d.buffer_capacity();
        HeapRun {
            d,
            ep,
            base: live(),
            buffers,
        }
    }

    fn register(&mut self, config: impl Fn(usize) -> ConnectionConfig, gap: Duration) {
        self.d
            .register_all(&mut self.ep, (0..CONNECTIONS).map(config), gap);
    }

    /// Runs the clock `secs` seconds on.
    fn run(&mut self, secs: f64) {
        let until = self.d.now + Duration::from_secs_f64(secs);
        self.d.run_until(&mut self.ep, until);
    }

    fn point(&self) -> HeapPoint {
        assert_eq!(self.d.in_flight(), 0);
        assert_eq!(
            self.d.buffer_capacity(),
            self.buffers,
            "the driver's buffers grew; the figure would not be the endpoint's alone"
        );
        let (bytes, blocks) = live();
        let n = CONNECTIONS as f64;
        HeapPoint {
            bytes_per_conn: (bytes - self.base.0) as f64 / n,
            blocks_per_conn: (blocks - self.base.1) as f64 / n,
            transactions: self.ep.stats().transactions,
        }
    }

    /// Endpoint allocations per message while `f` runs.
    fn allocs_per_msg(&mut self, f: impl FnOnce(&mut Self)) -> f64 {
        let (a, r, m) = (
            allocs(),
            self.d.registrar_allocs,
            self.d.counters.messages(),
        );
        f(self);
        let endpoint = (allocs() - a) - (self.d.registrar_allocs - r);
        endpoint as f64 / (self.d.counters.messages() - m) as f64
    }
}

/// Measures the endpoint's heap per connection (see [`HeapRun`]).
fn heap_figures() -> HeapFigures {
    let spread = KEEPALIVE / CONNECTIONS as u32;

    let mut r = HeapRun::new();
    r.register(connection_config, spread);
    // Three keep-alive rounds, then half-way to the next probes.
    r.run(15.0);
    let keepalive_allocs_per_msg = r.allocs_per_msg(|r| r.run(5.0));
    r.run(2.5);
    let idle_spread = r.point();
    drop(r);

    let mut r = HeapRun::new();
    let burst_allocs_per_msg = r.allocs_per_msg(|r| r.register(connection_config, Duration::ZERO));
    let after_burst = r.point();
    r.run(15.0);
    r.run(2.5);
    let idle_burst = r.point();
    drop(r);

    let mut r = HeapRun::new();
    let slow = |i| ConnectionConfig {
        keepalive_interval: Duration::from_secs(60),
        ..connection_config(i)
    };
    r.register(slow, Duration::ZERO);
    r.run(10.0);
    let no_transaction = r.point();
    drop(r);

    let mut r = HeapRun::new();
    for i in 0..CONNECTIONS {
        let c = ConnectionConfig {
            enabled: false,
            ..connection_config(i)
        };
        r.d.add(&mut r.ep, i, c);
    }
    let disabled = r.point();
    drop(r);

    HeapFigures {
        idle_spread,
        idle_burst,
        after_burst,
        no_transaction,
        disabled,
        burst_allocs_per_msg,
        keepalive_allocs_per_msg,
    }
}

// ---------------------------------------------------------------- timing

/// The CPU time this thread has used (`CLOCK_THREAD_CPUTIME_ID`), which
/// unlike wall time does not count the time other jobs on a shared
/// machine hold the core; `None` where it is not available.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn thread_cpu_time() -> Option<Duration> {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `clock_gettime` is the C library's (std links it), with the
    // Linux 64-bit signature declared above; it writes one `timespec`
    // (two 64-bit fields, as `Timespec` is laid out) through a pointer to
    // a live local and keeps no reference to it.
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
fn thread_cpu_time() -> Option<Duration> {
    None
}

/// Wall and CPU time of `f`.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration, Option<Duration>) {
    let (c0, t0) = (thread_cpu_time(), Instant::now());
    let out = f();
    let wall = t0.elapsed();
    let cpu = thread_cpu_time().zip(c0).map(|(c1, c0)| c1 - c0);
    (out, wall, cpu)
}

/// One timed iteration.
#[derive(Debug, Clone, Copy)]
struct Sample {
    /// The endpoint alone (replaying the sites' answers): wall time.
    endpoint: Duration,
    /// The same, this thread's CPU time.
    endpoint_cpu: Option<Duration>,
    /// The endpoint and the live registrar (the recording run): wall time.
    with_registrar: Duration,
    /// Messages, both ways.
    messages: u64,
}

/// Messages of one burst: REGISTER, 401, REGISTER, 200 per connection.
const BURST_MESSAGES: u64 = 4 * CONNECTIONS as u64;
/// Messages of one keep-alive round: OPTIONS and 200 per connection.
const KEEPALIVE_MESSAGES: u64 = 2 * CONNECTIONS as u64;
/// Keep-alive rounds before the state is rebuilt (before the first
/// re-REGISTER, due 3568 s after registering).
const MAX_ROUNDS: u32 = 600;
const KEEPALIVE: Duration = Duration::from_secs(5);

fn configs() -> Vec<ConnectionConfig> {
    (0..CONNECTIONS).map(connection_config).collect()
}

/// The timed part of a burst on the replaying twin (a function of its own
/// so that a profiler can collect it alone:
/// `--toggle-collect=*timed_burst*`; the recording run does not call it).
#[inline(never)]
fn timed_burst(d: &mut Driver, ep: &mut Endpoint, configs: Vec<ConnectionConfig>) {
    d.register_all(ep, configs, Duration::ZERO);
}

/// The timed part of a keep-alive round on the replaying twin
/// (`--toggle-collect=*timed_round*`).
#[inline(never)]
fn timed_round(d: &mut Driver, ep: &mut Endpoint, until: Instant) {
    d.run_until(ep, until);
}

/// One burst, twice: a recording run against the live registrar, then a
/// twin endpoint (same seed, same inputs) replaying the recorded answers,
/// which is the endpoint alone. Each starts from a new endpoint; only
/// `register_all` is timed.
fn burst_once() -> Sample {
    let mut rec = Driver::new(Instant::now());
    rec.mode = Mode::Record;
    let mut ep = rec.endpoint();
    let configs_rec = configs();
    let ((), with_registrar, _) = timed(|| rec.register_all(&mut ep, configs_rec, Duration::ZERO));
    drop(ep);
    assert_eq!(rec.counters.messages(), BURST_MESSAGES);

    let mut d = Driver::new(Instant::now());
    d.replay(rec.take_tape());
    drop(rec);
    let mut ep = d.endpoint();
    let configs = configs();
    let ((), endpoint, endpoint_cpu) = timed(|| timed_burst(&mut d, &mut ep, configs));
    assert_eq!(d.counters.messages(), BURST_MESSAGES);
    drop(ep);
    Sample {
        endpoint,
        endpoint_cpu,
        with_registrar,
        messages: BURST_MESSAGES,
    }
}

/// Twin endpoints with [`CONNECTIONS`] registered connections for the
/// keep-alive rounds: registrations spread over one keep-alive interval,
/// then two rounds to settle.
struct KeepaliveState {
    rec: (Driver, Endpoint),
    replay: (Driver, Endpoint),
    rounds: u32,
}

fn registered_spread() -> (Driver, Endpoint) {
    let mut d = Driver::new(Instant::now());
    let mut ep = d.endpoint();
    d.register_all(&mut ep, configs(), KEEPALIVE / CONNECTIONS as u32);
    let until = d.now + 2 * KEEPALIVE;
    d.run_until(&mut ep, until);
    (d, ep)
}

/// One keep-alive round, twice: recorded against the live registrar, then
/// replayed by the twin. The clock moves 5 s, deadline by deadline.
fn keepalive_once(state: &mut Option<KeepaliveState>) -> Sample {
    if state.as_ref().is_none_or(|s| s.rounds >= MAX_ROUNDS) {
        *state = None;
        *state = Some(KeepaliveState {
            rec: registered_spread(),
            replay: registered_spread(),
            rounds: 0,
        });
    }
    let s = state.as_mut().expect("built");
    s.rounds += 1;

    let (rec, ep) = &mut s.rec;
    rec.mode = Mode::Record;
    let m0 = rec.counters.messages();
    let until = rec.now + KEEPALIVE;
    let ((), with_registrar, _) = timed(|| rec.run_until(ep, until));
    assert_eq!(rec.counters.messages() - m0, KEEPALIVE_MESSAGES);

    let tape = rec.take_tape();
    let (d, ep) = &mut s.replay;
    d.replay(tape);
    let m0 = d.counters.messages();
    let until = d.now + KEEPALIVE;
    let ((), endpoint, endpoint_cpu) = timed(|| timed_round(d, ep, until));
    assert_eq!(d.counters.messages() - m0, KEEPALIVE_MESSAGES);
    Sample {
        endpoint,
        endpoint_cpu,
        with_registrar,
        messages: KEEPALIVE_MESSAGES,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Medians over the samples, in messages/s.
#[derive(Debug, Clone, Copy)]
struct Summary {
    samples: usize,
    /// The endpoint alone, by wall time.
    endpoint: f64,
    /// The endpoint alone, by CPU time.
    endpoint_cpu: f64,
    /// The endpoint and the registrar, by wall time.
    with_registrar: f64,
}

fn summarize(samples: &[Sample]) -> Summary {
    let rate = |s: &Sample, d: Duration| s.messages as f64 / d.as_secs_f64();
    Summary {
        samples: samples.len(),
        endpoint: median(samples.iter().map(|s| rate(s, s.endpoint)).collect()),
        endpoint_cpu: median(
            samples
                .iter()
                .filter_map(|s| s.endpoint_cpu.map(|c| rate(s, c)))
                .collect(),
        ),
        with_registrar: median(samples.iter().map(|s| rate(s, s.with_registrar)).collect()),
    }
}

fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(t) => PathBuf::from(t).join("criterion"),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap_or(Path::new(".."))
            .join("target/criterion"),
    }
}

impl HeapFigures {
    /// The readings by name, headline first.
    fn rows(&self) -> [(&'static str, HeapPoint); 5] {
        [
            ("idle_spread", self.idle_spread),
            ("idle_burst", self.idle_burst),
            ("after_burst", self.after_burst),
            ("no_transaction", self.no_transaction),
            ("disabled", self.disabled),
        ]
    }
}

fn point_json(p: &HeapPoint) -> String {
    format!(
        "{{\"bytes_per_conn\": {:.1}, \"blocks_per_conn\": {:.2}, \"transactions\": {}}}",
        p.bytes_per_conn, p.blocks_per_conn, p.transactions
    )
}

fn summary_json(s: &Summary) -> String {
    format!(
        "{{\"samples\": {}, \"endpoint_msgs_per_s\": {:.0}, \"endpoint_cpu_msgs_per_s\": {:.0}, \
         \"with_registrar_msgs_per_s\": {:.0}}}",
        s.samples, s.endpoint, s.endpoint_cpu, s.with_registrar
    )
}

/// `GEOSIP_ENDPOINT_PROFILE=burst|keepalive[:N]`: runs N bursts or
/// keep-alive rounds (default 1) without criterion or heap measurement,
/// for a profiler (see README.md).
fn profile(mode: &str) {
    COUNTING.store(false, Relaxed);
    let (what, n) = mode.split_once(':').unwrap_or((mode, "1"));
    let n: u32 = n
        .parse()
        .expect("GEOSIP_ENDPOINT_PROFILE=burst|keepalive[:N]");
    let mut samples = Vec::new();
    let mut state = None;
    for _ in 0..n {
        samples.push(match what {
            "burst" => burst_once(),
            "keepalive" => keepalive_once(&mut state),
            other => panic!("unknown profile mode {other:?}"),
        });
    }
    let s = summarize(&samples);
    println!(
        "{what} x{n}: endpoint alone {:.0} msg/s (by CPU time {:.0}), \
         endpoint + registrar {:.0} msg/s",
        s.endpoint, s.endpoint_cpu, s.with_registrar
    );
}

fn main() {
    if let Ok(mode) = std::env::var("GEOSIP_ENDPOINT_PROFILE") {
        profile(&mode);
        return;
    }
    let heap = heap_figures();
    // From here on the allocator only forwards.
    COUNTING.store(false, Relaxed);
    println!("heap per connection ({CONNECTIONS} connections, endpoint only, requested bytes):");
    for (what, p) in heap.rows() {
        println!(
            "  {what}: {:.0} B in {:.1} blocks ({} transactions alive)",
            p.bytes_per_conn, p.blocks_per_conn, p.transactions
        );
    }
    println!(
        "endpoint allocations per message: burst {:.1}, keep-alive {:.1}",
        heap.burst_allocs_per_msg, heap.keepalive_allocs_per_msg
    );

    let mut cr = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10))
        .sample_size(10)
        .configure_from_args();
    let burst = RefCell::new(Vec::new());
    let keepalive = RefCell::new(Vec::new());
    {
        let mut group = cr.benchmark_group("endpoint");
        group.sampling_mode(SamplingMode::Flat);
        group.throughput(Throughput::Elements(BURST_MESSAGES));
        group.bench_function("register_burst", |b| {
            b.iter_custom(|iters| {
                let mut endpoint = Duration::ZERO;
                for _ in 0..iters {
                    let s = burst_once();
                    endpoint += s.endpoint;
                    burst.borrow_mut().push(s);
                }
                endpoint
            })
        });
        group.throughput(Throughput::Elements(KEEPALIVE_MESSAGES));
        let mut state = None;
        group.bench_function("keepalive", |b| {
            b.iter_custom(|iters| {
                let mut endpoint = Duration::ZERO;
                for _ in 0..iters {
                    let s = keepalive_once(&mut state);
                    endpoint += s.endpoint;
                    keepalive.borrow_mut().push(s);
                }
                endpoint
            })
        });
        group.finish();
    }
    cr.final_summary();

    let (burst, keepalive) = (burst.into_inner(), keepalive.into_inner());
    // Only a real benchmark run (`cargo bench`, not `-- --test`, not
    // `cargo test`) leaves figures for report.py.
    let args: Vec<String> = std::env::args().collect();
    let record = args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test");
    let dir = criterion_dir().join("endpoint");
    let rows: Vec<String> = heap
        .rows()
        .iter()
        .map(|(what, p)| format!("\"{what}\": {}", point_json(p)))
        .collect();
    let heap_json = format!(
        "{{\"connections\": {CONNECTIONS}, {}, \"burst_allocs_per_msg\": {:.2}, \
         \"keepalive_allocs_per_msg\": {:.2}}}\n",
        rows.join(", "),
        heap.burst_allocs_per_msg,
        heap.keepalive_allocs_per_msg,
    );
    if record {
        write_summary(&dir.join("heap.json"), &heap_json);
    }
    for (name, samples) in [("register_burst", &burst), ("keepalive", &keepalive)] {
        if samples.is_empty() {
            continue;
        }
        let s = summarize(samples);
        println!(
            "{name}: {} iterations; medians: endpoint alone {:.0} msg/s \
             (by CPU time {:.0}), endpoint + registrar {:.0} msg/s",
            s.samples, s.endpoint, s.endpoint_cpu, s.with_registrar
        );
        if record {
            write_summary(&dir.join(name).join("summary.json"), &summary_json(&s));
        }
    }
}

/// Writes one of the bench's own result files beside criterion's.
fn write_summary(path: &Path, json: &str) {
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(path, format!("{}\n", json.trim_end())));
    match written {
        Ok(()) => println!("written: {}", path.display()),
        Err(e) => eprintln!("cannot write {}: {e}", path.display()),
    }
}
