//! The parser: start line, header index and body (RFC 3261 §7, §18.3).
//!
//! One pass over the bytes finds every line with `memchr`, resolves each
//! header name once, and records offsets; nothing is copied and, for a
//! message of up to [`INLINE_HEADERS`](super::parsed::INLINE_HEADERS)
//! headers, nothing is allocated. Header values are parsed into typed views
//! only when asked for.

use super::error::{ParseError, ParseErrorKind as K};
use super::method::Method;
use super::name::HeaderName;
use super::parsed::{HeaderIndex, Message, RawHeader, StartLine, MAX_NAME_LEAD, MAX_VALUE_LEN};
use super::scan::is_token_char;
use super::ParseLimits;
use wide::u8x16;

/// Parses one SIP message from a datagram with the default limits.
///
/// Datagram rules (RFC 3261 §18.3): the body is sliced by Content-Length and
/// any octets after it are ignored (RFC 4475 §3.1.1.8); without
/// Content-Length the body runs to the end of the datagram.
///
/// # Examples
///
/// ```
/// let msg = geosip_core::message::parse(b"SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n").unwrap();
/// assert_eq!(msg.status(), Some(200));
/// assert_eq!(msg.reason(), Some("OK"));
/// ```
#[inline]
pub fn parse(data: &[u8]) -> Result<Message<'_>, ParseError> {
    Parser::default().parse_datagram(data)
}

/// A parser with its [`ParseLimits`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Parser {
    limits: ParseLimits,
}

/// What the header scan found, before the body is sliced.
#[derive(Debug)]
pub(crate) struct Head<'a> {
    pub start: StartLine<'a>,
    pub head: &'a str,
    pub headers: HeaderIndex,
    /// Offset of the first body byte.
    pub body_start: usize,
    pub content_length: Option<usize>,
}

/// [`Head`] without the header index, which the scans write into a
/// caller's index so that it is not moved around.
#[derive(Debug, PartialEq)]
pub(crate) struct HeadInfo<'a> {
    pub start: StartLine<'a>,
    pub head: &'a str,
    /// Offset of the first body byte.
    pub body_start: usize,
    pub content_length: Option<usize>,
    /// The line of the (first) Content-Length header, 0 if none.
    pub content_length_line: u32,
}

impl Parser {
    /// A parser with these limits. A message size limit above `u32::MAX`
    /// (4 GiB) is taken as `u32::MAX`: the header index holds u32 offsets.
    pub fn new(limits: ParseLimits) -> Self {
        Parser {
            limits: ParseLimits {
                max_message_size: limits.max_message_size.min(u32::MAX as usize),
                ..limits
            },
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &ParseLimits {
        &self.limits
    }

    /// Parses a message from one datagram (see [`parse`]).
    pub fn parse_datagram<'a>(&self, data: &'a [u8]) -> Result<Message<'a>, ParseError> {
        if data.len() > self.limits.max_message_size {
            return Err(ParseError::new(
                K::TooLarge {
                    limit: self.limits.max_message_size,
                },
                0,
            ));
        }
        let mut headers = HeaderIndex::new();
        // `parse_head_into`, written out: the head's result is used where
        // it lands instead of being moved through a `Result` first.
        let h = match super::headscan::head::<false>(data, &self.limits, &mut headers) {
            Some(h) => self.checked(data, &headers, h),
            None => self.parse_head_text(data, &mut headers)?,
        };
        let rest = &data[h.body_start..];
        let body = match h.content_length {
            Some(cl) if cl > rest.len() => {
                return Err(ParseError {
                    kind: K::BodyTooShort {
                        expected: cl,
                        actual: rest.len(),
                    },
                    line: h.content_length_line,
                    header: Some("Content-Length"),
                })
            }
            Some(cl) => &rest[..cl],
            None => rest,
        };
        Ok(Message::from_parts(h.start, h.head, headers, body))
    }

