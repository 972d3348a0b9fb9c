//! Digest algorithms and quality-of-protection values (RFC 7616 §3.3,
//! RFC 8760 §2, RFC 2617 §3.2.1).
//!
//! The hash `H(data)` is the lowercase hex of the algorithm's digest
//! (RFC 7616 §3.4.1: "the output of H() is a string of lowercase hex
//! digits").

use std::fmt;
use std::str::FromStr;

use md5::Md5;
use sha2::digest::Digest;
use sha2::{Sha256, Sha512_256};

/// A digest algorithm from the RFC 7616 §6.1 registry.
///
/// Parsing is case-insensitive; an absent `algorithm` parameter means
/// [`DigestAlgorithm::Md5`] (RFC 7616 §3.3), see
/// [`DigestAlgorithm::from_param`].
///
/// # Examples
///
/// ```
/// use geosip_core::auth::DigestAlgorithm;
///
/// assert_eq!("sha-256".parse(), Ok(DigestAlgorithm::Sha256));
/// assert_eq!(DigestAlgorithm::from_param(None), Some(DigestAlgorithm::Md5));
/// assert_eq!(DigestAlgorithm::from_param(Some("AKAv1-MD5")), None);
/// assert_eq!(DigestAlgorithm::Sha512_256Sess.to_string(), "SHA-512-256-sess");
/// assert_eq!(DigestAlgorithm::Md5.hash_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    /// `MD5` (RFC 2617; the default when the parameter is absent).
    Md5,
    /// `MD5-sess`.
    Md5Sess,
    /// `SHA-256` (RFC 7616, RFC 8760).
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
    /// `SHA-512-256` (SHA-512/256).
    Sha512_256,
    /// `SHA-512-256-sess`.
    Sha512_256Sess,
}

impl DigestAlgorithm {
    /// Every algorithm, strongest first.
    pub const ALL: [DigestAlgorithm; 6] = [
        DigestAlgorithm::Sha512_256,
        DigestAlgorithm::Sha512_256Sess,
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha256Sess,
        DigestAlgorithm::Md5,
        DigestAlgorithm::Md5Sess,
    ];

    /// The name as registered (RFC 7616 §6.1), e.g. `SHA-256-sess`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DigestAlgorithm::Md5 => "MD5",
            DigestAlgorithm::Md5Sess => "MD5-sess",
            DigestAlgorithm::Sha256 => "SHA-256",
            DigestAlgorithm::Sha256Sess => "SHA-256-sess",
            DigestAlgorithm::Sha512_256 => "SHA-512-256",
            DigestAlgorithm::Sha512_256Sess => "SHA-512-256-sess",
        }
    }

    /// The algorithm named by an `algorithm` parameter: MD5 when the
    /// parameter is absent (RFC 7616 §3.3), `None` when it names an
    /// algorithm this crate does not implement (e.g. `SHA-1`, `AKAv1-MD5`).
    pub fn from_param(param: Option<&str>) -> Option<DigestAlgorithm> {
        match param {
            None => Some(DigestAlgorithm::Md5),
            Some(name) => name.parse().ok(),
        }
    }

    /// Whether this is a `-sess` variant, whose A1 also covers the nonce
    /// and cnonce (RFC 7616 §3.4.2).
    pub const fn is_session(self) -> bool {
        matches!(
            self,
            DigestAlgorithm::Md5Sess
                | DigestAlgorithm::Sha256Sess
                | DigestAlgorithm::Sha512_256Sess
        )
    }

    /// `H(data)`: the digest of `data` in lowercase hex.
    pub fn hash_hex(self, data: &[u8]) -> String {
        self.hash_joined(&[data])
    }

    /// `H(p1 ":" p2 ":" ...)` without building the joined string.
    pub(crate) fn hash_joined(self, parts: &[&[u8]]) -> String {
        match self {
            DigestAlgorithm::Md5 | DigestAlgorithm::Md5Sess => hex::<Md5>(parts),
            DigestAlgorithm::Sha256 | DigestAlgorithm::Sha256Sess => hex::<Sha256>(parts),
            DigestAlgorithm::Sha512_256 | DigestAlgorithm::Sha512_256Sess => {
                hex::<Sha512_256>(parts)
            }
        }
    }
}

fn hex<D: Digest>(parts: &[&[u8]]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hasher = D::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update(b":");
        }
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let mut out = String::with_capacity(digest.len() * 2);
    for byte in digest.iter() {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An algorithm name this crate does not implement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported digest algorithm")]
pub struct UnknownAlgorithm;

impl FromStr for DigestAlgorithm {
    type Err = UnknownAlgorithm;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DigestAlgorithm::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or(UnknownAlgorithm)
    }
}

/// The quality of protection (RFC 7616 §3.3, RFC 2617 §3.2.1).
///
/// # Examples
///
/// ```
/// use geosip_core::auth::Qop;
///
/// assert_eq!(Qop::from_token("AUTH"), Some(Qop::Auth));
/// assert_eq!(Qop::AuthInt.as_str(), "auth-int");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qop {
    /// `auth`: authentication of the request line.
    Auth,
    /// `auth-int`: `auth` plus the hash of the body.
    AuthInt,
}

impl Qop {
    /// The token, `auth` or `auth-int`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Qop::Auth => "auth",
            Qop::AuthInt => "auth-int",
        }
    }

    /// Parses one qop token (case-insensitive); `None` for an unknown one.
    pub fn from_token(token: &str) -> Option<Qop> {
        let token = token.trim();
        if token.eq_ignore_ascii_case("auth") {
            Some(Qop::Auth)
        } else if token.eq_ignore_ascii_case("auth-int") {
            Some(Qop::AuthInt)
        } else {
            None
        }
    }
}

impl fmt::Display for Qop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_case_insensitively() {
        for a in DigestAlgorithm::ALL {
            assert_eq!(a.as_str().parse::<DigestAlgorithm>(), Ok(a));
            assert_eq!(a.as_str().to_ascii_lowercase().parse(), Ok(a));
            assert_eq!(a.as_str().to_ascii_uppercase().parse(), Ok(a));
        }
        assert_eq!("SHA-1".parse::<DigestAlgorithm>(), Err(UnknownAlgorithm));
        assert_eq!(DigestAlgorithm::from_param(Some("AKAv1-MD5")), None);
        assert_eq!(
            DigestAlgorithm::from_param(None),
            Some(DigestAlgorithm::Md5)
        );
    }

    #[test]
    fn known_hashes_of_empty_input() {
        assert_eq!(
            DigestAlgorithm::Sha256.hash_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            DigestAlgorithm::Sha512_256.hash_hex(b""),
            "c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a"
        );
        assert_eq!(
            DigestAlgorithm::Md5.hash_joined(&[b"a", b"b"]),
            DigestAlgorithm::Md5.hash_hex(b"a:b")
        );
    }
}
