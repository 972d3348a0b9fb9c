//! Embedding geosip in a tokio app: register one user on a site and dial.
//! Runs against a built-in site on loopback: `cargo run -p geosip-tokio --example embed_tokio`.
use std::time::Duration;

use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
use geosip_core::event::{ConnectionStatus, Event};
use geosip_core::io::TransportKind;
use geosip_tokio::{Phone, PhoneConfig, StreamExt};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let site = geosip_sim::live::LiveSite::start(
        geosip_sim::site::SiteConfig::new("example").user("1001", "secret"),
        "127.0.0.1".parse()?,
        0,
    )?;
    let (phone, mut events) = Phone::start(PhoneConfig {
        bind_udp: "127.0.0.1:0".parse()?,
        ..Default::default()
    })
    .await?;
    let mut cfg = ConnectionConfig::new("1001", site.addr().to_string(), TransportKind::Udp);
    cfg.password = Some(Secret::new("secret"));
    phone.add_connection(ConnectionId(0), cfg).await?;
    while let Some(event) = events.next().await {
        println!("{event:?}");
        match event {
            Event::ConnectionStatusChanged {
                status: ConnectionStatus::Available,
                ..
            } => {
                let call = phone.dial(ConnectionId(0), "2000").await?;
                tokio::time::sleep(Duration::from_secs(2)).await;
                phone.hangup(call).await?;
                break;
            }
            _ => continue,
        }
    }
    phone.shutdown().await; // unregisters
    Ok(())
}
