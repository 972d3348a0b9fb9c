//! Timer values (RFC 3261 §17.1.1.1, §17.1.2.2, §17.2, Table 4 of §A;
//! RFC 6026 §8.4, §8.7) and the limits of the transaction table.

use std::time::Duration;

/// The transaction timers. Every named timer of RFC 3261 §17 and RFC 6026
/// is derived from these five values:
///
/// | timer | meaning | value |
/// |---|---|---|
/// | A | INVITE retransmit, unreliable only | starts at `t1`, doubles without cap |
/// | B | INVITE transaction timeout (Calling) | `timeout` |
/// | D | wait for response retransmits | `timer_d` unreliable, 0 reliable |
/// | E | non-INVITE retransmit, unreliable only | `min(2ⁿ·t1, t2)`; `t2` in Proceeding |
/// | F | non-INVITE transaction timeout | `timeout` |
/// | G | INVITE final response retransmit, unreliable only | `min(2ⁿ·t1, t2)` |
/// | H | wait for ACK receipt | `timeout` |
/// | I | wait for ACK retransmits | `t4` unreliable, 0 reliable |
/// | J | wait for non-INVITE request retransmits | `timeout` unreliable, 0 reliable |
/// | K | wait for response retransmits | `t4` unreliable, 0 reliable |
/// | L | server INVITE Accepted (RFC 6026) | `timeout` |
/// | M | client INVITE Accepted (RFC 6026) | `timeout` |
///
/// RFC 3261 writes B, F, H, J, L and M as `64*T1`; here they all use
/// [`timeout`](Self::timeout), the `sip_transaction_timeout` policy, which
/// defaults to exactly `64*T1`. [`TimerConfig::with_t1`] keeps the two in
/// step when only T1 changes.
///
/// When building one by hand, end with `..TimerConfig::default()` so that
/// fields added later keep their defaults.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use geosip_core::transaction::TimerConfig;
///
/// let t = TimerConfig::default();
/// assert_eq!(t.timeout, 64 * t.t1);
///
/// let fast = TimerConfig::with_t1(Duration::from_millis(100));
/// assert_eq!(fast.timeout, Duration::from_millis(6400));
/// assert_eq!(fast.t2, Duration::from_secs(4));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerConfig {
    /// T1, the round-trip time estimate. Default 500 ms (RFC 3261
    /// §17.1.1.1). Timers A, E and G start at T1.
    pub t1: Duration,
    /// T2, the longest retransmit interval for non-INVITE requests and
    /// INVITE final responses. Default 4 s (RFC 3261 §17.1.2.2).
    pub t2: Duration,
    /// T4, how long a message may stay in the network. Default 5 s
    /// (RFC 3261 §17.1.2.2). Timers I and K on unreliable transports.
    pub t4: Duration,
    /// The transaction timeout (`sip_transaction_timeout`): Timers B, F, H,
    /// J (unreliable), L and M. Default 32 s, which is `64*T1` for the
    /// default T1.
    pub timeout: Duration,
    /// Timer D, how long a client INVITE transaction absorbs retransmitted
    /// final responses over an unreliable transport. Default 32 s: RFC 3261
    /// §17.1.1.2 asks for "at least 32 seconds" whatever our own T1 is,
    /// because it covers the retransmissions of the server's Timer G.
    pub timer_d: Duration,
}

impl TimerConfig {
    /// The defaults with this T1 and `timeout = 64*T1`.
    pub fn with_t1(t1: Duration) -> Self {
        TimerConfig {
            t1,
            timeout: t1.saturating_mul(64),
            ..TimerConfig::default()
        }
    }
}

impl Default for TimerConfig {
    /// T1 = 500 ms, T2 = 4 s, T4 = 5 s, timeout = 64*T1 = 32 s and
    /// Timer D = 32 s.
    fn default() -> Self {
        TimerConfig {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
            timeout: Duration::from_secs(32),
            timer_d: Duration::from_secs(32),
        }
    }
}

/// Settings of a [`TransactionTable`](super::TransactionTable).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use geosip_core::transaction::{TimerConfig, TransactionConfig};
///
/// let config = TransactionConfig {
///     timers: TimerConfig::with_t1(Duration::from_millis(250)),
///     max_transactions: 512,
///     ..TransactionConfig::default()
/// };
/// assert_eq!(config.auto_trying, Some(Duration::from_millis(200)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactionConfig {
    /// The timers. Default [`TimerConfig::default`].
    pub timers: TimerConfig,
    /// At most this many live transactions, client and server together.
    /// Creating one more fails with
    /// [`TransactionError::TableFull`](super::TransactionError::TableFull)
    /// instead of growing without bound. Default 4096, far more than a
    /// softphone or an agent desk ever has in flight.
    pub max_transactions: usize,
    /// Send `100 Trying` for an INVITE when the TU has not answered within
    /// this delay (RFC 3261 §17.2.1 asks for 200 ms). `None` never sends
    /// one. Default `Some(200 ms)`.
    pub auto_trying: Option<Duration>,
}

impl Default for TransactionConfig {
    fn default() -> Self {
        TransactionConfig {
            timers: TimerConfig::default(),
            max_transactions: 4096,
            auto_trying: Some(Duration::from_millis(200)),
        }
    }
}
