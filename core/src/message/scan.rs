//! Lexical helpers shared by the typed views: LWS, tokens, quoted strings,
//! and comma splitting outside quotes and angle brackets (RFC 3261 §25.1).
//!
//! Header values keep their folding (CRLF followed by SP or HT), so every
//! helper here treats CR and LF like SP: RFC 3261 §7.3.1 makes a fold
//! equivalent to a single SP.

/// SP, HT, or the CR and LF of a fold.
#[inline]
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Builds a 256-entry class table: ASCII alphanumerics (if `alnum`) plus
/// the bytes in `extra`. The hot scans test one table entry per byte.
pub(crate) const fn class(alnum: bool, extra: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = alnum && (i as u8).is_ascii_alphanumeric();
        i += 1;
    }
    let mut k = 0;
    while k < extra.len() {
        t[extra[k] as usize] = true;
        k += 1;
    }
    t
}

/// The bytes in both tables, except those in `minus`.
pub(crate) const fn both(a: &[bool; 256], b: &[bool; 256], minus: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = a[i] && b[i];
        i += 1;
    }
    let mut k = 0;
    while k < minus.len() {
        t[minus[k] as usize] = false;
        k += 1;
    }
    t
}

/// `token` characters (RFC 3261 §25.1).
pub(crate) static TOKEN: [bool; 256] = class(true, b"-.!%*_+`'~");

/// Whether `b` is a `token` character (RFC 3261 §25.1).
#[inline]
pub(crate) fn is_token_char(b: u8) -> bool {
    TOKEN[b as usize]
}

/// Whether `s` is a non-empty token.
#[inline]
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_char)
}

/// Trims LWS (including folds) from both ends.
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let mut start = 0;
    while start < b.len() && is_ws(b[start]) {
        start += 1;
    }
    let mut end = b.len();
    while end > start && is_ws(b[end - 1]) {
        end -= 1;
    }
    // Both ends sit next to ASCII bytes (or the string ends), so they are
    // char boundaries.
    &s[start..end]
}

/// Trims LWS from the start.
#[inline]
pub(crate) fn trim_start(s: &str) -> &str {
    let b = s.as_bytes();
    let mut start = 0;
    while start < b.len() && is_ws(b[start]) {
        start += 1;
    }
    &s[start..]
}

/// The first `needle` in `b`. Typed views search values of a few dozen
/// bytes, where a plain loop beats memchr's set-up.
#[inline]
pub(crate) fn find_byte(b: &[u8], needle: u8) -> Option<usize> {
    if b.len() >= 64 {
        return memchr::memchr(needle, b);
    }
    b.iter().position(|&c| c == needle)
}

/// The first `n1`, `n2` or `n3` in `b`.
#[inline]
pub(crate) fn find_byte3(b: &[u8], n1: u8, n2: u8, n3: u8) -> Option<usize> {
    if b.len() >= 64 {
        return memchr::memchr3(n1, n2, n3, b);
    }
    b.iter().position(|&c| c == n1 || c == n2 || c == n3)
}

/// The first `n1` or `n2` in `b`.
#[inline]
pub(crate) fn find_byte2(b: &[u8], n1: u8, n2: u8) -> Option<usize> {
    if b.len() >= 64 {
        return memchr::memchr2(n1, n2, b);
    }
    b.iter().position(|&c| c == n1 || c == n2)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;
const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;

/// 0x80 in every byte of `w` equal to `b`, 0 elsewhere (exact: no carry
/// crosses a byte).
#[inline(always)]
pub(crate) fn eq_bytes(w: u64, b: u8) -> u64 {
    let t = w ^ (ONES * u64::from(b));
    !(((t & LOW7) + LOW7) | t) & HIGH
}

/// Given `s` starting with `"`, returns the byte index just past the closing
/// quote, honouring `\` escapes (RFC 3261 §25.1 quoted-pair). `None` if the
/// quote is never closed.
#[inline]
pub(crate) fn quoted_end(s: &[u8]) -> Option<usize> {
    debug_assert_eq!(s.first(), Some(&b'"'));
    let mut i = 1;
    loop {
        // Eight bytes at a time to the next quote or backslash.
        while let Some(w) = s.get(i..).and_then(|r| r.first_chunk::<8>()) {
            let w = u64::from_le_bytes(*w);
            let m = eq_bytes(w, b'"') | eq_bytes(w, b'\\');
            if m != 0 {
                i += (m.trailing_zeros() / 8) as usize;
                break;
            }
            i += 8;
        }
        i += s.get(i..)?.iter().position(|&c| c == b'"' || c == b'\\')?;
        if s[i] == b'"' {
            return Some(i + 1);
        }
        i += 2;
    }
}

/// Whether `name` is `lower` in any case, where `lower` holds only
/// lowercase ASCII letters (so setting bit 0x20 of `name`'s bytes is an
/// exact case fold for this comparison). Up to 16 bytes are compared as
/// two overlapping words.
#[inline(always)]
pub(crate) fn eq_letters(name: &str, lower: &str) -> bool {
    debug_assert!(lower.bytes().all(|c| c.is_ascii_lowercase()));
    let (a, b) = (name.as_bytes(), lower.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let w8 = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or([0; 8]));
    let w4 = |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().unwrap_or([0; 4]));
    let w2 = |s: &[u8], at: usize| u16::from_le_bytes(s[at..at + 2].try_into().unwrap_or([0; 2]));
    match n {
        8..=16 => {
            (w8(a, 0) | 0x2020_2020_2020_2020) == w8(b, 0)
                && (w8(a, n - 8) | 0x2020_2020_2020_2020) == w8(b, n - 8)
        }
        4..=7 => {
            (w4(a, 0) | 0x2020_2020) == w4(b, 0) && (w4(a, n - 4) | 0x2020_2020) == w4(b, n - 4)
        }
        2..=3 => (w2(a, 0) | 0x2020) == w2(b, 0) && (w2(a, n - 2) | 0x2020) == w2(b, n - 2),
        _ => a.iter().zip(b).all(|(x, y)| (x | 0x20) == *y),
    }
}

