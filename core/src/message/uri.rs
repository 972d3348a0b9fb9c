//! URIs: `sip`, `sips` (RFC 3261 §19.1), `tel` (RFC 3966), and any other
//! absolute URI kept opaque (RFC 3261 §25.1 `absoluteURI`). Zero-copy:
//! every part borrows the message.

use std::borrow::Cow;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::class;
use super::params::Params;

/// Why a URI did not parse.
pub type UriError = &'static str;

/// A parsed URI.
///
/// # Examples
///
/// ```
/// use geosip_core::message::{Uri, Host};
///
/// let uri = Uri::parse("sips:alice%40home@[2001:db8::1]:5061;transport=tls?subject=hi").unwrap();
/// let sip = uri.as_sip().unwrap();
/// assert!(sip.secure);
/// assert_eq!(&*sip.user_decoded().unwrap(), b"alice@home");
/// assert!(matches!(sip.host, Host::Ipv6(_)));
/// assert_eq!(sip.port, Some(5061));
/// assert_eq!(sip.params.value("transport"), Some("tls"));
/// assert_eq!(sip.headers, Some("subject=hi"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uri<'a> {
    /// `sip:` or `sips:`.
    Sip(SipUri<'a>),
    /// `tel:`.
    Tel(TelUri<'a>),
    /// Any other scheme, kept as it is.
    Other(AbsoluteUri<'a>),
}

/// A `sip:` or `sips:` URI (RFC 3261 §19.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SipUri<'a> {
    /// `sips:` rather than `sip:`.
    pub secure: bool,
    /// The user part, still escaped.
    pub user: Option<&'a str>,
    /// The password, still escaped (its use is NOT RECOMMENDED, §19.1.1).
    pub password: Option<&'a str>,
    /// The host.
    pub host: Host<'a>,
    /// The port, if one is given.
    pub port: Option<u16>,
    /// `uri-parameters`.
    pub params: Params<'a>,
    /// The `headers` part after `?`, still escaped.
    pub headers: Option<&'a str>,
    raw: &'a str,
}

/// A `tel:` URI (RFC 3966).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TelUri<'a> {
    /// The number as written, with visual separators.
    pub number: &'a str,
    /// Parameters such as `phone-context`.
    pub params: Params<'a>,
    raw: &'a str,
}

/// A URI of a scheme that geosip does not interpret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbsoluteUri<'a> {
    /// The scheme, without the colon.
    pub scheme: &'a str,
    /// Everything after the colon.
    pub rest: &'a str,
    raw: &'a str,
}

/// The host of a SIP URI or Via sent-by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host<'a> {
    /// A domain name, as written.
    Domain(&'a str),
    /// An IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 reference (written in brackets).
    Ipv6(Ipv6Addr),
}

impl fmt::Display for Host<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => f.write_str(d),
            Host::Ipv4(a) => write!(f, "{a}"),
            Host::Ipv6(a) => write!(f, "[{a}]"),
        }
    }
}

