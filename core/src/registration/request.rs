//! The requests a connection sends on its own: REGISTER (RFC 3261 §10.2)
//! and the OPTIONS keep-alive probe (RFC 3261 §11).

use std::fmt::Write as _;
use std::net::SocketAddr;

use crate::io::TransportKind;
use crate::message::{HeaderName as H, MessageWriter, Method};

/// Who we are on a connection: what goes into From, To, Via and Contact.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Identity<'a> {
    /// The AOR user.
    pub user: &'a str,
    /// The AOR domain (Request-URI of REGISTER).
    pub domain: &'a str,
    /// Display name for From and To.
    pub display_name: Option<&'a str>,
    /// The transport.
    pub transport: TransportKind,
    /// Via sent-by: our address on the flow or socket.
    pub via: SocketAddr,
    /// Contact address: `via`, or what the registrar saw (RFC 3581).
    pub contact: SocketAddr,
    /// The User-Agent value.
    pub user_agent: &'a str,
}

/// Per-request values of a REGISTER.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RegisterRequest<'a> {
    pub branch: &'a str,
    pub call_id: &'a str,
    pub from_tag: &'a str,
    pub cseq: u32,
    pub expires: u32,
    /// `(header name, value)` of credentials, if any.
    pub credentials: Option<(H, &'a str)>,
}

/// Writes `host:port` with brackets for IPv6.
pub(crate) fn push_addr(out: &mut String, a: SocketAddr) {
    match a {
        SocketAddr::V4(v4) => {
            let _ = write!(out, "{}:{}", v4.ip(), v4.port());
        }
        SocketAddr::V6(v6) => {
            let _ = write!(out, "[{}]:{}", v6.ip(), v6.port());
        }
    }
}

/// Our Contact URI (without brackets).
pub(crate) fn contact_uri(id: &Identity<'_>) -> String {
    let mut s = String::with_capacity(48);
    s.push_str(if id.transport == TransportKind::Tls {
        "sips:"
    } else {
        "sip:"
    });
    s.push_str(id.user);
    s.push('@');
    push_addr(&mut s, id.contact);
    // Always name the transport, UDP included, so that a registrar (and
    // anyone it hands our Contact to) reaches us the way we registered.
    s.push_str(";transport=");
    s.push_str(id.transport.uri_param());
    s
}

pub(crate) fn via_value(id: &Identity<'_>, branch: &str) -> String {
    let mut v = String::with_capacity(64);
    v.push_str("SIP/2.0/");
    v.push_str(id.transport.via_token());
    v.push(' ');
    push_addr(&mut v, id.via);
    v.push_str(";branch=");
    v.push_str(branch);
    // RFC 3581 §3: ask for the source port, so responses traverse NAT and
    // the registrar's view of us can be learned.
    v.push_str(";rport");
    v
}

pub(crate) fn aor(id: &Identity<'_>, tag: Option<&str>) -> String {
    let mut v = String::with_capacity(64);
    if let Some(d) = id.display_name {
        v.push('"');
        for c in d.chars() {
            if c == '"' || c == '\\' {
                v.push('\\');
            }
            v.push(c);
        }
        v.push_str("\" ");
    }
    v.push_str("<sip:");
    v.push_str(id.user);
    v.push('@');
    v.push_str(id.domain);
    v.push('>');
    if let Some(t) = tag {
        v.push_str(";tag=");
        v.push_str(t);
    }
    v
}