    /// Parses a message taken from a stream, where Content-Length is
    /// required (RFC 3261 §18.3) and `data` must hold at least the whole
    /// message. Bytes after the body are not part of the message.
    pub fn parse_stream_message<'a>(&self, data: &'a [u8]) -> Result<Message<'a>, ParseError> {
        let mut headers = HeaderIndex::new();
        let h = self.parse_head_into(data, &mut headers)?;
        let cl = h.content_length.ok_or(ParseError {
            kind: K::MissingContentLength,
            line: 0,
            header: Some("Content-Length"),
        })?;
        let rest = &data[h.body_start..];
        if cl > rest.len() {
            return Err(ParseError {
                kind: K::BodyTooShort {
                    expected: cl,
                    actual: rest.len(),
                },
                line: h.content_length_line,
                header: Some("Content-Length"),
            });
        }
        Ok(Message::from_parts(h.start, h.head, headers, &rest[..cl]))
    }

    /// Scans the start line and headers. `data` may hold more than the head.
    ///
    /// The fast scan of `headscan.rs` handles the common case (first for
    /// ASCII heads without HT, then for any UTF-8 head); anything it does
    /// not handle, errors included, goes through the reference scan.
    pub(crate) fn parse_head<'a>(&self, data: &'a [u8]) -> Result<Head<'a>, ParseError> {
        let mut headers = HeaderIndex::new();
        let h = self.parse_head_into(data, &mut headers)?;
        Ok(Head {
            start: h.start,
            head: h.head,
            headers,
            body_start: h.body_start,
            content_length: h.content_length,
        })
    }

    /// [`parse_head`](Self::parse_head) writing the index into `headers`
    /// (cleared first).
    #[inline]
    fn parse_head_into<'a>(
        &self,
        data: &'a [u8],
        headers: &mut HeaderIndex,
    ) -> Result<HeadInfo<'a>, ParseError> {
        headers.clear();
        match super::headscan::head::<false>(data, &self.limits, headers) {
            Some(h) => Ok(self.checked(data, headers, h)),
            None => self.parse_head_text(data, headers),
        }
    }

    /// After the ASCII scan gave up (a line with HT or UTF-8 text, or
    /// anything the reference must decide): the fast scan again, reading
    /// such lines byte by byte, then the reference scan. Out of line, so
    /// that the common path keeps its shape.
    #[inline(never)]
    fn parse_head_text<'a>(
        &self,
        data: &'a [u8],
        headers: &mut HeaderIndex,
    ) -> Result<HeadInfo<'a>, ParseError> {
        headers.clear();
        match super::headscan::head::<true>(data, &self.limits, headers) {
            Some(h) => Ok(self.checked(data, headers, h)),
            None => self.parse_head_reference(data, headers),
        }
    }

    /// A fast scan's result `h`, which debug builds (the tests and the
    /// fuzzers) first check against the reference scan's.
    #[inline(always)]
    fn checked<'a>(&self, data: &'a [u8], headers: &HeaderIndex, h: HeadInfo<'a>) -> HeadInfo<'a> {
        #[cfg(debug_assertions)]
        {
            let mut again = HeaderIndex::new();
            let reference = self.parse_head_reference(data, &mut again);
            assert_eq!(reference.as_ref(), Ok(&h), "fast head scan disagrees");
            assert_eq!(&again, headers, "fast head scan disagrees");
        }
        #[cfg(not(debug_assertions))]
        let _ = (data, headers);
        h
    }

    /// The reference scan: every rule of RFC 3261 §7 and §25.1 that the
    /// head is held to, one line at a time, with the exact error.
    #[inline(never)]
    fn parse_head_reference<'a>(
        &self,
        data: &'a [u8],
        headers: &mut HeaderIndex,
    ) -> Result<HeadInfo<'a>, ParseError> {
        headers.clear();
        // RFC 3261 §7.5: CRLFs before the start line are ignored.
        let mut pos = 0;
        while data.len() >= pos + 2 && data[pos] == b'\r' && data[pos + 1] == b'\n' {
            pos += 2;
        }
        let data_start = pos;
        if pos >= data.len() {
            return Err(ParseError::new(K::Empty, 1));
        }
        let limits = &self.limits;

        // Start line.
        let sl_end = find_crlf(data, pos, 1)?;
        if sl_end - pos > limits.max_line_length {
            return Err(ParseError::new(
                K::LineTooLong {
                    limit: limits.max_line_length,
                },
                1,
            ));
        }
        let start_line = &data[pos..sl_end];
        // Every line found so far ended in CRLF; counting them lets one
        // pass at the end prove that no bare CR hides inside a line.
        let mut crlfs: usize = 1;
        pos = sl_end + 2;

        // Headers.
        let mut line: u32 = 1;
        let mut content_length: Option<usize> = None;
        let mut content_length_line = 0;
        let head_end;
        loop {
            line += 1;
            let Some(&first) = data.get(pos) else {
                return Err(ParseError::new(K::Incomplete, line));
            };
            if first == b'\r' {
                if data.get(pos + 1) == Some(&b'\n') {
                    head_end = pos;
                    pos += 2;
                    break;
                }
                return Err(ParseError::new(
                    if pos + 1 >= data.len() {
                        K::Incomplete
                    } else {
                        K::BadLineEnding
                    },
                    line,
                ));
            }
            if headers.len() >= limits.max_headers {
                return Err(ParseError::new(
                    K::TooManyHeaders {
                        limit: limits.max_headers,
                    },
                    line,
                ));
            }
            let line_start = pos;
            while pos < data.len() && is_token_char(data[pos]) {
                pos += 1;
            }
            let name_end = pos;
            if name_end == line_start {
                return Err(ParseError::new(
                    K::BadHeaderLine(if first == b' ' || first == b'\t' {
                        "continuation line without a header"
                    } else {
                        "header name is not a token"
                    }),
                    line,
                ));
            }
            while pos < data.len() && (data[pos] == b' ' || data[pos] == b'\t') {
                pos += 1;
            }
            match data.get(pos) {
                Some(b':') => pos += 1,
                None => return Err(ParseError::new(K::Incomplete, line)),
                Some(_) => {
                    return Err(ParseError::new(
                        K::BadHeaderLine("missing ':' after the header name"),
                        line,
                    ))
                }
            }
            // The logical line ends at a CRLF not followed by SP or HT
            // (RFC 3261 §7.3.1 folding).
            let header_line = line;
            let mut search = pos;
            let value_end = loop {
                let cr = find_crlf(data, search, line)?;
                crlfs += 1;
                match data.get(cr + 2) {
                    Some(b' ' | b'\t') => {
                        line += 1;
                        search = cr + 2;
                    }
                    Some(_) => break cr,
                    None => return Err(ParseError::new(K::Incomplete, line)),
                }
            };
            if value_end - line_start > limits.max_line_length {
                return Err(ParseError::new(
                    K::LineTooLong {
                        limit: limits.max_line_length,
                    },
                    header_line,
                ));
            }
            // Trim LWS (folds included) around the value.
            let mut vs = pos;
            while vs < value_end && matches!(data[vs], b' ' | b'\t' | b'\r' | b'\n') {
                vs += 1;
            }
            let mut ve = value_end;
            while ve > vs && matches!(data[ve - 1], b' ' | b'\t' | b'\r' | b'\n') {
                ve -= 1;
            }
            let name = HeaderName::from_bytes(&data[line_start..name_end]);
            if vs - line_start > MAX_NAME_LEAD {
                return Err(ParseError::new(
                    K::BadHeaderLine("header name, colon and white space longer than 255 bytes"),
                    header_line,
                ));
            }
            if ve - vs > MAX_VALUE_LEN {
                return Err(ParseError::new(
                    K::BadHeaderLine("header value longer than 65,535 bytes"),
                    header_line,
                ));
            }
            if name == HeaderName::ContentLength {
                let cl = parse_content_length(&data[vs..ve]).ok_or(ParseError {
                    kind: K::BadContentLength,
                    line: header_line,
                    header: Some("Content-Length"),
                })?;
                if content_length.is_some_and(|prev| prev != cl) {
                    return Err(ParseError {
                        kind: K::ConflictingContentLength,
                        line: header_line,
                        header: Some("Content-Length"),
                    });
                }
                if content_length.is_none() {
                    content_length_line = header_line;
                }
                content_length = Some(cl);
            }
            // Within the bounds checked above; the only way to fail is an
            // offset a u32 cannot hold, in a head of 4 GiB or more, which
            // is past the message size limit (`Parser::new` keeps it at
            // most `u32::MAX`).
            let entry = RawHeader::new(
                line_start - data_start,
                vs - data_start,
                ve - data_start,
                name,
            )
            .ok_or_else(|| {
                ParseError::new(
                    K::TooLarge {
                        limit: limits.max_message_size,
                    },
                    header_line,
                )
            })?;
            headers.push(entry);
            pos = value_end + 2;
        }
        if head_end - data_start > limits.max_message_size {
            return Err(ParseError::new(
                K::TooLarge {
                    limit: limits.max_message_size,
                },
                line,
            ));
        }

        // A CR that does not start a CRLF would let a value smuggle a line
        // break past other parsers (RFC 3261 §25.1 allows CR only in CRLF).
        let head_bytes = &data[data_start..head_end];
        if memchr::memchr_iter(b'\r', head_bytes).count() != crlfs {
            let at = memchr::memchr_iter(b'\r', head_bytes)
                .find(|&i| head_bytes.get(i + 1) != Some(&b'\n'))
                .unwrap_or(0);
            let line = 1 + memchr::memchr_iter(b'\n', &head_bytes[..at]).count() as u32;
            return Err(ParseError::new(K::BadLineEnding, line));
        }

        // RFC 3261 §7.3.1: header text is UTF-8.
        let head = match std::str::from_utf8(&data[data_start..head_end]) {
            Ok(h) => h,
            Err(e) => {
                let upto = &data[data_start..data_start + e.valid_up_to()];
                let line = 1 + memchr::memchr_iter(b'\n', upto).count() as u32;
                return Err(ParseError::new(K::NotUtf8, line));
            }
        };
        let start = parse_start_line(&head[..start_line.len()])?;
        Ok(HeadInfo {
            start,
            head,
            body_start: pos,
            content_length,
            content_length_line,
        })
    }
}

