//! The order in which SRV targets are tried (RFC 2782, "Usage rules"; RFC
//! 3263 §4.4): lowest priority first, and within one priority a weighted
//! random draw, so that a target with weight 60 is first three times as
//! often as one with weight 20. Pure: the caller brings the randomness.

/// One SRV record, reduced to what the ordering needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrvTarget<T> {
    /// Lower is tried first.
    pub priority: u16,
    /// Relative chance of being tried first among equal priorities.
    pub weight: u16,
    /// The target (host and port, or anything the caller keeps).
    pub target: T,
}

/// Orders SRV records for use, as RFC 2782 describes: by priority, and
/// within each priority by repeated weighted draws. `random(n)` must
/// return a number in `0..=n`; records of weight 0 go first in each draw
/// list, so that they are picked only by a draw of 0 (rarely, as the RFC
/// intends) unless every weight is 0.
///
/// ```
/// use geosip_core::transport::{order_srv, SrvTarget};
///
/// let records = vec![
///     SrvTarget { priority: 20, weight: 0, target: "backup" },
///     SrvTarget { priority: 10, weight: 1, target: "a" },
///     SrvTarget { priority: 10, weight: 3, target: "b" },
/// ];
/// // A draw of 0 picks the first record with a running sum >= 0: "a".
/// let order = order_srv(records, |_| 0);
/// assert_eq!(order, ["a", "b", "backup"]);
/// ```
pub fn order_srv<T>(mut records: Vec<SrvTarget<T>>, mut random: impl FnMut(u32) -> u32) -> Vec<T> {
    // Stable: records of one priority keep the order they came in, with
    // the weight-0 ones moved to the front.
    records.sort_by_key(|r| (r.priority, r.weight != 0));
    let mut out = Vec::with_capacity(records.len());
    let mut rest = records.into_iter().peekable();
    while let Some(first) = rest.next() {
        let mut group = vec![first];
        while let Some(r) = rest.next_if(|r| r.priority == group[0].priority) {
            group.push(r);
        }
        while !group.is_empty() {
            let total: u32 = group.iter().map(|r| u32::from(r.weight)).sum();
            let pick = random(total).min(total);
            let mut running = 0;
            let at = group
                .iter()
                .position(|r| {
                    running += u32::from(r.weight);
                    running >= pick
                })
                .unwrap_or(0);
            out.push(group.remove(at).target);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::{Rng, SeedableRng};

    fn rec(priority: u16, weight: u16, target: &'static str) -> SrvTarget<&'static str> {
        SrvTarget {
            priority,
            weight,
            target,
        }
    }

    #[test]
    fn priorities_come_in_order_and_every_target_once() {
        let records = vec![
            rec(30, 5, "z"),
            rec(10, 1, "a"),
            rec(20, 0, "m"),
            rec(10, 9, "b"),
        ];
        for draw in [0, 1, 5, 10, u32::MAX] {
            let order = order_srv(records.clone(), |n| draw.min(n));
            assert_eq!(order.len(), 4);
            assert!(matches!(order[..2], ["a", "b"] | ["b", "a"]), "{order:?}");
            assert_eq!(order[2..], ["m", "z"]);
        }
    }

    /// Over many draws, a weight of 3 comes first about three times as
    /// often as a weight of 1, and a weight of 0 almost never.
    #[test]
    fn weights_set_the_odds() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let records = vec![rec(10, 0, "zero"), rec(10, 1, "one"), rec(10, 3, "three")];
        let mut first = std::collections::HashMap::new();
        for _ in 0..40_000 {
            let order = order_srv(records.clone(), |n| {
                (rng.next_u64() % (u64::from(n) + 1)) as u32
            });
            *first.entry(order[0]).or_insert(0u32) += 1;
        }
        let (one, three) = (first["one"], first["three"]);
        let ratio = f64::from(three) / f64::from(one);
        assert!((2.7..3.3).contains(&ratio), "three/one = {ratio}");
        // A draw of exactly 0 out of 0..=4 picks the weight-0 record.
        let zero = first.get("zero").copied().unwrap_or(0);
        assert!((7_000..9_000).contains(&zero), "zero first {zero} times");
    }

    #[test]
    fn all_zero_weights_still_give_every_target() {
        let records = vec![rec(1, 0, "a"), rec(1, 0, "b"), rec(1, 0, "c")];
        let order = order_srv(records, |n| n);
        assert_eq!(order, ["a", "b", "c"]);
        assert!(order_srv(Vec::<SrvTarget<u8>>::new(), |n| n).is_empty());
    }
}
