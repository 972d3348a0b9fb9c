//! The rustls client configuration (ring provider) and server names.

use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, RootCertStore};

use crate::config::TlsConfig;

/// Builds the client config: the configured roots, TLS 1.2 and 1.3.
pub fn client_config(tls: &TlsConfig) -> Result<Arc<ClientConfig>, rustls::Error> {
    let mut roots = RootCertStore::empty();
    if tls.webpki_roots {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    for cert in &tls.extra_roots {
        roots.add(cert.clone())?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The name to check the certificate against: the configured host, as a
/// DNS name or an IP address (brackets of an IPv6 reference removed).
///
/// ```
/// use geosip_runtime_common::server_name;
/// assert!(server_name("sip.example.com").is_some());
/// assert!(server_name("[2001:db8::1]").is_some());
/// assert!(server_name("not a name").is_none());
/// ```
pub fn server_name(host: &str) -> Option<ServerName<'static>> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(host.to_owned()).ok()
}
