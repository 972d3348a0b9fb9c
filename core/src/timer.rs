//! One timer table: a min-heap of deadlines with lazy cancellation.
//!
//! Arming a timer for a key replaces the key's previous deadline by bumping
//! its generation; stale heap entries are dropped as soon as they reach the
//! top, so the top is always live and [`TimerTable::next_deadline`] is
//! O(1). The heap is rebuilt when stale entries outnumber live ones, so its
//! size stays within twice the number of armed keys plus 16.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::Hash;
use std::time::Instant;

/// Deadlines keyed by `K`, one live deadline per key.
#[derive(Debug, Clone)]
pub struct TimerTable<K: Copy + Eq + Hash + Ord> {
    heap: BinaryHeap<Reverse<(Instant, u64, K)>>,
    live: HashMap<K, (Instant, u64)>,
    next_gen: u64,
}

impl<K: Copy + Eq + Hash + Ord> Default for TimerTable<K> {
    fn default() -> Self {
        TimerTable {
            heap: BinaryHeap::new(),
            live: HashMap::new(),
            next_gen: 0,
        }
    }
}

impl<K: Copy + Eq + Hash + Ord> TimerTable<K> {
    /// Arms (or re-arms) the timer of `key` for `at`.
    pub fn set(&mut self, key: K, at: Instant) {
        let gen = self.next_gen;
        self.next_gen += 1;
        self.live.insert(key, (at, gen));
        self.heap.push(Reverse((at, gen, key)));
        self.tidy();
    }

    /// Cancels the timer of `key`.
    pub fn cancel(&mut self, key: K) {
        if self.live.remove(&key).is_some() {
            self.tidy();
        }
    }

    /// The deadline of `key`, if armed.
    pub fn get(&self, key: K) -> Option<Instant> {
        self.live.get(&key).map(|(at, _)| *at)
    }

    /// The earliest live deadline.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((at, _, _))| *at)
    }

    /// Takes one timer that is due at `now`, disarming it.
    pub fn pop_due(&mut self, now: Instant) -> Option<K> {
        match self.heap.peek() {
            Some(Reverse((at, _, _))) if *at <= now => {
                let Reverse((_, _, key)) = self.heap.pop()?;
                self.live.remove(&key);
                self.tidy();
                Some(key)
            }
            _ => None,
        }
    }

    /// How many entries the heap holds (live and stale).
    pub fn heap_len(&self) -> usize {
        self.heap.len()
    }

    /// How many keys have a live deadline.
    pub fn len(&self) -> usize {
        self.live.len()
    }

    /// Whether no timer is armed.
    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    fn skip_stale(&mut self) {
        while let Some(Reverse((at, gen, key))) = self.heap.peek() {
            if self.live.get(key) == Some(&(*at, *gen)) {
                break;
            }
            self.heap.pop();
        }
    }

    fn tidy(&mut self) {
        if self.heap.len() > 2 * self.live.len() + 16 {
            let live = &self.live;
            self.heap
                .retain(|Reverse((at, gen, k))| live.get(k) == Some(&(*at, *gen)));
        }
        // Give memory back after a burst; halving before shrinking again
        // keeps this amortized O(1).
        if self.heap.capacity() > 4 * self.heap.len() + 64 {
            self.heap.shrink_to(2 * self.heap.len() + 16);
        }
        if self.live.capacity() > 4 * self.live.len() + 64 {
            self.live.shrink_to(2 * self.live.len() + 16);
        }
        self.skip_stale();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rearm_replaces_and_heap_stays_bounded() {
        let t0 = Instant::now();
        let mut t = TimerTable::default();
        for i in 0..10_000u32 {
            t.set(1u32, t0 + Duration::from_millis(u64::from(i)));
            t.set(2u32, t0 + Duration::from_millis(5));
        }
        assert!(t.heap_len() <= 2 * t.len() + 17);
        assert_eq!(t.next_deadline(), Some(t0 + Duration::from_millis(5)));
        assert_eq!(t.pop_due(t0), None);
        assert_eq!(t.pop_due(t0 + Duration::from_millis(5)), Some(2));
        t.cancel(1);
        assert_eq!(t.next_deadline(), None);
        assert!(t.is_empty());
    }
}
