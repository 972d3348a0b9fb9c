//! Name resolution for `Output::Resolve` (RFC 3263 §4.2), blocking, on a
//! thread per lookup:
//!
//! - with a port, or for an IP address: the A and AAAA records of the host;
//! - without one: first the SRV records `_sip._udp`, `_sip._tcp` or
//!   `_sips._tcp` of the host, tried in RFC 2782 order (priority, then a
//!   weighted draw), each target on the port its record names; then, if
//!   there are none, the host's own addresses on the transport's default
//!   port (§4.2, last paragraph).
//!
//! SRV questions go over UDP (again over TCP when the answer is
//! truncated) to the configured name servers
//! ([`PhoneConfig::dns`](crate::PhoneConfig::dns)), else to those of
//! `/etc/resolv.conf`, with `hickory-proto` encoding and decoding the
//! messages. Addresses come from the same servers when they are
//! configured, else from the system resolver (`getaddrinfo` through
//! [`ToSocketAddrs`], which also reads `/etc/hosts`).

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

use geosip_core::connection::ConnectionId;
use geosip_core::io::{TransportError, TransportKind};
use geosip_core::transport::{order_srv, SrvTarget};
use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};

use crate::driver::Msg;
use crate::wake::Mailbox;

/// How long one server has to answer one question.
const QUESTION_TIMEOUT: Duration = Duration::from_secs(2);
/// At most this many servers are asked, and this many SRV targets used.
const MAX_SERVERS: usize = 3;
const MAX_TARGETS: usize = 8;

/// The addresses of a server, best first. `servers` are the configured
/// name servers (`None`: the system's).
pub(crate) fn resolve(
    host: &str,
    port: Option<u16>,
    transport: TransportKind,
    servers: Option<&[SocketAddr]>,
) -> Result<Vec<SocketAddr>, TransportError> {
    let host = host.trim_end_matches('.');
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if port.is_none() && host.parse::<IpAddr>().is_err() {
        let service = match transport {
            TransportKind::Udp => "_sip._udp",
            TransportKind::Tcp => "_sip._tcp",
            TransportKind::Tls => "_sips._tcp",
        };
        let asked = match servers {
            Some(list) => list.to_vec(),
            None => system_servers(),
        };
        let records = srv_records(&format!("{service}.{host}."), &asked);
        // RFC 2782: lowest priority first, within one a weighted draw.
        let ordered = order_srv(records, geosip_runtime_common::os_random);
        let mut out = Vec::new();
        for (target, port) in ordered.iter().take(MAX_TARGETS) {
            out.extend(addresses(target, *port, servers).unwrap_or_default());
        }
        if !out.is_empty() {
            return Ok(out);
        }
    }
    let port = port.unwrap_or(transport.default_port());
    let out = addresses(host, port, servers)?;
    if out.is_empty() {
        Err(TransportError::Unreachable)
    } else {
        Ok(out)
    }
}

/// The A and AAAA addresses of `host` (IPv4 first, as hickory's default
/// strategy in the tokio runtime: the core takes the first address, and a
/// socket bound to 0.0.0.0 cannot reach an IPv6 one).
fn addresses(
    host: &str,
    port: u16,
    servers: Option<&[SocketAddr]>,
) -> Result<Vec<SocketAddr>, TransportError> {
    let mut out: Vec<SocketAddr> = match (servers, host.parse::<IpAddr>()) {
        (_, Ok(ip)) => vec![SocketAddr::new(ip, port)],
        (Some(list), Err(_)) => {
            let name = format!("{}.", host.trim_end_matches('.'));
            [RecordType::A, RecordType::AAAA]
                .into_iter()
                .flat_map(|t| answers(&name, t, list))
                .filter_map(|rdata| match rdata {
                    RData::A(a) => Some(SocketAddr::new(IpAddr::V4(a.0), port)),
                    RData::AAAA(a) => Some(SocketAddr::new(IpAddr::V6(a.0), port)),
                    _ => None,
                })
                .collect()
        }
        (None, Err(_)) => (host, port)
            .to_socket_addrs()
            .map_err(|e| TransportError::Other(format!("DNS lookup of {host} failed: {e}")))?
            .collect(),
    };
    out.sort_by_key(|a| a.is_ipv6());
    Ok(out)
}

/// The SRV records of `name`: (target, port) with priority and weight.
fn srv_records(name: &str, servers: &[SocketAddr]) -> Vec<SrvTarget<(String, u16)>> {
    answers(name, RecordType::SRV, servers)
        .into_iter()
        .filter_map(|rdata| match rdata {
            RData::SRV(srv) => Some(SrvTarget {
                priority: srv.priority(),
                weight: srv.weight(),
                target: (srv.target().to_utf8(), srv.port()),
            }),
            _ => None,
        })
        // RFC 2782: a target of "." means the service is not offered.
        .filter(|t| t.target.0 != ".")
        .collect()
}

/// Asks the servers in turn for `name`'s records of one type; the first
/// server that answers (with records or with "no such name") decides.
fn answers(name: &str, rtype: RecordType, servers: &[SocketAddr]) -> Vec<RData> {
    let Ok(qname) = Name::from_ascii(name) else {
        return Vec::new();
    };
    for server in servers.iter().take(MAX_SERVERS) {
        match ask(&qname, rtype, *server) {
            Ok(found) => return found,
            Err(why) => tracing::debug!(%server, %name, ?rtype, why, "DNS question failed"),
        }
    }
    Vec::new()
}

