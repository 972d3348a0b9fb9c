//! [`TransactionTable`]: the owner of every transaction. It creates them,
//! dispatches received messages to them (RFC 3261 §17.1.3, §17.2.3,
//! §18.1.2, §18.2.1), runs their timers from one heap, and queues what
//! they send and report.

use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

use super::client_invite::ClientInvite;
use super::client_non_invite::ClientNonInvite;
use super::config::TransactionConfig;
use super::destination::Destination;
use super::error::TransactionError;
use super::event::{ResponseAction, TransportFailure, TxEvent, TxId, TxKind, TxState};
use super::key::{self, KeyError, TransactionKey};
use super::machine::{Ctx, Machine, Verdict};
use super::timers::{TimerEntry, TimerHeap};
use crate::message::{parse, Message, Method};

/// One live transaction.
#[derive(Debug)]
pub(super) struct Slot {
    pub(super) machine: Machine,
    pub(super) dest: Destination,
    pub(super) key: TransactionKey,
    /// Bumped whenever the deadline changes; heap entries of another
    /// generation are stale.
    generation: u32,
    /// The deadline the heap holds a valid entry for.
    scheduled: Option<Instant>,
    /// RFC 2543 fallback only: the To tag of our final response, which the
    /// ACK must carry to match (§17.2.3).
    pub(super) response_to_tag: Option<Box<str>>,
}

/// All transactions of an endpoint, sans-IO.
///
/// Inputs: [`send_request`](Self::send_request) (new client transaction),
/// [`handle_response`](Self::handle_response),
/// [`handle_request`](Self::handle_request) (new server transaction or a
/// retransmission), [`respond`](Self::respond) (the TU answers),
/// [`transport_failed`](Self::transport_failed),
/// [`terminate`](Self::terminate) and
/// [`handle_timeout`](Self::handle_timeout). After each, drain
/// [`poll_event`](Self::poll_event), then sleep until
/// [`next_deadline`](Self::next_deadline).
///
/// Maps are ordered (`BTreeMap`), so a run depends on its inputs only, and
/// lookups cost no hashing secret and no allocation.
///
/// # Examples
///
/// A REGISTER over UDP that is answered with 200:
///
/// ```
/// use std::time::{Duration, Instant};
/// use geosip_core::message::parse;
/// use geosip_core::transaction::{
///     Destination, ResponseAction, TransactionConfig, TransactionTable, TxEvent,
/// };
///
/// let mut table = TransactionTable::new(TransactionConfig::default());
/// let t0 = Instant::now();
/// let register = b"REGISTER sip:example.com SIP/2.0\r\n\
/// Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKr1\r\nMax-Forwards: 70\r\n\
/// From: <sip:100@example.com>;tag=f\r\nTo: <sip:100@example.com>\r\n\
/// Call-ID: r1\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";
/// let dest = Destination::udp("192.0.2.9:5060".parse().unwrap());
/// let tx = table.send_request(t0, register.to_vec(), dest).unwrap();
/// assert!(matches!(table.poll_event(), Some(TxEvent::Transmit { .. })));
///
/// // Nothing heard for T1: Timer E retransmits.
/// assert_eq!(table.next_deadline(), Some(t0 + Duration::from_millis(500)));
/// table.handle_timeout(t0 + Duration::from_millis(500));
/// assert!(matches!(table.poll_event(), Some(TxEvent::Transmit { .. })));
///
/// let ok = b"SIP/2.0 200 OK\r\n\
/// Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKr1\r\n\
/// From: <sip:100@example.com>;tag=f\r\nTo: <sip:100@example.com>;tag=s\r\n\
/// Call-ID: r1\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";
/// let msg = parse(ok).unwrap();
/// let action = table.handle_response(t0 + Duration::from_secs(1), &msg);
/// assert_eq!(action, ResponseAction::Deliver { tx, code: 200 });
/// // The caller hands `msg` to the TU that owns `tx`.
///
/// // Timer K (T4) later the transaction is gone.
/// table.handle_timeout(t0 + Duration::from_secs(6));
/// assert_eq!(table.poll_event(), Some(TxEvent::Terminated { tx }));
/// assert!(table.is_empty());
/// ```
#[derive(Debug)]
pub struct TransactionTable {
    pub(super) config: TransactionConfig,
    /// Boxed: a slot is a few hundred bytes and a B-tree node holds eleven
    /// values inline, used or not.
    pub(super) slots: BTreeMap<TxId, Box<Slot>>,
    pub(super) index: BTreeMap<TransactionKey, TxId>,
    pub(super) heap: TimerHeap,
    pub(super) events: VecDeque<TxEvent>,
    pub(super) next_id: u64,
    /// Reused for the key of every received message.
    pub(super) scratch: String,
}

