//! [`Message`]: a parsed request or response that borrows its input.

use smallvec::SmallVec;

use super::error::{HeaderError, HeaderErrorKind};
use super::headers::{CSeq, Contact, NameAddr, Typed, Via};
use super::method::Method;
use super::name::HeaderName;
use super::scan::CommaSplit;
use super::uri::Uri;

/// Headers kept inline before the index spills to the heap. A typical
/// INVITE or REGISTER has 10 to 20; a proxied INVITE with its Vias and
/// Record-Routes up to about 25. At 8 bytes an entry, 30 of them and the
/// length make 248 bytes: a message is returned by value, and a copy of
/// at most 256 bytes takes `memcpy`'s short path (x86-64, AVX2).
pub const INLINE_HEADERS: usize = 30;

/// The longest header value the index holds (RFC 3261 sets no bound; a
/// longer value is a parse error).
pub const MAX_VALUE_LEN: usize = u16::MAX as usize;

/// The most bytes from a header line's start to its value that the index
/// holds: the name, the colon and the LWS around it (RFC 3261 sets no
/// bound; more is a parse error).
pub const MAX_NAME_LEAD: usize = u8::MAX as usize;

/// One header in the index, 8 bytes: where the value starts and its
/// length, the resolved name, and the bytes from the line start to the
/// value (the name, the colon and the LWS around it). The name's own
/// length is read from those bytes when asked for (see
/// [`RawHeader::name_len`]): few callers want the name as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawHeader {
    value_start: u32,
    value_len: u16,
    /// The resolved name.
    pub name: HeaderName,
    lead: u8,
}

impl RawHeader {
    /// The entry of the header whose line starts at `name_start` (an
    /// offset into the head, as are the others) and whose value is
    /// `value_start..value_end`; `None` beyond [`MAX_NAME_LEAD`] or
    /// [`MAX_VALUE_LEN`].
    #[inline(always)]
    pub(crate) fn new(
        name_start: usize,
        value_start: usize,
        value_end: usize,
        name: HeaderName,
    ) -> Option<Self> {
        Some(RawHeader {
            value_start: u32::try_from(value_start).ok()?,
            value_len: u16::try_from(value_end.checked_sub(value_start)?).ok()?,
            name,
            lead: u8::try_from(value_start.checked_sub(name_start)?).ok()?,
        })
    }

    /// [`new`](Self::new) where the caller knows the bounds hold: the ASCII
    /// fast scan, whose lines are at most [`MAX_VALUE_LEN`] bytes and
    /// whose names take at most [`MAX_NAME_LEAD`] − 2 bytes, with the
    /// colon and at most one SP after them (`headscan.rs` gives up on
    /// anything else). Debug builds check it. (An offset past `u32::MAX`
    /// is cut; the scan drops such entries, see there.)
    #[inline(always)]
    pub(crate) fn new_within_bounds(
        name_start: usize,
        value_start: usize,
        value_end: usize,
        name: HeaderName,
    ) -> Self {
        debug_assert!(value_end - value_start <= MAX_VALUE_LEN);
        debug_assert!(value_start - name_start <= MAX_NAME_LEAD);
        RawHeader {
            value_start: value_start as u32,
            value_len: (value_end - value_start) as u16,
            name,
            lead: (value_start - name_start) as u8,
        }
    }

    /// Where the value starts in the head.
    #[inline(always)]
    pub(crate) fn value_start(&self) -> usize {
        self.value_start as usize
    }

    /// Where the value ends in the head.
    #[inline(always)]
    pub(crate) fn value_end(&self) -> usize {
        self.value_start as usize + usize::from(self.value_len)
    }

    /// Where the line, and so the name, starts in the head.
    #[inline(always)]
    pub(crate) fn name_start(&self) -> usize {
        self.value_start as usize - usize::from(self.lead)
    }

