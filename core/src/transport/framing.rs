//! Stream framing (RFC 3261 §18.3): cut a TCP or TLS byte stream into
//! messages by Content-Length, and pick out the CRLF keep-alives of
//! RFC 5626 §3.5.1.
//!
//! Keep-alives depend on which end of the flow we are:
//! - [`FlowRole::Client`] (we opened the flow and send the pings): a CRLF
//!   between messages is a pong.
//! - [`FlowRole::Server`] (the peer opened it): a CRLFCRLF between messages
//!   is a ping, to be answered with one CRLF; a lone CRLF before a message
//!   is ignored (RFC 3261 §7.5).
//!
//! Both rules read the bytes one by one, so the frames do not depend on how
//! the stream was chunked.

use super::super::message::{Message, ParseError, ParseErrorKind, ParseLimits, Parser};

/// Which end of a stream flow we are (RFC 5626 §3.5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowRole {
    /// We connected and send CRLFCRLF pings; CRLF is a pong.
    Client,
    /// The peer connected; CRLFCRLF is a ping that we answer with CRLF.
    Server,
}

/// One item cut from the stream.
// The message variant is large, but a frame is returned by value once and
// matched at once; boxing it would cost an allocation per message.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Frame<'a> {
    /// A whole message: its bytes (head and body) and the parsed view.
    Message {
        /// The message bytes as received.
        bytes: &'a [u8],
        /// The parsed message.
        message: Message<'a>,
    },
    /// A CRLFCRLF ping from the peer; answer with [`StreamFramer::PONG`].
    Ping,
    /// A CRLF pong to our ping.
    Pong,
}

/// Why the stream can no longer be framed. After any of these the stream
/// is unusable and must be closed: there is no way to find the next
/// message boundary again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FramingError {
    /// A message (or the data before its end of head) exceeds the limit.
    #[error("stream message exceeds the limit of {limit} bytes")]
    TooLarge {
        /// [`ParseLimits::max_message_size`].
        limit: usize,
    },
    /// The head of a message does not parse, so its end cannot be found.
    #[error("unframeable stream: {0}")]
    Unframeable(ParseError),
}

/// Cuts a byte stream into [`Frame`]s. Feed it bytes as they arrive with
/// [`push`](Self::push), then call [`next_frame`](Self::next_frame) until
/// it returns `Ok(None)`.
///
/// # Examples
///
/// ```
/// use geosip_core::transport::{FlowRole, Frame, StreamFramer};
///
/// let mut f = StreamFramer::new(FlowRole::Client, Default::default());
/// f.push(b"SIP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nhi\r\n").unwrap();
/// match f.next_frame().unwrap() {
///     Some(Frame::Message { message, .. }) => assert_eq!(message.body(), b"hi"),
///     other => panic!("{other:?}"),
/// }
/// assert!(matches!(f.next_frame().unwrap(), Some(Frame::Pong)));
/// assert!(f.next_frame().unwrap().is_none());
/// ```
#[derive(Debug)]
pub struct StreamFramer {
    role: FlowRole,
    parser: Parser,
    buf: Vec<u8>,
    /// Bytes at the front of `buf` that belong to frames already returned.
    consumed: usize,
    /// How far past `consumed` the search for CRLFCRLF has looked.
    scanned: usize,
    /// The length of the message whose body is still arriving.
    awaiting: Option<usize>,
    failed: Option<FramingError>,
}

impl StreamFramer {
    /// The CRLFCRLF ping a client sends (RFC 5626 §3.5.1).
    pub const PING: &'static [u8] = b"\r\n\r\n";
    /// The CRLF pong a server answers with (RFC 5626 §3.5.1).
    pub const PONG: &'static [u8] = b"\r\n";

    /// A framer for one flow.
    pub fn new(role: FlowRole, limits: ParseLimits) -> Self {
        StreamFramer {
            role,
            parser: Parser::new(limits),
            buf: Vec::new(),
            consumed: 0,
            scanned: 0,
            awaiting: None,
            failed: None,
        }
    }

    /// Whether the stream has failed and must be closed.
    pub fn is_failed(&self) -> bool {
        self.failed.is_some()
    }

