//! The ACK that a client INVITE transaction sends itself for a 3xx–6xx
//! response (RFC 3261 §17.1.1.3). The ACK for a 2xx is the TU's, built
//! from the dialog (§13.2.2.4), and is not made here.

use crate::message::{HeaderName, Message, MessageWriter, Method};

/// Writes into `out` the ACK for `response` to the INVITE `request`:
/// the INVITE's Request-URI, its top Via only (same branch), Max-Forwards
/// (70 if it had none), every Route header in order, From, Call-ID and
/// the CSeq number with method ACK, and the To of the response, tag and
/// all. `None` when the INVITE or the response lacks one of them.
pub(crate) fn ack_for_non_2xx(
    request: &Message<'_>,
    response: &Message<'_>,
    out: &mut Vec<u8>,
) -> Option<()> {
    let uri = request.request_uri()?;
    let via = request.header_values(HeaderName::Via).next()?;
    let from = request.header(HeaderName::From)?;
    let call_id = request.header(HeaderName::CallId)?;
    let seq = request.cseq().ok()?.seq;
    let to = response.header(HeaderName::To)?;
    let max_forwards = request.header(HeaderName::MaxForwards).unwrap_or("70");

    let cseq = format!("{seq} ACK");
    let mut w = MessageWriter::request(out, Method::Ack, uri);
    w.header(HeaderName::Via, via)
        .header(HeaderName::MaxForwards, max_forwards);
    for route in request.headers_named(HeaderName::Route) {
        w.header(HeaderName::Route, route.value);
    }
    w.header(HeaderName::From, from)
        .header(HeaderName::To, to)
        .header(HeaderName::CallId, call_id)
        .header(HeaderName::CSeq, &cseq);
    w.finish(b"");
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::parse;

    #[test]
    fn ack_copies_what_17_1_1_3_asks() {
        let invite = b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8, SIP/2.0/UDP proxy;branch=z9hG4bKx\r\n\
Max-Forwards: 69\r\n\
Route: <sip:p1.example.com;lr>\r\n\
Route: <sip:p2.example.com;lr>, <sip:p3.example.com;lr>\r\n\
From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
To: Bob <sip:bob@biloxi.example.com>\r\n\
Call-ID: a84b4c76e66710\r\n\
CSeq: 314159 INVITE\r\n\
Contact: <sip:alice@pc33.atlanta.example.com>\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 4\r\n\r\nv=0\n";
        let resp = b"SIP/2.0 486 Busy Here\r\n\
Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8\r\n\
From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n\
Call-ID: a84b4c76e66710\r\nCSeq: 314159 INVITE\r\nContent-Length: 0\r\n\r\n";
        let mut out = Vec::new();
        ack_for_non_2xx(&parse(invite).unwrap(), &parse(resp).unwrap(), &mut out).unwrap();
        let ack = parse(&out).unwrap();
        assert_eq!(ack.method(), Some(Method::Ack));
        assert_eq!(ack.request_uri(), Some("sip:bob@biloxi.example.com"));
        let vias: Vec<_> = ack.header_values(HeaderName::Via).collect();
        assert_eq!(
            vias,
            ["SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8"]
        );
        let routes: Vec<_> = ack.header_values(HeaderName::Route).collect();
        assert_eq!(
            routes,
            [
                "<sip:p1.example.com;lr>",
                "<sip:p2.example.com;lr>",
                "<sip:p3.example.com;lr>"
            ]
        );
        assert_eq!(ack.to().unwrap().tag(), Some("a6c85cf"));
        assert_eq!(ack.from().unwrap().tag(), Some("1928301774"));
        assert_eq!(ack.call_id().unwrap(), "a84b4c76e66710");
        let cseq = ack.cseq().unwrap();
        assert_eq!((cseq.seq, cseq.method), (314159, Method::Ack));
        assert_eq!(ack.header(HeaderName::MaxForwards), Some("69"));
        assert_eq!(ack.header(HeaderName::Contact), None);
        assert!(ack.body().is_empty());
    }
}
