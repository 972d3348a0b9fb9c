//! What both runtimes do when a phone starts, once its UDP socket is bound,
//! and the randomness they draw from the operating system.

use std::net::SocketAddr;
use std::sync::Arc;

use rustls::ClientConfig;

use crate::{client_config, discover_ip, PhoneConfig, StartError};

/// Completes `config` for the socket bound at `bound`: the address to
/// advertise (`advertised_ip`, else [`discover_ip`]) becomes the endpoint's
/// `local_udp`, a zero `rng_seed` is replaced by one from the operating
/// system; and builds the TLS client configuration. Returns `local_udp`
/// and the TLS configuration.
pub fn prepare(
    config: &mut PhoneConfig,
    bound: SocketAddr,
) -> Result<(SocketAddr, Arc<ClientConfig>), StartError> {
    let ip = config.advertised_ip.unwrap_or_else(|| discover_ip(bound));
    let local_udp = SocketAddr::new(ip, bound.port());
    config.endpoint.local_udp = Some(local_udp);
    if config.endpoint.rng_seed == [0; 32] {
        getrandom::fill(&mut config.endpoint.rng_seed)
            .map_err(|e| StartError::Random(e.to_string()))?;
    }
    Ok((local_udp, client_config(&config.tls)?))
}

/// A number in `0..=n` from the operating system's randomness (0 if there
/// is none), for the RFC 2782 draw of SRV targets
/// ([`geosip_core::transport::order_srv`]).
pub fn os_random(n: u32) -> u32 {
    getrandom::u32().map_or(0, |x| x % n.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepare_fills_local_udp_and_the_seed() {
        let mut config = PhoneConfig {
            advertised_ip: Some([192, 0, 2, 7].into()),
            ..Default::default()
        };
        let (local, _) = prepare(&mut config, "0.0.0.0:5062".parse().unwrap()).unwrap();
        assert_eq!(local, "192.0.2.7:5062".parse().unwrap());
        assert_eq!(config.endpoint.local_udp, Some(local));
        assert_ne!(config.endpoint.rng_seed, [0; 32]);
        // A seed given is kept.
        config.endpoint.rng_seed = [9; 32];
        prepare(&mut config, "127.0.0.1:1".parse().unwrap()).unwrap();
        assert_eq!(config.endpoint.rng_seed, [9; 32]);
        assert!((0..200).all(|_| os_random(3) <= 3));
    }
}
