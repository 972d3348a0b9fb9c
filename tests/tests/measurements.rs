//! Measurements of failure detection and recovery with the default
//! settings, over many seeds (see `tests/MEASUREMENTS.md`).
//!
//! Each case runs [`SEEDS`] simulations. Run `i` lets the endpoint settle
//! into keep-alives and then waits `i/SEEDS` of a keep-alive interval more
//! before the fault, so the failure lands at every point of the keep-alive
//! cycle (in 100 ms steps with the default 5 s interval); the seed also
//! varies the endpoint's RNG (back-off jitter). For recovery, the outage
//! also varies by up to half a probe period either side of its nominal
//! length (30 s ± 2 s, ...), in a second sweep decorrelated from the
//! first, so the return lands at every point of the recovery-probe cycle
//! too (a reset stream flow is noticed at once, which anchors that cycle
//! to the fault, so the fault's phase alone would not move it). The
//! distribution of the times (min, median, max) is printed as a markdown
//! table (run with `--nocapture`), and the bounds of the issue are
//! asserted for every run:
//!
//! - a dead site is reported Unavailable within 10 s on UDP, stopped
//!   (ICMP port unreachable) or cut off (silence); the same 10 s is
//!   asserted for a cut-off TCP or TLS site (DESIGN §4: 9 s);
//! - within 2 s when a TCP or TLS connection drops (the site stops and
//!   resets its flows);
//! - a site back after an outage of 30 s, 1, 2 or 5 minutes is Available
//!   again within 5 s of its return (stop/start and cut/restore, on UDP,
//!   TCP and TLS).
//!
//! A run that breaks a bound is reported with its seed, phase and status
//! log, after every run has been measured and the tables printed.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use geosip_core::connection::ConnectionConfig;
use geosip_core::event::ConnectionStatus;
use geosip_core::io::TransportKind;
use geosip_sim::scenario::{
    is_available, status_log, statuses_since, two_sites, until_both_available, TwoSites,
};
use geosip_sim::{Sim, SiteId};

/// Runs per case.
const SEEDS: u64 = 50;

/// How long a run waits for the status change before it gives up (the
/// measurement is then missing, which counts as a violation).
const GIVE_UP: Duration = Duration::from_secs(60);

/// A dead site is reported within this on UDP (and, cut off, on TCP/TLS).
const DEAD_BOUND: Duration = Duration::from_secs(10);
/// A dropped TCP or TLS connection is reported within this.
const RESET_BOUND: Duration = Duration::from_secs(2);
/// A returning site is Available again within this of its return.
const RETURN_BOUND: Duration = Duration::from_secs(5);

/// The outages after which recovery is measured.
const OUTAGES: [Duration; 4] = [
    Duration::from_secs(30),
    Duration::from_secs(60),
    Duration::from_secs(120),
    Duration::from_secs(300),
];

const TRANSPORTS: [TransportKind; 3] = [TransportKind::Udp, TransportKind::Tcp, TransportKind::Tls];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Outage {
    /// The service stops (ports closed, flows reset) and later restarts.
    Stop,
    /// The site is cut off (silence both ways) and later restored.
    Cut,
}

impl Outage {
    fn begin(self, sim: &mut Sim, site: SiteId) {
        match self {
            Outage::Stop => sim.stop_site(site),
            Outage::Cut => sim.cut_site(site),
        }
    }

    fn end(self, sim: &mut Sim, site: SiteId) {
        match self {
            Outage::Stop => sim.start_site(site),
            Outage::Cut => sim.restore_site(site),
        }
    }

    /// What the fault looks like to the endpoint.
    fn describe(self, transport: TransportKind) -> &'static str {
        match (self, transport) {
            (Outage::Stop, TransportKind::Udp) => "stopped (ICMP refused)",
            (Outage::Stop, _) => "connection reset",
            (Outage::Cut, _) => "cut off (silent)",
        }
    }

    fn describe_return(self) -> &'static str {
        match self {
            Outage::Stop => "stop / start",
            Outage::Cut => "cut / restore",
        }
    }
}

/// What a case measures.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Measure {
    /// From the fault to the Unavailable report.
    Detect,
    /// From the site's return after this outage to the Available report.
    Recover(Duration),
}

#[derive(Debug, Clone, Copy)]
struct Case {
    transport: TransportKind,
    outage: Outage,
    measure: Measure,
    bound: Duration,
    /// Run `i` uses seed `seed_base + i`.
    seed_base: u64,
}

/// One run's outcome.
#[derive(Debug, Clone)]
struct Run {
    seed: u64,
    /// How far into the keep-alive cycle the fault came (after settling).
    phase: Duration,
    /// How long the site was down, for recovery runs.
    down: Option<Duration>,
    /// The measured time, if the status change came within [`GIVE_UP`].
    time: Option<Duration>,
    /// The reason of the status change.
    reason: Option<String>,
    /// What went wrong, if anything; with the status log.
    violation: Option<String>,
}

/// The defaults the bounds are made of.
fn defaults() -> ConnectionConfig {
    ConnectionConfig::new("x", "h", TransportKind::Udp)
}

