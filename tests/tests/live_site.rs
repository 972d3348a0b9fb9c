//! [`LiveSite`] on loopback sockets, against the core's sans-IO endpoint
//! driven by a small blocking loop: register with digest auth over UDP and
//! TCP, lose and regain the site, place and take calls, and survive
//! garbage.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpStream, UdpSocket};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
use geosip_core::endpoint::{Endpoint, EndpointConfig};
use geosip_core::event::{ConnectionStatus, Event};
use geosip_core::io::{FlowId, Input, Output, OwnedInput, TransportError, TransportKind};
use geosip_core::session::SessionStatus;
use geosip_sim::live::LiveSite;
use geosip_sim::scripted::options_request;
use geosip_sim::site::{CallDirection, CallState, FarEnd, SiteCallOptions};
use geosip_sim::SiteConfig;

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const CONN: ConnectionId = ConnectionId(1);

fn live_site() -> LiveSite {
    let config = SiteConfig::new("live.test")
        .user("1001", "secret")
        .far_end("2000", FarEnd::answer(Duration::from_millis(200)));
    LiveSite::start(config, LOCALHOST, 0).expect("bind a live site on loopback")
}

/// The endpoint on real sockets: one UDP socket, and a thread per TCP
/// connection that feeds what it reads back through a channel.
struct Driver {
    ep: Endpoint,
    udp: UdpSocket,
    local: SocketAddr,
    streams: HashMap<FlowId, TcpStream>,
    tx: Sender<OwnedInput>,
    rx: Receiver<OwnedInput>,
    events: Vec<Event>,
}

impl Driver {
    /// An endpoint with one connection of user 1001 to `site`.
    fn new(site: &LiveSite, transport: TransportKind) -> Driver {
        let udp = UdpSocket::bind((LOCALHOST, 0)).unwrap();
        let local = udp.local_addr().unwrap();
        let now = Instant::now();
        let config = EndpointConfig {
            local_udp: Some(local),
            ..EndpointConfig::default()
        };
        let mut ep = Endpoint::new(config, now);
        let mut c = ConnectionConfig::new("1001", site.addr().to_string(), transport);
        c.password = Some(Secret::new("secret"));
        // The keep-alive interval must be longer than the probe timeout:
        // each keep-alive re-arms the deadline of the one before.
        c.keepalive_interval = Duration::from_millis(800);
        c.probe_timeout = Duration::from_millis(400);
        c.retry_base = Duration::from_millis(500);
        c.retry_max = Duration::from_secs(1);
        ep.add_connection(now, CONN, c).unwrap();
        let (tx, rx) = mpsc::channel();
        Driver {
            ep,
            udp,
            local,
            streams: HashMap::new(),
            tx,
            rx,
            events: Vec::new(),
        }
    }

