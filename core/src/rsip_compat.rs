//! Conversions to rsip 0.4 message types (feature `rsip`).
//!
//! The conversion is structured, not a second parse: the start line is
//! mapped field by field, every header line becomes one [`rsip::Header`] in
//! the same order, and the body is copied.
//!
//! - Headers that rsip knows become their untyped variant
//!   ([`rsip::Header::Via`], [`rsip::Header::CallId`], ...) whatever their
//!   spelling in the message, compact forms included (`v`, `i`, `m`...).
//!   Any other header becomes [`rsip::Header::Other`], named with its long
//!   form when geosip knows it (`x` becomes `Session-Expires`) and as
//!   written otherwise.
//! - Header values are kept as parsed, except that every fold (CRLF and the
//!   SP/HT after it) is replaced by one SP, as RFC 3261 §7.3.1 allows and as
//!   [`Message::write_to`] does.
//! - The Request-URI is built part by part from geosip's reading of it
//!   (see [`uri`]), not re-parsed by rsip.
//!
//! What rsip 0.4 cannot hold is an error ([`ConversionError`]): extension
//! methods (rsip's [`rsip::Method`] has no catch-all variant), SIP versions
//! other than 1.0 and 2.0, and Request-URIs rsip would not write back as
//! they were: URIs with headers (`?...`), IPv6 hosts, and schemes other
//! than `sip`/`sips` (such as `tel:`).
//!
//! One thing is lost without an error, because rsip has no place for it:
//! the reason phrase of a response whose status code rsip knows (rsip
//! writes its own phrase); for other codes the phrase is kept in
//! [`rsip::StatusCode::Other`].
//!
//! # Examples
//!
//! ```
//! use geosip_core::message::parse;
//! use rsip::prelude::*;
//!
//! let raw = b"INVITE sip:bob@example.com SIP/2.0\r\n\
//! v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n\
//! f: <sip:alice@example.com>;tag=a\r\n\
//! t: <sip:bob@example.com>\r\n\
//! i: 1@192.0.2.1\r\n\
//! CSeq: 1 INVITE\r\n\
//! X-Tenant: 7\r\n\
//! l: 4\r\n\r\nv=0\n";
//! let msg = parse(raw).unwrap();
//!
//! let req = rsip::Request::try_from(&msg).unwrap();
//! assert_eq!(req.method, rsip::Method::Invite);
//! assert_eq!(req.uri.to_string(), "sip:bob@example.com");
//! assert_eq!(req.call_id_header().unwrap().value(), "1@192.0.2.1");
//! assert_eq!(req.headers.iter().count(), 7);
//! assert_eq!(req.body, b"v=0\n");
//!
//! // A request is not a response.
//! assert!(rsip::Response::try_from(&msg).is_err());
//! ```

use crate::message::{Header, HeaderName, Host as GHost, Message, Method, Param, StartLine, Uri};

/// Why a geosip message (or part of one) cannot become an rsip value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConversionError {
    /// The method is an extension method; rsip 0.4's [`rsip::Method`] only
    /// has the fourteen methods of RFC 3261 and its common extensions.
    #[error("method {0} has no rsip::Method equivalent (rsip 0.4 has no extension methods)")]
    ExtensionMethod(String),
    /// The SIP-Version is neither `SIP/2.0` nor `SIP/1.0`, the only ones
    /// [`rsip::Version`] has.
    #[error("SIP version {0} has no rsip::Version equivalent")]
    UnsupportedVersion(String),
    /// rsip cannot hold the Request-URI without changing it.
    #[error("Request-URI {uri} cannot be represented as an rsip::Uri: {reason}")]
    Uri {
        /// The Request-URI as written.
        uri: String,
        /// What rsip did with it.
        reason: String,
    },
    /// A request was expected but the message is a response.
    #[error("expected a SIP request but the message is a response")]
    NotARequest,
    /// A response was expected but the message is a request.
    #[error("expected a SIP response but the message is a request")]
    NotAResponse,
}

