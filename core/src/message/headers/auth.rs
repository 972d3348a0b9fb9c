//! Authentication headers: WWW-Authenticate, Proxy-Authenticate,
//! Authorization and Proxy-Authorization (RFC 3261 §20.7, §20.27, §20.28,
//! §20.44; digest parameters of RFC 7616 §3.3–§3.4 and RFC 8760).

use super::super::class::{self, eq_lower, span};
use super::super::error::HeaderErrorKind as E;
use super::super::name::HeaderName;
use super::super::scan::{is_token, is_ws, quoted_end, trim, unquote, CommaSplit, TOKEN};
use super::Typed;

/// A challenge or credentials: `Digest realm="x", nonce="y", ...`.
///
/// One header holds one challenge; the parameters are split at commas
/// outside quotes.
///
/// # Examples
///
/// ```
/// use geosip_core::message::{parse, headers::WwwAuthenticate};
///
/// let m = parse(b"SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"atlanta.com\", \
/// qop=\"auth,auth-int\", nonce=\"84a4cc6f\", algorithm=SHA-256, stale=TRUE\r\n\r\n").unwrap();
/// let ch = m.typed::<WwwAuthenticate>().unwrap();
/// assert!(ch.is_digest());
/// assert_eq!(ch.realm(), Some("atlanta.com"));
/// assert_eq!(ch.algorithm(), Some("SHA-256"));
/// assert!(ch.stale());
/// assert!(ch.qop_options().any(|q| q == "auth"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthValue<'a> {
    /// The scheme, normally `Digest`.
    pub scheme: &'a str,
    /// The raw parameter list.
    pub params: &'a str,
    /// The digest parameters, unquoted, found in the one pass that checks
    /// the list (indexed by [`KNOWN`]).
    known: [Option<&'a str>; KNOWN.len()],
}

/// The digest parameters of RFC 7616 §3.3 and §3.4 that get a slot.
const KNOWN: [&str; 14] = [
    "realm",
    "nonce",
    "opaque",
    "algorithm",
    "domain",
    "stale",
    "qop",
    "charset",
    "userhash",
    "username",
    "uri",
    "response",
    "cnonce",
    "nc",
];

/// The slot of a known parameter: one candidate by length and first byte
/// (last byte for the two of eight letters starting with `u`), then one
/// comparison against a constant, a word or two.
#[inline(always)]
fn known_index(name: &[u8]) -> Option<usize> {
    let i = match (name.len(), name.first()? | 0x20) {
        (5, b'r') if eq_lower(name, b"realm") => 0,
        (5, b'n') if eq_lower(name, b"nonce") => 1,
        (6, b'o') if eq_lower(name, b"opaque") => 2,
        (9, b'a') if eq_lower(name, b"algorithm") => 3,
        (6, b'd') if eq_lower(name, b"domain") => 4,
        (5, b's') if eq_lower(name, b"stale") => 5,
        (3, b'q') if eq_lower(name, b"qop") => 6,
        (7, b'c') if eq_lower(name, b"charset") => 7,
        (8, b'u') if name[7] | 0x20 == b'h' => return eq_lower(name, b"userhash").then_some(8),
        (8, b'u') if eq_lower(name, b"username") => 9,
        (3, b'u') if eq_lower(name, b"uri") => 10,
        (8, b'r') if eq_lower(name, b"response") => 11,
        (6, b'c') if eq_lower(name, b"cnonce") => 12,
        (2, b'n') if eq_lower(name, b"nc") => 13,
        _ => return None,
    };
    Some(i)
}

impl<'a> AuthValue<'a> {
    /// Whether the scheme is Digest (case-insensitive).
    pub fn is_digest(&self) -> bool {
        self.scheme.eq_ignore_ascii_case("Digest")
    }

