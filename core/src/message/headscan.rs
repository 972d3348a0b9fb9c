//! The fast header scan: the common case of [`Parser::parse_head`]
//! (every line ends in CRLF, no folding, no control byte but HT, header
//! names that are tokens, limits respected) in as few instructions as safe
//! Rust allows.
//!
//! It gives up (`None`) on anything else, and the parser then runs the
//! reference scan in `parser.rs`, which accepts or reports the exact error.
//! Whenever this scan succeeds its result is the reference's: debug builds
//! (tests, fuzzing) check it on every message.
//!
//! Lines are found 16 bytes at a time: a fold over a `[u8; 16]` that LLVM
//! turns into one vector compare tells whether any byte is below 0x20;
//! only then does a SWAR step locate it. Header names are found from the
//! colon and resolved with [`HeaderName::from_bytes`]'s perfect hash.
//!
//! [`Parser::parse_head`]: super::Parser

use super::limits::ParseLimits;
use super::name::HeaderName;
use super::parsed::{HeaderIndex, RawHeader};
use super::parser::{parse_content_length, parse_start_line, HeadInfo};
use super::scan::{ctrl_bytes, eq_bytes, is_token_char};

/// Whether any of the 16 bytes is below 0x20. Written as a fold so that
/// LLVM makes it one vector compare and a mask test.
#[inline(always)]
fn any_ctrl(chunk: &[u8; 16]) -> bool {
    chunk.iter().fold(false, |any, &c| any | (c < 0x20))
}

/// The first byte below 0x20 at or after `p`.
#[inline(always)]
fn next_ctrl(data: &[u8], mut p: usize) -> Option<usize> {
    while let Some(chunk) = data.get(p..).and_then(|r| r.first_chunk::<16>()) {
        if any_ctrl(chunk) {
            let w = u128::from_le_bytes(*chunk);
            let lo = ctrl_bytes(w as u64);
            if lo != 0 {
                return Some(p + (lo.trailing_zeros() / 8) as usize);
            }
            let hi = ctrl_bytes((w >> 64) as u64);
            return Some(p + 8 + (hi.trailing_zeros() / 8) as usize);
        }
        p += 16;
    }
    data.get(p..)?.iter().position(|&c| c < 0x20).map(|i| p + i)
}

/// The CR of the CRLF that ends the line holding `p`; `None` on any other
/// control byte than HT before it.
#[inline(always)]
fn line_end(data: &[u8], mut p: usize) -> Option<usize> {
    loop {
        let q = next_ctrl(data, p)?;
        match data[q] {
            b'\r' if data.get(q + 1) == Some(&b'\n') => return Some(q),
            b'\t' => p = q + 1,
            _ => return None,
        }
    }
}

/// The first `:` at or after `p`.
#[inline(always)]
fn next_colon(data: &[u8], mut p: usize) -> Option<usize> {
    while let Some(word) = data.get(p..).and_then(|r| r.first_chunk::<8>()) {
        let m = eq_bytes(u64::from_le_bytes(*word), b':');
        if m != 0 {
            return Some(p + (m.trailing_zeros() / 8) as usize);
        }
        p += 8;
    }
    data.get(p..)?
        .iter()
        .position(|&c| c == b':')
        .map(|i| p + i)
}

/// One header line as [`header_line`] found it.
struct Line {
    name: HeaderName,
    name_end: usize,
    value_start: usize,
    value_end: usize,
    /// The CR of the line's CRLF.
    cr: usize,
}

/// Scans the header line starting at `s`: name, colon, value and CRLF.
/// Kept out of line: the scan loop around it then keeps its few values in
/// registers.
#[inline(never)]
fn header_line(data: &[u8], s: usize) -> Option<Line> {
    let colon = next_colon(data, s)?;
    let mut ne = colon;
    while ne > s && matches!(data[ne - 1], b' ' | b'\t') {
        ne -= 1;
    }
    let raw_name = &data[s..ne];
    let name = HeaderName::from_bytes(raw_name);
    // A known name matched byte for byte is a token; anything else is
    // checked here (this also catches a colon found past the line).
    if name == HeaderName::Other
        && (raw_name.is_empty() || !raw_name.iter().all(|&c| is_token_char(c)))
    {
        return None;
    }
    let mut vs = colon + 1;
    while matches!(data.get(vs), Some(b' ' | b'\t')) {
        vs += 1;
    }
    let cr = line_end(data, vs)?;
    let mut ve = cr;
    while ve > vs && matches!(data[ve - 1], b' ' | b'\t') {
        ve -= 1;
    }
    Some(Line {
        name,
        name_end: ne,
        value_start: vs,
        value_end: ve,
        cr,
    })
}

