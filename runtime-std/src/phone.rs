//! The [`Phone`] handle: starting the driver thread, and one blocking
//! method per thing the core offers.

use std::net::{SocketAddr, UdpSocket};
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::thread::{self, ThreadId};
use std::time::Instant;

use geosip_core::connection::{ConnectionConfig, ConnectionId, ConnectionInfo};
use geosip_core::endpoint::{Endpoint, Stats};
use geosip_core::event::Event;
use geosip_core::session::{DialOptions, SessionId, SessionInfo};

use crate::driver::{Driver, Msg};
use crate::wake::{Mailbox, Waker};
use crate::{PhoneConfig, PhoneError, StartError};

/// A handle to a running phone; cheap to clone, and usable from any
/// thread. Every method blocks until the phone's thread has carried it
/// out. When the last handle is dropped, the phone unregisters and stops
/// (in the background: use [`Phone::shutdown`] to wait for it).
///
/// # Examples
///
/// ```no_run
/// use std::time::Duration;
/// use geosip_std::{Phone, PhoneConfig};
/// use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
/// use geosip_core::event::{ConnectionStatus, Event};
/// use geosip_core::io::TransportKind;
///
/// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let (phone, events) = Phone::start(PhoneConfig::default())?;
/// let mut cfg = ConnectionConfig::new("1001", "192.0.2.1:5060", TransportKind::Udp);
/// cfg.password = Some(Secret::new("secret"));
/// phone.add_connection(ConnectionId(0), cfg)?;
/// // Events come on a plain channel: block, poll or time out as you like.
/// while let Ok(event) = events.recv_timeout(Duration::from_secs(10)) {
///     if let Event::ConnectionStatusChanged { status: ConnectionStatus::Available, .. } = event {
///         break;
///     }
/// }
/// let call = phone.dial(ConnectionId(0), "2000")?;
/// phone.hangup(call)?;
/// // Anything without a method: run it on the phone's thread.
/// let flows = phone.with(|ep, _now| ep.stats().flows)?;
/// println!("{flows} stream flows");
/// phone.shutdown();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Phone {
    shared: Arc<Shared>,
}

/// What every handle shares; its drop is the last handle's.
#[derive(Debug)]
struct Shared {
    mailbox: Mailbox,
    local_udp: SocketAddr,
    driver: ThreadId,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // Flow and DNS threads hold the channel too, so the driver cannot
        // wait for it to close: tell it.
        let _ = self.mailbox.send(Msg::Shutdown(None));
    }
}

impl Phone {
    /// Binds the UDP socket and starts the phone's thread. Returns the
    /// handle and the channel of events (which nobody has to read: events
    /// for a dropped receiver are discarded).
    pub fn start(mut config: PhoneConfig) -> Result<(Phone, Receiver<Event>), StartError> {
        let udp =
            UdpSocket::bind(config.bind_udp).map_err(|e| StartError::Bind(config.bind_udp, e))?;
        let bound = udp
            .local_addr()
            .map_err(|e| StartError::Bind(config.bind_udp, e))?;
        let waker = Waker::new(bound).map_err(|e| StartError::Bind(bound, e))?;
        let waker_addr = waker.addr().map_err(|e| StartError::Bind(bound, e))?;
        let (local_udp, tls) = geosip_runtime_common::prepare(&mut config, bound)?;
        let (tx, inbox) = mpsc::channel();
        let mailbox = Mailbox::new(tx, waker);
        let (events, event_rx) = mpsc::channel();
        let driver = Driver {
            ep: Endpoint::new(config.endpoint, Instant::now()),
            udp,
            local_udp,
            waker_addr,
            tls,
            inbox,
            mailbox: mailbox.clone(),
            events,
            shutdown_timeout: config.shutdown_timeout,
            dns: config.dns.clone(),
        };
        let handle = thread::Builder::new()
            .name("geosip-driver".into())
            .spawn(move || driver.run())
            .map_err(StartError::Thread)?;
        tracing::info!(%local_udp, "phone started");
        let shared = Shared {
            mailbox,
            local_udp,
            driver: handle.thread().id(),
        };
        Ok((
            Phone {
                shared: Arc::new(shared),
            },
            event_rx,
        ))
    }

    /// Our UDP address as peers see it.
    pub fn local_udp(&self) -> SocketAddr {
        self.shared.local_udp
    }

