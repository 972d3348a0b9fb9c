//! Name resolution for `Output::Resolve`, on a thread per lookup with the
//! system resolver (`getaddrinfo` through [`ToSocketAddrs`]): the A and
//! AAAA records of the host (IPv4 first), on the configured port or the
//! transport's default one.
//!
//! Unlike the tokio runtime, there is no RFC 3263 SRV lookup: the standard
//! library has no way to ask for SRV records. Sites that rely on SRV need
//! an explicit port (or the tokio runtime).

use std::net::{SocketAddr, ToSocketAddrs};
use std::thread;

use geosip_core::connection::ConnectionId;
use geosip_core::io::{TransportError, TransportKind};

use crate::driver::Msg;
use crate::wake::Mailbox;

/// The addresses of a server, in the resolver's order.
pub(crate) fn resolve(
    host: &str,
    port: Option<u16>,
    transport: TransportKind,
) -> Result<Vec<SocketAddr>, TransportError> {
    let host = host.trim_end_matches('.');
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = port.unwrap_or(transport.default_port());
    match (host, port).to_socket_addrs() {
        Ok(addrs) => {
            let mut out: Vec<_> = addrs.collect();
            // IPv4 first, as hickory's default strategy in the tokio
            // runtime: the core takes the first address, and a socket
            // bound to 0.0.0.0 cannot reach an IPv6 one.
            out.sort_by_key(|a| a.is_ipv6());
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

/// Resolves on a thread of its own and sends the answer to the driver.
pub(crate) fn spawn(
    connection: ConnectionId,
    host: String,
    port: Option<u16>,
    transport: TransportKind,
    mailbox: Mailbox,
) {
    let fallback = mailbox.clone();
    let spawned = thread::Builder::new()
        .name("geosip-dns".into())
        .spawn(move || {
            let result = resolve(&host, port, transport);
            let _ = mailbox.send(Msg::Resolved(connection, result));
        });
    if let Err(e) = spawned {
        let error = TransportError::Other(format!("cannot start a DNS thread: {e}"));
        let _ = fallback.send(Msg::Resolved(connection, Err(error)));
    }
}