/// The fast scan; see the module documentation.
/// The index goes into `headers`, which must be empty; it is left in any
/// state when the scan gives up.
pub(crate) fn head<'a>(
    data: &'a [u8],
    limits: &ParseLimits,
    headers: &mut HeaderIndex,
) -> Option<HeadInfo<'a>> {
    debug_assert!(headers.is_empty());
    let mut pos = 0;
    while data.get(pos..pos + 2) == Some(b"\r\n") {
        pos += 2;
    }
    let data_start = pos;
    let sl_end = line_end(data, pos)?;
    if sl_end - pos > limits.max_line_length {
        return None;
    }
    let start_len = sl_end - pos;
    pos = sl_end + 2;

    let mut line: u32 = 1;
    let mut content_length: Option<usize> = None;
    let mut content_length_line = 0;
    let head_end = loop {
        line += 1;
        let s = pos;
        match *data.get(s)? {
            b'\r' if data.get(s + 1) == Some(&b'\n') => {
                pos = s + 2;
                break s;
            }
            b'\r' | b' ' | b'\t' => return None,
            _ => {}
        }
        if headers.len() >= limits.max_headers {
            return None;
        }
        let Line {
            name,
            name_end: ne,
            value_start: vs,
            value_end: ve,
            cr,
        } = header_line(data, s)?;
        if cr - s > limits.max_line_length {
            return None;
        }
        if name == HeaderName::ContentLength {
            let cl = parse_content_length(&data[vs..ve])?;
            if content_length.is_some_and(|prev| prev != cl) {
                return None;
            }
            if content_length.is_none() {
                content_length_line = line;
            }
            content_length = Some(cl);
        }
        headers.push(RawHeader {
            name,
            name_start: (s - data_start) as u32,
            name_end: (ne - data_start) as u32,
            value_start: (vs - data_start) as u32,
            value_end: (ve - data_start) as u32,
        });
        pos = cr + 2;
    };
    if head_end - data_start > limits.max_message_size {
        return None;
    }
    // RFC 3261 §7.3.1: header text is UTF-8.
    let head = std::str::from_utf8(&data[data_start..head_end]).ok()?;
    let start = parse_start_line(head.get(..start_len)?).ok()?;
    Some(HeadInfo {
        start,
        head,
        body_start: pos,
        content_length,
        content_length_line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swar_masks_are_exact() {
        for b in 0..=255u8 {
            for pos in 0..8 {
                // Neighbours that could borrow or carry into the byte.
                for fill in [0x00u8, 0x1F, 0x20, 0x3A, 0x7F, 0x80, 0xFF] {
                    let mut bytes = [fill; 8];
                    bytes[pos] = b;
                    let w = u64::from_le_bytes(bytes);
                    let want_ctrl: u64 = bytes
                        .iter()
                        .enumerate()
                        .map(|(i, &c)| u64::from(c < 0x20) << (8 * i + 7))
                        .sum();
                    assert_eq!(ctrl_bytes(w), want_ctrl, "{bytes:?}");
                    let want_colon: u64 = bytes
                        .iter()
                        .enumerate()
                        .map(|(i, &c)| u64::from(c == b':') << (8 * i + 7))
                        .sum();
                    assert_eq!(eq_bytes(w, b':'), want_colon, "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn finders_agree_with_a_plain_search() {
        let mut data = vec![b'a'; 70];
        for i in 0..70 {
            for c in [b'\r', b'\n', b'\t', 0u8, b':', 0xC3] {
                data[i] = c;
                for from in [0, 1, 7, 8, 15, 16, 17, 40, 69, 70] {
                    let want = data[from..]
                        .iter()
                        .position(|&c| c < 0x20)
                        .map(|j| from + j);
                    assert_eq!(next_ctrl(&data, from), want);
                    let want = data[from..]
                        .iter()
                        .position(|&c| c == b':')
                        .map(|j| from + j);
                    assert_eq!(next_colon(&data, from), want);
                }
                data[i] = b'a';
            }
        }
    }
}