    /// The length of the name as written, read from the bytes before the
    /// value in `head` (the head this entry indexes): a name is a token
    /// (RFC 3261 §7.3.1), so it ends where the LWS or the colon after it
    /// starts. The common `Name:` and `Name: ` take two compares, anything
    /// else a byte loop.
    #[inline(always)]
    pub(crate) fn name_len(&self, head: &[u8]) -> usize {
        let lead = head
            .get(self.name_start()..self.value_start())
            .unwrap_or_default();
        let colon = match lead {
            [.., b':', b' '] => lead.len() - 2,
            [.., b':'] => lead.len() - 1,
            _ => usize::MAX,
        };
        match colon.checked_sub(1).and_then(|last| lead.get(last)) {
            Some(&c) if super::scan::is_token_char(c) => colon,
            _ => lead
                .iter()
                .take_while(|&&c| super::scan::is_token_char(c))
                .count(),
        }
    }
}

pub(crate) type HeaderIndex = SmallVec<[RawHeader; INLINE_HEADERS]>;

/// The first line of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartLine<'a> {
    /// `Method SP Request-URI SP SIP-Version`.
    Request {
        /// The method.
        method: Method<'a>,
        /// The Request-URI as written; see [`Message::request_uri`].
        uri: &'a str,
        /// `SIP/2.0`, or another version that [`Message::validate`] rejects.
        version: &'a str,
    },
    /// `SIP-Version SP Status-Code SP Reason-Phrase`.
    Response {
        /// `SIP/2.0`, or another version.
        version: &'a str,
        /// 100 to 699.
        code: u16,
        /// The reason phrase; may be empty or any UTF-8 text.
        reason: &'a str,
    },
}

/// One header as it stands in the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    /// The resolved name.
    pub name: HeaderName,
    /// The name as written (`v`, `VIA`, `X-Foo`).
    pub raw_name: &'a str,
    /// The value with surrounding LWS removed; folds inside are kept.
    pub value: &'a str,
}

impl<'a> Header<'a> {
    /// The long name when the header is known, else the name as written.
    pub fn long_name(&self) -> &'a str {
        self.name.as_str().unwrap_or(self.raw_name)
    }

    /// The value with every fold (CRLF and the SP/HT after it) replaced by
    /// one SP, as RFC 3261 §7.3.1 allows; borrowed when there is no fold.
    ///
    /// ```
    /// let m = geosip_core::message::parse(b"OPTIONS sip:a SIP/2.0\r\nSubject: one\r\n  two\r\n\r\n").unwrap();
    /// assert_eq!(m.headers().next().unwrap().value_unfolded(), "one two");
    /// ```
    pub fn value_unfolded(&self) -> std::borrow::Cow<'a, str> {
        if memchr::memchr(b'\n', self.value.as_bytes()).is_none() {
            return std::borrow::Cow::Borrowed(self.value);
        }
        let bytes: Vec<u8> = unfolded(self.value).collect();
        // Folding only removes ASCII CR, LF, SP and HT, so the bytes stay
        // UTF-8; the lossy path is never taken.
        std::borrow::Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// A parsed SIP request or response. It borrows the bytes it was parsed
/// from; header values are parsed into typed views only when asked for.
///
/// # Examples
///
/// ```
/// use geosip_core::message::{parse, HeaderName};
///
/// let raw = b"SIP/2.0 180 Ringing\r\nv: SIP/2.0/UDP [2001:db8::9]:5070;branch=z9hG4bKx;rport=5070;received=2001:db8::1\r\n\
/// f: \"Bob\" <sip:bob@example.com>;tag=b\r\nt: <sip:alice@example.com>;tag=a\r\ni: c1\r\nCSeq: 2 INVITE\r\nl: 0\r\n\r\n";
/// let msg = parse(raw).unwrap();
/// assert_eq!(msg.header(HeaderName::CallId), Some("c1"));
/// let via = msg.top_via().unwrap();
/// assert_eq!(via.rport(), Some(Some(5070)));
/// assert_eq!(msg.from().unwrap().display_name_unquoted(), Some("Bob".into()));
/// assert_eq!(msg.to().unwrap().tag(), Some("a"));
/// ```
#[derive(Debug, Clone)]
pub struct Message<'a> {
    start: StartLine<'a>,
    head: &'a str,
    headers: HeaderIndex,
    body: &'a [u8],
}

