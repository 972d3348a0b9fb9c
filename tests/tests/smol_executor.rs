//! The core needs no particular executor: here smol (the successor the
//! async-std project names) drives `geosip_core::endpoint::Endpoint` with
//! a real UDP socket on loopback and smol's timers, against geosip's own
//! site served on loopback (`LiveSite`): the connection registers with
//! digest auth, notices the site going down, comes back when it returns,
//! and places a call.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
use geosip_core::endpoint::{Endpoint, EndpointConfig};
use geosip_core::event::{ConnectionStatus, Event};
use geosip_core::io::{Input, Output, TransportKind};
use geosip_core::session::SessionStatus;
use geosip_sim::live::LiveSite;
use geosip_sim::site::{FarEnd, SiteConfig};
use smol::future;
use smol::net::UdpSocket;

/// A minimal smol driver: outputs to the socket, datagrams and deadlines
/// into the core, until `done` holds for an event or `max` passes.
struct SmolPhone {
    ep: Endpoint,
    udp: UdpSocket,
    local: SocketAddr,
    buf: Vec<u8>,
}

enum Wake {
    Datagram(usize, SocketAddr),
    Timer,
}

impl SmolPhone {
    async fn until(&mut self, max: Duration, mut done: impl FnMut(&Event) -> bool) -> bool {
        let end = Instant::now() + max;
        loop {
            while let Some(out) = self.ep.poll_output() {
                match out {
                    Output::Transmit(t) => {
                        let _ = self.udp.send_to(&t.data, t.remote).await;
                    }
                    Output::Event(e) if done(&e) => return true,
                    _ => {}
                }
            }
            let now = Instant::now();
            if now >= end {
                return false;
            }
            let deadline = self.ep.poll_timeout().unwrap_or(end).min(end);
            let recv = async {
                match self.udp.recv_from(&mut self.buf).await {
                    Ok((n, from)) => Wake::Datagram(n, from),
                    Err(_) => Wake::Timer,
                }
            };
            let timer = async {
                smol::Timer::at(deadline).await;
                Wake::Timer
            };
            match future::or(recv, timer).await {
                Wake::Datagram(n, remote) => {
                    let data = self.buf[..n].to_vec();
                    self.ep.handle_input(
                        Instant::now(),
                        Input::Datagram {
                            local: self.local,
                            remote,
                            data: &data,
                        },
                    );
                }
                Wake::Timer => {
                    let now = Instant::now();
                    if self.ep.poll_timeout().is_some_and(|t| t <= now) {
                        self.ep.handle_timeout(now);
                    }
                }
            }
        }
    }
}

fn status_is(want: ConnectionStatus) -> impl FnMut(&Event) -> bool {
    move |e| matches!(e, Event::ConnectionStatusChanged { status, .. } if *status == want)
}

#[test]
fn smol_drives_the_core_against_a_live_site() {
    let site = LiveSite::start(
        SiteConfig::new("smol.test")
            .user("1001", "secret")
            .far_end("2000", FarEnd::answer(Duration::from_millis(100))),
        "127.0.0.1".parse().unwrap(),
        0,
    )
    .unwrap();
    smol::block_on(async {
        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let local = udp.local_addr().unwrap();
        let ep = Endpoint::new(
            EndpointConfig {
                local_udp: Some(local),
                rng_seed: [5; 32],
                ..Default::default()
            },
            Instant::now(),
        );
        let mut phone = SmolPhone {
            ep,
            udp,
            local,
            buf: vec![0; 65_536],
        };
        let mut cfg = ConnectionConfig::new("1001", site.addr().to_string(), TransportKind::Udp);
        cfg.password = Some(Secret::new("secret"));
        cfg.keepalive_interval = Duration::from_millis(500);
        cfg.probe_timeout = Duration::from_millis(500);
        cfg.retry_base = Duration::from_millis(200);
        phone
            .ep
            .add_connection(Instant::now(), ConnectionId(0), cfg)
            .unwrap();
        assert!(
            phone
                .until(
                    Duration::from_secs(5),
                    status_is(ConnectionStatus::Available)
                )
                .await
        );
        assert!(site.bindings().keys().any(|aor| aor.starts_with("1001@")));

        site.set_running(false);
        let t = Instant::now();
        assert!(
            phone
                .until(
                    Duration::from_secs(5),
                    status_is(ConnectionStatus::Unavailable)
                )
                .await
        );
        assert!(
            t.elapsed() <= Duration::from_millis(1500),
            "{:?}",
            t.elapsed()
        );
        site.set_running(true);
        assert!(
            phone
                .until(
                    Duration::from_secs(5),
                    status_is(ConnectionStatus::Available)
                )
                .await
        );

        let call = phone
            .ep
            .dial(Instant::now(), ConnectionId(0), "2000")
            .unwrap();
        let connected = phone
            .until(Duration::from_secs(5), |e| {
                matches!(e, Event::SessionStatusChanged { session, status: SessionStatus::Connected, .. } if *session == call)
            })
            .await;
        assert!(connected);
    });
}
