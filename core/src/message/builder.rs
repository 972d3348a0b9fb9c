//! Building messages into a reused buffer, and serializing parsed ones.
//!
//! Headers are written with their long names, one CRLF each, and the
//! Content-Length is always computed from the body (RFC 3261 §7.4.1,
//! §18.3). A response to a request copies Via, From, To, Call-ID and CSeq
//! and adds a To tag, as RFC 3261 §8.2.6.2 says.

use super::method::Method;
use super::name::HeaderName;
use super::parsed::{unfolded, Message, StartLine};

/// Writes one message into a caller-owned `Vec<u8>`, which is cleared
/// first so that one buffer serves many messages without reallocating.
///
/// # Examples
///
/// ```
/// use geosip_core::message::{parse, HeaderName, Method, MessageWriter};
///
/// let mut buf = Vec::new();
/// let mut w = MessageWriter::request(&mut buf, Method::Register, "sip:example.com");
/// w.header(HeaderName::Via, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK77;rport")
///     .header(HeaderName::From, "<sip:100@example.com>;tag=9")
///     .header(HeaderName::To, "<sip:100@example.com>")
///     .header(HeaderName::CallId, "c@192.0.2.1")
///     .header(HeaderName::CSeq, "1 REGISTER")
///     .header_named("X-Agent", "geosip");
/// w.finish(b"");
///
/// let msg = parse(&buf).unwrap();
/// assert_eq!(msg.content_length(), Some(0));
///
/// // A 401 to it, with To tag and copied headers (RFC 3261 §8.2.6).
/// let mut out = Vec::new();
/// MessageWriter::response_to(&mut out, &msg, 401, "Unauthorized", Some("srv1"))
///     .header(HeaderName::WwwAuthenticate, "Digest realm=\"example.com\", nonce=\"n\"")
///     .finish(b"");
/// let resp = parse(&out).unwrap();
/// assert_eq!(resp.to().unwrap().tag(), Some("srv1"));
/// assert_eq!(resp.cseq().unwrap(), msg.cseq().unwrap());
/// ```
#[derive(Debug)]
pub struct MessageWriter<'b> {
    buf: &'b mut Vec<u8>,
}

impl<'b> MessageWriter<'b> {
    /// Starts a request: `METHOD uri SIP/2.0`.
    pub fn request(buf: &'b mut Vec<u8>, method: Method<'_>, uri: &str) -> Self {
        buf.clear();
        buf.extend_from_slice(method.as_str().as_bytes());
        buf.push(b' ');
        push_clean(buf, uri.as_bytes());
        buf.extend_from_slice(b" SIP/2.0\r\n");
        MessageWriter { buf }
    }

    /// Starts a response: `SIP/2.0 code reason`.
    pub fn response(buf: &'b mut Vec<u8>, code: u16, reason: &str) -> Self {
        buf.clear();
        buf.extend_from_slice(b"SIP/2.0 ");
        let mut num = itoa::Buffer::new();
        buf.extend_from_slice(num.format(code).as_bytes());
        buf.push(b' ');
        push_clean(buf, reason.as_bytes());
        buf.extend_from_slice(b"\r\n");
        MessageWriter { buf }
    }

    /// Starts a response to `req` (RFC 3261 §8.2.6.2): every Via in order,
    /// From, To with `to_tag` added if it has no tag yet, Call-ID and CSeq;
    /// for a 100, also Timestamp (§8.2.6.1).
    pub fn response_to(
        buf: &'b mut Vec<u8>,
        req: &Message<'_>,
        code: u16,
        reason: &str,
        to_tag: Option<&str>,
    ) -> Self {
        let mut w = MessageWriter::response(buf, code, reason);
        for h in req.headers() {
            match h.name {
                HeaderName::Via | HeaderName::From | HeaderName::CallId | HeaderName::CSeq => {
                    w.header(h.name, h.value);
                }
                HeaderName::Timestamp if code == 100 => {
                    w.header(h.name, h.value);
                }
                HeaderName::To => {
                    let has_tag = req.to().map(|t| t.tag().is_some()).unwrap_or(false);
                    w.begin(h.name.as_str().unwrap_or("To"));
                    push_value(w.buf, h.value);
                    if let (false, Some(tag)) = (has_tag, to_tag) {
                        w.buf.extend_from_slice(b";tag=");
                        push_clean(w.buf, tag.as_bytes());
                    }
                    w.buf.extend_from_slice(b"\r\n");
                }
                _ => {}
            }
        }
        w
    }

    fn begin(&mut self, name: &str) {
        push_clean(self.buf, name.as_bytes());
        self.buf.extend_from_slice(b": ");
    }

    /// Adds a header by known name, written in its long form. For
    /// [`HeaderName::Other`] use [`MessageWriter::header_named`].
    /// Content-Length is skipped: [`finish`](Self::finish) writes the one
    /// that matches the body.
    pub fn header(&mut self, name: HeaderName, value: &str) -> &mut Self {
        if name == HeaderName::ContentLength {
            return self;
        }
        self.begin(name.as_str().unwrap_or("X-Unknown"));
        push_value(self.buf, value);
        self.buf.extend_from_slice(b"\r\n");
        self
    }

    /// Adds a header by name as text. Content-Length (in any spelling) is
    /// skipped, as in [`header`](Self::header).
    pub fn header_named(&mut self, name: &str, value: &str) -> &mut Self {
        if HeaderName::from_bytes(name.as_bytes()) == HeaderName::ContentLength {
            return self;
        }
        self.begin(name);
        push_value(self.buf, value);
        self.buf.extend_from_slice(b"\r\n");
        self
    }