/// The fault's phase in the keep-alive cycle for run `i`.
fn phase(i: u64) -> Duration {
    defaults().keepalive_interval * u32::try_from(i).unwrap() / u32::try_from(SEEDS).unwrap()
}

/// The actual outage of run `i` for a nominal outage: `nominal` plus an
/// offset in `[-p/2, p/2)` for the probe period `p`, swept in steps of
/// `p/SEEDS` in an order (`i·17 mod SEEDS`) unrelated to [`phase`].
fn outage_for(nominal: Duration, i: u64) -> Duration {
    let p = defaults().probe_timeout;
    let step = u32::try_from((i * 17) % SEEDS).unwrap();
    nominal - p / 2 + p * step / u32::try_from(SEEDS).unwrap()
}

/// Two sites registered over `transport`, settled into keep-alives, then
/// `phase` more.
fn registered(seed: u64, transport: TransportKind, phase: Duration) -> (Sim, TwoSites) {
    let mut sim = Sim::new(seed);
    let s = two_sites(&mut sim, transport);
    until_both_available(&mut sim, &s, Duration::from_secs(5));
    sim.run_for(Duration::from_secs(12) + phase);
    (sim, s)
}

fn run_case(case: &Case, i: u64) -> Run {
    let seed = case.seed_base + i;
    let phase = phase(i);
    let (mut sim, s) = registered(seed, case.transport, phase);
    let (site, conn) = (s.sites[0], s.conns[0]);
    let mut run = Run {
        seed,
        phase,
        down: None,
        time: None,
        reason: None,
        violation: None,
    };
    let mut problems = Vec::new();
    let fault_at = sim.now();
    case.outage.begin(&mut sim, site);
    let (from, wanted) = match case.measure {
        Measure::Detect => (fault_at, ConnectionStatus::Unavailable),
        Measure::Recover(nominal) => {
            let outage = outage_for(nominal, i);
            run.down = Some(outage);
            sim.run_for(outage);
            if is_available(&sim, conn) {
                problems.push(format!("still Available after the {outage:?} outage"));
            }
            case.outage.end(&mut sim, site);
            (sim.now(), ConnectionStatus::Available)
        }
    };
    let found = |sim: &Sim| {
        statuses_since(sim, conn, from)
            .into_iter()
            .find(|e| e.status == wanted)
    };
    sim.run_until(|sim| found(sim).is_some(), GIVE_UP);
    match found(&sim) {
        Some(e) => {
            let t = e.at - from;
            run.time = Some(t);
            run.reason = Some(e.reason.to_string());
            if t > case.bound {
                problems.push(format!("{wanted} after {t:?}, bound {:?}", case.bound));
            }
        }
        None => problems.push(format!("not {wanted} within {GIVE_UP:?}")),
    }
    if case.measure == Measure::Detect {
        let before: Vec<_> = statuses_since(&sim, conn, fault_at)
            .into_iter()
            .take_while(|e| e.status != wanted)
            .map(|e| e.status.to_string())
            .collect();
        if !before.is_empty() {
            problems.push(format!("reported {before:?} before {wanted}"));
        }
    }
    if !statuses_since(&sim, s.conns[1], fault_at).is_empty() {
        problems.push("the other connection changed status".to_owned());
    }
    if !problems.is_empty() {
        run.violation = Some(format!(
            "{} seed {seed}, fault at phase {phase:?} of the keep-alive cycle \
             (virtual {:?}){}: {}\n{}",
            label(case),
            sim.clock().offset(fault_at),
            run.down
                .map(|d| format!(", down for {d:?}"))
                .unwrap_or_default(),
            problems.join("; "),
            status_log(&sim)
        ));
    }
    run
}

fn label(case: &Case) -> String {
    match case.measure {
        Measure::Detect => format!(
            "detect {} {}",
            case.transport,
            case.outage.describe(case.transport)
        ),
        Measure::Recover(o) => format!(
            "recover {} {} after {}",
            case.transport,
            case.outage.describe_return(),
            outage_name(o)
        ),
    }
}

fn outage_name(d: Duration) -> String {
    let s = d.as_secs();
    let half = defaults().probe_timeout.as_secs() / 2;
    if s % 60 == 0 {
        format!("{} min ± {half} s", s / 60)
    } else {
        format!("{s} s ± {half} s")
    }
}

/// Runs every case's [`SEEDS`] runs on all cores; results in case order.
fn run_all(cases: &[Case]) -> Vec<Vec<Run>> {
    let jobs: Vec<(usize, u64)> = (0..cases.len())
        .flat_map(|c| (0..SEEDS).map(move |i| (c, i)))
        .collect();
    let next = AtomicUsize::new(0);
    let done = Mutex::new(Vec::with_capacity(jobs.len()));
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let j = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(c, i)) = jobs.get(j) else { break };
                let run = run_case(&cases[c], i);
                done.lock().unwrap().push((c, i, run));
            });
        }
    });
    let mut done = done.into_inner().unwrap();
    done.sort_by_key(|&(c, i, _)| (c, i));
    let mut out = vec![Vec::new(); cases.len()];
    for (c, _, run) in done {
        out[c].push(run);
    }
    out
}

