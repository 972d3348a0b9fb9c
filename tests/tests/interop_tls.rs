//! TLS interop with Kamailio's tls module (issue 6): the test makes its own
//! CA and a server certificate with rcgen, Kamailio presents it on a TLS
//! listener (`tests/interop/kamailio.cfg` with `WITH_TLS`), and the phones
//! trust only that CA (`TlsConfig::only`):
//!
//! - the tokio phone registers over TLS with digest auth, by name
//!   (`localhost`) and by address (`127.0.0.1`, an IP SAN), and the
//!   location table shows both contacts on Kamailio's TLS socket; 1001
//!   calls 1002 (the same phone's other TLS connection) through the
//!   record-routing proxy, 1002 answers, the call connects and hangs up;
//! - the std phone registers over TLS the same way;
//! - a phone that trusts only the public roots, or another CA, is refused:
//!   Unavailable, `TransportError::Tls` naming the certificate;
//! - a certificate for another name (`wrong.example`) is refused with a
//!   name error;
//! - a TLS site that stops is noticed and, once back, used again (a new
//!   handshake, registered again on its TLS socket).
//!
//! Without the peers (`scripts/install-peers.sh`) the tests pass with a
//! note, except under `CI=true` where they fail.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
use geosip_core::event::{ConnectionStatus, Event, StatusReason};
use geosip_core::io::{TransportError, TransportKind};
use geosip_core::session::{SessionId, SessionStatus};
use geosip_sim::interop::kamailio::{Kamailio, KamailioConfig};
use geosip_sim::interop::{require_peers, Peer};
use geosip_tokio::StreamExt;
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};

/// The first registration, the call's steps, a refused handshake.
const WAIT: Duration = Duration::from_secs(5);
const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// A CA of the test's own.
struct Ca {
    cert: rcgen::Certificate,
    key: KeyPair,
}

impl Ca {
    /// A CA named `name` (each CA its own name, as in life: a stranger's
    /// CA is then an unknown issuer, not a bad signature).
    fn new(name: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).unwrap();
        Ca { cert, key }
    }

    /// A tokio phone's TLS config trusting only this CA.
    fn tokio_only(&self) -> geosip_tokio::TlsConfig {
        geosip_tokio::TlsConfig::only(vec![self.cert.der().clone()])
    }

    /// A std phone's TLS config trusting only this CA.
    fn std_only(&self) -> geosip_std::TlsConfig {
        geosip_std::TlsConfig::only(vec![self.cert.der().clone()])
    }

    /// A server certificate for `names` (DNS names or IP addresses) signed
    /// by this CA: the certificate and key, PEM.
    fn leaf(&self, names: &[&str]) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let cert = CertificateParams::new(names)
            .unwrap()
            .signed_by(&key, &self.cert, &self.key)
            .unwrap();
        (cert.pem(), key.serialize_pem())
    }
}

/// A Kamailio on 127.0.0.1 presenting `leaf` on its TLS port.
fn site(leaf: (String, String)) -> Kamailio {
    let (cert, key) = leaf;
    Kamailio::start(KamailioConfig::new(LOCALHOST).with_tls(cert, key)).unwrap()
}

