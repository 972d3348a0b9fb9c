//! Random fault schedules and the truth they are checked against
//! (DESIGN §5): outages, cut-offs, restarts, loss levels and the
//! application's add/remove/disable/enable, all drawn from one `u64` seed
//! so that a failing case is replayed from its seed alone.
//!
//! Each connection has a site of its own, so "traffic to a removed
//! connection's site" is well defined. The invariants checked once per
//! virtual second:
//! - status matches the truth within the bounds: a site up and reachable
//!   for more than [`UP_BOUND`] (with no loss in that time) ⇒ Available;
//!   down for more than [`DOWN_BOUND`] ⇒ not Available;
//! - nothing is sent to the site of a removed or disabled connection more
//!   than [`QUIET_BOUND`] after the command;
//! - the endpoint's transactions and the simulator's state stay bounded;
//! - the endpoint never misuses the network (see
//!   [`Network::misuse`](crate::net::Network::misuse));
//! - every call the application dials or the site places is, within
//!   [`CALL_BOUND`], established or Disconnected (with its reason), never
//!   stuck Dialing or Ringing; and calls stay bounded.

mod schedule;

use schedule::World;
pub use schedule::{CallAction, CallStep, FaultAction, FaultSchedule, FaultStep};

use std::fmt::Write as _;
use std::time::Duration;

use geosip_core::connection::ConnectionId;
use geosip_core::event::ConnectionStatus;
use geosip_core::io::TransportKind;

use crate::harness::Sim;
use crate::net::LinkConfig;
use crate::site::{SiteConfig, SiteId};

/// Up this long (and no loss) ⇒ the connection must be Available.
pub const UP_BOUND: Duration = Duration::from_secs(5);
/// Down this long ⇒ the connection must not be Available.
pub const DOWN_BOUND: Duration = Duration::from_secs(10);
/// This long after remove or disable, no more traffic to the site.
pub const QUIET_BOUND: Duration = Duration::from_secs(10);
/// The bound on the endpoint's live transactions.
pub const MAX_TRANSACTIONS: usize = 64;
/// A call is established or over this long after it began: Timer B
/// (32 s), one move to another site, and its ring.
pub const CALL_BOUND: Duration = Duration::from_secs(75);

/// The password every user has on every site.
pub const PASSWORD: &str = "secret";

/// Builds the simulator for a schedule: site `i` with user `100i`, and
/// connection `i` of that user on it, added at the start.
pub fn build(schedule: &FaultSchedule) -> Sim {
    let mut sim = Sim::new(schedule.seed);
    for (i, &transport) in schedule.transports.iter().enumerate() {
        let user = format!("100{i}");
        let site = sim.add_site(SiteConfig::new(format!("site{i}.example")).user(&user, PASSWORD));
        let cfg = sim.connection_config(site, &user, transport);
        sim.add_connection(ConnectionId(i as u32), cfg)
            .expect("add connection");
    }
    sim
}

/// The truth over time, for the checks.
#[derive(Debug, Clone, Copy)]
struct Truth {
    world: World,
    /// When the site last became reachable or unreachable.
    site_since: Duration,
    /// When the connection was last added, enabled, removed or disabled.
    conn_since: Duration,
}

impl Truth {
    fn site_up(&self) -> bool {
        self.world.running && !self.world.cut
    }
}

/// Runs a schedule and checks the invariants; the error says what broke,
/// when, and the whole schedule with its seed. On success the finished
/// simulator is handed back for a look at what happened.
pub fn run(schedule: &FaultSchedule) -> Result<Sim, String> {
    let mut sim = build(schedule);
    let n = schedule.transports.len();
    let mut truth = vec![
        Truth {
            world: World::default(),
            site_since: Duration::ZERO,
            conn_since: Duration::ZERO,
        };
        n
    ];
    let mut lossless_since = Some(Duration::ZERO);
    let mut steps = schedule.steps.iter().peekable();
    let mut calls = schedule.calls.iter().peekable();
    let mut t = Duration::ZERO;
    let fail = |sim: &Sim, what: String| Err(report(sim, schedule, &what));
    while t < schedule.duration {
        t += Duration::from_secs(1);
        while let Some(step) = steps.next_if(|s| s.at <= t) {
            sim.run_to(step.at);
            if let Err(e) = apply(
                &mut sim,
                &schedule.transports,
                step,
                &mut truth,
                &mut lossless_since,
            ) {
                return fail(&sim, e);
            }
        }
        while let Some(step) = calls.next_if(|s| s.at <= t) {
            sim.run_to(step.at);
            call(&mut sim, step.action);
        }
        sim.run_to(t);
        if let Err(what) = check(&sim, t, &truth, lossless_since) {
            return fail(&sim, what);
        }
    }
    Ok(sim)
}

