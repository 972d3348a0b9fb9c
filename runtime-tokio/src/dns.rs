//! Name resolution for `Output::Resolve` (RFC 3263): with a port, the A
//! and AAAA records of the host; without one, first the SRV records
//! `_sip._udp`, `_sip._tcp` or `_sips._tcp` (§4.2), ordered by priority
//! and a weighted draw (RFC 2782), then the host's own addresses on the default port (§4.2,
//! last paragraph).

use std::net::SocketAddr;

use geosip_core::io::{TransportError, TransportKind};
use geosip_core::transport::{order_srv, SrvTarget};
use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::TokioResolver;

/// Builds the resolver: the system's configuration, or the given servers.
pub(crate) fn resolver(servers: Option<&[SocketAddr]>) -> Option<TokioResolver> {
    let provider = TokioConnectionProvider::default();
    match servers {
        None => TokioResolver::builder(provider).ok().map(|b| b.build()),
        Some(list) => {
            let ips: Vec<_> = list.iter().map(|a| a.ip()).collect();
            let port = list.first().map(|a| a.port()).unwrap_or(53);
            let group = NameServerConfigGroup::from_ips_clear(&ips, port, true);
            let config = ResolverConfig::from_parts(None, vec![], group);
            Some(TokioResolver::builder_with_config(config, provider).build())
        }
    }
}

/// The addresses of a server, best first.
pub(crate) async fn resolve(
    resolver: Option<&TokioResolver>,
    host: &str,
    port: Option<u16>,
    transport: TransportKind,
) -> Result<Vec<SocketAddr>, TransportError> {
    let Some(r) = resolver else {
        return Err(TransportError::Other("no DNS resolver".into()));
    };
    let host = host.trim_end_matches('.');
    if port.is_none() {
        let service = match transport {
            TransportKind::Udp => "_sip._udp",
            TransportKind::Tcp => "_sip._tcp",
            TransportKind::Tls => "_sips._tcp",
        };
        if let Ok(srv) = r.srv_lookup(format!("{service}.{host}.")).await {
            let records = srv
                .iter()
                .map(|s| SrvTarget {
                    priority: s.priority(),
                    weight: s.weight(),
                    target: (s.target().to_utf8(), s.port()),
                })
                .collect();
            // RFC 2782: lowest priority first, within one a weighted draw.
            let ordered = order_srv(records, geosip_runtime_common::os_random);
            let mut out = Vec::new();
            for (target, port) in ordered.iter().take(8) {
                if let Ok(ips) = r.lookup_ip(target.as_str()).await {
                    out.extend(ips.iter().map(|ip| SocketAddr::new(ip, *port)));
                }
            }
            if !out.is_empty() {
                return Ok(out);
            }
        }
    }
    let port = port.unwrap_or(transport.default_port());
    match r.lookup_ip(host).await {
        Ok(ips) => {
            let out: Vec<_> = ips.iter().map(|ip| SocketAddr::new(ip, port)).collect();
            if out.is_empty() {
                Err(TransportError::Unreachable)
            } else {
                Ok(out)
            }
        }
        Err(e) => Err(TransportError::Other(format!(
            "DNS lookup of {host} failed: {e}"
        ))),
    }
}