impl<'a> Message<'a> {
    /// `headers` must be the index the parser's scan of `head` built (see
    /// `span`).
    pub(crate) fn from_parts(
        start: StartLine<'a>,
        head: &'a str,
        headers: HeaderIndex,
        body: &'a [u8],
    ) -> Self {
        Message {
            start,
            head,
            headers,
            body,
        }
    }

    /// The start line.
    pub fn start_line(&self) -> &StartLine<'a> {
        &self.start
    }

    /// Whether this is a request.
    pub fn is_request(&self) -> bool {
        matches!(self.start, StartLine::Request { .. })
    }

    /// The method of a request.
    pub fn method(&self) -> Option<Method<'a>> {
        match self.start {
            StartLine::Request { method, .. } => Some(method),
            StartLine::Response { .. } => None,
        }
    }

    /// The Request-URI of a request, as written.
    pub fn request_uri(&self) -> Option<&'a str> {
        match self.start {
            StartLine::Request { uri, .. } => Some(uri),
            StartLine::Response { .. } => None,
        }
    }

    /// The Request-URI, parsed.
    pub fn parsed_request_uri(&self) -> Option<Result<Uri<'a>, &'static str>> {
        self.request_uri().map(Uri::parse)
    }

    /// The status code of a response.
    pub fn status(&self) -> Option<u16> {
        match self.start {
            StartLine::Response { code, .. } => Some(code),
            StartLine::Request { .. } => None,
        }
    }

    /// The reason phrase of a response.
    pub fn reason(&self) -> Option<&'a str> {
        match self.start {
            StartLine::Response { reason, .. } => Some(reason),
            StartLine::Request { .. } => None,
        }
    }

    /// The SIP-Version as written.
    pub fn version(&self) -> &'a str {
        match self.start {
            StartLine::Request { version, .. } | StartLine::Response { version, .. } => version,
        }
    }

    /// The body (empty when there is none).
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The start line and headers as text (without the final empty line).
    pub fn head(&self) -> &'a str {
        self.head
    }

    /// How many header lines the message has.
    pub fn header_count(&self) -> usize {
        self.headers.len()
    }

    #[inline]
    fn at(&self, h: &RawHeader) -> Header<'a> {
        let name_start = h.name_start();
        Header {
            name: h.name,
            raw_name: self.span(name_start, name_start + h.name_len(self.head.as_bytes())),
            value: self.span(h.value_start(), h.value_end()),
        }
    }

    /// `head[from..to]` for the offsets of an index entry, without the
    /// bounds and char-boundary checks of indexing: every header is read
    /// through here, and the checks were half the cost of reading one.
    #[inline(always)]
    fn span(&self, from: usize, to: usize) -> &'a str {
        debug_assert!(self.head.get(from..to).is_some(), "{from}..{to}");
        // SAFETY: the index and `head` always come from the same scan (the
        // fast or the reference scan of `Parser`, whose result is all that
        // `from_parts` is given), and every offset it records is within
        // `head` and next to an ASCII byte of it: a line start (after LF),
        // a value's start (after the colon or LWS), a value's end (before
        // CR or LWS). A name ends where `RawHeader::name_len` finds it,
        // among the ASCII name, LWS and colon before the value. So
        // `from <= to <= head.len()` and both are char boundaries.
        #[allow(unsafe_code)]
        unsafe {
            self.head.get_unchecked(from..to)
        }
    }

    /// Every header line in order.
    #[inline]
    pub fn headers(&self) -> impl Iterator<Item = Header<'a>> + '_ {
        self.headers.iter().map(move |h| self.at(h))
    }

    /// The value of the first header with this known name.
    pub fn header(&self, name: HeaderName) -> Option<&'a str> {
        // Straight from the index: the raw name is not needed.
        let (h, _) = first_named(&self.headers, |h| h.name == name);
        h.map(|h| self.span(h.value_start(), h.value_end()))
    }

    /// Every header line with this known name, in order.
    pub fn headers_named(&self, name: HeaderName) -> impl Iterator<Item = Header<'a>> + '_ {
        self.headers
            .iter()
            .filter(move |h| h.name == name)
            .map(move |h| self.at(h))
    }

    /// The value of the first header with this name, given as text in any
    /// case or compact form.
    ///
    /// ```
    /// let m = geosip_core::message::parse(b"OPTIONS sip:a@b SIP/2.0\r\nX-Tenant: 7\r\ni: x\r\n\r\n").unwrap();
    /// assert_eq!(m.header_str("x-tenant"), Some("7"));
    /// assert_eq!(m.header_str("Call-ID"), Some("x"));
    /// ```
    pub fn header_str(&self, name: &str) -> Option<&'a str> {
        let resolved = HeaderName::from_bytes(name.as_bytes());
        self.headers()
            .find(|h| {
                h.name == resolved
                    && (resolved != HeaderName::Other || h.raw_name.eq_ignore_ascii_case(name))
            })
            .map(|h| h.value)
    }

    /// Every value of a header: list headers (RFC 3261 §7.3.1) are split at
    /// commas outside quotes and angle brackets, across all their lines.
    pub fn header_values(&self, name: HeaderName) -> impl Iterator<Item = &'a str> + '_ {
        Values {
            msg: self,
            name,
            list: name.is_list(),
            next: 0,
            split: None,
        }
    }

    /// The first value of a typed header; [`HeaderErrorKind::Missing`] if
    /// it is absent.
    pub fn typed<T: Typed<'a>>(&self) -> Result<T, HeaderError> {
        self.typed_opt::<T>()?.ok_or(HeaderError {
            header: T::NAME.as_str().unwrap_or("?"),
            kind: HeaderErrorKind::Missing,
        })
    }

    /// The first value of a typed header, or `None` if it is absent.
    pub fn typed_opt<T: Typed<'a>>(&self) -> Result<Option<T>, HeaderError> {
        let first = self.header(T::NAME).map(|v| {
            if T::NAME.is_list() {
                CommaSplit::new(v).next().unwrap_or(v)
            } else {
                v
            }
        });
        match first {
            Some(v) => T::parse(v).map(Some).map_err(|kind| HeaderError {
                header: T::NAME.as_str().unwrap_or("?"),
                kind,
            }),
            None => Ok(None),
        }
    }

    /// Every value of a typed header, each parsed on its own.
    pub fn typed_all<T: Typed<'a>>(
        &self,
    ) -> impl Iterator<Item = Result<T, HeaderError>> + use<'_, 'a, T> {
        let parse = |v| {
            T::parse(v).map_err(|kind| HeaderError {
                header: T::NAME.as_str().unwrap_or("?"),
                kind,
            })
        };
        // A header that is not a list has one value a line: its lines
        // straight from the index, without the splitting iterator.
        if T::NAME.is_list() {
            TypedAll::Values(self.header_values(T::NAME).map(parse))
        } else {
            TypedAll::Lines {
                headers: &self.headers,
                named: |h: &RawHeader| h.name == T::NAME,
                parse: move |h: &RawHeader| parse(self.span(h.value_start(), h.value_end())),
            }
        }
    }

    /// Every Via value, topmost first.
    pub fn via(&self) -> impl Iterator<Item = Result<Via<'a>, HeaderError>> + '_ {
        self.typed_all::<Via<'a>>()
    }

    /// The topmost Via.
    pub fn top_via(&self) -> Result<Via<'a>, HeaderError> {
        // The simple form holds no comma: on the whole first Via line it
        // is the first value, without splitting the line first.
        if let Some(v) = self.header(HeaderName::Via).and_then(Via::parse_simple) {
            debug_assert_eq!(self.typed::<Via<'a>>(), Ok(v));
            return Ok(v);
        }
        // Out of line, so that the common case above stays small.
        #[cold]
        #[inline(never)]
        fn full<'a>(m: &Message<'a>) -> Result<Via<'a>, HeaderError> {
            m.typed::<Via<'a>>()
        }
        full(self)
    }

    /// The From header.
    pub fn from(&self) -> Result<NameAddr<'a>, HeaderError> {
        self.name_addr(HeaderName::From, "From")
    }

    /// The To header.
    pub fn to(&self) -> Result<NameAddr<'a>, HeaderError> {
        self.name_addr(HeaderName::To, "To")
    }

    /// From or To: the common case is inline and returned at once, so the
    /// address is built in place.
    #[inline(always)]
    fn name_addr(
        &self,
        name: HeaderName,
        label: &'static str,
    ) -> Result<NameAddr<'a>, HeaderError> {
        let v = self.header_required(name)?;
        if let Some(a) = NameAddr::parse_simple(v) {
            return Ok(a);
        }
        // Out of line, so that the common case above stays small.
        #[cold]
        #[inline(never)]
        fn full<'v>(v: &'v str, label: &'static str) -> Result<NameAddr<'v>, HeaderError> {
            NameAddr::parse_from_to(v).map_err(|k| err(label, k))
        }
        full(v, label)
    }

    /// The Call-ID (RFC 3261 §20.8: `word [ "@" word ]`).
    pub fn call_id(&self) -> Result<&'a str, HeaderError> {
        let v = self.header_required(HeaderName::CallId)?;
        super::headers::check_call_id(v).map_err(|k| err("Call-ID", k))?;
        Ok(v)
    }

    /// The CSeq.
    pub fn cseq(&self) -> Result<CSeq<'a>, HeaderError> {
        // CSeq is not a list: the first line is the value.
        if let Some(c) = self.header(HeaderName::CSeq).and_then(CSeq::parse_simple) {
            debug_assert_eq!(self.typed::<CSeq<'a>>(), Ok(c));
            return Ok(c);
        }
        // Out of line, so that the common case above stays small.
        #[cold]
        #[inline(never)]
        fn full<'a>(m: &Message<'a>) -> Result<CSeq<'a>, HeaderError> {
            m.typed::<CSeq<'a>>()
        }
        full(self)
    }

    /// Every Contact value across all Contact headers.
    pub fn contacts(&self) -> impl Iterator<Item = Result<Contact<'a>, HeaderError>> + '_ {
        self.typed_all::<Contact<'a>>()
    }

    /// Content-Length, if present (the parser has already checked it).
    pub fn content_length(&self) -> Option<usize> {
        self.header(HeaderName::ContentLength)
            .and_then(|v| v.parse().ok())
    }

    fn header_required(&self, name: HeaderName) -> Result<&'a str, HeaderError> {
        self.header(name).ok_or(HeaderError {
            header: name.as_str().unwrap_or("?"),
            kind: HeaderErrorKind::Missing,
        })
    }

    /// How many times a known header appears (lines, not list values).
    pub(crate) fn count(&self, name: HeaderName) -> usize {
        self.headers.iter().filter(|h| h.name == name).count()
    }
}

