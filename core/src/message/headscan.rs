//! The fast header scan: the common case of [`Parser::parse_head`]
//! (every line ends in CRLF and holds no control byte, and no HT or byte
//! from 0x80 but in the second pass below; no folding, header names that
//! are tokens, no LWS before the colon, at most one SP after it and none
//! after the value but in the second pass; limits respected).
//!
//! It gives up (`None`) on anything else, and the parser then runs the
//! reference scan in `parser.rs`, which accepts or reports the exact error.
//! Whenever this scan succeeds its result is the reference's: debug builds
//! (tests, fuzzing) check it on every message.
//!
//! The head is classified 64 bytes at a time with SSE2 (NEON on ARM, plain
//! code elsewhere) through the `wide` crate into a bit mask of its *stop*
//! bytes: control bytes and bytes from 0x80, found by one signed compare
//! per 16 bytes. A line ends at its first stop byte, which must be the CR
//! of its CRLF; that also proves the line is ASCII, so the head needs no
//! UTF-8 check. The 16 bytes at the line start give the colon (one
//! compare) and the header name (one compare against the name table).
//!
//! A head with HT or UTF-8 text (a display name, a reason phrase) stops
//! that scan at the line that holds it; the parser then runs the scan
//! again with `TEXT`, which reads such lines byte by byte and checks the
//! head as UTF-8; it also trims any LWS around a value, where the first
//! scan takes only the single SP that nearly every stack writes after the
//! colon. The loop is the same code, compiled twice, so the first one
//! keeps its registers for the common head.
//!
//! [`Parser::parse_head`]: super::Parser

use wide::{i8x16, u8x16, CmpGt};

use super::limits::ParseLimits;
use super::name::HeaderName;
use super::parsed::{HeaderIndex, RawHeader, MAX_NAME_LEAD, MAX_VALUE_LEN};
use super::parser::{
    parse_content_length, parse_start_line_after_status, simple_status_line, HeadInfo,
};
use super::scan::is_token_char;

/// Bytes classified at once.
const BLOCK: usize = 64;

/// Bit `i` is clear when byte `i` stops a line of the fast scan: a
/// control byte (below 0x20, HT included) or a byte with its high bit set.
/// One signed compare finds both, as bytes from 0x80 are negative. The
/// compare asks "above 0x1F" rather than "below 0x20" so that the bytes
/// are its destination and a block needs no copy of the constant per
/// compare; [`stops`] inverts the mask once per block.
#[inline(always)]
fn text16(chunk: [u8; 16]) -> u16 {
    let v = i8x16::from(chunk.map(|c| c as i8));
    v.cmp_gt(i8x16::splat(0x1F)).move_mask() as u16
}

/// Bit `i` is set when byte `i` stops a line (see [`text16`]).
#[cfg(test)]
fn stop16(chunk: [u8; 16]) -> u64 {
    u64::from(!text16(chunk))
}

/// Bit `i` is set when byte `i` is `:`.
#[inline(always)]
fn colon16(chunk: [u8; 16]) -> u32 {
    u32::from(u8x16::from(chunk).cmp_eq(u8x16::splat(b':')).move_mask() as u16)
}

/// The stop mask (the bytes [`text16`] leaves clear) of the block of
/// [`BLOCK`] bytes at `base`; the bits past the end of the data are clear.
/// The data is each method's argument, not a field: the struct lives in
/// memory (its out-of-line `stop_from` takes it by reference), and the
/// scan keeps the data's address and length in registers.
struct Blocks {
    base: usize,
    stops: u64,
}

/// The stop mask of one block.
#[inline(always)]
fn stops(block: &[u8; BLOCK]) -> u64 {
    let mut text = 0;
    for k in 0..BLOCK / 16 {
        let chunk: [u8; 16] = block[16 * k..16 * k + 16].try_into().unwrap_or_default();
        text |= u64::from(text16(chunk)) << (16 * k);
    }
    !text
}