/// Maps a method to rsip's; extension methods are an error.
///
/// ```
/// use geosip_core::message::Method;
/// assert_eq!(rsip::Method::try_from(Method::Prack), Ok(rsip::Method::PRack));
/// assert!(rsip::Method::try_from(Method::Extension("RE%47IST%45R")).is_err());
/// ```
impl TryFrom<Method<'_>> for rsip::Method {
    type Error = ConversionError;

    fn try_from(m: Method<'_>) -> Result<Self, Self::Error> {
        Ok(match m {
            Method::Invite => rsip::Method::Invite,
            Method::Ack => rsip::Method::Ack,
            Method::Bye => rsip::Method::Bye,
            Method::Cancel => rsip::Method::Cancel,
            Method::Register => rsip::Method::Register,
            Method::Options => rsip::Method::Options,
            Method::Info => rsip::Method::Info,
            Method::Update => rsip::Method::Update,
            Method::Prack => rsip::Method::PRack,
            Method::Subscribe => rsip::Method::Subscribe,
            Method::Notify => rsip::Method::Notify,
            Method::Refer => rsip::Method::Refer,
            Method::Message => rsip::Method::Message,
            Method::Publish => rsip::Method::Publish,
            Method::Extension(s) => return Err(ConversionError::ExtensionMethod(s.to_owned())),
        })
    }
}

/// Maps an rsip method back; every rsip method is a geosip one.
///
/// ```
/// use geosip_core::message::Method;
/// assert_eq!(Method::from(rsip::Method::PRack), Method::Prack);
/// ```
impl From<rsip::Method> for Method<'static> {
    fn from(m: rsip::Method) -> Self {
        match m {
            rsip::Method::Ack => Method::Ack,
            rsip::Method::Bye => Method::Bye,
            rsip::Method::Cancel => Method::Cancel,
            rsip::Method::Info => Method::Info,
            rsip::Method::Invite => Method::Invite,
            rsip::Method::Message => Method::Message,
            rsip::Method::Notify => Method::Notify,
            rsip::Method::Options => Method::Options,
            rsip::Method::PRack => Method::Prack,
            rsip::Method::Publish => Method::Publish,
            rsip::Method::Refer => Method::Refer,
            rsip::Method::Register => Method::Register,
            rsip::Method::Subscribe => Method::Subscribe,
            rsip::Method::Update => Method::Update,
        }
    }
}

