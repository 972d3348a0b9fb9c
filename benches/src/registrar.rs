//! A small in-process registrar for the endpoint benchmark: it answers a
//! REGISTER without credentials with a 401 digest challenge (MD5,
//! `qop="auth"`, the simulator's default), a REGISTER with credentials
//! with 200 and the Contact with `;expires=`, and an OPTIONS with 200.
//!
//! It is deliberately lean and almost stateless, so that the benchmark
//! measures the endpoint and so that its memory does not count as the
//! endpoint's:
//!
//! - the passwords and realms are built once, before any measurement;
//! - a nonce is a counter (site number and sequence in hex); a nonce is
//!   accepted if this registrar issued it (its sequence is below the
//!   counter), without replay (`nc`) tracking or expiry;
//! - no binding table is kept (nobody looks bindings up here);
//! - responses are written into a buffer the caller reuses, and the header
//!   values are built in scratch strings that keep their capacity.
//!
//! Credentials are checked with [`geosip_core::auth::verify`]; anything
//! that fails is answered 403 and counted in [`RegistrarStats::refused`],
//! which the benchmark requires to stay 0.

use std::fmt::Write as _;

use geosip_core::auth::{verify, Challenge, DigestAlgorithm, Qop};
use geosip_core::message::headers::Authorization;
use geosip_core::message::{parse, HeaderName, Message, MessageWriter, Method};

/// Expires granted when the REGISTER asks for none.
pub const DEFAULT_EXPIRES: u32 = 3600;

/// What the registrar answered, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegistrarStats {
    /// 401 challenges sent.
    pub challenged: u64,
    /// REGISTERs accepted with 200.
    pub registered: u64,
    /// OPTIONS answered with 200.
    pub options: u64,
    /// Requests refused (bad credentials, unknown user, bad nonce,
    /// unparsable, other methods).
    pub refused: u64,
}

/// The registrars of `sites` sites sharing one user table: site `s` has
/// realm `site<s>.bench`; user `u<i>` has password `pw<i>`.
#[derive(Debug)]
pub struct Registrar {
    realms: Vec<String>,
    passwords: Vec<String>,
    next_nonce: u64,
    /// Scratch values, reused (they keep their capacity).
    nonce: String,
    tag: String,
    value: String,
    /// What was answered.
    pub stats: RegistrarStats,
}

/// The password of user `u<i>`.
pub fn password(i: usize) -> String {
    format!("pw{i}")
}

impl Registrar {
    /// A registrar for `sites` sites and users `u0..u<users>`.
    pub fn new(sites: usize, users: usize) -> Self {
        Registrar {
            realms: (0..sites).map(|s| format!("site{s}.bench")).collect(),
            passwords: (0..users).map(password).collect(),
            next_nonce: 0,
            nonce: String::with_capacity(32),
            tag: String::with_capacity(32),
            value: String::with_capacity(256),
            stats: RegistrarStats::default(),
        }
    }

    /// The capacity of its scratch buffers, which are all it may grow.
    pub fn buffer_capacity(&self) -> usize {
        self.nonce.capacity() + self.tag.capacity() + self.value.capacity()
    }

    /// Handles one datagram sent to site `site`. Writes the response into
    /// `out` and returns true, or returns false when there is nothing to
    /// answer (a response, or something that does not parse).
    pub fn handle(&mut self, site: usize, data: &[u8], out: &mut Vec<u8>) -> bool {
        let Ok(req) = parse(data) else {
            self.stats.refused += 1;
            return false;
        };
        match req.method() {
            Some(Method::Register) => self.register(site, &req, out),
            Some(Method::Options) => {
                self.stats.options += 1;
                self.respond(&req, 200, "OK", out)
                    .header(
                        HeaderName::Allow,
                        "INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER",
                    )
                    .finish(b"");
            }
            Some(_) => {
                self.stats.refused += 1;
                self.respond(&req, 501, "Not Implemented", out).finish(b"");
            }
            None => return false,
        }
        true
    }

    fn register(&mut self, site: usize, req: &Message<'_>, out: &mut Vec<u8>) {
        match req.typed_opt::<Authorization>() {
            Ok(None) => {
                self.stats.challenged += 1;
                self.nonce.clear();
                let _ = write!(self.nonce, "{site:x}n{:012x}", self.next_nonce);
                self.next_nonce += 1;
                self.value.clear();
                let _ = write!(
                    self.value,
                    "{}",
                    Challenge {
                        realm: &self.realms[site],
                        nonce: &self.nonce,
                        opaque: None,
                        algorithm: DigestAlgorithm::Md5,
                        qop: &[Qop::Auth],
                        stale: false,
                        userhash: false,
                    }
                );
                let value = std::mem::take(&mut self.value);
                self.respond(req, 401, "Unauthorized", out)
                    .header(HeaderName::WwwAuthenticate, &value)
                    .finish(b"");
                self.value = value;
            }
            Ok(Some(auth)) if self.accept(site, &auth) => {
                self.stats.registered += 1;
                let expires = req
                    .header(HeaderName::Expires)
                    .and_then(|e| e.trim().parse().ok())
                    .unwrap_or(DEFAULT_EXPIRES);
                self.value.clear();
                self.value
                    .push_str(req.header(HeaderName::Contact).unwrap_or_default());
                let _ = write!(self.value, ";expires={expires}");
                let value = std::mem::take(&mut self.value);
                self.respond(req, 200, "OK", out)
                    .header(HeaderName::Contact, &value)
                    .finish(b"");
                self.value = value;
            }
            _ => {
                self.stats.refused += 1;
                self.respond(req, 403, "Forbidden", out).finish(b"");
            }
        }
    }

    /// Whether credentials are good: our realm, a nonce we issued, a known
    /// user, and a response that [`verify`] accepts.
    fn accept(&self, site: usize, auth: &Authorization<'_>) -> bool {
        if auth.realm() != Some(self.realms[site].as_str()) {
            return false;
        }
        let issued = auth
            .nonce()
            .and_then(|n| n.split_once('n'))
            .filter(|(s, _)| usize::from_str_radix(s, 16) == Ok(site))
            .and_then(|(_, seq)| u64::from_str_radix(seq, 16).ok())
            .is_some_and(|seq| seq < self.next_nonce);
        let password = auth
            .username()
            .and_then(|u| u.strip_prefix('u'))
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| self.passwords.get(i));
        match password {
            Some(pw) if issued => verify(auth, pw, "REGISTER", b"").is_ok(),
            _ => false,
        }
    }

    /// Starts a response with the request's Via, From, To (with a tag),
    /// Call-ID and CSeq.
    fn respond<'b>(
        &mut self,
        req: &Message<'_>,
        code: u16,
        reason: &str,
        out: &'b mut Vec<u8>,
    ) -> MessageWriter<'b> {
        self.tag.clear();
        let _ = write!(
            self.tag,
            "r{:x}",
            self.stats.challenged + self.stats.registered + self.stats.options
        );
        MessageWriter::response_to(out, req, code, reason, Some(&self.tag))
    }
}
