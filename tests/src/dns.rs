//! A tiny authoritative DNS responder on loopback for the runtimes' RFC
//! 3263 tests: it answers SRV and A questions from a fixed table, and logs
//! every question it gets. Messages are written by hand (RFC 1035 §4.1),
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

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::mpsc::{channel, Receiver};

/// The SRV record type.
pub const SRV: u16 = 33;
/// The A record type.
pub const A: u16 = 1;

/// What the responder knows.
#[derive(Debug, Clone, Default)]
pub struct Zone {
    srv: Vec<(String, u16, u16, u16, String)>,
    a: Vec<(String, Ipv4Addr)>,
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

/// The running responder. It stops with the test process.
pub struct DnsResponder {
    addr: SocketAddr,
    questions: Receiver<(String, u16)>,
}

impl DnsResponder {
    /// Binds 127.0.0.1 on a free port and answers from `zone`.
    pub fn start(zone: Zone) -> std::io::Result<Self> {
        let sock = UdpSocket::bind("127.0.0.1:0")?;
        let addr = sock.local_addr()?;
        let (tx, questions) = channel();
        std::thread::Builder::new()
            .name("dns-responder".into())
            .spawn(move || {
                let mut buf = [0u8; 1500];
                while let Ok((n, from)) = sock.recv_from(&mut buf) {
                    let q = &buf[..n];
                    let Some((name, qtype, end)) = question(q) else {
                        continue;
                    };
                    let _ = tx.send((name.clone(), qtype));
                    let answers = zone.answers(&name, qtype);
                    let mut out = Vec::with_capacity(512);
                    out.extend_from_slice(&q[..2]); // id
                    out.extend_from_slice(&[0x81, 0x80]); // response, RD, RA, NOERROR
                    out.extend_from_slice(&1u16.to_be_bytes());
                    out.extend_from_slice(&(answers.len() as u16).to_be_bytes());
                    out.extend_from_slice(&[0, 0, 0, 0]);
                    out.extend_from_slice(&q[12..end]);
                    for (rtype, rdata) in answers {
                        out.extend_from_slice(&record(rtype, &rdata));
                    }
                    let _ = sock.send_to(&out, from);
                }
            })?;
        Ok(DnsResponder { addr, questions })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The questions asked so far: (lowercased name, type).
    pub fn questions(&self) -> Vec<(String, u16)> {
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