/// A failure report: what broke, the schedule, the status changes and the
/// last 20 s of traffic (first lines only; `GEOSIP_SIM_REPORT_SECS` sets
/// another window).
fn report(sim: &Sim, schedule: &FaultSchedule, what: &str) -> String {
    let now = sim.elapsed();
    let mut msg = format!(
        "at {:.3}s: {what}\n{}",
        now.as_secs_f64(),
        schedule.describe()
    );
    msg.push_str("status changes:\n");
    for s in sim.events().iter().filter_map(|e| e.status()) {
        let _ = writeln!(
            msg,
            "  {:>8.3}s conn {} {} ({})",
            s.offset.as_secs_f64(),
            s.id,
            s.status,
            s.reason
        );
    }
    msg.push_str("call events:\n");
    for r in sim.events() {
        if let geosip_core::event::Event::SessionStatusChanged {
            session,
            connection,
            status,
            reason,
            ..
        } = &r.event
        {
            let _ = writeln!(
                msg,
                "  {:>8.3}s call {session} conn {connection} {status} ({reason})",
                r.offset.as_secs_f64()
            );
        }
    }
    let window = std::env::var("GEOSIP_SIM_REPORT_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let _ = writeln!(msg, "traffic in the last {window} s:");
    let from = now.saturating_sub(Duration::from_secs(window));
    for r in sim.traffic().iter().filter(|r| r.offset >= from) {
        let first = r.data.split(|&b| b == b'\r').next().unwrap_or_default();
        let _ = writeln!(
            msg,
            "  {:>8.3}s {:?} {} -> {} {}",
            r.offset.as_secs_f64(),
            r.kind,
            r.transport,
            r.remote,
            String::from_utf8_lossy(first)
        );
    }
    let _ = writeln!(msg, "received in the last {window} s:");
    for r in sim.inbound().iter().filter(|r| r.offset >= from) {
        let mut line = format!("{:?}", r.input);
        line.truncate(160);
        let _ = writeln!(msg, "  {:>8.3}s {line}", r.offset.as_secs_f64());
    }
    msg
}

fn apply(
    sim: &mut Sim,
    transports: &[TransportKind],
    step: &FaultStep,
    truth: &mut [Truth],
    lossless_since: &mut Option<Duration>,
) -> Result<(), String> {
    let at = step.at;
    let id = |i: usize| ConnectionId(i as u32);
    let site_change = |t: &mut Truth, f: &dyn Fn(&mut World)| {
        let was = t.site_up();
        f(&mut t.world);
        if t.site_up() != was {
            t.site_since = at;
        }
    };
    match step.action {
        FaultAction::Stop(i) => {
            sim.stop_site(SiteId(i));
            site_change(&mut truth[i], &|w| w.running = false);
        }
        FaultAction::Start(i) => {
            sim.start_site(SiteId(i));
            site_change(&mut truth[i], &|w| w.running = true);
            // A restart loses the binding: count from here.
            truth[i].site_since = at;
        }
        FaultAction::Cut(i) => {
            sim.cut_site(SiteId(i));
            site_change(&mut truth[i], &|w| w.cut = true);
        }
        FaultAction::Restore(i) => {
            sim.restore_site(SiteId(i));
            site_change(&mut truth[i], &|w| w.cut = false);
        }
        FaultAction::Loss(loss) => {
            let link = LinkConfig {
                loss,
                ..LinkConfig::default()
            };
            sim.net_mut().set_all_links(link);
            *lossless_since = match (loss == 0.0, *lossless_since) {
                (true, Some(s)) => Some(s),
                (true, None) => Some(at),
                (false, _) => None,
            };
        }
        FaultAction::Remove(i) => {
            sim.remove_connection(id(i)).map_err(|e| e.to_string())?;
            truth[i].world.present = false;
            truth[i].conn_since = at;
        }
        FaultAction::Add(i) => {
            let cfg = sim.connection_config(SiteId(i), &format!("100{i}"), transports[i]);
            sim.add_connection(id(i), cfg).map_err(|e| e.to_string())?;
            truth[i].world.present = true;
            truth[i].world.enabled = true;
            truth[i].conn_since = at;
        }
        FaultAction::Disable(i) => {
            sim.disable_connection(id(i)).map_err(|e| e.to_string())?;
            truth[i].world.enabled = false;
            truth[i].conn_since = at;
        }
        FaultAction::Enable(i) => {
            sim.enable_connection(id(i)).map_err(|e| e.to_string())?;
            truth[i].world.enabled = true;
            truth[i].conn_since = at;
        }
    }
    Ok(())
}

/// Does a call action; refusals (no such call, wrong state, nobody
/// registered at the site) are part of the game.
fn call(sim: &mut Sim, action: CallAction) {
    use geosip_core::session::SessionStatus as S;
    match action {
        CallAction::Dial(i) => {
            let _ = sim.command(|ep, now| ep.dial(now, ConnectionId(i as u32), "2000"));
        }
        CallAction::SiteCall(i) => {
            let opts = crate::site::SiteCallOptions {
                answer_after: Some(0),
                ..Default::default()
            };
            let user = format!("100{i}");
            let _ = sim.site_command(SiteId(i), |site, now| site.call_user(now, &user, opts));
        }
        CallAction::ToggleHold => {
            let up = sim
                .endpoint()
                .sessions()
                .into_iter()
                .find(|s| matches!(s.status, S::Connected | S::Held | S::RemoteHeld));
            if let Some(s) = up {
                let _ = sim.command(|ep, now| match s.status {
                    S::Held => ep.retrieve(now, s.id),
                    _ => ep.hold(now, s.id),
                });
            }
        }
        CallAction::Hangup => {
            if let Some(s) = sim.endpoint().sessions().first().cloned() {
                let _ = sim.command(|ep, now| ep.hangup(now, s.id));
            }
        }
    }
}

/// Calls stuck Dialing or Ringing longer than [`CALL_BOUND`].
fn check_calls(sim: &Sim, t: Duration) -> Result<(), String> {
    use geosip_core::event::Event;
    use geosip_core::session::SessionStatus as S;
    let sessions = sim.endpoint().sessions();
    if sessions.len() > 64 {
        return Err(format!("{} calls alive", sessions.len()));
    }
    for s in sessions {
        if !matches!(s.status, S::Dialing | S::Ringing) {
            continue;
        }
        let began = sim.events().iter().find_map(|r| match &r.event {
            Event::SessionStatusChanged { session, .. } | Event::IncomingCall { session, .. }
                if *session == s.id =>
            {
                Some(r.offset)
            }
            _ => None,
        });
        if let Some(b) = began.filter(|b| t.saturating_sub(*b) > CALL_BOUND) {
            return Err(format!(
                "call {} on connection {} still {} {:?} after it began",
                s.id,
                s.connection,
                s.status,
                t - b
            ));
        }
    }
    Ok(())
}

fn check(
    sim: &Sim,
    t: Duration,
    truth: &[Truth],
    lossless_since: Option<Duration>,
) -> Result<(), String> {
    for (i, tr) in truth.iter().enumerate() {
        let id = ConnectionId(i as u32);
        let status = sim.status_of(id);
        let active = tr.world.present && tr.world.enabled;
        if active && tr.site_up() {
            if let Some(lossless) = lossless_since {
                let since = tr.site_since.max(tr.conn_since).max(lossless);
                if t.saturating_sub(since) > UP_BOUND && status != Some(ConnectionStatus::Available)
                {
                    return Err(format!(
                        "connection {i}: site up since {since:?} but status {status:?}"
                    ));
                }
            }
        }
        if active && !tr.site_up() {
            let since = tr.site_since.max(tr.conn_since);
            if t.saturating_sub(since) > DOWN_BOUND && status == Some(ConnectionStatus::Available) {
                return Err(format!(
                    "connection {i}: site down since {since:?} but Available"
                ));
            }
        }
        if !active {
            let quiet_from = sim.clock().at(tr.conn_since + QUIET_BOUND);
            // Answers to what the site itself sends (it may still call a
            // user it thinks is registered) are not the endpoint's doing.
            let ours =
                |r: &&crate::record::TrafficRecord| r.message().is_none_or(|m| m.is_request());
            if let Some(r) = sim
                .traffic_to(SiteId(i))
                .filter(ours)
                .find(|r| r.at > quiet_from)
            {
                return Err(format!(
                    "connection {i} removed or disabled at {:?}, but traffic to its site: {}",
                    tr.conn_since,
                    r.line()
                ));
            }
        }
    }
    let m = sim.memory();
    let tx = m.agent_transactions.unwrap_or(0);
    if tx > MAX_TRANSACTIONS || m.in_flight > 1000 || m.flows > 32 || m.site_flows > 32 {
        return Err(format!("memory grows: {m:?}"));
    }
    if m.site_transactions > 2000 || m.site_nonces > 5000 {
        return Err(format!("site memory grows: {m:?}"));
    }
    if let Some(bad) = sim.net().misuse().first() {
        return Err(format!("network misuse: {bad}"));
    }
    check_calls(sim, t)
}
