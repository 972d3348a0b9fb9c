//! Transaction matching keys: RFC 3261 §17.1.3 for responses reaching a
//! client transaction, §17.2.3 for requests reaching a server transaction
//! (with the RFC 2543 fallback for a top Via without the magic cookie), and
//! §9.2 for the INVITE a CANCEL aims at.
//!
//! A key is one canonical string. Every component but the last is written
//! as `len:text`, so no two different component lists give the same
//! string whatever bytes a peer puts in them. The table keeps owned keys
//! in its index and looks up with a key written into a reused scratch
//! buffer, so matching a message allocates nothing once the buffer has
//! grown.

use std::fmt::{self, Write as _};

use crate::message::headers::Via;
use crate::message::{HeaderError, HeaderName, Message, Method};

/// The prefix of every RFC 3261 branch (§8.1.1.7). A request whose top Via
/// branch lacks it came from an RFC 2543 element and is matched by its
/// dialog and sequence fields instead (§17.2.3).
pub const MAGIC_COOKIE: &str = "z9hG4bK";

/// Why a message cannot be matched to a transaction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The top Via is missing or malformed.
    #[error("top Via: {0}")]
    Via(HeaderError),
    /// The top Via has no branch, which a client transaction needs
    /// (RFC 3261 §17.1.3).
    #[error("the top Via has no branch parameter")]
    NoBranch,
    /// CSeq is missing or malformed.
    #[error("CSeq: {0}")]
    CSeq(HeaderError),
    /// A header needed by the RFC 2543 fallback (From, Call-ID) is missing
    /// or malformed.
    #[error("RFC 2543 matching: {0}")]
    Rfc2543(HeaderError),
    /// A server key was asked of a response.
    #[error("not a request")]
    NotARequest,
    /// A response was expected.
    #[error("not a response")]
    NotAResponse,
}

/// The key that identifies a transaction.
///
/// Client keys (RFC 3261 §17.1.3) are the top Via branch and the CSeq
/// method, so a CANCEL, which copies the INVITE's branch, still has a key
/// of its own. Server keys (§17.2.3) are the branch, the sent-by of the
/// top Via and the method, with ACK counted as INVITE so that the ACK for
/// a non-2xx response finds its INVITE transaction; requests without the
/// magic cookie fall back to the RFC 2543 rule.
///
/// # Examples
///
/// ```
/// use geosip_core::message::parse;
/// use geosip_core::transaction::TransactionKey;
///
/// let invite = parse(b"INVITE sip:bob@example.com SIP/2.0\r\n\
/// Via: SIP/2.0/UDP pc.example.com:5060;branch=z9hG4bK74b\r\n\
/// From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\n\
/// Call-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n").unwrap();
/// let ack = parse(b"ACK sip:bob@example.com SIP/2.0\r\n\
/// Via: SIP/2.0/UDP PC.example.com:5060;branch=z9hG4bK74b\r\n\
/// From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>;tag=2\r\n\
/// Call-ID: c1\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n").unwrap();
/// // RFC 3261 §17.2.3: the ACK for a non-2xx matches the INVITE.
/// assert_eq!(TransactionKey::server(&invite), TransactionKey::server(&ack));
/// assert!(!TransactionKey::server(&invite).unwrap().is_rfc2543());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransactionKey(Box<str>);

impl TransactionKey {
    /// The client key of a request we send or of a response to it
    /// (RFC 3261 §17.1.3): top Via branch and CSeq method.
    pub fn client(msg: &Message<'_>) -> Result<Self, KeyError> {
        let mut s = String::new();
        write_client(&mut s, msg)?;
        Ok(TransactionKey(s.into()))
    }

    /// The server key of a received request (RFC 3261 §17.2.3).
    pub fn server(request: &Message<'_>) -> Result<Self, KeyError> {
        let mut s = String::new();
        write_server(&mut s, request, None)?;
        Ok(TransactionKey(s.into()))
    }

    /// The server key of the INVITE that a CANCEL cancels (RFC 3261
    /// §9.2): the CANCEL's own key with the method taken as INVITE.
    pub fn invite_cancelled_by(cancel: &Message<'_>) -> Result<Self, KeyError> {
        let mut s = String::new();
        write_server(&mut s, cancel, Some(Method::Invite))?;
        Ok(TransactionKey(s.into()))
    }

