//! The task that owns the endpoint: one `select!` over the UDP socket, the
//! stream flows, DNS answers, the application's commands and the core's
//! next deadline (DESIGN §2: drain `poll_output`, sleep until
//! `poll_timeout`, arm and cancel nothing).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use geosip_core::connection::ConnectionId;
use geosip_core::endpoint::Endpoint;
use geosip_core::event::Event;
use geosip_core::io::{FlowId, Input, Output, TransportError};
use hickory_resolver::TokioResolver;
use rustls::ClientConfig;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::flows::{self, FlowEvent};

/// A closure run against the endpoint at the current instant.
pub(crate) type Job = Box<dyn FnOnce(&mut Endpoint, Instant) + Send>;

/// What the phone handles send to the task.
pub(crate) enum Command {
    Run(Job),
    Shutdown(oneshot::Sender<()>),
}

struct FlowHandle {
    writer: Option<mpsc::UnboundedSender<Vec<u8>>>,
    task: JoinHandle<()>,
}

pub(crate) struct Driver {
    pub ep: Endpoint,
    pub udp: UdpSocket,
    pub local_udp: SocketAddr,
    pub tls: Arc<ClientConfig>,
    pub resolver: Option<Arc<TokioResolver>>,
    pub commands: mpsc::UnboundedReceiver<Command>,
    pub events: mpsc::UnboundedSender<Event>,
    pub shutdown_timeout: Duration,
}

/// The clock the core sees: tokio's, so that paused-time tests work.
fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

impl Driver {
    pub(crate) async fn run(mut self) {
        let (flow_tx, mut flow_rx) = mpsc::unbounded_channel::<FlowEvent>();
        let (dns_tx, mut dns_rx) =
            mpsc::unbounded_channel::<(ConnectionId, Result<Vec<SocketAddr>, TransportError>)>();
        let mut flows: HashMap<FlowId, FlowHandle> = HashMap::new();
        let mut buf = vec![0u8; 65_536];
        let mut stopping: Option<(Instant, Option<oneshot::Sender<()>>)> = None;
        loop {
            let t = now();
            if self.ep.poll_timeout().is_some_and(|d| d <= t) {
                self.ep.handle_timeout(t);
            }
            self.flush(&mut flows, &flow_tx, &dns_tx).await;
            if let Some((deadline, _)) = &stopping {
                if self.ep.stats().unregistering == 0 || now() >= *deadline {
                    break;
                }
            }
            let wake = [self.ep.poll_timeout(), stopping.as_ref().map(|s| s.0)]
                .into_iter()
                .flatten()
                .min();
            let sleep = async {
                match wake {
                    Some(w) => tokio::time::sleep_until(tokio::time::Instant::from_std(w)).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                cmd = self.commands.recv() => match cmd {
                    Some(Command::Run(f)) => f(&mut self.ep, now()),
                    Some(Command::Shutdown(reply)) => {
                        if stopping.is_none() {
                            self.ep.shutdown(now());
                            stopping = Some((now() + self.shutdown_timeout, Some(reply)));
                        }
                    }
                    None => {
                        // Every Phone handle is gone: unregister and stop.
                        if stopping.is_none() {
                            self.ep.shutdown(now());
                            stopping = Some((now() + self.shutdown_timeout, None));
                        } else {
                            // Keep draining until the deadline; the closed
                            // channel would wake us in a loop otherwise.
                            tokio::time::sleep_until(tokio::time::Instant::from_std(
                                stopping.as_ref().map(|s| s.0).unwrap_or_else(now),
                            ))
                            .await;
                        }
                    }
                },
                r = self.udp.recv_from(&mut buf) => match r {
                    Ok((n, remote)) => self.ep.handle_input(now(), Input::Datagram {
                        local: self.local_udp,
                        remote,
                        data: &buf[..n],
                    }),
                    Err(e) => tracing::debug!(error = %e, "UDP receive failed"),
                },
                Some(ev) = flow_rx.recv() => match ev {
                    FlowEvent::Connected { flow, local, writer } => {
                        match flows.get_mut(&flow) {
                            Some(h) => {
                                h.writer = Some(writer);
                                self.ep.handle_input(now(), Input::FlowConnected { flow, local });
                            }
                            None => drop(writer), // closed meanwhile
                        }
                    }
                    FlowEvent::Data { flow, data } => {
                        if flows.contains_key(&flow) {
                            self.ep.handle_input(now(), Input::StreamData { flow, data: &data });
                        }
                    }
                    FlowEvent::Failed { flow, error } => {
                        if let Some(h) = flows.remove(&flow) {
                            h.task.abort();
                            tracing::info!(?flow, %error, "flow failed");
                            self.ep.handle_input(now(), Input::FlowFailed { flow, error });
                        }
                    }
                },
                Some((connection, result)) = dns_rx.recv() => {
                    self.ep.handle_input(now(), Input::Resolved { connection, result });
                }
                _ = sleep => {}
            }
        }
        for (_, h) in flows.drain() {
            h.task.abort();
        }
        if let Some((_, Some(reply))) = stopping {
            let _ = reply.send(());
        }
    }

    /// Carries out everything the core asks for.
    async fn flush(
        &mut self,
        flows: &mut HashMap<FlowId, FlowHandle>,
        flow_tx: &mpsc::UnboundedSender<FlowEvent>,
        dns_tx: &mpsc::UnboundedSender<(ConnectionId, Result<Vec<SocketAddr>, TransportError>)>,
    ) {
        while let Some(out) = self.ep.poll_output() {
            match out {
                Output::Transmit(t) => match t.flow {
                    Some(flow) => {
                        if let Some(w) = flows.get(&flow).and_then(|h| h.writer.as_ref()) {
                            let _ = w.send(t.data);
                        }
                    }
                    None => {
                        if let Err(e) = self.udp.send_to(&t.data, t.remote).await {
                            let error = flows::transport_error(&e);
                            self.ep.handle_input(
                                now(),
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
                    let task = flows::spawn(
                        flows::Connect {
                            flow,
                            remote,
                            transport,
                            server_name,
                            tls: self.tls.clone(),
                            timeout: self.ep.config().connect_timeout,
                        },
                        flow_tx.clone(),
                    );
                    flows.insert(flow, FlowHandle { writer: None, task });
                }
                Output::Close { flow } => {
                    if let Some(h) = flows.remove(&flow) {
                        // Dropping the writer lets the write task shut the
                        // stream down after what is queued.
                        drop(h.writer);
                        let task = h.task;
                        tokio::spawn(async move {
                            tokio::time::sleep(Duration::from_millis(200)).await;
                            task.abort();
                        });
                    }
                }
                Output::Resolve {
                    connection,
                    host,
                    port,
                    transport,
                } => {
                    let resolver = self.resolver.clone();
                    let tx = dns_tx.clone();
                    tokio::spawn(async move {
                        let result =
                            crate::dns::resolve(resolver.as_deref(), &host, port, transport).await;
                        let _ = tx.send((connection, result));
                    });
                }
                Output::Event(e) => {
                    let _ = self.events.send(e);
                }
            }
        }
    }
}