/// Converts one header line: rsip's untyped variant when rsip knows the
/// name, else [`rsip::Header::Other`] with the long name (or the name as
/// written for headers geosip does not know either). Folds in the value
/// become one SP.
///
/// ```
/// use geosip_core::message::parse;
/// let m = parse(b"OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h\r\n ;branch=z9hG4bK1\r\nx: 90\r\nX-Foo: 1\r\n\r\n").unwrap();
/// let h: Vec<rsip::Header> = m.headers().map(rsip::Header::from).collect();
/// assert_eq!(h[0].to_string(), "Via: SIP/2.0/UDP h ;branch=z9hG4bK1");
/// assert_eq!(h[1], rsip::Header::Other("Session-Expires".into(), "90".into()));
/// assert_eq!(h[2], rsip::Header::Other("X-Foo".into(), "1".into()));
/// ```
impl From<Header<'_>> for rsip::Header {
    fn from(h: Header<'_>) -> Self {
        use rsip::headers::*;
        let v = h.value_unfolded().into_owned();
        match h.name {
            HeaderName::Accept => rsip::Header::Accept(Accept::new(v)),
            HeaderName::AcceptEncoding => rsip::Header::AcceptEncoding(AcceptEncoding::new(v)),
            HeaderName::AcceptLanguage => rsip::Header::AcceptLanguage(AcceptLanguage::new(v)),
            HeaderName::AlertInfo => rsip::Header::AlertInfo(AlertInfo::new(v)),
            HeaderName::Allow => rsip::Header::Allow(Allow::new(v)),
            HeaderName::AuthenticationInfo => {
                rsip::Header::AuthenticationInfo(AuthenticationInfo::new(v))
            }
            HeaderName::Authorization => rsip::Header::Authorization(Authorization::new(v)),
            HeaderName::CSeq => rsip::Header::CSeq(CSeq::new(v)),
            HeaderName::CallId => rsip::Header::CallId(CallId::new(v)),
            HeaderName::CallInfo => rsip::Header::CallInfo(CallInfo::new(v)),
            HeaderName::Contact => rsip::Header::Contact(Contact::new(v)),
            HeaderName::ContentDisposition => {
                rsip::Header::ContentDisposition(ContentDisposition::new(v))
            }
            HeaderName::ContentEncoding => rsip::Header::ContentEncoding(ContentEncoding::new(v)),
            HeaderName::ContentLanguage => rsip::Header::ContentLanguage(ContentLanguage::new(v)),
            HeaderName::ContentLength => rsip::Header::ContentLength(ContentLength::new(v)),
            HeaderName::ContentType => rsip::Header::ContentType(ContentType::new(v)),
            HeaderName::Date => rsip::Header::Date(Date::new(v)),
            HeaderName::ErrorInfo => rsip::Header::ErrorInfo(ErrorInfo::new(v)),
            HeaderName::Event => rsip::Header::Event(Event::new(v)),
            HeaderName::Expires => rsip::Header::Expires(Expires::new(v)),
            HeaderName::From => rsip::Header::From(From::new(v)),
            HeaderName::InReplyTo => rsip::Header::InReplyTo(InReplyTo::new(v)),
            HeaderName::MaxForwards => rsip::Header::MaxForwards(MaxForwards::new(v)),
            HeaderName::MimeVersion => rsip::Header::MimeVersion(MimeVersion::new(v)),
            HeaderName::MinExpires => rsip::Header::MinExpires(MinExpires::new(v)),
            HeaderName::Organization => rsip::Header::Organization(Organization::new(v)),
            HeaderName::Priority => rsip::Header::Priority(Priority::new(v)),
            HeaderName::ProxyAuthenticate => {
                rsip::Header::ProxyAuthenticate(ProxyAuthenticate::new(v))
            }
            HeaderName::ProxyAuthorization => {
                rsip::Header::ProxyAuthorization(ProxyAuthorization::new(v))
            }
            HeaderName::ProxyRequire => rsip::Header::ProxyRequire(ProxyRequire::new(v)),
            HeaderName::RecordRoute => rsip::Header::RecordRoute(RecordRoute::new(v)),
            HeaderName::ReplyTo => rsip::Header::ReplyTo(ReplyTo::new(v)),
            HeaderName::Require => rsip::Header::Require(Require::new(v)),
            HeaderName::RetryAfter => rsip::Header::RetryAfter(RetryAfter::new(v)),
            HeaderName::Route => rsip::Header::Route(Route::new(v)),
            HeaderName::Server => rsip::Header::Server(Server::new(v)),
            HeaderName::Subject => rsip::Header::Subject(Subject::new(v)),
            HeaderName::SubscriptionState => {
                rsip::Header::SubscriptionState(SubscriptionState::new(v))
            }
            HeaderName::Supported => rsip::Header::Supported(Supported::new(v)),
            HeaderName::Timestamp => rsip::Header::Timestamp(Timestamp::new(v)),
            HeaderName::To => rsip::Header::To(To::new(v)),
            HeaderName::Unsupported => rsip::Header::Unsupported(Unsupported::new(v)),
            HeaderName::UserAgent => rsip::Header::UserAgent(UserAgent::new(v)),
            HeaderName::Via => rsip::Header::Via(Via::new(v)),
            HeaderName::Warning => rsip::Header::Warning(Warning::new(v)),
            HeaderName::WwwAuthenticate => rsip::Header::WwwAuthenticate(WwwAuthenticate::new(v)),
            _ => rsip::Header::Other(h.long_name().to_owned(), v),
        }
    }
}

