//! Runs [SIPp](https://sipp.sourceforge.net/) scenarios for the interop
//! tests (issue 6): one `sipp` process per [`Sipp`], on loopback with a
//! free port, its statistics, error and message logs in a temporary
//! folder of its own, bounded by `-m` (calls) and `-timeout` so it always
//! ends, and killed (only that process) when its [`SippRun`] is dropped.
//!
//! The scenarios are the XML files in `tests/interop/sipp/`.
//!
//! # Examples
//!
//! ```no_run
//! use std::time::Duration;
//! use geosip_core::io::TransportKind;
//! use geosip_sim::sipp::{sipp_or_skip, Sipp};
//!
//! let Some(bin) = sipp_or_skip() else { return };
//! let run = Sipp::uas(bin, "uas_hold.xml")
//!     .transport(TransportKind::Udp)
//!     .calls(2)
//!     .spawn()
//!     .unwrap();
//! println!("SIPp listens on {}", run.addr());
//! // … point a connection at run.addr() and place the call …
//! let outcome = run.wait(Duration::from_secs(20));
//! assert!(outcome.passed(2), "{outcome}");
//! ```

mod process;
mod stats;

use std::ffi::OsString;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use geosip_core::io::TransportKind;

pub use process::{SippOutcome, SippRun};
pub use stats::SippStats;

/// The hint printed (or panicked with, in CI) when `sipp` is missing.
pub const INSTALL_HINT: &str = "install the peers with scripts/install-peers.sh";

/// The folder of the SIPp scenarios, `tests/interop/sipp/`.
pub fn scenario_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop/sipp")
}

pub use crate::interop::in_ci;

/// The `sipp` program: `$SIPP` if set, else `sipp` on the `PATH`.
pub fn find_sipp() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SIPP") {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    crate::interop::which("sipp")
}

/// The `sipp` program for a test, or `None` when the test should return
/// early: outside CI a missing `sipp` prints [`INSTALL_HINT`] and skips;
/// in CI (see [`in_ci`]) it is a failure.
///
/// # Panics
///
/// In CI, when `sipp` is missing.
pub fn sipp_or_skip() -> Option<PathBuf> {
    match find_sipp() {
        Some(p) => Some(p),
        None if in_ci() => panic!("sipp is missing (CI is set): {INSTALL_HINT}"),
        None => {
            eprintln!("sipp is not installed; skipping: {INSTALL_HINT}");
            None
        }
    }
}

/// A port free for both UDP and TCP on `ip` just now (see
/// [`interop::free_port`](crate::interop::free_port)).
pub fn free_port(ip: IpAddr) -> std::io::Result<u16> {
    Ok(crate::interop::free_port(ip))
}

/// Whether SIPp answers calls (`-sf` as a server) or places them.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Role {
    /// Waits for calls on its port.
    Server,
    /// Calls `remote`, with this Request-URI user (`-s`).
    Client { remote: SocketAddr, service: String },
}

/// One SIPp run to start: a scenario, a role, a transport and bounds.
#[derive(Debug, Clone)]
pub struct Sipp {
    bin: PathBuf,
    scenario: PathBuf,
    role: Role,
    transport: TransportKind,
    ip: IpAddr,
    calls: u32,
    timeout: Duration,
    args: Vec<OsString>,
}

impl Sipp {
    fn new(bin: PathBuf, scenario: &str, role: Role) -> Sipp {
        let path = Path::new(scenario);
        let scenario = if path.is_absolute() {
            path.to_owned()
        } else {
            scenario_dir().join(path)
        };
        Sipp {
            bin,
            scenario,
            role,
            transport: TransportKind::Udp,
            ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            calls: 1,
            timeout: Duration::from_secs(20),
            args: Vec::new(),
        }
    }

    /// SIPp as a server (it answers calls) with `scenario`, a file name in
    /// [`scenario_dir`] or an absolute path.
    pub fn uas(bin: impl Into<PathBuf>, scenario: &str) -> Sipp {
        Sipp::new(bin.into(), scenario, Role::Server)
    }

    /// SIPp as a client calling `service` (the Request-URI user) at
    /// `remote`, with `scenario`.
    pub fn uac(bin: impl Into<PathBuf>, scenario: &str, remote: SocketAddr, service: &str) -> Sipp {
        let role = Role::Client {
            remote,
            service: service.to_owned(),
        };
        Sipp::new(bin.into(), scenario, role)
    }

    /// The transport: UDP (`-t u1`, the default) or TCP (`-t t1`).
    ///
    /// # Panics
    ///
    /// For TLS or WebSocket, which these scenarios do not cover.
    pub fn transport(mut self, transport: TransportKind) -> Sipp {
        assert!(
            matches!(transport, TransportKind::Udp | TransportKind::Tcp),
            "SIPp runs here over UDP or TCP only, not {transport:?}"
        );
        self.transport = transport;
        self
    }

    /// SIPp ends after this many calls (`-m`); default 1. A SIPp server
    /// counts every request with a new Call-ID as a call: each REGISTER
    /// too.
    pub fn calls(mut self, calls: u32) -> Sipp {
        self.calls = calls;
        self
    }

    /// SIPp gives up after this long (`-timeout`, `-timeout_error`: a
    /// failure); default 20 s.
    pub fn timeout(mut self, timeout: Duration) -> Sipp {
        self.timeout = timeout;
        self
    }

    /// One more command-line argument for `sipp` (e.g. `-key`, `name`).
    pub fn arg(mut self, arg: impl Into<OsString>) -> Sipp {
        self.args.push(arg.into());
        self
    }

    /// Picks a free port, makes the temporary folder and starts `sipp`.
    pub fn spawn(self) -> std::io::Result<SippRun> {
        process::spawn(self)
    }
}
