//! The two built-in SIP sites: the simulator's registrar (digest auth)
//! and far-end phones, served on real loopback UDP and TCP sockets, so
//! that the QuickStart needs no outside server.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use anyhow::{bail, Context};
use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
use geosip_core::io::TransportKind;
use geosip_sim::live::LiveSite;
use geosip_sim::site::{FarEnd, SiteCallOptions, SiteConfig};

/// Every built-in user's password.
pub const PASSWORD: &str = "secret";
/// The users: connection N is user `USERS[N]` on site N.
pub const USERS: [&str; 2] = ["1001", "1002"];
/// The default port of both sites (each on its own loopback address).
pub const DEFAULT_PORT: u16 = 5070;

/// The sites, indexed like the connections.
pub struct BuiltIn {
    pub sites: Vec<LiveSite>,
}

fn site_ip(n: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1 + n as u8))
}

impl BuiltIn {
    /// Starts both sites, on `ports` (0: any free port). A port that is
    /// taken falls back to a free one, unless it was asked for explicitly.
    pub fn start(ports: Option<[u16; 2]>) -> anyhow::Result<BuiltIn> {
        let mut sites = Vec::new();
        for n in 0..2 {
            let config = SiteConfig::new(format!("site{n}.geosip.local"))
                .user(USERS[0], PASSWORD)
                .user(USERS[1], PASSWORD);
            let mut config = config;
            config.far_end_default = FarEnd::answer(Duration::from_millis(1500));
            let wanted = ports.map_or(DEFAULT_PORT, |p| p[n]);
            let mut ip = site_ip(n);
            let mut started = LiveSite::start(config.clone(), ip, wanted);
            if started.is_err() && n == 1 {
                // Some systems only answer on 127.0.0.1: share it.
                ip = site_ip(0);
                started = LiveSite::start(config.clone(), ip, wanted);
            }
            let site = match started {
                Ok(s) => s,
                Err(e) if ports.is_none() => LiveSite::start(config, ip, 0)
                    .with_context(|| format!("starting built-in site {n} ({e})"))?,
                Err(e) => bail!(
                    "built-in site {n} cannot listen on {ip}:{wanted}: {e}; \
                     pick free ports with --ports A,B (0 = any)"
                ),
            };
            sites.push(site);
        }
        Ok(BuiltIn { sites })
    }

    /// The connection config of connection `n` on site `n`: UDP for the
    /// first, TCP for the second, short keep-alives so that a site going
    /// down shows within seconds.
    pub fn connection(&self, n: usize) -> Option<(ConnectionId, ConnectionConfig)> {
        let site = self.sites.get(n)?;
        let transport = if n == 0 {
            TransportKind::Udp
        } else {
            TransportKind::Tcp
        };
        let mut cfg = ConnectionConfig::new(USERS[n % 2], site.addr().to_string(), transport);
        cfg.password = Some(Secret::new(PASSWORD));
        cfg.keepalive_interval = Duration::from_secs(2);
        cfg.probe_timeout = Duration::from_secs(2);
        cfg.retry_base = Duration::from_secs(1);
        cfg.reg_interval = Duration::from_secs(600);
        Some((ConnectionId(n as u32), cfg))
    }

    /// The address of site `n`.
    pub fn addr(&self, n: usize) -> Option<SocketAddr> {
        self.sites.get(n).map(|s| s.addr())
    }

    /// Stops or starts site `n`'s service.
    pub fn set_up(&self, n: usize, up: bool) -> anyhow::Result<()> {
        let site = self
            .sites
            .get(n)
            .with_context(|| format!("no built-in site {n}"))?;
        site.set_running(up);
        Ok(())
    }

    /// Has a far-end user (5000) call `user` through site `n`.
    pub fn call_in(&self, n: usize, user: &str) -> anyhow::Result<()> {
        let site = self
            .sites
            .get(n)
            .with_context(|| format!("no built-in site {n}"))?;
        let user = user.to_owned();
        site.with_site(move |s, now| {
            let (r, out) = s.call_user(now, &user, SiteCallOptions::default());
            (r.map(|_| ()).map_err(|e| format!("{e:?}")), out)
        })
        .map_err(|e| anyhow::anyhow!("site {n} cannot place the call: {e}"))
    }
}
