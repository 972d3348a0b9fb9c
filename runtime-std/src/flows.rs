//! Stream flows (TCP and TLS) on threads of their own: one thread
//! connects, handshakes and then reads; once connected it starts a writer
//! thread fed by a channel, so a slow peer never blocks the driver. What
//! happens comes back to the driver as [`FlowEvent`]s, and failures become
//! the core's transport errors (its failover signals).

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use geosip_core::io::{FlowId, TransportError, TransportKind};
use rustls::ClientConfig;

use crate::driver::Msg;
use crate::tls::{self, TlsReader, TlsWriter};
use crate::wake::Mailbox;

/// How long one write may wait for the peer to take bytes before the flow
/// counts as timed out.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// What a flow's threads report.
#[derive(Debug)]
pub(crate) enum FlowEvent {
    /// Connected (and the TLS handshake done): send bytes with `writer`;
    /// dropping it closes the flow after what is queued.
    Connected {
        flow: FlowId,
        local: SocketAddr,
        writer: Sender<Vec<u8>>,
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

/// The reading half of a connected flow.
enum ReadHalf {
    Tcp(TcpStream, Vec<u8>),
    Tls(TlsReader),
}

impl ReadHalf {
    /// Blocks until bytes arrive and appends them to `out`; `Reset` at
    /// the end of the stream.
    fn read(&mut self, out: &mut Vec<u8>) -> Result<(), TransportError> {
        match self {
            ReadHalf::Tcp(tcp, buf) => loop {
                match tcp.read(buf) {
                    Ok(0) => return Err(TransportError::Reset),
                    Ok(n) => {
                        out.extend_from_slice(&buf[..n]);
                        return Ok(());
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(transport_error(&e)),
                }
            },
            ReadHalf::Tls(r) => r.read(out),
        }
    }
}

/// The writing half of a connected flow.
enum WriteHalf {
    Tcp(TcpStream),
    Tls(TlsWriter),
}

impl WriteHalf {
    fn write(&mut self, data: &[u8]) -> io::Result<()> {
        match self {
            WriteHalf::Tcp(tcp) => tcp.write_all(data),
            WriteHalf::Tls(w) => w.write(data),
        }
    }

    /// Shuts the stream down, which also ends the reader.
    fn close(&mut self) {
        match self {
            WriteHalf::Tcp(tcp) => {
                let _ = tcp.shutdown(Shutdown::Both);
            }
            WriteHalf::Tls(w) => w.close(),
        }
    }
}

/// Starts a flow's thread: connect, handshake, then read until it ends.
pub(crate) fn spawn(c: Connect, mailbox: Mailbox) {
    let flow = c.flow;
    let fallback = mailbox.clone();
    let spawned = thread::Builder::new()
        .name(format!("geosip-flow-{}", flow.0))
        .spawn(move || {
            let fail = |error| {
                let _ = mailbox.send(Msg::Flow(FlowEvent::Failed { flow, error }));
            };
            match connect(&c) {
                Ok((local, rd, wr)) => run(flow, local, rd, wr, mailbox),
                Err(error) => fail(error),
            }
        });
    if let Err(e) = spawned {
        let _ = fallback.send(Msg::Flow(FlowEvent::Failed {
            flow,
            error: TransportError::Other(format!("cannot start a flow thread: {e}")),
        }));
    }
}

/// Connects (and handshakes) within the connect timeout.
fn connect(c: &Connect) -> Result<(SocketAddr, ReadHalf, WriteHalf), TransportError> {
    let tcp =
        TcpStream::connect_timeout(&c.remote, c.timeout).map_err(|e| {
            match transport_error(&e) {
                TransportError::TimedOut => TransportError::ConnectTimeout,
                other => other,
            }
        })?;
    let _ = tcp.set_nodelay(true);
    let local = tcp.local_addr().map_err(|e| transport_error(&e))?;
    let (rd, wr) = if c.transport == TransportKind::Tls {
        let (rd, wr) = tls::handshake(tcp, c.tls.clone(), &c.server_name, c.timeout)?;
        wr.tcp()
            .set_write_timeout(Some(WRITE_TIMEOUT))
            .map_err(|e| transport_error(&e))?;
        (ReadHalf::Tls(rd), WriteHalf::Tls(wr))
    } else {
        let wr = tcp.try_clone().map_err(|e| transport_error(&e))?;
        wr.set_write_timeout(Some(WRITE_TIMEOUT))
            .map_err(|e| transport_error(&e))?;
        (ReadHalf::Tcp(tcp, vec![0; 16 * 1024]), WriteHalf::Tcp(wr))
    };
    Ok((local, rd, wr))
}

/// Reports the flow up, starts its writer and reads until it ends.
fn run(flow: FlowId, local: SocketAddr, mut rd: ReadHalf, mut wr: WriteHalf, mailbox: Mailbox) {
    let (writer, outgoing) = mpsc::channel::<Vec<u8>>();
    let write_mailbox = mailbox.clone();
    let spawned = thread::Builder::new()
        .name(format!("geosip-flow-{}-write", flow.0))
        .spawn(move || write_loop(flow, &mut wr, outgoing, write_mailbox));
    if let Err(e) = spawned {
        let error = TransportError::Other(format!("cannot start a flow thread: {e}"));
        let _ = mailbox.send(Msg::Flow(FlowEvent::Failed { flow, error }));
        return;
    }
    if mailbox
        .send(Msg::Flow(FlowEvent::Connected {
            flow,
            local,
            writer,
        }))
        .is_err()
    {
        return; // the writer's channel is gone with the message: it closes
    }
    let mut data = Vec::new();
    let error = loop {
        match rd.read(&mut data) {
            Ok(()) => {
                let chunk = std::mem::take(&mut data);
                if mailbox
                    .send(Msg::Flow(FlowEvent::Data { flow, data: chunk }))
                    .is_err()
                {
                    return;
                }
            }
            Err(e) => break e,
        }
    };
    let _ = mailbox.send(Msg::Flow(FlowEvent::Failed { flow, error }));
}

/// Writes what the driver sends, in order; when the driver drops its end
/// (it closed the flow, or stopped), shuts the stream down.
fn write_loop(flow: FlowId, wr: &mut WriteHalf, outgoing: Receiver<Vec<u8>>, mailbox: Mailbox) {
    for bytes in outgoing {
        if let Err(e) = wr.write(&bytes) {
            let error = transport_error(&e);
            let _ = mailbox.send(Msg::Flow(FlowEvent::Failed { flow, error }));
            break;
        }
    }
    wr.close();
}