/// One question to one server: over UDP with EDNS(0) offering 4,096
/// bytes, and again over TCP when the answer comes back truncated
/// (RFC 1035 §4.2.1, RFC 7766 §5).
fn ask(name: &Name, rtype: RecordType, server: SocketAddr) -> Result<Vec<RData>, String> {
    let id = getrandom::u32().map_err(|e| e.to_string())? as u16;
    let mut query = Message::new();
    let mut edns = Edns::new();
    edns.set_max_payload(UDP_PAYLOAD as u16);
    query
        .set_id(id)
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .set_recursion_desired(true)
        .add_query(Query::query(name.clone(), rtype))
        .set_edns(edns);
    let bytes = query.to_vec().map_err(|e| e.to_string())?;
    let reply = ask_udp(&bytes, id, server)?;
    let reply = if reply.truncated() {
        ask_tcp(&bytes, id, server)?
    } else {
        reply
    };
    match reply.response_code() {
        ResponseCode::NoError | ResponseCode::NXDomain => Ok(reply
            .answers()
            .iter()
            .filter(|r| r.record_type() == rtype)
            .map(|r| r.data().clone())
            .collect()),
        code => Err(format!("server answered {code}")),
    }
}

/// The largest UDP answer taken.
const UDP_PAYLOAD: usize = 4096;

/// Whether `reply` answers the question with this id.
fn answers_to(reply: &Message, id: u16) -> bool {
    reply.id() == id && reply.message_type() == MessageType::Response
}

fn ask_udp(query: &[u8], id: u16, server: SocketAddr) -> Result<Message, String> {
    let bind: SocketAddr = if server.is_ipv4() {
        SocketAddr::from(([0, 0, 0, 0], 0))
    } else {
        SocketAddr::from(([0u16; 8], 0))
    };
    let sock = UdpSocket::bind(bind).map_err(|e| e.to_string())?;
    // A connected socket only takes datagrams from the server.
    sock.connect(server).map_err(|e| e.to_string())?;
    sock.send(query).map_err(|e| e.to_string())?;
    let deadline = Instant::now() + QUESTION_TIMEOUT;
    let mut buf = [0u8; UDP_PAYLOAD];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err("no answer".into());
        }
        sock.set_read_timeout(Some(left))
            .map_err(|e| e.to_string())?;
        let n = sock.recv(&mut buf).map_err(|e| e.to_string())?;
        // Anything that is not the answer to this question is ignored.
        match Message::from_vec(&buf[..n]) {
            Ok(reply) if answers_to(&reply, id) => return Ok(reply),
            _ => continue,
        }
    }
}

/// The question again over TCP: each message behind its two-byte length.
fn ask_tcp(query: &[u8], id: u16, server: SocketAddr) -> Result<Message, String> {
    let mut stream =
        TcpStream::connect_timeout(&server, QUESTION_TIMEOUT).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(QUESTION_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(QUESTION_TIMEOUT)))
        .map_err(|e| e.to_string())?;
    let len = u16::try_from(query.len()).map_err(|e| e.to_string())?;
    let mut framed = len.to_be_bytes().to_vec();
    framed.extend_from_slice(query);
    stream.write_all(&framed).map_err(|e| e.to_string())?;
    let mut len = [0u8; 2];
    stream.read_exact(&mut len).map_err(|e| e.to_string())?;
    let mut answer = vec![0u8; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut answer).map_err(|e| e.to_string())?;
    match Message::from_vec(&answer) {
        Ok(reply) if answers_to(&reply, id) => Ok(reply),
        Ok(_) => Err("a TCP answer to another question".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// The name servers of `/etc/resolv.conf` on port 53.
fn system_servers() -> Vec<SocketAddr> {
    let Ok(text) = std::fs::read("/etc/resolv.conf") else {
        return Vec::new();
    };
    match resolv_conf::Config::parse(&text) {
        Ok(conf) => conf
            .nameservers
            .iter()
            .map(|ip| SocketAddr::new(IpAddr::from(ip.clone()), 53))
            .collect(),
        Err(e) => {
            tracing::debug!(error = %e, "cannot read /etc/resolv.conf");
            Vec::new()
        }
    }
}

/// Resolves on a thread of its own and sends the answer to the driver.
pub(crate) fn spawn(
    connection: ConnectionId,
    host: String,
    port: Option<u16>,
    transport: TransportKind,
    servers: Option<Vec<SocketAddr>>,
    mailbox: Mailbox,
) {
    let fallback = mailbox.clone();
    let spawned = thread::Builder::new()
        .name("geosip-dns".into())
        .spawn(move || {
            let result = resolve(&host, port, transport, servers.as_deref());
            let _ = mailbox.send(Msg::Resolved(connection, result));
        });
    if let Err(e) = spawned {
        let error = TransportError::Other(format!("cannot start a DNS thread: {e}"));
        let _ = fallback.send(Msg::Resolved(connection, Err(error)));
    }
}
