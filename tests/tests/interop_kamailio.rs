//! Interop with Kamailio (issue 6): both runtimes (tokio and std), over UDP
//! and TCP, against two real sites of the test's own run from
//! `tests/interop/kamailio.cfg`:
//!
//! - both connections register (digest answered) and each site's location
//!   table shows our contact;
//! - a site whose process stops turns its connection Unavailable within
//!   keep-alive + probe timeout (1 s + 1 s here, asserted ≤ 3 s) while the
//!   other stays Available, and Available again on its own once it is back
//!   (≤ 5 s);
//! - disable unregisters (the table loses our contact) and remove stops
//!   all traffic to the site;
//! - a site behind a link cut silently (a network namespace, nftables
//!   dropping everything) turns Unavailable within the same bound and
//!   Available again once the link is mended.
//!
//! Without the peers (`scripts/install-peers.sh`) the tests pass with a
//! note, except under `CI=true` where they fail.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
use geosip_core::event::{ConnectionStatus, Event};
use geosip_core::io::TransportKind;
use geosip_core::session::{SessionId, SessionStatus};
use geosip_sim::interop::kamailio::{Kamailio, KamailioConfig};
use geosip_sim::interop::netns::Netns;
use geosip_sim::interop::{require_peers, Peer};

#[path = "common/phones.rs"]
mod phones;
use phones::{phone, Runtime, Ua};

/// Keep-alive interval and probe timeout of the connections under test.
const KEEPALIVE: Duration = Duration::from_secs(1);
/// A dead site is noticed within keep-alive + probe timeout (+ slack).
const DETECT: Duration = Duration::from_secs(3);
/// A returning site is used again within this long.
const RECOVER: Duration = Duration::from_secs(5);
/// The first registration.
const REGISTER: Duration = Duration::from_secs(5);
const AOR: &str = "1001@geosip.test";

/// User 1001 of realm geosip.test on `site`, with short keep-alive, probe
/// and retry settings so the tests run in seconds.
fn conn(site: &Kamailio, transport: TransportKind) -> ConnectionConfig {
    conn_as("1001", site, transport)
}

/// Like [`conn`] for `user` (password `secret`).
fn conn_as(user: &str, site: &Kamailio, transport: TransportKind) -> ConnectionConfig {
    let mut c = ConnectionConfig::new(user, site.server(), transport);
    c.domain = Some(site.realm().into());
    c.password = Some(Secret::new("secret"));
    c.keepalive_interval = KEEPALIVE;
    c.probe_timeout = KEEPALIVE;
    c.retry_base = Duration::from_millis(500);
    c.retry_max = Duration::from_secs(2);
    c
}

/// Waits until connection `id` is `want` (or gone, for `None`); returns how
/// long it took. Panics after `max`.
fn wait_status(
    ua: &mut dyn Ua,
    id: u32,
    want: Option<ConnectionStatus>,
    max: Duration,
) -> Duration {
    let start = Instant::now();
    loop {
        let now = ua.status(id);
        if now == want {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < max,
            "connection {id} not {want:?} within {max:?}: {now:?}"
        );
        let _ = ua.next_event(Duration::from_millis(20));
    }
}

/// Waits until `cond` holds, up to `max`; whether it did.
fn eventually(max: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < max {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    cond()
}

fn loopback(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
}

/// Register on two sites, lose site 1 and get it back, then disable
/// connection 0 and remove connection 1.
fn two_sites(runtime: Runtime, transport: TransportKind) {
    if !require_peers(&[Peer::Kamailio]) {
        return;
    }
    let t0 = Instant::now();
    let mut site1 = Kamailio::start(KamailioConfig::new(loopback(1))).unwrap();
    let site2 = Kamailio::start(KamailioConfig::new(loopback(2))).unwrap();
    let ua = &mut *phone(runtime, loopback(1));
    ua.add(0, conn(&site1, transport));
    ua.add(1, conn(&site2, transport));
    let available = Some(ConnectionStatus::Available);
    wait_status(ua, 0, available, REGISTER);
    wait_status(ua, 1, available, REGISTER);
    assert!(eventually(Duration::from_secs(1), || site1.has_contact(AOR)));
    assert!(site2.has_contact(AOR), "{:?}", site2.location());

    // Site 1's process stops.
    let down = Instant::now();
    site1.stop();
    let took = wait_status(ua, 0, Some(ConnectionStatus::Unavailable), DETECT);
    eprintln!("site down noticed in {:?}", down.elapsed());
    assert!(took <= DETECT);
    assert_eq!(ua.status(1), available, "site 2 must not suffer");

    // It comes back (empty location table): re-registered on its own.
    site1.restart().unwrap();
    let took = wait_status(ua, 0, available, RECOVER);
    eprintln!("site back used again in {took:?}");
    assert!(eventually(Duration::from_secs(1), || site1.has_contact(AOR)));
    assert_eq!(ua.status(1), available);

    // Disable: the unregister is honoured.
    ua.disable(0);
    wait_status(
        ua,
        0,
        Some(ConnectionStatus::Disabled),
        Duration::from_secs(1),
    );
    assert!(
        eventually(Duration::from_secs(2), || !site1.has_contact(AOR)),
        "site 1 still has our contact after disable: {:?}",
        site1.location()
    );

    // Remove: the binding goes and no request reaches site 2 afterwards
    // (three keep-alive intervals, no probe, no re-register).
    ua.remove(1);
    wait_status(ua, 1, None, Duration::from_secs(1));
    assert!(
        eventually(Duration::from_secs(2), || !site2.has_contact(AOR)),
        "{:?}",
        site2.location()
    );
    std::thread::sleep(Duration::from_millis(300));
    let before = site2.statistic("rcv_requests").unwrap();
    let disabled_before = site1.statistic("rcv_requests").unwrap();
    std::thread::sleep(KEEPALIVE * 3);
    assert_eq!(site2.statistic("rcv_requests").unwrap(), before);
    assert_eq!(site1.statistic("rcv_requests").unwrap(), disabled_before);
    assert!(!site1.has_contact(AOR) && !site2.has_contact(AOR));
    eprintln!("{runtime:?}/{transport}: two sites in {:?}", t0.elapsed());
}

/// A site behind a WAN link that is cut silently, then mended.
fn silent_cutoff(runtime: Runtime, transport: TransportKind) {
    if !require_peers(&[Peer::Kamailio, Peer::Netns]) {
        return;
    }
    let t0 = Instant::now();
    let ns = Netns::create().unwrap();
    let far = Kamailio::start(KamailioConfig::in_netns(ns.name(), ns.ns_ip())).unwrap();
    let near = Kamailio::start(KamailioConfig::new(loopback(1))).unwrap();
    let ua = &mut *phone(runtime, ns.host_ip());
    ua.add(0, conn(&far, transport));
    ua.add(1, conn(&near, transport));
    let available = Some(ConnectionStatus::Available);
    wait_status(ua, 0, available, REGISTER);
    wait_status(ua, 1, available, REGISTER);
    assert!(eventually(Duration::from_secs(1), || far.has_contact(AOR)));

    ns.cut().unwrap();
    let took = wait_status(ua, 0, Some(ConnectionStatus::Unavailable), DETECT);
    eprintln!("silent cut noticed in {took:?}");
    assert_eq!(ua.status(1), available, "the near site must not suffer");

    ns.mend().unwrap();
    let took = wait_status(ua, 0, available, RECOVER);
    eprintln!("mended link used again in {took:?}");
    assert_eq!(ua.status(1), available);
    eprintln!(
        "{runtime:?}/{transport}: silent cut-off in {:?}",
        t0.elapsed()
    );
}

/// Waits for an event `pick` picks, up to `max`.
fn wait_event<T>(ua: &mut dyn Ua, max: Duration, mut pick: impl FnMut(&Event) -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        let left = max.saturating_sub(start.elapsed());
        match ua.next_event(left) {
            Some(e) => {
                if let Some(t) = pick(&e) {
                    return t;
                }
            }
            None => panic!("no such event within {max:?}"),
        }
    }
}

