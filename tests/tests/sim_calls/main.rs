//! Self-tests of the sites' calls, driven by a scripted client that writes
//! raw SIP: far-end phones (answer, reject, challenge, cancel, silence),
//! dialogs (retransmissions, re-INVITE, BYE), calls the site places to a
//! registered user over UDP and TCP, and what a site keeps of its calls.
//!
//! The raw SIP comes from [`geosip_sim::scripted::sip`] and the readings
//! of what arrived from [`geosip_sim::scripted::inbox`]; this file holds
//! the fixture the tests share.

mod dialog;
mod far_end;
mod site_placed;
mod site_state;

use std::net::SocketAddr;
use std::time::Duration;

use geosip_core::io::{FlowId, TransportKind};
use geosip_core::message::parse;
use geosip_sim::net::NetConfig;
use geosip_sim::scripted::inbox::last_with;
use geosip_sim::scripted::sip::{invite, Leg, DOMAIN};
use geosip_sim::scripted::{RegisterSpec, ScriptedUa};
use geosip_sim::site::SiteCall;
use geosip_sim::{Sim, SiteConfig, SiteId};

const SITE: SiteId = SiteId(0);
const REALM: &str = DOMAIN;

fn setup(config: SiteConfig) -> (Sim<ScriptedUa>, SocketAddr) {
    let mut sim = Sim::with_agent(23, NetConfig::default(), |_| ScriptedUa::new());
    assert_eq!(sim.add_site(config), SITE);
    let to = sim.site(SITE).addr(TransportKind::Udp);
    (sim, to)
}

fn config() -> SiteConfig {
    let mut c = SiteConfig::new(REALM).user("1001", "pw");
    c.require_auth = false;
    c
}

fn send(sim: &mut Sim<ScriptedUa>, to: SocketAddr, bytes: Vec<u8>) {
    sim.command(|ua, _| ua.send_udp(to, bytes));
}

fn call(sim: &Sim<ScriptedUa>) -> SiteCall {
    sim.site(SITE).last_call().expect("a call").clone()
}

/// INVITE, 100/180/200 after 1 s, ACK with the Route. Returns the leg.
fn connect(sim: &mut Sim<ScriptedUa>, to: SocketAddr, user: &str) -> Leg {
    send(sim, to, invite(user, "z9hG4bKinv1", 1, &[]));
    sim.run_for(Duration::from_millis(1100));
    let ok = last_with(sim, 200);
    let leg = Leg::from_2xx(&parse(&ok).unwrap());
    send(sim, to, leg.req("ACK", "z9hG4bKack1", 1, ""));
    sim.run_for(Duration::from_millis(100));
    leg
}

/// REGISTER (no auth) as `1001` from `local`, over UDP or on `flow`;
/// asserts that the site bound it.
fn register(
    sim: &mut Sim<ScriptedUa>,
    to: SocketAddr,
    flow: Option<FlowId>,
    t: TransportKind,
    local: SocketAddr,
) {
    let spec = RegisterSpec {
        user: "1001",
        domain: REALM,
        local,
        transport: t,
        cseq: 1,
        expires: 3600,
        authorization: None,
    };
    let bytes = spec.build();
    match flow {
        Some(f) => sim.command(|ua, _| ua.send_stream(f, to, bytes)),
        None => send(sim, to, bytes),
    }
    sim.run_for(Duration::from_millis(100));
    assert!(sim.site(SITE).is_bound(sim.now(), "1001"));
}
