//! Fault schedules: what happens to the world and when, drawn from one
//! seed.

use std::fmt::Write as _;
use std::time::Duration;

use geosip_core::io::TransportKind;
use rand_chacha::rand_core::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::harness::derive_seed;

/// One thing that happens to the world.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaultAction {
    /// Stop site `i`'s service.
    Stop(usize),
    /// Start it again (a restart).
    Start(usize),
    /// Cut site `i` off.
    Cut(usize),
    /// End the cut.
    Restore(usize),
    /// Set the loss on every link.
    Loss(f64),
    /// Remove connection `i`.
    Remove(usize),
    /// Add connection `i` again after a removal.
    Add(usize),
    /// Disable connection `i`.
    Disable(usize),
    /// Enable it again.
    Enable(usize),
}

/// A fault at a time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaultStep {
    /// Offset from the start of the run.
    pub at: Duration,
    /// What happens.
    pub action: FaultAction,
}

/// Something the application or a site does with calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallAction {
    /// The application dials `2000` from connection `i`.
    Dial(usize),
    /// Site `i` calls its user on the endpoint, asking for auto-answer.
    SiteCall(usize),
    /// The application holds its first established call, or retrieves it
    /// if it holds it.
    ToggleHold,
    /// The application hangs up its oldest call.
    Hangup,
}

/// A call action at a time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallStep {
    /// Offset from the start of the run.
    pub at: Duration,
    /// What happens.
    pub action: CallAction,
}

/// A whole run: sites and connections, then faults, then a quiet tail.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultSchedule {
    /// The seed it came from; also the simulator's seed.
    pub seed: u64,
    /// The transport of connection `i` (on site `i`).
    pub transports: Vec<TransportKind>,
    /// The faults, in time order.
    pub steps: Vec<FaultStep>,
    /// The call actions, in time order (drawn from a stream of their own,
    /// so that the faults of a seed are what they were before calls).
    pub calls: Vec<CallStep>,
    /// How long the run lasts.
    pub duration: Duration,
}

/// What each site and connection is doing, as the schedule unfolds.
#[derive(Debug, Clone, Copy)]
pub(super) struct World {
    pub(super) running: bool,
    pub(super) cut: bool,
    pub(super) present: bool,
    pub(super) enabled: bool,
}

impl Default for World {
    /// Running, reachable, added and enabled: how every run starts.
    fn default() -> Self {
        World {
            running: true,
            cut: false,
            present: true,
            enabled: true,
        }
    }
}

impl FaultSchedule {
    /// The schedule for a seed: 2 or 3 connections, 3 to 12 faults in the
    /// first 8 minutes, then 2 minutes of quiet.
    pub fn generate(seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(derive_seed(seed, 7));
        let n = 2 + (rng.next_u32() % 2) as usize;
        let transports = (0..n)
            .map(|_| match rng.next_u32() % 3 {
                0 => TransportKind::Udp,
                1 => TransportKind::Tcp,
                _ => TransportKind::Tls,
            })
            .collect();
        let mut world = vec![World::default(); n];
        let count = 3 + rng.next_u32() % 10;
        let mut times: Vec<u64> = (0..count)
            .map(|_| u64::from(rng.next_u32() % 480_000))
            .collect();
        times.sort_unstable();
        let mut steps = Vec::with_capacity(times.len());
        for ms in times {
            let i = (rng.next_u32() as usize) % n;
            let action = next_action(&mut world[i], i, &mut rng);
            steps.push(FaultStep {
                at: Duration::from_millis(ms),
                action,
            });
        }
        let calls = call_steps(seed, n);
        FaultSchedule {
            seed,
            transports,
            steps,
            calls,
            duration: Duration::from_secs(600),
        }
    }

    /// The schedule, one step a line, for failure messages.
    pub fn describe(&self) -> String {
        let mut s = format!("seed {} transports {:?}\n", self.seed, self.transports);
        for st in &self.steps {
            let _ = writeln!(s, "  {:>8.3}s {:?}", st.at.as_secs_f64(), st.action);
        }
        for st in &self.calls {
            let _ = writeln!(s, "  {:>8.3}s {:?}", st.at.as_secs_f64(), st.action);
        }
        s
    }
}

/// 2 to 9 call actions in the first 8 minutes, for `n` connections.
fn call_steps(seed: u64, n: usize) -> Vec<CallStep> {
    let mut rng = ChaCha8Rng::seed_from_u64(derive_seed(seed, 8));
    let count = 2 + rng.next_u32() % 8;
    let mut times: Vec<u64> = (0..count)
        .map(|_| 5_000 + u64::from(rng.next_u32() % 475_000))
        .collect();
    times.sort_unstable();
    times
        .into_iter()
        .map(|ms| {
            let i = (rng.next_u32() as usize) % n;
            let action = match rng.next_u32() % 6 {
                0 | 1 => CallAction::Dial(i),
                2 => CallAction::SiteCall(i),
                3 | 4 => CallAction::ToggleHold,
                _ => CallAction::Hangup,
            };
            CallStep {
                at: Duration::from_millis(ms),
                action,
            }
        })
        .collect()
}

/// A fault that makes sense for site and connection `i` in state `w`.
fn next_action(w: &mut World, i: usize, rng: &mut ChaCha8Rng) -> FaultAction {
    match rng.next_u32() % 6 {
        0 | 1 if w.running => {
            w.running = false;
            FaultAction::Stop(i)
        }
        0 | 1 => {
            w.running = true;
            FaultAction::Start(i)
        }
        2 if w.cut => {
            w.cut = false;
            FaultAction::Restore(i)
        }
        2 => {
            w.cut = true;
            FaultAction::Cut(i)
        }
        3 => FaultAction::Loss([0.0, 0.0, 0.01, 0.05][(rng.next_u32() % 4) as usize]),
        4 if w.present => {
            w.present = false;
            FaultAction::Remove(i)
        }
        _ if !w.present => {
            w.present = true;
            w.enabled = true;
            FaultAction::Add(i)
        }
        _ if w.enabled => {
            w.enabled = false;
            FaultAction::Disable(i)
        }
        _ => {
            w.enabled = true;
            FaultAction::Enable(i)
        }
    }
}
