//! Raw SIP of calls as the scripted endpoint writes it: user [`USER`] in
//! [`DOMAIN`], Via and Contact at [`ENDPOINT_UDP`], From tag `ua1`, one
//! call with Call-ID [`CALL_ID`]; and its answers to the requests a site
//! sends, with To tag `uatag`. Plain text, so that tests control every
//! byte on the wire.

use geosip_core::message::{HeaderName, Message, MessageWriter};

use crate::harness::ENDPOINT_UDP;

/// The domain the scripted endpoint's user belongs to.
pub const DOMAIN: &str = "sim.example";
/// The scripted endpoint's user.
pub const USER: &str = "1001";
/// The Call-ID of the scripted endpoint's call.
pub const CALL_ID: &str = "call-1";

/// An SDP offer of PCMA, PCMU and telephone-event with the direction
/// attribute `dir` (`sendrecv`, `sendonly`, …).
pub fn offer(dir: &str) -> String {
    format!(
        "v=0\r\no=ua 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n\
         m=audio 5004 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na={dir}\r\n"
    )
}

/// A request as text; `headers` go after the standard ones, and a
/// non-empty `body` is SDP.
#[allow(clippy::too_many_arguments)]
pub fn request(
    method: &str,
    uri: &str,
    branch: &str,
    to: &str,
    call_id: &str,
    cseq: u32,
    headers: &[String],
    body: &str,
) -> Vec<u8> {
    let mut s = format!(
        "{method} {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {ENDPOINT_UDP};branch={branch};rport\r\n\
         Max-Forwards: 70\r\nFrom: <sip:{USER}@{DOMAIN}>;tag=ua1\r\nTo: {to}\r\nCall-ID: {call_id}\r\n\
         CSeq: {cseq} {method}\r\nContact: <sip:{USER}@{ENDPOINT_UDP}>\r\n"
    );
    for h in headers {
        s.push_str(h);
        s.push_str("\r\n");
    }
    if !body.is_empty() {
        s.push_str("Content-Type: application/sdp\r\n");
    }
    s.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.into_bytes()
}

/// A request without extra headers or body in [`CALL_ID`]: an ACK for a
/// non-2xx final response (on the INVITE's `branch`, RFC 3261 §17.1.1.3)
/// or a CANCEL.
pub fn bare(method: &str, uri: &str, branch: &str, to: &str, cseq: u32) -> Vec<u8> {
    request(method, uri, branch, to, CALL_ID, cseq, &[], "")
}

/// An INVITE to `user` in [`DOMAIN`] with a `sendrecv` [`offer`].
pub fn invite(user: &str, branch: &str, cseq: u32, headers: &[String]) -> Vec<u8> {
    let uri = format!("sip:{user}@{DOMAIN}");
    let to = format!("<{uri}>");
    request(
        "INVITE",
        &uri,
        branch,
        &to,
        CALL_ID,
        cseq,
        headers,
        &offer("sendrecv"),
    )
}

/// The endpoint's view of a dialog, from the site's 2xx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leg {
    /// The To header, with the site's tag.
    pub to: String,
    /// The Record-Route, sent back as Route.
    pub route: String,
    /// The site's Contact URI, the remote target.
    pub target: String,
}

impl Leg {
    /// The leg a 2xx sets up; panics if it lacks To, Record-Route or
    /// Contact.
    pub fn from_2xx(m: &Message<'_>) -> Leg {
        let contact = m.contacts().next().unwrap().unwrap();
        Leg {
            to: m.header(HeaderName::To).unwrap().to_owned(),
            route: m.header(HeaderName::RecordRoute).unwrap().to_owned(),
            target: contact.addr().unwrap().uri.as_str().to_owned(),
        }
    }

    /// An in-dialog request to the target, with the Route.
    pub fn req(&self, method: &str, branch: &str, cseq: u32, body: &str) -> Vec<u8> {
        let route = format!("Route: {}", self.route);
        request(
            method,
            &self.target,
            branch,
            &self.to,
            CALL_ID,
            cseq,
            &[route],
            body,
        )
    }
}

/// The endpoint's response to a request from a site, with To tag `uatag`,
/// its Contact and, if `body` is not empty, SDP.
pub fn answer_request(req: &Message<'_>, code: u16, body: &str) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut w = MessageWriter::response_to(&mut buf, req, code, "X", Some("uatag"));
    w.header(HeaderName::Contact, &format!("<sip:{USER}@{ENDPOINT_UDP}>"));
    if !body.is_empty() {
        w.header(HeaderName::ContentType, "application/sdp");
    }
    w.finish(body.as_bytes());
    buf
}
