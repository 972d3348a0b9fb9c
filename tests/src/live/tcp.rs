//! The TCP side: the acceptor thread, which numbers connections and
//! hands them to the worker, and one reader thread per connection, which
//! forwards its bytes and its end.

use std::io::{self, Read};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use geosip_core::io::FlowId;

use super::{Msg, Shared};

/// How often the acceptor looks for connections and its stop flag.
const ACCEPT_POLL: Duration = Duration::from_millis(10);

/// How often a reader looks at the stop flag while its peer is silent.
const READ_POLL: Duration = Duration::from_millis(20);

/// How long a write may block (a peer that does not read) before the
/// worker gives the connection up.
const WRITE_TIMEOUT: Duration = Duration::from_secs(1);

/// The read buffer of a connection.
const READ_BUF: usize = 16 * 1024;

pub(super) struct Acceptor {
    listener: TcpListener,
    local: SocketAddr,
    shared: Arc<Shared>,
    tx: Sender<Msg>,
    next_flow: u64,
    readers: Vec<JoinHandle<()>>,
}

impl Acceptor {
    pub(super) fn new(
        listener: TcpListener,
        shared: Arc<Shared>,
        tx: Sender<Msg>,
    ) -> io::Result<Acceptor> {
        listener.set_nonblocking(true)?;
        Ok(Acceptor {
            local: listener.local_addr()?,
            listener,
            shared,
            tx,
            next_flow: 0,
            readers: Vec::new(),
        })
    }

    /// Accepts until the stop flag is set; then joins the readers.
    pub(super) fn run(mut self) {
        while !self.shared.stopping() {
            match self.listener.accept() {
                Ok((stream, from)) => self.accept(stream, from),
                // WouldBlock, or a connection that died in the backlog.
                Err(_) => thread::sleep(ACCEPT_POLL),
            }
            self.readers.retain(|r| !r.is_finished());
        }
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }

    fn accept(&mut self, stream: TcpStream, from: SocketAddr) {
        if !self.shared.running.load(Ordering::Acquire) {
            // A stopped service: the connection goes at once.
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
        let prepared = stream
            .set_nonblocking(false)
            .and_then(|()| stream.set_nodelay(true))
            .and_then(|()| stream.set_write_timeout(Some(WRITE_TIMEOUT)))
            .and_then(|()| stream.set_read_timeout(Some(READ_POLL)))
            .and_then(|()| stream.try_clone());
        let Ok(reader) = prepared else {
            let _ = stream.shutdown(Shutdown::Both);
            return;
        };
        let flow = FlowId(self.next_flow);
        self.next_flow += 1;
        // The worker learns of the flow before the reader can send its
        // bytes, since bytes for a flow it does not know are dropped.
        let opened = Msg::Opened {
            flow,
            stream,
            from,
            to: self.local,
        };
        self.shared.send(&self.tx, opened);
        let (shared, tx) = (Arc::clone(&self.shared), self.tx.clone());
        let spawned = thread::Builder::new()
            .name(format!("live-site-{}-flow{}", self.local.port(), flow.0))
            .spawn(move || read(reader, flow, &shared, &tx));
        match spawned {
            Ok(handle) => self.readers.push(handle),
            // No reader, no flow: the worker closes it.
            Err(_) => {
                self.shared.send(&self.tx, Msg::Closed { flow });
            }
        }
    }
}

/// A reader thread: forwards the bytes of `stream` until it ends, fails
/// or the site shuts down.
fn read(mut stream: TcpStream, flow: FlowId, shared: &Shared, tx: &Sender<Msg>) {
    let mut buf = vec![0u8; READ_BUF];
    while !shared.stopping() {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let data = buf[..n].to_vec();
                if !shared.send(tx, Msg::Data { flow, data }) {
                    return;
                }
            }
            Err(e) if is_transient(&e) => {}
            Err(_) => break,
        }
    }
    shared.send(tx, Msg::Closed { flow });
}

/// Whether a read error only means "nothing yet".
fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}
