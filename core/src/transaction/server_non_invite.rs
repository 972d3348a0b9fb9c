//! The non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8).
//!
//! ```text
//!  request received
//!  Trying ──TU 1xx──▶ Proceeding ──TU 1xx──▶ (stays)
//!    │                   │
//!    └──TU 200-699───────┴──TU 200-699──▶ Completed (J: 64·T1, 0 if reliable)
//!  A retransmitted request: absorbed in Trying, answered with the latest
//!  response in Proceeding and Completed.
//! ```

use std::time::Instant;

use super::event::TxState;
use super::machine::Ctx;
use super::timers::{after, due};

#[derive(Debug)]
pub(crate) struct ServerNonInvite {
    state: TxState,
    /// The latest response the TU sent.
    last_response: Option<Vec<u8>>,
    /// Timer J: absorb request retransmissions in Completed.
    timer_j: Option<Instant>,
}

impl ServerNonInvite {
    /// A new transaction in Trying.
    pub fn start() -> Self {
        ServerNonInvite {
            state: TxState::Trying,
            last_response: None,
            timer_j: None,
        }
    }

    pub fn state(&self) -> TxState {
        self.state
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.timer_j
    }

    /// The request came again: resend the latest response, if any.
    pub fn on_retransmission(&mut self, ctx: &mut Ctx<'_>) {
        if let Some(r) = &self.last_response {
            ctx.send(r);
        }
    }

    /// The TU sends a response. `Err` once a final response has gone.
    pub fn respond(&mut self, ctx: &mut Ctx<'_>, code: u16, response: Vec<u8>) -> Result<(), ()> {
        if !matches!(self.state, TxState::Trying | TxState::Proceeding) {
            return Err(());
        }
        ctx.send(&response);
        self.last_response = Some(response);
        if code < 200 {
            self.state = TxState::Proceeding;
        } else if ctx.reliable {
            self.state = TxState::Terminated;
        } else {
            self.state = TxState::Completed;
            self.timer_j = after(ctx.now, ctx.timers.timeout);
        }
        Ok(())
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>) {
        if due(self.timer_j, ctx.now) {
            self.state = TxState::Terminated;
        }
    }

    pub fn on_transport_error(&mut self, ctx: &mut Ctx<'_>) {
        ctx.transport_error();
        self.state = TxState::Terminated;
    }
}