    /// Runs until `done` holds for an event seen from now on, or `limit`
    /// passes; returns whether it held.
    fn run_until(&mut self, limit: Duration, done: impl Fn(&Event) -> bool) -> bool {
        let from = self.events.len();
        let deadline = Instant::now() + limit;
        let mut buf = vec![0u8; 65_535];
        loop {
            self.flush();
            if self.events[from..].iter().any(&done) {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            let wait = self
                .ep
                .poll_timeout()
                .map_or(Duration::MAX, |t| t.saturating_duration_since(now))
                .min(deadline - now)
                .clamp(Duration::from_millis(1), Duration::from_millis(10));
            self.udp.set_read_timeout(Some(wait)).unwrap();
            if let Ok((n, remote)) = self.udp.recv_from(&mut buf) {
                let data = &buf[..n];
                let input = Input::Datagram {
                    local: self.local,
                    remote,
                    data,
                };
                self.ep.handle_input(Instant::now(), input);
            }
            while let Ok(input) = self.rx.try_recv() {
                if let OwnedInput::FlowFailed { flow, .. } = &input {
                    self.streams.remove(flow);
                }
                self.ep.handle_input(Instant::now(), input.as_input());
            }
            let now = Instant::now();
            if self.ep.poll_timeout().is_some_and(|t| t <= now) {
                self.ep.handle_timeout(now);
            }
        }
    }

    /// Carries out the endpoint's outputs.
    fn flush(&mut self) {
        while let Some(output) = self.ep.poll_output() {
            match output {
                Output::Transmit(t) => match t.flow {
                    None => {
                        let _ = self.udp.send_to(&t.data, t.remote);
                    }
                    Some(flow) => {
                        let sent = self.streams.get_mut(&flow).map(|s| s.write_all(&t.data));
                        if let Some(Err(_)) = sent {
                            self.fail(flow);
                        }
                    }
                },
                Output::Connect { flow, remote, .. } => self.connect(flow, remote),
                Output::Close { flow } => {
                    if let Some(s) = self.streams.remove(&flow) {
                        let _ = s.shutdown(Shutdown::Both);
                    }
                }
                Output::Event(e) => self.events.push(e),
                other => panic!("unexpected output {other:?}"),
            }
        }
    }

    fn connect(&mut self, flow: FlowId, remote: SocketAddr) {
        let Ok(stream) = TcpStream::connect_timeout(&remote, Duration::from_secs(1)) else {
            let error = TransportError::Refused;
            self.ep
                .handle_input(Instant::now(), Input::FlowFailed { flow, error });
            return;
        };
        let local = stream.local_addr().unwrap();
        let mut reader = stream.try_clone().unwrap();
        let tx = self.tx.clone();
        thread::spawn(move || {
            let mut buf = vec![0u8; 16 * 1024];
            while let Ok(n @ 1..) = reader.read(&mut buf) {
                let data = buf[..n].to_vec();
                if tx.send(OwnedInput::StreamData { flow, data }).is_err() {
                    return;
                }
            }
            let error = TransportError::Reset;
            let _ = tx.send(OwnedInput::FlowFailed { flow, error });
        });
        self.streams.insert(flow, stream);
        self.ep
            .handle_input(Instant::now(), Input::FlowConnected { flow, local });
    }

    fn fail(&mut self, flow: FlowId) {
        if let Some(s) = self.streams.remove(&flow) {
            let _ = s.shutdown(Shutdown::Both);
        }
        let error = TransportError::Reset;
        self.ep
            .handle_input(Instant::now(), Input::FlowFailed { flow, error });
    }

    /// Runs until `done` holds, or `limit` passes; returns whether it held.
    fn run_while(&mut self, limit: Duration, done: impl Fn() -> bool) -> bool {
        let deadline = Instant::now() + limit;
        while !done() && Instant::now() < deadline {
            self.run_until(Duration::from_millis(20), |_| false);
        }
        done()
    }

    fn status(&mut self, status: ConnectionStatus, limit: Duration) -> bool {
        self.run_until(
            limit,
            |e| matches!(e, Event::ConnectionStatusChanged { status: s, .. } if *s == status),
        )
    }

    fn session(&mut self, status: SessionStatus, limit: Duration) -> bool {
        self.run_until(
            limit,
            |e| matches!(e, Event::SessionStatusChanged { status: s, .. } if *s == status),
        )
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        for (_, s) in self.streams.drain() {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

/// Registers, loses the site when it stops, and gets it back when it
/// starts again.
fn register_stop_start(transport: TransportKind) {
    let site = live_site();
    let mut d = Driver::new(&site, transport);
    assert!(d.status(ConnectionStatus::Available, Duration::from_secs(3)));
    let bindings = site.bindings();
    let binding = &bindings["1001@127.0.0.1"];
    assert_eq!(binding.len(), 1, "{bindings:?}");
    assert_eq!(binding[0].transport, transport);
    let port = match transport {
        TransportKind::Udp => d.local.port(),
        _ => binding[0].source.port(),
    };
    let contact = &binding[0].contact;
    assert!(contact.contains(&format!("127.0.0.1:{port}")), "{contact}");
    let stopped = Instant::now();
    site.set_running(false);
    assert!(!site.is_running());
    let down = d.status(ConnectionStatus::Unavailable, Duration::from_secs(10));
    assert!(down, "{:?}", d.events);
    let noticed = stopped.elapsed();
    assert!(site.bindings().is_empty(), "a stop loses the bindings");
    site.set_running(true);
    assert!(d.status(ConnectionStatus::Available, Duration::from_secs(5)));
    assert_eq!(site.bindings().len(), 1);
    let restarts = site.with_site(|s, _| (s.counters().restarts, Vec::new()));
    assert_eq!(restarts, 1);
    if transport == TransportKind::Tcp {
        // The reset connection is noticed at once, not by a probe.
        assert!(noticed < Duration::from_millis(500), "{noticed:?}");
    }
}

#[test]
fn udp_registers_with_digest_and_follows_stop_and_start() {
    register_stop_start(TransportKind::Udp);
}

#[test]
fn tcp_registers_with_digest_and_follows_stop_and_start() {
    register_stop_start(TransportKind::Tcp);
}

/// Dials the far end, hangs up, and takes a call the site places.
fn calls(transport: TransportKind) {
    let site = live_site();
    let mut d = Driver::new(&site, transport);
    assert!(d.status(ConnectionStatus::Available, Duration::from_secs(3)));
    let session = d.ep.dial(Instant::now(), CONN, "2000").unwrap();
    assert!(d.session(SessionStatus::Connected, Duration::from_secs(3)));
    // The ACK went to the Record-Route at the site's real port.
    let acked = d.run_while(Duration::from_secs(2), || {
        let calls = site.calls();
        calls.len() == 1 && calls[0].endpoint_requests >= 1 && calls[0].route_ok
    });
    assert!(acked, "{:?}", site.calls());
    assert_eq!(site.calls()[0].state, CallState::Connected);
    d.ep.hangup(Instant::now(), session).unwrap();
    assert!(d.session(SessionStatus::Disconnected, Duration::from_secs(3)));
    let ended = d.run_while(Duration::from_secs(2), || site.calls()[0].is_ended());
    let call = &site.calls()[0];
    assert!(ended && call.codes("BYE") == [Some(200)], "{call:?}");

    let placed = site.with_site(|s, now| s.call_user(now, "1001", SiteCallOptions::default()));
    assert!(placed.is_ok(), "{placed:?}");
    let incoming = d.run_until(
        Duration::from_secs(3),
        |e| matches!(e, Event::IncomingCall { connection, .. } if *connection == CONN),
    );
    assert!(incoming);
    let call = site.calls().pop().unwrap();
    assert_eq!(call.direction, CallDirection::ToEndpoint);
}

#[test]
fn udp_calls_both_ways() {
    calls(TransportKind::Udp);
}

#[test]
fn tcp_calls_both_ways() {
    calls(TransportKind::Tcp);
}

/// An OPTIONS from a bare socket; the status of the answer.
fn options_status(sock: &UdpSocket, site: SocketAddr, n: u32) -> Option<u16> {
    let local = sock.local_addr().unwrap();
    sock.send_to(&options_request(local, site, n), site)
        .unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut buf = vec![0u8; 65_535];
    let (len, _) = sock.recv_from(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf[..len]);
    text.strip_prefix("SIP/2.0 ")?.get(..3)?.parse().ok()
}

#[test]
fn garbage_on_udp_and_tcp_does_not_hurt_the_site() {
    let site = live_site();
    let sock = UdpSocket::bind((LOCALHOST, 0)).unwrap();
    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    for len in [0usize, 1, 7, 100, 1400, 9000] {
        let junk: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        sock.send_to(&junk, site.addr()).unwrap();
    }
    // Nearly SIP, from elsewhere (the site may answer it with an error).
    let other = UdpSocket::bind((LOCALHOST, 0)).unwrap();
    for near in [
        &b"REGISTER sip:x SIP/2.0\r\nVia: ?\r\n\r\n"[..],
        b"SIP/2.0 200\r\n\r\n",
    ] {
        other.send_to(near, site.addr()).unwrap();
    }
    // Bytes that do not frame: the site resets the connection.
    let mut tcp = TcpStream::connect(site.addr()).unwrap();
    tcp.write_all(b"\x00\x01 not SIP at all\r\n\r\n").unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let mut buf = [0u8; 64];
    assert!(matches!(tcp.read(&mut buf), Ok(0) | Err(_)));
    // One that is reset by the peer halfway.
    let half = TcpStream::connect(site.addr()).unwrap();
    (&half).write_all(b"OPTIONS sip:x SIP/2.0\r\n").unwrap();
    drop(half);

    assert_eq!(options_status(&sock, site.addr(), 1), Some(200));
    let malformed = site.with_site(|s, _| (s.counters().malformed, Vec::new()));
    assert!(malformed >= 3, "{malformed}");
    assert!(site.calls().is_empty() && site.is_running());
}

#[test]
fn a_stopped_site_is_silent_and_refuses_connections() {
    let site = live_site();
    let sock = UdpSocket::bind((LOCALHOST, 0)).unwrap();
    assert_eq!(options_status(&sock, site.addr(), 1), Some(200));
    site.set_running(false);
    assert_eq!(options_status(&sock, site.addr(), 2), None);
    if let Ok(mut tcp) = TcpStream::connect(site.addr()) {
        tcp.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut buf = [0u8; 16];
        assert!(matches!(tcp.read(&mut buf), Ok(0) | Err(_)));
    }
    site.set_running(true);
    assert_eq!(options_status(&sock, site.addr(), 3), Some(200));
}

#[test]
fn a_panicking_command_reaches_its_caller_and_the_site_goes_on() {
    let site = live_site();
    let caught = std::panic::catch_unwind(|| {
        site.with_site(|_, _| -> ((), Vec<_>) { panic!("a bad command") })
    });
    assert!(caught.is_err());
    let sock = UdpSocket::bind((LOCALHOST, 0)).unwrap();
    assert_eq!(options_status(&sock, site.addr(), 1), Some(200));
}

#[test]
fn shutdown_is_prompt_and_frees_the_port() {
    let site = live_site();
    let addr = site.addr();
    let _open = TcpStream::connect(addr).unwrap();
    let sock = UdpSocket::bind((LOCALHOST, 0)).unwrap();
    assert_eq!(options_status(&sock, addr, 1), Some(200));
    let started = Instant::now();
    site.shutdown();
    let took = started.elapsed();
    assert!(took < Duration::from_millis(100), "{took:?}");
    site.shutdown();
    drop(site);
    let again = LiveSite::start(SiteConfig::new("again"), LOCALHOST, addr.port()).unwrap();
    assert_eq!(again.addr(), addr);
    assert_eq!(options_status(&sock, addr, 2), Some(200));
}