impl<'a> Host<'a> {
    /// Parses `host` (RFC 3261 §25.1): a hostname, an IPv4 address, or an
    /// IPv6 reference in brackets.
    pub fn parse(s: &'a str) -> Result<Host<'a>, UriError> {
        if let Some(inner) = s.strip_prefix('[') {
            let inner = inner
                .strip_suffix(']')
                .ok_or("IPv6 reference without ']'")?;
            return inner
                .parse::<Ipv6Addr>()
                .map(Host::Ipv6)
                .map_err(|_| "bad IPv6 address");
        }
        if s.is_empty() {
            return Err("empty host");
        }
        let b = s.as_bytes();
        if b[0].is_ascii_digit() {
            if let Some(a) = parse_ipv4(b) {
                return Ok(Host::Ipv4(a));
            }
        }
        // RFC 3261 §25.1 hostname: alphanum, '-' and '.'; '_' is tolerated
        // because it is common in the wild (SRV-style names).
        if b.iter().all(|&c| HOST[c as usize]) {
            Ok(Host::Domain(s))
        } else {
            Err("bad character in host")
        }
    }
}

/// Hostname characters.
pub(super) static HOST: [bool; 256] = super::scan::class(true, b"-._");

/// A dotted-quad IPv4 address, each part 0 to 255 without a sign.
fn parse_ipv4(b: &[u8]) -> Option<Ipv4Addr> {
    let mut parts = [0u8; 4];
    let mut n = 0;
    let mut val: u32 = 0;
    let mut digits = 0;
    for &c in b {
        if c.is_ascii_digit() {
            val = val * 10 + u32::from(c - b'0');
            digits += 1;
            if digits > 3 || val > 255 {
                return None;
            }
        } else if c == b'.' && digits > 0 && n < 3 {
            parts[n] = val as u8;
            n += 1;
            val = 0;
            digits = 0;
        } else {
            return None;
        }
    }
    if n != 3 || digits == 0 {
        return None;
    }
    parts[3] = val as u8;
    Some(Ipv4Addr::from(parts))
}

/// Parses a `host[:port]` (RFC 3261 §25.1 `hostport`), such as a
/// configured server address.
///
/// ```
/// use geosip_core::message::{uri::parse_hostport, Host};
/// assert_eq!(parse_hostport("10.0.0.1:5080").unwrap().1, Some(5080));
/// assert!(matches!(parse_hostport("sip.example.com").unwrap().0, Host::Domain(_)));
/// assert!(parse_hostport("bad host").is_err());
/// ```
pub fn parse_hostport(s: &str) -> Result<(Host<'_>, Option<u16>), UriError> {
    let (host, port) = if s.starts_with('[') {
        match super::scan::find_byte(s.as_bytes(), b']') {
            Some(end) => {
                let rest = &s[end + 1..];
                let port = match rest.strip_prefix(':') {
                    Some(p) => Some(p),
                    None if rest.is_empty() => None,
                    None => return Err("junk after IPv6 reference"),
                };
                (&s[..=end], port)
            }
            None => return Err("IPv6 reference without ']'"),
        }
    } else {
        match s.as_bytes().iter().rposition(|&c| c == b':') {
            Some(i) => (&s[..i], Some(&s[i + 1..])),
            None => (s, None),
        }
    };
    let port = match port {
        Some(p) => Some(
            super::scan::parse_u64(p)
                .and_then(|v| u16::try_from(v).ok())
                .ok_or("bad port")?,
        ),
        None => None,
    };
    Ok((Host::parse(host)?, port))
}

/// A dotted-quad IPv4 address (RFC 3261 §25.1 `IPv4address`, each part 0
/// to 255 in 1 to 3 digits, as [`parse_ipv4`] reads it) at `b[at..]`, and
/// where it ends. Whatever follows is the caller's to check. When sixteen
/// bytes are there (an address has at most fifteen), they are read as
/// one array, without a bounds check per byte ([`ipv4_16`]); else byte by
/// byte.
#[inline(always)]
fn ipv4_at(b: &[u8], at: usize) -> Option<(Ipv4Addr, usize)> {
    match b.get(at..).and_then(|r| r.first_chunk::<16>()) {
        Some(w) => ipv4_16(w).map(|(a, n)| (a, at + n)),
        None => ipv4_at_bytes(b, at),
    }
}

/// [`ipv4_at`] on sixteen bytes: the address at the start of `w` and its
/// length (at most fifteen). Each part takes at most four bytes (three
/// digits and a dot), so no index reaches sixteen (and the compiler sees
/// it: the reads have no bounds checks).
#[inline(always)]
fn ipv4_16(w: &[u8; 16]) -> Option<(Ipv4Addr, usize)> {
    ipv4_by(|i| w[i], 0)
}

/// [`ipv4_at`] one byte at a time, for the last bytes of a value.
#[inline(never)]
fn ipv4_at_bytes(b: &[u8], at: usize) -> Option<(Ipv4Addr, usize)> {
    ipv4_by(|i| b.get(i).copied().unwrap_or(0xFF), at)
}

/// The IPv4 address at `at` and the position after it, reading byte `i`
/// by `byte(i)` (0xFF past the end): four parts of one to three digits,
/// each at most 255, with a dot between them.
#[inline(always)]
fn ipv4_by(byte: impl Fn(usize) -> u8, at: usize) -> Option<(Ipv4Addr, usize)> {
    // The digit at `i` as 0 to 9, or 10 and more for anything else.
    let digit = |i: usize| u32::from(byte(i).wrapping_sub(b'0'));
    let mut addr: u32 = 0;
    let mut i = at;
    for k in 0..4 {
        let mut v = digit(i);
        if v > 9 {
            return None;
        }
        i += 1;
        let d = digit(i);
        if d <= 9 {
            v = v * 10 + d;
            i += 1;
            let d = digit(i);
            if d <= 9 {
                v = v * 10 + d;
                i += 1;
                if v > 255 {
                    return None;
                }
            }
        }
        addr = addr << 8 | v;
        if k == 3 {
            break;
        }
        if byte(i) != b'.' {
            return None;
        }
        i += 1;
    }
    Some((Ipv4Addr::from(addr), i))
}

/// A host found by [`scan_hostport_at`], kept as offsets until the parse
/// is known to succeed (fewer live values while scanning).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostAt {
    /// An IPv4 address.
    Ipv4(Ipv4Addr),
    /// A domain name at `s[start..end]`.
    Domain(usize, usize),
}

impl HostAt {
    /// The host in `s`, cut without checks ([`class::sub_ascii`]).
    ///
    /// # Safety
    ///
    /// `s` holds the bytes that the scan that found the host read
    /// ([`scan_hostport_at`], or those of [`SipUriAt`]), at least to the
    /// end of the host. (Each of them makes a domain of a non-empty run
    /// of hostname characters, all ASCII: its first byte is one, and so
    /// is the byte before its end.)
    #[allow(unsafe_code)]
    #[inline(always)]
    pub(crate) unsafe fn slice(self, s: &str) -> Host<'_> {
        match self {
            HostAt::Ipv4(a) => Host::Ipv4(a),
            // SAFETY: `start < end <= s.len()` and `s[start]` and
            // `s[end - 1]` are hostname characters (ASCII), by the scan
            // of the same bytes.
            HostAt::Domain(start, end) => Host::Domain(unsafe { class::sub_ascii(s, start, end) }),
        }
    }
}

