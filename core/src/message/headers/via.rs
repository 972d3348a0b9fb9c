//! Via (RFC 3261 §20.42, §18.2.1; RFC 3581 rport).

use std::fmt;

use super::super::class::{self, eq_lower, span};
use super::super::error::HeaderErrorKind as E;
use super::super::name::HeaderName;
use super::super::params::{split_params, Params};
use super::super::scan::{is_token_char, is_ws, parse_u64, parse_u64_bytes, trim};
use super::super::uri::{parse_hostport, port_at, scan_hostport_at, Host};
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
        // The names are letters, so OR-ing 0x20 into each byte is an exact
        // case fold; one word compare per candidate.
        let b = s.as_bytes();
        let fold = |w: u32| w | 0x2020_2020;
        match *b {
            [x, y] if fold(u32::from_le_bytes([x, y, b' ', b' '])) == lit(b"ws  ") => Transport::Ws,
            [x, y, z] => match fold(u32::from_le_bytes([x, y, z, b' '])) {
                w if w == lit(b"udp ") => Transport::Udp,
                w if w == lit(b"tcp ") => Transport::Tcp,
                w if w == lit(b"tls ") => Transport::Tls,
                w if w == lit(b"wss ") => Transport::Wss,
                _ => Transport::Other(s),
            },
            [_, _, _, _] if fold(u32::from_le_bytes([b[0], b[1], b[2], b[3]])) == lit(b"sctp") => {
                Transport::Sctp
            }
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

/// `s` as a little-endian word.
const fn lit(s: &[u8; 4]) -> u32 {
    u32::from_le_bytes(*s)
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
        // Found in the pass that checked the parameters: the first rport,
        // whose value, if any, is a port (or the parse failed).
        self.rport
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
    /// or quotes (RFC 3261 §20.42, §25.1 `via-parm`). `None` for anything
    /// else, which the full parse handles; when `Some`, the result is the
    /// full parse's.
    /// It holds no comma, so on a whole Via line it gives the first value.
    #[inline(always)]
    pub(crate) fn parse_simple(value: &'a str) -> Option<Via<'a>> {
        let b = value.as_bytes();
        // sent-protocol, one word (§25.1: protocol-name and version as
        // written by every stack; other spellings take the full parse).
        if class::word8(b, 0)? != u64::from_le_bytes(*b"SIP/2.0/") {
            return None;
        }
        // Sliced here, just after the compare: the compiler knows those
        // eight bytes then, so the slices need no char-boundary checks.
        let (protocol, version) = (value.get(..3)?, value.get(4..7)?);
        // The transport: UDP, TCP or TLS and the SP by one word compare
        // (the letters folded, as `from_token` does), else a token.
        let (transport, te) = match class::word4(b, 8)? | 0x0020_2020 {
            w if w == lit(b"udp ") => (Transport::Udp, 11),
            w if w == lit(b"tcp ") => (Transport::Tcp, 11),
            w if w == lit(b"tls ") => (Transport::Tls, 11),
            _ => other_transport(value)?,
        };
        let (host, port, end) = scan_hostport_at(b, te + 1)?;
        // The parameters the stack reads, as offsets: the first branch
        // and received with a value (an end of 0 is none: a value never
        // ends at 0), the first rport (RFC 3581). Their common spellings
        // are matched by one word compare with the letters folded; any
        // other parameter by its name. rport first: clients that ask for
        // it (RFC 3581 §4) put it ahead of the branch, and a server that
        // fills it in keeps it there, ahead of the received it adds; a
        // Via without rport pays one word compare more for its branch.
        let (mut branch, mut received, mut rport) = ((0, 0), (0, 0), None);
        let mut i = end;
        while i < b.len() {
            // Each word compared below starts with the `;`; any other
            // parameter is checked for it before `other_via_param`.
            let w = class::word8(b, i).unwrap_or(0);
            if rport.is_none()
                && w & 0xFFFF_FFFF_FFFF | 0x2020_2020_2000 == u64::from_le_bytes(*b";rport\0\0")
            {
                match b.get(i + 6) {
                    Some(b'=') => {
                        // A port of 1 to 5 digits, then the next
                        // parameter or the end; anything else takes the
                        // full parse.
                        let (n, ve) = port_at(b, i + 7)?;
                        if !matches!(b.get(ve), Some(b';') | None) {
                            return None;
                        }
                        rport = Some(Some(n));
                        i = ve;
                        continue;
                    }
                    Some(b';') | None => {
                        rport = Some(None);
                        i += 6;
                        continue;
                    }
                    _ => {}
                }
            }
            if branch.1 == 0 && w | 0x0020_2020_2020_2000 == u64::from_le_bytes(*b";branch=") {
                let ve = class::span_alnum_ahead(b, i + 8, class::PVALUE);
                if ve == i + 8 {
                    return None;
                }
                branch = (i + 8, ve);
                i = ve;
                continue;
            }
            if received.1 == 0
                && w | 0x2020_2020_2020_2000 == u64::from_le_bytes(*b";receive")
                && class::word4(b, i + 6)
                    .is_some_and(|w| w | 0x0020_2020 == u32::from_le_bytes(*b"ved="))
            {
                let ve = class::span_alnum_ahead(b, i + 10, class::PVALUE);
                if ve == i + 10 {
                    return None;
                }
                received = (i + 10, ve);
                i = ve;
                continue;
            }
            // Any other parameter, out of line: it needs registers of
            // its own, and the common spellings above come first.
            if b.get(i) != Some(&b';') {
                return None;
            }
            // Through copies: a reference to the values themselves would
            // keep them in memory for the whole loop.
            let mut found = (branch, received, rport);
            i = other_via_param(b, i, &mut found.0, &mut found.1, &mut found.2)?;
            (branch, received, rport) = found;
        }
        // SAFETY: the cuts (`class::sub_ascii`) are in order and within
        // `value`, and each is next to an ASCII byte. A branch or received
        // value starts after its `=` and ends after a character of its
        // value (a non-empty run of them). The host was scanned from these
        // bytes; it and the port end after a hostname character or a
        // digit, where the parameters start.
        #[allow(unsafe_code)]
        let (branch, received, host, params) = unsafe {
            (
                match branch {
                    (_, 0) => None,
                    (s, e) => Some(class::sub_ascii(value, s, e)),
                },
                match received {
                    (_, 0) => None,
                    (s, e) => Some(class::sub_ascii(value, s, e)),
                },
                host.slice(value),
                class::sub_ascii(value, end, value.len()),
            )
        };
        Some(Via {
            protocol,
            version,
            transport,
            host,
            port,
            params: Params::new(params),
            branch,
            received,
            rport,
        })
    }

    /// Every form of RFC 3261 §20.42, one step at a time.
    pub(crate) fn parse_reference(value: &'a str) -> Result<Self, E> {
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

/// The transport token from `value[8..]` up to one SP (§25.1
/// `transport`) when it is not UDP, TCP or TLS, and where it ends. Out of
/// line: it is the rarer case.
#[inline(never)]
fn other_transport(value: &str) -> Option<(Transport<'_>, usize)> {
    let b = value.as_bytes();
    let te = span(b, 8, class::TOKEN);
    if te == 8 || b.get(te) != Some(&b' ') {
        return None;
    }
    Some((Transport::from_token(value.get(8..te)?), te))
}

/// One parameter of the simple Via form at `b[i] == ';'` that the word
/// compares of [`Via::parse_simple`] did not take (§25.1
/// `generic-param` without LWS, quotes or brackets): a branch, received
/// or rport spelled otherwise (another case, or one already seen), or
/// any other name. `branch` and `received` are offsets, an end of 0
/// for none. Returns where it ends; `None` when it is malformed or an
/// rport value is not a port.
#[inline(never)]
fn other_via_param(
    b: &[u8],
    i: usize,
    branch: &mut (usize, usize),
    received: &mut (usize, usize),
    rport: &mut Option<Option<u16>>,
) -> Option<usize> {
    let ns = i + 1;
    let ne = span(b, ns, class::TOKEN);
    if ne == ns {
        return None;
    }
    let mut ve = ne;
    if b.get(ne) == Some(&b'=') {
        ve = span(b, ne + 1, class::PVALUE);
        if ve == ne + 1 {
            return None;
        }
    }
    // `get`, never failing here (`ns < ne <= b.len()`), keeps the
    // function free of panics, so that the compiler knows it writes
    // through its `&mut` arguments only and keeps what it knows of the
    // bytes of `b` across the call (no char-boundary checks again).
    let name = b.get(ns..ne)?;
    match name.len() {
        6 if branch.1 == 0 && ve > ne && eq_lower(name, b"branch") => {
            *branch = (ne + 1, ve);
        }
        8 if received.1 == 0 && ve > ne && eq_lower(name, b"received") => {
            *received = (ne + 1, ve);
        }
        5 if rport.is_none() && eq_lower(name, b"rport") => {
            *rport = Some(if ve == ne {
                None
            } else {
                // An rport that is not a port is the full parse's error.
                // The value is ASCII (class PVALUE).
                let v = b.get(ne + 1..ve)?;
                Some(port_value(v).or_else(|| u16::try_from(parse_u64_bytes(v)?).ok())?)
            });
        }
        _ => {}
    }
    Some(ve)
}

/// A port of 1 to 5 digits up to 65535, inline; `None` for anything else
/// (leading zeros beyond five digits go to `parse_u64`).
#[inline(always)]
fn port_value(v: &[u8]) -> Option<u16> {
    if v.is_empty() || v.len() > 5 {
        return None;
    }
    let mut n: u32 = 0;
    for &c in v {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + u32::from(d);
    }
    u16::try_from(n).ok()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The simple form against the reference with every byte value (as
    /// a character: ASCII, and a few multi-byte ones) replaced, put in or
    /// taken out at every position of the sent-by and the parameters of
    /// typical values: the branch and received values near and at the
    /// end, shorter and longer than sixteen bytes.
    #[test]
    fn simple_form_agrees_with_the_reference_on_every_byte() {
        for base in [
            "SIP/2.0/UDP 192.0.2.101:5060;rport=5060;received=198.51.100.7;branch=z9hG4bKnashds7",
            "SIP/2.0/UDP 192.0.2.101:5060;rport;branch=z9hG4bK776asdhds",
            "SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=a.b",
            "SIP/2.0/UDP h;branch=z9hG4bK0123456789abcdefghij;received=10.0.0.1",
        ] {
            for v in class::edits(base, 12, &['\u{e9}', '\u{7ff}', '\u{20ac}', '\u{1f600}']) {
                if let Some(fast) = Via::parse_simple(&v) {
                    assert_eq!(Via::parse_reference(&v), Ok(fast), "{v:?}");
                }
            }
        }
    }

    /// [`parse_u64_bytes`] against the standard library's parse of the
    /// digits, with every byte value in every position of numbers of 0 to
    /// 21 digits, around the `u64` and port limits; and the rport of
    /// [`Via::parse_simple`] against the reference parse with those values.
    #[test]
    fn u64_bytes_agree_with_the_standard_parse_on_every_byte() {
        let reference = |v: &[u8]| {
            let digits = (1..=20).contains(&v.len()) && v.iter().all(u8::is_ascii_digit);
            digits
                .then(|| std::str::from_utf8(v).ok()?.parse::<u64>().ok())
                .flatten()
        };
        let mut bases: Vec<String> = (0..=21).map(|n| "7".repeat(n)).collect();
        bases.extend(
            [
                "18446744073709551615",
                "18446744073709551616",
                "99999999999999999999",
                "65535",
                "65536",
                "000000000000000065535",
                "00000000000000000000",
            ]
            .map(String::from),
        );
        for base in &bases {
            let base = base.as_bytes();
            assert_eq!(parse_u64_bytes(base), reference(base), "{base:?}");
            for at in 0..base.len() {
                for c in 0..=255u8 {
                    let mut v = base.to_vec();
                    v[at] = c;
                    assert_eq!(parse_u64_bytes(&v), reference(&v), "{v:?}");
                    // And as an rport value read by `other_via_param`,
                    // when the value is one the simple form scans.
                    let mut p = b";rport=".to_vec();
                    p.extend_from_slice(&v);
                    let mut rport = None;
                    let end = other_via_param(&p, 0, &mut (0, 0), &mut (0, 0), &mut rport);
                    let want = reference(&v).and_then(|n| u16::try_from(n).ok());
                    match end {
                        Some(e) if e == p.len() => assert_eq!(rport, Some(want), "{p:?}"),
                        // Not a port: the full parse decides.
                        None => assert_eq!(want, None, "{p:?}"),
                        // The scan stopped at a byte outside the value.
                        Some(_) => {}
                    }
                }
            }
            // The rport value as the simple parse reads it: by name
            // spelled in another case, so that `other_via_param` takes it.
            if let Ok(n) = std::str::from_utf8(base) {
                for name in ["RPORT", "rport"] {
                    let via = format!("SIP/2.0/UDP 10.0.0.1;{name}={n};branch=z9hG4bK1");
                    if let Some(fast) = Via::parse_simple(&via) {
                        assert_eq!(Via::parse_reference(&via), Ok(fast), "{via}");
                    }
                }
            }
        }
    }
}