    /// Every `name=value` pair, values unquoted.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        CommaSplit::new(self.params).filter_map(|p| {
            let (n, v) = p.split_once('=')?;
            Some((trim(n), unquote(trim(v))))
        })
    }

    /// A parameter by name (case-insensitive), unquoted.
    pub fn param(&self, name: &str) -> Option<&'a str> {
        match known_index(name.as_bytes()) {
            Some(i) => self.known[i],
            None => self
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v),
        }
    }

    /// `realm`.
    pub fn realm(&self) -> Option<&'a str> {
        self.known[0]
    }
    /// `nonce`.
    pub fn nonce(&self) -> Option<&'a str> {
        self.known[1]
    }
    /// `opaque`.
    pub fn opaque(&self) -> Option<&'a str> {
        self.known[2]
    }
    /// `algorithm` (MD5 when absent, RFC 7616 §3.3).
    pub fn algorithm(&self) -> Option<&'a str> {
        self.known[3]
    }
    /// `domain`.
    pub fn domain(&self) -> Option<&'a str> {
        self.known[4]
    }
    /// `stale=true` (case-insensitive): the nonce expired but the
    /// credentials were right (RFC 7616 §3.3).
    pub fn stale(&self) -> bool {
        self.known[5].is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
    /// `qop` as written: a quoted list in a challenge, one token in
    /// credentials.
    pub fn qop(&self) -> Option<&'a str> {
        self.known[6]
    }
    /// The qop options of a challenge, one by one.
    pub fn qop_options(&self) -> impl Iterator<Item = &'a str> {
        self.qop()
            .into_iter()
            .flat_map(|q| q.split(',').map(trim).filter(|s| !s.is_empty()))
    }
    /// `charset` (RFC 7616 §3.3).
    pub fn charset(&self) -> Option<&'a str> {
        self.known[7]
    }
    /// `userhash` (RFC 7616 §3.3).
    pub fn userhash(&self) -> bool {
        self.known[8].is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
    /// `username` (credentials).
    pub fn username(&self) -> Option<&'a str> {
        self.known[9]
    }
    /// `uri` (credentials).
    pub fn uri(&self) -> Option<&'a str> {
        self.known[10]
    }
    /// `response` (credentials).
    pub fn response(&self) -> Option<&'a str> {
        self.known[11]
    }
    /// `cnonce` (credentials).
    pub fn cnonce(&self) -> Option<&'a str> {
        self.known[12]
    }
    /// `nc` as a number (credentials; 8 hex digits).
    pub fn nc(&self) -> Option<u32> {
        self.known[13]
            .filter(|v| v.len() == 8)
            .and_then(|v| u32::from_str_radix(v, 16).ok())
    }

    /// An auth value from its scheme and raw parameter list, without
    /// checking the grammar (parameters that do not parse are skipped).
    ///
    /// ```
    /// use geosip_core::message::headers::AuthValue;
    /// let ch = AuthValue::new("Digest", r#"realm="r", nonce="n", stale=TRUE"#);
    /// assert_eq!(ch.nonce(), Some("n"));
    /// assert!(ch.stale());
    /// ```
    pub fn new(scheme: &'a str, params: &'a str) -> Self {
        let mut known = [None; KNOWN.len()];
        for p in CommaSplit::new(params) {
            if let Some((n, v)) = p.split_once('=') {
                if let Some(i) = known_index(trim(n).as_bytes()) {
                    known[i] = known[i].or(Some(unquote(trim(v))));
                }
            }
        }
        AuthValue {
            scheme,
            params,
            known,
        }
    }

    /// Parses a header value: the scheme, then the parameters, checked
    /// against RFC 3261 §25.1 for Digest.
    pub fn parse(value: &'a str) -> Result<Self, E> {
        if let Some(a) = Self::parse_simple(value) {
            debug_assert_eq!(Self::parse_reference(value), Ok(a));
            return Ok(a);
        }
        Self::parse_reference(value)
    }

    /// The common case in one pass: `Digest`, SPs, then `name=token` or
    /// `name="text"` (no escapes) separated by `,` and SPs (RFC 3261
    /// §25.1 `challenge` / `credentials`, RFC 7616 §3.3–§3.4). `None` for
    /// anything else, which the full parse handles; when `Some`, the
    /// result is the full parse's.
    #[inline]
    pub(crate) fn parse_simple(value: &'a str) -> Option<Self> {
        let b = value.as_bytes();
        // "Digest" in any case (OR-ing 0x20 into the letters is an exact
        // fold), then an SP: one word.
        let w = class::word8(b, 0)? & 0x00FF_FFFF_FFFF_FFFF | 0x0000_2020_2020_2020;
        if w != u64::from_le_bytes(*b"digest \0") {
            return None;
        }
        let mut i = 7;
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        let params_at = i;
        let mut known = [None; KNOWN.len()];
        loop {
            let ns = i;
            i = span(b, i, class::TOKEN);
            if i == ns || b.get(i) != Some(&b'=') {
                return None;
            }
            let ne = i;
            i += 1;
            let (vs, ve) = if b.get(i) == Some(&b'"') {
                let end = class::plain_quoted_end(b, i)?;
                let v = (i + 1, end - 1);
                i = end;
                v
            } else {
                let vs = i;
                i = span(b, i, class::TOKEN);
                if i == vs {
                    return None;
                }
                (vs, i)
            };
            if let Some(k) = known_index(&b[ns..ne]) {
                if known[k].is_none() {
                    known[k] = Some(class::sub(value, vs, ve)?);
                }
            }
            match b.get(i) {
                None => break,
                Some(b',') => {
                    i += 1;
                    while b.get(i) == Some(&b' ') {
                        i += 1;
                    }
                }
                Some(_) => return None,
            }
        }
        Some(AuthValue {
            scheme: class::sub(value, 0, 6)?,
            params: class::sub(value, params_at, value.len())?,
            known,
        })
    }

    /// Every form, one step at a time.
    pub(crate) fn parse_reference(value: &'a str) -> Result<Self, E> {
        let v = trim(value);
        if v.is_empty() {
            return Err(E::Empty);
        }
        let (scheme, params) = match v.find(|c: char| c.is_ascii_whitespace()) {
            Some(i) => (&v[..i], trim(&v[i..])),
            None => (v, ""),
        };
        if !is_token(scheme) {
            return Err(E::Syntax("auth scheme is not a token"));
        }
        // RFC 3261 §25.1 auth-param = token EQUAL ( token / quoted-string ).
        // Unknown schemes may carry other forms (RFC 4475 §3.3.7), which
        // are kept but not checked.
        if !scheme.eq_ignore_ascii_case("Digest") {
            return Ok(AuthValue::new(scheme, params));
        }
        // One pass over the bytes: name, '=', token or quoted-string, ','.
        let mut known = [None; KNOWN.len()];
        let b = params.as_bytes();
        let len = b.len();
        let skip_ws = |i: &mut usize| {
            while *i < len && is_ws(b[*i]) {
                *i += 1;
            }
        };
        let mut i = 0;
        while i < len {
            let ns = i;
            while i < len && TOKEN[b[i] as usize] {
                i += 1;
            }
            if i == ns {
                return Err(E::Syntax("malformed auth-param"));
            }
            let name = &params[ns..i];
            skip_ws(&mut i);
            if b.get(i) != Some(&b'=') {
                return Err(E::Syntax("auth-param without '='"));
            }
            i += 1;
            skip_ws(&mut i);
            let vs = i;
            let value = if b.get(i) == Some(&b'"') {
                i += quoted_end(&b[i..]).ok_or(E::Syntax("malformed auth-param"))?;
                &params[vs + 1..i - 1]
            } else {
                while i < len && TOKEN[b[i] as usize] {
                    i += 1;
                }
                if i == vs {
                    return Err(E::Syntax("malformed auth-param"));
                }
                &params[vs..i]
            };
            if let Some(k) = known_index(name.as_bytes()) {
                known[k] = known[k].or(Some(value));
            }
            skip_ws(&mut i);
            match b.get(i) {
                None => break,
                Some(b',') => {
                    i += 1;
                    skip_ws(&mut i);
                    if i == len {
                        return Err(E::Syntax("malformed auth-param"));
                    }
                }
                Some(_) => return Err(E::Syntax("malformed auth-param")),
            }
        }
        Ok(AuthValue {
            scheme,
            params,
            known,
        })
    }
}

