//! Retry timing for a site that is down (RFC 5626 §4.5).
//!
//! `wait = min(max, base · 2^n) · random(0.5 .. 1)`, where `n` counts the
//! consecutive failures before this one. RFC 5626 draws the factor from
//! 50–100 % so that many clients cut off by the same outage do not come
//! back in step. `max` is capped by `reg_interval` so that a down site is
//! tried at least once per re-registration interval.

use std::time::Duration;

use crate::rng::SipRng;

/// The back-off parameters of one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first wait's upper bound.
    pub base: Duration,
    /// The largest wait.
    pub max: Duration,
}

impl Backoff {
    /// A back-off with `max` capped at `reg_interval`.
    pub fn new(base: Duration, max: Duration, reg_interval: Duration) -> Self {
        let max = max.min(reg_interval).max(Duration::from_millis(1));
        Backoff {
            base: base.min(max),
            max,
        }
    }

    /// The upper bound of the wait after `failures` consecutive failures
    /// (1 for the first failure).
    pub fn ceiling(&self, failures: u32) -> Duration {
        let exp = failures.saturating_sub(1).min(31);
        self.base
            .checked_mul(1u32 << exp)
            .unwrap_or(self.max)
            .min(self.max)
    }

    /// The wait after `failures` consecutive failures, jittered.
    pub fn wait(&self, failures: u32, rng: &mut SipRng) -> Duration {
        rng.scale(self.ceiling(failures), 0.5, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_max_and_max_respects_reg_interval() {
        let b = Backoff::new(
            Duration::from_secs(2),
            Duration::from_secs(30),
            Duration::from_secs(3600),
        );
        let c: Vec<_> = (1..=6).map(|n| b.ceiling(n).as_secs()).collect();
        assert_eq!(c, [2, 4, 8, 16, 30, 30]);
        let b = Backoff::new(
            Duration::from_secs(2),
            Duration::from_secs(30),
            Duration::from_secs(10),
        );
        assert_eq!(b.ceiling(10), Duration::from_secs(10));
        let mut rng = SipRng::from_seed([3; 32]);
        for n in 1..20 {
            let w = b.wait(n, &mut rng);
            assert!(w >= b.ceiling(n) / 2 && w <= b.ceiling(n));
        }
    }
}
