//! The registrar of a site (RFC 3261 §10.3) with digest authentication
//! (RFC 3261 §22.4, RFC 7616 §3.3–§3.4): nonces with a lifetime, the
//! binding table, Min-Expires and the expiry cap.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use geosip_core::auth::{verify_for_user, Challenge, Qop};
use geosip_core::io::TransportKind;
use geosip_core::message::headers::{AuthValue, Authorization, Contact, Expires};
use geosip_core::message::Message;

use super::config::SiteConfig;

/// One binding: an AOR reachable at a contact until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The contact URI as registered.
    pub contact: String,
    /// When the binding lapses.
    pub expires_at: Instant,
    /// The Call-ID of the REGISTER that made it.
    pub call_id: String,
    /// Its CSeq number.
    pub cseq: u32,
    /// Where the REGISTER came from.
    pub source: SocketAddr,
    /// Over what.
    pub transport: TransportKind,
}

/// What the registrar answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisterVerdict {
    /// 200: the AOR's bindings now, with seconds left.
    Ok(Vec<(String, u32)>),
    /// 401 with fresh challenges.
    Challenge {
        /// Whether the credentials were right but the nonce too old.
        stale: bool,
    },
    /// 403: the user is refused.
    Forbidden,
    /// 423 with Min-Expires.
    IntervalTooBrief(u32),
    /// 400 with a reason.
    BadRequest(&'static str),
}

/// The registrar's state; all of it is lost when the site restarts.
#[derive(Debug, Default)]
pub struct Registrar {
    /// Nonces issued, with when.
    nonces: BTreeMap<String, Instant>,
    /// AOR (`user@host`) → bindings.
    bindings: BTreeMap<String, Vec<Binding>>,
}

/// Where a request came from.
#[derive(Debug, Clone, Copy)]
pub struct Source {
    /// The peer's address.
    pub addr: SocketAddr,
    /// The transport it used.
    pub transport: TransportKind,
}