/// Finds the CRLF that ends the line at `from`; a bare LF is an error.
#[inline]
fn find_crlf(data: &[u8], from: usize, line: u32) -> Result<usize, ParseError> {
    match memchr::memchr(b'\n', &data[from..]) {
        Some(i) => {
            let lf = from + i;
            if lf == from || data[lf - 1] != b'\r' {
                Err(ParseError::new(K::BadLineEnding, line))
            } else {
                Ok(lf - 1)
            }
        }
        None => Err(ParseError::new(K::Incomplete, line)),
    }
}

/// RFC 3261 §20.14: `1*DIGIT`, which rules out signs (RFC 4475 §3.1.2.3).
pub(super) fn parse_content_length(v: &[u8]) -> Option<usize> {
    if v.is_empty() || v.len() > 19 {
        return None;
    }
    // At most 19 digits: below 10^19, which a u64 holds, so the sum needs
    // no overflow checks; usize may be narrower.
    let mut n: u64 = 0;
    for &c in v {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(c - b'0');
    }
    usize::try_from(n).ok()
}

/// Parses a Request-Line or Status-Line (RFC 3261 §7.1, §7.2). Elements are
/// separated by exactly one SP (RFC 4475 §3.1.2.8 to §3.1.2.10).
pub(super) fn parse_start_line(line: &str) -> Result<StartLine<'_>, ParseError> {
    if let Some(start) = simple_status_line(line) {
        debug_assert_eq!(start_line_reference(line), Ok(start));
        return Ok(start);
    }
    parse_start_line_after_status(line)
}

