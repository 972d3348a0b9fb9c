//! The worker thread: it owns the [`Site`], feeds it datagrams, stream
//! events and commands, runs its timers on the real clock, and writes what
//! it sends.

use std::collections::HashMap;
use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, UdpSocket};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::{Duration, Instant};

use geosip_core::io::{FlowId, TransportKind};

use super::{Msg, Shared};
use crate::net::SiteInput;
use crate::site::{Site, SiteOutput};

/// The longest the worker blocks on its socket before looking at its
/// channel and its stop flag.
const MAX_WAIT: Duration = Duration::from_millis(20);

/// The shortest read timeout (zero would mean "block forever").
const MIN_WAIT: Duration = Duration::from_millis(1);

/// The largest datagram.
const MAX_DATAGRAM: usize = 65_535;

pub(super) struct Worker {
    site: Site,
    udp: UdpSocket,
    /// The site's UDP address, as the `to` of datagrams.
    local: SocketAddr,
    /// Where wake-up datagrams come from.
    waker: SocketAddr,
    rx: Receiver<Msg>,
    shared: Arc<Shared>,
    /// The open connections, for writing and resetting.
    streams: HashMap<FlowId, TcpStream>,
    /// The site's restarts when last looked at: a restart in a command
    /// loses the site's flows, so their connections go too.
    restarts: u64,
}

impl Worker {
    pub(super) fn new(
        site: Site,
        udp: UdpSocket,
        rx: Receiver<Msg>,
        shared: Arc<Shared>,
    ) -> io::Result<Worker> {
        Ok(Worker {
            local: udp.local_addr()?,
            waker: shared.waker.local_addr()?,
            restarts: site.counters().restarts,
            site,
            udp,
            rx,
            shared,
            streams: HashMap::new(),
        })
    }

    /// Serves until the stop flag is set; then closes every connection.
    pub(super) fn run(mut self) {
        let mut buf = vec![0u8; MAX_DATAGRAM];
        while !self.shared.stopping() {
            while let Ok(msg) = self.rx.try_recv() {
                self.on_msg(msg);
            }
            let now = Instant::now();
            if self.site.poll_timeout().is_some_and(|at| at <= now) {
                let outputs = self.guard(|site| site.handle_timeout(now));
                self.send(outputs);
            }
            let wait = self
                .site
                .poll_timeout()
                .map_or(MAX_WAIT, |at| at.saturating_duration_since(Instant::now()))
                .clamp(MIN_WAIT, MAX_WAIT);
            if self.udp.set_read_timeout(Some(wait)).is_err() {
                std::thread::sleep(MIN_WAIT);
            }
            // Errors (a timeout, an ICMP error for an earlier send) are no
            // reason to stop.
            if let Ok((n, from)) = self.udp.recv_from(&mut buf) {
                if from != self.waker {
                    let data = buf[..n].to_vec();
                    self.feed(SiteInput::Datagram {
                        from,
                        to: self.local,
                        data,
                    });
                }
            }
        }
        for (_, stream) in self.streams.drain() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    fn on_msg(&mut self, msg: Msg) {
        match msg {
            Msg::Opened {
                flow,
                stream,
                from,
                to,
            } => {
                if !self.site.is_running() {
                    let _ = stream.shutdown(Shutdown::Both);
                    return;
                }
                self.streams.insert(flow, stream);
                self.feed(SiteInput::FlowOpened {
                    flow,
                    from,
                    to,
                    transport: TransportKind::Tcp,
                });
            }
            Msg::Data { flow, data } => {
                // Bytes of a connection reset already (or from before a
                // restart) are not the site's business.
                if self.streams.contains_key(&flow) {
                    self.feed(SiteInput::StreamData { flow, data });
                }
            }
            Msg::Closed { flow } => {
                if self.streams.remove(&flow).is_some() {
                    self.feed(SiteInput::FlowClosed { flow });
                }
            }
            Msg::Run(job) => {
                let now = Instant::now();
                let (outputs, reply) = job(&mut self.site, now);
                self.send(outputs);
                self.sync_running();
                reply();
            }
        }
    }

    /// Hands `input` to the site and sends what it answers.
    fn feed(&mut self, input: SiteInput) {
        let now = Instant::now();
        let outputs = self.guard(|site| site.handle(now, input));
        self.send(outputs);
    }

    /// Runs `f` on the site; a panic (a bug the input found) costs the
    /// outputs, not the worker.
    fn guard(&mut self, f: impl FnOnce(&mut Site) -> Vec<SiteOutput>) -> Vec<SiteOutput> {
        let site = &mut self.site;
        catch_unwind(AssertUnwindSafe(|| f(site))).unwrap_or_default()
    }

    fn send(&mut self, outputs: Vec<SiteOutput>) {
        for output in outputs {
            match output {
                SiteOutput::Udp { to, data, .. } => {
                    let _ = self.udp.send_to(&data, to);
                }
                SiteOutput::Stream { flow, data } => {
                    let Some(stream) = self.streams.get_mut(&flow) else {
                        continue;
                    };
                    if stream.write_all(&data).is_err() {
                        let _ = stream.shutdown(Shutdown::Both);
                        self.streams.remove(&flow);
                        let now = Instant::now();
                        // The site's answer to a closed flow is nothing.
                        let _ = self.guard(|site| site.handle(now, SiteInput::FlowClosed { flow }));
                    }
                }
                SiteOutput::Reset { flow } => {
                    if let Some(stream) = self.streams.remove(&flow) {
                        let _ = stream.shutdown(Shutdown::Both);
                    }
                }
            }
        }
    }

    /// After a command: a stop or a restart loses the site's flows, so
    /// their connections are reset; the acceptor learns whether to take
    /// new ones.
    fn sync_running(&mut self) {
        let running = self.site.is_running();
        let restarts = self.site.counters().restarts;
        if !running || restarts != self.restarts {
            for (_, stream) in self.streams.drain() {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
        self.restarts = restarts;
        self.shared.running.store(running, Ordering::Release);
    }
}
