//! The INVITE server transaction (RFC 3261 §17.2.1, Figure 7), with the
//! Accepted state of RFC 6026 §7.1 (Figure 7 as updated by §8.7).
//!
//! ```text
//!  INVITE received (optional 100 Trying after a delay)
//!  Proceeding ──TU 1xx──▶ (stays; INVITE retransmit → last 1xx again)
//!    │ ╲──TU 2xx──▶ Accepted (L; absorb INVITE retransmits, ACK to the TU,
//!    │                        TU's 2xx retransmits passed to the transport)
//!    └──TU 300-699──▶ Completed (G unreliable, H; INVITE retransmit → final)
//!                        │  └── H fires: Timeout (no ACK)
//!                        └──ACK──▶ Confirmed (I: T4, 0 if reliable)
//! ```

use std::time::{Duration, Instant};

use super::event::{TimeoutReason, TxState};
use super::machine::{Ctx, Verdict};
use super::timers::{after, due, earliest, Backoff};

/// A `100 Trying` waiting to go out if the TU is slow.
#[derive(Debug)]
struct PendingTrying {
    at: Instant,
    response: Vec<u8>,
}

#[derive(Debug)]
pub(crate) struct ServerInvite {
    state: TxState,
    /// The latest response: a provisional in Proceeding, the final in
    /// Completed; what a retransmitted INVITE or Timer G sends again.
    last_response: Option<Vec<u8>>,
    /// The automatic 100 Trying (§17.2.1), until the TU responds.
    trying: Option<PendingTrying>,
    /// Timer G: retransmit the 3xx–6xx (unreliable transports only).
    timer_g: Option<Backoff>,
    /// Timer H: give up waiting for the ACK.
    timer_h: Option<Instant>,
    /// Timer I: absorb ACK retransmissions in Confirmed.
    timer_i: Option<Instant>,
    /// Timer L (RFC 6026): linger in Accepted.
    timer_l: Option<Instant>,
}

impl ServerInvite {
    /// A new transaction in Proceeding. `trying` is a prepared `100
    /// Trying` to send after the given delay unless the TU answers first.
    pub fn start(ctx: &mut Ctx<'_>, trying: Option<(Duration, Vec<u8>)>) -> Self {
        let trying = trying.and_then(|(delay, response)| {
            Some(PendingTrying {
                at: after(ctx.now, delay)?,
                response,
            })
        });
        ServerInvite {
            state: TxState::Proceeding,
            last_response: None,
            trying,
            timer_g: None,
            timer_h: None,
            timer_i: None,
            timer_l: None,
        }
    }

    pub fn state(&self) -> TxState {
        self.state
    }

    pub fn deadline(&self) -> Option<Instant> {
        earliest([
            self.trying.as_ref().map(|t| t.at),
            self.timer_g.map(|g| g.at),
            self.timer_h,
            self.timer_i,
            self.timer_l,
        ])
    }

    /// The INVITE came again (§17.2.1): resend the latest response.
    pub fn on_retransmission(&mut self, ctx: &mut Ctx<'_>) {
        match self.state {
            TxState::Proceeding => {
                // The UAC is still retransmitting, so it has heard nothing:
                // a pending 100 Trying goes out now rather than later.
                if self.last_response.is_none() {
                    self.last_response = self.trying.take().map(|t| t.response);
                }
                if let Some(r) = &self.last_response {
                    ctx.send(r);
                }
            }
            TxState::Completed => {
                if let Some(r) = &self.last_response {
                    ctx.send(r);
                }
            }
            // Confirmed: ACKed already. Accepted: RFC 6026 §7.1, the 2xx
            // is the TU's to retransmit; the INVITE is just absorbed.
            _ => {}
        }
    }

    /// An ACK matched this transaction.
    pub fn on_ack(&mut self, ctx: &mut Ctx<'_>) -> Verdict {
        match self.state {
            TxState::Completed => {
                self.state = TxState::Confirmed;
                self.timer_g = None;
                self.timer_h = None;
                if ctx.reliable {
                    self.state = TxState::Terminated;
                } else {
                    self.timer_i = after(ctx.now, ctx.timers.t4);
                }
                Verdict::Absorbed
            }
            // RFC 6026 §7.1: an ACK in Accepted is for the TU's 2xx.
            TxState::Accepted => Verdict::ToTu,
            _ => Verdict::Absorbed,
        }
    }

    /// The TU sends a response. `Err` if the state does not allow it.
    pub fn respond(&mut self, ctx: &mut Ctx<'_>, code: u16, response: Vec<u8>) -> Result<(), ()> {
        match (self.state, code) {
            (TxState::Proceeding, 100..=199) => {
                ctx.send(&response);
                self.trying = None;
                self.last_response = Some(response);
            }
            (TxState::Proceeding, 200..=299) => {
                ctx.send(&response);
                self.trying = None;
                self.last_response = None;
                self.state = TxState::Accepted;
                self.timer_l = after(ctx.now, ctx.timers.timeout);
            }
            (TxState::Proceeding, _) => {
                ctx.send(&response);
                self.trying = None;
                self.last_response = Some(response);
                self.state = TxState::Completed;
                if !ctx.reliable {
                    self.timer_g = Backoff::start(ctx.now, ctx.timers.t1, Some(ctx.timers.t2));
                }
                self.timer_h = after(ctx.now, ctx.timers.timeout);
            }
            // RFC 6026 §7.1: the TU's 2xx retransmissions pass through.
            (TxState::Accepted, 200..=299) => ctx.send(&response),
            _ => return Err(()),
        }
        Ok(())
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now;
        if due(self.timer_i, now) || due(self.timer_l, now) {
            self.state = TxState::Terminated;
            return;
        }
        if due(self.timer_h, now) {
            ctx.timeout(TimeoutReason::NoAck);
            self.state = TxState::Terminated;
            return;
        }
        if self.trying.as_ref().is_some_and(|t| t.at <= now) {
            self.last_response = self.trying.take().map(|t| t.response);
            if let Some(r) = &self.last_response {
                ctx.send(r);
            }
        }
        if let Some(g) = self.timer_g.filter(|g| g.at <= now) {
            if let Some(r) = &self.last_response {
                ctx.send(r);
            }
            self.timer_g = g.advance(now);
        }
    }

    pub fn on_transport_error(&mut self, ctx: &mut Ctx<'_>) {
        // Once confirmed nothing more needs sending; otherwise a response
        // of the TU may not have arrived (§17.2.4).
        if self.state != TxState::Confirmed {
            ctx.transport_error();
        }
        self.state = TxState::Terminated;
    }
}
