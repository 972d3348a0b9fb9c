//! Building blocks for scenario tests against the [`Endpoint`]: the
//! standard two-site setup and readings of the logs (REGISTER attempts,
//! status changes after an instant, RFC 5626 §4.5 back-off checks).
//!
//! [`Endpoint`]: geosip_core::endpoint::Endpoint

use std::time::{Duration, Instant};

use geosip_core::connection::ConnectionId;
use geosip_core::event::ConnectionStatus;
use geosip_core::io::TransportKind;

use crate::harness::Sim;
use crate::record::{first_transmissions, StatusRecord};
use crate::site::{SiteConfig, SiteId};

/// Every user's password on every site.
pub const PASSWORD: &str = "secret";

/// Site `n`'s config: realm `siteN.example`, users 1001 and 1002.
pub fn site_config(n: usize) -> SiteConfig {
    SiteConfig::new(format!("site{n}.example"))
        .user("1001", PASSWORD)
        .user("1002", PASSWORD)
}

/// The standard setup: two sites, and connection `i` of user `100(i+1)`
/// on site `i`, both added at once.
#[derive(Debug, Clone, Copy)]
pub struct TwoSites {
    /// The sites.
    pub sites: [SiteId; 2],
    /// The connections, `conns[i]` on `sites[i]`.
    pub conns: [ConnectionId; 2],
    /// The users, `users[i]` on connection `i`.
    pub users: [&'static str; 2],
}

/// Adds the two sites and their connections over `transport`.
pub fn two_sites(sim: &mut Sim, transport: TransportKind) -> TwoSites {
    two_sites_with(sim, transport, |_, _| {})
}

/// Like [`two_sites`], with a hook to change each connection's config.
pub fn two_sites_with(
    sim: &mut Sim,
    transport: TransportKind,
    mut tweak: impl FnMut(usize, &mut geosip_core::connection::ConnectionConfig),
) -> TwoSites {
    let sites = [sim.add_site(site_config(1)), sim.add_site(site_config(2))];
    let setup = TwoSites {
        sites,
        conns: [ConnectionId(1), ConnectionId(2)],
        users: ["1001", "1002"],
    };
    for (i, &site) in sites.iter().enumerate() {
        let mut cfg = sim.connection_config(site, setup.users[i], transport);
        tweak(i, &mut cfg);
        sim.add_connection(setup.conns[i], cfg)
            .expect("add connection");
    }
    setup
}

/// Whether a connection's last status is Available.
pub fn is_available(sim: &Sim, id: ConnectionId) -> bool {
    sim.status_of(id) == Some(ConnectionStatus::Available)
}

/// Runs until both connections are Available; panics with the event log
/// if they are not within `max`.
pub fn until_both_available(sim: &mut Sim, s: &TwoSites, max: Duration) {
    let ok = sim.run_until(|sim| s.conns.iter().all(|&c| is_available(sim, c)), max);
    assert!(
        ok,
        "not both Available within {max:?}:\n{}",
        status_log(sim)
    );
}

/// The status changes of a connection at or after `t`.
pub fn statuses_since(sim: &Sim, id: ConnectionId, t: Instant) -> Vec<StatusRecord> {
    sim.status_events_for(id)
        .into_iter()
        .filter(|s| s.at >= t)
        .collect()
}

/// Every status change, one a line, for failure messages.
pub fn status_log(sim: &Sim) -> String {
    sim.events()
        .iter()
        .filter_map(|e| e.status())
        .map(|s| {
            format!(
                "{:>9.3}s conn {} {} ({})\n",
                s.offset.as_secs_f64(),
                s.id,
                s.status,
                s.reason
            )
        })
        .collect()
}

/// When each REGISTER transaction to a site started (retransmissions left
/// out), at or after `t`.
pub fn register_attempts(sim: &Sim, site: SiteId, t: Instant) -> Vec<Instant> {
    let regs: Vec<_> = sim.traffic_to(site).filter(|r| r.is_register()).collect();
    first_transmissions(regs)
        .into_iter()
        .filter(|r| r.at >= t)
        .map(|r| r.at)
        .collect()
}

/// When each new request or keep-alive to a site started (retransmissions
/// and connects left out), at or after `t`.
pub fn new_requests(sim: &Sim, site: SiteId, t: Instant) -> Vec<Instant> {
    let all: Vec<_> = sim
        .traffic_to(site)
        .filter(|r| r.at >= t && (r.is_keepalive() || r.method().is_some()))
        .collect();
    first_transmissions(all).into_iter().map(|r| r.at).collect()
}

/// The RFC 5626 §4.5 ceiling after `failures` failures:
/// `min(max, base·2^(failures-1))`.
pub fn backoff_ceiling(base: Duration, max: Duration, failures: u32) -> Duration {
    let exp = failures.saturating_sub(1).min(20);
    base.saturating_mul(1 << exp).min(max)
}

/// Checks that the gaps between attempts follow the back-off: gap `j`
/// lies in `[0.5, 1.0]·ceiling(j + first)` (plus `slack` for the round
/// trip that reveals each failure), for `first` 1 or 2 (whether the
/// failure that made the site down counts as the first). Returns the
/// failing gap's description, if no `first` fits.
pub fn check_backoff(
    attempts: &[Instant],
    base: Duration,
    max: Duration,
    slack: Duration,
) -> Result<(), String> {
    let gaps: Vec<Duration> = attempts.windows(2).map(|w| w[1] - w[0]).collect();
    let mut why = String::new();
    for first in 1..=2u32 {
        let bad = gaps.iter().enumerate().find(|(j, g)| {
            let c = backoff_ceiling(base, max, *j as u32 + first);
            **g < c / 2 || **g > c + slack
        });
        match bad {
            None => return Ok(()),
            Some((j, g)) => {
                let c = backoff_ceiling(base, max, j as u32 + first);
                why.push_str(&format!(
                    "counting from failure {first}: gap {j} is {g:?}, not in [{:?}, {:?}]; ",
                    c / 2,
                    c + slack
                ));
            }
        }
    }
    Err(format!("{why}gaps {gaps:?}"))
}
