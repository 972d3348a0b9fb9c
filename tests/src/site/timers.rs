//! The site's timers: delayed far-end actions and the retransmissions of
//! what it sends over UDP (RFC 3261 §17.1.1.2 Timers A/B, §17.1.2.2
//! Timers E/F, §17.2.1 Timers G/H, §13.3.1.4 2xx retransmission). Ordered
//! by (instant, sequence), so runs are deterministic.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::calls::{Peer, SiteCallId};
use super::records::SiteOutput;

/// RFC 3261 T1: the round-trip estimate.
pub const T1: Duration = Duration::from_millis(500);
/// RFC 3261 T2: the longest interval between retransmissions of
/// non-INVITE requests and of responses.
pub const T2: Duration = Duration::from_secs(4);

/// What a timer does when it fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Task {
    /// The far-end phone sends its final response to the call's INVITE.
    Final(SiteCallId),
    /// The far-end phone hangs up (BYE).
    Hangup(SiteCallId),
    /// A retransmission (or the give-up) of the entry with this key.
    Resend(u64),
}

/// What happens when a retransmitted message is never answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GiveUp {
    /// Nothing but stopping (Timer H: a non-2xx final never ACKed).
    Nothing,
    /// A 2xx never ACKed: the site ends the call with BYE (§13.3.1.4).
    NoAck(SiteCallId),
    /// A request of the site's never answered (Timer B or F, §17.1.1.2,
    /// §17.1.2.2): the transaction with this key ends with a timeout.
    Timeout(String, String),
}

/// One message sent again and again until stopped.
#[derive(Debug, Clone)]
pub(crate) struct Resend {
    pub peer: Peer,
    pub data: Vec<u8>,
    /// Whether to send again (UDP) or only wait for the deadline.
    pub again: bool,
    pub interval: Duration,
    /// T2 for everything but INVITE requests (Timer A doubles unbounded).
    pub cap: Option<Duration>,
    pub deadline: Instant,
    pub give_up: GiveUp,
}

impl Resend {
    /// A retransmission of `data` to `peer`, starting at T1, ending
    /// 64·T1 from `now`.
    pub fn new(now: Instant, peer: Peer, data: Vec<u8>, cap: bool, give_up: GiveUp) -> Self {
        Resend {
            again: peer.is_udp(),
            peer,
            data,
            interval: T1,
            cap: cap.then_some(T2),
            deadline: now + 64 * T1,
            give_up,
        }
    }
}

/// The timer queue and the retransmissions in progress.
#[derive(Debug, Default)]
pub(crate) struct Timers {
    queue: BTreeMap<(Instant, u64), Task>,
    resends: BTreeMap<u64, Resend>,
    seq: u64,
}

impl Timers {
    /// Forgets everything (the site stopped).
    pub fn clear(&mut self) {
        self.queue.clear();
        self.resends.clear();
    }

    /// Runs `task` at `at`.
    pub fn at(&mut self, at: Instant, task: Task) {
        self.seq += 1;
        self.queue.insert((at, self.seq), task);
    }

    /// When the next timer is due.
    pub fn next(&self) -> Option<Instant> {
        self.queue.keys().next().map(|(at, _)| *at)
    }

    /// Takes the next task due at or before `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<Task> {
        let (&key, _) = self.queue.iter().next().filter(|((at, _), _)| *at <= now)?;
        self.queue.remove(&key)
    }

    /// Starts a retransmission; returns its key for [`stop`](Self::stop).
    pub fn start(&mut self, now: Instant, r: Resend) -> u64 {
        let first = if r.again {
            (now + r.interval).min(r.deadline)
        } else {
            r.deadline
        };
        self.seq += 1;
        let key = self.seq;
        self.resends.insert(key, r);
        self.at(first, Task::Resend(key));
        key
    }

    /// Stops a retransmission (its timer fires into nothing).
    pub fn stop(&mut self, key: u64) {
        self.resends.remove(&key);
    }

    /// A retransmission timer fired: what to send now, or the give-up.
    pub fn fire(&mut self, now: Instant, key: u64) -> Result<Option<SiteOutput>, GiveUp> {
        let Some(r) = self.resends.get_mut(&key) else {
            return Ok(None);
        };
        if now >= r.deadline {
            let r = self.resends.remove(&key).expect("present");
            return Err(r.give_up);
        }
        let out = r.peer.send(r.data.clone());
        r.interval *= 2;
        if let Some(cap) = r.cap {
            r.interval = r.interval.min(cap);
        }
        let next = (now + r.interval).min(r.deadline);
        self.at(next, Task::Resend(key));
        Ok(Some(out))
    }
}
