//! Parse errors say where and why, and the limits hold.

use geosip_core::message::{parse, ParseErrorKind as K, ParseLimits, Parser};

const OK: &str = "OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCall-ID: x\r\nContent-Length: 0\r\n\r\n";

fn kind(data: &[u8]) -> (K, u32) {
    let e = parse(data).unwrap_err();
    (e.kind, e.line)
}

#[test]
fn errors_name_the_line() {
    assert!(parse(OK.as_bytes()).is_ok());
    let bad = OK.replace("Call-ID: x", "Call-ID x");
    let e = parse(bad.as_bytes()).unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.to_string().starts_with("line 3: bad header line"), "{e}");
    let e = parse(
        OK.replace("Content-Length: 0", "Content-Length: x")
            .as_bytes(),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 4 (Content-Length): Content-Length is not a valid number"
    );
}

#[test]
fn line_endings() {
    // Bare LF.
    assert_eq!(
        kind(OK.replace("Call-ID: x\r\n", "Call-ID: x\n").as_bytes()).0,
        K::BadLineEnding
    );
    // Bare CR inside a value or the start line.
    assert_eq!(
        kind(OK.replace("Call-ID: x", "Call-ID: x\ry").as_bytes()),
        (K::BadLineEnding, 3)
    );
    assert_eq!(
        kind(OK.replace("sip:a@", "sip:a\r@").as_bytes()),
        (K::BadLineEnding, 1)
    );
    // A continuation line needs a header before it.
    let e = parse(b"OPTIONS sip:a SIP/2.0\r\n folded\r\n\r\n").unwrap_err();
    assert_eq!(
        e.kind,
        K::BadHeaderLine("continuation line without a header")
    );
}

#[test]
fn empty_incomplete_and_leading_crlf() {
    assert_eq!(kind(b"").0, K::Empty);
    assert_eq!(kind(b"\r\n\r\n").0, K::Empty);
    assert_eq!(
        kind(b"OPTIONS sip:a SIP/2.0\r\nCall-ID: x\r\n").0,
        K::Incomplete
    );
    // RFC 3261 §7.5: CRLFs before the start line are ignored.
    let mut s = b"\r\n\r\n".to_vec();
    s.extend_from_slice(OK.as_bytes());
    assert!(parse(&s).is_ok());
}

#[test]
fn start_lines() {
    assert_eq!(kind(b"SIP/2.0 99 Low\r\n\r\n").0, K::BadStatusCode);
    assert_eq!(kind(b"SIP/2.0 700 High\r\n\r\n").0, K::BadStatusCode);
    assert_eq!(kind(b"SIP/2.0 2000 Long\r\n\r\n").0, K::BadStatusCode);
    assert_eq!(kind(b"SIP/2 200 OK\r\n\r\n").0, K::BadVersion);
    assert_eq!(kind(b"INV@TE sip:a SIP/2.0\r\n\r\n").0, K::BadMethod);
    assert_eq!(kind(b"OPTIONS sip:a HTTP/1.1\r\n\r\n").0, K::BadVersion);
    assert!(matches!(
        kind(b"OPTIONS a SIP/2.0\r\n\r\n").0,
        K::BadRequestUri(_)
    ));
    // A status line with no reason phrase and no SP is tolerated.
    assert_eq!(parse(b"SIP/2.0 200\r\n\r\n").unwrap().reason(), Some(""));
}

#[test]
fn body_rules() {
    // Datagram: a shorter body is an error, extra bytes are ignored.
    let short = OK.replace("Content-Length: 0", "Content-Length: 10");
    assert!(matches!(
        kind(short.as_bytes()).0,
        K::BodyTooShort {
            expected: 10,
            actual: 0
        }
    ));
    let mut extra = OK.as_bytes().to_vec();
    extra.extend_from_slice(b"trailing");
    assert_eq!(parse(&extra).unwrap().body(), b"");
    // Stream: Content-Length is required.
    let no_cl = OK.replace("Content-Length: 0\r\n", "");
    let e = Parser::default()
        .parse_stream_message(no_cl.as_bytes())
        .unwrap_err();
    assert_eq!(e.kind, K::MissingContentLength);
    // Two Content-Lengths that agree are fine; that disagree are not.
    let two = OK.replace("Content-Length: 0", "Content-Length: 0\r\nl: 0");
    assert!(parse(two.as_bytes()).is_ok());
    let two = OK.replace("Content-Length: 0", "Content-Length: 0\r\nl: 1");
    assert_eq!(kind(two.as_bytes()).0, K::ConflictingContentLength);
    // Not UTF-8 in the head.
    let utf8 = OK.replace("Call-ID: x", "Call-ID: \u{e9}");
    let m = parse(utf8.as_bytes()).unwrap();
    assert_eq!(m.header_str("call-id"), Some("\u{e9}"));
    let mut latin1 = OK.as_bytes().to_vec();
    let at = OK.find("Call-ID: x").unwrap() + "Call-ID: ".len();
    latin1[at] = 0xe9;
    assert_eq!(kind(&latin1), (K::NotUtf8, 3));
}

#[test]
fn limits_hold() {
    let p = Parser::new(ParseLimits {
        max_message_size: 100,
        max_headers: 2,
        max_line_length: 40,
    });
    assert!(matches!(
        p.parse_datagram(&[b'a'; 101]).unwrap_err().kind,
        K::TooLarge { limit: 100 }
    ));
    let three = b"OPTIONS sip:a SIP/2.0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
    assert_eq!(
        p.parse_datagram(three).unwrap_err().kind,
        K::TooManyHeaders { limit: 2 }
    );
    let long = b"OPTIONS sip:a SIP/2.0\r\nA: 0123456789012345678901234567890123456789\r\n\r\n";
    let e = p.parse_datagram(long).unwrap_err();
    assert_eq!((e.kind, e.line), (K::LineTooLong { limit: 40 }, 2));
    // A folded header counts as one line.
    let folded =
        b"OPTIONS sip:a SIP/2.0\r\nA: 01234567890123456789\r\n 01234567890123456789\r\n\r\n";
    assert!(matches!(
        p.parse_datagram(folded).unwrap_err().kind,
        K::LineTooLong { .. }
    ));
}
