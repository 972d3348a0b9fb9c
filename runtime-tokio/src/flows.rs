//! Stream flows (TCP and TLS): connect, then one task reads and one
//! writes; what happens comes back to the driver as [`FlowEvent`]s, and
//! failures become the core's transport errors (its failover signals).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use geosip_core::io::{FlowId, TransportError, TransportKind};
use rustls::ClientConfig;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// What a flow task reports.
#[derive(Debug)]
pub(crate) enum FlowEvent {
    /// Connected (and the TLS handshake done): send bytes with `writer`.
    Connected {
        flow: FlowId,
        local: SocketAddr,
        writer: mpsc::UnboundedSender<Vec<u8>>,
    },
    /// Bytes arrived.
    Data { flow: FlowId, data: Vec<u8> },
    /// The connect, the handshake or the open flow failed.
    Failed { flow: FlowId, error: TransportError },
}

/// The core's view of an I/O error.
pub(crate) fn transport_error(e: &io::Error) -> TransportError {
    TransportError::from_io(e)
}

/// What a connect needs.
pub(crate) struct Connect {
    pub flow: FlowId,
    pub remote: SocketAddr,
    pub transport: TransportKind,
    pub server_name: String,
    pub tls: Arc<ClientConfig>,
    pub timeout: Duration,
}

/// Starts a flow: connect, handshake, then read until it ends.
pub(crate) fn spawn(c: Connect, events: mpsc::UnboundedSender<FlowEvent>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let flow = c.flow;
        let fail = |error| {
            let _ = events.send(FlowEvent::Failed { flow, error });
        };
        let tcp = match tokio::time::timeout(c.timeout, TcpStream::connect(c.remote)).await {
            Err(_) => return fail(TransportError::ConnectTimeout),
            Ok(Err(e)) => return fail(transport_error(&e)),
            Ok(Ok(s)) => s,
        };
        let _ = tcp.set_nodelay(true);
        let local = match tcp.local_addr() {
            Ok(a) => a,
            Err(e) => return fail(transport_error(&e)),
        };
        if c.transport == TransportKind::Tls {
            let Some(name) = geosip_runtime_common::server_name(&c.server_name) else {
                return fail(TransportError::Tls(format!(
                    "bad server name {:?}",
                    c.server_name
                )));
            };
            let connector = tokio_rustls::TlsConnector::from(c.tls.clone());
            let handshake = tokio::time::timeout(c.timeout, connector.connect(name, tcp)).await;
            let stream = match handshake {
                Err(_) => return fail(TransportError::ConnectTimeout),
                Ok(Err(e)) => return fail(TransportError::Tls(e.to_string())),
                Ok(Ok(s)) => s,
            };
            run(flow, local, stream, events).await;
        } else {
            run(flow, local, tcp, events).await;
        }
    })
}

/// Reads and writes one connected stream until either side ends.
async fn run<S>(
    flow: FlowId,
    local: SocketAddr,
    stream: S,
    events: mpsc::UnboundedSender<FlowEvent>,
) where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (mut rd, mut wr) = tokio::io::split(stream);
    let (writer, mut outgoing) = mpsc::unbounded_channel::<Vec<u8>>();
    if events
        .send(FlowEvent::Connected {
            flow,
            local,
            writer,
        })
        .is_err()
    {
        return;
    }
    let write_events = events.clone();
    let writing = tokio::spawn(async move {
        while let Some(bytes) = outgoing.recv().await {
            if let Err(e) = wr.write_all(&bytes).await {
                let _ = write_events.send(FlowEvent::Failed {
                    flow,
                    error: transport_error(&e),
                });
                return;
            }
        }
        // The driver closed the flow.
        let _ = wr.shutdown().await;
    });
    let mut buf = vec![0u8; 16 * 1024];
    let error = loop {
        match rd.read(&mut buf).await {
            Ok(0) => break TransportError::Reset,
            Ok(n) => {
                if events
                    .send(FlowEvent::Data {
                        flow,
                        data: buf[..n].to_vec(),
                    })
                    .is_err()
                {
                    writing.abort();
                    return;
                }
            }
            Err(e) => break transport_error(&e),
        }
    };
    writing.abort();
    let _ = events.send(FlowEvent::Failed { flow, error });
}
