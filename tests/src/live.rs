//! A [`Site`] served on real sockets: [`LiveSite`] binds a UDP socket and
//! a TCP listener on one address and port, and runs the site on
//! background std threads with the real clock, so that a runtime, the
//! QuickStart program or a test can register and call against geosip's
//! own registrar without any outside server. TLS is not served.
//!
//! Threads (all joined by [`LiveSite::shutdown`] or on drop):
//! - one *worker* owns the [`Site`]: it reads the UDP socket with a read
//!   timeout up to the site's next timer (at most 20 ms), runs the timers,
//!   and takes everything else from one `mpsc` channel: stream bytes,
//!   closed flows, and commands from [`LiveSite::with_site`]. It writes
//!   the site's outputs: datagrams on its socket, stream bytes on the
//!   flows' connections;
//! - one *acceptor* takes TCP connections (polling every 10 ms);
//! - one *reader* per accepted connection forwards its bytes and its end.
//!
//! Whoever puts something in the channel also sends an empty datagram to
//! the site's UDP socket from a private socket, so the worker wakes at
//! once rather than at its next read timeout.
//!
//! A stopped site ([`LiveSite::set_running`]) keeps its sockets but
//! ignores datagrams without a word, like a hung process, and resets its
//! connections: the open ones and every new one.
//!
//! ```
//! use std::time::Duration;
//! use geosip_sim::live::LiveSite;
//! use geosip_sim::site::FarEnd;
//! use geosip_sim::SiteConfig;
//!
//! let config = SiteConfig::new("example.com")
//!     .user("1001", "secret")
//!     .far_end("2000", FarEnd::answer(Duration::from_millis(200)));
//! let site = LiveSite::start(config, "127.0.0.1".parse().unwrap(), 0).unwrap();
//! let server = site.addr().to_string(); // for ConnectionConfig::new
//! assert!(site.is_running() && site.bindings().is_empty());
//! site.set_running(false);
//! assert!(!site.is_running());
//! site.shutdown();
//! # let _ = server;
//! ```

mod tcp;
mod worker;

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use geosip_core::io::FlowId;

use crate::site::{Binding, Site, SiteCall, SiteConfig, SiteId, SiteOutput};

/// How many times a free port is looked for before giving up.
const BIND_TRIES: usize = 16;

/// A command for the site, run on the worker: returns what to send, and
/// the reply to the caller, which the worker sends once the outputs are
/// out and the service's state is brought up to date.
type Job = Box<dyn FnOnce(&mut Site, Instant) -> (Vec<SiteOutput>, Reply) + Send>;

/// Hands a command's result back to its caller.
type Reply = Box<dyn FnOnce() + Send>;

/// What the other threads hand the worker.
enum Msg {
    /// A TCP connection was accepted; `stream` is the worker's handle
    /// for writing and resetting.
    Opened {
        flow: FlowId,
        stream: TcpStream,
        from: SocketAddr,
        to: SocketAddr,
    },
    /// Bytes on a connection.
    Data { flow: FlowId, data: Vec<u8> },
    /// The connection ended (closed or failed).
    Closed { flow: FlowId },
    /// A command from [`LiveSite::with_site`].
    Run(Job),
}

/// What the threads share.
struct Shared {
    /// Whether the service runs (the worker keeps it in step with the
    /// site; the acceptor reads it).
    running: AtomicBool,
    /// Set once, to end every thread.
    stop: AtomicBool,
    /// The private socket that wakes the worker.
    waker: UdpSocket,
    /// Where the wake-up datagrams go: the site's UDP socket.
    wake_to: SocketAddr,
}

impl Shared {
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }

    /// Sends `msg` to the worker and wakes it; false if the worker is gone.
    fn send(&self, tx: &Sender<Msg>, msg: Msg) -> bool {
        let sent = tx.send(msg).is_ok();
        self.wake();
        sent
    }

    fn wake(&self) {
        // Best effort: the worker's read timeout is the fallback.
        let _ = self.waker.send_to(&[], self.wake_to);
    }
}

/// A [`Site`] on real sockets. See the module docs.
///
/// Every method takes `&self` and may be called from any thread.
pub struct LiveSite {
    addr: SocketAddr,
    shared: Arc<Shared>,
    tx: Sender<Msg>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl fmt::Debug for LiveSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveSite")
            .field("addr", &self.addr)
            .field("running", &self.is_running())
            .finish_non_exhaustive()
    }
}

impl LiveSite {
    /// Serves a site with `config` on UDP and TCP `ip:port`.
    ///
    /// `ip` should be an address peers can reach and the site can write in
    /// its Via, Contact and Record-Route (`127.0.0.1` for tests). Port 0
    /// picks a free port, the same one for UDP and TCP; the config's
    /// [`port`](SiteConfig::port) is set to the port bound either way.
    ///
    /// # Errors
    ///
    /// When the sockets cannot be bound (e.g. the port is taken) or the
    /// threads cannot be started.
    pub fn start(mut config: SiteConfig, ip: IpAddr, port: u16) -> io::Result<LiveSite> {
        let (listener, udp) = bind(ip, port)?;
        let addr = udp.local_addr()?;
        config.port = Some(addr.port());
        // A live site may serve for hours: keep its request log bounded.
        config.max_records.get_or_insert(10_000);
        let wake_to = SocketAddr::new(reachable(ip), addr.port());
        let waker = UdpSocket::bind((wake_to.ip(), 0))?;
        let shared = Arc::new(Shared {
            running: AtomicBool::new(true),
            stop: AtomicBool::new(false),
            waker,
            wake_to,
        });
        let site = Site::new(SiteId(0), ip, config, seed(addr.port()));
        let (tx, rx) = mpsc::channel();
        let worker = worker::Worker::new(site, udp, rx, Arc::clone(&shared))?;
        let worker = thread::Builder::new()
            .name(format!("live-site-{}", addr.port()))
            .spawn(move || worker.run())?;
        let live = LiveSite {
            addr,
            shared: Arc::clone(&shared),
            tx: tx.clone(),
            threads: Mutex::new(vec![worker]),
        };
        // On error, dropping `live` ends the worker.
        let acceptor = tcp::Acceptor::new(listener, shared, tx)?;
        let acceptor = thread::Builder::new()
            .name(format!("live-site-{}-accept", addr.port()))
            .spawn(move || acceptor.run())?;
        live.threads().push(acceptor);
        Ok(live)
    }

