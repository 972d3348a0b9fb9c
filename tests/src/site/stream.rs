//! The site's side of stream flows (TCP, TLS): each flow's framer, and
//! what arrives on it: CRLFCRLF pings answered with a pong (RFC 5626
//! §3.5.1), messages handed to the site, and a reset on bytes that do not
//! frame.

use std::net::SocketAddr;
use std::time::Instant;

use geosip_core::io::{FlowId, TransportKind};
use geosip_core::message::ParseLimits;
use geosip_core::transport::{FlowRole, Frame, StreamFramer};

use super::calls::Peer;
use super::records::SiteOutput;
use super::registrar::Source;
use super::Site;

/// A flow the endpoint opened to the site.
#[derive(Debug)]
pub(super) struct SiteFlow {
    framer: StreamFramer,
    pub(super) peer: SocketAddr,
    pub(super) transport: TransportKind,
}

impl SiteFlow {
    /// A flow from `peer`, with a fresh server-side framer.
    pub(super) fn new(peer: SocketAddr, transport: TransportKind) -> Self {
        SiteFlow {
            framer: StreamFramer::new(FlowRole::Server, ParseLimits::default()),
            peer,
            transport,
        }
    }
}

impl Site {
    /// Bytes on `flow`: frames them and handles each ping and message;
    /// resets the flow if they do not frame.
    pub(super) fn on_stream(
        &mut self,
        now: Instant,
        flow: FlowId,
        data: &[u8],
        out: &mut Vec<SiteOutput>,
    ) {
        let Some(f) = self.flows.get_mut(&flow) else {
            return;
        };
        let source = Source {
            addr: f.peer,
            transport: f.transport,
        };
        let mut frames: Vec<Option<Vec<u8>>> = Vec::new();
        let mut failed = f.framer.push(data).is_err();
        while !failed {
            match f.framer.next_frame() {
                Ok(None) => break,
                Ok(Some(Frame::Ping)) => frames.push(None),
                Ok(Some(Frame::Pong)) => {}
                Ok(Some(Frame::Message { bytes, .. })) => frames.push(Some(bytes.to_vec())),
                Err(_) => failed = true,
            }
        }
        for frame in frames {
            match frame {
                None => {
                    self.counters.pings += 1;
                    out.push(SiteOutput::Stream {
                        flow,
                        data: StreamFramer::PONG.to_vec(),
                    });
                }
                Some(bytes) => {
                    self.on_message(now, &bytes, source, Peer::Stream { flow }, out);
                }
            }
        }
        if failed {
            self.counters.malformed += 1;
            self.flows.remove(&flow);
            out.push(SiteOutput::Reset { flow });
        }
    }
}
