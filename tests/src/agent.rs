//! What the simulator drives: any sans-IO agent with the core's shape
//! (DESIGN §2). The [`Endpoint`] is the one that matters; the
//! [`ScriptedUa`](crate::scripted::ScriptedUa) lets the harness test
//! itself with hand-built messages.

use std::time::Instant;

use geosip_core::endpoint::Endpoint;
use geosip_core::io::{Input, Output};

/// A sans-IO user agent: `handle_*` in, `poll_*` out, time as an argument.
pub trait Agent {
    /// Feeds an input.
    fn handle_input(&mut self, now: Instant, input: Input<'_>);
    /// Runs the timers due at `now`.
    fn handle_timeout(&mut self, now: Instant);
    /// The next output.
    fn poll_output(&mut self) -> Option<Output>;
    /// When `handle_timeout` is due next.
    fn poll_timeout(&self) -> Option<Instant>;
    /// Transactions alive, if the agent counts them (for memory bounds).
    fn transactions(&self) -> Option<usize> {
        None
    }
}

impl Agent for Endpoint {
    fn handle_input(&mut self, now: Instant, input: Input<'_>) {
        Endpoint::handle_input(self, now, input);
    }
    fn handle_timeout(&mut self, now: Instant) {
        Endpoint::handle_timeout(self, now);
    }
    fn poll_output(&mut self) -> Option<Output> {
        Endpoint::poll_output(self)
    }
    fn poll_timeout(&self) -> Option<Instant> {
        Endpoint::poll_timeout(self)
    }
    fn transactions(&self) -> Option<usize> {
        Some(self.stats().transactions)
    }
}
