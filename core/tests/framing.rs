//! Stream framing (RFC 3261 §18.3) under every chunking, with RFC 5626
//! keep-alives, and its refusals.

use geosip_core::message::{ParseErrorKind, ParseLimits};
use geosip_core::transport::{FlowRole, Frame, FramingError, StreamFramer};
use proptest::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Message(Vec<u8>),
    Ping,
    Pong,
}

const INVITE: &[u8] = b"INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: 13\r\n\r\nv=0\r\ns=-\r\nt=0";
const OK: &[u8] = b"SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1\r\nl: 0\r\n\r\n";
const FOLDED: &[u8] = b"OPTIONS sip:x SIP/2.0\r\nv: SIP/2.0/TCP h\r\n ;branch=z9hG4bK2\r\nContent-Length  :\r\n 5\r\n\r\nhello";

/// Feeds `chunks` one by one, draining frames after each.
fn run(role: FlowRole, chunks: &[&[u8]]) -> Result<Vec<Item>, FramingError> {
    let mut f = StreamFramer::new(role, ParseLimits::default());
    let mut out = Vec::new();
    for c in chunks {
        f.push(c)?;
        while let Some(frame) = f.next_frame()? {
            out.push(match frame {
                Frame::Message { bytes, message } => {
                    assert_eq!(message.body().len(), message.content_length().unwrap());
                    Item::Message(bytes.to_vec())
                }
                Frame::Ping => Item::Ping,
                Frame::Pong => Item::Pong,
            });
        }
    }
    Ok(out)
}

fn client_stream() -> (Vec<u8>, Vec<Item>) {
    let mut s = Vec::new();
    let mut want = Vec::new();
    for part in [INVITE, b"\r\n", OK, OK, b"\r\n", FOLDED, b"\r\n"] {
        s.extend_from_slice(part);
        want.push(if part == b"\r\n" {
            Item::Pong
        } else {
            Item::Message(part.to_vec())
        });
    }
    (s, want)
}

fn server_stream() -> (Vec<u8>, Vec<Item>) {
    let mut s = Vec::new();
    let mut want = Vec::new();
    for part in [
        &b"\r\n\r\n"[..],
        INVITE,
        b"\r\n\r\n",
        b"\r\n\r\n",
        OK,
        FOLDED,
        b"\r\n\r\n",
    ] {
        s.extend_from_slice(part);
        want.push(if part == b"\r\n\r\n" {
            Item::Ping
        } else {
            Item::Message(part.to_vec())
        });
    }
    (s, want)
}

#[test]
fn whole_stream_in_one_chunk() {
    let (s, want) = client_stream();
    assert_eq!(run(FlowRole::Client, &[&s]).unwrap(), want);
    let (s, want) = server_stream();
    assert_eq!(run(FlowRole::Server, &[&s]).unwrap(), want);
}

#[test]
fn split_at_every_offset() {
    for (role, (s, want)) in [
        (FlowRole::Client, client_stream()),
        (FlowRole::Server, server_stream()),
    ] {
        for at in 0..=s.len() {
            let got = run(role, &[&s[..at], &s[at..]]).unwrap();
            assert_eq!(got, want, "{role:?} split at {at}");
        }
    }
}

#[test]
fn byte_by_byte() {
    for (role, (s, want)) in [
        (FlowRole::Client, client_stream()),
        (FlowRole::Server, server_stream()),
    ] {
        let chunks: Vec<&[u8]> = s.chunks(1).collect();
        assert_eq!(run(role, &chunks).unwrap(), want, "{role:?}");
    }
}

#[test]
fn server_ignores_a_lone_crlf_before_a_message() {
    let mut s = b"\r\n".to_vec();
    s.extend_from_slice(OK);
    for at in 0..=s.len() {
        let got = run(FlowRole::Server, &[&s[..at], &s[at..]]).unwrap();
        assert_eq!(got, vec![Item::Message(OK.to_vec())], "split at {at}");
    }
}

#[test]
fn partial_message_waits() {
    let mut f = StreamFramer::new(FlowRole::Client, ParseLimits::default());
    f.push(&INVITE[..INVITE.len() - 1]).unwrap();
    assert!(f.next_frame().unwrap().is_none());
    assert_eq!(f.buffered(), INVITE.len() - 1);
    f.push(&INVITE[INVITE.len() - 1..]).unwrap();
    assert!(matches!(
        f.next_frame().unwrap(),
        Some(Frame::Message { .. })
    ));
}

#[test]
fn content_length_is_required_and_the_stream_is_then_unusable() {
    let mut f = StreamFramer::new(FlowRole::Client, ParseLimits::default());
    f.push(b"SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\r\n")
        .unwrap();
    match f.next_frame() {
        Err(FramingError::Unframeable(e)) => {
            assert_eq!(e.kind, ParseErrorKind::MissingContentLength)
        }
        other => panic!("{other:?}"),
    }
    assert!(f.is_failed());
    assert!(f.push(OK).is_err());
    assert!(f.next_frame().is_err());
}

#[test]
fn oversize_messages_are_refused() {
    let limits = ParseLimits {
        max_message_size: 1024,
        ..ParseLimits::default()
    };
    // A Content-Length that takes the message past the limit.
    let mut f = StreamFramer::new(FlowRole::Client, limits);
    f.push(b"SIP/2.0 200 OK\r\nContent-Length: 5000\r\n\r\n")
        .unwrap();
    assert!(matches!(
        f.next_frame(),
        Err(FramingError::TooLarge { limit: 1024 })
    ));
    assert!(f.is_failed());
    // A head that never ends.
    let mut f = StreamFramer::new(FlowRole::Client, limits);
    f.push(b"SIP/2.0 200 OK\r\n").unwrap();
    let mut failed = false;
    for _ in 0..100 {
        if f.push(b"X-Filler: 0123456789012345678901234567890123456789\r\n")
            .is_err()
        {
            failed = true;
            break;
        }
        if f.next_frame().is_err() {
            failed = true;
            break;
        }
    }
    assert!(failed && f.is_failed());
}

#[test]
fn garbage_head_is_unframeable() {
    let mut f = StreamFramer::new(FlowRole::Server, ParseLimits::default());
    f.push(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    assert!(matches!(f.next_frame(), Err(FramingError::Unframeable(_))));
}

proptest! {
    #[test]
    fn any_chunking_gives_the_same_frames(cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12), server in any::<bool>()) {
        let (role, (s, want)) = if server {
            (FlowRole::Server, server_stream())
        } else {
            (FlowRole::Client, client_stream())
        };
        let mut offsets: Vec<usize> = cuts.iter().map(|c| c.index(s.len() + 1)).collect();
        offsets.sort_unstable();
        let mut chunks = Vec::new();
        let mut last = 0;
        for o in offsets {
            chunks.push(&s[last..o]);
            last = o;
        }
        chunks.push(&s[last..]);
        prop_assert_eq!(run(role, &chunks).unwrap(), want);
    }
}
