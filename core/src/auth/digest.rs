//! The digest computation itself: `response` and `userhash`
//! (RFC 7616 §3.4.1–§3.4.4, RFC 2617 §3.2.2 for the form without qop).
//!
//! ```text
//! A1       = unq(username) ":" unq(realm) ":" passwd
//! A1-sess  = H(unq(username) ":" unq(realm) ":" passwd) ":" unq(nonce) ":" unq(cnonce)
//! A2       = Method ":" request-uri                    (qop=auth or absent)
//! A2       = Method ":" request-uri ":" H(entity-body) (qop=auth-int)
//! response = KD(H(A1), unq(nonce) ":" nc ":" unq(cnonce) ":" unq(qop) ":" H(A2))
//! response = KD(H(A1), unq(nonce) ":" H(A2))           (RFC 2617, no qop)
//! KD(secret, data) = H(secret ":" data)
//! ```
//!
//! Everything here is pure: no clock, no randomness. The cnonce comes from
//! the caller.

use std::borrow::Cow;
use std::fmt;

use super::algorithm::{DigestAlgorithm, Qop};

/// The inputs of one digest response (RFC 7616 §3.4.1).
///
/// Every string is the value itself, `unq()` of the quoted form: without
/// the quotes and without backslash escapes.
/// `nc` is written as 8 lowercase hex digits. `cnonce` and `nc` are unused
/// without qop unless the algorithm is a `-sess` one (whose A1 needs the
/// cnonce).
///
/// `Debug` never shows the password.
///
/// # Examples
///
/// The RFC 2617 §3.5 example:
///
/// ```
/// use geosip_core::auth::{DigestAlgorithm, DigestInput, Qop};
///
/// let input = DigestInput {
///     algorithm: DigestAlgorithm::Md5,
///     username: "Mufasa",
///     realm: "testrealm@host.com",
///     password: "Circle Of Life",
///     nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
///     cnonce: "0a4f113b",
///     nc: 1,
///     qop: Some(Qop::Auth),
///     method: "GET",
///     uri: "/dir/index.html",
///     body: b"",
/// };
/// assert_eq!(input.response(), "6629fae49393a05397450978507c4ef1");
/// assert!(!format!("{input:?}").contains("Circle"));
/// ```
#[derive(Clone, Copy)]
pub struct DigestInput<'a> {
    /// The algorithm.
    pub algorithm: DigestAlgorithm,
    /// The real user name (also when `userhash` is sent).
    pub username: &'a str,
    /// The realm of the challenge.
    pub realm: &'a str,
    /// The password.
    pub password: &'a str,
    /// The server nonce.
    pub nonce: &'a str,
    /// The client nonce.
    pub cnonce: &'a str,
    /// The nonce count, 1 for the first use of a nonce.
    pub nc: u32,
    /// The qop chosen, `None` for the RFC 2617 legacy form.
    pub qop: Option<Qop>,
    /// The request method, e.g. `REGISTER`.
    pub method: &'a str,
    /// The digest-uri, normally the Request-URI.
    pub uri: &'a str,
    /// The body, hashed for `auth-int` only.
    pub body: &'a [u8],
}

impl DigestInput<'_> {
    /// The `response` value, lowercase hex.
    pub fn response(&self) -> String {
        compute_response(self)
    }
}

