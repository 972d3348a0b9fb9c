//! How a simulated SIP server site is set up, and the modes it can be
//! switched into while it runs.

use std::fmt;
use std::time::Duration;

use geosip_core::auth::DigestAlgorithm;

use super::calls::FarEnd;
use crate::net::LinkConfig;

/// A site's index in the simulator, in the order sites were added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SiteId(pub usize);

impl fmt::Display for SiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "site{}", self.0 + 1)
    }
}

/// A registrar's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteConfig {
    /// The digest realm.
    pub realm: String,
    /// Users and their passwords.
    pub users: Vec<(String, String)>,
    /// The challenges to send, one WWW-Authenticate each, in preference
    /// order (RFC 8760 §2.4). Default MD5 only.
    pub algorithms: Vec<DigestAlgorithm>,
    /// Whether REGISTER needs credentials. Default true.
    pub require_auth: bool,
    /// How long a nonce is good for; a request with an older one gets a
    /// 401 with `stale=true` (RFC 7616 §3.3). Default 300 s.
    pub nonce_lifetime: Duration,
    /// Expires granted when the request names none. Default 3600 s.
    pub default_expires: u32,
    /// The longest expiry granted; longer requests are cut to it
    /// (RFC 3261 §10.3 step 7). Default 7200 s.
    pub max_expires: u32,
    /// The shortest expiry accepted; shorter non-zero requests get 423
    /// with this Min-Expires (RFC 3261 §10.3 step 7). Default 60 s.
    pub min_expires: u32,
    /// The site's link to the endpoint, or the network's default.
    pub link: Option<LinkConfig>,
    /// Also a name the endpoint can resolve to the site (`Output::Resolve`).
    pub host_name: Option<String>,
    /// How the far-end phones behind the site answer INVITEs from the
    /// endpoint, unless `far_end_users` names the user. Default: answer
    /// after ringing 1 s.
    pub far_end_default: FarEnd,
    /// Far-end phones that behave otherwise, by Request-URI user.
    pub far_end_users: Vec<(String, FarEnd)>,
    /// Whether the site's 18x/2xx and INVITEs carry its Record-Route, so
    /// that the endpoint's in-dialog requests must carry it as Route.
    /// Default true.
    pub record_route: bool,
    /// Challenge a first INVITE without good credentials with 401
    /// (WWW-Authenticate) or 407 (Proxy-Authenticate). Default `None`.
    pub challenge_invites: Option<u16>,
    /// The UDP and TCP port, written in the site's Via, Contact and
    /// Record-Route. Default `None`: [`SIP_PORT`](super::SIP_PORT) (5060).
    /// Read when the site is made.
    pub port: Option<u16>,
    /// The TLS port. Default `None`: [`SIPS_PORT`](super::SIPS_PORT)
    /// (5061). Read when the site is made.
    pub tls_port: Option<u16>,
    /// The most received requests kept for [`Site::requests`]; older ones
    /// are dropped. Default `None`: all (a simulated run is bounded); a
    /// site served for hours on real sockets sets a bound.
    ///
    /// [`Site::requests`]: super::Site::requests
    pub max_records: Option<usize>,
}

impl SiteConfig {
    /// A site with `realm` and the default settings, and no users yet.
    pub fn new(realm: impl Into<String>) -> Self {
        SiteConfig {
            realm: realm.into(),
            users: Vec::new(),
            algorithms: vec![DigestAlgorithm::Md5],
            require_auth: true,
            nonce_lifetime: Duration::from_secs(300),
            default_expires: 3600,
            max_expires: 7200,
            min_expires: 60,
            link: None,
            host_name: None,
            far_end_default: FarEnd::default(),
            far_end_users: Vec::new(),
            record_route: true,
            challenge_invites: None,
            port: None,
            tls_port: None,
            max_records: None,
        }
    }

    /// Sets how `user`'s far-end phone answers.
    pub fn far_end(mut self, user: impl Into<String>, far_end: FarEnd) -> Self {
        self.far_end_users.push((user.into(), far_end));
        self
    }

    /// Adds a user.
    pub fn user(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.users.push((user.into(), password.into()));
        self
    }

    /// Sets the challenge algorithms.
    pub fn algorithms(mut self, algorithms: &[DigestAlgorithm]) -> Self {
        self.algorithms = algorithms.to_vec();
        self
    }

    /// Sets the UDP and TCP port (for a site on real sockets, e.g.
    /// [`LiveSite`](crate::live::LiveSite)).
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// The password of `user`.
    pub fn password(&self, user: &str) -> Option<&str> {
        self.users
            .iter()
            .find(|(u, _)| u == user)
            .map(|(_, p)| p.as_str())
    }
}

/// How the site answers while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SiteMode {
    /// A working registrar.
    #[default]
    Normal,
    /// The registrar is overloaded: every REGISTER gets 503, with
    /// `Retry-After` if given (RFC 3261 §21.5.4). OPTIONS is still
    /// answered 200, as by a front end whose back end is busy, so that a
    /// client that probes cannot take the probe's answer as leave to
    /// ignore the Retry-After.
    ServiceUnavailable {
        /// Seconds for the Retry-After header.
        retry_after: Option<u32>,
    },
}
