use super::*;
use crate::message::{parse, Method};

const INVITE: &[u8] = b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8\r\n\
Max-Forwards: 70\r\n\
From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
To: Bob <sip:bob@biloxi.example.com>\r\n\
Call-ID: a84b4c76e66710\r\n\
CSeq: 314159 INVITE\r\n\
Record-Route: <sip:p2.biloxi.example.com;lr>, <sip:p1.atlanta.example.com;lr>\r\n\
Contact: <sip:alice@pc33.atlanta.example.com>\r\n\
Content-Length: 0\r\n\r\n";

const OK: &[u8] = b"SIP/2.0 200 OK\r\n\
Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8\r\n\
From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n\
Call-ID: a84b4c76e66710\r\n\
CSeq: 314159 INVITE\r\n\
Record-Route: <sip:p2.biloxi.example.com;lr>, <sip:p1.atlanta.example.com;lr>\r\n\
Contact: <sip:bob@192.0.2.4>\r\n\
Content-Length: 0\r\n\r\n";

fn bye(d: &Dialog, seq: u32) -> Vec<u8> {
    let mut buf = Vec::new();
    d.write_request(
        &mut buf,
        &InDialogRequest {
            method: Method::Bye,
            cseq: seq,
            via: "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKb",
            contact: None,
            extra: &[],
            content_type: None,
            body: b"",
            user_agent: "t",
        },
    );
    buf
}

#[test]
fn uac_dialog_reverses_the_record_route_12_1_2() {
    let mut d = Dialog::from_response(&parse(INVITE).unwrap(), &parse(OK).unwrap()).unwrap();
    assert_eq!(d.state, DialogState::Confirmed);
    assert_eq!(d.local_tag, "1928301774");
    assert_eq!(d.remote_tag, "a6c85cf");
    assert_eq!(d.remote_target, "sip:bob@192.0.2.4");
    assert_eq!(
        d.route_set,
        [
            "<sip:p1.atlanta.example.com;lr>",
            "<sip:p2.biloxi.example.com;lr>"
        ]
    );
    let seq = d.next_seq();
    assert_eq!(seq, 314160);
    let raw = bye(&d, seq);
    let m = parse(&raw).unwrap();
    m.validate().unwrap();
    // Loose routing: the remote target is the Request-URI.
    assert_eq!(m.request_uri(), Some("sip:bob@192.0.2.4"));
    let routes: Vec<_> = m.header_values(H::Route).collect();
    assert_eq!(
        routes,
        [
            "<sip:p1.atlanta.example.com;lr>",
            "<sip:p2.biloxi.example.com;lr>"
        ]
    );
    assert_eq!(m.from().unwrap().tag(), Some("1928301774"));
    assert_eq!(m.to().unwrap().tag(), Some("a6c85cf"));
    assert_eq!(m.cseq().unwrap().seq, 314160);
}

use crate::message::HeaderName as H;

#[test]
fn uas_dialog_keeps_the_record_route_order_12_1_1() {
    let inv = parse(INVITE).unwrap();
    let mut d = Dialog::from_request(&inv, "ourtag", 1000).unwrap();
    assert_eq!(d.remote_tag, "1928301774");
    assert_eq!(d.remote_target, "sip:alice@pc33.atlanta.example.com");
    assert_eq!(
        d.route_set,
        [
            "<sip:p2.biloxi.example.com;lr>",
            "<sip:p1.atlanta.example.com;lr>"
        ]
    );
    assert_eq!(d.next_seq(), 1000);
    assert_eq!(d.remote_seq, Some(314159));
    let raw = bye(&d, 1000);
    let m = parse(&raw).unwrap();
    assert_eq!(m.from().unwrap().tag(), Some("ourtag"));
    assert_eq!(m.to().unwrap().tag(), Some("1928301774"));
    assert_eq!(
        m.to().unwrap().uri.as_str(),
        "sip:alice@atlanta.example.com"
    );
}

#[test]
fn strict_router_first_puts_the_target_last_12_2_1_1() {
    let mut d = Dialog::from_response(&parse(INVITE).unwrap(), &parse(OK).unwrap()).unwrap();
    d.route_set = vec![
        "<sip:strict.example.com>".into(),
        "<sip:p2.example.com;lr>".into(),
    ];
    let (uri, routes) = d.request_target();
    assert_eq!(uri, "sip:strict.example.com");
    assert_eq!(routes, ["<sip:p2.example.com;lr>", "<sip:bob@192.0.2.4>"]);
}

#[test]
fn matching_and_sequence_12_2_2() {
    let inv = parse(INVITE).unwrap();
    let mut d = Dialog::from_request(&inv, "ourtag", 1).unwrap();
    let bye = b"BYE sip:x@y SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKq\r\n\
From: <sip:alice@atlanta.example.com>;tag=1928301774\r\nTo: <sip:bob@b>;tag=ourtag\r\n\
Call-ID: a84b4c76e66710\r\nCSeq: 314160 BYE\r\nContent-Length: 0\r\n\r\n";
    let m = parse(bye).unwrap();
    assert!(d.accepts(&m));
    assert!(d.take_remote_seq(314160));
    assert!(!d.take_remote_seq(314159));
    let other = String::from_utf8_lossy(bye).replace("tag=ourtag", "tag=else");
    assert!(!d.accepts(&parse(other.as_bytes()).unwrap()));
}

#[test]
fn early_dialog_from_a_1xx_and_confirmation() {
    let ringing = String::from_utf8_lossy(OK)
        .replace("200 OK", "180 Ringing")
        .replace("Contact: <sip:bob@192.0.2.4>\r\n", "");
    let inv = parse(INVITE).unwrap();
    let mut d = Dialog::from_response(&inv, &parse(ringing.as_bytes()).unwrap()).unwrap();
    assert_eq!(d.state, DialogState::Early);
    assert_eq!(d.remote_target, "sip:bob@biloxi.example.com");
    d.confirm(&parse(OK).unwrap()).unwrap();
    assert_eq!(d.state, DialogState::Confirmed);
    assert_eq!(d.remote_target, "sip:bob@192.0.2.4");
}

#[test]
fn no_to_tag_makes_no_dialog() {
    let trying = String::from_utf8_lossy(OK)
        .replace("200 OK", "100 Trying")
        .replace(";tag=a6c85cf", "");
    assert!(
        Dialog::from_response(&parse(INVITE).unwrap(), &parse(trying.as_bytes()).unwrap()).is_err()
    );
}
