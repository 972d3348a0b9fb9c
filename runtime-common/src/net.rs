//! The address a phone advertises.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};

/// The address peers should see for a socket bound to `bind`: `bind`'s
/// own address, or for the unspecified address the one the routing table
/// picks towards the outside (a UDP "connect" sends nothing), else
/// loopback.
///
/// ```
/// use geosip_runtime_common::discover_ip;
/// let ip = "127.0.0.1:5060".parse().unwrap();
/// assert_eq!(discover_ip(ip), std::net::IpAddr::from([127, 0, 0, 1]));
/// ```
pub fn discover_ip(bind: SocketAddr) -> IpAddr {
    if !bind.ip().is_unspecified() {
        return bind.ip();
    }
    let probe = UdpSocket::bind(SocketAddr::new(bind.ip(), 0))
        .and_then(|s| s.connect("192.0.2.1:9").map(|()| s))
        .and_then(|s| s.local_addr());
    match probe {
        Ok(a) if !a.ip().is_unspecified() => a.ip(),
        _ => IpAddr::V4(Ipv4Addr::LOCALHOST),
    }
}
