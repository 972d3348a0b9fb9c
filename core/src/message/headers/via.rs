//! Via (RFC 3261 §20.42, §18.2.1; RFC 3581 rport).

use std::fmt;

use super::super::error::HeaderErrorKind as E;
use super::super::name::HeaderName;
use super::super::params::{simple_params, split_params, Params, PARAM_VALUE};
use super::super::scan::{eq_letters, is_token_char, is_ws, parse_u64, trim, TOKEN};
use super::super::uri::{parse_hostport, scan_hostport, Host};
use super::Typed;

/// A transport named in a Via or a `transport=` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport<'a> {
    /// UDP.
    Udp,
    /// TCP.
    Tcp,
    /// TLS over TCP.
    Tls,
    /// SCTP.
    Sctp,
    /// WebSocket (RFC 7118).
    Ws,
    /// Secure WebSocket (RFC 7118).
    Wss,
    /// Any other transport token, as written.
    Other(&'a str),
}

impl<'a> Transport<'a> {
    /// Resolves a transport token, case-insensitively.
    pub fn from_token(s: &'a str) -> Self {
        match s.len() {
            3 if s.eq_ignore_ascii_case("UDP") => Transport::Udp,
            3 if s.eq_ignore_ascii_case("TCP") => Transport::Tcp,
            3 if s.eq_ignore_ascii_case("TLS") => Transport::Tls,
            4 if s.eq_ignore_ascii_case("SCTP") => Transport::Sctp,
            2 if s.eq_ignore_ascii_case("WS") => Transport::Ws,
            3 if s.eq_ignore_ascii_case("WSS") => Transport::Wss,
            _ => Transport::Other(s),
        }
    }

    /// The token in upper case as Via writes it.
    pub fn as_str(&self) -> &'a str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
            Transport::Tls => "TLS",
            Transport::Sctp => "SCTP",
            Transport::Ws => "WS",
            Transport::Wss => "WSS",
            Transport::Other(s) => s,
        }
    }

    /// Whether the transport is reliable, which turns off retransmission
    /// (RFC 3261 §17.1.1.2, §17.1.2.2).
    pub fn is_reliable(&self) -> bool {
        !matches!(self, Transport::Udp)
    }
}