/// Writes a REGISTER into `buf` (RFC 3261 §10.2): To and From carry the
/// AOR, Call-ID stays the same across refreshes and CSeq goes up
/// (§10.2.4), Expires 0 removes the binding (§10.2.2).
pub(crate) fn write_register(buf: &mut Vec<u8>, id: &Identity<'_>, r: &RegisterRequest<'_>) {
    let mut ruri = String::with_capacity(id.domain.len() + 5);
    ruri.push_str("sip:");
    ruri.push_str(id.domain);
    let mut w = MessageWriter::request(buf, Method::Register, &ruri);
    w.header(H::Via, &via_value(id, r.branch))
        .header(H::MaxForwards, "70")
        .header(H::From, &aor(id, Some(r.from_tag)))
        .header(H::To, &aor(id, None))
        .header(H::CallId, r.call_id);
    let mut cseq = itoa::Buffer::new().format(r.cseq).to_owned();
    cseq.push_str(" REGISTER");
    w.header(H::CSeq, &cseq);
    let mut contact = String::with_capacity(64);
    contact.push('<');
    contact.push_str(&contact_uri(id));
    contact.push('>');
    w.header(H::Contact, &contact)
        .header_u32(H::Expires, r.expires);
    if let Some((name, value)) = r.credentials {
        w.header(name, value);
    }
    w.header(H::UserAgent, id.user_agent);
    w.finish(b"");
}

/// Writes an OPTIONS probe to the site (RFC 3261 §11.1). Any answer, even
/// an error status, shows that the site is alive.
pub(crate) fn write_options(
    buf: &mut Vec<u8>,
    id: &Identity<'_>,
    target: &str,
    branch: &str,
    call_id: &str,
    from_tag: &str,
) {
    let mut w = MessageWriter::request(buf, Method::Options, target);
    w.header(H::Via, &via_value(id, branch))
        .header(H::MaxForwards, "70")
        .header(H::From, &aor(id, Some(from_tag)))
        .header(H::To, &format!("<{target}>"))
        .header(H::CallId, call_id)
        .header(H::CSeq, "1 OPTIONS")
        .header(H::UserAgent, id.user_agent);
    w.finish(b"");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::parse;

    fn ident() -> Identity<'static> {
        Identity {
            user: "1001",
            domain: "site1.example.com",
            display_name: Some("Agent \"One\""),
            transport: TransportKind::Tcp,
            via: "192.0.2.10:40000".parse().unwrap(),
            contact: "[2001:db8::5]:5060".parse().unwrap(),
            user_agent: "geosip/test",
        }
    }

    #[test]
    fn register_is_valid_and_carries_what_rfc3261_10_2_asks() {
        let mut buf = Vec::new();
        let id = ident();
        write_register(
            &mut buf,
            &id,
            &RegisterRequest {
                branch: "z9hG4bKabc",
                call_id: "cid",
                from_tag: "ft",
                cseq: 7,
                expires: 600,
                credentials: Some((H::Authorization, "Digest username=\"1001\"")),
            },
        );
        let m = parse(&buf).unwrap();
        m.validate().unwrap();
        assert_eq!(m.request_uri(), Some("sip:site1.example.com"));
        let via = m.top_via().unwrap();
        assert_eq!(via.rport(), Some(None));
        assert_eq!(via.branch(), Some("z9hG4bKabc"));
        assert_eq!(m.from().unwrap().tag(), Some("ft"));
        assert_eq!(
            m.from().unwrap().display_name_unquoted().unwrap(),
            "Agent \"One\""
        );
        assert_eq!(m.to().unwrap().uri.as_str(), "sip:1001@site1.example.com");
        assert_eq!(m.cseq().unwrap().seq, 7);
        let c = m.contacts().next().unwrap().unwrap();
        assert_eq!(
            c.addr().unwrap().uri.as_str(),
            "sip:1001@[2001:db8::5]:5060;transport=tcp"
        );
        assert_eq!(m.header(H::Expires), Some("600"));
        assert!(m.header(H::Authorization).is_some());
    }

    #[test]
    fn options_probe_is_valid() {
        let mut buf = Vec::new();
        write_options(
            &mut buf,
            &ident(),
            "sip:192.0.2.1:5060",
            "z9hG4bKp",
            "c",
            "t",
        );
        let m = parse(&buf).unwrap();
        m.validate().unwrap();
        assert_eq!(m.method(), Some(Method::Options));
    }
}
