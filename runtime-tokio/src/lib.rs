//! # geosip-tokio
//!
//! The tokio driver for [`geosip_core`]: a [`Phone`] owns the sans-IO
//! [`Endpoint`] on one task and wires it to a UDP socket, TCP and TLS
//! flows (rustls), DNS (hickory, with RFC 3263 SRV) and tokio's clock.
//! Transport failures (refused, reset, TLS errors) go back into the core,
//! where they are failover signals. Everything the core offers is an async
//! method; events come as a [`Stream`](tokio_stream::Stream).
//!
//! # Examples
//!
//! ```no_run
//! use geosip_tokio::{Phone, PhoneConfig, StreamExt};
//! use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
//! use geosip_core::event::Event;
//! use geosip_core::io::TransportKind;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let (phone, mut events) = Phone::start(PhoneConfig::default()).await?;
//! let mut cfg = ConnectionConfig::new("1001", "sip1.example.com:5060", TransportKind::Udp);
//! cfg.password = Some(Secret::new("secret"));
//! phone.add_connection(ConnectionId(0), cfg).await?;
//! while let Some(event) = events.next().await {
//!     if let Event::ConnectionStatusChanged { id, status, .. } = &event {
//!         println!("connection {id}: {status}");
//!         break;
//!     }
//! }
//! let call = phone.dial(ConnectionId(0), "2000").await?;
//! phone.hangup(call).await?;
//! phone.shutdown().await; // unregisters, bounded by PhoneConfig::shutdown_timeout
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod dns;
mod driver;
mod flows;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

pub use geosip_core as core;
pub use tokio_stream::StreamExt;

use geosip_core::connection::{ConnectionConfig, ConnectionId, ConnectionInfo};
use geosip_core::endpoint::{Endpoint, Stats};
use geosip_core::event::Event;
use geosip_core::session::{DialOptions, SessionId, SessionInfo};
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio_stream::wrappers::UnboundedReceiverStream;

use driver::{Command, Driver};
pub use geosip_runtime_common::{PhoneConfig, PhoneError, StartError, TlsConfig};

/// The events of a phone, in order.
pub type Events = UnboundedReceiverStream<Event>;

/// A handle to a running phone; cheap to clone. When the last handle is
/// dropped, the phone unregisters and stops.
#[derive(Debug, Clone)]
pub struct Phone {
    commands: mpsc::UnboundedSender<Command>,
    local_udp: SocketAddr,
}

impl Phone {
    /// Binds the UDP socket and starts the phone's task on the current
    /// tokio runtime. Returns the handle and the event stream.
    pub async fn start(mut config: PhoneConfig) -> Result<(Phone, Events), StartError> {
        let udp = UdpSocket::bind(config.bind_udp)
            .await
            .map_err(|e| StartError::Bind(config.bind_udp, e))?;
        let bound = udp
            .local_addr()
            .map_err(|e| StartError::Bind(config.bind_udp, e))?;
        let (local_udp, tls) = geosip_runtime_common::prepare(&mut config, bound)?;
        let resolver = dns::resolver(config.dns.as_deref()).map(Arc::new);
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (event_tx, event_rx) = mpsc::unbounded_channel();
        let endpoint = Endpoint::new(config.endpoint, tokio::time::Instant::now().into_std());
        tracing::info!(%local_udp, "phone started");
        tokio::spawn(
            Driver {
                ep: endpoint,
                udp,
                local_udp,
                tls,
                resolver,
                commands: command_rx,
                events: event_tx,
                shutdown_timeout: config.shutdown_timeout,
            }
            .run(),
        );
        Ok((
            Phone {
                commands,
                local_udp,
            },
            UnboundedReceiverStream::new(event_rx),
        ))
    }

    /// Our UDP address as peers see it.
    pub fn local_udp(&self) -> SocketAddr {
        self.local_udp
    }