impl Registrar {
    /// Handles a REGISTER. `is_rejected` says whether a user is refused.
    pub fn register(
        &mut self,
        now: Instant,
        config: &SiteConfig,
        req: &Message<'_>,
        source: Source,
        is_rejected: impl Fn(&str) -> bool,
    ) -> RegisterVerdict {
        self.purge(now, config.nonce_lifetime);
        let Some(aor) = aor_of(req) else {
            return RegisterVerdict::BadRequest("To is not a SIP URI with a user");
        };
        if config.require_auth {
            let creds = req.typed_opt::<Authorization>().ok().flatten().map(|a| a.0);
            if let Some(v) = self.authenticate(now, config, req, creds) {
                return v;
            }
        }
        let user = aor.split('@').next().unwrap_or("");
        if is_rejected(user) {
            return RegisterVerdict::Forbidden;
        }
        let header_expires = req.typed_opt::<Expires>().ok().flatten().map(|e| e.0);
        let (Ok(call_id), Ok(cseq)) = (req.call_id(), req.cseq()) else {
            return RegisterVerdict::BadRequest("no Call-ID or CSeq");
        };
        let contacts: Vec<Contact<'_>> = match req.typed_all::<Contact>().collect() {
            Ok(c) => c,
            Err(_) => return RegisterVerdict::BadRequest("bad Contact"),
        };
        if contacts.iter().any(|c| matches!(c, Contact::Star)) {
            if header_expires != Some(0) || contacts.len() != 1 {
                return RegisterVerdict::BadRequest("* needs Expires: 0");
            }
            self.bindings.remove(&aor);
            return RegisterVerdict::Ok(Vec::new());
        }
        // RFC 3261 §10.3 step 7: check every expiry before changing any.
        let mut wanted = Vec::with_capacity(contacts.len());
        for c in &contacts {
            let e = c
                .expires()
                .or(header_expires)
                .unwrap_or(config.default_expires);
            if e != 0 && e < config.min_expires {
                return RegisterVerdict::IntervalTooBrief(config.min_expires);
            }
            let uri = c.addr().map(|a| a.uri.as_str()).unwrap_or_default();
            wanted.push((uri.to_owned(), e.min(config.max_expires)));
        }
        let list = self.bindings.entry(aor.clone()).or_default();
        for (contact, e) in wanted {
            list.retain(|b| b.contact != contact);
            if e > 0 {
                list.push(Binding {
                    contact,
                    expires_at: now + Duration::from_secs(u64::from(e)),
                    call_id: call_id.to_owned(),
                    cseq: cseq.seq,
                    source: source.addr,
                    transport: source.transport,
                });
            }
        }
        let now_bound = list
            .iter()
            .map(|b| {
                let left = b.expires_at.saturating_duration_since(now).as_secs();
                (b.contact.clone(), u32::try_from(left).unwrap_or(u32::MAX))
            })
            .collect();
        if list.is_empty() {
            self.bindings.remove(&aor);
        }
        RegisterVerdict::Ok(now_bound)
    }

    /// Checks the credentials `auth` of `req` (from Authorization, or
    /// Proxy-Authorization for a proxy challenge): `None` when they are
    /// good and the nonce fresh; else the challenge to send.
    pub fn authenticate(
        &self,
        now: Instant,
        config: &SiteConfig,
        req: &Message<'_>,
        auth: Option<AuthValue<'_>>,
    ) -> Option<RegisterVerdict> {
        let fresh = Some(RegisterVerdict::Challenge { stale: false });
        let Some(auth) = auth else {
            return fresh;
        };
        let (Some(username), Some(nonce)) = (auth.username(), auth.nonce()) else {
            return fresh;
        };
        let Some(password) = config.password(username) else {
            return fresh;
        };
        if auth.realm() != Some(config.realm.as_str()) {
            return fresh;
        }
        let method = req.method().map(|m| m.as_str()).unwrap_or("REGISTER");
        if verify_for_user(&auth, username, password, method, req.body()).is_err() {
            return fresh;
        }
        // Right password: an unknown (pre-restart) or old nonce is stale.
        match self.nonces.get(nonce) {
            Some(issued) if now.saturating_duration_since(*issued) < config.nonce_lifetime => None,
            _ => Some(RegisterVerdict::Challenge { stale: true }),
        }
    }

    /// Issues a nonce and the WWW-Authenticate values for it, one per
    /// configured algorithm.
    pub fn challenges(
        &mut self,
        now: Instant,
        config: &SiteConfig,
        nonce: String,
        stale: bool,
    ) -> Vec<String> {
        let values = config
            .algorithms
            .iter()
            .map(|&algorithm| {
                Challenge {
                    realm: &config.realm,
                    nonce: &nonce,
                    opaque: None,
                    algorithm,
                    qop: &[Qop::Auth],
                    stale,
                    userhash: false,
                }
                .to_string()
            })
            .collect();
        self.nonces.insert(nonce, now);
        values
    }

    fn purge(&mut self, now: Instant, nonce_lifetime: Duration) {
        // Keep nonces a while past their lifetime so that late users get
        // stale=true rather than a fresh challenge.
        self.nonces
            .retain(|_, issued| now.saturating_duration_since(*issued) < nonce_lifetime * 4);
        for list in self.bindings.values_mut() {
            list.retain(|b| b.expires_at > now);
        }
        self.bindings.retain(|_, l| !l.is_empty());
    }

    /// The bindings alive at `now`, by AOR.
    pub fn bindings(&self, now: Instant) -> BTreeMap<String, Vec<Binding>> {
        self.bindings
            .iter()
            .map(|(aor, l)| {
                let live: Vec<Binding> = l.iter().filter(|b| b.expires_at > now).cloned().collect();
                (aor.clone(), live)
            })
            .filter(|(_, l)| !l.is_empty())
            .collect()
    }

    /// Nonces remembered (for memory bounds).
    pub fn nonce_count(&self) -> usize {
        self.nonces.len()
    }
}

/// The AOR of a REGISTER: `user@host` of the To URI, host lowercased.
pub fn aor_of(req: &Message<'_>) -> Option<String> {
    let to = req.to().ok()?;
    let sip = to.uri.as_sip()?;
    let user = sip.user?;
    Some(format!(
        "{user}@{}",
        sip.host.to_string().to_ascii_lowercase()
    ))
}
