//! Registration scenarios against the Endpoint: registering on two sites
//! at once, removing and disabling, bad credentials, 423, 503 with
//! Retry-After, heavy loss, and byte-for-byte determinism.

use std::time::Duration;

use geosip_core::event::ConnectionStatus;
use geosip_core::io::TransportKind;
use geosip_sim::net::{LinkConfig, NetConfig};
use geosip_sim::record::first_transmissions;
use geosip_sim::scenario::{
    is_available, register_attempts, site_config, status_log, statuses_since, two_sites,
    until_both_available, PASSWORD,
};
use geosip_sim::{Sim, SiteMode};

const TRANSPORTS: [TransportKind; 3] = [TransportKind::Udp, TransportKind::Tcp, TransportKind::Tls];

#[test]
fn two_connections_register_on_two_sites_at_once() {
    for (n, transport) in TRANSPORTS.into_iter().enumerate() {
        let mut sim = Sim::new(10 + n as u64);
        let s = two_sites(&mut sim, transport);
        until_both_available(&mut sim, &s, Duration::from_secs(5));
        let now = sim.now();
        for i in 0..2 {
            let site = sim.site(s.sites[i]);
            assert!(site.is_bound(now, s.users[i]), "{transport}: binding {i}");
            assert!(
                !site.is_bound(now, s.users[1 - i]),
                "{transport}: no cross binding"
            );
            let availables = sim
                .status_events_for(s.conns[i])
                .iter()
                .filter(|e| e.status == ConnectionStatus::Available)
                .count();
            assert_eq!(availables, 1, "{transport}:\n{}", status_log(&sim));
        }
        // Both REGISTERs went out before either site answered: at once.
        let first: Vec<_> = s
            .sites
            .iter()
            .map(|&site| register_attempts(&sim, site, sim.clock().at(Duration::ZERO))[0])
            .collect();
        let rtt = LinkConfig::default().rtt();
        assert!(first[0].max(first[1]) - first[0].min(first[1]) < rtt * 2);
        // Staying registered for a while keeps them Available.
        sim.run_for(Duration::from_secs(120));
        assert!(s.conns.iter().all(|&c| is_available(&sim, c)));
    }
}

#[test]
fn remove_unregisters_and_ends_all_traffic_to_the_site() {
    for (n, transport) in TRANSPORTS.into_iter().enumerate() {
        let mut sim = Sim::new(20 + n as u64);
        let s = two_sites(&mut sim, transport);
        until_both_available(&mut sim, &s, Duration::from_secs(5));
        sim.run_for(Duration::from_secs(12));
        let removed_at = sim.now();
        sim.remove_connection(s.conns[0]).unwrap();
        sim.run_for(Duration::from_secs(300));

        let site = sim.site(s.sites[0]);
        let unregisters: Vec<_> = site
            .requests_of("REGISTER")
            .filter(|r| r.at >= removed_at && r.expires == Some(0))
            .collect();
        assert!(!unregisters.is_empty(), "{transport}: no Expires 0");
        assert!(!site.is_bound(sim.now(), s.users[0]), "{transport}");
        // After the unregister completes, nothing more.
        let done = unregisters.last().unwrap().at + LinkConfig::default().rtt();
        let late: Vec<_> = sim.traffic_to(s.sites[0]).filter(|r| r.at > done).collect();
        assert!(
            late.is_empty(),
            "{transport}: traffic after remove: {}",
            late[0].line()
        );
        let last = sim.status_events_for(s.conns[0]).pop().unwrap();
        assert_eq!(last.status, ConnectionStatus::Removed);
        assert!(is_available(&sim, s.conns[1]));
        assert!(sim.site(s.sites[1]).is_bound(sim.now(), s.users[1]));
    }
}

#[test]
fn disable_unregisters_and_enable_registers_again() {
    let mut sim = Sim::new(30);
    let s = two_sites(&mut sim, TransportKind::Udp);
    until_both_available(&mut sim, &s, Duration::from_secs(5));
    let disabled_at = sim.now();
    sim.disable_connection(s.conns[0]).unwrap();
    sim.run_for(Duration::from_secs(120));
    let site = sim.site(s.sites[0]);
    assert!(site
        .requests_of("REGISTER")
        .any(|r| r.at >= disabled_at && r.expires == Some(0)));
    assert!(!site.is_bound(sim.now(), s.users[0]));
    assert_eq!(
        sim.status_of(s.conns[0]),
        Some(ConnectionStatus::Disabled),
        "{}",
        status_log(&sim)
    );
    let quiet_from = disabled_at + Duration::from_secs(5);
    assert!(sim.traffic_to(s.sites[0]).all(|r| r.at <= quiet_from));

    let enabled_at = sim.now();
    sim.enable_connection(s.conns[0]).unwrap();
    assert!(sim.run_until(|sim| is_available(sim, s.conns[0]), Duration::from_secs(5)));
    assert!(sim.site(s.sites[0]).is_bound(sim.now(), s.users[0]));
    assert!(sim.now() - enabled_at < Duration::from_secs(5));
}