/// The stop mask of `data[base..]` when the data is shorter than a
/// block: padded with SP (not a stop), so the bits past the end are
/// clear. Out of line: `fill` reads every block of a longer message
/// itself, so only a message shorter than a block comes here.
#[inline(never)]
fn tail_stops(data: &[u8], base: usize) -> u64 {
    let rest = data.get(base..).unwrap_or_default();
    let n = rest.len().min(BLOCK);
    let mut pad = [b' '; BLOCK];
    pad[..n].copy_from_slice(&rest[..n]);
    stops(&pad)
}

impl Blocks {
    fn new(data: &[u8], base: usize) -> Self {
        let mut b = Blocks { base, stops: 0 };
        b.fill(data);
        b
    }

    /// Reads the mask of the block at `base`. The last block of the data,
    /// which is shorter, is read as the last [`BLOCK`] bytes, and its mask
    /// shifted so that its first bit is `base`'s: one path for every
    /// block of a message of at least [`BLOCK`] bytes.
    #[inline(always)]
    fn fill(&mut self, data: &[u8]) {
        // With data of at least a block, `start <= base`, and
        // `base < start + BLOCK` as `base` is before the end of the data:
        // the scan never asks for a block there (shorter data takes
        // `tail_stops`, as `start + BLOCK` is then past the end).
        let start = self.base.min(data.len().wrapping_sub(BLOCK));
        let block = data.get(start..).and_then(|r| r.first_chunk::<BLOCK>());
        self.stops = match block {
            Some(block) => {
                debug_assert!(self.base < data.len());
                stops(block) >> (self.base - start)
            }
            None => tail_stops(data, self.base),
        };
    }

    /// The first stop byte at or after `p`, if it lies at most `max_span`
    /// bytes after `p` (else `None`). Queries only move forward: `p` is
    /// never before the current block (else the scan gives up).
    ///
    /// A stop in the current block is less than [`BLOCK`] bytes after `p`,
    /// so only a search that crosses into later blocks compares the span:
    /// `max_span` must be at least [`BLOCK`].
    #[inline(always)]
    fn next_stop(&mut self, data: &[u8], p: usize, max_span: usize) -> Option<usize> {
        debug_assert!(max_span >= BLOCK);
        let off = p.checked_sub(self.base)?;
        if off < BLOCK {
            let m = self.stops >> off;
            if m != 0 {
                return Some(p + m.trailing_zeros() as usize);
            }
            return self.stop_after_block(data, p, max_span);
        }
        self.stop_from(data, p, max_span)
    }

    /// [`next_stop`](Self::next_stop) when the current block holds no
    /// stop at or after `p`, which lies in it: the first stop of the
    /// blocks after it, whose bits need no shift.
    #[inline(always)]
    fn stop_after_block(&mut self, data: &[u8], p: usize, max_span: usize) -> Option<usize> {
        loop {
            if self.base + BLOCK >= data.len() {
                return None;
            }
            self.base += BLOCK;
            self.fill(data);
            if self.stops != 0 {
                let stop = self.base + self.stops.trailing_zeros() as usize;
                return (stop - p <= max_span).then_some(stop);
            }
        }
    }

    /// [`next_stop`](Self::next_stop) when `p` lies past the current
    /// block (a line that starts right after a block ends): the blocks up
    /// to the one that holds `p`, then the search from `p`. Rare: only
    /// where a CRLF ends a block.
    #[inline(never)]
    fn stop_from(&mut self, data: &[u8], p: usize, max_span: usize) -> Option<usize> {
        // The blocks are skipped unread; the mask is read for the block
        // the search stops at, so that it always matches `base`.
        while p - self.base >= BLOCK {
            if self.base + BLOCK >= data.len() {
                self.fill(data);
                return None;
            }
            self.base += BLOCK;
        }
        self.fill(data);
        self.next_stop(data, p, max_span)
    }
}