/// `user` (password `secret`) of the site's realm over TLS to `host` on
/// the site's TLS port.
fn conn(user: &str, site: &Kamailio, host: &str) -> ConnectionConfig {
    let server = format!("{host}:{}", site.tls_port().unwrap());
    let mut c = ConnectionConfig::new(user, server, TransportKind::Tls);
    c.domain = Some(site.realm().into());
    c.password = Some(Secret::new("secret"));
    c.retry_base = Duration::from_millis(500);
    c.retry_max = Duration::from_secs(2);
    c
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

/// The contacts of `aor` are registered on the site's TLS socket only.
fn assert_registered_over_tls(site: &Kamailio, aor: &str) {
    let want = format!("tls:{}", site.tls_addr().unwrap());
    assert!(
        eventually(Duration::from_secs(1), || site
            .contact_sockets(aor)
            .is_ok_and(|s| !s.is_empty())),
        "no contact for {aor}: {:?}",
        site.location()
    );
    let sockets = site.contact_sockets(aor).unwrap();
    assert!(sockets.iter().all(|s| *s == want), "{aor}: {sockets:?}");
    let contacts = &site.location().unwrap()[aor];
    assert!(
        contacts.iter().all(|c| c.contains("transport=tls")),
        "{contacts:?}"
    );
}

/// Panics unless `reason` is a TLS transport error whose text contains
/// one of `words`; returns the text.
fn tls_reason(reason: &StatusReason, words: &[&str]) -> String {
    match reason {
        StatusReason::Transport(TransportError::Tls(why)) => {
            let lower = why.to_lowercase();
            assert!(
                words.iter().any(|w| lower.contains(w)),
                "TLS error without {words:?}: {why}"
            );
            why.clone()
        }
        other => panic!("not a TLS error: {other:?}"),
    }
}

// ---- tokio -------------------------------------------------------------

async fn tokio_phone(tls: geosip_tokio::TlsConfig) -> (geosip_tokio::Phone, geosip_tokio::Events) {
    geosip_tokio::Phone::start(geosip_tokio::PhoneConfig {
        bind_udp: "127.0.0.1:0".parse().unwrap(),
        shutdown_timeout: Duration::from_secs(1),
        tls,
        ..Default::default()
    })
    .await
    .unwrap()
}

/// Waits for an event `pick` picks, up to [`WAIT`].
async fn tokio_event<T>(
    events: &mut geosip_tokio::Events,
    what: &str,
    mut pick: impl FnMut(&Event) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match tokio::time::timeout_at(deadline, events.next()).await {
            Ok(Some(e)) => {
                if let Some(t) = pick(&e) {
                    return t;
                }
            }
            other => panic!("no {what} within {WAIT:?}: {other:?}"),
        }
    }
}