/// Scans a `host[:port]` (no IPv6 reference) from `b[at..]` and returns
/// it with where it ends: the host is the run of hostname characters, the
/// port 1 to 5 digits up to 65535. Whatever follows is the caller's to
/// check. `None` when this simple form does not apply. Equivalent to
/// [`parse_hostport`] on `&s[at..end]` when it returns `Some`.
#[inline(always)]
pub(crate) fn scan_hostport_at(b: &[u8], at: usize) -> Option<(HostAt, Option<u16>, usize)> {
    // A run of hostname characters is an IPv4 address exactly when it
    // starts with one and does not go on past it.
    let ipv4 = match b.get(at) {
        Some(c) if c.is_ascii_digit() => ipv4_at(b, at)
            .filter(|&(_, end)| !b.get(end).is_some_and(|&c| class::is(c, class::HOST))),
        _ => None,
    };
    let (host, i, stop) = match ipv4 {
        Some((a, end)) => (HostAt::Ipv4(a), end, b.get(end).copied()),
        None => {
            let (end, stop) = class::span16_stop(b, at, class::HOST);
            if end == at {
                return None;
            }
            (HostAt::Domain(at, end), end, stop)
        }
    };
    if stop != Some(b':') {
        return Some((host, None, i));
    }
    let (port, end) = port_at(b, i + 1)?;
    Some((host, Some(port), end))
}

/// A port of 1 to 5 digits up to 65535 at `b[at..]` (RFC 3261 §25.1
/// `port`, as [`parse_hostport`] reads it when five digits at most), and
/// where it ends; `None` for no digit, a sixth digit or a larger number.
/// When eight bytes are there, they are read as one word (see
/// [`digits8`]), and a port of four digits or fewer (most of them) is
/// summed in four bytes ([`digits4`]); else byte by byte.
#[inline(always)]
pub(crate) fn port_at(b: &[u8], at: usize) -> Option<(u16, usize)> {
    let Some(w) = class::word8(b, at) else {
        return port_at_bytes(b, at);
    };
    let (n, d) = digits_count8(w);
    // 1 to 4 digits (most ports) by one compare.
    if n.wrapping_sub(1) < 4 {
        return Some((digits4(d, n), at + n));
    }
    match n {
        5 => Some((u16::try_from(digits_value8(d, n)).ok()?, at + n)),
        _ => None,
    }
}

/// The value of the `n` leading digits of `d` (1 to 4; `d` from
/// [`digits_count8`]): they are moved to the top of the low four bytes
/// and summed in pairs and then fours, as [`digits8`] does in eight
/// bytes, with one step fewer. At most 9999, so it fits.
#[inline(always)]
fn digits4(d: u64, n: usize) -> u16 {
    debug_assert!((1..=4).contains(&n));
    let x = (d as u32) << (8 * (4 - n));
    let y = (x.wrapping_mul(10) + (x >> 8)) & 0x00FF_00FF;
    ((y & 0xFF) * 100 + (y >> 16)) as u16
}

/// The leading decimal digits of the eight bytes of `w` (little-endian,
/// so the first byte is the lowest): how many there are, and their value
/// when there are fewer than eight.
///
/// `w - '0'` in every byte leaves a digit's byte at 0 to 9; any other
/// byte is either 0x80 or more there, or 10 to 0x7F, which adding 0x76
/// takes to 0x80 or more. Borrows and carries only go from a byte to the
/// ones above it, so the lowest flagged byte is exact, and it is all
/// that is read. The digits are then moved to the top of the word (the
/// bytes below become leading zeros) and summed in pairs, fours and
/// eights by three multiplications.
#[inline(always)]
pub(crate) fn digits8(w: u64) -> (usize, u64) {
    let (n, d) = digits_count8(w);
    if n == 0 || n == 8 {
        return (n, 0);
    }
    (n, digits_value8(d, n))
}

/// The first step of [`digits8`]: how many leading digits, and the
/// word with `'0'` taken from every byte.
#[inline(always)]
fn digits_count8(w: u64) -> (usize, u64) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let d = w.wrapping_sub(ONES * u64::from(b'0'));
    let flags = (d.wrapping_add(ONES * 0x76) | d) & (ONES * 0x80);
    ((flags.trailing_zeros() / 8) as usize, d)
}

/// The second step of [`digits8`]: the value of the `n` leading digits
/// of `d` (1 to 7).
#[inline(always)]
fn digits_value8(d: u64, n: usize) -> u64 {
    debug_assert!((1..8).contains(&n));
    let mut v = d << (8 * (8 - n));
    v = v.wrapping_mul(10 << 8 | 1) >> 8;
    v = (v & 0x00FF_00FF_00FF_00FF).wrapping_mul(100 << 16 | 1) >> 16;
    (v & 0x0000_FFFF_0000_FFFF).wrapping_mul(10000 << 32 | 1) >> 32
}

/// [`port_at`] one byte at a time, for the last bytes of a value.
#[inline(never)]
fn port_at_bytes(b: &[u8], at: usize) -> Option<(u16, usize)> {
    // The digit at `i` as 0 to 9, or 10 and more for anything else.
    let digit = |i: usize| u32::from(b.get(i).map_or(255, |c| c.wrapping_sub(b'0')));
    let mut n = digit(at);
    if n > 9 {
        return None;
    }
    let mut i = at + 1;
    loop {
        let d = digit(i);
        if d > 9 {
            break;
        }
        if i - at == 5 {
            return None;
        }
        n = n * 10 + d;
        i += 1;
    }
    Some((u16::try_from(n).ok()?, i))
}

/// URI parameter names that [`SipUri::parse_rest`] accepts without
/// escapes: token and `paramchar` characters.
pub(super) static PARAM_NAME_PLAIN: [bool; 256] =
    super::scan::both(&super::scan::TOKEN, &PARAM, b"%");