macro_rules! auth_header {
    ($ty:ident, $name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $ty<'a>(pub AuthValue<'a>);

        impl<'a> std::ops::Deref for $ty<'a> {
            type Target = AuthValue<'a>;
            fn deref(&self) -> &AuthValue<'a> {
                &self.0
            }
        }

        impl<'a> Typed<'a> for $ty<'a> {
            const NAME: HeaderName = HeaderName::$name;
            fn parse(value: &'a str) -> Result<Self, E> {
                AuthValue::parse(value).map($ty)
            }
        }
    };
}

auth_header!(
    WwwAuthenticate,
    WwwAuthenticate,
    "A WWW-Authenticate challenge (RFC 3261 §20.44)."
);
auth_header!(
    ProxyAuthenticate,
    ProxyAuthenticate,
    "A Proxy-Authenticate challenge (RFC 3261 §20.27)."
);
auth_header!(
    Authorization,
    Authorization,
    "Authorization credentials (RFC 3261 §20.7)."
);
auth_header!(
    ProxyAuthorization,
    ProxyAuthorization,
    "Proxy-Authorization credentials (RFC 3261 §20.28)."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_index_finds_every_known_name_and_nothing_else() {
        for (i, k) in KNOWN.iter().enumerate() {
            assert_eq!(known_index(k.as_bytes()), Some(i));
            assert_eq!(known_index(k.to_ascii_uppercase().as_bytes()), Some(i));
            assert_eq!(known_index(format!("{k}x").as_bytes()), None);
            assert_eq!(
                known_index(&k.as_bytes()[1..]),
                KNOWN.iter().position(|o| *o == &k[1..])
            );
        }
        for other in ["", "x", "realn", "usernamf", "userhasx", "qo", "cnoncf"] {
            assert_eq!(known_index(other.as_bytes()), None, "{other}");
        }
    }
}