/// More room for the index when it holds `count` entries and its buffer
/// or the header limit is full: `None` at the limit, else the buffer,
/// grown, and where its room ends. Out of line: only a head of more
/// headers than the inline capacity gets here.
#[cold]
#[inline(never)]
fn grow(
    headers: &mut HeaderIndex,
    count: usize,
    max_headers: usize,
) -> Option<(*mut RawHeader, *mut RawHeader)> {
    if count >= max_headers {
        return None;
    }
    // SAFETY: the scan wrote entries `0..count`, each below the capacity
    // (see `head`).
    #[allow(unsafe_code)]
    unsafe {
        headers.set_len(count);
    }
    headers.reserve(count.max(1));
    let slots = headers.as_mut_ptr();
    Some((
        slots,
        slots.wrapping_add(headers.capacity().min(max_headers)),
    ))
}

/// The length of the name before the colon of a header line from `s` to
/// its CR at `cr` whose first 16 bytes hold no colon (or that is shorter
/// than 16 bytes), and the name if it is known (`None` for a name of more
/// than [`MAX_NAME_LEAD`] − 2 bytes, which the index could not hold with
/// its colon and an SP: the reference scan takes it). A name of 16 bytes
/// (WWW-Authenticate) has its colon just past the window, checked by one
/// compare. Out of line: few names are that long.
#[inline(never)]
fn colon_past_window(data: &[u8], s: usize, cr: usize) -> Option<(u16, Option<HeaderName>)> {
    if let Some(window) = data.get(s..).and_then(|r| r.first_chunk::<16>()) {
        if data.get(s + 16) == Some(&b':') {
            return Some((16, HeaderName::window_match(16, window)));
        }
    }
    let len = memchr::memchr(b':', data.get(s..cr)?)?;
    if len > MAX_NAME_LEAD - 2 {
        return None;
    }
    let name = HeaderName::from_bytes(data.get(s..s + len)?);
    // At most 253: the cast keeps it.
    Some((len as u16, Some(name).filter(|&n| n != HeaderName::Other)))
}

/// The CR that ends a line whose first stop byte, at `stop`, is not the
/// CR of its CRLF: HT and bytes from 0x80 are text here (`ascii` is
/// cleared on the latter), a bare CR or any other control byte ends the
/// scan. Only [`head`] with `TEXT` calls it.
#[cold]
#[inline(never)]
fn text_line_end(data: &[u8], stop: usize, ascii: &mut bool) -> Option<usize> {
    let rest = data.get(stop..)?;
    for (i, &c) in rest.iter().enumerate() {
        match c {
            b'\r' => return (rest.get(i + 1) == Some(&b'\n')).then_some(stop + i),
            b'\t' | 0x20..=0x7F => {}
            0x80.. => *ascii = false,
            _ => return None,
        }
    }
    None
}

/// The length of the CRLFs that start `data` (RFC 3261 §7.5).
#[cold]
#[inline(never)]
fn leading_crlfs(data: &[u8]) -> usize {
    2 * data.chunks_exact(2).take_while(|c| c == b"\r\n").count()
}

/// Whether an unknown header name is a token (RFC 3261 §25.1), which
/// also rules out an empty name. Out of line: known names need no check,
/// and inline its table address and loop took registers on every line.
#[inline(never)]
fn is_token(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&c| is_token_char(c))
}

