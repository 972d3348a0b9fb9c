//! Self-tests of the simulated network and the harness loop: fault rates,
//! partitions, stopped services, stream flows, determinism, the livelock
//! guard.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use geosip_core::io::{Input, Output, TransportError, TransportKind};
use geosip_core::transport::StreamFramer;
use geosip_sim::net::{Delivery, EndpointInput, NetConfig, Network, SiteInput};
use geosip_sim::scripted::{options_request, ScriptedUa};
use geosip_sim::{Agent, LinkConfig, Sim, SiteConfig, ENDPOINT_IP, ENDPOINT_UDP};

const SITE_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 1, 0, 1));

fn lossy(loss: f64, duplicate: f64, jitter_ms: u64) -> NetConfig {
    NetConfig {
        default_link: LinkConfig {
            delay: Duration::from_millis(20),
            jitter: Duration::from_millis(jitter_ms),
            loss,
            duplicate,
        },
        ..NetConfig::default()
    }
}

/// Sends `n` datagrams 1 ms apart and returns (send index, arrival) of
/// every copy delivered.
fn blast(net: &mut Network, n: u32) -> Vec<(u32, Instant)> {
    let base = Instant::now();
    let to = SocketAddr::new(SITE_IP, 5060);
    for i in 0..n {
        let at = base + Duration::from_millis(u64::from(i));
        net.send_udp_from_endpoint(at, ENDPOINT_UDP, to, i.to_be_bytes().to_vec());
    }
    let mut got = Vec::new();
    let mut t = base;
    let end = base + Duration::from_millis(u64::from(n) + 1000);
    while t < end {
        while let Some(d) = net.poll_delivery(t) {
            let Delivery::ToSite {
                input: SiteInput::Datagram { data, .. },
                ..
            } = d
            else {
                panic!("unexpected {d:?}");
            };
            got.push((u32::from_be_bytes(data.try_into().unwrap()), t));
        }
        match net.next_arrival() {
            Some(next) => t = next,
            None => break,
        }
    }
    got
}

#[test]
fn loss_and_duplication_rates_are_close_to_configured() {
    let n = 20_000;
    let mut net = Network::new(11, ENDPOINT_IP, lossy(0.2, 0.1, 0));
    net.add_host(SITE_IP, &[5060], None);
    let got = blast(&mut net, n);
    let expected = f64::from(n) * 0.8 * 1.1;
    let ratio = got.len() as f64 / expected;
    assert!((0.97..1.03).contains(&ratio), "{} of {expected}", got.len());
    let s = net.stats();
    let loss = s.datagrams_lost as f64 / f64::from(n);
    let dup = s.datagrams_duplicated as f64 / (f64::from(n) - s.datagrams_lost as f64);
    assert!((0.19..0.21).contains(&loss), "loss {loss}");
    assert!((0.09..0.11).contains(&dup), "duplication {dup}");
}

#[test]
fn jitter_reorders_within_bounds() {
    let mut net = Network::new(3, ENDPOINT_IP, lossy(0.0, 0.0, 50));
    net.add_host(SITE_IP, &[5060], None);
    let got = blast(&mut net, 2000);
    assert_eq!(got.len(), 2000);
    let order: Vec<u32> = got.iter().map(|(i, _)| *i).collect();
    let reordered = order.windows(2).filter(|w| w[1] < w[0]).count();
    assert!(reordered > 100, "only {reordered} reorderings");
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..2000).collect::<Vec<_>>());
}

fn scripted(seed: u64, net: NetConfig) -> (Sim<ScriptedUa>, SocketAddr) {
    let mut sim = Sim::with_agent(seed, net, |_| ScriptedUa::new());
    let site = sim.add_site(SiteConfig::new("sim"));
    let addr = sim.site(site).addr(TransportKind::Udp);
    (sim, addr)
}

#[test]
fn stopped_site_refuses_datagrams_after_one_rtt() {
    let (mut sim, to) = scripted(1, NetConfig::default());
    let site = geosip_sim::SiteId(0);
    sim.stop_site(site);
    let sent = sim.now();
    sim.command(|ua, _| ua.send_udp(to, options_request(ENDPOINT_UDP, to, 1)));
    sim.run_for(Duration::from_secs(2));
    let got = sim.agent().received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        got[0].1,
        EndpointInput::DatagramFailed {
            remote: to,
            error: TransportError::Refused
        }
    );
    assert_eq!(got[0].0 - sent, Duration::from_millis(50));
    assert_eq!(sim.site(site).counters().requests, 0);

    // Started again, it answers.
    sim.start_site(site);
    sim.command(|ua, _| ua.send_udp(to, options_request(ENDPOINT_UDP, to, 2)));
    sim.run_for(Duration::from_secs(1));
    assert_eq!(sim.agent().last_status(), Some(200));
    assert_eq!(sim.site(site).counters().restarts, 1);
}

