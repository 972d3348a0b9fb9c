//! Failover scenarios against the Endpoint: a site that stops or is cut
//! off is reported Unavailable once and in time, is retried with RFC 5626
//! §4.5 back-off while cheap probes go on, is used again within seconds of
//! its return, and is retried at least once per `reg_interval`.

use std::time::Duration;

use geosip_core::connection::ConnectionConfig;
use geosip_core::event::ConnectionStatus;
use geosip_core::io::TransportKind;
use geosip_sim::net::LinkConfig;
use geosip_sim::scenario::{
    check_backoff, is_available, new_requests, register_attempts, status_log, statuses_since,
    two_sites, two_sites_with, until_both_available, TwoSites,
};
use geosip_sim::{Sim, SiteId};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Outage {
    /// The service stops (ports closed) and later restarts.
    Stop,
    /// The site is cut off and later restored.
    Cut,
}

fn begin(sim: &mut Sim, site: SiteId, kind: Outage) {
    match kind {
        Outage::Stop => sim.stop_site(site),
        Outage::Cut => sim.cut_site(site),
    }
}

fn end(sim: &mut Sim, site: SiteId, kind: Outage) {
    match kind {
        Outage::Stop => sim.start_site(site),
        Outage::Cut => sim.restore_site(site),
    }
}

fn registered(seed: u64, transport: TransportKind) -> (Sim, TwoSites) {
    let mut sim = Sim::new(seed);
    let s = two_sites(&mut sim, transport);
    until_both_available(&mut sim, &s, Duration::from_secs(5));
    // Settle into keep-alives.
    sim.run_for(Duration::from_secs(12));
    (sim, s)
}

/// Site 1 goes down: exactly one Unavailable for connection 1 within
/// `bound`, nothing for connection 2.
fn down_is_reported_once(seed: u64, transport: TransportKind, kind: Outage, bound: Duration) {
    let (mut sim, s) = registered(seed, transport);
    let t = sim.now();
    begin(&mut sim, s.sites[0], kind);
    sim.run_for(Duration::from_secs(90));
    let events = statuses_since(&sim, s.conns[0], t);
    let ctx = format!("{transport} {kind:?}:\n{}", status_log(&sim));
    assert_eq!(events.len(), 1, "{ctx}");
    assert_eq!(events[0].status, ConnectionStatus::Unavailable, "{ctx}");
    assert!(
        events[0].at - t <= bound,
        "after {:?}: {ctx}",
        events[0].at - t
    );
    assert!(statuses_since(&sim, s.conns[1], t).is_empty(), "{ctx}");
    assert!(is_available(&sim, s.conns[1]));
}

#[test]
fn stopped_udp_site_is_unavailable_within_10_s() {
    down_is_reported_once(
        100,
        TransportKind::Udp,
        Outage::Stop,
        Duration::from_secs(10),
    );
}

#[test]
fn cut_off_udp_site_is_unavailable_within_10_s() {
    down_is_reported_once(
        101,
        TransportKind::Udp,
        Outage::Cut,
        Duration::from_secs(10),
    );
}

#[test]
fn reset_tcp_and_tls_flows_are_unavailable_within_2_s() {
    down_is_reported_once(
        102,
        TransportKind::Tcp,
        Outage::Stop,
        Duration::from_secs(2),
    );
    down_is_reported_once(
        103,
        TransportKind::Tls,
        Outage::Stop,
        Duration::from_secs(2),
    );
}

#[test]
fn cut_off_stream_site_is_unavailable_within_10_s() {
    down_is_reported_once(
        104,
        TransportKind::Tcp,
        Outage::Cut,
        Duration::from_secs(10),
    );
}

#[test]
fn retries_follow_rfc5626_backoff_while_probes_continue() {
    let (mut sim, s) = registered(110, TransportKind::Udp);
    let t = sim.now();
    sim.stop_site(s.sites[0]);
    sim.run_for(Duration::from_secs(240));
    let defaults = ConnectionConfig::new("x", "h", TransportKind::Udp);
    let attempts = register_attempts(&sim, s.sites[0], t);
    assert!(
        attempts.len() >= 5,
        "only {} REGISTER attempts to the down site in 4 minutes",
        attempts.len()
    );
    let slack = LinkConfig::default().rtt() + Duration::from_millis(100);
    if let Err(e) = check_backoff(&attempts, defaults.retry_base, defaults.retry_max, slack) {
        panic!("{e}\n{}", status_log(&sim));
    }
    // The gaps reach the cap.
    let longest = attempts.windows(2).map(|w| w[1] - w[0]).max().unwrap();
    assert!(longest >= defaults.retry_max / 2);
    // Cheap probes fill the long gaps, so a return is seen within seconds.
    let all = new_requests(&sim, s.sites[0], t);
    assert!(all.len() > attempts.len(), "no probes between REGISTERs");
    let widest = all.windows(2).map(|w| w[1] - w[0]).max().unwrap();
    assert!(widest <= Duration::from_secs(5), "probe gap {widest:?}");
}