fn secs(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

/// The slowest run, as `seed N (...)`.
fn slowest(runs: &[Run]) -> String {
    let Some(r) = runs.iter().max_by_key(|r| r.time.unwrap_or(Duration::MAX)) else {
        return "-".into();
    };
    match r.down {
        Some(d) => format!(
            "seed {} (phase {}, down {})",
            r.seed,
            secs(r.phase),
            secs(d)
        ),
        None => format!("seed {} (phase {})", r.seed, secs(r.phase)),
    }
}

/// min, median, max.
fn spread(runs: &[Run]) -> Option<(Duration, Duration, Duration)> {
    let mut t: Vec<Duration> = runs.iter().filter_map(|r| r.time).collect();
    if t.is_empty() {
        return None;
    }
    t.sort();
    let n = t.len();
    let median = if n % 2 == 0 {
        (t[n / 2 - 1] + t[n / 2]) / 2
    } else {
        t[n / 2]
    };
    Some((t[0], median, t[n - 1]))
}

/// The markdown table; one row per case.
fn table(cases: &[Case], results: &[Vec<Run>]) -> String {
    let mut out = String::new();
    let first = match cases[0].measure {
        Measure::Detect => "| transport | fault | ",
        Measure::Recover(_) => "| transport | outage | down for | ",
    };
    let cols = first.matches('|').count() - 1;
    writeln!(
        out,
        "{first}runs | min (s) | median (s) | max (s) | bound (s) | within bound | reported as | slowest run |"
    )
    .unwrap();
    writeln!(out, "{}", "|---".repeat(cols + 8) + "|").unwrap();
    for (case, runs) in cases.iter().zip(results) {
        let lead = match case.measure {
            Measure::Detect => format!(
                "| {} | {} | ",
                case.transport,
                case.outage.describe(case.transport)
            ),
            Measure::Recover(o) => format!(
                "| {} | {} | {} | ",
                case.transport,
                case.outage.describe_return(),
                outage_name(o)
            ),
        };
        let (min, med, max) = match spread(runs) {
            Some((a, b, c)) => (secs(a), secs(b), secs(c)),
            None => ("-".into(), "-".into(), "-".into()),
        };
        let ok = runs.iter().filter(|r| r.violation.is_none()).count();
        let mut reasons: Vec<String> = runs.iter().filter_map(|r| r.reason.clone()).collect();
        reasons.sort();
        reasons.dedup();
        writeln!(
            out,
            "{lead}{} | {min} | {med} | {max} | {} | {ok}/{} | {} | {} |",
            runs.len(),
            secs(case.bound),
            runs.len(),
            reasons.join(", "),
            slowest(runs)
        )
        .unwrap();
    }
    out
}

/// Runs the cases, prints the table, and fails listing every violation.
fn measure_and_check(title: &str, cases: &[Case]) {
    let results = run_all(cases);
    let d = defaults();
    println!(
        "\n### {title}\n\nDefaults: keep-alive interval {:?}, probe timeout {:?}; \
         {SEEDS} seeds per case, the fault swept over the keep-alive cycle.\n\n{}",
        d.keepalive_interval,
        d.probe_timeout,
        table(cases, &results)
    );
    let violations: Vec<&String> = results
        .iter()
        .flatten()
        .filter_map(|r| r.violation.as_ref())
        .collect();
    assert!(
        violations.is_empty(),
        "{} of {} runs broke a bound:\n\n{}",
        violations.len(),
        results.iter().map(Vec::len).sum::<usize>(),
        violations
            .iter()
            .map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn dead_site_is_reported_unavailable_in_time() {
    let mut cases = Vec::new();
    for (t, transport) in TRANSPORTS.into_iter().enumerate() {
        for (k, outage) in [Outage::Stop, Outage::Cut].into_iter().enumerate() {
            let bound = match (transport, outage) {
                (TransportKind::Udp, _) | (_, Outage::Cut) => DEAD_BOUND,
                (_, Outage::Stop) => RESET_BOUND,
            };
            cases.push(Case {
                transport,
                outage,
                measure: Measure::Detect,
                bound,
                seed_base: 10_000 + (t as u64 * 2 + k as u64) * 100,
            });
        }
    }
    measure_and_check("Dead site reported Unavailable", &cases);
}

#[test]
fn returning_site_is_available_again_in_time() {
    let mut cases = Vec::new();
    for (t, transport) in TRANSPORTS.into_iter().enumerate() {
        for (k, outage) in [Outage::Stop, Outage::Cut].into_iter().enumerate() {
            for (o, down) in OUTAGES.into_iter().enumerate() {
                cases.push(Case {
                    transport,
                    outage,
                    measure: Measure::Recover(down),
                    bound: RETURN_BOUND,
                    seed_base: 20_000 + ((t * 2 + k) * OUTAGES.len() + o) as u64 * 100,
                });
            }
        }
    }
    measure_and_check("Returning site Available again", &cases);
}