/// Every header line of `msg`, in order, as [`rsip::Headers`], each
/// converted with `rsip::Header::from` (see the module documentation).
///
/// ```
/// let m = geosip_core::message::parse(b"SIP/2.0 200 OK\r\ni: c1\r\nl: 0\r\n\r\n").unwrap();
/// let h = geosip_core::rsip_compat::headers(&m);
/// assert_eq!(h.iter().count(), 2);
/// ```
pub fn headers(msg: &Message<'_>) -> rsip::Headers {
    msg.headers()
        .map(rsip::Header::from)
        .collect::<Vec<_>>()
        .into()
}

/// Converts a Request-URI (or any `sip:`/`sips:` URI) into an
/// [`rsip::Uri`], built from geosip's reading of it: scheme, user and
/// password (still escaped, as rsip keeps them), host, port, and every
/// parameter in order (rsip's typed [`rsip::Param`] where it has one for the
/// name and value, else [`rsip::Param::Other`]).
///
/// rsip 0.4's own URI parser is not used: it takes `t.watson@example.org`
/// or `sips%3Auser%40example.com@example.net` whole for the host. What
/// rsip cannot hold is an error rather than a silent loss: URI headers
/// (`?...`), schemes other than `sip`/`sips` (rsip would write `tel:` as
/// `tel://`), IPv6 hosts (rsip writes them without brackets), and anything
/// else rsip would not write back as it was, up to ASCII case (rsip spells
/// `SIP:` as `sip:` and `transport=tcp` as `transport=TCP`).
///
/// ```
/// use geosip_core::rsip_compat::uri;
/// let u = uri("sip:t.watson@example.com:5070;transport=tcp;lr").unwrap();
/// assert_eq!(u.user(), Some("t.watson"));
/// assert_eq!(u.host_with_port.to_string(), "example.com:5070");
/// assert_eq!(u.transport(), Some(&rsip::Transport::Tcp));
/// assert_eq!(u.to_string(), "sip:t.watson@example.com:5070;transport=TCP;lr");
/// // rsip has no place for URI headers.
/// assert!(uri("sip:bob@example.com?Subject=hi").is_err());
/// ```
pub fn uri(uri: &str) -> Result<rsip::Uri, ConversionError> {
    let err = |reason: &str| ConversionError::Uri {
        uri: uri.to_owned(),
        reason: reason.to_owned(),
    };
    let sip = match Uri::parse(uri).map_err(err)? {
        Uri::Sip(sip) => sip,
        _ => return Err(err("rsip 0.4 holds only sip: and sips: URIs")),
    };
    if sip.headers.is_some() {
        return Err(err("rsip 0.4 has no URI headers"));
    }
    let host = match sip.host {
        GHost::Domain(d) => rsip::Host::Domain(d.into()),
        GHost::Ipv4(a) => rsip::Host::IpAddr(a.into()),
        GHost::Ipv6(_) => return Err(err("rsip 0.4 writes IPv6 hosts without brackets")),
    };
    let converted = rsip::Uri {
        scheme: Some(if sip.secure {
            rsip::Scheme::Sips
        } else {
            rsip::Scheme::Sip
        }),
        auth: sip.user.map(|user| rsip::Auth {
            user: user.to_owned(),
            password: sip.password.map(str::to_owned),
        }),
        host_with_port: rsip::HostWithPort {
            host,
            port: sip.port.map(rsip::Port::from),
        },
        params: sip.params.iter().map(param).collect(),
        headers: Vec::new(),
    };
    let written = converted.to_string();
    if !written.eq_ignore_ascii_case(uri) {
        return Err(ConversionError::Uri {
            uri: uri.to_owned(),
            reason: format!("rsip would write it as {written}"),
        });
    }
    Ok(converted)
}