    /// Runs `f` on the endpoint on the phone's thread and returns its
    /// result: the escape hatch for anything without a method here.
    ///
    /// # Panics
    ///
    /// When called from inside such a closure (it would wait for itself).
    pub fn with<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Endpoint, Instant) -> R + Send + 'static,
    ) -> Result<R, PhoneError> {
        assert_ne!(
            thread::current().id(),
            self.shared.driver,
            "a Phone method was called on the phone's own thread"
        );
        let (tx, rx) = mpsc::sync_channel(1);
        self.shared
            .mailbox
            .send(Msg::Run(Box::new(move |ep, now| {
                let _ = tx.send(f(ep, now));
            })))
            .map_err(|()| PhoneError::Stopped)?;
        rx.recv().map_err(|_| PhoneError::Stopped)
    }

    /// Adds a connection; it starts registering at once.
    pub fn add_connection(
        &self,
        id: ConnectionId,
        config: ConnectionConfig,
    ) -> Result<(), PhoneError> {
        Ok(self.with(move |ep, now| ep.add_connection(now, id, config))??)
    }

    /// Enables a connection.
    pub fn enable_connection(&self, id: ConnectionId) -> Result<(), PhoneError> {
        Ok(self.with(move |ep, now| ep.enable_connection(now, id))??)
    }

    /// Disables a connection: it unregisters.
    pub fn disable_connection(&self, id: ConnectionId) -> Result<(), PhoneError> {
        Ok(self.with(move |ep, now| ep.disable_connection(now, id))??)
    }

    /// Removes a connection.
    pub fn remove_connection(&self, id: ConnectionId) -> Result<(), PhoneError> {
        Ok(self.with(move |ep, now| ep.remove_connection(now, id))??)
    }

    /// Every connection.
    pub fn connections(&self) -> Result<Vec<ConnectionInfo>, PhoneError> {
        self.with(|ep, _| ep.connections())
    }

    /// Places a call (see [`Endpoint::dial_with`]).
    pub fn dial(
        &self,
        connection: ConnectionId,
        destination: &str,
    ) -> Result<SessionId, PhoneError> {
        self.dial_with(connection, destination, DialOptions::default())
    }

    /// Places a call with options.
    pub fn dial_with(
        &self,
        connection: ConnectionId,
        destination: &str,
        options: DialOptions,
    ) -> Result<SessionId, PhoneError> {
        let dest = destination.to_owned();
        Ok(self.with(move |ep, now| ep.dial_with(now, connection, &dest, options))??)
    }

    /// Answers a ringing call.
    pub fn answer(&self, session: SessionId) -> Result<(), PhoneError> {
        Ok(self.with(move |ep, now| ep.answer(now, session))??)
    }

    /// Rejects a ringing call with `code`.
    pub fn reject(&self, session: SessionId, code: u16) -> Result<(), PhoneError> {
        Ok(self.with(move |ep, now| ep.reject(now, session, code))??)
    }

    /// Holds a call.
    pub fn hold(&self, session: SessionId) -> Result<(), PhoneError> {
        Ok(self.with(move |ep, now| ep.hold(now, session))??)
    }

    /// Retrieves a held call.
    pub fn retrieve(&self, session: SessionId) -> Result<(), PhoneError> {
        Ok(self.with(move |ep, now| ep.retrieve(now, session))??)
    }

    /// Hangs a call up.
    pub fn hangup(&self, session: SessionId) -> Result<(), PhoneError> {
        Ok(self.with(move |ep, now| ep.hangup(now, session))??)
    }

    /// Every call that is not over.
    pub fn sessions(&self) -> Result<Vec<SessionInfo>, PhoneError> {
        self.with(|ep, _| ep.sessions())
    }

    /// The core's counters.
    pub fn stats(&self) -> Result<Stats, PhoneError> {
        self.with(|ep, _| ep.stats())
    }

    /// Unregisters every connection and stops the phone, waiting at most
    /// [`PhoneConfig::shutdown_timeout`] for the registrars to answer.
    /// Returns at once if the phone has already stopped; afterwards every
    /// command fails with [`PhoneError::Stopped`].
    pub fn shutdown(&self) {
        let (tx, rx) = mpsc::sync_channel(1);
        if self.shared.mailbox.send(Msg::Shutdown(Some(tx))).is_ok() {
            let _ = rx.recv();
        }
    }
}
