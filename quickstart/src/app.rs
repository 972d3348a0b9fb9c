//! The QuickStart's state: the phone, its event stream, what the events
//! said so far, and the built-in sites if they run.

use std::collections::BTreeMap;
use std::time::Duration;

use geosip_core::connection::ConnectionId;
use geosip_core::event::{ConnectionStatus, Event};
use geosip_core::session::{SessionId, SessionStatus};
use geosip_tokio::{Events, Phone, StreamExt};

use crate::render::Printer;
use crate::sites::BuiltIn;

/// What the events told so far.
#[derive(Debug, Default)]
pub struct Seen {
    pub connections: BTreeMap<ConnectionId, ConnectionStatus>,
    pub sessions: BTreeMap<SessionId, (ConnectionId, SessionStatus)>,
    /// The last incoming call that still rings.
    pub ringing: Option<SessionId>,
}

pub struct App {
    pub phone: Phone,
    pub events: Events,
    pub out: Printer,
    pub sites: Option<BuiltIn>,
    pub seen: Seen,
}

impl App {
    /// Prints and records one event; prints the table after a connection
    /// status change.
    pub async fn on_event(&mut self, e: Event) {
        self.out.event(&e);
        match &e {
            Event::ConnectionStatusChanged { id, status, .. } => {
                self.seen.connections.insert(*id, *status);
                if matches!(
                    status,
                    ConnectionStatus::Available | ConnectionStatus::Unavailable
                ) {
                    self.table().await;
                }
            }
            Event::SessionStatusChanged {
                session,
                connection,
                status,
                ..
            } => {
                self.seen.sessions.insert(*session, (*connection, *status));
                if *status != SessionStatus::Ringing && self.seen.ringing == Some(*session) {
                    self.seen.ringing = None;
                }
            }
            Event::IncomingCall { session, .. } => self.seen.ringing = Some(*session),
            _ => {}
        }
    }

    /// Prints the table of connections and calls.
    pub async fn table(&self) {
        let conns = self.phone.connections().await.unwrap_or_default();
        let calls = self.phone.sessions().await.unwrap_or_default();
        self.out.table(&conns, &calls);
    }

    /// Handles events until `done` holds or `max` passes; returns whether
    /// it held.
    pub async fn wait_for(&mut self, max: Duration, done: impl Fn(&Seen) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + max;
        while !done(&self.seen) {
            match tokio::time::timeout_at(deadline, self.events.next()).await {
                Ok(Some(e)) => self.on_event(e).await,
                Ok(None) | Err(_) => return done(&self.seen),
            }
        }
        true
    }

    /// Handles the events that are already there.
    pub async fn settle(&mut self, d: Duration) {
        let _ = self.wait_for(d, |_| false).await;
    }
}