/// [`parse_start_line`] for a line that [`simple_status_line`] did not
/// take (the fast scan tries that one inline).
pub(super) fn parse_start_line_after_status(line: &str) -> Result<StartLine<'_>, ParseError> {
    if let Some(start) = simple_request_line(line) {
        debug_assert_eq!(start_line_reference(line), Ok(start));
        return Ok(start);
    }
    start_line_reference(line)
}

/// The common Status-Line (RFC 3261 §7.2), `SIP/2.0 SP 3DIGIT [SP
/// Reason-Phrase]` with a code from 100 to 699, by one word compare;
/// `None` for anything else, which the full parse handles.
#[inline(always)]
pub(super) fn simple_status_line(line: &str) -> Option<StartLine<'_>> {
    let b = line.as_bytes();
    let (&head, _) = b.split_first_chunk::<12>()?;
    let [v0, v1, v2, v3, v4, v5, v6, v7, c0, c1, c2, sp] = head;
    if [v0, v1, v2, v3, v4, v5, v6, v7] != *b"SIP/2.0 " || sp != b' ' {
        return None;
    }
    let digit = |c: u8| c.wrapping_sub(b'0');
    let (h, t, u) = (digit(c0), digit(c1), digit(c2));
    if !(1..=6).contains(&h) || t > 9 || u > 9 {
        return None;
    }
    Some(StartLine::Response {
        version: line.get(..7)?,
        code: u16::from(h) * 100 + u16::from(t) * 10 + u16::from(u),
        reason: line.get(12..)?,
    })
}

