//! Interop with real SIP servers: the test's own Kamailio instances on
//! loopback ([`kamailio`]), network namespaces whose links can be cut
//! silently ([`netns`]), and the check that the peers are installed
//! ([`require_peers`]).
//!
//! The peers are Debian packages (`kamailio`, `kamailio-tls-modules`,
//! `sip-tester`, `nftables`, `iproute2`); `scripts/install-peers.sh`
//! installs what is missing. With `CI=true` a missing peer fails the test;
//! elsewhere the test says how to install it and passes.

pub mod kamailio;
pub mod netns;

use std::net::{IpAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A program or privilege an interop test needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// `kamailio` and `kamcmd`.
    Kamailio,
    /// `sipp`.
    Sipp,
    /// `ip` and `nft`, run as root: network namespaces and packet filters.
    Netns,
}

/// Whether every peer in `needs` is here. If one is missing: under
/// `CI=true` this panics (the test fails); otherwise it prints how to
/// install the peers and returns false, and the test should return early.
pub fn require_peers(needs: &[Peer]) -> bool {
    let mut missing = Vec::new();
    for need in needs {
        let programs: &[&str] = match need {
            Peer::Kamailio => &["kamailio", "kamcmd"],
            Peer::Sipp => &["sipp"],
            Peer::Netns => &["ip", "nft"],
        };
        missing.extend(
            programs
                .iter()
                .filter(|p| which(p).is_none())
                .map(|p| p.to_string()),
        );
        if *need == Peer::Netns && !is_root() {
            missing.push("root (for network namespaces)".into());
        }
    }
    if missing.is_empty() {
        return true;
    }
    let msg = format!(
        "interop peers missing: {}; install them with scripts/install-peers.sh \
         (Debian packages kamailio, kamailio-tls-modules, sip-tester, nftables, iproute2)",
        missing.join(", ")
    );
    if in_ci() {
        panic!("{msg} (CI=true: a missing peer is a failure)");
    }
    eprintln!("skipped: {msg}");
    false
}

/// Whether the tests run in CI: `CI` is set to anything but `false`, `0`
/// or nothing (CI services set `CI=true`).
pub fn in_ci() -> bool {
    std::env::var("CI")
        .is_ok_and(|v| !matches!(v.trim().to_ascii_lowercase().as_str(), "" | "0" | "false"))
}

/// Whether we run as root (the effective uid from `/proc/self/status`).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|euid| euid == "0"))
        })
        .unwrap_or(false)
}

/// Finds a program on `PATH` or in the sbin folders (where Debian puts
/// `kamailio`, `ip` and `nft`, often not on a user's `PATH`).
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/local/sbin", "/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// A port free for both UDP and TCP on `ip` right now: bind port 0, read
/// it, check TCP can have it too, close both. Tests running in parallel
/// each get their own.
pub fn free_port(ip: IpAddr) -> u16 {
    for _ in 0..50 {
        let udp = UdpSocket::bind((ip, 0)).expect("bind a UDP probe socket");
        let port = udp.local_addr().expect("probe socket address").port();
        if TcpListener::bind((ip, port)).is_ok() {
            return port;
        }
    }
    panic!("no port free for both UDP and TCP on {ip}");
}

/// A name unique to this test process and call: `prefix` + pid + counter.
pub fn unique_name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The repository's `tests/interop` folder (Kamailio config, SIPp files).
pub fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("interop")
}

/// Runs a command to completion; its stdout, or an error that says what
/// ran and what it wrote on stderr.
pub fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{cmd:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}