/// Site 1 is down for `outage`, then back: Available within 5 s.
fn comes_back(seed: u64, transport: TransportKind, kind: Outage, outage: Duration) {
    let (mut sim, s) = registered(seed, transport);
    begin(&mut sim, s.sites[0], kind);
    sim.run_for(outage);
    let ctx = format!("{transport} {kind:?} {outage:?}");
    assert!(
        !is_available(&sim, s.conns[0]),
        "{ctx}: still Available:\n{}",
        status_log(&sim)
    );
    end(&mut sim, s.sites[0], kind);
    let back = sim.now();
    let ok = sim.run_until(|sim| is_available(sim, s.conns[0]), Duration::from_secs(5));
    assert!(ok, "{ctx}: not Available within 5 s:\n{}", status_log(&sim));
    assert!(sim.site(s.sites[0]).is_bound(sim.now(), s.users[0]));
    assert!(sim.now() - back <= Duration::from_secs(5));
    assert!(is_available(&sim, s.conns[1]));
}

#[test]
fn returning_site_is_used_within_5_s_udp() {
    for (i, secs) in [30, 120, 300].into_iter().enumerate() {
        for (j, kind) in [Outage::Stop, Outage::Cut].into_iter().enumerate() {
            let seed = 120 + (i * 2 + j) as u64;
            comes_back(seed, TransportKind::Udp, kind, Duration::from_secs(secs));
        }
    }
}

#[test]
fn returning_site_is_used_within_5_s_tcp() {
    for (i, secs) in [30, 120, 300].into_iter().enumerate() {
        for (j, kind) in [Outage::Stop, Outage::Cut].into_iter().enumerate() {
            let seed = 130 + (i * 2 + j) as u64;
            comes_back(seed, TransportKind::Tcp, kind, Duration::from_secs(secs));
        }
    }
}

/// With `reg_interval` of `interval`, a down site is retried at least that
/// often.
fn retried_every(seed: u64, interval: Duration, kind: Outage) {
    let mut sim = Sim::new(seed);
    let s = two_sites_with(&mut sim, TransportKind::Udp, |_, c| {
        c.reg_interval = interval
    });
    for site in s.sites {
        sim.site_mut(site).config_mut().min_expires = 1;
    }
    until_both_available(&mut sim, &s, Duration::from_secs(5));
    sim.run_for(Duration::from_secs(30));
    let t = sim.now();
    begin(&mut sim, s.sites[0], kind);
    sim.run_for(Duration::from_secs(180));
    let times = match kind {
        Outage::Stop => register_attempts(&sim, s.sites[0], t),
        // Cut off, nothing fails fast: a transaction runs its full timeout,
        // and each retransmission would reach a returned site, so any
        // packet counts as a retry.
        Outage::Cut => sim
            .traffic_to(s.sites[0])
            .filter(|r| r.at >= t)
            .map(|r| r.at)
            .collect(),
    };
    let end = sim.now();
    assert!(!times.is_empty(), "{kind:?}: never retried");
    let mut gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    gaps.push(end - *times.last().unwrap());
    let widest = gaps.into_iter().max().unwrap();
    assert!(
        widest <= interval + Duration::from_secs(1),
        "{kind:?} reg_interval {interval:?}: a gap of {widest:?}\n{}",
        status_log(&sim)
    );
}

#[test]
fn reg_interval_10_s_retries_at_least_every_10_s() {
    retried_every(140, Duration::from_secs(10), Outage::Stop);
    retried_every(141, Duration::from_secs(10), Outage::Cut);
}

#[test]
fn reg_interval_20_s_retries_at_least_every_20_s() {
    retried_every(142, Duration::from_secs(20), Outage::Stop);
    retried_every(143, Duration::from_secs(20), Outage::Cut);
}

/// A stream flow cut silently while the REGISTER with credentials waits
/// for its answer: nothing is retransmitted on a stream, so only a ping
/// (RFC 5626 §3.5.1) finds the dead flow. The connection is Unavailable
/// within two probe timeouts, not at Timer F (32 s), and registers within
/// seconds of the site's return. Found by the fault proptest (seed
/// 7013203692413339532).
#[test]
fn a_register_waiting_on_a_silently_cut_stream_is_given_up_by_a_ping() {
    for transport in [TransportKind::Tcp, TransportKind::Tls] {
        let mut sim = Sim::new(41);
        let s = two_sites(&mut sim, transport);
        let site = s.sites[0];
        // Run until the second REGISTER (the one with credentials) is out.
        assert!(sim.run_until(
            |sim| sim.traffic_to(site).filter(|r| r.is_register()).count() >= 2,
            Duration::from_secs(2)
        ));
        sim.cut_site(site);
        let cut = sim.now();
        // The probe timeout two_sites configured.
        let probe = sim
            .connection_config(site, s.users[0], transport)
            .probe_timeout;
        assert!(
            sim.run_until(
                |sim| sim.status_of(s.conns[0]) == Some(ConnectionStatus::Unavailable),
                2 * probe + Duration::from_secs(1)
            ),
            "{transport}: still {:?} at {:?} after the cut\n{}",
            sim.status_of(s.conns[0]),
            sim.now() - cut,
            status_log(&sim)
        );
        // A ping went out on the flow before it was given up.
        assert!(
            sim.traffic_to(site)
                .any(|r| r.at > cut && r.data.as_slice() == b"\r\n\r\n"),
            "{transport}: no ping after the cut"
        );
        sim.run_for(Duration::from_secs(10));
        sim.restore_site(site);
        let back = sim.now();
        assert!(
            sim.run_until(
                |sim| is_available(sim, s.conns[0]),
                probe + Duration::from_secs(1)
            ),
            "{transport}: not Available {:?} after the site came back\n{}",
            sim.now() - back,
            status_log(&sim)
        );
        assert!(is_available(&sim, s.conns[1]));
    }
}
