//! The server side of digest: challenges to send and credentials to check
//! (RFC 7616 §3.3 and §3.4, RFC 3261 §22.4), for a registrar such as the
//! test simulator's.
//!
//! Nonce issuing, lifetime and replay (nc) tracking are the registrar's:
//! [`verify`] only checks that the `response` matches the password and the
//! parameters in the header.

use std::fmt;

use crate::message::headers::AuthValue;

use super::algorithm::{DigestAlgorithm, Qop};
use super::digest::{finish, ha1_base, ha2, push_quoted, session_ha1, unescape, userhash};

/// Why credentials failed to verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The scheme is not Digest.
    #[error("authorization scheme is not Digest")]
    NotDigest,
    /// A required parameter is absent.
    #[error("missing `{0}` parameter")]
    Missing(&'static str),
    /// The algorithm is not one this crate implements.
    #[error("unsupported algorithm `{0}`")]
    UnsupportedAlgorithm(String),
    /// The qop is neither `auth` nor `auth-int`.
    #[error("unsupported qop `{0}`")]
    UnsupportedQop(String),
    /// `nc` is not 8 hex digits.
    #[error("malformed nonce count")]
    BadNonceCount,
    /// `userhash=true` needs the real user name: use [`verify_for_user`].
    #[error("userhash credentials need the user name to verify")]
    UserhashNeedsUsername,
    /// The `username` is not the expected user.
    #[error("user name does not match")]
    WrongUser,
    /// The response does not match: wrong password (or altered request).
    #[error("digest response does not match")]
    ResponseMismatch,
}

/// Checks Authorization or Proxy-Authorization credentials against a
/// password, using the user name, realm, nonce, uri, algorithm, qop, nc and
/// cnonce in the header (RFC 7616 §3.4.1).
///
/// The caller still checks that the realm and nonce are ones it issued and
/// that `uri` matches the Request-URI (RFC 7616 §3.4.6).
///
/// # Examples
///
/// ```
/// use geosip_core::auth::{verify, Credentials, DigestClient, VerifyError};
/// use geosip_core::message::headers::AuthValue;
///
/// let ch = AuthValue::new("Digest", r#"realm="r", nonce="n", algorithm=SHA-512-256, qop="auth""#);
/// let out = DigestClient::new()
///     .respond([ch], false, &Credentials::new("bob", "pw"), "REGISTER", "sip:r", b"", "cn")
///     .unwrap();
/// let (scheme, params) = out.value.split_once(' ').unwrap();
/// let auth = AuthValue::new(scheme, params);
/// assert_eq!(verify(&auth, "pw", "REGISTER", b""), Ok(()));
/// assert_eq!(verify(&auth, "nope", "REGISTER", b""), Err(VerifyError::ResponseMismatch));
/// ```
pub fn verify(
    authorization: &AuthValue<'_>,
    password: &str,
    method: &str,
    body: &[u8],
) -> Result<(), VerifyError> {
    if !authorization.is_digest() {
        return Err(VerifyError::NotDigest);
    }
    if authorization.userhash() {
        return Err(VerifyError::UserhashNeedsUsername);
    }
    let username = authorization
        .username()
        .ok_or(VerifyError::Missing("username"))?;
    check(authorization, &unescape(username), password, method, body)
}

/// Like [`verify`] for a known user: the header's `username` must be that
/// user, or `H(username:realm)` with `userhash=true` (RFC 7616 §3.4.4).
///
/// # Examples
///
/// ```
/// use geosip_core::auth::{verify_for_user, Credentials, DigestClient, VerifyError};
/// use geosip_core::message::headers::AuthValue;
///
/// let ch = AuthValue::new("Digest", r#"realm="r", nonce="n", qop="auth", userhash=true"#);
/// let out = DigestClient::new()
///     .respond([ch], false, &Credentials::new("bob", "pw"), "REGISTER", "sip:r", b"", "cn")
///     .unwrap();
/// let (scheme, params) = out.value.split_once(' ').unwrap();
/// let auth = AuthValue::new(scheme, params);
/// assert_eq!(verify_for_user(&auth, "bob", "pw", "REGISTER", b""), Ok(()));
/// assert_eq!(verify_for_user(&auth, "eve", "pw", "REGISTER", b""), Err(VerifyError::WrongUser));
/// ```
pub fn verify_for_user(
    authorization: &AuthValue<'_>,
    username: &str,
    password: &str,
    method: &str,
    body: &[u8],
) -> Result<(), VerifyError> {
    if !authorization.is_digest() {
        return Err(VerifyError::NotDigest);
    }
    let sent = authorization
        .username()
        .ok_or(VerifyError::Missing("username"))?;
    let matches = if authorization.userhash() {
        let algorithm = algorithm_of(authorization)?;
        let realm = authorization.realm().ok_or(VerifyError::Missing("realm"))?;
        equal_hex(sent, &userhash(algorithm, username, &unescape(realm)))
    } else {
        unescape(sent) == username
    };
    if !matches {
        return Err(VerifyError::WrongUser);
    }
    check(authorization, username, password, method, body)
}

fn algorithm_of(authorization: &AuthValue<'_>) -> Result<DigestAlgorithm, VerifyError> {
    DigestAlgorithm::from_param(authorization.algorithm()).ok_or_else(|| {
        VerifyError::UnsupportedAlgorithm(authorization.algorithm().unwrap_or("").to_owned())
    })
}

