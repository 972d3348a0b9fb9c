//! RFC 3263 §4.2 through hickory: a server configured without a port is
//! found by its SRV record (`_sip._udp.<host>`), then the target's A
//! record; a tiny DNS responder of the test's own answers both, and the
//! phone registers at the port the SRV record names.

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::time::Duration;

use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
use geosip_core::event::{ConnectionStatus, Event};
use geosip_core::io::TransportKind;
use geosip_sim::live::LiveSite;
use geosip_sim::site::SiteConfig;
use geosip_tokio::{Phone, PhoneConfig, StreamExt};

const SRV: u16 = 33;
const A: u16 = 1;

fn push_name(out: &mut Vec<u8>, name: &str) {
    for label in name.trim_end_matches('.').split('.') {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
}

/// Reads the first question: (name, type, end of the question).
fn question(q: &[u8]) -> Option<(String, u16, usize)> {
    let mut i = 12;
    let mut labels = Vec::new();
    loop {
        let n = *q.get(i)? as usize;
        i += 1;
        if n == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(q.get(i..i + n)?).to_lowercase());
        i += n;
    }
    let qtype = u16::from_be_bytes([*q.get(i)?, *q.get(i + 1)?]);
    Some((labels.join("."), qtype, i + 4))
}

/// Answers `_sip._udp.sip.test` SRV with `site.sip.test:<port>`, and
/// `site.sip.test` A with 127.0.0.1; everything else with no answer.
/// Returns the responder's address and a log of the questions.
fn responder(port: u16) -> (SocketAddr, std::sync::mpsc::Receiver<(String, u16)>) {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = sock.local_addr().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 1500];
        while let Ok((n, from)) = sock.recv_from(&mut buf) {
            let q = &buf[..n];
            let Some((name, qtype, end)) = question(q) else {
                continue;
            };
            let _ = tx.send((name.clone(), qtype));
            let mut answers: Vec<Vec<u8>> = Vec::new();
            match (name.as_str(), qtype) {
                ("_sip._udp.sip.test", SRV) => {
                    let mut rdata = Vec::new();
                    rdata.extend_from_slice(&10u16.to_be_bytes()); // priority
                    rdata.extend_from_slice(&60u16.to_be_bytes()); // weight
                    rdata.extend_from_slice(&port.to_be_bytes());
                    push_name(&mut rdata, "site.sip.test");
                    answers.push(record(SRV, &rdata));
                }
                ("site.sip.test", A) => answers.push(record(A, &Ipv4Addr::LOCALHOST.octets())),
                _ => {}
            }
            let mut out = Vec::with_capacity(512);
            out.extend_from_slice(&q[..2]); // id
            out.extend_from_slice(&[0x81, 0x80]); // response, RD, RA, NOERROR
            out.extend_from_slice(&1u16.to_be_bytes());
            out.extend_from_slice(&(answers.len() as u16).to_be_bytes());
            out.extend_from_slice(&[0, 0, 0, 0]);
            out.extend_from_slice(&q[12..end]);
            for a in answers {
                out.extend_from_slice(&a);
            }
            let _ = sock.send_to(&out, from);
        }
    });
    (addr, rx)
}

/// An answer record for the question's name (a pointer to offset 12).
fn record(rtype: u16, rdata: &[u8]) -> Vec<u8> {
    let mut r = vec![0xc0, 0x0c];
    r.extend_from_slice(&rtype.to_be_bytes());
    r.extend_from_slice(&1u16.to_be_bytes()); // IN
    r.extend_from_slice(&60u32.to_be_bytes()); // TTL
    r.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
    r.extend_from_slice(rdata);
    r
}

#[tokio::test]
async fn a_server_without_a_port_is_found_by_its_srv_record() {
    let site = LiveSite::start(
        SiteConfig::new("sip.test").user("1001", "secret"),
        "127.0.0.1".parse().unwrap(),
        0,
    )
    .unwrap();
    let (dns, questions) = responder(site.addr().port());
    let (phone, mut events) = Phone::start(PhoneConfig {
        bind_udp: "127.0.0.1:0".parse().unwrap(),
        dns: Some(vec![dns]),
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
    let asked: Vec<(String, u16)> = questions.try_iter().collect();
    assert!(
        asked.contains(&("_sip._udp.sip.test".to_owned(), SRV)),
        "{asked:?}"
    );
    assert!(
        asked.contains(&("site.sip.test".to_owned(), A)),
        "{asked:?}"
    );
    assert!(site.bindings().keys().any(|aor| aor.starts_with("1001@")));
    phone.shutdown().await;
}
