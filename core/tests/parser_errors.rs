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
    // The index holds u32 offsets: a larger message limit is taken as
    // u32::MAX, and the others are kept.
    let huge = Parser::new(ParseLimits {
        max_message_size: usize::MAX,
        max_headers: 7,
        max_line_length: 99,
    });
    assert_eq!(
        *huge.limits(),
        ParseLimits {
            max_message_size: u32::MAX as usize,
            max_headers: 7,
            max_line_length: 99,
        }
    );
    // A folded header counts as one line.
    let folded =
        b"OPTIONS sip:a SIP/2.0\r\nA: 01234567890123456789\r\n 01234567890123456789\r\n\r\n";
    assert!(matches!(
        p.parse_datagram(folded).unwrap_err().kind,
        K::LineTooLong { .. }
    ));
}

/// The index holds at most 255 bytes from a line's start to its value
/// and values of at most 65,535 bytes; past that a message is refused at
/// the line, whichever scan reads it, and up to it the header reads back.
#[test]
fn index_bounds_hold() {
    let with = |line: &str| format!("OPTIONS sip:a SIP/2.0\r\nA: 1\r\n{line}\r\nB: 2\r\n\r\n");
    // The name, the colon and an SP: 253 + 2 bytes fit, 254 + 2 do not.
    let fits = format!("X-{}: v", "n".repeat(251));
    let text = with(&fits);
    let m = parse(text.as_bytes()).unwrap();
    let h = m.headers().nth(1).unwrap();
    assert_eq!((h.raw_name.len(), h.value), (253, "v"));
    let lws = format!("X-Lws:{}v", " ".repeat(249));
    let text = with(&lws);
    let m = parse(text.as_bytes()).unwrap();
    assert_eq!(m.header_str("x-lws"), Some("v"));
    // Past the bound: a longer name, more LWS (the ASCII scan gives up on
    // it, the others check), an empty value whose white space after the
    // colon is all lead, LWS with an HT.
    let lead = K::BadHeaderLine("header name, colon and white space longer than 255 bytes");
    for line in [
        format!("X-{}: v", "n".repeat(252)),
        format!("X-Lws:{}v", " ".repeat(254)),
        format!("Subject:{}", " ".repeat(248)),
        format!("X-Lws:\t{}v", " ".repeat(254)),
    ] {
        assert_eq!(kind(with(&line).as_bytes()), (lead.clone(), 3), "{line:?}");
    }
    // A value of 65,535 bytes fits, one more does not, under limits that
    // would allow both.
    let p = Parser::new(ParseLimits {
        max_message_size: 1 << 20,
        max_headers: 8,
        max_line_length: 1 << 20,
    });
    for (len, ok) in [(65_535, true), (65_536, false)] {
        let text = with(&format!("Subject: {}", "s".repeat(len)));
        match p.parse_datagram(text.as_bytes()) {
            Ok(m) => {
                assert!(ok, "{len}");
                assert_eq!(m.header_str("subject").map(str::len), Some(len));
                assert_eq!(m.header_str("b"), Some("2"));
            }
            Err(e) => {
                assert!(!ok, "{len}");
                assert_eq!(
                    (e.kind, e.line),
                    (K::BadHeaderLine("header value longer than 65,535 bytes"), 3)
                );
            }
        }
    }
}

/// The name as written comes back for every shape of LWS around the colon
/// (RFC 3261 §7.3.1), in both scans.
#[test]
fn raw_names_read_back() {
    for (line, name, value) in [
        ("Subject: v", "Subject", "v"),
        ("Subject:v", "Subject", "v"),
        ("Subject:", "Subject", ""),
        ("Subject: ", "Subject", ""),
        ("Subject :v", "Subject", "v"),
        ("Subject\t: v", "Subject", "v"),
        ("Subject:  v", "Subject", "v"),
        ("Subject:\t v", "Subject", "v"),
        ("Subject:\r\n v", "Subject", "v"),
        ("Subject \t: \r\n v", "Subject", "v"),
        ("s: v", "s", "v"),
        ("X-Odd.Name!~: v", "X-Odd.Name!~", "v"),
        ("X-Sixteen-Bytes!: v", "X-Sixteen-Bytes!", "v"),
        ("X-UTF8: caf\u{e9}", "X-UTF8", "caf\u{e9}"),
    ] {
        let text = format!("OPTIONS sip:a SIP/2.0\r\n{line}\r\nX: y\r\n\r\n");
        let m = parse(text.as_bytes()).unwrap_or_else(|e| panic!("{line:?}: {e}"));
        let h = m.headers().next().unwrap();
        assert_eq!((h.raw_name, h.value), (name, value), "{line:?}");
        let x = m.headers().nth(1).unwrap();
        assert_eq!((x.raw_name, x.value), ("X", "y"), "{line:?}");
    }
}