/// The first entry of `at` for which `named` holds, and the entries after
/// it (none when there is no such entry). Four entries a step, one length
/// test for all four and no position kept beside the pointer (what
/// `iter().find` compiled to, six instructions an entry; two a step took
/// four and a half, four take three), then one at a time.
#[inline(always)]
fn first_named(
    mut at: &[RawHeader],
    named: impl Fn(&RawHeader) -> bool,
) -> (Option<&RawHeader>, &[RawHeader]) {
    while let [a, b, c, d, more @ ..] = at {
        if named(a) {
            return (Some(a), &at[1..]);
        }
        if named(b) {
            return (Some(b), &at[2..]);
        }
        if named(c) {
            return (Some(c), &at[3..]);
        }
        if named(d) {
            return (Some(d), more);
        }
        at = more;
    }
    loop {
        match at {
            [a, more @ ..] => {
                if named(a) {
                    return (Some(a), more);
                }
                at = more;
            }
            [] => return (None, &[]),
        }
    }
}

/// [`Message::typed_all`]'s iterator: the lines of a header that is not a
/// list, or the split values of one that is.
enum TypedAll<'m, N, F, V> {
    /// The index entries not looked at yet, whether an entry has the
    /// name (a closure, so that the name is a constant in the scan), and
    /// what makes an item of an entry's value.
    Lines {
        headers: &'m [RawHeader],
        named: N,
        parse: F,
    },
    Values(V),
}