    /// Whether this is a client key.
    pub fn is_client(&self) -> bool {
        self.0.starts_with(CLIENT)
    }

    /// Whether this server key follows the RFC 2543 fallback (the top Via
    /// branch lacked the magic cookie).
    pub fn is_rfc2543(&self) -> bool {
        self.0.starts_with(RFC2543)
    }

    /// The canonical text, for logs.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn from_scratch(s: &str) -> Self {
        TransactionKey(s.into())
    }
}

impl fmt::Display for TransactionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::borrow::Borrow<str> for TransactionKey {
    fn borrow(&self) -> &str {
        &self.0
    }
}

const CLIENT: char = 'c';
const SERVER: char = 's';
const RFC2543: char = 'l';

/// Writes one length-prefixed component.
fn part(out: &mut String, s: &str) {
    let mut n = itoa::Buffer::new();
    out.push_str(n.format(s.len()));
    out.push(':');
    out.push_str(s);
}

fn top_via<'a>(msg: &Message<'a>) -> Result<Via<'a>, KeyError> {
    msg.top_via().map_err(KeyError::Via)
}

/// Writes the client key (RFC 3261 §17.1.3) into `out`, cleared first.
pub(crate) fn write_client(out: &mut String, msg: &Message<'_>) -> Result<(), KeyError> {
    out.clear();
    let branch = top_via(msg)?.branch().ok_or(KeyError::NoBranch)?;
    let cseq = msg.cseq().map_err(KeyError::CSeq)?;
    out.push(CLIENT);
    part(out, branch);
    part(out, cseq.method.as_str());
    Ok(())
}

/// Writes the server key (RFC 3261 §17.2.3) into `out`, cleared first.
/// `method` overrides the request's method (for CANCEL, §9.2); otherwise
/// ACK counts as INVITE.
pub(crate) fn write_server(
    out: &mut String,
    msg: &Message<'_>,
    method: Option<Method<'_>>,
) -> Result<(), KeyError> {
    out.clear();
    let own = msg.method().ok_or(KeyError::NotARequest)?;
    let method = match method.unwrap_or(own) {
        Method::Ack => Method::Invite,
        m => m,
    };
    let via = top_via(msg)?;
    match via.branch() {
        Some(branch) if branch.starts_with(MAGIC_COOKIE) => {
            out.push(SERVER);
            part(out, method.as_str());
            part(out, branch);
            // The sent-by is last and needs no length. Host names compare
            // case-insensitively (RFC 3261 §19.1.4); ports literally.
            match via.host {
                crate::message::Host::Domain(d) => {
                    out.extend(d.chars().map(|c| c.to_ascii_lowercase()));
                }
                host => {
                    let _ = write!(out, "{host}");
                }
            }
            if let Some(port) = via.port {
                let _ = write!(out, ":{port}");
            }
        }
        _ => write_rfc2543(out, msg, method)?,
    }
    Ok(())
}

/// The RFC 2543 fallback of §17.2.3: Request-URI, From tag, Call-ID, CSeq
/// and the top Via as written. The To tag is left out of the key: an
/// INVITE retransmission carries the INVITE's To tag, while the ACK
/// carries the tag of our response, so the table checks it apart (see
/// [`to_tag`]). The Request-URI and Via are compared as written, a
/// simplification of the URI equality of §19.1.4 that only makes
/// matching stricter.
fn write_rfc2543(out: &mut String, msg: &Message<'_>, method: Method<'_>) -> Result<(), KeyError> {
    let cseq = msg.cseq().map_err(KeyError::CSeq)?;
    let from = msg.from().map_err(KeyError::Rfc2543)?;
    let call_id = msg.call_id().map_err(KeyError::Rfc2543)?;
    let via = msg.header_values(HeaderName::Via).next().unwrap_or("");
    let mut n = itoa::Buffer::new();
    out.push(RFC2543);
    part(out, method.as_str());
    part(out, n.format(cseq.seq));
    part(out, call_id);
    part(out, from.tag().unwrap_or(""));
    part(out, msg.request_uri().unwrap_or(""));
    out.push_str(via.trim());
    Ok(())
}