    /// Bytes held that are not yet part of a returned frame.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.consumed
    }

    /// Appends received bytes. Fails once the stream has failed, or when
    /// the caller has not drained frames and the buffer would exceed twice
    /// the message size limit.
    pub fn push(&mut self, data: &[u8]) -> Result<(), FramingError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        self.compact();
        let limit = self.parser.limits().max_message_size;
        if self.buf.len() + data.len() > limit.saturating_mul(2) {
            return Err(self.fail(FramingError::TooLarge { limit }));
        }
        self.buf.extend_from_slice(data);
        Ok(())
    }

    fn fail(&mut self, e: FramingError) -> FramingError {
        self.failed = Some(e.clone());
        self.buf = Vec::new();
        self.consumed = 0;
        self.scanned = 0;
        self.awaiting = None;
        e
    }

    fn compact(&mut self) {
        if self.consumed > 0 {
            self.buf.drain(..self.consumed);
            self.consumed = 0;
        }
    }

    /// The next frame, `Ok(None)` when more bytes are needed, or the error
    /// that makes the stream unusable.
    pub fn next_frame(&mut self) -> Result<Option<Frame<'_>>, FramingError> {
        if let Some(e) = self.failed.clone() {
            self.buf = Vec::new();
            return Err(e);
        }
        let limit = self.parser.limits().max_message_size;
        if let Some(total) = self.awaiting {
            return self.take_message(total);
        }
        loop {
            let rest = &self.buf[self.consumed..];
            if rest.first() == Some(&b'\r') {
                match self.role {
                    FlowRole::Client => {
                        if rest.len() < 2 {
                            return Ok(None);
                        }
                        if rest[1] == b'\n' {
                            self.consumed += 2;
                            return Ok(Some(Frame::Pong));
                        }
                    }
                    FlowRole::Server => {
                        let n = rest.len().min(4);
                        if rest[..n] == Self::PING[..n] {
                            if n < 4 {
                                return Ok(None);
                            }
                            self.consumed += 4;
                            return Ok(Some(Frame::Ping));
                        }
                        if rest.len() >= 3 && rest[1] == b'\n' {
                            // A lone CRLF before a message (RFC 3261 §7.5).
                            self.consumed += 2;
                            continue;
                        }
                    }
                }
            }
            break;
        }
        // Split the borrow: the error paths mark the stream failed while the
        // success path returns views into the buffer.
        let StreamFramer {
            buf,
            consumed,
            scanned,
            awaiting,
            parser,
            failed,
            ..
        } = self;
        let mut fail = |e: FramingError| {
            *failed = Some(e.clone());
            Err(e)
        };
        let rest = &buf[*consumed..];
        // Look for the end of the head, resuming where the last call stopped.
        let from = scanned.saturating_sub(3);
        let Some(pos) = memchr::memmem::find(&rest[from..], b"\r\n\r\n") else {
            *scanned = rest.len();
            if rest.len() > limit {
                return fail(FramingError::TooLarge { limit });
            }
            return Ok(None);
        };
        let head_len = from + pos + 4;
        if head_len > limit {
            return fail(FramingError::TooLarge { limit });
        }
        let head = match parser.parse_head(&rest[..head_len]) {
            Ok(h) => h,
            Err(e) => return fail(FramingError::Unframeable(e)),
        };
        let Some(cl) = head.content_length else {
            // RFC 3261 §18.3: Content-Length is mandatory on streams.
            return fail(FramingError::Unframeable(ParseError {
                kind: ParseErrorKind::MissingContentLength,
                line: 0,
                header: Some("Content-Length"),
            }));
        };
        let total = match head.body_start.checked_add(cl) {
            Some(t) if t <= limit => t,
            _ => return fail(FramingError::TooLarge { limit }),
        };
        *scanned = 0;
        if rest.len() < total {
            // The body is still arriving; the head is parsed again then.
            *awaiting = Some(total);
            return Ok(None);
        }
        // The whole message is here: the head parsed above is the message's,
        // so it is not parsed twice.
        *consumed += total;
        let bytes = &rest[..total];
        let message = Message::from_parts(
            head.start,
            head.head,
            head.headers,
            &bytes[head.body_start..],
        );
        Ok(Some(Frame::Message { bytes, message }))
    }

    /// Returns the message of `total` bytes at the front once it is all
    /// there.
    fn take_message(&mut self, total: usize) -> Result<Option<Frame<'_>>, FramingError> {
        if self.buf.len() - self.consumed < total {
            self.awaiting = Some(total);
            return Ok(None);
        }
        self.awaiting = None;
        let start = self.consumed;
        self.consumed += total;
        // Split the borrow so that the error path can mark the stream failed
        // while the success path returns bytes borrowed from the buffer.
        let StreamFramer {
            buf,
            parser,
            failed,
            ..
        } = self;
        let bytes = &buf[start..start + total];
        match parser.parse_stream_message(bytes) {
            Ok(message) => Ok(Some(Frame::Message { bytes, message })),
            Err(e) => {
                let e = FramingError::Unframeable(e);
                *failed = Some(e.clone());
                Err(e)
            }
        }
    }
}
