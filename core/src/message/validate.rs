//! The validation step above the parser: what a UAS checks before it acts
//! on a request, and a UAC before it acts on a response (RFC 3261 §8.1.3,
//! §8.2, §16.3; RFC 4475 §3.1.2 and §3.3).
//!
//! The parser frames a message and indexes its headers; it leaves values
//! alone so that a proxy or a logger can pass on what it does not need to
//! understand. [`Message::validate`] is the strict step: every known header
//! must parse, single-valued headers must be single, scalars must fit, and
//! the CSeq method must match the request method.

use super::error::{HeaderError, HeaderErrorKind, ValidationError};
use super::headers::*;
use super::name::HeaderName as N;
use super::parsed::Message;
use super::uri::Uri;

/// Headers that may appear only once with one value (RFC 3261 §7.3.1,
/// RFC 4475 §3.3.8).
const SINGLE: &[N] = &[
    N::To,
    N::From,
    N::CallId,
    N::CSeq,
    N::MaxForwards,
    N::ContentLength,
    N::ContentType,
    N::Expires,
    N::MinExpires,
    N::RetryAfter,
    N::Date,
    N::SessionExpires,
    N::MinSe,
];

/// Headers every request carries (RFC 3261 §8.1.1). Max-Forwards is not
/// required so that RFC 2543 peers still work (RFC 4475 §3.4.1).
const REQUEST_REQUIRED: &[N] = &[N::To, N::From, N::CSeq, N::CallId, N::Via];
/// Headers every response carries (RFC 3261 §8.2.6.2).
const RESPONSE_REQUIRED: &[N] = &[N::To, N::From, N::CSeq, N::CallId, N::Via];

fn all_ok<'a, T: Typed<'a>>(m: &Message<'a>) -> Result<(), HeaderError> {
    m.typed_all::<T>().try_for_each(|r| r.map(|_| ()))
}

impl Message<'_> {
    /// Checks the message strictly; see the module docs. The error says
    /// which header is wrong and [`ValidationError::status`] gives the
    /// status to answer with.
    ///
    /// # Examples
    ///
    /// ```
    /// use geosip_core::message::parse;
    ///
    /// let m = parse(b"OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\
    /// To: <sip:a@example.com>\r\nFrom: <sip:b@example.com>;tag=1\r\nCall-ID: x\r\nCSeq: 8 INVITE\r\n\r\n").unwrap();
    /// let err = m.validate().unwrap_err();
    /// assert_eq!(err.status(), 400);
    /// assert!(err.to_string().contains("does not match"));
    /// ```
    pub fn validate(&self) -> Result<(), ValidationError> {
        if !self.version().eq_ignore_ascii_case("SIP/2.0") {
            return Err(ValidationError::UnsupportedVersion(
                self.version().to_owned(),
            ));
        }
        let required = if self.is_request() {
            REQUEST_REQUIRED
        } else {
            RESPONSE_REQUIRED
        };
        for &name in required {
            if self.count(name) == 0 {
                return Err(HeaderError {
                    header: name.as_str().unwrap_or("?"),
                    kind: HeaderErrorKind::Missing,
                }
                .into());
            }
        }
        for &name in SINGLE {
            if self.count(name) > 1 {
                return Err(HeaderError {
                    header: name.as_str().unwrap_or("?"),
                    kind: HeaderErrorKind::Multiple,
                }
                .into());
            }
        }
        self.from()?;
        self.to()?;
        self.call_id()?;
        let cseq = self.cseq()?;
        all_ok::<Via>(self)?;
        all_ok::<MaxForwards>(self)?;
        all_ok::<Contact>(self)?;
        all_ok::<Expires>(self)?;
        all_ok::<MinExpires>(self)?;
        all_ok::<RetryAfter>(self)?;
        all_ok::<Route>(self)?;
        all_ok::<RecordRoute>(self)?;
        all_ok::<WwwAuthenticate>(self)?;
        all_ok::<ProxyAuthenticate>(self)?;
        all_ok::<Authorization>(self)?;
        all_ok::<ProxyAuthorization>(self)?;
        all_ok::<ContentType>(self)?;
        all_ok::<ContentLength>(self)?;
        all_ok::<Allow>(self)?;
        all_ok::<Supported>(self)?;
        all_ok::<Require>(self)?;
        all_ok::<ProxyRequire>(self)?;
        all_ok::<Unsupported>(self)?;
        all_ok::<SessionExpires>(self)?;
        all_ok::<MinSe>(self)?;
        all_ok::<Warning>(self)?;
        all_ok::<Date>(self)?;

        if let Some(method) = self.method() {
            let uri = self
                .parsed_request_uri()
                .unwrap_or(Err("missing"))
                .map_err(ValidationError::RequestUri)?;
            // RFC 3261 §19.1.1 (table): headers are not allowed in a
            // Request-URI (RFC 4475 §3.1.2.11).
            if let Uri::Sip(s) = uri {
                if s.headers.is_some() {
                    return Err(ValidationError::RequestUri(
                        "URI headers are not allowed in a Request-URI",
                    ));
                }
            }
            // RFC 3261 §8.1.1.5: the method matches, and the number is
            // below 2^31.
            if cseq.method.as_str() != method.as_str() {
                return Err(ValidationError::CSeqMethodMismatch {
                    method: method.as_str().to_owned(),
                    cseq: cseq.method.as_str().to_owned(),
                });
            }
            if cseq.seq >= 1 << 31 {
                return Err(HeaderError {
                    header: "CSeq",
                    kind: HeaderErrorKind::OutOfRange("CSeq number (must be below 2^31)"),
                }
                .into());
            }
        }
        Ok(())
    }
}
