//! The blocking phone against a tiny registrar on loopback: real sockets,
//! real threads, short timers.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use geosip_core::auth::{challenge, verify, DigestAlgorithm, Qop};
use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
use geosip_core::event::{ConnectionStatus, Event, StatusReason};
use geosip_core::io::{TransportError, TransportKind};
use geosip_core::message::headers::Authorization;
use geosip_core::message::{parse, HeaderName, MessageWriter, Method, ParseLimits};
use geosip_core::session::{SessionReason, SessionStatus};
use geosip_core::transport::{FlowRole, Frame, StreamFramer};
use geosip_std::{Phone, PhoneConfig, PhoneError};

/// A request the registrar saw.
#[derive(Debug, Clone)]
struct Seen {
    transport: TransportKind,
    method: String,
    expires: Option<String>,
}

/// A registrar on UDP and TCP: 401 with a digest challenge, then 200 for
/// good credentials; 486 to INVITE; 200 to anything else; nothing to ACK.
struct Registrar {
    udp: SocketAddr,
    tcp: SocketAddr,
    answering: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Registrar {
    fn start() -> Registrar {
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
        let r = Registrar {
            udp: udp.local_addr().unwrap(),
            tcp: tcp.local_addr().unwrap(),
            answering: Arc::new(AtomicBool::new(true)),
            seen: Arc::new(Mutex::new(Vec::new())),
        };
        let (answering, seen) = (r.answering.clone(), r.seen.clone());
        thread::spawn(move || {
            let mut buf = vec![0u8; 65_536];
            while let Ok((n, from)) = udp.recv_from(&mut buf) {
                if !answering.load(Ordering::SeqCst) {
                    continue;
                }
                if let Some(out) = respond(&buf[..n], TransportKind::Udp, &seen) {
                    let _ = udp.send_to(&out, from);
                }
            }
        });
        let (answering, seen) = (r.answering.clone(), r.seen.clone());
        thread::spawn(move || {
            for stream in tcp.incoming().flatten() {
                let (answering, seen) = (answering.clone(), seen.clone());
                thread::spawn(move || serve_tcp(stream, &answering, &seen));
            }
        });
        r
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve_tcp(mut stream: TcpStream, answering: &AtomicBool, seen: &Mutex<Vec<Seen>>) {
    let mut framer = StreamFramer::new(FlowRole::Server, ParseLimits::default());
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if framer.push(&buf[..n]).is_err() {
            return;
        }
        let mut replies = Vec::new();
        loop {
            match framer.next_frame() {
                Ok(Some(Frame::Message { bytes, .. })) => {
                    replies.extend(respond(bytes, TransportKind::Tcp, seen));
                }
                Ok(Some(Frame::Ping)) => replies.push(StreamFramer::PONG.to_vec()),
                Ok(Some(Frame::Pong)) => {}
                Ok(None) => break,
                Err(_) => return,
            }
        }
        if answering.load(Ordering::SeqCst) {
            for r in replies {
                if stream.write_all(&r).is_err() {
                    return;
                }
            }
        }
    }
}

fn respond(req: &[u8], transport: TransportKind, seen: &Mutex<Vec<Seen>>) -> Option<Vec<u8>> {
    let m = parse(req).ok()?;
    let method = m.method()?;
    seen.lock().unwrap().push(Seen {
        transport,
        method: method.to_string(),
        expires: m.header(HeaderName::Expires).map(str::to_owned),
    });
    let mut out = Vec::new();
    match method {
        Method::Register => match m.typed_opt::<Authorization>().ok()? {
            None => {
                let www = challenge(
                    "site",
                    "nonce1",
                    DigestAlgorithm::Sha256,
                    false,
                    &[Qop::Auth],
                );
                MessageWriter::response_to(&mut out, &m, 401, "Unauthorized", Some("r"))
                    .header(HeaderName::WwwAuthenticate, &www)
                    .finish(b"");
            }
            Some(a) if verify(&a, "secret", "REGISTER", b"").is_ok() => {
                let expires = m.header(HeaderName::Expires).unwrap_or("600");
                let expires = if expires == "0" { "0" } else { "600" };
                let mut w = MessageWriter::response_to(&mut out, &m, 200, "OK", Some("r"));
                if let Some(contact) = m.header(HeaderName::Contact) {
                    w.header(HeaderName::Contact, contact);
                }
                w.header(HeaderName::Expires, expires).finish(b"");
            }
            Some(_) => {
                MessageWriter::response_to(&mut out, &m, 403, "Forbidden", Some("r")).finish(b"");
            }
        },
        Method::Invite => {
            MessageWriter::response_to(&mut out, &m, 486, "Busy Here", Some("b")).finish(b"");
        }
        Method::Ack => return None,
        _ => {
            MessageWriter::response_to(&mut out, &m, 200, "OK", Some("r")).finish(b"");
        }
    }
    Some(out)
}

fn phone() -> (Phone, Receiver<Event>) {
    Phone::start(PhoneConfig {
        bind_udp: "127.0.0.1:0".parse().unwrap(),
        shutdown_timeout: Duration::from_secs(2),
        ..Default::default()
    })
    .unwrap()
}

fn connection(server: SocketAddr, transport: TransportKind) -> ConnectionConfig {
    let mut cfg = ConnectionConfig::new("1001", server.to_string(), transport);
    cfg.password = Some(Secret::new("secret"));
    cfg.keepalive_interval = Duration::from_secs(1);
    // Short, so that failures show fast (any ratio to the keep-alive works
    // since the core keeps a waiting probe's deadline).
    cfg.probe_timeout = Duration::from_millis(900);
    cfg
}

/// The first event that `pred` picks within `within`.
fn wait_for(events: &Receiver<Event>, within: Duration, pred: impl Fn(&Event) -> bool) -> Event {
    let deadline = Instant::now() + within;
    let mut others = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(e) if pred(&e) => return e,
            Ok(e) => others.push(e),
            Err(e) => panic!("no such event within {within:?} ({e}); saw {others:#?}"),
        }
    }
}

