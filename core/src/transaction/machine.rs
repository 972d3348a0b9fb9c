//! What the four state machines share: the context a table hands to a
//! machine for one step, and the enum the table stores them in.
//!
//! A machine never sees the table. For each input or timer it gets a
//! [`Ctx`] with the time, the timers, whether its transport is reliable,
//! and a way to queue what it sends or reports; it answers by changing
//! its own state and deadline, which the table reads back afterwards.

use std::collections::VecDeque;
use std::time::Instant;

use crate::io::TransportError;

use super::client_invite::ClientInvite;
use super::client_non_invite::ClientNonInvite;
use super::config::TimerConfig;
use super::destination::Destination;
use super::event::{TimeoutReason, TxEvent, TxId, TxKind, TxState};
use super::server_invite::ServerInvite;
use super::server_non_invite::ServerNonInvite;

/// One step's view of the world for a machine.
pub(crate) struct Ctx<'a> {
    /// The time of the input or timer.
    pub now: Instant,
    /// The timer values.
    pub timers: &'a TimerConfig,
    /// Whether the transport is reliable (RFC 3261 §17.1.1.2 and on:
    /// no retransmissions, zero wait timers).
    pub reliable: bool,
    tx: TxId,
    dest: Destination,
    events: &'a mut VecDeque<TxEvent>,
    /// The transport failure being handled, reported with the event.
    pub failure: Option<TransportError>,
}

impl<'a> Ctx<'a> {
    pub fn new(
        now: Instant,
        timers: &'a TimerConfig,
        tx: TxId,
        dest: Destination,
        events: &'a mut VecDeque<TxEvent>,
    ) -> Self {
        Ctx {
            now,
            timers,
            reliable: dest.is_reliable(),
            tx,
            dest,
            events,
            failure: None,
        }
    }

    /// Queues `bytes` for the transaction's destination.
    pub fn send(&mut self, bytes: &[u8]) {
        self.events.push_back(TxEvent::Transmit {
            tx: self.tx,
            dest: self.dest,
            bytes: bytes.to_vec(),
        });
    }

    /// Reports a timeout to the TU.
    pub fn timeout(&mut self, reason: TimeoutReason) {
        self.events.push_back(TxEvent::Timeout {
            tx: self.tx,
            reason,
        });
    }

    /// Reports a transport error to the TU.
    pub fn transport_error(&mut self) {
        self.events.push_back(TxEvent::TransportError {
            tx: self.tx,
            error: self.failure.clone().unwrap_or(TransportError::Unreachable),
        });
    }
}

/// What a machine made of a response or an ACK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The TU must see it.
    ToTu,
    /// The machine dealt with it.
    Absorbed,
}

/// A transaction's state machine.
// The variants are named as RFC 3261 §17 names the machines.
#[allow(clippy::enum_variant_names)]
#[derive(Debug)]
pub(crate) enum Machine {
    ClientInvite(ClientInvite),
    ClientNonInvite(ClientNonInvite),
    ServerInvite(ServerInvite),
    ServerNonInvite(ServerNonInvite),
}

impl Machine {
    pub fn kind(&self) -> TxKind {
        match self {
            Machine::ClientInvite(_) => TxKind::ClientInvite,
            Machine::ClientNonInvite(_) => TxKind::ClientNonInvite,
            Machine::ServerInvite(_) => TxKind::ServerInvite,
            Machine::ServerNonInvite(_) => TxKind::ServerNonInvite,
        }
    }

    pub fn state(&self) -> TxState {
        match self {
            Machine::ClientInvite(m) => m.state(),
            Machine::ClientNonInvite(m) => m.state(),
            Machine::ServerInvite(m) => m.state(),
            Machine::ServerNonInvite(m) => m.state(),
        }
    }

    /// The earliest armed timer.
    pub fn deadline(&self) -> Option<Instant> {
        match self {
            Machine::ClientInvite(m) => m.deadline(),
            Machine::ClientNonInvite(m) => m.deadline(),
            Machine::ServerInvite(m) => m.deadline(),
            Machine::ServerNonInvite(m) => m.deadline(),
        }
    }

    /// Runs every timer due at `ctx.now`; afterwards none is.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>) {
        match self {
            Machine::ClientInvite(m) => m.on_timer(ctx),
            Machine::ClientNonInvite(m) => m.on_timer(ctx),
            Machine::ServerInvite(m) => m.on_timer(ctx),
            Machine::ServerNonInvite(m) => m.on_timer(ctx),
        }
    }

    /// The transport under the transaction failed (RFC 3261 §17.1.4,
    /// §17.2.4): the machine terminates, telling the TU if it still
    /// needed the transport.
    pub fn on_transport_error(&mut self, ctx: &mut Ctx<'_>) {
        match self {
            Machine::ClientInvite(m) => m.on_transport_error(ctx),
            Machine::ClientNonInvite(m) => m.on_transport_error(ctx),
            Machine::ServerInvite(m) => m.on_transport_error(ctx),
            Machine::ServerNonInvite(m) => m.on_transport_error(ctx),
        }
    }
}
