//! The geosip QuickStart.
//!
//! Until the runtimes arrive (real sockets, the `SipEndpoint.config` file
//! and the interactive two-site softphone), the QuickStart plays geosip's
//! failover story on the deterministic simulator, in virtual time, so that
//! it needs no server and finishes at once:
//!
//! 1. two connections (users 1001 and 1002) register on two sites at once,
//!    answering their digest challenges;
//! 2. site 1 is cut off (silently, like a WAN outage); its connection
//!    turns Unavailable within seconds while the other stays Available;
//! 3. site 1 comes back two minutes later and its connection turns
//!    Available again without any action from the application;
//! 4. connection 2 is disabled (it unregisters), and the site's binding
//!    table shows it gone.
//!
//! Every event is printed as a timestamped line; `--trace` also prints
//! every SIP message's first line as it goes out.

use std::time::Duration;

use geosip_core::event::{ConnectionStatus, Event};
use geosip_core::io::TransportKind;
use geosip_sim::harness::Sim;
use geosip_sim::scenario::two_sites;

fn main() {
    let trace = std::env::args().any(|a| a == "--trace");
    let transport = if std::env::args().any(|a| a == "--tcp") {
        TransportKind::Tcp
    } else {
        TransportKind::Udp
    };
    let mut sim = Sim::new(1);
    let setup = two_sites(&mut sim, transport);
    let mut printed_events = 0;
    let mut printed_traffic = 0;
    let mut show = |sim: &Sim, what: &str| {
        if !what.is_empty() {
            println!("{:>9.3}s  --- {what}", sim.elapsed().as_secs_f64());
        }
        for r in &sim.events()[printed_events..] {
            if let Event::ConnectionStatusChanged {
                id,
                user,
                server,
                transport,
                status,
                reason,
            } = &r.event
            {
                println!(
                    "{:>9.3}s  connection {id} ({user} on {server} over {transport}): {status}, {reason}",
                    r.offset.as_secs_f64()
                );
            }
        }
        printed_events = sim.events().len();
        if trace {
            for r in &sim.traffic()[printed_traffic..] {
                let first = r.data.split(|&b| b == b'\r').next().unwrap_or_default();
                let first = String::from_utf8_lossy(first);
                let first = if first.is_empty() {
                    "(keep-alive)".into()
                } else {
                    first
                };
                println!(
                    "{:>9.3}s      -> {} {first}",
                    r.offset.as_secs_f64(),
                    r.remote
                );
            }
            printed_traffic = sim.traffic().len();
        }
    };

    println!(
        "geosip QuickStart: two sites, one connection on each, over {transport} (virtual time)\n"
    );
    show(&sim, "both connections register at once");
    sim.run_for(Duration::from_secs(10));
    show(&sim, "");

    let [site1, _] = setup.sites;
    let [conn1, conn2] = setup.conns;
    sim.cut_site(site1);
    show(
        &sim,
        "site 1 is cut off: nothing answers, not even ICMP (a WAN outage)",
    );
    let died = sim.elapsed();
    sim.run_until(
        |s| s.status_of(conn1) == Some(ConnectionStatus::Unavailable),
        Duration::from_secs(60),
    );
    show(&sim, "");
    println!(
        "            (noticed {:.1} s after the site died; the other connection is {:?})",
        (sim.elapsed() - died).as_secs_f64(),
        sim.status_of(conn2).unwrap()
    );

    sim.run_for(Duration::from_secs(120));
    show(&sim, "");
    sim.restore_site(site1);
    show(&sim, "site 1 is reachable again after two minutes");
    let back = sim.elapsed();
    sim.run_until(
        |s| s.status_of(conn1) == Some(ConnectionStatus::Available),
        Duration::from_secs(60),
    );
    show(&sim, "");
    println!(
        "            (Available again {:.1} s after the site returned)",
        (sim.elapsed() - back).as_secs_f64()
    );

    let site2 = setup.sites[1];
    sim.run_for(Duration::from_secs(5));
    let bound = sim.site(site2).is_bound(sim.now(), setup.users[1]);
    sim.disable_connection(conn2).expect("connection 2 exists");
    show(&sim, "the application disables connection 2");
    sim.run_for(Duration::from_secs(10));
    show(&sim, "");
    println!(
        "            (site 2 binding for {}: {} before, {} after)",
        setup.users[1],
        if bound { "present" } else { "absent" },
        if sim.site(site2).is_bound(sim.now(), setup.users[1]) {
            "present"
        } else {
            "absent"
        }
    );

    println!("\nconnections now:");
    for c in sim.endpoint().connections() {
        println!(
            "  {} {} on {} over {}: {} (enabled: {}, last error: {})",
            c.id,
            c.user,
            c.server,
            c.transport,
            c.status,
            c.enabled,
            c.last_error
                .map(|e| e.to_string())
                .unwrap_or_else(|| "none".into())
        );
    }
    let ok = sim.status_of(conn1) == Some(ConnectionStatus::Available)
        && sim.status_of(conn2) == Some(ConnectionStatus::Disabled);
    if !ok {
        eprintln!("unexpected final state");
        std::process::exit(1);
    }
}
