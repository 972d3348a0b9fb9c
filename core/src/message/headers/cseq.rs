//! CSeq (RFC 3261 §20.16).

use super::super::class::{self, span};
use super::super::error::HeaderErrorKind as E;
use super::super::method::Method;
use super::super::name::HeaderName;
use super::super::scan::{is_token, is_ws, parse_u32, trim};
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
    #[inline]
    fn parse_simple(value: &'a str) -> Option<Self> {
        let b = value.as_bytes();
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
        if i == 0 || b.get(i) != Some(&b' ') || i + 1 == b.len() {
            return None;
        }
        if span(b, i + 1, class::TOKEN) != b.len() {
            return None;
        }
        Some(CSeq {
            seq,
            method: Method::from_token(class::sub(value, i + 1, value.len())?),
        })
    }

    /// Every form, one step at a time.
    fn parse_reference(value: &'a str) -> Result<Self, E> {
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
