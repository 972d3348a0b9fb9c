//! The thread that owns the endpoint (DESIGN §2: drain `poll_output`,
//! sleep until `poll_timeout`, arm and cancel nothing). It sleeps in
//! `UdpSocket::recv_from` with the read timeout set to the core's next
//! deadline; everything else reaches it through the [`Mailbox`], whose
//! pokes end that sleep early (see [`crate::wake`]). Only this thread ever
//! calls into the core.

use std::collections::HashMap;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::mpsc::{Receiver, Sender, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use geosip_core::connection::ConnectionId;
use geosip_core::endpoint::Endpoint;
use geosip_core::event::Event;
use geosip_core::io::{FlowId, Input, Output, TransportError};
use rustls::ClientConfig;

use crate::flows::{self, FlowEvent};
use crate::wake::Mailbox;

/// A closure run against the endpoint at the current instant.
pub(crate) type Job = Box<dyn FnOnce(&mut Endpoint, Instant) + Send>;

/// Everything the driver hears about, besides datagrams.
pub(crate) enum Msg {
    /// An application command.
    Run(Job),
    /// Unregister and stop; answer when stopped (`None`: the last handle
    /// was dropped, nobody waits).
    Shutdown(Option<SyncSender<()>>),
    /// A stream flow's news.
    Flow(FlowEvent),
    /// A DNS answer.
    Resolved(ConnectionId, Result<Vec<SocketAddr>, TransportError>),
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Msg::Run(_) => f.write_str("Run"),
            Msg::Shutdown(_) => f.write_str("Shutdown"),
            Msg::Flow(e) => write!(f, "Flow({e:?})"),
            Msg::Resolved(c, r) => write!(f, "Resolved({c:?}, {r:?})"),
        }
    }
}

/// The shortest read timeout: `set_read_timeout` refuses zero, and a
/// deadline that is due is handled before blocking anyway.
const MIN_WAIT: Duration = Duration::from_millis(1);

pub(crate) struct Driver {
    pub ep: Endpoint,
    pub udp: UdpSocket,
    pub local_udp: SocketAddr,
    /// The source address of pokes, dropped on arrival.
    pub waker_addr: SocketAddr,
    pub tls: Arc<ClientConfig>,
    pub inbox: Receiver<Msg>,
    /// For the flow and DNS threads the driver starts.
    pub mailbox: Mailbox,
    pub events: Sender<Event>,
    pub shutdown_timeout: Duration,
    /// The configured name servers, if any.
    pub dns: Option<Vec<SocketAddr>>,
}

/// A shutdown in progress: when it gives up, and who waits for it.
struct Stopping {
    deadline: Instant,
    replies: Vec<SyncSender<()>>,
}

impl Driver {
    pub(crate) fn run(mut self) {
        // Stream flows: the writer once connected (`None` while connecting).
        let mut flows: HashMap<FlowId, Option<Sender<Vec<u8>>>> = HashMap::new();
        let mut buf = vec![0u8; 65_536];
        let mut stopping: Option<Stopping> = None;
        loop {
            // Never disconnected: the driver holds a sender for its threads.
            while let Ok(msg) = self.inbox.try_recv() {
                self.handle(msg, &mut flows, &mut stopping);
            }
            let t = Instant::now();
            if self.ep.poll_timeout().is_some_and(|d| d <= t) {
                self.ep.handle_timeout(t);
            }
            self.flush(&mut flows);
            if let Some(s) = &stopping {
                if self.ep.stats().unregistering == 0 || Instant::now() >= s.deadline {
                    break;
                }
            }
            let wake = [
                self.ep.poll_timeout(),
                stopping.as_ref().map(|s| s.deadline),
            ]
            .into_iter()
            .flatten()
            .min();
            let timeout = wake.map(|w| w.saturating_duration_since(Instant::now()).max(MIN_WAIT));
            if let Err(e) = self.udp.set_read_timeout(timeout) {
                tracing::warn!(error = %e, "cannot set the UDP read timeout");
            }
            match self.udp.recv_from(&mut buf) {
                Ok((_, remote)) if remote == self.waker_addr => {} // a poke
                Ok((n, remote)) => self.ep.handle_input(
                    Instant::now(),
                    Input::Datagram {
                        local: self.local_udp,
                        remote,
                        data: &buf[..n],
                    },
                ),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => tracing::debug!(error = %e, "UDP receive failed"),
            }
        }
        // Dropping the writers shuts every stream down after what is queued.
        drop(flows);
        tracing::info!(local_udp = %self.local_udp, "phone stopped");
        if let Some(s) = stopping {
            for reply in s.replies {
                let _ = reply.send(());
            }
        }
    }

