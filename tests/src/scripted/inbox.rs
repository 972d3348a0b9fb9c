//! Readings of what a [`ScriptedUa`] received in a [`Sim`], as owned
//! bytes, so that the simulation can run on while a test holds them.

use std::time::Instant;

use geosip_core::message::parse;

use super::ScriptedUa;
use crate::harness::Sim;

/// Every message received, with times, parsed later by the caller.
pub fn received(sim: &Sim<ScriptedUa>) -> Vec<(Instant, Vec<u8>)> {
    sim.agent()
        .timed_payloads()
        .into_iter()
        .map(|(at, d)| (at, d.to_vec()))
        .collect()
}

/// The statuses of the responses received with a CSeq method.
pub fn statuses(sim: &Sim<ScriptedUa>, method: &str) -> Vec<u16> {
    received(sim)
        .iter()
        .filter_map(|(_, d)| {
            let m = parse(d).ok()?;
            (m.cseq().ok()?.method.as_str() == method)
                .then(|| m.status())
                .flatten()
        })
        .collect()
}

/// The last response with `code`; panics if there is none.
pub fn last_with(sim: &Sim<ScriptedUa>, code: u16) -> Vec<u8> {
    received(sim)
        .into_iter()
        .rev()
        .find(|(_, d)| parse(d).ok().and_then(|m| m.status()) == Some(code))
        .expect("a response with that code")
        .1
}

/// The requests received, in order; panics on a message that does not
/// parse.
pub fn requests_received(sim: &Sim<ScriptedUa>) -> Vec<Vec<u8>> {
    received(sim)
        .into_iter()
        .map(|(_, d)| d)
        .filter(|d| parse(d).unwrap().is_request())
        .collect()
}