impl<T, N, F, V> Iterator for TypedAll<'_, N, F, V>
where
    N: Fn(&RawHeader) -> bool,
    F: FnMut(&RawHeader) -> T,
    V: Iterator<Item = T>,
{
    type Item = T;

    #[inline(always)]
    fn next(&mut self) -> Option<T> {
        match self {
            TypedAll::Lines {
                headers,
                named,
                parse,
            } => {
                // The scan runs on a copy of the position, stored back once:
                // the iterator lives in memory across the caller's loop,
                // and a store for every entry looked at is what the
                // `filter` form cost.
                let (h, at) = first_named(headers, &*named);
                *headers = at;
                h.map(parse)
            }
            TypedAll::Values(v) => v.next(),
        }
    }
}

/// The values of one header name, in order: each line's value, split at
/// its commas for a list header (see [`Message::header_values`]).
struct Values<'m, 'a> {
    msg: &'m Message<'a>,
    name: HeaderName,
    list: bool,
    /// The index entry to look at next.
    next: usize,
    /// The rest of the current line of a list header.
    split: Option<CommaSplit<'a>>,
}

impl<'a> Iterator for Values<'_, 'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        loop {
            if let Some(split) = &mut self.split {
                if let Some(v) = split.next() {
                    return Some(v);
                }
                self.split = None;
            }
            let rest = self.msg.headers.get(self.next..)?;
            let at = rest.iter().position(|h| h.name == self.name)?;
            let h = &rest[at];
            self.next += at + 1;
            let v = self.msg.span(h.value_start(), h.value_end());
            if !self.list {
                return Some(v);
            }
            self.split = Some(CommaSplit::new(v));
        }
    }
}