    /// Adds a header whose value is a number.
    pub fn header_u32(&mut self, name: HeaderName, value: u32) -> &mut Self {
        if name == HeaderName::ContentLength {
            return self;
        }
        self.begin(name.as_str().unwrap_or("X-Unknown"));
        let mut num = itoa::Buffer::new();
        self.buf.extend_from_slice(num.format(value).as_bytes());
        self.buf.extend_from_slice(b"\r\n");
        self
    }

    fn content_length(&mut self, len: usize) {
        self.begin("Content-Length");
        let mut num = itoa::Buffer::new();
        self.buf.extend_from_slice(num.format(len).as_bytes());
        self.buf.extend_from_slice(b"\r\n");
    }

    /// Writes Content-Length, the empty line and the body; returns the
    /// message length.
    pub fn finish(&mut self, body: &[u8]) -> usize {
        self.content_length(body.len());
        self.buf.extend_from_slice(b"\r\n");
        self.buf.extend_from_slice(body);
        self.buf.len()
    }
}

/// Writes bytes, turning CR and LF into SP so that no value can inject a
/// header or end the head early.
fn push_clean(buf: &mut Vec<u8>, b: &[u8]) {
    if memchr::memchr2(b'\r', b'\n', b).is_none() {
        buf.extend_from_slice(b);
    } else {
        buf.extend(
            b.iter()
                .map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c }),
        );
    }
}

/// Writes a header value with folds replaced by one SP (RFC 3261 §7.3.1),
/// and any other CR or LF turned into SP.
fn push_value(buf: &mut Vec<u8>, v: &str) {
    if memchr::memchr2(b'\r', b'\n', v.as_bytes()).is_none() {
        buf.extend_from_slice(v.as_bytes());
    } else {
        buf.extend(unfolded(v).map(|c| if c == b'\r' || c == b'\n' { b' ' } else { c }));
    }
}

impl Message<'_> {
    /// Serializes the message into `out` (cleared first): long header
    /// names, folds unfolded, and a Content-Length that matches the body,
    /// written where the first Content-Length stood, or last.
    ///
    /// ```
    /// use geosip_core::message::parse;
    /// let m = parse(b"OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h\r\n ;branch=z9hG4bK1\r\nl: 0\r\n\r\n").unwrap();
    /// let mut out = Vec::new();
    /// m.write_to(&mut out);
    /// assert_eq!(out, b"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h ;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n");
    /// assert_eq!(parse(&out).unwrap(), m);
    /// ```
    pub fn write_to(&self, out: &mut Vec<u8>) {
        let mut w = match *self.start_line() {
            StartLine::Request {
                method,
                uri,
                version,
            } => {
                let w = MessageWriter::request(out, method, uri);
                // Keep a non-2.0 version as it was, so that validation
                // still sees it.
                if !version.eq_ignore_ascii_case("SIP/2.0") {
                    w.buf.truncate(w.buf.len() - 9);
                    push_clean(w.buf, version.as_bytes());
                    w.buf.extend_from_slice(b"\r\n");
                }
                w
            }
            StartLine::Response {
                version,
                code,
                reason,
            } => {
                let w = MessageWriter::response(out, code, reason);
                if !version.eq_ignore_ascii_case("SIP/2.0") {
                    let rest = w.buf.split_off(7);
                    w.buf.clear();
                    push_clean(w.buf, version.as_bytes());
                    w.buf.extend_from_slice(&rest);
                }
                w
            }
        };
        let mut wrote_length = false;
        for h in self.headers() {
            match h.name {
                HeaderName::ContentLength => {
                    if !wrote_length {
                        w.content_length(self.body().len());
                        wrote_length = true;
                    }
                }
                HeaderName::Other => {
                    w.header_named(h.raw_name, h.value);
                }
                name => {
                    w.header(name, h.value);
                }
            }
        }
        if !wrote_length {
            w.content_length(self.body().len());
        }
        w.buf.extend_from_slice(b"\r\n");
        w.buf.extend_from_slice(self.body());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::parse;

    #[test]
    fn content_length_is_always_the_body_length() {
        let mut buf = Vec::new();
        let mut w = MessageWriter::request(&mut buf, Method::Message, "sip:a@b");
        w.header(HeaderName::ContentLength, "99")
            .header_named("l", "98")
            .header_u32(HeaderName::ContentLength, 97);
        w.finish(b"hello");
        let m = parse(&buf).unwrap();
        assert_eq!(m.headers_named(HeaderName::ContentLength).count(), 1);
        assert_eq!(m.content_length(), Some(5));
        assert_eq!(m.body(), b"hello");
    }

    #[test]
    fn values_cannot_inject_headers() {
        let mut buf = Vec::new();
        MessageWriter::request(&mut buf, Method::Options, "sip:a@b")
            .header(HeaderName::Subject, "hi\r\nContent-Length: 0\r\n\r\nBYE")
            .finish(b"");
        let m = parse(&buf).unwrap();
        assert_eq!(m.header_count(), 2);
        assert!(m.header(HeaderName::Subject).unwrap().ends_with("BYE"));
        // A Request-URI with a line break stays on the start line, which
        // then fails to parse instead of growing a header.
        let mut buf = Vec::new();
        MessageWriter::request(&mut buf, Method::Options, "sip:a@b\r\nX-Evil: y").finish(b"");
        assert_eq!(memchr::memchr_iter(b'\n', &buf).count(), 3);
        assert!(parse(&buf).is_err());
    }
}
