//! # geosip-sim
//!
//! The deterministic simulator of geosip (DESIGN §5) and its integration
//! tests: a virtual clock, a seeded network that delays, drops, duplicates
//! and reorders, SIP server sites (registrars with digest auth) that can be
//! stopped, restarted or cut off, and a harness that drives the sans-IO
//! [`Endpoint`](geosip_core::endpoint::Endpoint) through it all. One seed
//! gives one run, byte for byte.
//!
//! - [`clock`]: virtual time.
//! - [`net`]: the network: links, partitions, stopped services, flows.
//! - [`site`]: the SIP server sites.
//! - [`harness`]: [`Sim`], the event loop and the logs.
//! - [`agent`]: the sans-IO face the harness drives.
//! - [`record`]: the traffic and event logs and helpers to read them.
//! - [`scenario`]: the standard two-site setup and log readings for
//!   scenario tests.
//! - [`scripted`]: a hand-driven agent for testing the harness itself,
//!   with the raw SIP it writes and readings of what it received.
//! - [`faults`]: random fault schedules and the truth they are checked
//!   against.
//! - [`live`]: [`LiveSite`](live::LiveSite), a site served on real
//!   sockets (UDP and TCP) with the real clock, for runtimes and examples
//!   that need a registrar without an outside server.
//! - [`sipp`]: runs SIPp scenarios against the runtimes (interop tests).
//! - [`interop`]: real servers for interop tests: Kamailio instances of
//!   the test's own and network namespaces whose link can be cut.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use geosip_core::io::TransportKind;
//! use geosip_sim::{scripted::{options_request, ScriptedUa}, Sim, SiteConfig, ENDPOINT_UDP};
//!
//! let mut sim = Sim::with_agent(7, Default::default(), |_| ScriptedUa::new());
//! let site = sim.add_site(SiteConfig::new("example.com"));
//! let to = sim.site(site).addr(TransportKind::Udp);
//! sim.command(|ua, _| ua.send_udp(to, options_request(ENDPOINT_UDP, to, 1)));
//! sim.run_for(Duration::from_secs(1));
//! assert_eq!(sim.agent().last_status(), Some(200));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod agent;
pub mod clock;
pub mod dns;
pub mod faults;
pub mod harness;
pub mod interop;
pub mod live;
pub mod net;
pub mod record;
pub mod scenario;
pub mod scripted;
pub mod sipp;
pub mod site;

use std::path::PathBuf;

pub use agent::Agent;
pub use harness::{Sim, ENDPOINT_IP, ENDPOINT_UDP};
pub use net::LinkConfig;
pub use site::{SiteConfig, SiteId, SiteMode};

/// The `shared/` folder that sits beside the repository (RFC 4475 torture
/// messages, benchmark messages). `GEOSIP_SHARED` overrides it.
pub fn shared_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("GEOSIP_SHARED") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}