fn status_is(status: ConnectionStatus) -> impl Fn(&Event) -> bool {
    move |e| matches!(e, Event::ConnectionStatusChanged { status: s, .. } if *s == status)
}

fn registered(transport: TransportKind) -> (Registrar, Phone, Receiver<Event>) {
    let registrar = Registrar::start();
    let (phone, events) = phone();
    let server = match transport {
        TransportKind::Udp => registrar.udp,
        _ => registrar.tcp,
    };
    phone
        .add_connection(ConnectionId(0), connection(server, transport))
        .unwrap();
    wait_for(
        &events,
        Duration::from_secs(5),
        status_is(ConnectionStatus::Registering),
    );
    wait_for(
        &events,
        Duration::from_secs(5),
        status_is(ConnectionStatus::Available),
    );
    (registrar, phone, events)
}

#[test]
fn registers_over_udp_then_goes_unavailable_when_the_registrar_stops() {
    let (registrar, phone, events) = registered(TransportKind::Udp);
    let info = phone.connections().unwrap();
    assert_eq!(info[0].status, ConnectionStatus::Available);
    assert!(registrar.seen().iter().any(|s| s.method == "REGISTER"));

    registrar.answering.store(false, Ordering::SeqCst);
    let stopped = Instant::now();
    wait_for(
        &events,
        Duration::from_secs(10),
        status_is(ConnectionStatus::Unavailable),
    );
    assert!(stopped.elapsed() < Duration::from_secs(10));
    phone.shutdown();
}

#[test]
fn a_busy_destination_disconnects_the_call_with_486() {
    let (_registrar, phone, events) = registered(TransportKind::Udp);
    let call = phone.dial(ConnectionId(0), "2000").unwrap();
    let e = wait_for(&events, Duration::from_secs(5), |e| {
        matches!(
            e,
            Event::SessionStatusChanged {
                status: SessionStatus::Disconnected,
                ..
            }
        )
    });
    match e {
        Event::SessionStatusChanged {
            session, reason, ..
        } => {
            assert_eq!(session, call);
            assert!(
                matches!(reason, SessionReason::SipError { code: 486, .. }),
                "{reason:?}"
            );
        }
        _ => unreachable!(),
    }
    assert!(phone.sessions().unwrap().is_empty());
}

