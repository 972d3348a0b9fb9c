//! TLS over a blocking [`TcpStream`]: the rustls client configuration (ring
//! provider), the handshake, and the two halves of an open TLS flow.
//!
//! One [`ClientConnection`] sits behind a mutex shared by the flow's reader
//! and writer threads. The reader waits for raw TCP bytes *outside* the
//! lock, then takes it to feed them to rustls and take the plaintext out;
//! the writer takes it to encrypt a message and write the records to its
//! own clone of the stream. So neither blocks the other while idle.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use geosip_core::io::TransportError;
use geosip_runtime_common::server_name;
use rustls::{ClientConfig, ClientConnection};

use crate::flows::transport_error;

type Shared = Arc<Mutex<ClientConnection>>;

fn lock(conn: &Shared) -> MutexGuard<'_, ClientConnection> {
    // A panic elsewhere cannot leave rustls in a state worse than an
    // error of its own; keep going rather than poison the flow.
    conn.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs the handshake on `tcp` within `timeout`. Any failure but the
/// timeout is a TLS error (a bad certificate, a name mismatch, a peer that
/// does not speak TLS or hangs up), as in the tokio runtime.
pub(crate) fn handshake(
    mut tcp: TcpStream,
    config: Arc<ClientConfig>,
    host: &str,
    timeout: Duration,
) -> Result<(TlsReader, TlsWriter), TransportError> {
    let name = server_name(host)
        .ok_or_else(|| TransportError::Tls(format!("bad server name {host:?}")))?;
    let mut conn =
        ClientConnection::new(config, name).map_err(|e| TransportError::Tls(e.to_string()))?;
    let deadline = Instant::now() + timeout;
    let timed_out = |e: &io::Error| {
        matches!(
            e.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        )
    };
    while conn.is_handshaking() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(TransportError::ConnectTimeout);
        }
        tcp.set_read_timeout(Some(left))
            .and_then(|()| tcp.set_write_timeout(Some(left)))
            .map_err(|e| transport_error(&e))?;
        if let Err(e) = conn.complete_io(&mut tcp) {
            return Err(if timed_out(&e) {
                TransportError::ConnectTimeout
            } else {
                TransportError::Tls(e.to_string())
            });
        }
    }
    while conn.wants_write() {
        conn.write_tls(&mut tcp).map_err(|e| transport_error(&e))?;
    }
    tcp.set_read_timeout(None)
        .map_err(|e| transport_error(&e))?;
    let writer = tcp.try_clone().map_err(|e| transport_error(&e))?;
    let conn = Arc::new(Mutex::new(conn));
    Ok((
        TlsReader {
            tcp,
            conn: conn.clone(),
            raw: vec![0; 16 * 1024],
        },
        TlsWriter { tcp: writer, conn },
    ))
}

/// The reading half of an open TLS flow.
pub(crate) struct TlsReader {
    tcp: TcpStream,
    conn: Shared,
    raw: Vec<u8>,
}

impl TlsReader {
    /// Blocks until plaintext arrives and appends it to `out`; `Reset`
    /// when the peer closed the flow (with or without close_notify).
    pub(crate) fn read(&mut self, out: &mut Vec<u8>) -> Result<(), TransportError> {
        loop {
            if drain(&mut lock(&self.conn), out)? {
                return Err(TransportError::Reset);
            }
            if !out.is_empty() {
                return Ok(());
            }
            // Wait for records without holding the lock.
            let n = match self.tcp.read(&mut self.raw) {
                Ok(0) => return Err(TransportError::Reset),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(transport_error(&e)),
            };
            let mut conn = lock(&self.conn);
            let mut rd = &self.raw[..n];
            while !rd.is_empty() {
                conn.read_tls(&mut rd).map_err(|e| transport_error(&e))?;
                let processed = conn.process_new_packets();
                // Alerts on failure, key updates otherwise.
                while conn.wants_write() {
                    if conn.write_tls(&mut self.tcp).is_err() {
                        break;
                    }
                }
                processed.map_err(|e| TransportError::Tls(e.to_string()))?;
                if drain(&mut conn, out)? {
                    return Err(TransportError::Reset);
                }
            }
        }
    }
}

/// Moves the decrypted bytes to `out`; true once the peer sent
/// close_notify.
fn drain(conn: &mut ClientConnection, out: &mut Vec<u8>) -> Result<bool, TransportError> {
    let mut chunk = [0u8; 4096];
    loop {
        match conn.reader().read(&mut chunk) {
            Ok(0) => return Ok(true),
            Ok(n) => out.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
            Err(e) => return Err(transport_error(&e)),
        }
    }
}

/// The writing half of an open TLS flow.
pub(crate) struct TlsWriter {
    tcp: TcpStream,
    conn: Shared,
}

impl TlsWriter {
    /// The stream the records go to (to set its write timeout).
    pub(crate) fn tcp(&self) -> &TcpStream {
        &self.tcp
    }

    /// Encrypts `data` and writes the records.
    pub(crate) fn write(&mut self, mut data: &[u8]) -> io::Result<()> {
        let mut conn = lock(&self.conn);
        loop {
            while conn.wants_write() {
                conn.write_tls(&mut self.tcp)?;
            }
            if data.is_empty() {
                return Ok(());
            }
            let n = conn.writer().write(data)?;
            if n == 0 && !conn.wants_write() {
                return Err(io::ErrorKind::WriteZero.into());
            }
            data = &data[n..];
        }
    }

    /// Sends close_notify and shuts the stream down, which also ends the
    /// reader.
    pub(crate) fn close(&mut self) {
        {
            let mut conn = lock(&self.conn);
            conn.send_close_notify();
            while conn.wants_write() {
                if conn.write_tls(&mut self.tcp).is_err() {
                    break;
                }
            }
        }
        let _ = self.tcp.shutdown(Shutdown::Both);
    }
}