/// URI parameter values likewise: `check_each` value and `paramchar`.
pub(super) static PARAM_VALUE_PLAIN: [bool; 256] =
    super::scan::both(&super::params::PARAM_VALUE, &PARAM, b"%[");
/// User characters without escapes.
pub(super) static USER_PLAIN: [bool; 256] = super::scan::both(&USER, &USER, b"%");

/// Scheme characters after the first letter.
static SCHEME: [bool; 256] = super::scan::class(true, b"+-.");

/// User part: unreserved, escaped, user-unreserved (RFC 3261 §25.1).
static USER: [bool; 256] = super::scan::class(true, b"-_.!~*'()&=+$,;?/");
/// Password: unreserved, escaped, `& = + $ ,`.
static PASSWORD: [bool; 256] = super::scan::class(true, b"-_.!~*'()&=+$,");
/// `paramchar`: unreserved, escaped, param-unreserved (RFC 3261 §25.1).
static PARAM: [bool; 256] = super::scan::class(true, b"-_.!~*'()[]/:&+$");
/// URI `headers`: hnv-unreserved and unreserved, plus `=` and `&`.
static HEADERS: [bool; 256] = super::scan::class(true, b"-_.!~*'()[]/?:+$=&");
/// Telephone numbers (RFC 3966, loosely).
static TEL: [bool; 256] = super::scan::class(true, b"-_.!~*'()+#/");

/// Checks that `%` is followed by two hex digits everywhere and that every
/// other byte is in `class`.
#[inline]
fn check_escaped(s: &str, class: &[bool; 256]) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if class[c as usize] {
            i += 1;
        } else if c == b'%'
            && i + 2 < b.len()
            && b[i + 1].is_ascii_hexdigit()
            && b[i + 2].is_ascii_hexdigit()
        {
            i += 3;
        } else {
            return false;
        }
    }
    true
}

/// Decodes `%XX` escapes (RFC 3261 §19.1.2). Returns the input unchanged
/// (borrowed) when there is nothing to decode. Escapes that are not two hex
/// digits are left as they are.
///
/// ```
/// use geosip_core::message::uri::percent_decode;
/// assert_eq!(&*percent_decode("null-%00-null"), b"null-\0-null");
/// assert_eq!(&*percent_decode("plain"), b"plain");
/// ```
pub fn percent_decode(s: &str) -> Cow<'_, [u8]> {
    let b = s.as_bytes();
    if memchr::memchr(b'%', b).is_none() {
        return Cow::Borrowed(b);
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let h = (b[i + 1] as char).to_digit(16);
            let l = (b[i + 2] as char).to_digit(16);
            if let (Some(h), Some(l)) = (h, l) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    Cow::Owned(out)
}

impl<'a> Uri<'a> {
    /// Parses an absolute URI. `sip`, `sips` and `tel` are interpreted;
    /// other schemes are kept opaque.
    pub fn parse(s: &'a str) -> Result<Uri<'a>, UriError> {
        if let Some(u) = SipUri::parse_simple(s) {
            debug_assert_eq!(Self::parse_reference(s), Ok(Uri::Sip(u)));
            return Ok(Uri::Sip(u));
        }
        Self::parse_reference(s)
    }

    /// [`Uri::parse`] for every form, one step at a time.
    pub(crate) fn parse_reference(s: &'a str) -> Result<Uri<'a>, UriError> {
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
        let b = s.as_bytes();
        let colon = b
            .iter()
            .position(|&c| !SCHEME[c as usize])
            .filter(|&i| b[i] == b':')
            .ok_or("no scheme")?;
        if colon == 0 || !b[0].is_ascii_alphabetic() {
            return Err("bad scheme");
        }
        let scheme = &s[..colon];
        let rest = &s[colon + 1..];
        if scheme.eq_ignore_ascii_case("sip") {
            SipUri::parse_rest(false, rest, s).map(Uri::Sip)
        } else if scheme.eq_ignore_ascii_case("sips") {
            SipUri::parse_rest(true, rest, s).map(Uri::Sip)
        } else if scheme.eq_ignore_ascii_case("tel") {
            let (number, params) = super::params::split_params(rest);
            if number.is_empty() || !check_escaped(number, &TEL) {
                return Err("bad telephone number");
            }
            params.check()?;
            Ok(Uri::Tel(TelUri {
                number,
                params,
                raw: s,
            }))
        } else {
            if rest.is_empty()
                || rest
                    .bytes()
                    .any(|c| c <= b' ' || matches!(c, b'<' | b'>' | b'"' | 0x7f))
            {
                return Err("bad opaque URI");
            }
            Ok(Uri::Other(AbsoluteUri {
                scheme,
                rest,
                raw: s,
            }))
        }
    }

    /// The URI as written.
    pub fn as_str(&self) -> &'a str {
        match self {
            Uri::Sip(u) => u.raw,
            Uri::Tel(u) => u.raw,
            Uri::Other(u) => u.raw,
        }
    }

    /// The SIP URI, if this is one.
    pub fn as_sip(&self) -> Option<&SipUri<'a>> {
        match self {
            Uri::Sip(u) => Some(u),
            _ => None,
        }
    }

    /// The scheme as written.
    pub fn scheme(&self) -> &'a str {
        let raw = self.as_str();
        &raw[..raw.find(':').unwrap_or(0)]
    }
}