    /// The site's address, for UDP and TCP alike.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Starts the service again ([`Site::start`], a restart) or stops it
    /// ([`Site::stop`]: bindings, nonces, calls and flows are lost). While
    /// stopped, datagrams are ignored and connections are reset. Returns
    /// once done.
    ///
    /// # Panics
    ///
    /// After [`shutdown`](Self::shutdown).
    pub fn set_running(&self, running: bool) {
        self.with_site(move |site, _| {
            if running {
                site.start();
            } else {
                site.stop();
            }
            ((), Vec::new())
        });
    }

    /// Whether the service runs.
    pub fn is_running(&self) -> bool {
        self.shared.running.load(Ordering::Acquire)
    }

    /// Runs `f` on the site with the current time, sends the outputs it
    /// returns, and returns its result: a way to place calls
    /// ([`Site::call_user`]), send in-dialog requests or read anything.
    ///
    /// ```no_run
    /// # use geosip_sim::{live::LiveSite, site::SiteCallOptions};
    /// # fn f(site: &LiveSite) {
    /// let call = site.with_site(|s, now| s.call_user(now, "1001", SiteCallOptions::default()));
    /// # }
    /// ```
    ///
    /// `f` runs on the worker thread, which serves nothing meanwhile: it
    /// must not block, nor call this `LiveSite` (that would deadlock).
    ///
    /// # Panics
    ///
    /// After [`shutdown`](Self::shutdown), and if `f` panics (the site
    /// goes on serving).
    pub fn with_site<R, F>(&self, f: F) -> R
    where
        R: Send + 'static,
        F: FnOnce(&mut Site, Instant) -> (R, Vec<SiteOutput>) + Send + 'static,
    {
        let (reply, result) = mpsc::channel();
        let job: Job = Box::new(move |site, now| {
            let (result, outputs) = match catch_unwind(AssertUnwindSafe(|| f(site, now))) {
                Ok((r, outputs)) => (Ok(r), outputs),
                Err(panic) => (Err(panic), Vec::new()),
            };
            let reply: Reply = Box::new(move || {
                let _ = reply.send(result);
            });
            (outputs, reply)
        });
        self.shared.send(&self.tx, Msg::Run(job));
        match result.recv() {
            Ok(Ok(r)) => r,
            Ok(Err(panic)) => resume_unwind(panic),
            Err(_) => panic!("LiveSite at {} is shut down", self.addr),
        }
    }

    /// A snapshot of every call since the last start ([`Site::calls`]).
    ///
    /// # Panics
    ///
    /// After [`shutdown`](Self::shutdown).
    pub fn calls(&self) -> Vec<SiteCall> {
        self.with_site(|s, _| (s.calls().to_vec(), Vec::new()))
    }

    /// The bindings alive now, by AOR ([`Site::bindings`]).
    ///
    /// # Panics
    ///
    /// After [`shutdown`](Self::shutdown).
    pub fn bindings(&self) -> BTreeMap<String, Vec<Binding>> {
        self.with_site(|s, now| (s.bindings(now), Vec::new()))
    }

    /// Ends the threads and closes the sockets and connections; returns
    /// once all threads are joined (within tens of milliseconds). Also
    /// done on drop; a second call does nothing.
    pub fn shutdown(&self) {
        self.shared.stop.store(true, Ordering::Release);
        self.shared.wake();
        let threads = std::mem::take(&mut *self.threads());
        for t in threads {
            // A thread that panicked has nothing more to clean up.
            let _ = t.join();
        }
    }

    fn threads(&self) -> std::sync::MutexGuard<'_, Vec<JoinHandle<()>>> {
        self.threads.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for LiveSite {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Binds the TCP listener and the UDP socket on one port: `port`, or a
/// free one when it is 0.
fn bind(ip: IpAddr, port: u16) -> io::Result<(TcpListener, UdpSocket)> {
    if port != 0 {
        let listener = TcpListener::bind((ip, port))?;
        return Ok((listener, UdpSocket::bind((ip, port))?));
    }
    let mut last = None;
    for _ in 0..BIND_TRIES {
        let listener = TcpListener::bind((ip, 0))?;
        let port = listener.local_addr()?.port();
        match UdpSocket::bind((ip, port)) {
            Ok(udp) => return Ok((listener, udp)),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::new(io::ErrorKind::AddrInUse, "no free port")))
}

/// An address of this host that reaches a socket bound to `ip`.
fn reachable(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    }
}

/// A seed for the site's nonces and tags that differs from run to run.
fn seed(port: u16) -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ (u64::from(port) << 48)
}
