//! One host's link to the endpoint: delay, jitter, loss and duplication
//! (the faults a WAN adds to UDP), and the seeded draws that apply them.

use std::time::Duration;

use rand_chacha::rand_core::Rng;
use rand_chacha::ChaCha8Rng;

/// How a link treats datagrams. Streams see only `delay`: TCP hides loss
/// and reordering from the application (it shows them as delay, which the
/// simulator leaves out).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkConfig {
    /// One-way delay.
    pub delay: Duration,
    /// Extra one-way delay drawn uniformly from `0..jitter` per datagram;
    /// datagrams overtake each other when it exceeds their spacing.
    pub jitter: Duration,
    /// Probability that a datagram is lost, `0.0..=1.0`.
    pub loss: f64,
    /// Probability that a datagram that was not lost arrives twice.
    pub duplicate: f64,
}

impl Default for LinkConfig {
    /// 25 ms one way, no jitter, no loss, no duplicates.
    fn default() -> Self {
        LinkConfig {
            delay: Duration::from_millis(25),
            jitter: Duration::ZERO,
            loss: 0.0,
            duplicate: 0.0,
        }
    }
}

impl LinkConfig {
    /// The round-trip time without jitter.
    pub fn rtt(&self) -> Duration {
        self.delay * 2
    }
}

/// A uniform float in `[0, 1)` from the network's RNG.
pub(crate) fn unit(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// The one-way delay of one datagram: `delay + jitter·random(0..1)`.
pub(crate) fn sample_delay(link: &LinkConfig, rng: &mut ChaCha8Rng) -> Duration {
    if link.jitter.is_zero() {
        link.delay
    } else {
        link.delay + link.jitter.mul_f64(unit(rng))
    }
}

/// How many copies of a datagram arrive: 0 (lost), 1, or 2 (duplicated).
/// Two draws per datagram whatever the outcome, so that one fault setting
/// does not shift every later draw when another changes.
pub(crate) fn sample_copies(link: &LinkConfig, rng: &mut ChaCha8Rng) -> usize {
    let lost = unit(rng) < link.loss;
    let dup = unit(rng) < link.duplicate;
    match (lost, dup) {
        (true, _) => 0,
        (false, false) => 1,
        (false, true) => 2,
    }
}
