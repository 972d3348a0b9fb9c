//! A network namespace of the test's own, joined to the host by a veth
//! pair on a /30 of 10.77.0.0/16, for a site far away: a WAN link that can
//! be cut silently (every packet dropped, no ICMP, no reset) and mended.
//!
//! Names are unique per test process and call (`gk<pid><n>`), the /30 is
//! one no interface uses yet. Dropping the [`Netns`] deletes the
//! namespace, the veth pair and the rules, panics included. Needs root.

use std::net::{IpAddr, Ipv4Addr};
use std::process::Command;

use super::{run, which};

/// The nftables table of the cut, inside the namespace.
const CUT_TABLE: &str = "geosip_cut";

/// A namespace and its veth link to the host. See the [module](self) docs.
#[derive(Debug)]
pub struct Netns {
    name: String,
    host_if: String,
    host_ip: Ipv4Addr,
    ns_ip: Ipv4Addr,
}

impl Netns {
    /// Creates the namespace, the veth pair with `10.77.x.y+1/30` on the
    /// host side and `+2` inside, and brings both ends and the namespace's
    /// loopback up.
    pub fn create() -> Result<Netns, String> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let pid = std::process::id();
        let tag = format!("gk{pid:x}{n}");
        let (host_ip, ns_ip) = free_subnet(pid.wrapping_mul(31).wrapping_add(n))?;
        let ns = Netns {
            name: tag.clone(),
            host_if: format!("{tag}h"),
            host_ip,
            ns_ip,
        };
        let ns_if = format!("{tag}n");
        // From here on, Drop undoes whatever part was done.
        ip(&["netns", "add", &ns.name])?;
        ip(&[
            "link",
            "add",
            &ns.host_if,
            "type",
            "veth",
            "peer",
            "name",
            &ns_if,
            "netns",
            &ns.name,
        ])?;
        ip(&["addr", "add", &format!("{host_ip}/30"), "dev", &ns.host_if])?;
        ip(&["link", "set", &ns.host_if, "up"])?;
        ip(&[
            "-n",
            &ns.name,
            "addr",
            "add",
            &format!("{ns_ip}/30"),
            "dev",
            &ns_if,
        ])?;
        ip(&["-n", &ns.name, "link", "set", &ns_if, "up"])?;
        ip(&["-n", &ns.name, "link", "set", "lo", "up"])?;
        Ok(ns)
    }

    /// The namespace's name (for `ip netns exec`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The host's end of the link.
    pub fn host_ip(&self) -> IpAddr {
        IpAddr::V4(self.host_ip)
    }

    /// The namespace's end of the link, where its site listens.
    pub fn ns_ip(&self) -> IpAddr {
        IpAddr::V4(self.ns_ip)
    }

    /// Cuts the link silently: inside the namespace every packet in or out
    /// on the veth is dropped (nftables, policy drop, loopback spared), so
    /// nothing answers, not even with ICMP or a TCP reset.
    pub fn cut(&self) -> Result<(), String> {
        let rules = format!(
            "add table inet {CUT_TABLE}; \
             add chain inet {CUT_TABLE} input {{ type filter hook input priority -300; policy drop; }}; \
             add chain inet {CUT_TABLE} output {{ type filter hook output priority -300; policy drop; }}; \
             add rule inet {CUT_TABLE} input iifname lo accept; \
             add rule inet {CUT_TABLE} output oifname lo accept"
        );
        self.nft(&rules)
    }

    /// Mends the link: removes the rules of [`cut`](Self::cut).
    pub fn mend(&self) -> Result<(), String> {
        self.nft(&format!("delete table inet {CUT_TABLE}"))
    }

    fn nft(&self, rules: &str) -> Result<(), String> {
        let nft = which("nft").unwrap_or_else(|| "nft".into());
        run(Command::new(which("ip").unwrap_or_else(|| "ip".into()))
            .args(["netns", "exec", &self.name])
            .arg(nft)
            .arg(rules))
        .map(drop)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        // The rules live in the namespace and go with it; deleting the
        // namespace deletes its veth end and so the pair, but the host end
        // is deleted too should the namespace be held by a process.
        let _ = self.mend();
        let _ = ip(&["netns", "del", &self.name]);
        let _ = ip(&["link", "del", &self.host_if]);
    }
}

fn ip(args: &[&str]) -> Result<String, String> {
    run(Command::new(which("ip").unwrap_or_else(|| "ip".into())).args(args))
}

/// A /30 in 10.77.0.0/16 that no interface has an address in, starting
/// the search at `seed`: (host end, namespace end).
fn free_subnet(seed: u32) -> Result<(Ipv4Addr, Ipv4Addr), String> {
    let used = ip(&["-o", "-4", "addr", "show"])?;
    for i in 0..16384u32 {
        let base = ((seed.wrapping_add(i)) % 16384) * 4;
        let host = Ipv4Addr::new(10, 77, (base >> 8) as u8, (base & 0xff) as u8 + 1);
        let ns = Ipv4Addr::new(10, 77, (base >> 8) as u8, (base & 0xff) as u8 + 2);
        let net = (base & 0xff) as u8;
        let taken =
            (net..net + 4).any(|last| used.contains(&format!("10.77.{}.{last}/", base >> 8)));
        if !taken {
            return Ok((host, ns));
        }
    }
    Err("no free /30 in 10.77.0.0/16".into())
}