/// The common Request-Line, `Method SP Request-URI SP SIP/2.0` with a
/// token method and a URI without SP that starts with a scheme, in one
/// pass; `None` for anything else, which the full parse handles.
#[inline(always)]
fn simple_request_line(line: &str) -> Option<StartLine<'_>> {
    use super::class;
    let b = line.as_bytes();
    let front = b.strip_suffix(b" SIP/2.0")?;
    // The method ends at the first SP: in the first 16 bytes by one
    // vector compare, else (a long extension method) by a token span.
    let sp = match front.first_chunk::<16>() {
        Some(&w) => match u8x16::from(w).cmp_eq(u8x16::splat(b' ')).move_mask() {
            0 => class::span(front, 0, class::TOKEN),
            m => m.trailing_zeros() as usize,
        },
        None => class::span(front, 0, class::TOKEN),
    };
    if sp == 0 || front.get(sp) != Some(&b' ') {
        return None;
    }
    // `sp` is at a SP, a char boundary, so slicing there cannot fail. A
    // known method is a token; any other is checked.
    let (method, rest) = line.split_at_checked(sp)?;
    let method = Method::from_token(method);
    if let Method::Extension(m) = method {
        if class::span(m.as_bytes(), 0, class::TOKEN) != sp {
            return None;
        }
    }
    let uri = &front[sp + 1..];
    // The scheme: `sip:` by one word compare (the letters folded), else
    // letters, digits, `+`, `-` and `.` after a letter (RFC 3261 §25.1).
    let scheme =
        if class::word4(uri, 0).is_some_and(|w| w | 0x0020_2020 == u32::from_le_bytes(*b"sip:")) {
            3
        } else {
            if !uri.first()?.is_ascii_alphabetic() {
                return None;
            }
            uri.iter()
                .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')))?
        };
    if uri[scheme] != b':' || holds_sp(&uri[scheme..]) {
        return None;
    }
    // `rest` is the SP, the URI, then " SIP/2.0" (ASCII, stripped above).
    let (uri, version) = rest.get(1..)?.split_at_checked(front.len() - sp - 1)?;
    Some(StartLine::Request {
        method,
        uri,
        version: version.get(1..)?,
    })
}

