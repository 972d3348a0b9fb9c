//! A tiny authoritative DNS responder on loopback for the runtimes' RFC
//! 3263 tests: it answers SRV and A questions from a fixed table, over UDP
//! and TCP on one port (over UDP only truncated, if asked to, so that
//! clients must come back over TCP), and logs every question it gets. Messages are written by hand (RFC 1035 §4.1),
//! so the tests do not check the runtimes' DNS code against itself.
//!
//! ```
//! use geosip_sim::dns::{DnsResponder, Zone};
//!
//! let zone = Zone::default()
//!     .srv("_sip._udp.sip.test", 10, 60, 5060, "site.sip.test")
//!     .a("site.sip.test", [127, 0, 0, 1]);
//! let dns = DnsResponder::start(zone).unwrap();
//! assert!(dns.addr().ip().is_loopback());
//! ```

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::mpsc::{channel, Receiver, Sender};

/// The SRV record type.
pub const SRV: u16 = 33;
/// The A record type.
pub const A: u16 = 1;

/// What the responder knows.
#[derive(Debug, Clone, Default)]
pub struct Zone {
    srv: Vec<(String, u16, u16, u16, String)>,
    a: Vec<(String, Ipv4Addr)>,
    truncate_udp: bool,
}

impl Zone {
    /// The zone of the runtimes' SRV tests: `_sip._udp.sip.test` and
    /// `_sip._tcp.sip.test` point at `site.sip.test:<port>` (priority 10),
    /// which is 127.0.0.1.
    pub fn sip_test(port: u16) -> Self {
        Zone::default()
            .srv("_sip._udp.sip.test", 10, 60, port, "site.sip.test")
            .srv("_sip._tcp.sip.test", 10, 60, port, "site.sip.test")
            .a("site.sip.test", [127, 0, 0, 1])
    }

    /// Adds an SRV record: name, priority, weight, port and target.
    pub fn srv(mut self, name: &str, priority: u16, weight: u16, port: u16, target: &str) -> Self {
        self.srv.push((
            name.to_lowercase(),
            priority,
            weight,
            port,
            target.to_owned(),
        ));
        self
    }

    /// Answers every UDP question with the TC bit and no records, so that
    /// the answer must be asked for again over TCP (RFC 7766 §5).
    pub fn truncate_udp(mut self) -> Self {
        self.truncate_udp = true;
        self
    }

    /// Adds an A record.
    pub fn a(mut self, name: &str, ip: impl Into<Ipv4Addr>) -> Self {
        self.a.push((name.to_lowercase(), ip.into()));
        self
    }

    /// The answer records (type, rdata) for a question.
    fn answers(&self, name: &str, qtype: u16) -> Vec<(u16, Vec<u8>)> {
        match qtype {
            SRV => self
                .srv
                .iter()
                .filter(|r| r.0 == name)
                .map(|(_, priority, weight, port, target)| {
                    let mut rdata = Vec::new();
                    rdata.extend_from_slice(&priority.to_be_bytes());
                    rdata.extend_from_slice(&weight.to_be_bytes());
                    rdata.extend_from_slice(&port.to_be_bytes());
                    push_name(&mut rdata, target);
                    (SRV, rdata)
                })
                .collect(),
            A => self
                .a
                .iter()
                .filter(|r| r.0 == name)
                .map(|(_, ip)| (A, ip.octets().to_vec()))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Which transport a question came over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Over {
    /// A datagram.
    Udp,
    /// A TCP connection.
    Tcp,
}

/// The running responder. It stops with the test process.
pub struct DnsResponder {
    addr: SocketAddr,
    questions: Receiver<(String, u16, Over)>,
}

impl DnsResponder {
    /// Binds UDP and TCP on one free port of 127.0.0.1 and answers from
    /// `zone`.
    pub fn start(zone: Zone) -> std::io::Result<Self> {
        let (sock, listener) = bind_both()?;
        let addr = sock.local_addr()?;
        let (tx, questions) = channel();
        let (udp_zone, udp_tx) = (zone.clone(), tx.clone());
        std::thread::Builder::new()
            .name("dns-responder-udp".into())
            .spawn(move || {
                let mut buf = [0u8; 1500];
                while let Ok((n, from)) = sock.recv_from(&mut buf) {
                    if let Some(out) = reply(&udp_zone, &buf[..n], Over::Udp, &udp_tx) {
                        let _ = sock.send_to(&out, from);
                    }
                }
            })?;
        std::thread::Builder::new()
            .name("dns-responder-tcp".into())
            .spawn(move || {
                for stream in listener.incoming().flatten() {
                    serve_tcp(stream, &zone, &tx);
                }
            })?;
        Ok(DnsResponder { addr, questions })
    }

    /// Where it listens (UDP and TCP).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The questions asked so far: (lowercased name, type).
    pub fn questions(&self) -> Vec<(String, u16)> {
        self.questions_over()
            .into_iter()
            .map(|(n, t, _)| (n, t))
            .collect()
    }

    /// The questions asked so far, with the transport each came over.
    pub fn questions_over(&self) -> Vec<(String, u16, Over)> {
        self.questions.try_iter().collect()
    }

    /// Panics, listing what was asked, unless every `(name, type)` of
    /// `wanted` has been asked since the last look.
    pub fn assert_asked(&self, wanted: &[(&str, u16)]) {
        let asked = self.questions();
        for (name, rtype) in wanted {
            assert!(
                asked.iter().any(|(n, t)| n == name && t == rtype),
                "{name} type {rtype} was not asked; asked: {asked:?}"
            );
        }
    }
}

/// A UDP socket and a TCP listener on the same free port.
fn bind_both() -> std::io::Result<(UdpSocket, TcpListener)> {
    let mut last = None;
    for _ in 0..50 {
        let sock = UdpSocket::bind("127.0.0.1:0")?;
        match TcpListener::bind(sock.local_addr()?) {
            Ok(listener) => return Ok((sock, listener)),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free port")))
}

/// One TCP connection: length-prefixed questions, length-prefixed answers.
fn serve_tcp(mut stream: TcpStream, zone: &Zone, log: &Sender<(String, u16, Over)>) {
    loop {
        let mut len = [0u8; 2];
        if stream.read_exact(&mut len).is_err() {
            return;
        }
        let mut q = vec![0u8; usize::from(u16::from_be_bytes(len))];
        if stream.read_exact(&mut q).is_err() {
            return;
        }
        let Some(out) = reply(zone, &q, Over::Tcp, log) else {
            return;
        };
        let mut framed = (out.len() as u16).to_be_bytes().to_vec();
        framed.extend_from_slice(&out);
        if stream.write_all(&framed).is_err() {
            return;
        }
    }
}

/// The answer to one query, logged; `None` for a query it cannot read.
fn reply(zone: &Zone, q: &[u8], over: Over, log: &Sender<(String, u16, Over)>) -> Option<Vec<u8>> {
    let (name, qtype, end) = question(q)?;
    let _ = log.send((name.clone(), qtype, over));
    let truncated = over == Over::Udp && zone.truncate_udp;
    let answers = if truncated {
        Vec::new()
    } else {
        zone.answers(&name, qtype)
    };
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(&q[..2]); // id
                                    // Response, RD, RA, NOERROR; TC when truncated.
    out.extend_from_slice(&[if truncated { 0x83 } else { 0x81 }, 0x80]);
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&(answers.len() as u16).to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&q[12..end]);
    for (rtype, rdata) in answers {
        out.extend_from_slice(&record(rtype, &rdata));
    }
    Some(out)
}

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
    q.get(i + 3)?;
    Some((labels.join("."), qtype, i + 4))
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