impl fmt::Display for Uri<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Plain URI parameters from `b[at] == ';'` (RFC 3261 §19.1.1
/// `uri-parameters` without escapes), and where they end. Out of line:
/// most From and To URIs have none, and the loop needs registers.
#[inline(never)]
fn uri_params(b: &[u8], at: usize) -> Option<usize> {
    super::params::simple_params_at(b, at, class::URI_PNAME, class::URI_PVALUE, |_, _, _| {})
}

/// A simple SIP URI found by [`SipUriAt::scan`], kept as offsets until
/// the parse is known to succeed, so that the scan of what follows it
/// (the header parameters of a name-addr) has few values to keep live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SipUriAt {
    at: usize,
    secure: bool,
    /// The end of the user part, which starts after the scheme; 0 when
    /// there is none (a user part is never empty).
    user_end: usize,
    host: HostAt,
    port: Option<u16>,
    /// Where the host and port end and the parameters start.
    params_at: usize,
    /// Where the URI ends.
    pub(crate) end: usize,
}

/// The user part, host and port of [`SipUriAt::scan`] from `b[start]`
/// (after the scheme), one step at a time: the user end (0 for none),
/// the host, the port, and where they end.
#[inline(always)]
fn user_hostport(b: &[u8], start: usize) -> Option<(usize, HostAt, Option<u16>, usize)> {
    // The user part runs to the first '@' (as in `parse_rest`); with no
    // '@' at all there is no user part. User bytes hold no '@'.
    let (u, stop) = class::span_stop(b, start, class::USER);
    let (user_end, host_at) = if stop == Some(b'@') {
        if u == start {
            return None;
        }
        (u, u + 1)
    } else if super::scan::find_byte(b.get(u..)?, b'@').is_some() {
        return None;
    } else {
        (0, start)
    };
    let (host, port, params_at) = scan_hostport_at(b, host_at)?;
    Some((user_end, host, port, params_at))
}

/// The common `user@domain[:port]` of [`SipUriAt::scan`] from `b[start]`
/// (after the scheme), when the user part is letters, digits, `-`, `.`
/// and `_` and ends within sixteen bytes, and the host is a domain name:
/// one vector step ([`class::host_outside16`]) on those sixteen finds
/// both the `@` and, most often, the end of the host too, which the
/// general scan finds by a byte loop over the user part and a vector
/// scan of the host from the `@`. The user end, the host, the port and
/// where they end, as the general scan gives them; `None` where it must
/// decide.
#[inline(always)]
fn user_at_domain16(b: &[u8], start: usize) -> Option<(usize, HostAt, Option<u16>, usize)> {
    let c = b.get(start..)?.first_chunk::<16>()?;
    let m = class::host_outside16(c);
    // The user part is the run of hostname characters (all of them user
    // characters) before the first other byte, which is the '@' (not a
    // user character): what the byte loop over user characters finds.
    let k = m.trailing_zeros() as usize;
    if k == 0 || c.get(k) != Some(&b'@') {
        return None;
    }
    // A host that starts with a digit may be an IPv4 address, which
    // `scan_hostport_at` reads; a domain is a run of hostname characters.
    if !c
        .get(k + 1)
        .is_some_and(|&h| class::is(h, class::HOST) && !h.is_ascii_digit())
    {
        return None;
    }
    let host_at = start + k + 1;
    // The other bytes after the '@' among these sixteen: the first ends
    // the host; with none, the run goes on past them.
    let rest = m >> (k + 1);
    let end = if rest != 0 {
        host_at + rest.trailing_zeros() as usize
    } else {
        class::span16(b, start + 16, class::HOST)
    };
    let host = HostAt::Domain(host_at, end);
    if b.get(end) != Some(&b':') {
        return Some((start + k, host, None, end));
    }
    let (port, pe) = port_at(b, end + 1)?;
    Some((start + k, host, Some(port), pe))
}

impl SipUriAt {
    /// The scan of [`SipUri::parse_simple_at`]: `sip:` or `sips:` (RFC
    /// 3261 §19.1.1), an unescaped user, a `hostport` without brackets,
    /// and plain parameters. A `?` (headers) or a `:` (a second port)
    /// right after them would change what `Uri::parse` makes of the
    /// whole: the caller checks the byte at `end` (a name-addr needs its
    /// `>` there anyway).
    #[inline(always)]
    pub(crate) fn scan(b: &[u8], at: usize) -> Option<SipUriAt> {
        // RFC 3261 §19.1.1: the scheme in any case. OR-ing 0x20 into the
        // letters (not the ':') is an exact case fold.
        let w = class::word4(b, at)? | 0x0020_2020;
        let secure = if w == u32::from_le_bytes(*b"sip:") {
            false
        } else if w | 0x2000_0000 == u32::from_le_bytes(*b"sips") && b.get(at + 4) == Some(&b':') {
            true
        } else {
            return None;
        };
        let start = at + 4 + usize::from(secure);
        let (user_end, host, port, params_at) = match user_at_domain16(b, start) {
            Some(found) => found,
            None => user_hostport(b, start)?,
        };
        let end = if b.get(params_at) == Some(&b';') {
            uri_params(b, params_at)?
        } else {
            params_at
        };
        Some(SipUriAt {
            at,
            secure,
            user_end,
            host,
            port,
            params_at,
            end,
        })
    }