    /// Acts on one message from the mailbox.
    fn handle(
        &mut self,
        msg: Msg,
        flows: &mut HashMap<FlowId, Option<Sender<Vec<u8>>>>,
        stopping: &mut Option<Stopping>,
    ) {
        match msg {
            Msg::Run(f) => f(&mut self.ep, Instant::now()),
            Msg::Shutdown(reply) => {
                let s = stopping.get_or_insert_with(|| {
                    self.ep.shutdown(Instant::now());
                    Stopping {
                        deadline: Instant::now() + self.shutdown_timeout,
                        replies: Vec::new(),
                    }
                });
                s.replies.extend(reply);
            }
            Msg::Flow(FlowEvent::Connected {
                flow,
                local,
                writer,
            }) => match flows.get_mut(&flow) {
                Some(slot) => {
                    *slot = Some(writer);
                    self.ep
                        .handle_input(Instant::now(), Input::FlowConnected { flow, local });
                }
                None => drop(writer), // closed meanwhile: its writer shuts it
            },
            Msg::Flow(FlowEvent::Data { flow, data }) => {
                if flows.contains_key(&flow) {
                    self.ep
                        .handle_input(Instant::now(), Input::StreamData { flow, data: &data });
                }
            }
            Msg::Flow(FlowEvent::Failed { flow, error }) => {
                if flows.remove(&flow).is_some() {
                    tracing::info!(?flow, %error, "flow failed");
                    self.ep
                        .handle_input(Instant::now(), Input::FlowFailed { flow, error });
                }
            }
            Msg::Resolved(connection, result) => {
                self.ep
                    .handle_input(Instant::now(), Input::Resolved { connection, result });
            }
        }
    }

    /// Carries out everything the core asks for.
    fn flush(&mut self, flows: &mut HashMap<FlowId, Option<Sender<Vec<u8>>>>) {
        while let Some(out) = self.ep.poll_output() {
            match out {
                Output::Transmit(t) => match t.flow {
                    Some(flow) => {
                        if let Some(Some(w)) = flows.get(&flow) {
                            let _ = w.send(t.data);
                        }
                    }
                    None => {
                        if let Err(e) = self.udp.send_to(&t.data, t.remote) {
                            let error = flows::transport_error(&e);
                            self.ep.handle_input(
                                Instant::now(),
                                Input::DatagramFailed {
                                    remote: t.remote,
                                    error,
                                },
                            );
                        }
                    }
                },
                Output::Connect {
                    flow,
                    remote,
                    transport,
                    server_name,
                } => {
                    flows.insert(flow, None);
                    flows::spawn(
                        flows::Connect {
                            flow,
                            remote,
                            transport,
                            server_name,
                            tls: self.tls.clone(),
                            timeout: self.ep.config().connect_timeout,
                        },
                        self.mailbox.clone(),
                    );
                }
                Output::Close { flow } => {
                    // Dropping the writer lets its thread shut the stream
                    // down after what is queued; a flow still connecting
                    // is shut when it reports in.
                    flows.remove(&flow);
                }
                Output::Resolve {
                    connection,
                    host,
                    port,
                    transport,
                } => crate::dns::spawn(
                    connection,
                    host,
                    port,
                    transport,
                    self.dns.clone(),
                    self.mailbox.clone(),
                ),
                Output::Event(e) => {
                    let _ = self.events.send(e);
                }
            }
        }
    }
}
