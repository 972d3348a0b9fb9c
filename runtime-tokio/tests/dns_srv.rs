//! RFC 3263 §4.2 through hickory: a server configured without a port is
//! found by its SRV record (`_sip._udp.<host>`), then the target's A
//! record; a tiny DNS responder of the test's own (`geosip_sim::dns`)
//! answers both, and the phone registers at the port the SRV record names.

use std::time::Duration;

use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
use geosip_core::event::{ConnectionStatus, Event};
use geosip_core::io::TransportKind;
use geosip_sim::dns::{DnsResponder, Over, Zone, A, SRV};
use geosip_sim::live::LiveSite;
use geosip_sim::site::SiteConfig;
use geosip_tokio::{Phone, PhoneConfig, StreamExt};

/// Starts a live site for 1001 and a DNS responder for it (`truncate`:
/// over UDP only truncated answers), registers through SRV, and returns
/// the responder once the connection is Available.
async fn register_through_srv(truncate: bool) -> DnsResponder {
    let site = LiveSite::start(
        SiteConfig::new("sip.test").user("1001", "secret"),
        "127.0.0.1".parse().unwrap(),
        0,
    )
    .unwrap();
    let zone = Zone::sip_test(site.addr().port());
    let dns = DnsResponder::start(if truncate { zone.truncate_udp() } else { zone }).unwrap();
    let (phone, mut events) = Phone::start(PhoneConfig {
        bind_udp: "127.0.0.1:0".parse().unwrap(),
        dns: Some(vec![dns.addr()]),
        ..Default::default()
    })
    .await
    .unwrap();
    let mut cfg = ConnectionConfig::new("1001", "sip.test", TransportKind::Udp);
    cfg.password = Some(Secret::new("secret"));
    phone.add_connection(ConnectionId(0), cfg).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match tokio::time::timeout_at(deadline, events.next()).await {
            Ok(Some(Event::ConnectionStatusChanged {
                status: ConnectionStatus::Available,
                ..
            })) => break,
            Ok(Some(_)) => {}
            other => panic!("not registered through the SRV record: {other:?}"),
        }
    }
    assert!(site.bindings().keys().any(|aor| aor.starts_with("1001@")));
    phone.shutdown().await;
    dns
}

#[tokio::test]
async fn a_server_without_a_port_is_found_by_its_srv_record() {
    let dns = register_through_srv(false).await;
    dns.assert_asked(&[("_sip._udp.sip.test", SRV), ("site.sip.test", A)]);
}

/// hickory asks again over TCP when the UDP answer is truncated.
#[tokio::test]
async fn a_truncated_answer_is_asked_again_over_tcp() {
    let dns = register_through_srv(true).await;
    let asked = dns.questions_over();
    assert!(
        asked.contains(&("_sip._udp.sip.test".to_owned(), SRV, Over::Tcp)),
        "{asked:?}"
    );
}