    /// [`scan`](Self::scan) for the common `sip:user@domain` right before
    /// a `>` (a name-addr's URI), from `rest`, the bits of the bytes of
    /// `b` from `at` on that are not hostname characters (those of
    /// [`class::host_outside64`] at or after `at`): the user part is a
    /// run of hostname characters (all of them user characters) up to the
    /// `@`, the host a run that does not start with a digit, up to the
    /// `>`. `None` where `scan` must decide. Every offset it gives is next
    /// to a byte it compared (`:`, `@`, `>`).
    ///
    /// The `@` and the `>` are the second and third bits of `rest` (the
    /// first is the scheme's `:`), taken by clearing the lowest bit, so
    /// that neither waits on the position before it.
    #[inline(always)]
    pub(crate) fn scan_masked(b: &[u8], at: usize, rest: u64) -> Option<SipUriAt> {
        debug_assert_eq!(
            Some(rest),
            class::host_outside64(b).map(|m| m & u64::MAX.checked_shl(at as u32).unwrap_or(0))
        );
        if class::word4(b, at)? | 0x0020_2020 != u32::from_le_bytes(*b"sip:") {
            return None;
        }
        // The scheme's letters are hostname characters and its `:` is
        // not: it is the lowest bit of `rest`, and the user part's end is
        // the next.
        let start = at + 4;
        let after_colon = class::clear_lowest(rest);
        let user_end = after_colon.trailing_zeros() as usize;
        debug_assert_eq!(
            user_end.min(b.len()),
            class::next_bit(rest, start).min(b.len())
        );
        if user_end == start || b.get(user_end) != Some(&b'@') {
            return None;
        }
        let host_at = user_end + 1;
        // A hostname character (its bit clear) but not a digit: a host
        // that starts with a digit may be an IPv4 address.
        if b.get(host_at).is_none_or(u8::is_ascii_digit) || rest >> host_at & 1 != 0 {
            return None;
        }
        let end = class::clear_lowest(after_colon).trailing_zeros() as usize;
        debug_assert_eq!(
            end.min(b.len()),
            class::next_bit(rest, host_at).min(b.len())
        );
        if b.get(end) != Some(&b'>') {
            return None;
        }
        Some(SipUriAt {
            at,
            secure: false,
            user_end,
            host: HostAt::Domain(host_at, end),
            port: None,
            params_at: end,
            end,
        })
    }

    /// The URI in `s`, cut without checks ([`class::sub_ascii`]).
    ///
    /// # Safety
    ///
    /// `s` holds the bytes that [`scan`](Self::scan) or
    /// [`scan_masked`](Self::scan_masked) read, at least to the end of
    /// the URI (`self.end`).
    #[allow(unsafe_code)]
    #[inline(always)]
    pub(crate) unsafe fn slice(self, s: &str) -> SipUri<'_> {
        // Each cut below is of offsets from the scan of these bytes, in
        // order and at most `self.end <= s.len()`, next to ASCII bytes.
        let user = if self.user_end == 0 {
            None
        } else {
            let start = self.at + 4 + usize::from(self.secure);
            // SAFETY: the user part starts after the `:` of the scheme
            // and is a non-empty run of user characters (ASCII).
            Some(unsafe { class::sub_ascii(s, start, self.user_end) })
        };
        SipUri {
            secure: self.secure,
            user,
            password: None,
            // SAFETY: the host was scanned from these bytes.
            host: unsafe { self.host.slice(s) },
            port: self.port,
            // An empty list is equal wherever it sits.
            params: Params::new(if self.end == self.params_at {
                ""
            } else {
                // SAFETY: the parameters start at their `;` and end after
                // a character of a name or value (ASCII).
                unsafe { class::sub_ascii(s, self.params_at, self.end) }
            }),
            headers: None,
            // SAFETY: the URI starts at the `s` or `S` of its scheme and
            // ends after a hostname character, a digit of the port, or a
            // character of a parameter (ASCII).
            raw: unsafe { class::sub_ascii(s, self.at, self.end) },
        }
    }
}