/// The fast scan; see the module documentation.
/// The index goes into `headers`, which must be empty; it is left in any
/// state when the scan gives up.
///
/// Without `TEXT` (the common case, tried first) a line that holds HT or
/// a byte from 0x80, or LWS other than one SP after the colon, ends the
/// scan. With `TEXT` such a line is read byte
/// by byte to its CR and the head is checked as UTF-8 at the end; this
/// copy of the loop is only run when the first gave up, so that the
/// first keeps its registers for ASCII heads.
pub(crate) fn head<'a, const TEXT: bool>(
    data: &'a [u8],
    limits: &ParseLimits,
    headers: &mut HeaderIndex,
) -> Option<HeadInfo<'a>> {
    debug_assert!(headers.is_empty());
    // Lines are only measured when they cross a block (see `next_stop`):
    // a limit below a block's length is left to the reference scan.
    if limits.max_line_length < BLOCK {
        return None;
    }
    // Offsets are u32 (`RawHeader`). A head past `u32::MAX` gets entries
    // with cut offsets, but is also longer than the message size limit
    // (`Parser::new` keeps it at most `u32::MAX`), so the scan gives up
    // at its end and the entries are dropped.
    debug_assert!(limits.max_message_size <= u32::MAX as usize);
    // RFC 3261 §7.5: CRLFs before the start line are skipped. The scan
    // then runs on the rest, so that its positions are the index's
    // offsets (which count from the start line) with no subtraction.
    // Rare: one compare for the common case, the loop out of line.
    let lead = if data.starts_with(b"\r\n") {
        leading_crlfs(data)
    } else {
        0
    };
    let data = &data[lead..];
    let mut pos = 0;
    let mut blocks = Blocks::new(data, 0);
    let crlf_at = |cr: usize| data.get(cr..).and_then(|r| r.first_chunk::<2>()) == Some(b"\r\n");

    // Whether every line so far held only ASCII (always, without TEXT).
    let mut ascii = true;
    let mut sl_end = blocks.next_stop(data, pos, limits.max_line_length)?;
    if !crlf_at(sl_end) {
        if !TEXT {
            return None;
        }
        sl_end = text_line_end(data, sl_end, &mut ascii)?;
    }
    if sl_end - pos > limits.max_line_length {
        return None;
    }
    let start_len = sl_end - pos;
    pos = sl_end + 2;

    let mut content_length: Option<usize> = None;
    // Without folds, header `i` (from 0) is on line `i + 2`.
    let mut content_length_line = 0;
    // The limits as locals, so that the loop keeps them in registers. A
    // line longer than the index's longest value is left to the reference
    // scan, so that no value here is (see `RawHeader::new_within_bounds`).
    let max_headers = limits.max_headers;
    let max_line = limits.max_line_length.min(MAX_VALUE_LEN);
    // The index is written in place from `slots`, the next entry at
    // `next`, and its length set once at the end: a `push` a line read
    // and wrote the length in memory and tested where the buffer is.
    // `end` is where the buffer or the header limit runs out. (Pointers
    // rather than a count and a limit: one register less in the loop.)
    let mut slots = headers.as_mut_ptr();
    let mut next = slots;
    let mut end = slots.wrapping_add(headers.capacity().min(max_headers));
    // The number of entries written.
    let written = |slots: *mut RawHeader, next: *mut RawHeader| {
        (next as usize - slots as usize) / std::mem::size_of::<RawHeader>()
    };
    // LWS within a line: SP, and HT, which only a `TEXT` line can hold
    // (HT is a stop byte of the ASCII scan).
    let is_lws = |c: u8| c == b' ' || c == b'\t';
    let head_end = loop {
        let s = pos;
        // The line's end comes first and from the line start alone, so
        // that the next line's start waits on one bit scan, not on the
        // colon and name lookup of this line (those overlap the next
        // line's work). The first stop byte of the line must be the CR of
        // its CRLF, which also proves the line holds no other.
        // The line length is checked by `next_stop` (only a line that
        // crosses a block can be too long) or after `text_line_end`.
        let mut cr = blocks.next_stop(data, s, max_line)?;
        if !crlf_at(cr) {
            if !TEXT {
                return None;
            }
            cr = text_line_end(data, cr, &mut ascii)?;
            if cr - s > max_line {
                return None;
            }
        }
        // The empty line ends the head; the body starts after its CRLF.
        if cr == s {
            break s;
        }
        // The colon: in the 16 bytes at the line start for names of up to
        // 15 bytes (the common case, whose name the window then gives),
        // else searched for up to the CR (`colon_past_window`).
        let (name_len, known) = match data[s..].first_chunk::<16>() {
            Some(window) => match colon16(*window) {
                0 => colon_past_window(data, s, cr)?,
                m => {
                    let name_len = m.trailing_zeros() as usize;
                    (name_len as u16, HeaderName::window_match(name_len, window))
                }
            },
            None => colon_past_window(data, s, cr)?,
        };
        let colon = s + usize::from(name_len);
        if colon >= cr {
            return None;
        }
        // A known name matched byte for byte is a token; anything else is
        // checked here. An empty name, a fold (a line that starts with SP
        // or HT) and LWS before the colon fail here too: the reference
        // scan takes them.
        let name = match known {
            Some(name) => name,
            None if is_token(&data[s..colon]) => HeaderName::Other,
            None => return None,
        };
        // One SP after the colon is the common case.
        let mut vs = colon + 1;
        if data[vs] == b' ' {
            vs += 1;
        }
        let mut ve = cr;
        if TEXT {
            while vs < cr && is_lws(data[vs]) {
                vs += 1;
            }
            while ve > vs && is_lws(data[ve - 1]) {
                ve -= 1;
            }
        } else if data[vs] == b' ' || data[cr - 1] == b' ' {
            // More LWS than one SP after the colon, or LWS after the
            // value (or an SP alone): rare, and left to the scan with
            // `TEXT`, which trims it (HT never reaches here: it is a stop
            // byte).
            return None;
        }
        if name == HeaderName::ContentLength {
            let cl = parse_content_length(&data[vs..ve])?;
            if content_length.is_some_and(|prev| prev != cl) {
                return None;
            }
            if content_length.is_none() {
                content_length_line = written(slots, next) as u32 + 2;
            }
            content_length = Some(cl);
        }
        if next == end {
            let count = written(slots, next);
            (slots, end) = grow(headers, count, max_headers)?;
            next = slots.wrapping_add(count);
        }
        // Without TEXT the value starts at most two bytes after a name of
        // at most `MAX_NAME_LEAD - 2` bytes (`colon_past_window`), and a
        // line is at most `MAX_VALUE_LEN` bytes (`max_line`); with TEXT
        // the LWS around the colon has no bound, and is checked.
        let entry = if TEXT {
            RawHeader::new(s, vs, ve, name)?
        } else {
            RawHeader::new_within_bounds(s, vs, ve, name)
        };
        // SAFETY: `slots` is the buffer of `headers`: read from it before
        // the loop or by `grow`, and `headers` is not touched in between.
        // `next` lies in it, before `end`, which is at most its capacity
        // from `slots`. The entry is `Copy`, so a slot it overwrites
        // needs no drop.
        #[allow(unsafe_code)]
        unsafe {
            next.write(entry);
        }
        next = next.wrapping_add(1);
        pos = cr + 2;
    };
    let count = written(slots, next);
    // SAFETY: entries `0..count` were written above (each below the
    // capacity, in the buffer `headers` holds now).
    #[allow(unsafe_code)]
    unsafe {
        headers.set_len(count);
    }
    if head_end > limits.max_message_size {
        return None;
    }
    // RFC 3261 §7.3.1: header text is UTF-8. An ASCII head needs no
    // check: `str::from_utf8` would cost about 0.6 instructions a byte,
    // 230 to 350 on a typical head.
    let bytes = &data[..head_end];
    let head = if ascii {
        debug_assert!(bytes.is_ascii());
        // SAFETY: `bytes` is the start line and the header lines, each with
        // its CRLF, one after the other. A line runs from its start `s` to
        // its CR. When that CR is `next_stop(s)`, the first stop byte at or
        // after `s`, none of the line's bytes is a stop byte (`text16`:
        // below 0x20 or from 0x80). Otherwise (only with `TEXT`)
        // `text_line_end` read the line byte by byte and cleared `ascii` on
        // any byte from 0x80, and `ascii` is still set. So every byte is
        // ASCII, and ASCII is valid UTF-8.
        #[allow(unsafe_code)]
        unsafe {
            std::str::from_utf8_unchecked(bytes)
        }
    } else {
        std::str::from_utf8(bytes).ok()?
    };
    // A status line inline (a few compares), a request line out of line.
    let line = head.get(..start_len)?;
    let start = match simple_status_line(line) {
        Some(start) => start,
        None => parse_start_line_after_status(line).ok()?,
    };
    Some(HeadInfo {
        start,
        head,
        body_start: lead + head_end + 2,
        content_length,
        content_length_line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_mark_exactly_the_stops_and_colons() {
        for b in 0..=255u8 {
            for pos in 0..16 {
                for fill in [0x00u8, 0x09, 0x1F, 0x20, 0x3A, 0x7F, 0x80, 0xFF] {
                    let mut chunk = [fill; 16];
                    chunk[pos] = b;
                    let (stop, colon) = (stop16(chunk), colon16(chunk));
                    for (i, &c) in chunk.iter().enumerate() {
                        assert_eq!(stop >> i & 1 == 1, !(0x20..0x80).contains(&c), "{chunk:?}");
                        assert_eq!(colon >> i & 1 == 1, c == b':', "{chunk:?}");
                    }
                    assert_eq!(stop >> 16, 0);
                    assert_eq!(colon >> 16, 0);
                }
            }
        }
    }

    /// Lines the fast scan must leave to the reference: an empty name, a
    /// fold, a name longer than the window, a colon only on a later line,
    /// LWS before the colon.
    #[test]
    fn odd_lines_fall_back_to_the_reference() {
        let limits = ParseLimits::default();
        for text in [
            &b"OPTIONS sip:a SIP/2.0\r\n:x: 1\r\n\r\n"[..],
            b"OPTIONS sip:a SIP/2.0\r\nSubject\t : a\r\n\r\n",
            b"OPTIONS sip:a SIP/2.0\r\nSubject: a\r\n b\r\n\r\n",
            b"OPTIONS sip:a SIP/2.0\r\nNoColonHere\r\nX: y\r\n\r\n",
            b"OPTIONS sip:a SIP/2.0\r\nX\0: y\r\n\r\n",
        ] {
            let mut headers = HeaderIndex::new();
            assert_eq!(head::<false>(text, &limits, &mut headers), None, "{text:?}");
            headers.clear();
            assert_eq!(head::<true>(text, &limits, &mut headers), None, "{text:?}");
        }
        // The reference then takes LWS before the colon (RFC 3261 §7.3.1).
        let lws = super::super::parse(b"OPTIONS sip:a SIP/2.0\r\nSubject\t : a\r\n\r\n");
        assert_eq!(lws.map(|m| m.header_str("subject")), Ok(Some("a")));
        // HT and UTF-8 text stop the ASCII scan; the scan with TEXT reads
        // their lines byte by byte, to the reference's message (which
        // debug builds check on every parse). So do more LWS than one SP
        // after the colon and LWS after a value, which it trims.
        for (text, subject) in [
            ("OPTIONS sip:a SIP/2.0\r\nSubject:\ta\tb\r\n\r\n", "a\tb"),
            ("OPTIONS sip:a SIP/2.0\r\nSubject: Jürgen\r\n\r\n", "Jürgen"),
            ("SIP/2.0 183 Sessão em andamento\r\nSubject: x\r\n\r\n", "x"),
            ("OPTIONS sip:a SIP/2.0\r\nSubject:  a\r\nl: 0\r\n\r\n", "a"),
            (
                "OPTIONS sip:a SIP/2.0\r\nl: 0 \r\nSubject:   a b  \r\n\r\n",
                "a b",
            ),
            ("OPTIONS sip:a SIP/2.0\r\nl:  0\r\nSubject:  \r\n\r\n", ""),
            ("OPTIONS sip:a SIP/2.0\r\nSubject: \r\nl: 0\r\n\r\n", ""),
        ] {
            let mut headers = HeaderIndex::new();
            assert_eq!(
                head::<false>(text.as_bytes(), &limits, &mut headers),
                None,
                "{text:?}"
            );
            headers.clear();
            let h = head::<true>(text.as_bytes(), &limits, &mut headers);
            assert_eq!(h.map(|h| h.head.len()), Some(text.len() - 2), "{text:?}");
            let m = super::super::parse(text.as_bytes());
            assert_eq!(
                m.map(|m| m.header_str("subject")),
                Ok(Some(subject)),
                "{text:?}"
            );
        }
        // With TEXT, bytes that are not UTF-8, and control bytes other
        // than HT, still end the scan.
        for text in [
            &b"OPTIONS sip:a SIP/2.0\r\nSubject: \xC3(\r\n\r\n"[..],
            b"OPTIONS sip:a SIP/2.0\r\nSubject: \xFF\r\n\r\n",
            b"OPTIONS sip:a SIP/2.0\r\nSubject: \xC3\xA9\x01\r\n\r\n",
            b"OPTIONS sip:a SIP/2.0\r\nSubject: \xC3\xA9\rx\r\n\r\n",
        ] {
            let mut headers = HeaderIndex::new();
            assert_eq!(head::<true>(text, &limits, &mut headers), None, "{text:?}");
        }
        // The common shapes take the fast scan, whatever their length.
        for text in [
            &b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.101:5060;rport;branch=z9hG4bK776asdhds\r\nMax-Forwards: 70\r\nTo: Bob <sip:bob@biloxi.example.com>\r\nFrom: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\nCall-ID: a84b4c76e66710@pc33.atlanta.example.com\r\nCSeq: 314159 INVITE\r\nContent-Length: 0\r\n\r\n"[..],
            b"SIP/2.0 200 OK\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1\r\ni: x\r\nl: 0\r\n\r\n",
            b"\r\n\r\nSIP/2.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"a\", nonce=\"b\"\r\nContent-Length: 0\r\n\r\n",
            b"OPTIONS sip:a SIP/2.0\r\nSubject:\r\nTo:<sip:b>\r\nX:\r\n\r\n",
            b"OPTIONS sip:a SIP/2.0\r\n\r\n",
        ] {
            let mut headers = HeaderIndex::new();
            assert!(head::<false>(text, &limits, &mut headers).is_some(), "{text:?}");
        }
        // A name past the 16-byte window still resolves, and so does one
        // of exactly 16 bytes, whose colon is the byte after the window.
        let long = b"OPTIONS sip:a SIP/2.0\r\nP-Preferred-Identity: <sip:a@b>\r\nX-A-Very-Long-Header-Name:1\r\nwww-authenticate: Digest realm=\"a\"\r\nX-Sixteen-Bytes!:2\r\n\r\n";
        let mut headers = HeaderIndex::new();
        assert!(head::<false>(long, &limits, &mut headers).is_some());
        assert_eq!(headers[0].name, HeaderName::PPreferredIdentity);
        assert_eq!(headers[1].name, HeaderName::Other);
        assert_eq!(headers[1].name_len(long), 25);
        assert_eq!(headers[2].name, HeaderName::WwwAuthenticate);
        assert_eq!(headers[2].name_len(long), 16);
        assert_eq!(
            (headers[3].name, headers[3].name_len(long)),
            (HeaderName::Other, 16)
        );
    }

    /// The index written in place holds every header, past the inline
    /// capacity (where it moves to the heap) too, and the header limit
    /// holds at, below and above that capacity.
    #[test]
    fn index_grows_and_the_header_limit_holds() {
        use super::super::parsed::INLINE_HEADERS;
        use super::super::{ParseErrorKind, Parser};
        for n in [
            0,
            1,
            INLINE_HEADERS - 1,
            INLINE_HEADERS,
            INLINE_HEADERS + 1,
            3 * INLINE_HEADERS + 5,
        ] {
            let mut msg = String::from("OPTIONS sip:a SIP/2.0\r\n");
            for i in 0..n {
                msg += &format!("X-H{i}: v{i}\r\n");
            }
            msg += "\r\n";
            for max_headers in [0, 1, INLINE_HEADERS, INLINE_HEADERS + 1, n, n + 1, 256] {
                let limits = ParseLimits {
                    max_headers,
                    ..ParseLimits::default()
                };
                let mut headers = HeaderIndex::new();
                let fast = head::<false>(msg.as_bytes(), &limits, &mut headers);
                assert_eq!(fast.is_some(), n <= max_headers, "{n} {max_headers}");
                if fast.is_some() {
                    assert_eq!(headers.len(), n);
                    for (i, h) in headers.iter().enumerate() {
                        let at = h.name_start();
                        assert_eq!(&msg[at..at + h.name_len(msg.as_bytes())], format!("X-H{i}"));
                        let value = &msg[h.value_start()..h.value_end()];
                        assert_eq!(value, format!("v{i}"));
                    }
                }
                match Parser::new(limits).parse_datagram(msg.as_bytes()) {
                    Ok(m) => {
                        assert!(n <= max_headers);
                        assert_eq!(m.headers().count(), n);
                        assert_eq!(m.header_str(&format!("x-h{}", n / 2)).is_some(), n > 0);
                    }
                    Err(e) => {
                        assert!(n > max_headers, "{n} {max_headers}: {e}");
                        assert_eq!(
                            e.kind,
                            ParseErrorKind::TooManyHeaders { limit: max_headers }
                        );
                    }
                }
            }
        }
    }

    /// The line length limit holds for lines in one block, lines across
    /// blocks, the start line and TEXT lines, and a limit below a block
    /// leaves the head to the reference scan.
    #[test]
    fn line_limit_holds_across_blocks() {
        use super::super::{ParseErrorKind, Parser};
        for max_line in [1, 20, 63, 64, 65, 100, 130] {
            let limits = ParseLimits {
                max_line_length: max_line,
                ..ParseLimits::default()
            };
            for pad in [0usize, 1, 30, 63, 64, 70, 130] {
                for len in [max_line.saturating_sub(1), max_line, max_line + 1] {
                    for text in [false, true] {
                        // "Subject: " and the value, `len` bytes in all,
                        // after `pad` bytes of another header.
                        let value_len = len.saturating_sub(9).max(1);
                        let mut value = "v".repeat(value_len);
                        if text {
                            value.replace_range(0..1, "\t");
                        }
                        let msg = format!(
                            "OPTIONS sip:a SIP/2.0\r\nX: {}\r\nSubject: {value}\r\n\r\n",
                            "p".repeat(pad)
                        );
                        let longest = (9 + value_len).max(3 + pad).max(21);
                        let fits = longest <= max_line;
                        let mut headers = HeaderIndex::new();
                        let fast = head::<true>(msg.as_bytes(), &limits, &mut headers);
                        assert_eq!(
                            fast.is_some(),
                            fits && max_line >= BLOCK,
                            "{max_line} {msg:?}"
                        );
                        let parsed = Parser::new(limits).parse_datagram(msg.as_bytes());
                        match parsed {
                            Ok(_) => assert!(fits, "{max_line} {msg:?}"),
                            Err(e) => {
                                assert!(!fits, "{max_line} {msg:?}: {e}");
                                assert!(
                                    matches!(e.kind, ParseErrorKind::LineTooLong { .. }),
                                    "{e}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn block_queries_agree_with_a_plain_search() {
        let plain = |data: &[u8], from: usize, f: fn(u8) -> bool| {
            data[from..].iter().position(|&c| f(c)).map(|j| from + j)
        };
        let is_stop: fn(u8) -> bool = |c| !(0x20..0x80).contains(&c);
        for len in [0, 1, 15, 16, 63, 64, 65, 130, 200] {
            let mut data = vec![b'a'; len];
            for i in 0..len {
                for c in [b'\r', b'\n', b'\t', 0u8, b':', 0xC3] {
                    data[i] = c;
                    // Each query starts at or after the previous answer, as
                    // in the scan.
                    for (step, start) in [(1, 0), (7, 0), (63, 0), (64, 3), (65, 17), (1, 64)] {
                        // The scan starts its blocks before the end of the
                        // data, or at 0 when there is none.
                        if start >= len && start > 0 {
                            continue;
                        }
                        let mut blocks = Blocks::new(&data, start);
                        // Before the first block there is nothing to find.
                        assert_eq!(
                            start.checked_sub(1).and_then(|p| blocks.next_stop(
                                &data,
                                p,
                                usize::MAX
                            )),
                            None
                        );
                        let mut blocks = Blocks::new(&data, start);
                        let mut from = start;
                        while from <= len {
                            let got = blocks.next_stop(&data, from, usize::MAX);
                            assert_eq!(got, plain(&data, from, is_stop), "{len} {i} {c} {from}");
                            from = (from + step).max(got.map_or(0, |g| g + 1));
                        }
                    }
                    data[i] = b'a';
                }
            }
        }
    }
}
