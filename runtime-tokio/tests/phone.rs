//! The tokio Phone against geosip's own sites served on loopback sockets
//! (`geosip_sim::live::LiveSite`): registration with digest auth over UDP
//! and TCP, a site going down and coming back, calls both ways, and a
//! graceful shutdown that unregisters.

use std::time::Duration;

use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
use geosip_core::event::{ConnectionStatus, Event};
use geosip_core::io::TransportKind;
use geosip_core::session::SessionStatus;
use geosip_sim::live::LiveSite;
use geosip_sim::site::{FarEnd, SiteCallOptions, SiteConfig};
use geosip_tokio::{Events, Phone, PhoneConfig, StreamExt};

fn site(ip: &str) -> LiveSite {
    let cfg = SiteConfig::new("live.test")
        .user("1001", "secret")
        .user("1002", "secret")
        .far_end("2000", FarEnd::answer(Duration::from_millis(200)));
    LiveSite::start(cfg, ip.parse().unwrap(), 0).unwrap()
}

fn conn(user: &str, site: &LiveSite, transport: TransportKind) -> ConnectionConfig {
    let mut c = ConnectionConfig::new(user, site.addr().to_string(), transport);
    c.password = Some(Secret::new("secret"));
    c.keepalive_interval = Duration::from_millis(500);
    c.probe_timeout = Duration::from_millis(500);
    c.retry_base = Duration::from_millis(300);
    c
}

async fn phone() -> (Phone, Events) {
    Phone::start(PhoneConfig {
        bind_udp: "127.0.0.1:0".parse().unwrap(),
        ..Default::default()
    })
    .await
    .unwrap()
}

/// Waits for an event that `pred` picks, up to `max`.
async fn until<T>(
    events: &mut Events,
    max: Duration,
    mut pred: impl FnMut(&Event) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + max;
    loop {
        match tokio::time::timeout_at(deadline, events.next()).await {
            Ok(Some(e)) => {
                if let Some(t) = pred(&e) {
                    return t;
                }
            }
            other => panic!("no such event within {max:?}: {other:?}"),
        }
    }
}

fn status(id: ConnectionId, want: ConnectionStatus) -> impl FnMut(&Event) -> Option<()> {
    move |e| match e {
        Event::ConnectionStatusChanged { id: i, status, .. } if *i == id && *status == want => {
            Some(())
        }
        _ => None,
    }
}

#[tokio::test]
async fn registers_over_udp_and_tcp_fails_over_and_recovers() {
    let a = site("127.0.0.1");
    let b = site("127.0.0.1");
    let (phone, mut events) = phone().await;
    phone
        .add_connection(ConnectionId(0), conn("1001", &a, TransportKind::Udp))
        .await
        .unwrap();
    phone
        .add_connection(ConnectionId(1), conn("1002", &b, TransportKind::Tcp))
        .await
        .unwrap();
    // Both Available, in whichever order (TCP may finish first).
    let mut up = [false; 2];
    until(&mut events, Duration::from_secs(5), |e| match e {
        Event::ConnectionStatusChanged {
            id,
            status: ConnectionStatus::Available,
            ..
        } if id.0 < 2 => {
            up[id.0 as usize] = true;
            (up == [true; 2]).then_some(())
        }
        _ => None,
    })
    .await;
    assert!(a.bindings().keys().any(|aor| aor.starts_with("1001@")));
    assert!(b.bindings().keys().any(|aor| aor.starts_with("1002@")));

    // Site A stops answering: Unavailable within keep-alive + probe timeout.
    let t = tokio::time::Instant::now();
    a.set_running(false);
    until(
        &mut events,
        Duration::from_secs(5),
        status(ConnectionId(0), ConnectionStatus::Unavailable),
    )
    .await;
    assert!(
        t.elapsed() <= Duration::from_millis(1500),
        "{:?}",
        t.elapsed()
    );
    let infos = phone.connections().await.unwrap();
    assert_eq!(infos[1].status, ConnectionStatus::Available);

    // A dial on connection 0 goes out through site B and is answered.
    let call = phone.dial(ConnectionId(0), "2000").await.unwrap();
    let conn_of_call = until(&mut events, Duration::from_secs(5), |e| match e {
        Event::SessionStatusChanged {
            session,
            connection,
            status: SessionStatus::Connected,
            ..
        } if *session == call => Some(*connection),
        _ => None,
    })
    .await;
    assert_eq!(conn_of_call, ConnectionId(1));

    // Site A comes back: Available again on its own.
    a.set_running(true);
    until(
        &mut events,
        Duration::from_secs(5),
        status(ConnectionId(0), ConnectionStatus::Available),
    )
    .await;

    // An inbound call on connection 1 rings while the first talks.
    let opts = SiteCallOptions::default();
    b.with_site(move |s, now| {
        let (r, out) = s.call_user(now, "1002", opts);
        (r.is_ok(), out)
    });
    let (incoming, on) = until(&mut events, Duration::from_secs(5), |e| match e {
        Event::IncomingCall {
            session,
            connection,
            ..
        } => Some((*session, *connection)),
        _ => None,
    })
    .await;
    assert_eq!(on, ConnectionId(1));
    phone.answer(incoming).await.unwrap();
    until(&mut events, Duration::from_secs(5), |e| match e {
        Event::SessionStatusChanged {
            session,
            status: SessionStatus::Held,
            ..
        } if *session == call => Some(()),
        _ => None,
    })
    .await;

    // Shutdown unregisters both.
    phone.shutdown().await;
    assert!(!a.bindings().keys().any(|aor| aor.starts_with("1001@")));
    assert!(!b.bindings().keys().any(|aor| aor.starts_with("1002@")));
    assert!(matches!(
        phone.sessions().await,
        Err(geosip_tokio::PhoneError::Stopped)
    ));
}