impl TransactionTable {
    /// An empty table.
    pub fn new(config: TransactionConfig) -> Self {
        TransactionTable {
            config,
            slots: BTreeMap::new(),
            index: BTreeMap::new(),
            heap: TimerHeap::default(),
            events: VecDeque::new(),
            next_id: 0,
            scratch: String::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &TransactionConfig {
        &self.config
    }

    /// How many transactions are alive.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no transaction is alive.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Starts a client transaction for a serialized request and sends it
    /// to `dest`: an INVITE client transaction for INVITE, a non-INVITE
    /// one for anything else but ACK. The request must carry a top Via
    /// with a fresh branch; the transaction keeps the bytes for its
    /// retransmissions and, for INVITE, for the ACK of a 3xx–6xx.
    ///
    /// A CANCEL goes through here too: it has the INVITE's branch but a
    /// key of its own (RFC 3261 §9.1, §17.1.3).
    pub fn send_request(
        &mut self,
        now: Instant,
        request: Vec<u8>,
        dest: Destination,
    ) -> Result<TxId, TransactionError> {
        self.check_room()?;
        let invite = {
            let msg = parse(&request)?;
            let method = msg.method().ok_or(TransactionError::NotARequest)?;
            if method == Method::Ack {
                return Err(TransactionError::AckIsNotATransaction);
            }
            key::write_client(&mut self.scratch, &msg)?;
            method == Method::Invite
        };
        if let Some(&tx) = self.index.get(self.scratch.as_str()) {
            return Err(TransactionError::Duplicate(tx));
        }
        let key = TransactionKey::from_scratch(&self.scratch);
        let tx = self.next_tx();
        let mut ctx = Ctx::new(now, &self.config.timers, tx, dest, &mut self.events);
        let machine = if invite {
            Machine::ClientInvite(ClientInvite::start(&mut ctx, request))
        } else {
            Machine::ClientNonInvite(ClientNonInvite::start(&mut ctx, request))
        };
        self.insert(tx, machine, dest, key);
        Ok(tx)
    }

    /// Dispatches a received response to its client transaction (RFC 3261
    /// §17.1.3, §18.1.2). A response that matches nothing changes nothing.
    pub fn handle_response(&mut self, now: Instant, response: &Message<'_>) -> ResponseAction {
        let Some(code) = response.status() else {
            return ResponseAction::Invalid(KeyError::NotAResponse);
        };
        if let Err(e) = key::write_client(&mut self.scratch, response) {
            return ResponseAction::Invalid(e);
        }
        let Some(&tx) = self.index.get(self.scratch.as_str()) else {
            return ResponseAction::Unmatched;
        };
        let Some(slot) = self.slots.get_mut(&tx) else {
            return ResponseAction::Unmatched;
        };
        let mut ctx = Ctx::new(now, &self.config.timers, tx, slot.dest, &mut self.events);
        let verdict = match &mut slot.machine {
            Machine::ClientInvite(m) => m.on_response(&mut ctx, response, code),
            Machine::ClientNonInvite(m) => m.on_response(&mut ctx, code),
            // Server keys never equal client keys (they differ in their
            // first character), so this is not reached.
            _ => return ResponseAction::Unmatched,
        };
        self.settle(tx);
        match verdict {
            Verdict::ToTu => ResponseAction::Deliver { tx, code },
            Verdict::Absorbed => ResponseAction::Absorbed { tx },
        }
    }

    /// The transport failed. Every transaction it hits terminates
    /// (RFC 3261 §17.1.4, §17.2.4), with a [`TxEvent::TransportError`]
    /// first when it still needed the transport. Returns how many were
    /// hit.
    pub fn transport_failed(
        &mut self,
        now: Instant,
        failure: TransportFailure,
        error: crate::io::TransportError,
    ) -> usize {
        let hit: Vec<TxId> = match failure {
            TransportFailure::Transaction(tx) => {
                self.slots.get(&tx).map(|_| tx).into_iter().collect()
            }
            _ => self
                .slots
                .iter()
                .filter(|(tx, slot)| failure.hits(**tx, &slot.dest))
                .map(|(tx, _)| *tx)
                .collect(),
        };
        for &tx in &hit {
            if let Some(slot) = self.slots.get_mut(&tx) {
                let mut ctx = Ctx::new(now, &self.config.timers, tx, slot.dest, &mut self.events);
                ctx.failure = Some(error.clone());
                slot.machine.on_transport_error(&mut ctx);
                self.settle(tx);
            }
        }
        hit.len()
    }

    /// Ends a transaction at once, with only a [`TxEvent::Terminated`]:
    /// for a TU that gives up (an INVITE still ringing after its CANCEL
    /// went unanswered for 64·T1, RFC 3261 §9.1; a server request it will
    /// never answer; shutdown). Returns whether it was alive.
    pub fn terminate(&mut self, tx: TxId) -> bool {
        let alive = self.remove(tx);
        self.tidy();
        alive
    }

    /// When [`handle_timeout`](Self::handle_timeout) must run next.
    pub fn next_deadline(&self) -> Option<Instant> {
        // Every mutation ends in `tidy`, which leaves a valid entry on top.
        self.heap.peek().map(|e| e.at)
    }

    /// Runs every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(entry) = self.heap.peek().filter(|e| e.at <= now) {
            self.heap.pop();
            let Some(slot) = self.slots.get_mut(&entry.tx) else {
                continue;
            };
            if !entry_is_valid(slot, &entry) {
                continue;
            }
            slot.scheduled = None;
            let mut ctx = Ctx::new(
                now,
                &self.config.timers,
                entry.tx,
                slot.dest,
                &mut self.events,
            );
            slot.machine.on_timer(&mut ctx);
            debug_assert!(
                slot.machine.state() == TxState::Terminated
                    || slot.machine.deadline().is_none_or(|d| d > now),
                "a machine left a timer due"
            );
            self.settle_one(entry.tx);
        }
        self.tidy();
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<TxEvent> {
        let ev = self.events.pop_front();
        if ev.is_none() && self.events.capacity() > 1024 {
            // Drained after a burst: give the memory back.
            self.events = Default::default();
        }
        ev
    }

    /// The state of a live transaction.
    pub fn state(&self, tx: TxId) -> Option<TxState> {
        self.slots.get(&tx).map(|s| s.machine.state())
    }

    /// The kind of a live transaction.
    pub fn kind(&self, tx: TxId) -> Option<TxKind> {
        self.slots.get(&tx).map(|s| s.machine.kind())
    }

    /// Where a live transaction sends.
    pub fn destination(&self, tx: TxId) -> Option<Destination> {
        self.slots.get(&tx).map(|s| s.dest)
    }

    /// The key of a live transaction.
    pub fn key(&self, tx: TxId) -> Option<&TransactionKey> {
        self.slots.get(&tx).map(|s| &s.key)
    }

    /// The live transaction with this key.
    pub fn find(&self, key: &TransactionKey) -> Option<TxId> {
        self.index.get(key).copied()
    }

    /// Every live transaction with its kind and state, by id.
    pub fn transactions(&self) -> impl Iterator<Item = (TxId, TxKind, TxState)> + '_ {
        self.slots
            .iter()
            .map(|(tx, s)| (*tx, s.machine.kind(), s.machine.state()))
    }

