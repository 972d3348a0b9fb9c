//! CSeq (RFC 3261 §20.16).

use super::super::class::{self, span};
use super::super::error::HeaderErrorKind as E;
use super::super::method::Method;
use super::super::name::HeaderName;
use super::super::scan::{is_token, is_ws, parse_u32, trim};
use super::super::uri::digits8;
use super::Typed;

/// `CSeq: 4711 INVITE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CSeq<'a> {
    /// The sequence number, a 32-bit unsigned integer (RFC 3261 §8.1.1.5).
    pub seq: u32,
    /// The method.
    pub method: Method<'a>,
}

impl<'a> Typed<'a> for CSeq<'a> {
    const NAME: HeaderName = HeaderName::CSeq;

    fn parse(value: &'a str) -> Result<Self, E> {
        if let Some(c) = CSeq::parse_simple(value) {
            debug_assert_eq!(CSeq::parse_reference(value), Ok(c));
            return Ok(c);
        }
        CSeq::parse_reference(value)
    }
}

impl<'a> CSeq<'a> {
    /// The common case: 1 to 9 digits, one SP, a token (RFC 3261 §20.16,
    /// §25.1 `CSeq = 1*DIGIT LWS Method`). `None` for anything else; when
    /// `Some`, the result is the full parse's.
    #[inline(always)]
    pub(crate) fn parse_simple(value: &'a str) -> Option<Self> {
        let b = value.as_bytes();
        // One digit and the SP by two byte tests; up to seven digits from
        // one word; more, or a value shorter than eight bytes, byte by
        // byte.
        let (i, seq) = match b {
            // The SP is checked: the method starts at 2, and is not empty.
            [d @ b'0'..=b'9', b' ', _, ..] => (1, u32::from(d - b'0')),
            _ => {
                let (i, seq) = match class::word8(b, 0).map(digits8) {
                    // Fewer than 10^7: the value fits.
                    Some((n, v)) if n < 8 => (n, v as u32),
                    _ => seq_bytes(b),
                };
                if i == 0 || b.get(i) != Some(&b' ') || i + 1 == b.len() {
                    return None;
                }
                (i, seq)
            }
        };
        let method = match known_method(b, i + 1) {
            Some(m) => m,
            None => other_method(value, i + 1)?,
        };
        Some(CSeq { seq, method })
    }

    /// Every form, one step at a time.
    pub(crate) fn parse_reference(value: &'a str) -> Result<Self, E> {
        let v = trim(value);
        let split = v
            .bytes()
            .position(is_ws)
            .ok_or(E::Syntax("expected number and method"))?;
        let (num, method) = (&v[..split], trim(&v[split..]));
        if !num.bytes().all(|b| b.is_ascii_digit()) || num.is_empty() {
            return Err(E::Syntax("sequence number is not a number"));
        }
        let seq = parse_u32(num).ok_or(E::OutOfRange("CSeq number"))?;
        if !is_token(method) {
            return Err(E::Syntax("method is not a token"));
        }
        Ok(CSeq {
            seq,
            method: Method::from_token(method),
        })
    }
}

/// The sequence number of [`CSeq::parse_simple`] byte by byte: up to
/// nine digits (below 2^32) and where they end.
#[inline(never)]
fn seq_bytes(b: &[u8]) -> (usize, u32) {
    let mut i = 0;
    let mut seq: u32 = 0;
    while let Some(&c) = b.get(i) {
        let d = c.wrapping_sub(b'0');
        if d > 9 || i == 9 {
            break;
        }
        seq = seq * 10 + u32::from(d);
        i += 1;
    }
    (i, seq)
}

/// The method token that fills `value[at..]` (§25.1 `Method`), for the
/// methods [`known_method`] does not match. Out of line: it is the rarer
/// case, and [`Method::from_token`] compares many strings.
#[inline(never)]
fn other_method(value: &str, at: usize) -> Option<Method<'_>> {
    if span(value.as_bytes(), at, class::TOKEN) != value.len() {
        return None;
    }
    Some(Method::from_token(class::sub(value, at, value.len())?))
}

/// The RFC 3261 methods that fill `b[at..]` exactly, as
/// [`Method::from_token`] names them (case-sensitive, §7.1), by one or two
/// word compares: each is a token, so no span is needed. `None` for any
/// other method, which takes the span and `from_token`.
#[inline(always)]
fn known_method<'a>(b: &[u8], at: usize) -> Option<Method<'a>> {
    let n = b.len().checked_sub(at)?;
    let w4 = |k: usize| class::word4(b, at + k);
    let m = match n {
        8 if class::word8(b, at)? == u64::from_le_bytes(*b"REGISTER") => Method::Register,
        6 => match (w4(0)?, w4(2)?) {
            (x, y) if x == lit(b"INVI") && y == lit(b"VITE") => Method::Invite,
            (x, y) if x == lit(b"CANC") && y == lit(b"NCEL") => Method::Cancel,
            _ => return None,
        },
        7 if w4(0)? == lit(b"OPTI") && w4(3)? == lit(b"IONS") => Method::Options,
        3 => match u32::from_le_bytes([b[at], b[at + 1], b[at + 2], 0]) {
            x if x == lit(b"ACK\0") => Method::Ack,
            x if x == lit(b"BYE\0") => Method::Bye,
            _ => return None,
        },
        _ => return None,
    };
    debug_assert_eq!(
        Some(m),
        std::str::from_utf8(&b[at..]).ok().map(Method::from_token)
    );
    Some(m)
}

/// `s` as a little-endian word.
const fn lit(s: &[u8; 4]) -> u32 {
    u32::from_le_bytes(*s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path against the reference on every ASCII byte (and a
    /// multi-byte character) in every position of short values, around
    /// the one-digit shape `d SP method` and the word read of longer
    /// numbers.
    #[test]
    fn fast_path_agrees_with_the_reference_byte_by_byte() {
        for base in [
            "2 REGISTER",
            "1 A",
            "7 B ",
            "3  INVITE",
            "12 BYE",
            "314159 INVITE",
            "1234567 ACK",
            "123456789 X",
        ] {
            let base: Vec<char> = base.chars().collect();
            for at in 0..=base.len() {
                for c in (0..=127u8).map(char::from).chain(['\u{e9}']) {
                    for edit in 0..2 {
                        let mut v = base.clone();
                        if edit == 0 && at < v.len() {
                            v[at] = c;
                        } else {
                            v.insert(at, c);
                        }
                        let v: String = v.into_iter().collect();
                        if let Some(fast) = CSeq::parse_simple(&v) {
                            assert_eq!(CSeq::parse_reference(&v), Ok(fast), "{v:?}");
                        }
                    }
                }
            }
        }
    }
}
