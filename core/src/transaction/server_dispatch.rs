//! Dispatch of received requests to server transactions (RFC 3261
//! §17.2.3, §18.2.1, §9.2 for CANCEL), and of the TU's responses through
//! them (§17.2.1, §17.2.2; RFC 6026 §7.1). Part of [`TransactionTable`].

use std::time::Instant;

use super::destination::Destination;
use super::error::TransactionError;
use super::event::{RequestAction, TxId, TxKind};
use super::key::{self, TransactionKey};
use super::machine::{Ctx, Machine, Verdict};
use super::server_invite::ServerInvite;
use super::server_non_invite::ServerNonInvite;
use super::table::TransactionTable;
use crate::message::{parse, Message, MessageWriter, Method};

impl TransactionTable {
    /// Dispatches a received request (RFC 3261 §17.2.3, §18.2.1): to its
    /// server transaction if it is a retransmission or an ACK for a
    /// non-2xx, else into a new server transaction. `reply_to` is where
    /// responses go (RFC 3261 §18.2.2 and RFC 3581: the caller picks the
    /// flow or the source address and port).
    ///
    /// ACK never creates a transaction: one that matches nothing is
    /// [`RequestAction::AckToTu`] with `tx: None`.
    pub fn handle_request(
        &mut self,
        now: Instant,
        request: &Message<'_>,
        reply_to: Destination,
    ) -> Result<RequestAction, TransactionError> {
        let method = request.method().ok_or(TransactionError::NotARequest)?;
        key::write_server(&mut self.scratch, request, None)?;
        let found = self.index.get(self.scratch.as_str()).copied();
        if method == Method::Ack {
            return Ok(found.map_or(RequestAction::AckToTu { tx: None }, |tx| {
                self.ack(now, tx, request)
            }));
        }
        if let Some(tx) = found {
            if let Some(slot) = self.slots.get_mut(&tx) {
                let mut ctx = Ctx::new(now, &self.config.timers, tx, slot.dest, &mut self.events);
                match &mut slot.machine {
                    Machine::ServerInvite(m) => m.on_retransmission(&mut ctx),
                    Machine::ServerNonInvite(m) => m.on_retransmission(&mut ctx),
                    _ => {}
                }
                self.settle(tx);
            }
            return Ok(RequestAction::Retransmission { tx });
        }
        self.check_room()?;
        let key = TransactionKey::from_scratch(&self.scratch);
        let tx = self.next_tx();
        let mut ctx = Ctx::new(now, &self.config.timers, tx, reply_to, &mut self.events);
        let machine = if method == Method::Invite {
            let trying = self.config.auto_trying.map(|delay| {
                let mut buf = Vec::new();
                MessageWriter::response_to(&mut buf, request, 100, "Trying", None).finish(b"");
                (delay, buf)
            });
            Machine::ServerInvite(ServerInvite::start(&mut ctx, trying))
        } else {
            Machine::ServerNonInvite(ServerNonInvite::start())
        };
        let kind = machine.kind();
        self.insert(tx, machine, reply_to, key);
        Ok(RequestAction::New { tx, kind })
    }

    /// An ACK whose key matched `tx`.
    fn ack(&mut self, now: Instant, tx: TxId, ack: &Message<'_>) -> RequestAction {
        let stray = RequestAction::AckToTu { tx: None };
        let Some(slot) = self.slots.get_mut(&tx) else {
            return stray;
        };
        // RFC 2543 peers: the ACK must also carry our response's To tag.
        if slot.key.is_rfc2543() && slot.response_to_tag.as_deref() != key::to_tag(ack) {
            return stray;
        }
        let Machine::ServerInvite(m) = &mut slot.machine else {
            return stray;
        };
        let mut ctx = Ctx::new(now, &self.config.timers, tx, slot.dest, &mut self.events);
        let verdict = m.on_ack(&mut ctx);
        self.settle(tx);
        match verdict {
            Verdict::Absorbed => RequestAction::AckAbsorbed { tx },
            Verdict::ToTu => RequestAction::AckToTu { tx: Some(tx) },
        }
    }

    /// The TU sends a response through server transaction `tx`, which
    /// sends it and takes care of its retransmission (3xx–6xx to INVITE
    /// over UDP), of answering retransmitted requests with it, and of
    /// absorbing the ACK. In Accepted (after a 2xx to INVITE) further
    /// 2xx are the TU's own retransmissions and are passed through
    /// (RFC 6026 §7.1).
    pub fn respond(
        &mut self,
        now: Instant,
        tx: TxId,
        response: Vec<u8>,
    ) -> Result<(), TransactionError> {
        let slot = self
            .slots
            .get_mut(&tx)
            .ok_or(TransactionError::UnknownTransaction(tx))?;
        if slot.machine.kind().is_client() {
            return Err(TransactionError::NotAServerTransaction(tx));
        }
        let (code, to_tag) = {
            let msg = parse(&response)?;
            let code = msg.status().ok_or(TransactionError::NotAResponse)?;
            (code, key::to_tag(&msg).map(Box::<str>::from))
        };
        let mut ctx = Ctx::new(now, &self.config.timers, tx, slot.dest, &mut self.events);
        let sent = match &mut slot.machine {
            Machine::ServerInvite(m) => m.respond(&mut ctx, code, response),
            Machine::ServerNonInvite(m) => m.respond(&mut ctx, code, response),
            _ => Err(()),
        };
        if sent.is_err() {
            return Err(TransactionError::InvalidState {
                tx,
                state: slot.machine.state(),
                code,
            });
        }
        if code >= 200 && slot.response_to_tag.is_none() {
            slot.response_to_tag = to_tag;
        }
        self.settle(tx);
        Ok(())
    }

    /// The INVITE server transaction that a received CANCEL cancels
    /// (RFC 3261 §9.2), if it is alive. The CANCEL itself is a request of
    /// its own for [`handle_request`](Self::handle_request).
    pub fn find_invite_for_cancel(&self, cancel: &Message<'_>) -> Option<TxId> {
        let key = TransactionKey::invite_cancelled_by(cancel).ok()?;
        let tx = self.find(&key)?;
        (self.kind(tx) == Some(TxKind::ServerInvite)).then_some(tx)
    }
}