fn session_status(call: SessionId, want: SessionStatus) -> impl FnMut(&Event) -> Option<()> {
    move |e| match e {
        Event::SessionStatusChanged {
            session, status, ..
        } if *session == call && *status == want => Some(()),
        _ => None,
    }
}

/// 1001 calls 1002 through a site that challenges INVITEs (407): the
/// proxy finds 1002 in its location table and relays, record-routed; the
/// BYE follows the route set (loose routing).
fn call_through_proxy(runtime: Runtime, transport: TransportKind) {
    if !require_peers(&[Peer::Kamailio]) {
        return;
    }
    let site = Kamailio::start(KamailioConfig::new(loopback(1)).with_invite_auth()).unwrap();
    let ua = &mut *phone(runtime, loopback(1));
    ua.add(0, conn_as("1001", &site, transport));
    ua.add(1, conn_as("1002", &site, transport));
    wait_status(ua, 0, Some(ConnectionStatus::Available), REGISTER);
    wait_status(ua, 1, Some(ConnectionStatus::Available), REGISTER);
    assert!(eventually(Duration::from_secs(1), || site
        .has_contact("1002@geosip.test")));

    let call = ua.dial(0, "1002");
    let (incoming, on) = wait_event(ua, Duration::from_secs(5), |e| match e {
        Event::IncomingCall {
            session,
            connection,
            ..
        } => Some((*session, *connection)),
        _ => None,
    });
    assert_eq!(on, ConnectionId(1));
    ua.answer(incoming);
    wait_event(
        ua,
        Duration::from_secs(5),
        session_status(call, SessionStatus::Connected),
    );
    // The INVITE was challenged (407, answered) and relayed once.
    assert!(site.statistic("fwd_requests").unwrap() >= 1);
    ua.hangup(call);
    wait_event(
        ua,
        Duration::from_secs(5),
        session_status(incoming, SessionStatus::Disconnected),
    );
}

#[test]
fn tokio_udp_call_through_proxy_with_407() {
    call_through_proxy(Runtime::Tokio, TransportKind::Udp);
}

#[test]
fn std_tcp_call_through_proxy_with_407() {
    call_through_proxy(Runtime::Std, TransportKind::Tcp);
}

#[test]
fn tokio_udp_two_sites() {
    two_sites(Runtime::Tokio, TransportKind::Udp);
}

#[test]
fn tokio_tcp_two_sites() {
    two_sites(Runtime::Tokio, TransportKind::Tcp);
}

#[test]
fn std_udp_two_sites() {
    two_sites(Runtime::Std, TransportKind::Udp);
}

#[test]
fn std_tcp_two_sites() {
    two_sites(Runtime::Std, TransportKind::Tcp);
}

#[test]
fn tokio_udp_silent_cutoff() {
    silent_cutoff(Runtime::Tokio, TransportKind::Udp);
}

#[test]
fn tokio_tcp_silent_cutoff() {
    silent_cutoff(Runtime::Tokio, TransportKind::Tcp);
}

#[test]
fn std_udp_silent_cutoff() {
    silent_cutoff(Runtime::Std, TransportKind::Udp);
}

#[test]
fn std_tcp_silent_cutoff() {
    silent_cutoff(Runtime::Std, TransportKind::Tcp);
}