/// Whether `b` holds a SP, eight bytes a step and the last eight bytes
/// (which may overlap the others) in one more: a Request-URI is some 20 to
/// 60 bytes, where a call to `memchr` costs more than the search.
#[inline(always)]
fn holds_sp(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // A zero byte of `w` (a SP of the bytes) sets its high bit here;
    // other bytes may only after a lower zero byte, so the test is exact.
    let sp_in = |w: &[u8; 8]| {
        let w = u64::from_le_bytes(*w) ^ (ONES * u64::from(b' '));
        w.wrapping_sub(ONES) & !w & (ONES << 7) != 0
    };
    let Some(last) = b.last_chunk::<8>() else {
        return b.contains(&b' ');
    };
    let mut rest = b;
    while let Some((w, tail)) = rest.split_first_chunk::<8>() {
        if sp_in(w) {
            return true;
        }
        rest = tail;
    }
    sp_in(last)
}

/// Every form of the start line, one rule at a time, with the exact error.
fn start_line_reference(line: &str) -> Result<StartLine<'_>, ParseError> {
    let err = |k| Err(ParseError::new(k, 1));
    let b = line.as_bytes();
    if b.len() >= 4 && b[..4].eq_ignore_ascii_case(b"SIP/") {
        // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
        let sp_at = if b.len() > 7 && &b[..8] == b"SIP/2.0 " {
            Some(7)
        } else {
            super::scan::find_byte(b, b' ')
        };
        let Some(sp) = sp_at else {
            return err(K::BadStartLine("status line without a status code"));
        };
        let version = &line[..sp];
        if !is_version(version) {
            return err(K::BadVersion);
        }
        let rest = &b[sp + 1..];
        let code_len = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        if code_len != 3 || rest.get(3).is_some_and(|c| *c != b' ') {
            return err(K::BadStatusCode);
        }
        let code = u16::from(rest[0] - b'0') * 100
            + u16::from(rest[1] - b'0') * 10
            + u16::from(rest[2] - b'0');
        if !(100..=699).contains(&code) {
            return err(K::BadStatusCode);
        }
        let reason = if rest.len() > 4 { &line[sp + 5..] } else { "" };
        return Ok(StartLine::Response {
            version,
            code,
            reason,
        });
    }
    // Request-Line = Method SP Request-URI SP SIP-Version
    let Some(sp1) = memchr::memchr(b' ', b) else {
        return err(K::BadStartLine("request line without spaces"));
    };
    let method = &line[..sp1];
    if !super::scan::is_token(method) {
        return err(K::BadMethod);
    }
    let rest = &line[sp1 + 1..];
    let Some(sp2) = rest.find(' ') else {
        return err(K::BadStartLine("request line without SIP-Version"));
    };
    let uri = &rest[..sp2];
    let version = &rest[sp2 + 1..];
    if uri.is_empty() {
        return err(K::BadStartLine("more than one SP between elements"));
    }
    if version.contains(' ') {
        return err(K::BadStartLine(
            "extra SP in the request line (LWS in the Request-URI or trailing SP)",
        ));
    }
    if !is_version(version) {
        return err(K::BadVersion);
    }
    let ub = uri.as_bytes();
    if ub[0] == b'<' {
        return err(K::BadRequestUri("enclosed in <>"));
    }
    let scheme_len = ub
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
        .count();
    if scheme_len == 0 || !ub[0].is_ascii_alphabetic() || ub.get(scheme_len) != Some(&b':') {
        return err(K::BadRequestUri("not an absolute URI"));
    }
    Ok(StartLine::Request {
        method: Method::from_token(method),
        uri,
        version,
    })
}