#[test]
fn wrong_password_is_reported_once_without_a_loop() {
    let mut sim = Sim::new(40);
    let site = sim.add_site(site_config(1));
    let mut cfg = sim.connection_config(site, "1001", TransportKind::Udp);
    cfg.password = Some(geosip_core::connection::Secret::new("wrong"));
    sim.add_connection(geosip_core::connection::ConnectionId(1), cfg)
        .unwrap();
    let start = sim.now();
    sim.run_for(Duration::from_secs(2));
    // One challenge round (two REGISTERs) per attempt, attempts paced by
    // the back-off (the first retry comes after 1 to 2 s).
    let early = sim.site(site).requests_of("REGISTER").count();
    assert!(early <= 4, "{early} REGISTERs in 2 s: a loop");
    sim.run_for(Duration::from_secs(118));

    let events = statuses_since(&sim, geosip_core::connection::ConnectionId(1), start);
    let unavailable: Vec<_> = events
        .iter()
        .filter(|e| e.status == ConnectionStatus::Unavailable)
        .collect();
    assert_eq!(unavailable.len(), 1, "{}", status_log(&sim));
    assert_eq!(unavailable[0].reason.code(), Some(401));
    assert!(events
        .iter()
        .all(|e| e.status != ConnectionStatus::Available));
    // With the shortest back-off waits (1, 2, 4, 8, then 15 s) at most 12
    // attempts fit in 2 minutes.
    let total = sim.site(site).requests_of("REGISTER").count();
    assert!(total <= 24, "{total} REGISTERs in 2 minutes");
}

#[test]
fn interval_too_brief_registers_again_with_min_expires() {
    let mut sim = Sim::new(50);
    let mut config = site_config(1);
    config.min_expires = 7200;
    config.max_expires = 86400;
    let site = sim.add_site(config);
    let cfg = sim.connection_config(site, "1001", TransportKind::Udp);
    let id = geosip_core::connection::ConnectionId(1);
    sim.add_connection(id, cfg).unwrap();
    assert!(
        sim.run_until(|sim| is_available(sim, id), Duration::from_secs(5)),
        "{}",
        status_log(&sim)
    );
    let expires: Vec<_> = sim
        .site(site)
        .requests_of("REGISTER")
        .filter(|r| r.has_credentials)
        .map(|r| r.expires)
        .collect();
    assert_eq!(expires.first(), Some(&Some(3600)));
    assert_eq!(expires.last(), Some(&Some(7200)));
    let now = sim.now();
    let bindings = sim.site(site).bindings(now);
    let b = &bindings.values().next().expect("a binding")[0];
    assert!(b.expires_at - now > Duration::from_secs(7000));
}

#[test]
fn retry_after_is_honoured() {
    let mut sim = Sim::new(60);
    let site = sim.add_site(site_config(1));
    sim.site_mut(site).set_mode(SiteMode::ServiceUnavailable {
        retry_after: Some(20),
    });
    let id = geosip_core::connection::ConnectionId(1);
    let cfg = sim.connection_config(site, "1001", TransportKind::Udp);
    let start = sim.now();
    sim.add_connection(id, cfg).unwrap();
    sim.run_for(Duration::from_secs(5));
    // The registrar is back early, but the client was told 20 s.
    sim.site_mut(site).set_mode(SiteMode::Normal);
    assert!(
        sim.run_until(|sim| is_available(sim, id), Duration::from_secs(30)),
        "{}",
        status_log(&sim)
    );
    let attempts = register_attempts(&sim, site, start);
    assert!(attempts.len() >= 2);
    let first_answered = attempts[0] + LinkConfig::default().rtt();
    let second = attempts[1];
    assert!(
        second - first_answered >= Duration::from_secs(20),
        "REGISTER again after {:?}",
        second - attempts[0]
    );
    let events = sim.status_events_for(id);
    assert!(events
        .iter()
        .any(|e| e.status == ConnectionStatus::Unavailable && e.reason.code() == Some(503)));
    assert!(sim.now() - start < Duration::from_secs(26));
}

#[test]
fn thirty_percent_loss_still_registers_both() {
    let net = NetConfig {
        default_link: LinkConfig {
            loss: 0.3,
            ..LinkConfig::default()
        },
        ..NetConfig::default()
    };
    for seed in 70..75 {
        let mut sim = Sim::with_config(seed, Default::default(), net.clone());
        let s = two_sites(&mut sim, TransportKind::Udp);
        until_both_available(&mut sim, &s, Duration::from_secs(120));
        for i in 0..2 {
            assert!(sim.site(s.sites[i]).is_bound(sim.now(), s.users[i]));
        }
    }
}

/// A run with loss, jitter, duplicates and faults, as raw transmits.
fn eventful_run(seed: u64) -> (Vec<String>, Vec<String>) {
    let net = NetConfig {
        default_link: LinkConfig {
            loss: 0.1,
            duplicate: 0.05,
            jitter: Duration::from_millis(30),
            ..LinkConfig::default()
        },
        ..NetConfig::default()
    };
    let mut sim = Sim::with_config(seed, Default::default(), net);
    let s = two_sites(&mut sim, TransportKind::Udp);
    sim.run_for(Duration::from_secs(20));
    sim.stop_site(s.sites[0]);
    sim.cut_site(s.sites[1]);
    sim.run_for(Duration::from_secs(40));
    sim.start_site(s.sites[0]);
    sim.restore_site(s.sites[1]);
    sim.run_for(Duration::from_secs(40));
    let events = sim
        .events()
        .iter()
        .map(|e| format!("{:?} {:?}", e.offset, e.event))
        .collect();
    (sim.trace(), events)
}

#[test]
fn same_seed_same_bytes() {
    let (a, ea) = eventful_run(80);
    let (b, eb) = eventful_run(80);
    assert!(!a.is_empty(), "the endpoint sent nothing");
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y);
    }
    assert_eq!(ea, eb);
    let (c, _) = eventful_run(81);
    assert_ne!(a, c, "another seed, another run");
}

#[test]
fn password_is_never_sent() {
    let mut sim = Sim::new(90);
    let s = two_sites(&mut sim, TransportKind::Udp);
    until_both_available(&mut sim, &s, Duration::from_secs(5));
    let needle = PASSWORD.as_bytes();
    assert!(first_transmissions(sim.traffic())
        .iter()
        .all(|r| !r.data.windows(needle.len()).any(|w| w == needle)));
}
