//! The INVITE client transaction (RFC 3261 §17.1.1, Figure 5), with the
//! Accepted state of RFC 6026 §7.2 (Figure 5 as updated by §8.4).
//!
//! ```text
//!            send INVITE, A (unreliable), B
//!  Calling ──1xx──▶ Proceeding ──1xx──▶ (stays)
//!     │  ╲             │
//!     │   ╲──2xx───────┴──2xx──▶ Accepted  (M; 2xx retransmits to the TU)
//!     │    ╲──300-699──┴──300-699──▶ Completed (send ACK; D, 0 if reliable)
//!     └─ B fires: Timeout (TU reports 408) ──▶ Terminated
//! ```
//!
//! Timer B runs in Calling only: once a provisional arrives, the server is
//! alive and the INVITE may ring for as long as the TU lets it (it ends it
//! with CANCEL, then [`terminate`](super::TransactionTable::terminate) if
//! even that goes unanswered, RFC 3261 §9.1).

use std::time::Instant;

use super::ack::ack_for_non_2xx;
use super::event::{TimeoutReason, TxState};
use super::machine::{Ctx, Verdict};
use super::timers::{after, due, earliest, Backoff};
use crate::message::{parse, Message};

#[derive(Debug)]
pub(crate) struct ClientInvite {
    state: TxState,
    /// The INVITE as sent: retransmitted by Timer A, and the source of the
    /// ACK for a non-2xx.
    request: Vec<u8>,
    /// The ACK, once built; sent again for each retransmitted final.
    ack: Option<Vec<u8>>,
    /// Timer A: retransmit the INVITE (unreliable transports only).
    timer_a: Option<Backoff>,
    /// Timer B: give up waiting for any response.
    timer_b: Option<Instant>,
    /// Timer D: absorb final response retransmissions in Completed.
    timer_d: Option<Instant>,
    /// Timer M (RFC 6026): absorb 2xx retransmissions in Accepted.
    timer_m: Option<Instant>,
}

impl ClientInvite {
    /// Sends the INVITE and arms Timers A and B (RFC 3261 §17.1.1.2).
    pub fn start(ctx: &mut Ctx<'_>, request: Vec<u8>) -> Self {
        ctx.send(&request);
        let timer_a = if ctx.reliable {
            None
        } else {
            Backoff::start(ctx.now, ctx.timers.t1, None)
        };
        ClientInvite {
            state: TxState::Calling,
            request,
            ack: None,
            timer_a,
            timer_b: after(ctx.now, ctx.timers.timeout),
            timer_d: None,
            timer_m: None,
        }
    }

    pub fn state(&self) -> TxState {
        self.state
    }

    pub fn deadline(&self) -> Option<Instant> {
        earliest([
            self.timer_a.map(|a| a.at),
            self.timer_b,
            self.timer_d,
            self.timer_m,
        ])
    }

    pub fn on_response(&mut self, ctx: &mut Ctx<'_>, response: &Message<'_>, code: u16) -> Verdict {
        use TxState::*;
        match (self.state, code) {
            (Calling | Proceeding, 100..=199) => {
                self.state = Proceeding;
                self.timer_a = None;
                self.timer_b = None;
                Verdict::ToTu
            }
            (Calling | Proceeding, 200..=299) => {
                // RFC 6026 §7.2: the TU ACKs the 2xx; we stay to pass on
                // its retransmissions rather than letting them look stray.
                self.state = Accepted;
                self.timer_a = None;
                self.timer_b = None;
                self.timer_m = after(ctx.now, ctx.timers.timeout);
                Verdict::ToTu
            }
            (Calling | Proceeding, _) => {
                self.state = Completed;
                self.timer_a = None;
                self.timer_b = None;
                self.ack = self.build_ack(response);
                if let Some(ack) = &self.ack {
                    ctx.send(ack);
                }
                if ctx.reliable {
                    self.state = Terminated;
                } else {
                    self.timer_d = after(ctx.now, ctx.timers.timer_d);
                }
                Verdict::ToTu
            }
            (Completed, 300..) => {
                // §17.1.1.2: a retransmitted final response means our ACK
                // was lost; send it again, and do not bother the TU.
                if let Some(ack) = &self.ack {
                    ctx.send(ack);
                }
                Verdict::Absorbed
            }
            (Accepted, 200..=299) => Verdict::ToTu,
            _ => Verdict::Absorbed,
        }
    }

    fn build_ack(&self, response: &Message<'_>) -> Option<Vec<u8>> {
        // The INVITE parsed when the transaction was made, so this only
        // fails if the response lacks its To header.
        let request = parse(&self.request).ok()?;
        let mut ack = Vec::with_capacity(self.request.len().min(1024));
        ack_for_non_2xx(&request, response, &mut ack)?;
        Some(ack)
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now;
        if due(self.timer_d, now) || due(self.timer_m, now) {
            self.state = TxState::Terminated;
            return;
        }
        if due(self.timer_b, now) {
            ctx.timeout(TimeoutReason::NoResponse);
            self.state = TxState::Terminated;
            return;
        }
        if let Some(a) = self.timer_a.filter(|a| a.at <= now) {
            ctx.send(&self.request);
            self.timer_a = a.advance(now);
        }
    }

    pub fn on_transport_error(&mut self, ctx: &mut Ctx<'_>) {
        if matches!(self.state, TxState::Calling | TxState::Proceeding) {
            ctx.transport_error();
        }
        self.state = TxState::Terminated;
    }
}
