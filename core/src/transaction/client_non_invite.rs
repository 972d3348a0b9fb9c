//! The non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6).
//!
//! ```text
//!          send request, E (unreliable), F
//!  Trying ──1xx──▶ Proceeding ──1xx──▶ (stays; E now every T2)
//!    │                 │
//!    └──200-699────────┴──200-699──▶ Completed (K: T4, 0 if reliable)
//!    └── F fires in Trying or Proceeding: Timeout (TU reports 408)
//! ```

use std::time::Instant;

use super::event::{TimeoutReason, TxState};
use super::machine::{Ctx, Verdict};
use super::timers::{after, due, earliest, Backoff};

#[derive(Debug)]
pub(crate) struct ClientNonInvite {
    state: TxState,
    /// The request as sent, for Timer E.
    request: Vec<u8>,
    /// Timer E: retransmit, min(2ⁿ·T1, T2), then T2 in Proceeding.
    timer_e: Option<Backoff>,
    /// Timer F: give up waiting for a final response.
    timer_f: Option<Instant>,
    /// Timer K: absorb response retransmissions in Completed.
    timer_k: Option<Instant>,
}

impl ClientNonInvite {
    /// Sends the request and arms Timers E and F (RFC 3261 §17.1.2.2).
    pub fn start(ctx: &mut Ctx<'_>, request: Vec<u8>) -> Self {
        ctx.send(&request);
        let timer_e = if ctx.reliable {
            None
        } else {
            Backoff::start(ctx.now, ctx.timers.t1, Some(ctx.timers.t2))
        };
        ClientNonInvite {
            state: TxState::Trying,
            request,
            timer_e,
            timer_f: after(ctx.now, ctx.timers.timeout),
            timer_k: None,
        }
    }

    pub fn state(&self) -> TxState {
        self.state
    }

    pub fn deadline(&self) -> Option<Instant> {
        earliest([self.timer_e.map(|e| e.at), self.timer_f, self.timer_k])
    }

    pub fn on_response(&mut self, ctx: &mut Ctx<'_>, code: u16) -> Verdict {
        use TxState::*;
        match (self.state, code) {
            (Trying | Proceeding, 100..=199) => {
                self.state = Proceeding;
                // §17.1.2.2: in Proceeding, Timer E is reset to T2 each
                // time it fires; the firing already scheduled stays.
                if let Some(e) = &mut self.timer_e {
                    e.pin(ctx.timers.t2);
                }
                Verdict::ToTu
            }
            (Trying | Proceeding, _) => {
                self.state = Completed;
                self.timer_e = None;
                self.timer_f = None;
                // Completed only absorbs retransmitted responses (§17.1.2.2);
                // the request is never sent again, so free it now rather
                // than keep it through Timer K.
                self.request = Vec::new();
                if ctx.reliable {
                    self.state = Terminated;
                } else {
                    self.timer_k = after(ctx.now, ctx.timers.t4);
                }
                Verdict::ToTu
            }
            _ => Verdict::Absorbed,
        }
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now;
        if due(self.timer_k, now) {
            self.state = TxState::Terminated;
            return;
        }
        if due(self.timer_f, now) {
            ctx.timeout(TimeoutReason::NoResponse);
            self.state = TxState::Terminated;
            return;
        }
        if let Some(e) = self.timer_e.filter(|e| e.at <= now) {
            ctx.send(&self.request);
            self.timer_e = e.advance(now);
        }
    }

    pub fn on_transport_error(&mut self, ctx: &mut Ctx<'_>) {
        if matches!(self.state, TxState::Trying | TxState::Proceeding) {
            ctx.transport_error();
        }
        self.state = TxState::Terminated;
    }
}
