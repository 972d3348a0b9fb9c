//! Virtual time for the simulator.
//!
//! The core takes `now: Instant` as an argument and never reads a clock
//! (DESIGN §2), so the simulator can make time up. One real `Instant` is
//! taken once, when the clock is built, and every virtual instant is that
//! base plus an offset. Only offsets matter: two runs with the same seed
//! see the same offsets, so their traces compare equal once written as
//! offsets (see [`VirtualClock::offset`]).

use std::time::{Duration, Instant};

/// A clock that moves only when told to, and never backwards.
#[derive(Debug, Clone)]
pub struct VirtualClock {
    base: Instant,
    elapsed: Duration,
}

impl Default for VirtualClock {
    fn default() -> Self {
        VirtualClock::new()
    }
}

impl VirtualClock {
    /// A clock at offset zero.
    pub fn new() -> Self {
        VirtualClock {
            base: Instant::now(),
            elapsed: Duration::ZERO,
        }
    }

    /// The current virtual instant.
    pub fn now(&self) -> Instant {
        self.base + self.elapsed
    }

    /// How far virtual time has gone since the start.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The instant `offset` after the start.
    pub fn at(&self, offset: Duration) -> Instant {
        self.base + offset
    }

    /// The offset of `t` from the start (zero for instants before it).
    pub fn offset(&self, t: Instant) -> Duration {
        t.saturating_duration_since(self.base)
    }

    /// Moves to `t`; an instant in the past leaves the clock where it is,
    /// because time never goes backwards.
    pub fn advance_to(&mut self, t: Instant) {
        let off = self.offset(t);
        if off > self.elapsed {
            self.elapsed = off;
        }
    }

    /// Moves forward by `d`.
    pub fn advance(&mut self, d: Duration) {
        self.elapsed += d;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_goes_backwards() {
        let mut c = VirtualClock::new();
        let start = c.now();
        c.advance(Duration::from_secs(5));
        c.advance_to(start + Duration::from_secs(1));
        assert_eq!(c.elapsed(), Duration::from_secs(5));
        c.advance_to(c.at(Duration::from_secs(7)));
        assert_eq!(c.offset(c.now()), Duration::from_secs(7));
    }
}
