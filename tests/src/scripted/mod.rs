//! A scripted user agent for testing the harness itself: it sends what the
//! test tells it to (hand-built with [`MessageWriter`]) and keeps whatever
//! arrives. It has no timers and no logic.
//!
//! - [`sip`]: the raw SIP of calls, as the scripted endpoint writes it.
//! - [`inbox`]: readings of what the scripted endpoint received.

pub mod inbox;
pub mod sip;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use geosip_core::auth::{Credentials, DigestClient};
use geosip_core::io::{FlowId, Input, Output, Transmit, TransportKind};
use geosip_core::message::headers::WwwAuthenticate;
use geosip_core::message::{parse, HeaderName, Message, MessageWriter, Method};

use crate::agent::Agent;
use crate::net::EndpointInput;

/// An agent that only does what it is told. See the module docs.
#[derive(Debug, Default)]
pub struct ScriptedUa {
    outputs: VecDeque<Output>,
    received: Vec<(Instant, EndpointInput)>,
    next_flow: u64,
}

impl ScriptedUa {
    /// A new agent.
    pub fn new() -> Self {
        ScriptedUa::default()
    }

    /// Sends a datagram from the endpoint's socket.
    pub fn send_udp(&mut self, remote: SocketAddr, data: Vec<u8>) {
        self.outputs.push_back(Output::Transmit(Transmit {
            transport: TransportKind::Udp,
            flow: None,
            local: None,
            remote,
            data,
        }));
    }

    /// Asks for a stream flow; returns its id.
    pub fn connect(&mut self, remote: SocketAddr, transport: TransportKind) -> FlowId {
        self.next_flow += 1;
        let flow = FlowId(self.next_flow);
        self.outputs.push_back(Output::Connect {
            flow,
            remote,
            transport,
            server_name: remote.ip().to_string(),
        });
        flow
    }

    /// Sends bytes on a flow.
    pub fn send_stream(&mut self, flow: FlowId, remote: SocketAddr, data: Vec<u8>) {
        self.outputs.push_back(Output::Transmit(Transmit {
            transport: TransportKind::Tcp,
            flow: Some(flow),
            local: None,
            remote,
            data,
        }));
    }

    /// Closes a flow.
    pub fn close(&mut self, flow: FlowId) {
        self.outputs.push_back(Output::Close { flow });
    }

    /// Everything received, with times.
    pub fn received(&self) -> &[(Instant, EndpointInput)] {
        &self.received
    }

    /// The payloads of datagrams and stream data, in order, with the times
    /// they arrived.
    pub fn timed_payloads(&self) -> Vec<(Instant, &[u8])> {
        self.received
            .iter()
            .filter_map(|(at, i)| match i {
                EndpointInput::Datagram { data, .. } | EndpointInput::StreamData { data, .. } => {
                    Some((*at, data.as_slice()))
                }
                _ => None,
            })
            .collect()
    }

    /// The payloads of datagrams and stream data, in order.
    pub fn payloads(&self) -> Vec<&[u8]> {
        self.timed_payloads().into_iter().map(|(_, d)| d).collect()
    }

    /// The SIP responses received (whole datagrams, or stream chunks that
    /// are one message each), parsed.
    pub fn responses(&self) -> Vec<Message<'_>> {
        self.payloads()
            .into_iter()
            .filter_map(|p| parse(p).ok())
            .filter(|m| !m.is_request())
            .collect()
    }

    /// The last response's status code.
    pub fn last_status(&self) -> Option<u16> {
        self.responses().last().and_then(Message::status)
    }
}

impl Agent for ScriptedUa {
    fn handle_input(&mut self, now: Instant, input: Input<'_>) {
        self.received.push((now, EndpointInput::from(&input)));
    }
    fn handle_timeout(&mut self, _now: Instant) {}
    fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        None
    }
}

/// A REGISTER as a client would write it.
#[derive(Debug, Clone)]
pub struct RegisterSpec<'a> {
    /// The AOR user.
    pub user: &'a str,
    /// The AOR domain and Request-URI host.
    pub domain: &'a str,
    /// Our address (Via sent-by and Contact).
    pub local: SocketAddr,
    /// The transport.
    pub transport: TransportKind,
    /// CSeq number; also makes the branch unique.
    pub cseq: u32,
    /// The Expires header.
    pub expires: u32,
    /// An Authorization value.
    pub authorization: Option<&'a str>,
}

impl RegisterSpec<'_> {
    /// The Request-URI.
    pub fn uri(&self) -> String {
        format!("sip:{}", self.domain)
    }

    /// The request bytes.
    pub fn build(&self) -> Vec<u8> {
        let mut buf = Vec::new();
        let via = format!(
            "SIP/2.0/{} {};branch=z9hG4bKsim{};rport",
            self.transport.via_token(),
            self.local,
            self.cseq
        );
        let aor = format!("<sip:{}@{}>", self.user, self.domain);
        let mut w = MessageWriter::request(&mut buf, Method::Register, &self.uri());
        w.header(HeaderName::Via, &via)
            .header(HeaderName::MaxForwards, "70")
            .header(HeaderName::From, &format!("{aor};tag=scripted"))
            .header(HeaderName::To, &aor)
            .header(HeaderName::CallId, &format!("scripted-{}", self.user))
            .header(HeaderName::CSeq, &format!("{} REGISTER", self.cseq))
            .header(
                HeaderName::Contact,
                &format!("<sip:{}@{}>", self.user, self.local),
            )
            .header_u32(HeaderName::Expires, self.expires);
        if let Some(a) = self.authorization {
            w.header(HeaderName::Authorization, a);
        }
        w.finish(b"");
        buf
    }
}

/// An OPTIONS request with a branch made from `n`.
pub fn options_request(local: SocketAddr, target: SocketAddr, n: u32) -> Vec<u8> {
    let mut buf = Vec::new();
    MessageWriter::request(&mut buf, Method::Options, &format!("sip:{target}"))
        .header(
            HeaderName::Via,
            &format!("SIP/2.0/UDP {local};branch=z9hG4bKopt{n};rport"),
        )
        .header(HeaderName::MaxForwards, "70")
        .header(HeaderName::From, "<sip:probe@sim>;tag=p")
        .header(HeaderName::To, &format!("<sip:{target}>"))
        .header(HeaderName::CallId, &format!("options-{n}"))
        .header(HeaderName::CSeq, &format!("{n} OPTIONS"))
        .finish(b"");
    buf
}

/// Answers the challenges of a 401 for `spec`'s REGISTER with `client`.
pub fn authorize(
    client: &mut DigestClient,
    challenge_response: &Message<'_>,
    spec: &RegisterSpec<'_>,
    password: &str,
    cnonce: &str,
) -> String {
    let challenges = challenge_response
        .typed_all::<WwwAuthenticate>()
        .filter_map(Result::ok)
        .map(|c| c.0);
    client
        .respond(
            challenges,
            false,
            &Credentials::new(spec.user, password),
            "REGISTER",
            &spec.uri(),
            b"",
            cnonce,
        )
        .expect("a supported challenge")
        .value
}
