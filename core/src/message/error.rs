//! Errors of the message layer: where a message is wrong and why.

use std::fmt;

/// Why a message could not be parsed. Every variant says what was wrong;
/// [`ParseError`] adds where (line number and header name).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The input is empty or holds only CRLFs.
    Empty,
    /// The header section has no terminating empty line.
    Incomplete,
    /// The message is larger than [`ParseLimits::max_message_size`](super::ParseLimits).
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// More headers than [`ParseLimits::max_headers`](super::ParseLimits).
    TooManyHeaders {
        /// The limit.
        limit: usize,
    },
    /// A line longer than [`ParseLimits::max_line_length`](super::ParseLimits).
    LineTooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// The start line is neither a Request-Line nor a Status-Line.
    BadStartLine(&'static str),
    /// The SIP-Version is not of the form `SIP/x.y`.
    BadVersion,
    /// The status code is not three digits from 100 to 699.
    BadStatusCode,
    /// The method is not a token (RFC 3261 §25.1).
    BadMethod,
    /// The Request-URI is not an absolute URI.
    BadRequestUri(&'static str),
    /// A header line has no colon or a bad name.
    BadHeaderLine(&'static str),
    /// The header section is not valid UTF-8 (RFC 3261 §7.3.1: TEXT-UTF8).
    NotUtf8,
    /// A line ends in a bare CR or LF where CRLF is required.
    BadLineEnding,
    /// Content-Length is not a decimal number or does not fit.
    BadContentLength,
    /// Two Content-Length headers disagree (RFC 4475 §3.3.9).
    ConflictingContentLength,
    /// Content-Length is missing on a stream transport (RFC 3261 §18.3).
    MissingContentLength,
    /// The datagram holds fewer body bytes than Content-Length says
    /// (RFC 3261 §18.3).
    BodyTooShort {
        /// Content-Length.
        expected: usize,
        /// Bytes present.
        actual: usize,
    },
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ParseErrorKind::*;
        match self {
            Empty => f.write_str("empty message"),
            Incomplete => f.write_str("header section is not terminated by an empty line"),
            TooLarge { limit } => write!(f, "message larger than the limit of {limit} bytes"),
            TooManyHeaders { limit } => write!(f, "more than {limit} headers"),
            LineTooLong { limit } => write!(f, "line longer than {limit} bytes"),
            BadStartLine(why) => write!(f, "bad start line: {why}"),
            BadVersion => f.write_str("bad SIP-Version (expected SIP/x.y)"),
            BadStatusCode => f.write_str("status code is not three digits from 100 to 699"),
            BadMethod => f.write_str("method is not a token"),
            BadRequestUri(why) => write!(f, "bad Request-URI: {why}"),
            BadHeaderLine(why) => write!(f, "bad header line: {why}"),
            NotUtf8 => f.write_str("header section is not valid UTF-8"),
            BadLineEnding => f.write_str("line does not end in CRLF"),
            BadContentLength => f.write_str("Content-Length is not a valid number"),
            ConflictingContentLength => f.write_str("Content-Length headers disagree"),
            MissingContentLength => f.write_str("Content-Length is required on a stream"),
            BodyTooShort { expected, actual } => write!(
                f,
                "body has {actual} bytes but Content-Length says {expected}"
            ),
        }
    }
}

/// A message that could not be parsed: what and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    /// What is wrong.
    pub kind: ParseErrorKind,
    /// 1-based line number of the offending line (the start line is line 1),
    /// or 0 when the error concerns the message as a whole.
    pub line: u32,
    /// The header name, when the error is about one header.
    pub header: Option<&'static str>,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.header) {
            (0, None) => write!(f, "{}", self.kind),
            (0, Some(h)) => write!(f, "{h}: {}", self.kind),
            (l, None) => write!(f, "line {l}: {}", self.kind),
            (l, Some(h)) => write!(f, "line {l} ({h}): {}", self.kind),
        }
    }
}

impl ParseError {
    pub(crate) fn new(kind: ParseErrorKind, line: u32) -> Self {
        ParseError {
            kind,
            line,
            header: None,
        }
    }
}

/// Why a header value did not parse into its typed view.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderErrorKind {
    /// The header is required but absent.
    Missing,
    /// A single-valued header appears more than once, or holds a list.
    Multiple,
    /// The value is empty.
    Empty,
    /// The value does not follow the grammar; the text says what was expected.
    Syntax(&'static str),
    /// A number is out of its range (RFC 4475 §3.1.2.4).
    OutOfRange(&'static str),
    /// A URI inside the value is malformed.
    Uri(&'static str),
}

impl fmt::Display for HeaderErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderErrorKind::Missing => f.write_str("missing"),
            HeaderErrorKind::Multiple => f.write_str("appears more than once"),
            HeaderErrorKind::Empty => f.write_str("empty value"),
            HeaderErrorKind::Syntax(why) => write!(f, "syntax: {why}"),
            HeaderErrorKind::OutOfRange(what) => write!(f, "{what} out of range"),
            HeaderErrorKind::Uri(why) => write!(f, "bad URI: {why}"),
        }
    }
}

/// A header value that did not parse into its typed view.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{header}: {kind}")]
pub struct HeaderError {
    /// Long name of the header.
    pub header: &'static str,
    /// What is wrong.
    pub kind: HeaderErrorKind,
}

/// Why a well-formed message is still not acceptable (RFC 3261 §8.2, §16.3;
/// RFC 4475 §3.1.2 and §3.3). A UAS answers these with the status in
/// [`ValidationError::status`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// The SIP-Version is not 2.0 (answer 505).
    #[error("unsupported SIP version {0}")]
    UnsupportedVersion(String),
    /// A header is malformed, missing, repeated or out of range.
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// The Request-URI does not parse.
    #[error("bad Request-URI: {0}")]
    RequestUri(&'static str),
    /// The CSeq method differs from the request method (RFC 3261 §8.1.1.5).
    #[error("CSeq method {cseq} does not match request method {method}")]
    CSeqMethodMismatch {
        /// The request method.
        method: String,
        /// The CSeq method.
        cseq: String,
    },
}

impl ValidationError {
    /// The status code a UAS answers with.
    pub fn status(&self) -> u16 {
        match self {
            ValidationError::UnsupportedVersion(_) => 505,
            _ => 400,
        }
    }
}
