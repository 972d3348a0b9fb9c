//! The endpoint's only source of randomness: a ChaCha8 generator seeded
//! from the configuration, so that one seed gives one run byte for byte.
//! It makes tags, branches, Call-IDs and cnonces (RFC 3261 §19.3 asks for
//! at least 32 bits of randomness in tags; these carry 96 or more) and the
//! back-off jitter of RFC 5626 §4.5.

use std::time::Duration;

use rand_chacha::rand_core::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Seeded randomness for the core.
#[derive(Debug, Clone)]
pub struct SipRng(ChaCha8Rng);

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.";

impl SipRng {
    /// A generator from a 32-byte seed.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        SipRng(ChaCha8Rng::from_seed(seed))
    }

    /// 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Appends `len` random token characters (6 bits each) to `out`.
    pub fn push_token(&mut self, out: &mut String, len: usize) {
        let mut bits = 0u64;
        let mut left = 0;
        for _ in 0..len {
            if left == 0 {
                bits = self.next_u64();
                left = 10;
            }
            out.push(ALPHABET[(bits & 63) as usize] as char);
            bits >>= 6;
            left -= 1;
        }
    }

    /// A token of `len` characters, for tags and Call-IDs.
    pub fn token(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        self.push_token(&mut s, len);
        s
    }

    /// A branch with the RFC 3261 §8.1.1.7 magic cookie.
    pub fn branch(&mut self) -> String {
        let mut s = String::with_capacity(23);
        s.push_str("z9hG4bK");
        self.push_token(&mut s, 16);
        s
    }

    /// A uniform float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `d · random(lo..hi)`.
    pub fn scale(&mut self, d: Duration, lo: f64, hi: f64) -> Duration {
        d.mul_f64(lo + (hi - lo) * self.unit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = SipRng::from_seed([7; 32]);
        let mut b = SipRng::from_seed([7; 32]);
        assert_eq!(a.branch(), b.branch());
        assert_eq!(a.token(12), b.token(12));
        let mut c = SipRng::from_seed([8; 32]);
        assert_ne!(a.token(12), c.token(12));
        assert!(a.branch().starts_with("z9hG4bK"));
    }

    #[test]
    fn scale_stays_in_range() {
        let mut r = SipRng::from_seed([1; 32]);
        for _ in 0..1000 {
            let d = r.scale(Duration::from_secs(10), 0.5, 1.0);
            assert!(d >= Duration::from_secs(5) && d <= Duration::from_secs(10));
        }
    }
}