fn err(header: &'static str, kind: HeaderErrorKind) -> HeaderError {
    HeaderError { header, kind }
}

/// Two messages are equal when their start lines, their headers (resolved
/// names, and values with folds replaced by one SP as RFC 3261 §7.3.1
/// allows) and their bodies are equal. The spelling of known names
/// (`v` versus `Via`) does not count; the spelling of unknown names does,
/// case-insensitively.
impl PartialEq for Message<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.start == other.start
            && self.body == other.body
            && self.headers.len() == other.headers.len()
            && self.headers().zip(other.headers()).all(|(a, b)| {
                a.name == b.name
                    && (a.name != HeaderName::Other || a.raw_name.eq_ignore_ascii_case(b.raw_name))
                    && unfolded_eq(a.value, b.value)
            })
    }
}

/// Compares two values with every fold taken as one SP.
fn unfolded_eq(a: &str, b: &str) -> bool {
    unfolded(a).eq(unfolded(b))
}

/// The bytes of a value with every fold (CRLF and the SP/HT after it)
/// replaced by one SP, as RFC 3261 §7.3.1 allows. The serializer writes
/// values this way.
pub(crate) fn unfolded(s: &str) -> impl Iterator<Item = u8> + '_ {
    let b = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        let c = *b.get(i)?;
        if c == b'\r' && b.get(i + 1) == Some(&b'\n') {
            i += 2;
            while matches!(b.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
            Some(b' ')
        } else {
            i += 1;
            Some(c)
        }
    })
}

#[cfg(test)]
mod size_tests {
    /// A message is moved whole (returned, stored in events), so its size
    /// is a cost on every parse: 8 bytes per inline header, and the index
    /// within the 256 bytes of `memcpy`'s short path.
    #[test]
    fn message_stays_small() {
        assert_eq!(std::mem::size_of::<super::RawHeader>(), 8);
        assert!(std::mem::size_of::<super::HeaderIndex>() <= 256);
        assert!(std::mem::size_of::<super::Message<'_>>() <= 340);
    }
}