/// Strips the quotes of a quoted-string and reports whether it held escapes.
/// A value that is not quoted is returned as it is.
pub(crate) fn unquote(s: &str) -> &str {
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

/// Splits a list header value at commas that are outside quoted strings and
/// angle brackets (RFC 3261 §7.3.1). Elements are trimmed of LWS; empty
/// elements are yielded so that the typed views can reject them
/// (RFC 4475 §3.1.2.1).
#[derive(Debug, Clone)]
pub struct CommaSplit<'a> {
    rest: Option<&'a str>,
}

impl<'a> CommaSplit<'a> {
    pub(crate) fn new(s: &'a str) -> Self {
        CommaSplit { rest: Some(s) }
    }
}

impl<'a> Iterator for CommaSplit<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        let b = s.as_bytes();
        let mut i = 0;
        let mut angle = false;
        // Jump from one byte that matters to the next.
        while let Some(off) = find_byte3(&b[i..], b',', b'"', if angle { b'>' } else { b'<' }) {
            i += off;
            match b[i] {
                b'"' if !angle => match quoted_end(&b[i..]) {
                    Some(n) => i += n,
                    // Unbalanced quote: the rest is one element, and its
                    // typed parse reports the error (RFC 4475 §3.1.2.6).
                    None => break,
                },
                b'<' => {
                    angle = true;
                    i += 1;
                }
                b'>' => {
                    angle = false;
                    i += 1;
                }
                b',' if !angle => {
                    self.rest = Some(&s[i + 1..]);
                    return Some(trim(&s[..i]));
                }
                _ => i += 1,
            }
        }
        self.rest = None;
        Some(trim(s))
    }
}

/// Parses a decimal number of at most `u64` size; `None` on anything else
/// (empty, sign, non-digit, overflow).
#[inline]
pub(crate) fn parse_u64(s: &str) -> Option<u64> {
    parse_u64_bytes(s.as_bytes())
}

/// [`parse_u64`] on bytes, for fast paths that must not call through a
/// `&str` (a call the compiler cannot see through makes it forget what it
/// knew of the bytes, and their slices' char-boundary checks come back).
#[inline]
pub(crate) fn parse_u64_bytes(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 20 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(v)
}

/// Parses a decimal `u32` (RFC 4475 §3.1.2.4: overlarge scalars are errors).
#[inline]
pub(crate) fn parse_u32(s: &str) -> Option<u32> {
    parse_u64(s).and_then(|v| u32::try_from(v).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comma_split_respects_quotes_and_brackets() {
        let v: Vec<_> = CommaSplit::new(r#""a, b" <sip:x@y;p=1,2>;q=1 , <sip:z>"#).collect();
        assert_eq!(v, vec![r#""a, b" <sip:x@y;p=1,2>;q=1"#, "<sip:z>"]);
        let v: Vec<_> = CommaSplit::new(";;,;,,").collect();
        assert_eq!(v, vec![";;", ";", "", ""]);
        let v: Vec<_> = CommaSplit::new(r#""esc \" quote, still" <sip:a>"#).collect();
        assert_eq!(v.len(), 1);
    }

    #[test]
    fn quoted_end_finds_the_closing_quote() {
        let plain = |s: &[u8]| {
            let mut i = 1;
            while i < s.len() {
                match s[i] {
                    b'"' => return Some(i + 1),
                    b'\\' => i += 2,
                    _ => i += 1,
                }
            }
            None
        };
        for body in [
            &b"\"\""[..],
            b"\"abc\" x",
            b"\"0123456789abcdef\"x",
            b"\"0123456\\\"89\"",
            b"\"01234567\\",
            b"\"0123456789",
            b"\"\\\\\"",
            b"\"abcdefg\\",
        ] {
            assert_eq!(quoted_end(body), plain(body), "{body:?}");
        }
        assert!(eq_letters("BrAnch", "branch"));
        for lower in [
            "",
            "q",
            "nc",
            "tag",
            "realm",
            "branch",
            "received",
            "algorithm",
            "abcdefghijklmnopq",
        ] {
            assert!(eq_letters(lower, lower));
            assert!(eq_letters(&lower.to_ascii_uppercase(), lower));
            for i in 0..lower.len() {
                for c in [b'-', b'\r', 0u8, b'z' ^ 0x20 ^ 0x40, b'A' - 1] {
                    let mut v = lower.as_bytes().to_vec();
                    if v[i].eq_ignore_ascii_case(&c) {
                        continue;
                    }
                    v[i] = c;
                    assert!(
                        !eq_letters(std::str::from_utf8(&v).unwrap(), lower),
                        "{v:?}"
                    );
                }
            }
        }
        assert!(!eq_letters("brancH2", "branch"));
        assert!(!eq_letters("b\x02anch", "branch"));
    }

    #[test]
    fn numbers_reject_overflow_and_signs() {
        assert_eq!(parse_u32("0009"), Some(9));
        assert_eq!(parse_u32("4294967295"), Some(u32::MAX));
        assert_eq!(parse_u32("4294967296"), None);
        assert_eq!(parse_u32("36893488147419103232"), None);
        assert_eq!(parse_u32("-1"), None);
        assert_eq!(parse_u32(""), None);
    }
}