#[test]
fn registers_over_tcp() {
    let (registrar, phone, _events) = registered(TransportKind::Tcp);
    let seen = registrar.seen();
    assert!(
        seen.iter()
            .any(|s| s.transport == TransportKind::Tcp && s.method == "REGISTER"),
        "{seen:?}"
    );
    assert_eq!(phone.stats().unwrap().flows, 1);
    phone.shutdown();
}

#[test]
fn shutdown_unregisters_within_the_timeout_then_commands_fail() {
    let (registrar, phone, _events) = registered(TransportKind::Udp);
    let other = phone.clone();
    let started = Instant::now();
    phone.shutdown();
    assert!(started.elapsed() < Duration::from_secs(2) + Duration::from_millis(500));
    let seen = registrar.seen();
    assert!(
        seen.iter()
            .any(|s| s.method == "REGISTER" && s.expires.as_deref() == Some("0")),
        "{seen:?}"
    );
    assert_eq!(other.stats(), Err(PhoneError::Stopped));
    assert_eq!(
        other.add_connection(
            ConnectionId(1),
            connection(registrar.udp, TransportKind::Udp)
        ),
        Err(PhoneError::Stopped)
    );
    let started = Instant::now();
    other.shutdown(); // already stopped: returns at once
    assert!(started.elapsed() < Duration::from_millis(100));
}

/// A silent registrar: the core gives an unregister up after the probe
/// timeout (900 ms here), before the phone's own 2 s shutdown bound.
#[test]
fn shutdown_gives_up_on_a_silent_registrar_at_the_unregister_bound() {
    let (registrar, phone, _events) = registered(TransportKind::Udp);
    registrar.answering.store(false, Ordering::SeqCst);
    let started = Instant::now();
    phone.shutdown();
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(850), "{took:?}");
    assert!(took < Duration::from_millis(1900), "{took:?}");
}

#[test]
fn dropping_the_last_handle_stops_the_phone() {
    let (phone, events) = phone();
    let other = phone.clone();
    drop(phone);
    assert!(other.stats().is_ok(), "a clone keeps it running");
    drop(other);
    // The driver thread ends and drops the event sender.
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        match events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(_) => {}
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => panic!("the phone did not stop"),
        }
    }
}

#[test]
fn commands_wake_an_idle_driver_at_once() {
    // No connections: the core has no deadline and the driver blocks in
    // recv_from without a timeout; only the waker's pokes get it going.
    let (phone, _events) = phone();
    let started = Instant::now();
    for _ in 0..200 {
        phone.stats().unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let sent = phone.with(|ep, _| ep.stats().malformed).unwrap();
    assert_eq!(sent, 0, "pokes are never shown to the core");
    phone.shutdown();
}

#[test]
fn tls_to_a_plain_tcp_listener_is_a_tls_error() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf); // the ClientHello
            let _ = stream.write_all(b"SIP/2.0 400 This Is Not TLS\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let (phone, events) = phone();
    phone
        .add_connection(ConnectionId(0), connection(addr, TransportKind::Tls))
        .unwrap();
    let e = wait_for(
        &events,
        Duration::from_secs(5),
        status_is(ConnectionStatus::Unavailable),
    );
    match e {
        Event::ConnectionStatusChanged { reason, .. } => assert!(
            matches!(reason, StatusReason::Transport(TransportError::Tls(_))),
            "{reason:?}"
        ),
        _ => unreachable!(),
    }
    phone.shutdown();
}

#[test]
fn a_host_name_is_resolved_then_registers() {
    let registrar = Registrar::start();
    let (phone, events) = phone();
    let server = format!("localhost:{}", registrar.udp.port());
    let mut cfg = connection(registrar.udp, TransportKind::Udp);
    cfg.server = server;
    phone.add_connection(ConnectionId(0), cfg).unwrap();
    wait_for(
        &events,
        Duration::from_secs(5),
        status_is(ConnectionStatus::Available),
    );
    phone.shutdown();
}
