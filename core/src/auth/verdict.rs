//! Whether a 401/407 is worth answering or means the credentials were
//! refused (RFC 3261 §22.2, RFC 7616 §3.3 `stale`).
//!
//! The rules, for a challenge to a request that carried credentials with
//! nonce N (`previous_attempt_nonce`):
//!
//! | challenge                                    | verdict                  |
//! |----------------------------------------------|--------------------------|
//! | none we can answer                           | `Unsupported`            |
//! | request carried no credentials               | `Retry(FirstChallenge)`  |
//! | same nonce N again                           | `Rejected(SameNonce)`    |
//! | `stale=true`, new nonce                      | `Retry(StaleNonce)`      |
//! | new realm (another challenger)               | `Retry(NewRealm)`        |
//! | new nonce after *proactive* credentials      | `Retry(CachedNonceExpired)` |
//! | anything else (same realm, not stale)        | `Rejected(WrongCredentials)` |
//!
//! `StaleNonce` and `NewRealm` retries in a row are capped at
//! [`MAX_RETRIES_AFTER_CREDENTIALS`], and `CachedNonceExpired` needs a
//! fresh [`DigestClient::authorize_with_cached`], so a server that
//! challenges forever gets a `Rejected(TooManyRetries)` and the caller's
//! loop ends.

use crate::message::headers::AuthValue;

use super::client::{choose, DigestClient};

/// The most `stale` or new-realm challenges answered in a row before the
/// next one counts as a refusal.
pub const MAX_RETRIES_AFTER_CREDENTIALS: u8 = 3;

/// What to do with a 401/407.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeVerdict {
    /// Answer it with [`DigestClient::respond`] and send the request again.
    Retry(RetryReason),
    /// The server refused the credentials: report the 401/407 (or 403) and
    /// stop; do not resend.
    Rejected(RejectReason),
    /// No Digest challenge with an algorithm and qop this crate supports.
    Unsupported,
}

/// Why a challenge is worth answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryReason {
    /// The request carried no credentials.
    FirstChallenge,
    /// `stale=true` with a new nonce: the credentials were right, the nonce
    /// had expired (RFC 7616 §3.3).
    StaleNonce,
    /// Credentials sent proactively with a cached nonce met a fresh
    /// challenge: the server no longer knew the nonce.
    CachedNonceExpired,
    /// A challenge for a realm we sent no credentials for.
    NewRealm,
}

/// Why a challenge means the credentials were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    /// A fresh, non-stale challenge for the realm we just answered: the
    /// user name or password is wrong.
    WrongCredentials,
    /// The same nonce we just used came back.
    SameNonce,
    /// Too many stale or new-realm challenges in a row.
    TooManyRetries,
}

impl DigestClient {
    /// Classifies a 401/407 to a request that carried credentials with
    /// `previous_attempt_nonce` (`None` if it carried none), using the
    /// challenge [`respond`](Self::respond) would pick.
    ///
    /// # Examples
    ///
    /// ```
    /// use geosip_core::auth::{ChallengeVerdict, Credentials, DigestClient, RejectReason, RetryReason};
    /// use geosip_core::message::headers::AuthValue;
    ///
    /// let first = AuthValue::new("Digest", r#"realm="r", nonce="n1", qop="auth""#);
    /// let mut client = DigestClient::new();
    /// assert_eq!(client.classify([first], None), ChallengeVerdict::Retry(RetryReason::FirstChallenge));
    /// let sent = client
    ///     .respond([first], false, &Credentials::new("bob", "pw"), "REGISTER", "sip:r", b"", "c")
    ///     .unwrap();
    ///
    /// let stale = AuthValue::new("Digest", r#"realm="r", nonce="n2", qop="auth", stale=true"#);
    /// assert_eq!(client.classify([stale], Some(&sent.nonce)), ChallengeVerdict::Retry(RetryReason::StaleNonce));
    ///
    /// let again = AuthValue::new("Digest", r#"realm="r", nonce="n3", qop="auth""#);
    /// assert_eq!(
    ///     client.classify([again], Some(&sent.nonce)),
    ///     ChallengeVerdict::Rejected(RejectReason::WrongCredentials)
    /// );
    /// ```
    pub fn classify<'c>(
        &self,
        challenges: impl IntoIterator<Item = AuthValue<'c>>,
        previous_attempt_nonce: Option<&str>,
    ) -> ChallengeVerdict {
        let Some(chosen) = choose(challenges) else {
            return ChallengeVerdict::Unsupported;
        };
        let Some(sent_nonce) = previous_attempt_nonce else {
            return ChallengeVerdict::Retry(RetryReason::FirstChallenge);
        };
        if chosen.nonce == sent_nonce {
            return ChallengeVerdict::Rejected(RejectReason::SameNonce);
        }
        let capped = |reason| {
            if self.retry_streak >= MAX_RETRIES_AFTER_CREDENTIALS {
                ChallengeVerdict::Rejected(RejectReason::TooManyRetries)
            } else {
                ChallengeVerdict::Retry(reason)
            }
        };
        if chosen.value.stale() {
            return capped(RetryReason::StaleNonce);
        }
        let new_realm = self
            .session
            .as_ref()
            .is_some_and(|s| s.realm != chosen.realm);
        if new_realm {
            return capped(RetryReason::NewRealm);
        }
        if self.proactive_nonce.as_deref() == Some(sent_nonce) {
            return ChallengeVerdict::Retry(RetryReason::CachedNonceExpired);
        }
        ChallengeVerdict::Rejected(RejectReason::WrongCredentials)
    }
}