/// The To tag of a message, if any.
pub(crate) fn to_tag<'a>(msg: &Message<'a>) -> Option<&'a str> {
    msg.to().ok().and_then(|t| t.tag())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::parse;

    fn req(method: &str, via: &str, cseq: &str, to: &str) -> Vec<u8> {
        format!(
            "{method} sip:bob@example.com SIP/2.0\r\nVia: {via}\r\n\
             From: <sip:alice@example.com>;tag=f1\r\nTo: <sip:bob@example.com>{to}\r\n\
             Call-ID: call-1\r\nCSeq: {cseq}\r\nContent-Length: 0\r\n\r\n"
        )
        .into_bytes()
    }

    fn server(b: &[u8]) -> TransactionKey {
        TransactionKey::server(&parse(b).unwrap()).unwrap()
    }

    const VIA: &str = "SIP/2.0/UDP host.example.com:5060;branch=z9hG4bKabc";

    fn client(b: &[u8]) -> Result<TransactionKey, KeyError> {
        TransactionKey::client(&parse(b).unwrap())
    }

    #[test]
    fn client_key_is_branch_and_cseq_method() {
        let a = client(&req("INVITE", VIA, "1 INVITE", "")).unwrap();
        let b = client(&req("CANCEL", VIA, "1 CANCEL", "")).unwrap();
        assert!(a.is_client());
        assert_ne!(a, b, "CANCEL has a key of its own (RFC 3261 §17.1.3)");
        let other = client(&req("INVITE", &VIA.replace("abc", "abd"), "1 INVITE", ""));
        assert_ne!(a, other.unwrap());
    }

    #[test]
    fn server_key_counts_ack_as_invite_and_cancel_apart() {
        let invite = server(&req("INVITE", VIA, "1 INVITE", ""));
        assert_eq!(invite, server(&req("ACK", VIA, "1 ACK", ";tag=t")));
        assert_ne!(invite, server(&req("CANCEL", VIA, "1 CANCEL", "")));
        let cancel = req("CANCEL", VIA, "1 CANCEL", "");
        let cancelled = TransactionKey::invite_cancelled_by(&parse(&cancel).unwrap());
        assert_eq!(cancelled.unwrap(), invite);
    }

    #[test]
    fn server_key_includes_sent_by() {
        let a = server(&req("INVITE", VIA, "1 INVITE", ""));
        let other_port = VIA.replace(":5060", ":5062");
        assert_ne!(a, server(&req("INVITE", &other_port, "1 INVITE", "")));
        let upper = VIA.replace("host.example.com", "HOST.Example.COM");
        assert_eq!(a, server(&req("INVITE", &upper, "1 INVITE", "")));
        let v6 = "SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bKabc";
        assert!(server(&req("INVITE", v6, "1 INVITE", ""))
            .as_str()
            .ends_with("[2001:db8::1]:5060"));
    }

    #[test]
    fn rfc2543_fallback_without_magic_cookie() {
        let via = "SIP/2.0/UDP old.example.com:5060;branch=1234";
        let invite = server(&req("INVITE", via, "7 INVITE", ""));
        assert!(invite.is_rfc2543());
        // The ACK for a non-2xx has our To tag and CSeq method ACK.
        assert_eq!(invite, server(&req("ACK", via, "7 ACK", ";tag=ours")));
        assert_ne!(invite, server(&req("INVITE", via, "8 INVITE", "")));
        let no_branch = "SIP/2.0/UDP old.example.com:5060";
        let k = server(&req("INVITE", no_branch, "7 INVITE", ""));
        assert!(k.is_rfc2543());
        assert_ne!(k, invite, "the top Via is part of the key");
    }

    #[test]
    fn components_cannot_run_together() {
        // Without length prefixes "ab"+"c" and "a"+"bc" would collide.
        let mut a = String::new();
        let mut b = String::new();
        part(&mut a, "ab");
        part(&mut a, "c");
        part(&mut b, "a");
        part(&mut b, "bc");
        assert_ne!(a, b);
    }

    #[test]
    fn missing_parts_are_errors() {
        let no_branch = req("OPTIONS", "SIP/2.0/UDP h", "1 OPTIONS", "");
        assert_eq!(client(&no_branch), Err(KeyError::NoBranch));
        let no_cseq = b"OPTIONS sip:a SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n";
        assert!(matches!(client(no_cseq), Err(KeyError::CSeq(_))));
        let resp = parse(
            b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCSeq: 1 OPTIONS\r\n\r\n",
        )
        .unwrap();
        assert_eq!(TransactionKey::server(&resp), Err(KeyError::NotARequest));
        assert!(TransactionKey::client(&resp).is_ok());
    }
}
