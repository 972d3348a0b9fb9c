//! Responses a site sends (RFC 3261 §8.2.6): the request's Via, From,
//! To (with a tag), Call-ID and CSeq, with `received` and `rport` filled
//! into the top Via as RFC 3581 §4 asks when the client sent `rport`.
//! A To tag is added unless the To has one or the status is 100.

use std::net::SocketAddr;

use geosip_core::message::{HeaderName, Message, MessageWriter};

/// Writes a response to `req`, received from `source`, with `extra`
/// headers after the copied ones.
pub fn response(
    req: &Message<'_>,
    source: SocketAddr,
    code: u16,
    reason: &str,
    to_tag: &str,
    extra: &[(HeaderName, String)],
) -> Vec<u8> {
    response_with_body(req, source, code, reason, to_tag, extra, b"")
}

/// Like [`response`], with a body (its Content-Type goes in `extra`).
pub fn response_with_body(
    req: &Message<'_>,
    source: SocketAddr,
    code: u16,
    reason: &str,
    to_tag: &str,
    extra: &[(HeaderName, String)],
    body: &[u8],
) -> Vec<u8> {
    let mut buf = Vec::with_capacity(512);
    let mut w = MessageWriter::response(&mut buf, code, reason);
    let mut first_via = true;
    let to_has_tag = req.to().map(|t| t.tag().is_some()).unwrap_or(true);
    for h in req.headers() {
        match h.name {
            HeaderName::Via if first_via => {
                first_via = false;
                w.header(h.name, &with_received(&h.value_unfolded(), source));
            }
            HeaderName::Via | HeaderName::From | HeaderName::CallId | HeaderName::CSeq => {
                w.header(h.name, &h.value_unfolded());
            }
            HeaderName::To if !to_has_tag && code != 100 => {
                w.header(h.name, &format!("{};tag={to_tag}", h.value_unfolded()));
            }
            HeaderName::To => {
                w.header(h.name, &h.value_unfolded());
            }
            _ => {}
        }
    }
    for (name, value) in extra {
        w.header(*name, value);
    }
    w.header(HeaderName::Server, "geosip-sim");
    w.finish(body);
    buf
}

/// The top Via value with `received` and `rport=PORT` (RFC 3581 §4):
/// `rport` is filled in only if the client asked for it; `received` is
/// always added, as RFC 3261 §18.2.1 allows.
fn with_received(via: &str, source: SocketAddr) -> String {
    let (first, rest) = match via.find(',') {
        Some(i) => (&via[..i], Some(&via[i..])),
        None => (via, None),
    };
    let mut out = String::with_capacity(via.len() + 40);
    for (i, part) in first.split(';').enumerate() {
        if i > 0 {
            out.push(';');
        }
        let name = part.trim();
        if i > 0 && name.eq_ignore_ascii_case("rport") {
            out.push_str(&format!("rport={}", source.port()));
        } else if i > 0 && name.len() >= 9 && name[..9].eq_ignore_ascii_case("received=") {
            // Replaced below.
            out.pop();
        } else {
            out.push_str(part);
        }
    }
    out.push_str(&format!(";received={}", source.ip()));
    if let Some(rest) = rest {
        out.push_str(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_rport_and_received() {
        let src: SocketAddr = "10.0.0.1:5060".parse().unwrap();
        assert_eq!(
            with_received("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;rport", src),
            "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;rport=5060;received=10.0.0.1"
        );
        assert_eq!(
            with_received("SIP/2.0/TCP h;branch=z9hG4bK1, SIP/2.0/UDP x", src),
            "SIP/2.0/TCP h;branch=z9hG4bK1;received=10.0.0.1, SIP/2.0/UDP x"
        );
    }
}