#[test]
fn cut_off_site_is_silent_until_restored() {
    let (mut sim, to) = scripted(2, NetConfig::default());
    let site = geosip_sim::SiteId(0);
    sim.cut_site(site);
    sim.command(|ua, _| ua.send_udp(to, options_request(ENDPOINT_UDP, to, 1)));
    sim.run_for(Duration::from_secs(30));
    assert!(sim.agent().received().is_empty());
    assert_eq!(sim.site(site).counters().requests, 0);
    sim.restore_site(site);
    sim.command(|ua, _| ua.send_udp(to, options_request(ENDPOINT_UDP, to, 2)));
    sim.run_for(Duration::from_secs(1));
    assert_eq!(sim.agent().last_status(), Some(200));
}

#[test]
fn stream_connects_pongs_and_resets() {
    let (mut sim, to) = scripted(3, NetConfig::default());
    let site = geosip_sim::SiteId(0);
    let start = sim.now();
    let flow = sim.command(|ua, _| ua.connect(to, TransportKind::Tcp));
    sim.run_for(Duration::from_secs(1));
    let (at, connected) = &sim.agent().received()[0];
    assert!(
        matches!(connected, EndpointInput::FlowConnected { flow: f, local } if *f == flow && local.ip() == ENDPOINT_IP && local.port() >= 49152)
    );
    assert_eq!(*at - start, Duration::from_millis(50));

    sim.command(|ua, _| ua.send_stream(flow, to, StreamFramer::PING.to_vec()));
    sim.run_for(Duration::from_secs(1));
    assert_eq!(
        sim.agent().payloads().last().copied(),
        Some(StreamFramer::PONG)
    );
    assert_eq!(sim.site(site).counters().pings, 1);

    sim.command(|ua, _| ua.send_stream(flow, to, options_request(ENDPOINT_UDP, to, 5)));
    sim.run_for(Duration::from_secs(1));
    assert_eq!(sim.agent().last_status(), Some(200));
    assert_eq!(sim.site(site).requests()[0].transport, TransportKind::Tcp);

    let stopped = sim.now();
    sim.stop_site(site);
    sim.run_for(Duration::from_secs(1));
    let (at, last) = sim.agent().received().last().unwrap();
    assert_eq!(
        *last,
        EndpointInput::FlowFailed {
            flow,
            error: TransportError::Reset
        }
    );
    assert_eq!(*at - stopped, Duration::from_millis(25));

    // A connect to the stopped site is refused after one RTT.
    let refused = sim.command(|ua, _| ua.connect(to, TransportKind::Tcp));
    sim.run_for(Duration::from_secs(1));
    assert_eq!(
        sim.agent().received().last().unwrap().1,
        EndpointInput::FlowFailed {
            flow: refused,
            error: TransportError::Refused
        }
    );
    assert_eq!(sim.net().flow_count(), 0);
}

#[test]
fn cut_off_flows_go_silent_and_connects_time_out() {
    let (mut sim, to) = scripted(4, NetConfig::default());
    let site = geosip_sim::SiteId(0);
    let flow = sim.command(|ua, _| ua.connect(to, TransportKind::Tls));
    sim.run_for(Duration::from_secs(1));
    sim.cut_site(site);
    sim.command(|ua, _| ua.send_stream(flow, to, StreamFramer::PING.to_vec()));
    sim.run_for(Duration::from_secs(60));
    assert_eq!(sim.agent().received().len(), 1, "only FlowConnected");
    assert_eq!(sim.site(site).counters().pings, 0);

    let start = sim.now();
    let f2 = sim.command(|ua, _| ua.connect(to, TransportKind::Tcp));
    sim.run_for(Duration::from_secs(10));
    let (at, last) = sim.agent().received().last().unwrap();
    assert_eq!(
        *last,
        EndpointInput::FlowFailed {
            flow: f2,
            error: TransportError::ConnectTimeout
        }
    );
    assert_eq!(*at - start, Duration::from_secs(5));
    sim.command(|ua, _| {
        ua.close(flow);
    });
    sim.run_for(Duration::from_secs(1));
    assert_eq!(sim.net().flow_count(), 0);
    assert!(sim.net().misuse().is_empty(), "{:?}", sim.net().misuse());
}

