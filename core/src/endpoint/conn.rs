//! The state the endpoint keeps for one connection.

use std::net::SocketAddr;
use std::time::Instant;

use crate::auth::{Credentials, DigestClient};
use crate::connection::{ConnectionConfig, ConnectionError, ConnectionId, ConnectionInfo};
use crate::event::{ConnectionStatus, StatusReason};
use crate::io::{FlowId, TransportKind};
use crate::message::uri::parse_hostport;
use crate::message::Host;
use crate::registration::Backoff;
use crate::rng::SipRng;
use crate::transaction::TxId;

/// Where a connection is in its registration life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Disabled, or not yet started.
    Idle,
    /// Waiting for the runtime to resolve the server's host name.
    Resolving,
    /// Waiting for a stream flow to come up.
    Connecting,
    /// A REGISTER is in flight.
    Registering,
    /// Registered; refresh and keep-alive timers run.
    Registered,
    /// Down or refused; waiting for the retry timer (and probing).
    Waiting,
}

/// A stream flow's state, from the connection's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlowState {
    /// Connect asked for.
    Connecting(FlowId),
    /// Up, with our local address.
    Up(FlowId, SocketAddr),
}

impl FlowState {
    pub fn id(self) -> FlowId {
        match self {
            FlowState::Connecting(f) | FlowState::Up(f, _) => f,
        }
    }
}

/// Per-connection state.
#[derive(Debug)]
pub(crate) struct Conn {
    pub id: ConnectionId,
    pub cfg: ConnectionConfig,
    /// The server host as configured.
    pub host: String,
    pub port: Option<u16>,
    /// The AOR domain.
    pub domain: String,
    /// The site's address, once known.
    pub remote: Option<SocketAddr>,
    pub status: ConnectionStatus,
    /// Whether a status event has been raised yet.
    pub announced: bool,
    pub phase: Phase,
    pub enabled: bool,
    pub last_error: Option<StatusReason>,
    pub registered_until: Option<Instant>,
    pub backoff: Backoff,
    /// Consecutive failures, for the back-off exponent.
    pub failures: u32,
    /// Whether recovery probes run while waiting (the site stopped
    /// answering, as opposed to answering with an error).
    pub probing: bool,
    // REGISTER state (RFC 3261 §10.2.4: one Call-ID, rising CSeq).
    pub call_id: String,
    pub from_tag: String,
    pub cseq: u32,
    /// The Expires asked for (raised by 423).
    pub expires: u32,
    /// 423 answers followed in a row.
    pub interval_raises: u32,
    pub reg_tx: Option<TxId>,
    /// The nonce of the credentials the REGISTER in flight carries.
    pub sent_nonce: Option<String>,
    pub auth: DigestClient,
    pub credentials: Option<Credentials>,
    /// Contact address learned from Via received/rport (RFC 3581).
    pub learned_contact: Option<SocketAddr>,
    // Transport and probes.
    pub flow: Option<FlowState>,
    /// When the last connect was asked for.
    pub last_connect: Option<Instant>,
    pub probe_tx: Option<TxId>,
    /// A CRLF ping is out and its pong is awaited.
    pub ping_out: bool,
}

impl Conn {
    pub fn new(
        id: ConnectionId,
        cfg: ConnectionConfig,
        rng: &mut SipRng,
    ) -> Result<Conn, ConnectionError> {
        if cfg.user.is_empty()
            || !cfg
                .user
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.!~*'()&=+$,;?/%".contains(&b))
        {
            return Err(ConnectionError::BadUser(cfg.user.clone()));
        }
        let (host, port) = parse_hostport(&cfg.server)
            .map_err(|why| ConnectionError::BadServer(cfg.server.clone(), why))?;
        let remote = match host {
            Host::Ipv4(ip) => Some(SocketAddr::new(
                ip.into(),
                port.unwrap_or(cfg.transport.default_port()),
            )),
            Host::Ipv6(ip) => Some(SocketAddr::new(
                ip.into(),
                port.unwrap_or(cfg.transport.default_port()),
            )),
            Host::Domain(_) => None,
        };
        let host_str = match host {
            Host::Ipv6(ip) => format!("[{ip}]"),
            other => other.to_string(),
        };
        let domain = cfg.domain.clone().unwrap_or_else(|| host_str.clone());
        let backoff = Backoff::new(cfg.retry_base, cfg.retry_max, cfg.reg_interval);
        let expires = cfg
            .reg_timeout
            .unwrap_or(cfg.reg_interval)
            .as_secs()
            .min(u64::from(u32::MAX)) as u32;
        let credentials = cfg.password.as_ref().map(|p| {
            Credentials::new(
                cfg.auth_user.clone().unwrap_or_else(|| cfg.user.clone()),
                p.expose().to_owned(),
            )
        });
        let mut call_id = rng.token(20);
        call_id.push_str("@geosip");
        Ok(Conn {
            id,
            host: host_str,
            port,
            domain,
            remote,
            status: ConnectionStatus::Registering,
            announced: false,
            phase: Phase::Idle,
            enabled: cfg.enabled,
            last_error: None,
            registered_until: None,
            backoff,
            failures: 0,
            probing: false,
            call_id,
            from_tag: rng.token(10),
            cseq: 0,
            expires,
            interval_raises: 0,
            reg_tx: None,
            sent_nonce: None,
            auth: DigestClient::new(),
            credentials,
            learned_contact: None,
            flow: None,
            last_connect: None,
            probe_tx: None,
            ping_out: false,
            cfg,
        })
    }

    pub fn info(&self) -> ConnectionInfo {
        ConnectionInfo {
            id: self.id,
            user: self.cfg.user.clone(),
            server: self.cfg.server.clone(),
            transport: self.cfg.transport,
            status: self.status,
            enabled: self.enabled,
            registered_until: self.registered_until,
            last_error: self.last_error.clone(),
        }
    }

    /// The local address our messages on this connection come from.
    pub fn local(&self, udp: Option<SocketAddr>) -> Option<SocketAddr> {
        match self.cfg.transport {
            TransportKind::Udp => udp,
            _ => match self.flow {
                Some(FlowState::Up(_, local)) => Some(local),
                _ => None,
            },
        }
    }

    /// The Request-URI target of OPTIONS probes: the site itself.
    pub fn probe_target(&self) -> String {
        let mut s = String::from("sip:");
        s.push_str(&self.host);
        if let Some(p) = self.port {
            s.push(':');
            s.push_str(itoa::Buffer::new().format(p));
        }
        if self.cfg.transport != TransportKind::Udp {
            s.push_str(";transport=");
            s.push_str(self.cfg.transport.uri_param());
        }
        s
    }
}
