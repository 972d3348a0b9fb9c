//! HTTP Digest authentication for SIP: the client that answers 401/407
//! challenges and the server-side check the simulator's registrar uses
//! (RFC 3261 §22, RFC 7616, RFC 8760, RFC 2617 for the form without qop).
//!
//! - [`DigestAlgorithm`], [`Qop`]: MD5, SHA-256, SHA-512-256 and their
//!   `-sess` variants; `auth` and `auth-int`.
//! - [`compute_response`], [`userhash`]: the pure computation.
//! - [`Credentials`]: user name and a password that never prints.
//! - [`DigestClient`]: per-connection state: picks the challenge, counts
//!   `nc` per nonce, echoes `opaque`, formats the Authorization or
//!   Proxy-Authorization value, and reuses the nonce proactively.
//! - [`ChallengeVerdict`]: retry (first challenge, `stale=true`) or stop
//!   (credentials refused), with a bound so the caller cannot loop.
//! - [`verify`], [`Challenge`], [`challenge`]: the registrar's side.
//!
//! Nothing here reads a clock or draws randomness: the cnonce and the
//! server nonce come from the caller's seeded RNG.
//!
//! Assumptions: user names, passwords and realms are UTF-8 (RFC 7616
//! §3.4.2 `charset=UTF-8`); the `username*` form for names that cannot be
//! quoted is not produced. For `-sess` algorithms, A1 is computed with the
//! cnonce of each request (RFC 7616 §3.4.2 leaves the reuse of the first
//! one to the server), so that a stateless server can check every request.
//!
//! # Examples
//!
//! ```
//! use geosip_core::auth::{verify, Credentials, DigestClient};
//! use geosip_core::message::{headers::{Authorization, WwwAuthenticate}, parse};
//!
//! let resp = parse(b"SIP/2.0 401 Unauthorized\r\n\
//! WWW-Authenticate: Digest realm=\"example.com\", nonce=\"n1\", algorithm=SHA-256, qop=\"auth\"\r\n\
//! WWW-Authenticate: Digest realm=\"example.com\", nonce=\"n1\", algorithm=MD5, qop=\"auth\"\r\n\
//! Content-Length: 0\r\n\r\n").unwrap();
//! let challenges = resp.typed_all::<WwwAuthenticate>().filter_map(Result::ok).map(|c| c.0);
//!
//! let mut client = DigestClient::new();
//! let out = client
//!     .respond(challenges, false, &Credentials::new("alice", "pw"), "REGISTER", "sip:example.com", b"", "c1")
//!     .unwrap();
//! assert!(out.value.contains("algorithm=SHA-256"));
//!
//! // The registrar checks it.
//! let req = format!("REGISTER sip:example.com SIP/2.0\r\n{}: {}\r\n\r\n", out.name_str(), out.value);
//! let req = parse(req.as_bytes()).unwrap();
//! let auth = req.typed::<Authorization>().unwrap();
//! assert_eq!(verify(&auth, "pw", "REGISTER", b""), Ok(()));
//! ```

mod algorithm;
mod client;
mod credentials;
mod digest;
mod server;
mod verdict;

#[cfg(test)]
mod tests;

pub use algorithm::{DigestAlgorithm, Qop, UnknownAlgorithm};
pub use client::{AuthError, AuthorizationOut, DigestClient};
pub use credentials::Credentials;
pub use digest::{compute_response, userhash, DigestInput};
pub use server::{challenge, verify, verify_for_user, Challenge, VerifyError};
pub use verdict::{ChallengeVerdict, RejectReason, RetryReason, MAX_RETRIES_AFTER_CREDENTIALS};