impl<'a> SipUri<'a> {
    /// The common case of [`Uri::parse`] for a SIP URI: `sip:` or `sips:`,
    /// an unescaped user without password, a host without brackets, an
    /// optional port and plain parameters, no headers. `None` for
    /// anything else, where [`Uri::parse`] decides; when `Some`, the
    /// result is the one `Uri::parse` gives.
    #[inline]
    pub(crate) fn parse_simple(s: &'a str) -> Option<SipUri<'a>> {
        match Self::parse_simple_at(s, 0)? {
            (u, end) if end == s.len() => Some(u),
            _ => None,
        }
    }

    /// [`parse_simple`](Self::parse_simple) over `s[at..]`, in one pass
    /// over the bytes: stops before the first byte that cannot continue
    /// the URI (which the simple form never holds: `>`, `,`, LWS...) and
    /// returns its offset in `s`. The URI is then the one `Uri::parse`
    /// gives for `&s[at..end]` when no `?` or `:` follows.
    #[inline(always)]
    pub(crate) fn parse_simple_at(s: &'a str, at: usize) -> Option<(SipUri<'a>, usize)> {
        let b = s.as_bytes();
        let u = SipUriAt::scan(b, at)?;
        // A '?' (headers) or a ':' (a second port) would change what
        // `Uri::parse` makes of the whole.
        if matches!(b.get(u.end), Some(b'?' | b':')) {
            return None;
        }
        // SAFETY: `u` is the scan of the bytes of `s`.
        #[allow(unsafe_code)]
        let uri = unsafe { u.slice(s) };
        Some((uri, u.end))
    }

    fn parse_rest(secure: bool, rest: &'a str, raw: &'a str) -> Result<SipUri<'a>, UriError> {
        // userinfo ends at the '@'; '@' may not appear unescaped elsewhere
        // (§25.1), while ';' '?' '/' may appear in the user part (§19.1.1,
        // RFC 4475 §3.1.1.9).
        let rb = rest.as_bytes();
        let (user, password, hostpart) = match super::scan::find_byte(rb, b'@') {
            Some(at) => {
                let ui = &rest[..at];
                let (user, password) = match super::scan::find_byte(ui.as_bytes(), b':') {
                    Some(c) => (&ui[..c], Some(&ui[c + 1..])),
                    None => (ui, None),
                };
                if user.is_empty() || !check_escaped(user, &USER) {
                    return Err("bad user part");
                }
                if password.is_some_and(|p| !check_escaped(p, &PASSWORD)) {
                    return Err("bad password");
                }
                (Some(user), password, &rest[at + 1..])
            }
            None => (None, None, rest),
        };
        // hostport ends at the first ';' or '?'.
        let hb = hostpart.as_bytes();
        let hp_end = hb
            .iter()
            .position(|&c| c == b';' || c == b'?')
            .unwrap_or(hb.len());
        let (host, port) = parse_hostport(&hostpart[..hp_end])?;
        let after = &hostpart[hp_end..];
        let (param_str, headers) = match super::scan::find_byte(after.as_bytes(), b'?') {
            Some(q) => (&after[..q], Some(&after[q + 1..])),
            None => (after, None),
        };
        let params = Params::new(param_str);
        let mut chars_ok = true;
        params.check_each(|p| {
            chars_ok &=
                check_escaped(p.name, &PARAM) && p.value.is_none_or(|v| check_escaped(v, &PARAM));
        })?;
        if !chars_ok {
            return Err("bad URI parameter");
        }
        if let Some(h) = headers {
            if h.is_empty() || !check_escaped(h, &HEADERS) {
                return Err("bad URI headers");
            }
        }
        Ok(SipUri {
            secure,
            user,
            password,
            host,
            port,
            params,
            headers,
            raw,
        })
    }