#[test]
fn syn_retransmission_connects_once_the_cut_ends() {
    let (mut sim, to) = scripted(6, NetConfig::default());
    let site = geosip_sim::SiteId(0);
    sim.cut_site(site);
    let start = sim.now();
    let flow = sim.command(|ua, _| ua.connect(to, TransportKind::Tcp));
    sim.run_for(Duration::from_secs(2));
    sim.restore_site(site);
    sim.run_for(Duration::from_secs(10));
    let got = sim.agent().received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        matches!(got[0].1, EndpointInput::FlowConnected { flow: f, .. } if f == flow),
        "{got:?}"
    );
    // SYNs at 0, 1 and 3 s: the third gets through.
    assert_eq!(got[0].0 - start, Duration::from_millis(3050));
}

#[test]
fn stream_bytes_wait_out_a_short_cut_and_kill_the_flow_after_a_long_one() {
    let net = NetConfig {
        stream_give_up: Duration::from_secs(60),
        ..NetConfig::default()
    };
    let (mut sim, to) = scripted(7, net);
    let site = geosip_sim::SiteId(0);
    let flow = sim.command(|ua, _| ua.connect(to, TransportKind::Tcp));
    sim.run_for(Duration::from_secs(1));
    sim.cut_site(site);
    let pinged = sim.now();
    sim.command(|ua, _| ua.send_stream(flow, to, StreamFramer::PING.to_vec()));
    sim.run_for(Duration::from_secs(4));
    assert_eq!(sim.agent().payloads().len(), 0);
    sim.restore_site(site);
    sim.run_for(Duration::from_secs(10));
    // Retransmitted at 0.2, 0.6, 1.4, 3.0, 6.2 s after reaching the cut.
    let (at, pong) = sim.agent().received().last().unwrap();
    assert_eq!(
        *pong,
        EndpointInput::StreamData {
            flow,
            data: StreamFramer::PONG.to_vec()
        }
    );
    assert_eq!(*at - pinged, Duration::from_millis(25 + 6200 + 25));

    sim.cut_site(site);
    sim.command(|ua, _| ua.send_stream(flow, to, StreamFramer::PING.to_vec()));
    sim.run_for(Duration::from_secs(70));
    assert!(matches!(
        sim.agent().received().last().unwrap().1,
        EndpointInput::FlowFailed { flow: f, error: TransportError::Other(_) } if f == flow
    ));
    assert_eq!(sim.net().flow_count(), 0);
    assert_eq!(sim.site(site).memory().1, 0, "the site's end is gone too");
}

/// A run with loss, duplication and jitter, as a comparable trace.
fn noisy_run(seed: u64) -> Vec<(Duration, Vec<u8>)> {
    let (mut sim, to) = scripted(seed, lossy(0.3, 0.2, 40));
    for i in 0..200 {
        sim.command(|ua, _| ua.send_udp(to, options_request(ENDPOINT_UDP, to, i)));
        sim.run_for(Duration::from_millis(7));
    }
    sim.run_for(Duration::from_secs(2));
    let clock = sim.clock().clone();
    sim.agent()
        .received()
        .iter()
        .map(|(at, i)| {
            let data = match i {
                EndpointInput::Datagram { data, .. } => data.clone(),
                other => format!("{other:?}").into_bytes(),
            };
            (clock.offset(*at), data)
        })
        .collect()
}

#[test]
fn same_seed_same_trace() {
    let a = noisy_run(99);
    assert!(a.len() > 50);
    assert_eq!(a, noisy_run(99));
    assert_ne!(a, noisy_run(100));
}

#[test]
fn run_until_stops_when_the_condition_holds() {
    let (mut sim, to) = scripted(5, NetConfig::default());
    sim.command(|ua, _| ua.send_udp(to, options_request(ENDPOINT_UDP, to, 1)));
    let start = sim.now();
    assert!(sim.run_until(
        |s| s.agent().last_status() == Some(200),
        Duration::from_secs(5)
    ));
    assert_eq!(sim.now() - start, Duration::from_millis(50));
    assert!(!sim.run_until(|s| s.agent().received().len() > 1, Duration::from_secs(5)));
    assert_eq!(sim.now() - start, Duration::from_millis(5050));
}

/// An agent whose timer is always due: the livelock the guard catches.
struct Stuck(Instant);

impl Agent for Stuck {
    fn handle_input(&mut self, _: Instant, _: Input<'_>) {}
    fn handle_timeout(&mut self, _: Instant) {}
    fn poll_output(&mut self) -> Option<Output> {
        None
    }
    fn poll_timeout(&self) -> Option<Instant> {
        Some(self.0)
    }
}

#[test]
#[should_panic(expected = "(seed 4242)")]
fn livelock_guard_names_the_seed() {
    let mut sim = Sim::with_agent(4242, NetConfig::default(), Stuck);
    sim.set_max_steps_per_instant(1000);
    sim.run_for(Duration::from_secs(1));
}