fn check(
    authorization: &AuthValue<'_>,
    username: &str,
    password: &str,
    method: &str,
    body: &[u8],
) -> Result<(), VerifyError> {
    let algorithm = algorithm_of(authorization)?;
    let realm = authorization.realm().ok_or(VerifyError::Missing("realm"))?;
    let nonce = authorization.nonce().ok_or(VerifyError::Missing("nonce"))?;
    let uri = authorization.uri().ok_or(VerifyError::Missing("uri"))?;
    let response = authorization
        .response()
        .ok_or(VerifyError::Missing("response"))?;
    let qop = match authorization.qop() {
        None => None,
        Some(q) => {
            Some(Qop::from_token(q).ok_or_else(|| VerifyError::UnsupportedQop(q.to_owned()))?)
        }
    };
    let (nc, cnonce) = match qop {
        Some(_) => {
            let cnonce = authorization
                .cnonce()
                .ok_or(VerifyError::Missing("cnonce"))?;
            authorization
                .param("nc")
                .ok_or(VerifyError::Missing("nc"))?;
            (
                authorization.nc().ok_or(VerifyError::BadNonceCount)?,
                cnonce,
            )
        }
        None => (0, authorization.cnonce().unwrap_or("")),
    };
    if algorithm.is_session() && authorization.cnonce().is_none() {
        return Err(VerifyError::Missing("cnonce"));
    }

    // Header values keep their backslash escapes; hash the values (unq()).
    let (realm, nonce, uri, cnonce) = (
        unescape(realm),
        unescape(nonce),
        unescape(uri),
        unescape(cnonce),
    );
    let base = ha1_base(algorithm, username, &realm, password);
    let ha1 = session_ha1(algorithm, &base, &nonce, &cnonce);
    let ha2 = ha2(algorithm, qop, method, &uri, body);
    let expected = finish(algorithm, &ha1, &ha2, &nonce, &cnonce, nc, qop);
    if equal_hex(response, &expected) {
        Ok(())
    } else {
        Err(VerifyError::ResponseMismatch)
    }
}

/// Compares hex digests case-insensitively in time that does not depend
/// on where they differ.
fn equal_hex(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x.to_ascii_lowercase() ^ y))
            == 0
}

/// A WWW-Authenticate or Proxy-Authenticate challenge value
/// (RFC 7616 §3.3). `Display` writes it.
///
/// # Examples
///
/// ```
/// use geosip_core::auth::{Challenge, DigestAlgorithm, Qop};
///
/// let c = Challenge {
///     realm: "example.com",
///     nonce: "abc",
///     opaque: Some("xyz"),
///     algorithm: DigestAlgorithm::Sha256,
///     qop: &[Qop::Auth],
///     stale: true,
///     userhash: false,
/// };
/// assert_eq!(
///     c.to_string(),
///     r#"Digest realm="example.com", nonce="abc", opaque="xyz", algorithm=SHA-256, qop="auth", stale=true"#
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Challenge<'a> {
    /// The realm.
    pub realm: &'a str,
    /// A fresh nonce.
    pub nonce: &'a str,
    /// An opaque value the client echoes.
    pub opaque: Option<&'a str>,
    /// The algorithm.
    pub algorithm: DigestAlgorithm,
    /// The qop values offered; empty for the RFC 2617 form.
    pub qop: &'a [Qop],
    /// Whether the previous nonce expired but the credentials were right.
    pub stale: bool,
    /// Whether the client should hash its user name.
    pub userhash: bool,
}

impl fmt::Display for Challenge<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut v = String::with_capacity(128);
        v.push_str("Digest realm=");
        push_quoted(&mut v, self.realm);
        v.push_str(", nonce=");
        push_quoted(&mut v, self.nonce);
        if let Some(opaque) = self.opaque {
            v.push_str(", opaque=");
            push_quoted(&mut v, opaque);
        }
        v.push_str(", algorithm=");
        v.push_str(self.algorithm.as_str());
        if !self.qop.is_empty() {
            v.push_str(", qop=\"");
            for (i, q) in self.qop.iter().enumerate() {
                if i > 0 {
                    v.push(',');
                }
                v.push_str(q.as_str());
            }
            v.push('"');
        }
        if self.stale {
            v.push_str(", stale=true");
        }
        if self.userhash {
            v.push_str(", userhash=true");
        }
        f.write_str(&v)
    }
}

/// A challenge header value: the short form of [`Challenge`] without
/// opaque or userhash.
///
/// # Examples
///
/// ```
/// use geosip_core::auth::{challenge, DigestAlgorithm, Qop};
///
/// assert_eq!(
///     challenge("r", "n", DigestAlgorithm::Md5, false, &[Qop::Auth]),
///     r#"Digest realm="r", nonce="n", algorithm=MD5, qop="auth""#
/// );
/// ```
pub fn challenge(
    realm: &str,
    nonce: &str,
    algorithm: DigestAlgorithm,
    stale: bool,
    qop: &[Qop],
) -> String {
    Challenge {
        realm,
        nonce,
        opaque: None,
        algorithm,
        qop,
        stale,
        userhash: false,
    }
    .to_string()
}