    /// The user part with escapes decoded (RFC 3261 §19.1.2); it may hold
    /// any octet, including NUL (RFC 4475 §3.1.1.4).
    pub fn user_decoded(&self) -> Option<Cow<'a, [u8]>> {
        self.user.map(percent_decode)
    }

    /// The `transport` URI parameter.
    pub fn transport(&self) -> Option<&'a str> {
        self.params.value("transport")
    }

    /// Whether the URI carries `;lr` (RFC 3261 §16.12.1.1 loose routing).
    pub fn lr(&self) -> bool {
        self.params.has("lr")
    }

    /// The URI as written.
    pub fn as_str(&self) -> &'a str {
        self.raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolon_in_user_part() {
        let u = Uri::parse("sip:user;par=u%40example.net@example.com").unwrap();
        let s = u.as_sip().unwrap();
        assert_eq!(s.user, Some("user;par=u%40example.net"));
        assert_eq!(s.host, Host::Domain("example.com"));
        assert!(s.params.is_empty());
    }

    #[test]
    fn other_schemes_are_opaque() {
        let u = Uri::parse("soap.beep://192.0.2.103:3002").unwrap();
        assert!(matches!(
            u,
            Uri::Other(AbsoluteUri {
                scheme: "soap.beep",
                ..
            })
        ));
        assert!(Uri::parse("<sip:a@b>").is_err());
        assert!(Uri::parse("sip:a@b c").is_err());
    }

    #[test]
    fn tel_uri() {
        let u = Uri::parse("tel:+1-201-555-0123;phone-context=example.com").unwrap();
        match u {
            Uri::Tel(t) => {
                assert_eq!(t.number, "+1-201-555-0123");
                assert_eq!(t.params.value("phone-context"), Some("example.com"));
            }
            _ => panic!("not tel"),
        }
    }

    /// The word reading of a port against the byte loop, on every
    /// number of digits and what follows them, at the end of the value
    /// and before more text.
    #[test]
    fn ports_by_word_and_by_byte_agree() {
        let mut cases: Vec<String> = Vec::new();
        for digits in [
            "", "0", "7", "00", "99", "5060", "65535", "65536", "99999", "00001", "123456",
        ] {
            for after in [
                "",
                ";",
                ">",
                ":",
                "a",
                "/",
                "\u{e9}",
                "12345678",
                ";transport=udp>",
                "\x7f",
            ] {
                cases.push(format!("{digits}{after}"));
                cases.push(format!("x{digits}{after}"));
            }
        }
        for n in 0..100_000u32 {
            cases.push(format!("{n};x={n}"));
        }
        for s in &cases {
            let b = s.as_bytes();
            for at in 0..=b.len() {
                assert_eq!(port_at(b, at), port_at_bytes(b, at), "{s:?} {at}");
            }
        }
        for w in [0u64, u64::MAX, 0x3030_3030_3030_3030, 0x3939_3939_3939_3939] {
            let (n, _) = digits8(w);
            assert!(n <= 8);
        }
    }

    /// The word reading of a port against the byte loop with every byte
    /// value in every position of the eight bytes it reads, for ports of
    /// one to six digits.
    #[test]
    fn ports_by_word_and_by_byte_agree_on_every_byte() {
        for base in [
            "5;x=1234", "50;x=123", "506;x=12", "5060;x=1", "50600;x=", "506000;x",
        ] {
            let w: [u8; 8] = base.as_bytes().try_into().unwrap();
            for at in 0..8 {
                for c in 0..=255u8 {
                    let mut v = w;
                    v[at] = c;
                    assert_eq!(port_at(&v, 0), port_at_bytes(&v, 0), "{base:?} {at} {c}");
                }
            }
        }
    }

    /// The IPv4 reading of sixteen bytes at once against the byte loop:
    /// every byte value in every position of addresses of every length,
    /// and what follows them.
    #[test]
    fn ipv4_by_window_and_by_byte_agree() {
        for base in [
            "192.0.2.101:5060;x",
            "1.2.3.4;branch=z9hG",
            "255.255.255.255:65535",
            "10.0.0.1>abcdefghijkl",
            "256.1.2.3.4.5.6.7.8",
            "01.002.3.4444.5.6.7.8",
            "1.22.333.4444555666",
            "9.9.9.9.9.9.9.9.9.9",
        ] {
            let base = base.as_bytes();
            let w: [u8; 16] = base[..16].try_into().unwrap();
            assert_eq!(ipv4_16(&w), ipv4_at_bytes(&w, 0));
            for at in 0..16 {
                for c in 0..=255u8 {
                    let mut v = w;
                    v[at] = c;
                    assert_eq!(ipv4_16(&v), ipv4_at_bytes(&v, 0), "{base:?} {at} {c}");
                    assert_eq!(ipv4_at(&v, 0), ipv4_at_bytes(&v, 0), "{base:?} {at} {c}");
                }
            }
        }
        assert_eq!(
            ipv4_at(b"x192.0.2.101:5060;rport", 1),
            Some((Ipv4Addr::new(192, 0, 2, 101), 12))
        );
        assert_eq!(ipv4_at(b"1.2.3.4", 0), Some((Ipv4Addr::new(1, 2, 3, 4), 7)));
    }

    /// The one-step `user@domain` of [`user_at_domain16`] against the
    /// general scan ([`user_hostport`]): every byte value in every
    /// position of typical URIs (after the scheme), with user parts and
    /// hosts that end within the first sixteen bytes and past them.
    #[test]
    fn user_at_domain_agrees_with_the_general_scan_on_every_byte() {
        let mut fast = 0;
        for base in [
            "alice@atlanta.example.com>;tag=1",
            "bob@biloxi.example.com",
            "a@b.c:5061;lr>",
            "alice@192.0.2.101:5060>",
            "0123456789abcd@x.y>",
            "0123456789abcde@x.y>",
            "user.name-1_x@h:65535",
            "carol@chicago.example.com:5060;transport=tcp",
        ] {
            let base = base.as_bytes();
            for at in 0..base.len() {
                for c in 0..=255u8 {
                    let mut v = base.to_vec();
                    v[at] = c;
                    for n in [v.len(), v.len().min(16), v.len().min(20)] {
                        let v = &v[..n];
                        if let Some(f) = user_at_domain16(v, 0) {
                            fast += 1;
                            assert_eq!(Some(f), user_hostport(v, 0), "{v:?}");
                        }
                    }
                }
            }
        }
        assert!(fast > 10_000, "{fast}");
        // The shapes of the benchmark messages take it.
        for u in [
            &b"alice@atlanta.example.com>"[..],
            b"bob@biloxi.example.com",
        ] {
            assert!(user_at_domain16(u, 0).is_some(), "{u:?}");
        }
    }

    /// The scan from the bits of the bytes that are not hostname
    /// characters ([`SipUriAt::scan_masked`]) against the general scan:
    /// every byte value in every position of a few name-addr URIs.
    #[test]
    fn masked_scan_agrees_with_the_scan_on_every_byte() {
        let mut taken = 0;
        for base in [
            "A <sip:alice@atlanta.example.com>;tag=1",
            "<sip:bob@biloxi.example.com>",
            "<sip:a@b.c>;x",
            "<sip:alice@192.0.2.101:5060>",
            "xy <SIP:0123456789abcdefghij@x.y>",
        ] {
            let base = base.as_bytes();
            let at = base.iter().position(|&c| c == b'<').unwrap() + 1;
            for i in 0..base.len() {
                for c in 0..=255u8 {
                    let mut v = base.to_vec();
                    v[i] = c;
                    let Some(m) = class::host_outside64(&v) else {
                        continue;
                    };
                    if let Some(s) = SipUriAt::scan_masked(&v, at, m & u64::MAX << at) {
                        taken += 1;
                        assert_eq!(Some(s), SipUriAt::scan(&v, at), "{v:?}");
                        assert_eq!(v.get(s.end), Some(&b'>'));
                    }
                }
            }
        }
        assert!(taken > 5_000, "{taken}");
    }

    #[test]
    fn bad_escapes_and_ports() {
        assert!(Uri::parse("sip:a%4@b").is_err());
        assert!(Uri::parse("sip:a@b:70000").is_err());
        assert!(Uri::parse("sip:a@[::1").is_err());
        assert_eq!(
            Uri::parse("sip:[::1]:5060").unwrap().as_sip().unwrap().port,
            Some(5060)
        );
    }
}
