//! The digest client of one connection: answers 401/407 challenges and
//! keeps the nonce for proactive credentials (RFC 3261 §22.2–§22.3,
//! RFC 7616 §3.4, §3.7, RFC 8760 §2.4).
//!
//! The client holds one challenger's state (realm, nonce, nonce count).
//! A request challenged by both a proxy and the registrar needs two
//! clients; a connection normally talks to one registrar.

use crate::connection::Secret;
use crate::message::headers::AuthValue;
use crate::message::HeaderName;

use super::algorithm::{DigestAlgorithm, Qop};
use super::credentials::Credentials;
use super::digest::{
    finish, format_nc, ha1_base, ha2, push_quoted, push_raw_quoted, session_ha1, unescape, userhash,
};

/// A credentials header ready to add to the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationOut {
    /// [`HeaderName::Authorization`] for a 401 (WWW-Authenticate), or
    /// [`HeaderName::ProxyAuthorization`] for a 407 (Proxy-Authenticate).
    pub name: HeaderName,
    /// The header value, `Digest username="..", ...`.
    pub value: String,
    /// The nonce the credentials use: remember it and pass it to
    /// [`DigestClient::classify`] if the request is challenged again.
    pub nonce: String,
    /// The nonce count the credentials use (1 for a fresh nonce).
    pub nc: u32,
}

impl AuthorizationOut {
    /// The header name as written on the wire.
    pub fn name_str(&self) -> &'static str {
        if self.name == HeaderName::ProxyAuthorization {
            "Proxy-Authorization"
        } else {
            "Authorization"
        }
    }
}

/// Why no credentials could be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No Digest challenge with a realm, a nonce, an algorithm this crate
    /// implements and a qop it understands.
    #[error("no Digest challenge with a supported algorithm and qop")]
    NoSupportedChallenge,
    /// The nonce was used 2^32−1 times; only a new challenge helps.
    #[error("nonce count exhausted for this nonce")]
    NonceCountExhausted,
}

/// The challenge chosen from a 401/407: the first Digest one this crate
/// can answer (the server lists them in preference order, RFC 7616 §3.7,
/// RFC 8760 §2.4).
#[derive(Debug, Clone, Copy)]
pub(super) struct Chosen<'a> {
    pub(super) value: AuthValue<'a>,
    pub(super) algorithm: DigestAlgorithm,
    pub(super) qop: Option<Qop>,
    pub(super) realm: &'a str,
    pub(super) nonce: &'a str,
}

pub(super) fn choose<'a>(
    challenges: impl IntoIterator<Item = AuthValue<'a>>,
) -> Option<Chosen<'a>> {
    challenges.into_iter().find_map(|value| {
        if !value.is_digest() {
            return None;
        }
        let algorithm = DigestAlgorithm::from_param(value.algorithm())?;
        let realm = value.realm()?;
        let nonce = value.nonce()?;
        let qop = choose_qop(&value)?;
        Some(Chosen {
            value,
            algorithm,
            qop,
            realm,
            nonce,
        })
    })
}

/// `Some(None)`: no qop offered (RFC 2617 legacy form). `None`: only
/// unknown qop values offered, so the challenge cannot be answered.
fn choose_qop(value: &AuthValue<'_>) -> Option<Option<Qop>> {
    let mut offered = value.qop_options().peekable();
    if offered.peek().is_none() {
        return Some(None);
    }
    let mut auth_int = false;
    for q in offered {
        match Qop::from_token(q) {
            Some(Qop::Auth) => return Some(Some(Qop::Auth)),
            Some(Qop::AuthInt) => auth_int = true,
            None => {}
        }
    }
    auth_int.then_some(Some(Qop::AuthInt))
}

/// What the client remembers of the last challenge it answered.
#[derive(Debug, Clone)]
pub(super) struct Session {
    pub(super) proxy: bool,
    username: String,
    /// `H(username:realm:password)`, password-equivalent.
    ha1_base: Secret,
    /// As in the challenge (still escaped), echoed byte for byte.
    pub(super) realm: String,
    pub(super) nonce: String,
    opaque: Option<String>,
    algorithm: DigestAlgorithm,
    /// Whether the challenge named the algorithm (else it is echoed absent).
    algorithm_named: bool,
    qop: Option<Qop>,
    userhash: bool,
    pub(super) nc: u32,
}