/// `SIP/` 1*DIGIT `.` 1*DIGIT (RFC 3261 §25.1).
fn is_version(v: &str) -> bool {
    let b = v.as_bytes();
    if b == b"SIP/2.0" {
        return true;
    }
    if b.len() < 7 || !b[..4].eq_ignore_ascii_case(b"SIP/") {
        return false;
    }
    let rest = &v[4..];
    match rest.split_once('.') {
        Some((maj, min)) => {
            !maj.is_empty()
                && !min.is_empty()
                && maj.bytes().all(|c| c.is_ascii_digit())
                && min.bytes().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_length_is_one_to_nineteen_digits() {
        assert_eq!(parse_content_length(b"0"), Some(0));
        assert_eq!(parse_content_length(b"264"), Some(264));
        assert_eq!(parse_content_length(b"007"), Some(7));
        let max = 9_999_999_999_999_999_999_u64;
        assert_eq!(
            parse_content_length(b"9999999999999999999"),
            usize::try_from(max).ok()
        );
        for bad in [
            &b""[..],
            b"+1",
            b"-1",
            b"1 ",
            b" 1",
            b"1a",
            b"99999999999999999999",
        ] {
            assert_eq!(parse_content_length(bad), None, "{bad:?}");
        }
    }

    /// The common request lines take the one-pass form; anything odd is
    /// left to the full parse.
    #[test]
    fn simple_request_lines() {
        for line in [
            "INVITE sip:bob@biloxi.example.com SIP/2.0",
            "REGISTER sips:example.com SIP/2.0",
            "RE%47IST%45R sip:r SIP/2.0",
            "OPTIONS tel:+15551234 SIP/2.0",
        ] {
            let fast = simple_request_line(line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(Ok(fast), start_line_reference(line), "{line}");
        }
        for line in [
            "INVITE  sip:b SIP/2.0",
            "INVITE sip:b  SIP/2.0",
            "INVITE <sip:b> SIP/2.0",
            "INVITE sip:b SIP/2.1",
            "INVITE sip:b sip/2.0",
            "INVITE sip b SIP/2.0",
            " sip:b SIP/2.0",
            "SIP/2.0 200 OK",
        ] {
            assert_eq!(simple_request_line(line), None, "{line}");
        }
    }

    /// The common status lines take the word-compare form, which agrees
    /// with the full parse; odd ones are left to it.
    #[test]
    fn simple_status_lines() {
        for line in [
            "SIP/2.0 200 OK",
            "SIP/2.0 401 Unauthorized",
            "SIP/2.0 100 ",
            "SIP/2.0 699 x y z",
            "SIP/2.0 183 Sessão em andamento",
        ] {
            let fast = simple_status_line(line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(Ok(fast), start_line_reference(line), "{line}");
        }
        for line in [
            "SIP/2.0 200",
            "SIP/2.0 099 x",
            "SIP/2.0 700 x",
            "SIP/2.0 20O OK",
            "SIP/2.0 2000 OK",
            "SIP/2.0  200 OK",
            "sip/2.0 200 OK",
            "SIP/2.1 200 OK",
            "INVITE sip:b SIP/2.0",
        ] {
            assert_eq!(simple_status_line(line), None, "{line}");
        }
    }

    #[test]
    fn holds_sp_agrees_with_contains() {
        let text = b"sip:bob@biloxi.example.com;transport=udp \x80\xff!~";
        for from in 0..text.len() {
            for to in from..=text.len() {
                let mut v = text[from..to].to_vec();
                assert_eq!(holds_sp(&v), v.contains(&b' '), "{v:?}");
                v.retain(|&c| c != b' ');
                for c in [0x21u8, 0x1F, 0xA0, 0x00, 0x60] {
                    v.push(c);
                    assert!(!holds_sp(&v), "{v:?}");
                }
            }
        }
    }

    proptest::proptest! {
        /// On any line the fast forms answer only as the full parse does.
        #[test]
        fn fast_start_lines_agree(line in "(SIP/2\\.0 [0-9]{3}|SIP/2\\.0 |INVITE |SIP/)?[0-9a-zA-Z :/.@;\\x{e9}]{0,20}") {
            if let Some(fast) = simple_status_line(&line) {
                proptest::prop_assert_eq!(Ok(fast), start_line_reference(&line));
            }
            if let Some(fast) = simple_request_line(&line) {
                proptest::prop_assert_eq!(Ok(fast), start_line_reference(&line));
            }
        }
    }
}