impl fmt::Display for Transport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One Via value: `SIP/2.0/UDP host:port;branch=...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Via<'a> {
    /// Protocol name, normally `SIP`.
    pub protocol: &'a str,
    /// Protocol version, normally `2.0`.
    pub version: &'a str,
    /// The transport.
    pub transport: Transport<'a>,
    /// The sent-by host.
    pub host: Host<'a>,
    /// The sent-by port.
    pub port: Option<u16>,
    /// The via-params.
    pub params: Params<'a>,
    // The parameters the stack reads on every message, found in the one
    // pass that checks the list.
    branch: Option<&'a str>,
    received: Option<&'a str>,
    rport: Option<Option<u16>>,
}

impl<'a> Via<'a> {
    /// The `branch` parameter (RFC 3261 §8.1.1.7).
    pub fn branch(&self) -> Option<&'a str> {
        self.branch
    }

    /// The `received` parameter (RFC 3261 §18.2.1).
    pub fn received(&self) -> Option<&'a str> {
        self.received
    }

    /// The `rport` parameter (RFC 3581): `None` if absent, `Some(None)` if
    /// present without a value (a request asking for it), `Some(Some(p))`
    /// when filled in by the server.
    pub fn rport(&self) -> Option<Option<u16>> {
        let p = self.params.get("rport")?;
        Some(
            p.value
                .and_then(|v| parse_u64(v).and_then(|n| u16::try_from(n).ok())),
        )
    }

    /// The `maddr` parameter.
    pub fn maddr(&self) -> Option<&'a str> {
        self.params.value("maddr")
    }

    /// The `ttl` parameter.
    pub fn ttl(&self) -> Option<u8> {
        self.params
            .value("ttl")
            .and_then(|v| parse_u64(v).and_then(|n| u8::try_from(n).ok()))
    }
}

/// Takes a token after optional LWS; returns it and the rest.
fn token(s: &str) -> Option<(&str, &str)> {
    let s = super::super::scan::trim_start(s);
    let n = s.bytes().take_while(|b| is_token_char(*b)).count();
    (n > 0).then(|| (&s[..n], &s[n..]))
}

/// `SWS "/" SWS` (RFC 3261 §25.1 SLASH).
fn slash(s: &str) -> Option<&str> {
    super::super::scan::trim_start(s).strip_prefix('/')
}

impl<'a> Via<'a> {
    /// The common case in one pass: `SIP/2.0/` transport, one SP, a
    /// `host[:port]` without brackets, then plain parameters without LWS
    /// or quotes. `None` for anything else, which the full parse handles;
    /// when `Some`, the result is the full parse's.
    /// It holds no comma, so on a whole Via line it gives the first value.
    #[inline]
    pub(crate) fn parse_simple(value: &'a str) -> Option<Via<'a>> {
        let b = value.as_bytes();
        if b.get(..8)? != b"SIP/2.0/" {
            return None;
        }
        let mut i = 8;
        while i < b.len() && is_token_char(b[i]) {
            i += 1;
        }
        if i == 8 || b.get(i) != Some(&b' ') {
            return None;
        }
        let transport = value.get(8..i)?;
        let rest = value.get(i + 1..)?;
        let (host, port, end) = scan_hostport(rest)?;
        let params = rest.get(end..)?;
        let (mut branch, mut received, mut rport, mut bad_rport) = (None, None, None, false);
        simple_params(params, &TOKEN, &PARAM_VALUE, |name, v| match name.len() {
            6 if branch.is_none() && eq_letters(name, "branch") => branch = v,
            8 if received.is_none() && eq_letters(name, "received") => received = v,
            5 if rport.is_none() && eq_letters(name, "rport") => {
                let port = v.map(|v| parse_u64(v).and_then(|n| u16::try_from(n).ok()));
                bad_rport = matches!(port, Some(None));
                rport = Some(port.flatten());
            }
            _ => {}
        })?;
        if bad_rport {
            return None;
        }
        Some(Via {
            protocol: value.get(..3)?,
            version: value.get(4..7)?,
            transport: Transport::from_token(transport),
            host,
            port,
            params: Params::new(params),
            branch,
            received,
            rport,
        })
    }

    /// Every form of RFC 3261 §20.42, one step at a time.
    fn parse_reference(value: &'a str) -> Result<Self, E> {
        let value = trim(value);
        if value.is_empty() {
            return Err(E::Empty);
        }
        let (proto, params) = split_params(value);
        let bad = E::Syntax("expected SIP/2.0/transport sent-by");
        let (protocol, rest) = token(proto).ok_or(bad.clone())?;
        let (version, rest) = token(slash(rest).ok_or(bad.clone())?).ok_or(bad.clone())?;
        let (transport, rest) = token(slash(rest).ok_or(bad.clone())?).ok_or(bad.clone())?;
        if !rest.as_bytes().first().is_some_and(|&c| is_ws(c)) {
            return Err(bad);
        }
        let sent_by = trim(rest);
        if sent_by.is_empty() || sent_by.bytes().any(is_ws) {
            return Err(E::Syntax("bad sent-by"));
        }
        let (host, port) = parse_hostport(sent_by).map_err(E::Uri)?;
        let (mut branch, mut received, mut rport, mut bad_rport) = (None, None, None, false);
        params
            .check_each(|p| {
                if p.name.eq_ignore_ascii_case("branch") {
                    branch = branch.or(p.unquoted());
                } else if p.name.eq_ignore_ascii_case("received") {
                    received = received.or(p.unquoted());
                } else if p.name.eq_ignore_ascii_case("rport") && rport.is_none() {
                    let port = p
                        .value
                        .map(|v| parse_u64(v).and_then(|n| u16::try_from(n).ok()));
                    bad_rport = matches!(port, Some(None));
                    rport = Some(port.flatten());
                }
            })
            .map_err(E::Syntax)?;
        if bad_rport {
            return Err(E::OutOfRange("rport"));
        }
        Ok(Via {
            protocol,
            version,
            transport: Transport::from_token(transport),
            host,
            port,
            params,
            branch,
            received,
            rport,
        })
    }
}

impl<'a> Typed<'a> for Via<'a> {
    const NAME: HeaderName = HeaderName::Via;

    fn parse(value: &'a str) -> Result<Self, E> {
        if let Some(v) = Via::parse_simple(value) {
            debug_assert_eq!(Via::parse_reference(value), Ok(v));
            return Ok(v);
        }
        Via::parse_reference(value)
    }
}