    /// Runs `f` on the endpoint inside the phone's task and returns its
    /// result: the escape hatch for anything without a method here.
    pub async fn with<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Endpoint, Instant) -> R + Send + 'static,
    ) -> Result<R, PhoneError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Run(Box::new(move |ep, now| {
                let _ = tx.send(f(ep, now));
            })))
            .map_err(|_| PhoneError::Stopped)?;
        rx.await.map_err(|_| PhoneError::Stopped)
    }

    /// Adds a connection; it starts registering at once.
    pub async fn add_connection(
        &self,
        id: ConnectionId,
        config: ConnectionConfig,
    ) -> Result<(), PhoneError> {
        Ok(self
            .with(move |ep, now| ep.add_connection(now, id, config))
            .await??)
    }

    /// Enables a connection.
    pub async fn enable_connection(&self, id: ConnectionId) -> Result<(), PhoneError> {
        Ok(self
            .with(move |ep, now| ep.enable_connection(now, id))
            .await??)
    }

    /// Disables a connection: it unregisters.
    pub async fn disable_connection(&self, id: ConnectionId) -> Result<(), PhoneError> {
        Ok(self
            .with(move |ep, now| ep.disable_connection(now, id))
            .await??)
    }

    /// Removes a connection.
    pub async fn remove_connection(&self, id: ConnectionId) -> Result<(), PhoneError> {
        Ok(self
            .with(move |ep, now| ep.remove_connection(now, id))
            .await??)
    }

    /// Every connection.
    pub async fn connections(&self) -> Result<Vec<ConnectionInfo>, PhoneError> {
        self.with(|ep, _| ep.connections()).await
    }

    /// Places a call (see [`Endpoint::dial_with`]).
    pub async fn dial(
        &self,
        connection: ConnectionId,
        destination: &str,
    ) -> Result<SessionId, PhoneError> {
        self.dial_with(connection, destination, DialOptions::default())
            .await
    }

    /// Places a call with options.
    pub async fn dial_with(
        &self,
        connection: ConnectionId,
        destination: &str,
        options: DialOptions,
    ) -> Result<SessionId, PhoneError> {
        let dest = destination.to_owned();
        Ok(self
            .with(move |ep, now| ep.dial_with(now, connection, &dest, options))
            .await??)
    }

    /// Answers a ringing call.
    pub async fn answer(&self, session: SessionId) -> Result<(), PhoneError> {
        Ok(self.with(move |ep, now| ep.answer(now, session)).await??)
    }

    /// Rejects a ringing call with `code`.
    pub async fn reject(&self, session: SessionId, code: u16) -> Result<(), PhoneError> {
        Ok(self
            .with(move |ep, now| ep.reject(now, session, code))
            .await??)
    }

    /// Holds a call.
    pub async fn hold(&self, session: SessionId) -> Result<(), PhoneError> {
        Ok(self.with(move |ep, now| ep.hold(now, session)).await??)
    }

    /// Retrieves a held call.
    pub async fn retrieve(&self, session: SessionId) -> Result<(), PhoneError> {
        Ok(self
            .with(move |ep, now| ep.retrieve(now, session))
            .await??)
    }

    /// Hangs a call up.
    pub async fn hangup(&self, session: SessionId) -> Result<(), PhoneError> {
        Ok(self.with(move |ep, now| ep.hangup(now, session)).await??)
    }

    /// Every call that is not over.
    pub async fn sessions(&self) -> Result<Vec<SessionInfo>, PhoneError> {
        self.with(|ep, _| ep.sessions()).await
    }

    /// The core's counters.
    pub async fn stats(&self) -> Result<Stats, PhoneError> {
        self.with(|ep, _| ep.stats()).await
    }

    /// Unregisters every connection and stops the phone, waiting at most
    /// [`PhoneConfig::shutdown_timeout`] for the registrars to answer.
    pub async fn shutdown(&self) {
        let (tx, rx) = oneshot::channel();
        if self.commands.send(Command::Shutdown(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}