fn status_of(id: u32, want: ConnectionStatus) -> impl FnMut(&Event) -> Option<StatusReason> {
    move |e| match e {
        Event::ConnectionStatusChanged {
            id: conn,
            status,
            reason,
            ..
        } if *conn == ConnectionId(id) && *status == want => Some(reason.clone()),
        _ => None,
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_registers_and_calls_over_tls() {
    if !require_peers(&[Peer::Kamailio]) {
        return;
    }
    let t0 = Instant::now();
    let ca = Ca::new("geosip interop CA");
    let site = site(ca.leaf(&["localhost", "127.0.0.1"]));
    let (phone, mut events) = tokio_phone(ca.tokio_only()).await;
    // 1001 by name, 1002 by address: both are in the certificate.
    phone
        .add_connection(ConnectionId(0), conn("1001", &site, "localhost"))
        .await
        .unwrap();
    phone
        .add_connection(ConnectionId(1), conn("1002", &site, "127.0.0.1"))
        .await
        .unwrap();
    let available = ConnectionStatus::Available;
    let mut up = [false; 2];
    while up != [true; 2] {
        let id = tokio_event(&mut events, "Available", |e| match e {
            Event::ConnectionStatusChanged { id, status, .. } if *status == available => {
                Some(id.0 as usize)
            }
            Event::ConnectionStatusChanged {
                id,
                status: ConnectionStatus::Unavailable,
                reason,
                ..
            } => panic!("connection {id:?} Unavailable: {reason:?}"),
            _ => None,
        })
        .await;
        up[id] = true;
    }
    eprintln!("both registered over TLS in {:?}", t0.elapsed());
    assert_registered_over_tls(&site, "1001@geosip.test");
    assert_registered_over_tls(&site, "1002@geosip.test");

    // 1001 calls 1002 through the proxy, over TLS both ways.
    let call = phone.dial(ConnectionId(0), "1002").await.unwrap();
    let (incoming, on) = tokio_event(&mut events, "IncomingCall", |e| match e {
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
    tokio_event(
        &mut events,
        "Connected",
        session_status(call, SessionStatus::Connected),
    )
    .await;
    phone.hangup(call).await.unwrap();
    tokio_event(
        &mut events,
        "callee Disconnected",
        session_status(incoming, SessionStatus::Disconnected),
    )
    .await;
    // Record-routed: the ACK and the BYE came through the proxy too.
    for method in ["invite", "ack", "bye"] {
        let name = format!("rcv_requests_{method}");
        let n = site.statistic(&name).unwrap();
        assert!(n >= 1, "{name} = {n}");
    }
    // All of it over the phone's two TLS connections: Kamailio reached
    // 1002 over the connection 1002 registered on, opened none of its own.
    let list = site.rpc(&["tls.list"]).unwrap();
    let established = list.matches("state: established").count();
    let to_us = format!("dst_port: {}", site.tls_port().unwrap());
    assert_eq!(established, 2, "{list}");
    assert_eq!(list.matches(&to_us).count(), 2, "{list}");
    let all = phone.connections().await.unwrap();
    assert!(all.iter().all(|c| c.status == available), "{all:?}");
    phone.shutdown().await;
    eprintln!("tokio: TLS register and call in {:?}", t0.elapsed());
}

/// A phone trusting `tls` connects to a site presenting `leaf` by
/// `host`: Unavailable with a TLS error containing one of `words`.
async fn tokio_refused(
    site: &Kamailio,
    tls: geosip_tokio::TlsConfig,
    host: &str,
    words: &[&str],
) -> String {
    let (phone, mut events) = tokio_phone(tls).await;
    phone
        .add_connection(ConnectionId(0), conn("1001", site, host))
        .await
        .unwrap();
    let reason = tokio_event(
        &mut events,
        "Unavailable",
        status_of(0, ConnectionStatus::Unavailable),
    )
    .await;
    phone.shutdown().await;
    tls_reason(&reason, words)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_refuses_a_certificate_of_an_untrusted_ca() {
    if !require_peers(&[Peer::Kamailio]) {
        return;
    }
    let t0 = Instant::now();
    let ca = Ca::new("geosip interop CA");
    let site = site(ca.leaf(&["localhost", "127.0.0.1"]));
    // Only the public roots.
    let why = tokio_refused(
        &site,
        geosip_tokio::TlsConfig::default(),
        "localhost",
        &["certificate"],
    )
    .await;
    eprintln!("public roots only: {why}");
    // Another CA.
    let other = Ca::new("another CA");
    let why = tokio_refused(&site, other.tokio_only(), "localhost", &["certificate"]).await;
    eprintln!("another CA: {why}");
    assert!(
        !site.has_contact("1001@geosip.test"),
        "{:?}",
        site.location()
    );
    eprintln!("tokio: untrusted CA refused in {:?}", t0.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_refuses_a_certificate_for_another_name() {
    if !require_peers(&[Peer::Kamailio]) {
        return;
    }
    let t0 = Instant::now();
    let ca = Ca::new("geosip interop CA");
    let site = site(ca.leaf(&["wrong.example"]));
    let why = tokio_refused(&site, ca.tokio_only(), "localhost", &["name"]).await;
    eprintln!("wrong name: {why}");
    assert!(why.contains("localhost") || why.contains("wrong.example"));
    assert!(!site.has_contact("1001@geosip.test"));
    eprintln!("tokio: wrong name refused in {:?}", t0.elapsed());
}

// ---- std ---------------------------------------------------------------

fn std_phone(tls: geosip_std::TlsConfig) -> (geosip_std::Phone, Receiver<Event>) {
    geosip_std::Phone::start(geosip_std::PhoneConfig {
        bind_udp: "127.0.0.1:0".parse().unwrap(),
        shutdown_timeout: Duration::from_secs(1),
        tls,
        ..Default::default()
    })
    .unwrap()
}

/// Waits for connection 0 to become `want`; the reason.
fn std_status(events: &Receiver<Event>, want: ConnectionStatus) -> StatusReason {
    let start = Instant::now();
    let mut pick = status_of(0, want);
    loop {
        let left = WAIT.saturating_sub(start.elapsed());
        match events.recv_timeout(left) {
            Ok(e) => {
                if let Some(r) = pick(&e) {
                    return r;
                }
            }
            Err(e) => panic!("no {want} within {WAIT:?}: {e}"),
        }
    }
}

#[test]
fn std_registers_over_tls() {
    if !require_peers(&[Peer::Kamailio]) {
        return;
    }
    let t0 = Instant::now();
    let ca = Ca::new("geosip interop CA");
    let site = site(ca.leaf(&["localhost", "127.0.0.1"]));
    let (phone, events) = std_phone(ca.std_only());
    phone
        .add_connection(ConnectionId(0), conn("1001", &site, "localhost"))
        .unwrap();
    std_status(&events, ConnectionStatus::Available);
    assert_registered_over_tls(&site, "1001@geosip.test");
    phone.shutdown();
    eprintln!("std: TLS register in {:?}", t0.elapsed());
}

#[test]
fn std_refuses_a_certificate_of_another_ca_or_name() {
    if !require_peers(&[Peer::Kamailio]) {
        return;
    }
    let t0 = Instant::now();
    let ca = Ca::new("geosip interop CA");
    let site = site(ca.leaf(&["wrong.example"]));
    let other = Ca::new("another CA");
    let refused = |tls, words: &[&str]| {
        let (phone, events) = std_phone(tls);
        phone
            .add_connection(ConnectionId(0), conn("1001", &site, "localhost"))
            .unwrap();
        let reason = std_status(&events, ConnectionStatus::Unavailable);
        phone.shutdown();
        tls_reason(&reason, words)
    };
    let why = refused(other.std_only(), &["certificate"]);
    eprintln!("std, another CA: {why}");
    let why = refused(ca.std_only(), &["name"]);
    eprintln!("std, wrong name: {why}");
    eprintln!("std: refusals in {:?}", t0.elapsed());
}

/// A TLS site whose process stops is noticed (keep-alive 1 s + probe
/// 1 s) and used again once it is back: a new handshake, a new
/// registration on its TLS socket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_tls_site_down_and_back() {
    if !require_peers(&[Peer::Kamailio]) {
        return;
    }
    let t0 = Instant::now();
    let ca = Ca::new("geosip interop CA");
    let mut site = site(ca.leaf(&["localhost", "127.0.0.1"]));
    let (phone, mut events) = tokio_phone(ca.tokio_only()).await;
    let mut c = conn("1001", &site, "localhost");
    c.keepalive_interval = Duration::from_secs(1);
    c.probe_timeout = Duration::from_secs(1);
    phone.add_connection(ConnectionId(0), c).await.unwrap();
    let available = status_of(0, ConnectionStatus::Available);
    tokio_event(&mut events, "Available", available).await;
    assert_registered_over_tls(&site, "1001@geosip.test");

    let down = Instant::now();
    site.stop();
    tokio_event(
        &mut events,
        "Unavailable",
        status_of(0, ConnectionStatus::Unavailable),
    )
    .await;
    let took = down.elapsed();
    eprintln!("TLS site down noticed in {took:?}");
    assert!(took <= Duration::from_secs(3), "{took:?}");

    site.restart().unwrap();
    let back = Instant::now();
    tokio_event(
        &mut events,
        "Available again",
        status_of(0, ConnectionStatus::Available),
    )
    .await;
    eprintln!("TLS site back used again in {:?}", back.elapsed());
    assert_registered_over_tls(&site, "1001@geosip.test");
    phone.shutdown().await;
    eprintln!("tokio: TLS site down and back in {:?}", t0.elapsed());
}