/// One URI parameter: rsip's typed variant when rsip accepts the name and
/// value (`transport=tcp`, `lr`, `maddr=...`), else `Other`.
fn param(p: Param<'_>) -> rsip::Param {
    rsip::Param::try_from((p.name, p.value))
        .unwrap_or_else(|_| rsip::Param::Other(p.name.into(), p.value.map(Into::into)))
}

/// Maps a status code and reason phrase; rsip keeps the phrase only for
/// codes it has no name for.
///
/// ```
/// use geosip_core::rsip_compat::status_code;
/// assert_eq!(status_code(180, "Ringing"), rsip::StatusCode::Ringing);
/// assert_eq!(status_code(299, "Odd"), rsip::StatusCode::Other(299, "Odd".into()));
/// ```
pub fn status_code(code: u16, reason: &str) -> rsip::StatusCode {
    match rsip::StatusCode::from(code) {
        rsip::StatusCode::Other(code, _) => rsip::StatusCode::Other(code, reason.to_owned()),
        known => known,
    }
}

/// Maps a SIP-Version as written (`SIP/2.0`, any case of `SIP`).
///
/// ```
/// use geosip_core::rsip_compat::version;
/// assert_eq!(version("SIP/2.0"), Ok(rsip::Version::V2));
/// assert!(version("SIP/7.0").is_err());
/// ```
pub fn version(v: &str) -> Result<rsip::Version, ConversionError> {
    let b = v.as_bytes();
    if b.len() == 7 && b[..4].eq_ignore_ascii_case(b"SIP/") {
        match &b[4..] {
            b"2.0" => return Ok(rsip::Version::V2),
            b"1.0" => return Ok(rsip::Version::V1),
            _ => {}
        }
    }
    Err(ConversionError::UnsupportedVersion(v.to_owned()))
}

/// Converts a request; a response is [`ConversionError::NotARequest`].
impl TryFrom<&Message<'_>> for rsip::Request {
    type Error = ConversionError;

    fn try_from(msg: &Message<'_>) -> Result<Self, Self::Error> {
        match *msg.start_line() {
            StartLine::Request {
                method,
                uri: request_uri,
                version: v,
            } => Ok(rsip::Request {
                method: method.try_into()?,
                uri: uri(request_uri)?,
                version: version(v)?,
                headers: headers(msg),
                body: msg.body().to_vec(),
            }),
            StartLine::Response { .. } => Err(ConversionError::NotARequest),
        }
    }
}

/// Converts a response; a request is [`ConversionError::NotAResponse`].
///
/// ```
/// use geosip_core::message::parse;
/// use rsip::prelude::*;
///
/// let m = parse(b"SIP/2.0 180 Ringing\r\ni: c1\r\nl: 0\r\n\r\n").unwrap();
/// let r = rsip::Response::try_from(&m).unwrap();
/// assert_eq!(r.status_code.code(), 180);
/// assert_eq!(r.call_id_header().unwrap().value(), "c1");
/// assert!(rsip::Request::try_from(&m).is_err());
/// ```
impl TryFrom<&Message<'_>> for rsip::Response {
    type Error = ConversionError;

    fn try_from(msg: &Message<'_>) -> Result<Self, Self::Error> {
        match *msg.start_line() {
            StartLine::Response {
                version: v,
                code,
                reason,
            } => Ok(rsip::Response {
                status_code: status_code(code, reason),
                version: version(v)?,
                headers: headers(msg),
                body: msg.body().to_vec(),
            }),
            StartLine::Request { .. } => Err(ConversionError::NotAResponse),
        }
    }
}

