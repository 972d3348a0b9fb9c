//! Time for the transaction layer: the retransmit timer that Timers A, E
//! and G share (RFC 3261 §17.1.1.2, §17.1.2.2, §17.2.1), and the one heap
//! of deadlines that the whole table sleeps on.
//!
//! Each transaction keeps its own named timers and reports the earliest
//! as its deadline. The table keeps one heap entry per transaction,
//! `(deadline, id, generation)`, and cancels lazily: rescheduling a
//! transaction bumps its generation and pushes a new entry, and an entry
//! whose generation no longer matches (or whose transaction is gone) is
//! stale and skipped when it surfaces. The heap stays bounded because
//! stale entries are popped whenever they reach the top, and the whole
//! heap is filtered as soon as it holds more than
//! [`COMPACT_SLACK`] + twice the live transactions; since a live
//! transaction has at most one valid entry, filtering leaves at most one
//! entry per transaction.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

use super::event::TxId;

/// Stale entries tolerated beyond twice the live transactions before the
/// heap is filtered.
pub(crate) const COMPACT_SLACK: usize = 16;

/// The shortest step a retransmit timer takes, so that a zero T1 cannot
/// spin.
const MIN_STEP: Duration = Duration::from_millis(1);

/// `now + d`, or `None` when that is beyond what `Instant` can hold (the
/// timer then never fires).
pub(crate) fn after(now: Instant, d: Duration) -> Option<Instant> {
    now.checked_add(d)
}

/// Whether an optional deadline is due at `now`.
pub(crate) fn due(at: Option<Instant>, now: Instant) -> bool {
    at.is_some_and(|at| at <= now)
}

/// The earliest of some optional deadlines.
pub(crate) fn earliest<const N: usize>(deadlines: [Option<Instant>; N]) -> Option<Instant> {
    deadlines.into_iter().flatten().min()
}

/// A retransmit timer whose interval doubles up to a cap: Timer A (no
/// cap), E and G (cap T2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// When it fires next.
    pub at: Instant,
    interval: Duration,
    cap: Option<Duration>,
}

impl Backoff {
    /// Armed to fire `first` after `now`; `None` if that overflows.
    pub fn start(now: Instant, first: Duration, cap: Option<Duration>) -> Option<Self> {
        let interval = first.max(MIN_STEP);
        Some(Backoff {
            at: after(now, interval)?,
            interval,
            cap,
        })
    }

    /// Fixes the interval from the next firing on (Timer E in Proceeding
    /// is "reset with a value of T2", RFC 3261 §17.1.2.2).
    pub fn pin(&mut self, interval: Duration) {
        self.interval = interval.max(MIN_STEP);
        self.cap = Some(self.interval);
    }

    /// Moves to the next firing after it fired at `self.at`. The schedule
    /// stays on its grid (0.5, 1.5, 3.5 s ... for Timer A), but firings
    /// that `now` has already passed are skipped, so a late wake-up sends
    /// one retransmission, not a burst. `None` if the next firing would
    /// overflow `Instant`.
    pub fn advance(mut self, now: Instant) -> Option<Self> {
        // 64 doublings outgrow any Duration; past that only a cap keeps
        // the interval small, and a long sleep is better left than walked.
        for _ in 0..64 {
            let doubled = self.interval.saturating_mul(2);
            self.interval = self
                .cap
                .map_or(doubled, |cap| doubled.min(cap))
                .max(MIN_STEP);
            self.at = after(self.at, self.interval)?;
            if self.at > now {
                return Some(self);
            }
        }
        self.at = after(now, self.interval)?;
        Some(self)
    }
}

/// One entry of the heap: a transaction's deadline as of `generation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TimerEntry {
    pub at: Instant,
    pub tx: TxId,
    pub generation: u32,
}

/// The min-heap of deadlines (see the module docs for cancellation and
/// the size bound).
#[derive(Debug, Default)]
pub(crate) struct TimerHeap {
    heap: BinaryHeap<Reverse<TimerEntry>>,
}

impl TimerHeap {
    pub fn push(&mut self, entry: TimerEntry) {
        self.heap.push(Reverse(entry));
    }

    pub fn peek(&self) -> Option<TimerEntry> {
        self.heap.peek().map(|Reverse(e)| *e)
    }

    pub fn pop(&mut self) -> Option<TimerEntry> {
        self.heap.pop().map(|Reverse(e)| e)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Pops stale entries off the top, then filters the whole heap if it
    /// has grown past the bound for `live` transactions.
    pub fn tidy(&mut self, live: usize, is_valid: impl Fn(&TimerEntry) -> bool) {
        while self.peek().is_some_and(|e| !is_valid(&e)) {
            self.heap.pop();
        }
        if self.heap.len() > 2 * live + COMPACT_SLACK {
            self.heap.retain(|Reverse(e)| is_valid(e));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn doubles_without_cap_like_timer_a() {
        let t0 = Instant::now();
        let mut b = Backoff::start(t0, ms(500), None).unwrap();
        let mut fired = vec![];
        for _ in 0..6 {
            fired.push(b.at - t0);
            b = b.advance(b.at).unwrap();
        }
        assert_eq!(
            fired,
            [ms(500), ms(1500), ms(3500), ms(7500), ms(15500), ms(31500)]
        );
    }

    #[test]
    fn caps_and_pins() {
        let t0 = Instant::now();
        let mut b = Backoff::start(t0, ms(500), Some(ms(4000))).unwrap();
        let mut gaps = vec![];
        for _ in 0..6 {
            let was = b.at;
            b = b.advance(b.at).unwrap();
            gaps.push(b.at - was);
        }
        assert_eq!(
            gaps,
            [ms(1000), ms(2000), ms(4000), ms(4000), ms(4000), ms(4000)]
        );
        let mut b = Backoff::start(t0, ms(500), Some(ms(4000))).unwrap();
        b.pin(ms(4000));
        let was = b.at;
        assert_eq!(b.advance(was).unwrap().at - was, ms(4000));
    }

    #[test]
    fn late_wake_up_skips_missed_firings() {
        let t0 = Instant::now();
        let b = Backoff::start(t0, ms(500), None).unwrap();
        // Woken at 5 s: the firings at 1.5 and 3.5 s are gone; 7.5 s is next.
        assert_eq!(b.advance(t0 + ms(5000)).unwrap().at - t0, ms(7500));
        // A zero T1 cannot spin.
        let z = Backoff::start(t0, Duration::ZERO, Some(Duration::ZERO)).unwrap();
        assert!(z.advance(t0 + ms(10_000)).unwrap().at > t0 + ms(10_000));
    }

    #[test]
    fn tidy_bounds_the_heap() {
        let t0 = Instant::now();
        let mut h = TimerHeap::default();
        for g in 0..100u32 {
            h.push(TimerEntry {
                at: t0 + ms(u64::from(g)),
                tx: TxId(1),
                generation: g,
            });
        }
        h.tidy(1, |e| e.generation == 99);
        assert_eq!(h.len(), 1);
        assert_eq!(h.peek().unwrap().generation, 99);
    }
}