/// Digest client state for one connection.
///
/// - [`respond`](Self::respond) answers a 401/407.
/// - [`authorize_with_cached`](Self::authorize_with_cached) adds
///   credentials to the next request (a registration refresh) with the
///   same nonce and the next nonce count, saving a round trip.
/// - [`classify`](Self::classify) tells a challenge worth answering from
///   a refusal of the credentials, so the caller never loops.
///
/// The core has no RNG here: the caller passes a fresh `cnonce` from its
/// seeded RNG. `Debug` output never shows the password.
///
/// # Examples
///
/// ```
/// use geosip_core::auth::{ChallengeVerdict, Credentials, DigestClient};
/// use geosip_core::message::{headers::WwwAuthenticate, parse, HeaderName};
///
/// let resp = parse(b"SIP/2.0 401 Unauthorized\r\n\
/// WWW-Authenticate: Digest realm=\"example.com\", nonce=\"n1\", algorithm=SHA-256, qop=\"auth\"\r\n\
/// Content-Length: 0\r\n\r\n").unwrap();
/// let challenges = || resp.typed_all::<WwwAuthenticate>().filter_map(Result::ok).map(|c| c.0);
///
/// let mut client = DigestClient::new();
/// let creds = Credentials::new("alice", "secret");
/// assert!(matches!(client.classify(challenges(), None), ChallengeVerdict::Retry(_)));
/// let out = client
///     .respond(challenges(), false, &creds, "REGISTER", "sip:example.com", b"", "c1")
///     .unwrap();
/// assert_eq!(out.name, HeaderName::Authorization);
/// assert!(out.value.starts_with("Digest username=\"alice\", realm=\"example.com\""));
/// assert!(out.value.ends_with("qop=auth, nc=00000001"));
///
/// // The refresh an hour later reuses the nonce with nc=2.
/// let next = client.authorize_with_cached("REGISTER", "sip:example.com", b"", "c2").unwrap();
/// assert_eq!(next.nc, 2);
/// assert!(!format!("{client:?}").contains("secret"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct DigestClient {
    pub(super) session: Option<Session>,
    /// The nonce last sent by `authorize_with_cached` and not yet followed
    /// by `respond`: a challenge to it may just mean the server forgot it.
    pub(super) proactive_nonce: Option<String>,
    /// Challenges answered in a row that were stale or from a new realm;
    /// bounds the retries after credentials (see `classify`).
    pub(super) retry_streak: u8,
}

impl DigestClient {
    /// A client with no challenge seen yet.
    pub fn new() -> Self {
        DigestClient::default()
    }

