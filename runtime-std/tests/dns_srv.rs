//! RFC 3263 §4.2 in the blocking runtime: a server configured without a
//! port is found by its SRV record (`_sip._udp.<host>` or
//! `_sip._tcp.<host>`), then the target's A record, both asked of a DNS
//! responder of the test's own (`geosip_sim::dns`); the phone registers at
//! the port the SRV record names.

use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
use geosip_core::event::{ConnectionStatus, Event};
use geosip_core::io::TransportKind;
use geosip_sim::dns::{DnsResponder, Over, Zone, A, SRV};
use geosip_sim::live::LiveSite;
use geosip_sim::site::SiteConfig;
use geosip_std::{Phone, PhoneConfig};

fn wait_available(events: &Receiver<Event>) {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut seen = Vec::new();
    loop {
        match events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Event::ConnectionStatusChanged {
                status: ConnectionStatus::Available,
                ..
            }) => return,
            Ok(e) => seen.push(e),
            Err(e) => panic!("not registered through the SRV record ({e}); saw {seen:#?}"),
        }
    }
}

/// A phone that asks `dns`, with connection 0 for 1001 on `server`
/// (no port: RFC 3263 finds it).
fn phone_for(
    dns: &DnsResponder,
    server: &str,
    transport: TransportKind,
) -> (Phone, Receiver<Event>) {
    let (phone, events) = Phone::start(PhoneConfig {
        bind_udp: "127.0.0.1:0".parse().unwrap(),
        dns: Some(vec![dns.addr()]),
        shutdown_timeout: Duration::from_secs(2),
        ..Default::default()
    })
    .unwrap();
    let mut cfg = ConnectionConfig::new("1001", server, transport);
    cfg.password = Some(Secret::new("secret"));
    phone.add_connection(ConnectionId(0), cfg).unwrap();
    (phone, events)
}

#[test]
fn a_server_without_a_port_is_found_by_its_srv_record() {
    let site = LiveSite::start(
        SiteConfig::new("sip.test").user("1001", "secret"),
        "127.0.0.1".parse().unwrap(),
        0,
    )
    .unwrap();
    // A lower-priority record on a dead port must not be the one used.
    let dns = DnsResponder::start(
        Zone::sip_test(site.addr().port())
            .srv("_sip._udp.sip.test", 20, 60, 9, "backup.sip.test")
            .a("backup.sip.test", [127, 0, 0, 1]),
    )
    .unwrap();
    let (phone, events) = phone_for(&dns, "sip.test", TransportKind::Udp);
    wait_available(&events);
    dns.assert_asked(&[("_sip._udp.sip.test", SRV), ("site.sip.test", A)]);
    assert!(site.bindings().keys().any(|aor| aor.starts_with("1001@")));
    phone.shutdown();
}

/// No SRV record: the host's own A record on the default port. The
/// responder has no SRV answer, so the phone asks for the host's address
/// next; that the question is asked proves the fallback (port 5060 itself
/// is not there to answer).
#[test]
fn without_srv_records_the_host_itself_is_asked_for() {
    let dns = DnsResponder::start(Zone::default().a("nosrv.test", [127, 0, 0, 1])).unwrap();
    let (phone, _events) = phone_for(&dns, "nosrv.test", TransportKind::Tcp);
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut asked = Vec::new();
    while Instant::now() < deadline && !asked.contains(&("nosrv.test".to_owned(), A)) {
        std::thread::sleep(Duration::from_millis(20));
        asked.extend(dns.questions());
    }
    assert!(
        asked.contains(&("_sip._tcp.nosrv.test".to_owned(), SRV)),
        "{asked:?}"
    );
    assert!(asked.contains(&("nosrv.test".to_owned(), A)), "{asked:?}");
    phone.shutdown();
}

/// An answer truncated over UDP is asked for again over TCP (RFC 7766
/// §5), and its records are used.
#[test]
fn a_truncated_answer_is_asked_again_over_tcp() {
    let site = LiveSite::start(
        SiteConfig::new("sip.test").user("1001", "secret"),
        "127.0.0.1".parse().unwrap(),
        0,
    )
    .unwrap();
    let dns = DnsResponder::start(Zone::sip_test(site.addr().port()).truncate_udp()).unwrap();
    let (phone, events) = phone_for(&dns, "sip.test", TransportKind::Udp);
    wait_available(&events);
    let asked = dns.questions_over();
    for over in [Over::Udp, Over::Tcp] {
        assert!(
            asked.contains(&("_sip._udp.sip.test".to_owned(), SRV, over)),
            "{asked:?}"
        );
    }
    assert!(
        asked.contains(&("site.sip.test".to_owned(), A, Over::Tcp)),
        "{asked:?}"
    );
    phone.shutdown();
}
