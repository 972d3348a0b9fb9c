//! Registration of one connection on its site (RFC 3261 §10): building
//! REGISTERs, reading what the registrar granted, and when to refresh or
//! retry. The [`Endpoint`](crate::endpoint::Endpoint) drives it.

pub(crate) mod backoff;
pub(crate) mod request;

use std::time::Duration;

use crate::message::headers::{Contact, MinExpires, RetryAfter};
use crate::message::{HeaderName, Message, Uri};

pub use backoff::Backoff;

/// What a final response to a REGISTER means for the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RegisterOutcome {
    /// 2xx: bound for this many seconds (0 when unregistering).
    Registered { expires: u32 },
    /// 401 or 407: answer the challenge.
    Challenged,
    /// 423 Interval Too Brief: retry with this Expires (RFC 3261 §10.2.8).
    IntervalTooBrief { min_expires: u32 },
    /// Any other failure; `retry_after` from a 503 or other response
    /// (RFC 3261 §20.33).
    Failed {
        code: u16,
        retry_after: Option<Duration>,
    },
}

/// Reads a final response to our REGISTER.
pub(crate) fn classify(resp: &Message<'_>, our_contact: &str, requested: u32) -> RegisterOutcome {
    let code = resp.status().unwrap_or(500);
    match code {
        200..=299 => RegisterOutcome::Registered {
            expires: granted_expires(resp, our_contact, requested),
        },
        401 | 407 => RegisterOutcome::Challenged,
        423 => match resp.typed::<MinExpires>() {
            Ok(MinExpires(m)) if m > requested => {
                RegisterOutcome::IntervalTooBrief { min_expires: m }
            }
            _ => RegisterOutcome::Failed {
                code,
                retry_after: None,
            },
        },
        _ => RegisterOutcome::Failed {
            code,
            retry_after: resp
                .typed_opt::<RetryAfter>()
                .ok()
                .flatten()
                .map(|r| Duration::from_secs(u64::from(r.seconds))),
        },
    }
}

/// The expiry the registrar granted our binding (RFC 3261 §10.2.4): the
/// `expires` parameter of the Contact that is ours, else the Expires
/// header, else what we asked for.
pub(crate) fn granted_expires(resp: &Message<'_>, our_contact: &str, requested: u32) -> u32 {
    let ours = resp
        .typed_all::<Contact>()
        .filter_map(Result::ok)
        .find(|c| c.addr().is_some_and(|a| same_contact(&a.uri, our_contact)));
    if let Some(e) = ours.and_then(|c| c.expires()) {
        return e;
    }
    resp.header(HeaderName::Expires)
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(requested)
}

/// Compares a Contact URI from the registrar with ours, loosely: scheme,
/// user, host and port, ignoring parameters the registrar may add.
fn same_contact(uri: &Uri<'_>, ours: &str) -> bool {
    let (Some(a), Ok(Uri::Sip(b))) = (uri.as_sip(), Uri::parse(ours)) else {
        return false;
    };
    a.user == b.user
        && a.host.to_string().eq_ignore_ascii_case(&b.host.to_string())
        && a.port.unwrap_or(5060) == b.port.unwrap_or(5060)
}

/// When to refresh a binding granted for `granted` seconds: no later than
/// `reg_interval`, and early enough that a whole transaction timeout fits
/// before the binding expires (half the time for short bindings).
pub(crate) fn refresh_delay(granted: u32, reg_interval: Duration) -> Duration {
    let granted = Duration::from_secs(u64::from(granted));
    let margin = (granted / 2).min(Duration::from_secs(32));
    (granted - margin)
        .min(reg_interval)
        .max(Duration::from_secs(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::parse;

    #[test]
    fn refresh_timing() {
        let hour = Duration::from_secs(3600);
        assert_eq!(refresh_delay(3600, hour), Duration::from_secs(3568));
        assert_eq!(
            refresh_delay(3600, Duration::from_secs(10)),
            Duration::from_secs(10)
        );
        assert_eq!(refresh_delay(60, hour), Duration::from_secs(30));
        assert_eq!(refresh_delay(1, hour), Duration::from_secs(1));
    }

    #[test]
    fn granted_prefers_our_contact_expires() {
        let r = b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\nContact: <sip:other@192.0.2.9:5060>;expires=10, <sip:a@192.0.2.1:5070>;expires=120\r\nExpires: 300\r\nContent-Length: 0\r\n\r\n";
        let m = parse(r).unwrap();
        assert_eq!(granted_expires(&m, "sip:a@192.0.2.1:5070", 3600), 120);
        assert_eq!(granted_expires(&m, "sip:a@192.0.2.2:5070", 3600), 300);
        assert_eq!(
            classify(&m, "sip:a@192.0.2.1:5070", 3600),
            RegisterOutcome::Registered { expires: 120 }
        );
    }

    #[test]
    fn classify_423_and_503() {
        let r = b"SIP/2.0 423 Interval Too Brief\r\nMin-Expires: 1800\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(
            classify(&parse(r).unwrap(), "sip:a@h", 600),
            RegisterOutcome::IntervalTooBrief { min_expires: 1800 }
        );
        let r = b"SIP/2.0 503 Service Unavailable\r\nRetry-After: 20\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(
            classify(&parse(r).unwrap(), "sip:a@h", 600),
            RegisterOutcome::Failed {
                code: 503,
                retry_after: Some(Duration::from_secs(20))
            }
        );
    }
}