/// Converts a request or a response.
///
/// ```
/// let m = geosip_core::message::parse(b"SIP/2.0 200 OK\r\nl: 0\r\n\r\n").unwrap();
/// let s = rsip::SipMessage::try_from(&m).unwrap();
/// assert!(s.is_response());
/// ```
impl TryFrom<&Message<'_>> for rsip::SipMessage {
    type Error = ConversionError;

    fn try_from(msg: &Message<'_>) -> Result<Self, Self::Error> {
        if msg.is_request() {
            rsip::Request::try_from(msg).map(rsip::SipMessage::Request)
        } else {
            rsip::Response::try_from(msg).map(rsip::SipMessage::Response)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::parse;
    use rsip::prelude::*;
    use std::path::PathBuf;

    fn shared() -> PathBuf {
        std::env::var_os("GEOSIP_SHARED")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
    }

    fn files(dir: &str, ext: &str) -> Vec<(String, Vec<u8>)> {
        let dir = shared().join(dir);
        let mut v: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == ext))
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&p).unwrap())
            })
            .collect();
        v.sort();
        v
    }

    /// Checks that method or status, Request-URI, every header (name and
    /// unfolded value, in order), Call-ID and body survived.
    fn check_fields(name: &str, m: &Message<'_>, s: &rsip::SipMessage) {
        let hs: Vec<&rsip::Header> = s.headers().iter().collect();
        assert_eq!(hs.len(), m.header_count(), "{name}: header count");
        for (g, r) in m.headers().zip(hs.iter().copied()) {
            let expect = format!("{}: {}", g.long_name(), g.value_unfolded());
            let got = r.to_string();
            assert!(
                got.eq_ignore_ascii_case(&expect) && got.ends_with(&*g.value_unfolded()),
                "{name}: header {expect:?} became {got:?}"
            );
        }
        match (m.start_line(), s) {
            (StartLine::Request { method, uri, .. }, rsip::SipMessage::Request(r)) => {
                assert_eq!(r.method.to_string(), method.as_str(), "{name}: method");
                assert_eq!(Method::from(r.method), *method, "{name}: method back");
                let written = r.uri.to_string();
                assert!(
                    written.eq_ignore_ascii_case(uri),
                    "{name}: {uri} became {written}"
                );
            }
            (StartLine::Response { code, reason, .. }, rsip::SipMessage::Response(r)) => {
                assert_eq!(r.status_code.code(), *code, "{name}: status");
                if let rsip::StatusCode::Other(_, phrase) = &r.status_code {
                    assert_eq!(phrase, reason, "{name}: reason");
                }
            }
            _ => panic!("{name}: request/response kind changed"),
        }
        match m.header(HeaderName::CallId) {
            Some(id) => assert_eq!(s.call_id_header().unwrap().value(), id, "{name}: Call-ID"),
            None => assert!(s.call_id_header().is_err(), "{name}: Call-ID appeared"),
        }
        assert_eq!(s.body(), m.body(), "{name}: body");
    }

    /// Our conversion agrees with rsip's own parse of the serialized
    /// message (which has long names, unfolded values and a computed
    /// Content-Length, so compare against a message that has one). The
    /// Request-URI is compared as text: rsip's parser splits some URIs
    /// wrongly (`user.name@host` as a host) but writes them back the same.
    fn check_against_rsip_parser(name: &str, m: &Message<'_>, s: &rsip::SipMessage) {
        let mut out = Vec::new();
        m.write_to(&mut out);
        let reparsed = parse(&out).unwrap();
        let ours = rsip::SipMessage::try_from(&reparsed).unwrap();
        let theirs = rsip::SipMessage::try_from(out.as_slice())
            .unwrap_or_else(|e| panic!("{name}: rsip cannot parse the serialized form: {e}"));
        match (&ours, &theirs) {
            (rsip::SipMessage::Request(a), rsip::SipMessage::Request(b)) => {
                assert_eq!(a.uri.to_string(), b.uri.to_string(), "{name}: Request-URI");
                let mut b = b.clone();
                b.uri = a.uri.clone();
                assert_eq!(*a, b, "{name}: differs from rsip's own parse");
            }
            _ => assert_eq!(ours, theirs, "{name}: differs from rsip's own parse"),
        }
        // And the message as converted directly differs from the
        // re-parsed one at most in Content-Length.
        let strip = |s: &rsip::SipMessage| -> Vec<rsip::Header> {
            s.headers()
                .iter()
                .filter(|h| !matches!(h, rsip::Header::ContentLength(_)))
                .cloned()
                .collect()
        };
        assert_eq!(strip(s), strip(&ours), "{name}: headers");
    }

    #[test]
    fn bench_messages_convert_with_every_field() {
        let files = files("bench-messages", "sip");
        assert_eq!(files.len(), 3);
        for (name, bytes) in &files {
            let m = parse(bytes).unwrap();
            let s = rsip::SipMessage::try_from(&m).unwrap_or_else(|e| panic!("{name}: {e}"));
            check_fields(name, &m, &s);
            check_against_rsip_parser(name, &m, &s);
            if m.is_request() {
                assert!(rsip::Request::try_from(&m).is_ok());
                assert_eq!(
                    rsip::Response::try_from(&m),
                    Err(ConversionError::NotAResponse)
                );
            } else {
                assert!(rsip::Response::try_from(&m).is_ok());
                assert_eq!(
                    rsip::Request::try_from(&m),
                    Err(ConversionError::NotARequest)
                );
            }
        }
    }

    #[test]
    fn torture_valid_messages_convert_or_fail_for_a_stated_reason() {
        let files = files("torture/valid", "dat");
        assert_eq!(files.len(), 13);
        let mut converted = Vec::new();
        for (name, bytes) in &files {
            let m = parse(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            match rsip::SipMessage::try_from(&m) {
                Ok(s) => {
                    check_fields(name, &m, &s);
                    // rsip's own parser cannot read semiuri's Request-URI
                    // (`sip:user;par=u%40example.net@example.com`) at all.
                    if name != "semiuri.dat" {
                        check_against_rsip_parser(name, &m, &s);
                    }
                    converted.push(name.as_str());
                }
                Err(e) => {
                    let expected = match name.as_str() {
                        // Extension methods (RFC 4475 §3.1.1.2, §3.1.1.5).
                        "intmeth.dat" | "esc02.dat" => {
                            matches!(e, ConversionError::ExtensionMethod(_))
                        }
                        _ => false,
                    };
                    assert!(expected, "{name}: unexpected conversion error: {e}");
                }
            }
        }
        assert_eq!(
            converted,
            [
                "dblreq.dat",
                "esc01.dat",
                "escnull.dat",
                "longreq.dat",
                "lwsdisp.dat",
                "mpart01.dat",
                "noreason.dat",
                "semiuri.dat",
                "transports.dat",
                "unreason.dat",
                "wsinv.dat"
            ]
        );
    }

    #[test]
    fn extension_method_is_an_error_naming_it() {
        let bytes = std::fs::read(shared().join("torture/valid/esc02.dat")).unwrap();
        let m = parse(&bytes).unwrap();
        let e = rsip::SipMessage::try_from(&m).unwrap_err();
        assert_eq!(e, ConversionError::ExtensionMethod("RE%47IST%45R".into()));
        assert!(e.to_string().contains("RE%47IST%45R"), "{e}");
    }

    #[test]
    fn compact_and_unknown_names() {
        let bytes = std::fs::read(shared().join("torture/valid/wsinv.dat")).unwrap();
        let m = parse(&bytes).unwrap();
        let s = rsip::SipMessage::try_from(&m).unwrap();
        // `v:` and `Via` alike become rsip Via headers, `m:` a Contact.
        let vias = s
            .headers()
            .iter()
            .filter(|h| matches!(h, rsip::Header::Via(_)))
            .count();
        assert_eq!(vias, m.headers_named(HeaderName::Via).count());
        assert!(vias >= 2);
        assert!(s
            .headers()
            .iter()
            .any(|h| matches!(h, rsip::Header::Contact(_))));
        assert!(s.headers().iter().any(|h| matches!(
            h,
            rsip::Header::Other(n, v) if n == "UnknownHeaderWithUnusualValue" && v == ";;,,;;,;"
        )));
        // No value keeps a fold.
        assert!(s.headers().iter().all(|h| !h.to_string().contains('\n')));
    }

    #[test]
    fn status_codes_and_versions() {
        assert_eq!(status_code(200, "Anything"), rsip::StatusCode::OK);
        assert_eq!(
            status_code(499, "Custom"),
            rsip::StatusCode::Other(499, "Custom".into())
        );
        assert_eq!(version("sip/2.0"), Ok(rsip::Version::V2));
        assert_eq!(version("SIP/1.0"), Ok(rsip::Version::V1));
        assert_eq!(
            version("SIP/2.1"),
            Err(ConversionError::UnsupportedVersion("SIP/2.1".into()))
        );
        let bytes = std::fs::read(shared().join("torture/invalid/badvers.dat")).unwrap();
        let m = parse(&bytes).unwrap();
        assert!(matches!(
            rsip::SipMessage::try_from(&m),
            Err(ConversionError::UnsupportedVersion(v)) if v == "SIP/7.0"
        ));
    }

    #[test]
    fn every_method_maps_both_ways() {
        for m in rsip::Method::all() {
            let g = Method::from(m);
            assert_eq!(g.as_str(), m.to_string());
            assert_eq!(rsip::Method::try_from(g), Ok(m));
        }
    }

    #[test]
    fn uri_is_built_from_its_parts() {
        let u = uri("sips:t.watson:pw@192.0.2.1:5061;maddr=239.255.255.1;ttl=15;x-y;lr").unwrap();
        assert_eq!(u.scheme, Some(rsip::Scheme::Sips));
        assert_eq!(u.user(), Some("t.watson"));
        assert_eq!(u.auth.as_ref().unwrap().password.as_deref(), Some("pw"));
        assert_eq!(u.host_with_port.to_string(), "192.0.2.1:5061");
        assert_eq!(u.params.len(), 4);
        assert_eq!(u.params[3], rsip::Param::Lr);
        assert_eq!(u.params[2], rsip::Param::Other("x-y".into(), None));
        // Escapes stay as written, as rsip keeps them.
        let u = uri("sip:sips%3Auser%40example.com@example.net").unwrap();
        assert_eq!(u.user(), Some("sips%3Auser%40example.com"));
        assert_eq!(u.host().to_string(), "example.net");
        // An unknown transport is kept as an Other parameter.
        let u = uri("sip:a@b;transport=foo").unwrap();
        assert_eq!(
            u.params,
            [rsip::Param::Other("transport".into(), Some("foo".into()))]
        );
    }

    #[test]
    fn uri_case_normalized_by_rsip_is_accepted() {
        let u = uri("SIP:alice@Example.COM;Transport=udp;lr").unwrap();
        assert!(u
            .to_string()
            .eq_ignore_ascii_case("sip:alice@example.com;transport=udp;lr"));
        assert_eq!(u.user(), Some("alice"));
    }

    #[test]
    fn uri_rsip_cannot_hold_is_an_error() {
        for (u, why) in [
            (
                "sip:user@example.com?Route=%3Csip:example.com%3E",
                "URI headers",
            ),
            ("sip:bob@[2001:db8::1]:5060", "IPv6"),
            ("tel:+1-201-555-0123", "sip: and sips:"),
            ("urn:service:sos", "sip: and sips:"),
            ("sip:bob@exa mple.com", "host"),
        ] {
            let e = uri(u).unwrap_err();
            assert!(
                matches!(&e, ConversionError::Uri { uri, .. } if uri == u),
                "{e}"
            );
            let text = e.to_string();
            assert!(text.contains("Request-URI") && text.contains(why), "{text}");
        }
    }
}
