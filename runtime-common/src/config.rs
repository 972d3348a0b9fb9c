//! What a phone needs besides the core's own settings: where to bind,
//! which address to advertise, TLS roots, DNS and the shutdown bound.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use geosip_core::endpoint::EndpointConfig;
use rustls::pki_types::CertificateDer;

/// How the phone reaches the world.
#[derive(Debug, Clone)]
pub struct PhoneConfig {
    /// The core's settings. A zero `rng_seed` is replaced by one from the
    /// operating system; `local_udp` is filled in from the bound socket.
    pub endpoint: EndpointConfig,
    /// Where the UDP socket binds. Default `0.0.0.0:0` (any address, a
    /// free port).
    pub bind_udp: SocketAddr,
    /// The address written in Via and Contact when `bind_udp` is the
    /// unspecified address; default: the address the routing table would
    /// use to reach the outside (no packet is sent to find it), else
    /// loopback.
    pub advertised_ip: Option<IpAddr>,
    /// Trust anchors for TLS servers.
    pub tls: TlsConfig,
    /// Name servers for RFC 3263 SRV lookups and for addresses. `None`:
    /// the servers of `/etc/resolv.conf` (the std runtime asks them for
    /// SRV records only, and the system resolver for addresses).
    pub dns: Option<Vec<SocketAddr>>,
    /// How long shutdown waits for the unregisters. Default 5 s.
    pub shutdown_timeout: Duration,
}

impl Default for PhoneConfig {
    fn default() -> Self {
        PhoneConfig {
            endpoint: EndpointConfig::default(),
            bind_udp: SocketAddr::from(([0, 0, 0, 0], 0)),
            advertised_ip: None,
            tls: TlsConfig::default(),
            dns: None,
            shutdown_timeout: Duration::from_secs(5),
        }
    }
}

/// Which certificates a TLS site must chain to. The server name checked is
/// the connection's configured host.
#[derive(Debug, Clone)]
pub struct TlsConfig {
    /// Trust the Mozilla roots of `webpki-roots`. Default true.
    pub webpki_roots: bool,
    /// More trust anchors, e.g. a private CA (DER).
    pub extra_roots: Vec<CertificateDer<'static>>,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            webpki_roots: true,
            extra_roots: Vec::new(),
        }
    }
}

impl TlsConfig {
    /// Trusts only `roots` (e.g. the test CA of a lab), not the public
    /// roots.
    pub fn only(roots: Vec<CertificateDer<'static>>) -> Self {
        TlsConfig {
            webpki_roots: false,
            extra_roots: roots,
        }
    }
}
