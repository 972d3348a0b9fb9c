//! Embedding geosip in a program without an async runtime: the phone runs
//! on its own thread; commands block, events come on a channel.
//! Runs against a built-in site on loopback: `cargo run -p geosip-std --example embed_std`.
use std::time::Duration;

use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
use geosip_core::event::{ConnectionStatus, Event};
use geosip_core::io::TransportKind;
use geosip_std::{Phone, PhoneConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let site = geosip_sim::live::LiveSite::start(
        geosip_sim::site::SiteConfig::new("example").user("1001", "secret"),
        "127.0.0.1".parse()?,
        0,
    )?;
    let (phone, events) = Phone::start(PhoneConfig {
        bind_udp: "127.0.0.1:0".parse()?,
        ..Default::default()
    })?;
    let mut cfg = ConnectionConfig::new("1001", site.addr().to_string(), TransportKind::Udp);
    cfg.password = Some(Secret::new("secret"));
    phone.add_connection(ConnectionId(0), cfg)?;
    for event in events.iter() {
        println!("{event:?}");
        if let Event::ConnectionStatusChanged {
            status: ConnectionStatus::Available,
            ..
        } = event
        {
            let call = phone.dial(ConnectionId(0), "2000")?;
            std::thread::sleep(Duration::from_secs(2));
            phone.hangup(call)?;
            break;
        }
    }
    phone.shutdown(); // unregisters
    Ok(())
}