impl fmt::Debug for DigestInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestInput")
            .field("algorithm", &self.algorithm)
            .field("username", &self.username)
            .field("realm", &self.realm)
            .field("password", &"***")
            .field("nonce", &self.nonce)
            .field("cnonce", &self.cnonce)
            .field("nc", &self.nc)
            .field("qop", &self.qop)
            .field("method", &self.method)
            .field("uri", &self.uri)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Computes the `response` parameter (RFC 7616 §3.4.1; RFC 2617 §3.2.2.1
/// when `qop` is `None`).
///
/// # Examples
///
/// ```
/// use geosip_core::auth::{compute_response, DigestAlgorithm, DigestInput, Qop};
///
/// let r = compute_response(&DigestInput {
///     algorithm: DigestAlgorithm::Sha256,
///     username: "alice",
///     realm: "atlanta.example.com",
///     password: "secret",
///     nonce: "n1",
///     cnonce: "c1",
///     nc: 1,
///     qop: Some(Qop::Auth),
///     method: "REGISTER",
///     uri: "sip:atlanta.example.com",
///     body: b"",
/// });
/// assert_eq!(r.len(), 64);
/// ```
pub fn compute_response(input: &DigestInput<'_>) -> String {
    let alg = input.algorithm;
    let base = ha1_base(alg, input.username, input.realm, input.password);
    let ha1 = session_ha1(alg, &base, input.nonce, input.cnonce);
    let ha2 = ha2(alg, input.qop, input.method, input.uri, input.body);
    finish(
        alg,
        &ha1,
        &ha2,
        input.nonce,
        input.cnonce,
        input.nc,
        input.qop,
    )
}

/// The `username` value sent when the server asks for `userhash=true`:
/// `H(unq(username) ":" unq(realm))` (RFC 7616 §3.4.4).
///
/// # Examples
///
/// ```
/// use geosip_core::auth::{userhash, DigestAlgorithm};
///
/// // The inputs of RFC 7616 §3.9.2; the hash printed there does not
/// // match them (other implementations agree), this is SHA-512/256 of
/// // "Jäsøn Doe:api@example.org" in UTF-8.
/// assert_eq!(
///     userhash(DigestAlgorithm::Sha512_256, "J\u{e4}s\u{f8}n Doe", "api@example.org"),
///     "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b"
/// );
/// ```
pub fn userhash(algorithm: DigestAlgorithm, username: &str, realm: &str) -> String {
    algorithm.hash_joined(&[username.as_bytes(), realm.as_bytes()])
}

/// `H(username ":" realm ":" password)`: the A1 hash without the `-sess`
/// part. It is password-equivalent and is kept only in a `Secret`.
pub(crate) fn ha1_base(
    alg: DigestAlgorithm,
    username: &str,
    realm: &str,
    password: &str,
) -> String {
    alg.hash_joined(&[username.as_bytes(), realm.as_bytes(), password.as_bytes()])
}

/// H(A1) from the base hash: for `-sess`, `H(base ":" nonce ":" cnonce)`
/// (RFC 7616 §3.4.2), computed with the cnonce of each request so that a
/// stateless server can check it.
pub(crate) fn session_ha1(alg: DigestAlgorithm, base: &str, nonce: &str, cnonce: &str) -> String {
    if alg.is_session() {
        alg.hash_joined(&[base.as_bytes(), nonce.as_bytes(), cnonce.as_bytes()])
    } else {
        base.to_owned()
    }
}

/// H(A2) (RFC 7616 §3.4.3).
pub(crate) fn ha2(
    alg: DigestAlgorithm,
    qop: Option<Qop>,
    method: &str,
    uri: &str,
    body: &[u8],
) -> String {
    match qop {
        Some(Qop::AuthInt) => {
            let body_hash = alg.hash_hex(body);
            alg.hash_joined(&[method.as_bytes(), uri.as_bytes(), body_hash.as_bytes()])
        }
        Some(Qop::Auth) | None => alg.hash_joined(&[method.as_bytes(), uri.as_bytes()]),
    }
}

/// `KD(H(A1), ...)` (RFC 7616 §3.4.1; RFC 2617 §3.2.2.1 without qop).
pub(crate) fn finish(
    alg: DigestAlgorithm,
    ha1: &str,
    ha2: &str,
    nonce: &str,
    cnonce: &str,
    nc: u32,
    qop: Option<Qop>,
) -> String {
    match qop {
        Some(q) => {
            let nc = format_nc(nc);
            alg.hash_joined(&[
                ha1.as_bytes(),
                nonce.as_bytes(),
                nc.as_bytes(),
                cnonce.as_bytes(),
                q.as_str().as_bytes(),
                ha2.as_bytes(),
            ])
        }
        None => alg.hash_joined(&[ha1.as_bytes(), nonce.as_bytes(), ha2.as_bytes()]),
    }
}

/// `nc` as 8 lowercase hex digits (RFC 7616 §3.4).
pub(crate) fn format_nc(nc: u32) -> String {
    format!("{nc:08x}")
}

/// `unq()`: removes the backslash escapes of a quoted-string's content
/// (RFC 3261 §25.1 quoted-pair). The parser leaves them in place.
pub(crate) fn unescape(s: &str) -> Cow<'_, str> {
    if !s.contains('\\') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Appends `"value"` to `out`, escaping `"` and `\` (RFC 3261 §25.1).
pub(crate) fn push_quoted(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// Appends `"value"` to `out` for a value that is still escaped as it
/// came from a header (so it is echoed byte for byte).
pub(crate) fn push_raw_quoted(out: &mut String, raw: &str) {
    out.push('"');
    out.push_str(raw);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc7616(algorithm: DigestAlgorithm) -> DigestInput<'static> {
        // RFC 7616 §3.9.1.
        DigestInput {
            algorithm,
            username: "Mufasa",
            realm: "http-auth@example.org",
            password: "Circle of Life",
            nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
            nc: 1,
            qop: Some(Qop::Auth),
            method: "GET",
            uri: "/dir/index.html",
            body: b"",
        }
    }

    #[test]
    fn rfc7616_md5_example() {
        assert_eq!(
            rfc7616(DigestAlgorithm::Md5).response(),
            "8ca523f5e9506fed4657c9700eebdbec"
        );
    }

    #[test]
    fn rfc7616_sha256_example() {
        assert_eq!(
            rfc7616(DigestAlgorithm::Sha256).response(),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        );
    }

    #[test]
    fn rfc2617_example() {
        let input = DigestInput {
            algorithm: DigestAlgorithm::Md5,
            username: "Mufasa",
            realm: "testrealm@host.com",
            password: "Circle Of Life",
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            cnonce: "0a4f113b",
            nc: 1,
            qop: Some(Qop::Auth),
            method: "GET",
            uri: "/dir/index.html",
            body: b"",
        };
        assert_eq!(input.response(), "6629fae49393a05397450978507c4ef1");
    }

    #[test]
    fn legacy_form_without_qop_ignores_nc_and_cnonce() {
        let mut a = rfc7616(DigestAlgorithm::Md5);
        a.qop = None;
        let mut b = a;
        b.nc = 7;
        b.cnonce = "other";
        assert_eq!(a.response(), b.response());
        // KD(HA1, nonce:HA2) by hand.
        let ha1 = DigestAlgorithm::Md5.hash_hex(b"Mufasa:http-auth@example.org:Circle of Life");
        let ha2 = DigestAlgorithm::Md5.hash_hex(b"GET:/dir/index.html");
        let expect = DigestAlgorithm::Md5.hash_hex(
            format!("{ha1}:7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v:{ha2}").as_bytes(),
        );
        assert_eq!(a.response(), expect);
    }

    #[test]
    fn session_variant_covers_nonce_and_cnonce() {
        let plain = rfc7616(DigestAlgorithm::Sha256);
        let sess = rfc7616(DigestAlgorithm::Sha256Sess);
        assert_ne!(plain.response(), sess.response());
        let base = DigestAlgorithm::Sha256.hash_hex(b"Mufasa:http-auth@example.org:Circle of Life");
        let ha1 = DigestAlgorithm::Sha256
            .hash_hex(format!("{base}:{}:{}", sess.nonce, sess.cnonce).as_bytes());
        let ha2 = DigestAlgorithm::Sha256.hash_hex(b"GET:/dir/index.html");
        let expect = DigestAlgorithm::Sha256.hash_hex(
            format!("{ha1}:{}:00000001:{}:auth:{ha2}", sess.nonce, sess.cnonce).as_bytes(),
        );
        assert_eq!(sess.response(), expect);
    }

    #[test]
    fn auth_int_hashes_the_body() {
        let mut a = rfc7616(DigestAlgorithm::Md5);
        a.qop = Some(Qop::AuthInt);
        let mut b = a;
        b.body = b"v=0\r\n";
        assert_ne!(a.response(), b.response());
        assert_ne!(a.response(), rfc7616(DigestAlgorithm::Md5).response());
    }

    #[test]
    fn nc_is_eight_lowercase_hex_digits() {
        assert_eq!(format_nc(1), "00000001");
        assert_eq!(format_nc(0xabc), "00000abc");
        assert_eq!(format_nc(u32::MAX), "ffffffff");
    }

    #[test]
    fn quoting_and_unescaping_are_inverse() {
        let mut s = String::new();
        push_quoted(&mut s, r#"a"b\c"#);
        assert_eq!(s, r#""a\"b\\c""#);
        assert_eq!(unescape(&s[1..s.len() - 1]), r#"a"b\c"#);
    }

    #[test]
    fn debug_hides_the_password() {
        let dbg = format!("{:?}", rfc7616(DigestAlgorithm::Md5));
        assert!(!dbg.contains("Circle of Life"), "{dbg}");
    }
}