    /// How many entries the timer heap holds, stale ones included. It never
    /// exceeds twice [`len`](Self::len) plus a small constant (see
    /// `timers.rs`).
    pub fn timer_entries(&self) -> usize {
        self.heap.len()
    }

    pub(super) fn check_room(&self) -> Result<(), TransactionError> {
        if self.slots.len() >= self.config.max_transactions {
            return Err(TransactionError::TableFull {
                max: self.config.max_transactions,
            });
        }
        Ok(())
    }

    pub(super) fn next_tx(&mut self) -> TxId {
        self.next_id += 1;
        TxId(self.next_id)
    }

    pub(super) fn insert(
        &mut self,
        tx: TxId,
        machine: Machine,
        dest: Destination,
        key: TransactionKey,
    ) {
        self.index.insert(key.clone(), tx);
        self.slots.insert(
            tx,
            Box::new(Slot {
                machine,
                dest,
                key,
                generation: 0,
                scheduled: None,
                response_to_tag: None,
            }),
        );
        self.settle(tx);
    }

    /// After a machine stepped: removes it if it terminated, else makes
    /// sure the heap holds its deadline; then tidies the heap.
    pub(super) fn settle(&mut self, tx: TxId) {
        self.settle_one(tx);
        self.tidy();
    }

    fn settle_one(&mut self, tx: TxId) {
        let Some(slot) = self.slots.get_mut(&tx) else {
            return;
        };
        if slot.machine.state() == TxState::Terminated {
            self.remove(tx);
            return;
        }
        let deadline = slot.machine.deadline();
        if deadline != slot.scheduled {
            slot.generation = slot.generation.wrapping_add(1);
            slot.scheduled = deadline;
            if let Some(at) = deadline {
                self.heap.push(TimerEntry {
                    at,
                    tx,
                    generation: slot.generation,
                });
            }
        }
    }

    /// Removes a transaction; its heap entry goes stale.
    fn remove(&mut self, tx: TxId) -> bool {
        let Some(slot) = self.slots.remove(&tx) else {
            return false;
        };
        self.index.remove(&slot.key);
        self.events.push_back(TxEvent::Terminated { tx });
        true
    }

    fn tidy(&mut self) {
        let slots = &self.slots;
        self.heap.tidy(slots.len(), |e| {
            slots.get(&e.tx).is_some_and(|s| entry_is_valid(s, e))
        });
    }
}

fn entry_is_valid(slot: &Slot, entry: &TimerEntry) -> bool {
    slot.generation == entry.generation && slot.scheduled == Some(entry.at)
}
