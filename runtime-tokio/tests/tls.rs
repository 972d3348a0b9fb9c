//! TLS through rustls: a site behind a TLS front end whose certificate
//! comes from the test's own CA. With that CA configured, the phone
//! registers and calls over TLS (server name `localhost`, resolved by
//! hickory); with only the public roots, the handshake fails with a clear
//! transport error and the connection is Unavailable.

use std::sync::Arc;
use std::time::Duration;

use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
use geosip_core::event::{ConnectionStatus, Event, StatusReason};
use geosip_core::io::{TransportError, TransportKind};
use geosip_core::session::SessionStatus;
use geosip_sim::live::LiveSite;
use geosip_sim::site::{FarEnd, SiteConfig};
use geosip_tokio::{Events, Phone, PhoneConfig, StreamExt, TlsConfig};
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};

/// A CA, and a certificate for localhost signed by it.
fn pki() -> (
    CertificateDer<'static>,
    CertificateDer<'static>,
    PrivateKeyDer<'static>,
) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    (
        ca.der().clone(),
        leaf.der().clone(),
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
}

/// A TLS front end on loopback that passes the plain stream to `backend`.
async fn tls_front(
    leaf: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
    backend: std::net::SocketAddr,
) -> u16 {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut plain) = TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    port
}

async fn status_event(events: &mut Events, want: ConnectionStatus) -> StatusReason {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match tokio::time::timeout_at(deadline, events.next()).await {
            Ok(Some(Event::ConnectionStatusChanged { status, reason, .. })) if status == want => {
                return reason
            }
            Ok(Some(_)) => {}
            other => panic!("no {want} within 5 s: {other:?}"),
        }
    }
}

fn connection(port: u16) -> ConnectionConfig {
    let mut c = ConnectionConfig::new("1001", format!("localhost:{port}"), TransportKind::Tls);
    c.password = Some(Secret::new("secret"));
    c
}

#[tokio::test]
async fn registers_and_calls_over_tls_with_our_own_ca_and_refuses_a_stranger() {
    let site = LiveSite::start(
        SiteConfig::new("tls.test")
            .user("1001", "secret")
            .far_end("2000", FarEnd::answer(Duration::from_millis(100))),
        "127.0.0.1".parse().unwrap(),
        0,
    )
    .unwrap();
    let (ca, leaf, key) = pki();
    let port = tls_front(leaf, key, site.addr()).await;

    let (phone, mut events) = Phone::start(PhoneConfig {
        bind_udp: "127.0.0.1:0".parse().unwrap(),
        tls: TlsConfig::only(vec![ca]),
        ..Default::default()
    })
    .await
    .unwrap();
    phone
        .add_connection(ConnectionId(0), connection(port))
        .await
        .unwrap();
    status_event(&mut events, ConnectionStatus::Available).await;
    assert!(site.bindings().keys().any(|aor| aor.starts_with("1001@")));
    let call = phone.dial(ConnectionId(0), "2000").await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match tokio::time::timeout_at(deadline, events.next()).await {
            Ok(Some(Event::SessionStatusChanged {
                session,
                status: SessionStatus::Connected,
                ..
            })) if session == call => break,
            Ok(Some(_)) => {}
            other => panic!("the TLS call did not connect: {other:?}"),
        }
    }
    phone.shutdown().await;

    // Only the public roots: our CA is a stranger, the handshake fails.
    let (phone, mut events) = Phone::start(PhoneConfig {
        bind_udp: "127.0.0.1:0".parse().unwrap(),
        ..Default::default()
    })
    .await
    .unwrap();
    phone
        .add_connection(ConnectionId(0), connection(port))
        .await
        .unwrap();
    let reason = status_event(&mut events, ConnectionStatus::Unavailable).await;
    match reason {
        StatusReason::Transport(TransportError::Tls(why)) => {
            assert!(why.to_lowercase().contains("certificate"), "{why}");
        }
        other => panic!("not a TLS error: {other:?}"),
    }
    phone.shutdown().await;
}