    /// Answers a 401 (`proxy == false`, WWW-Authenticate) or a 407
    /// (`proxy == true`, Proxy-Authenticate).
    ///
    /// Picks the first Digest challenge whose algorithm is supported,
    /// prefers `qop=auth` (then `auth-int`, then the RFC 2617 form when no
    /// qop is offered), echoes `opaque`, sends `userhash` when asked, and
    /// counts `nc` per nonce: 1 for a new nonce, one more for the same.
    #[allow(clippy::too_many_arguments)] // the request line's parts, as RFC 7616 §3.4 lists them
    pub fn respond<'c>(
        &mut self,
        challenges: impl IntoIterator<Item = AuthValue<'c>>,
        proxy: bool,
        creds: &Credentials,
        method: &str,
        uri: &str,
        body: &[u8],
        cnonce: &str,
    ) -> Result<AuthorizationOut, AuthError> {
        let chosen = choose(challenges).ok_or(AuthError::NoSupportedChallenge)?;
        let previous = self.session.as_ref();
        let same_nonce =
            previous.is_some_and(|s| s.nonce == chosen.nonce && s.realm == chosen.realm);
        let nc = match previous {
            Some(s) if same_nonce => s.nc.checked_add(1).ok_or(AuthError::NonceCountExhausted)?,
            _ => 1,
        };
        // Only a client that has sent credentials before can be in a retry
        // loop; a first challenge never counts against the bound.
        let new_realm = previous.is_some_and(|s| s.realm != chosen.realm);
        let retry = previous.is_some() && (chosen.value.stale() || new_realm);
        self.retry_streak = if retry {
            self.retry_streak.saturating_add(1)
        } else {
            0
        };
        self.proactive_nonce = None;
        let session = Session {
            proxy,
            username: creds.username.clone(),
            ha1_base: Secret::new(ha1_base(
                chosen.algorithm,
                &creds.username,
                &unescape(chosen.realm),
                creds.password.expose(),
            )),
            realm: chosen.realm.to_owned(),
            nonce: chosen.nonce.to_owned(),
            opaque: chosen.value.opaque().map(str::to_owned),
            algorithm: chosen.algorithm,
            algorithm_named: chosen.value.algorithm().is_some(),
            qop: chosen.qop,
            userhash: chosen.value.userhash(),
            nc,
        };
        let out = session.authorization(method, uri, body, cnonce);
        self.session = Some(session);
        Ok(out)
    }

    /// Credentials for the next request with the cached nonce and the next
    /// nonce count, sent before any challenge (RFC 7616 §3.4: a nonce may
    /// be reused with an increasing nc). `None` before the first challenge
    /// or when the count is exhausted.
    pub fn authorize_with_cached(
        &mut self,
        method: &str,
        uri: &str,
        body: &[u8],
        cnonce: &str,
    ) -> Option<AuthorizationOut> {
        let session = self.session.as_mut()?;
        session.nc = session.nc.checked_add(1)?;
        let out = session.authorization(method, uri, body, cnonce);
        self.proactive_nonce = Some(session.nonce.clone());
        self.retry_streak = 0;
        Some(out)
    }

    /// The nonce of the last challenge answered, if any.
    pub fn cached_nonce(&self) -> Option<&str> {
        self.session.as_ref().map(|s| s.nonce.as_str())
    }

    /// The realm of the last challenge answered, if any.
    pub fn cached_realm(&self) -> Option<&str> {
        self.session.as_ref().map(|s| s.realm.as_str())
    }

    /// Forgets the cached challenge (after a rejection, a password change
    /// or a move to another site).
    pub fn forget(&mut self) {
        *self = DigestClient::default();
    }
}

impl Session {
    /// The credentials header for one request (RFC 7616 §3.4; quoting per
    /// §3.4: `algorithm`, `qop` and `nc` are tokens).
    fn authorization(
        &self,
        method: &str,
        uri: &str,
        body: &[u8],
        cnonce: &str,
    ) -> AuthorizationOut {
        let alg = self.algorithm;
        let nonce = unescape(&self.nonce);
        let ha1 = session_ha1(alg, self.ha1_base.expose(), &nonce, cnonce);
        let ha2 = ha2(alg, self.qop, method, uri, body);
        let response = finish(alg, &ha1, &ha2, &nonce, cnonce, self.nc, self.qop);

        let mut v = String::with_capacity(256);
        v.push_str("Digest username=");
        if self.userhash {
            push_raw_quoted(
                &mut v,
                &userhash(alg, &self.username, &unescape(&self.realm)),
            );
        } else {
            push_quoted(&mut v, &self.username);
        }
        v.push_str(", realm=");
        push_raw_quoted(&mut v, &self.realm);
        v.push_str(", nonce=");
        push_raw_quoted(&mut v, &self.nonce);
        v.push_str(", uri=");
        push_quoted(&mut v, uri);
        v.push_str(", response=");
        push_raw_quoted(&mut v, &response);
        if self.algorithm_named {
            v.push_str(", algorithm=");
            v.push_str(alg.as_str());
        }
        // RFC 2617 §3.2.2: no cnonce without qop, except that a -sess A1
        // cannot be checked without it.
        if self.qop.is_some() || alg.is_session() {
            v.push_str(", cnonce=");
            push_quoted(&mut v, cnonce);
        }
        if let Some(opaque) = &self.opaque {
            v.push_str(", opaque=");
            push_raw_quoted(&mut v, opaque);
        }
        if let Some(qop) = self.qop {
            v.push_str(", qop=");
            v.push_str(qop.as_str());
            v.push_str(", nc=");
            v.push_str(&format_nc(self.nc));
        }
        if self.userhash {
            v.push_str(", userhash=true");
        }
        AuthorizationOut {
            name: if self.proxy {
                HeaderName::ProxyAuthorization
            } else {
                HeaderName::Authorization
            },
            value: v,
            nonce: self.nonce.clone(),
            nc: self.nc,
        }
    }
}
