//! The geosip QuickStart: a two-site softphone on the console.
//!
//! With no arguments it starts two built-in SIP sites on loopback (a
//! registrar with digest auth and far-end phones, on real UDP and TCP
//! sockets), registers connection 0 (user 1001, UDP) on site 0 and
//! connection 1 (user 1002, TCP) on site 1, and takes commands from stdin
//! (`help` lists them). `--demo` plays the whole failover story on its
//! own; `--config FILE` uses real servers from a `SipEndpoint.config`;
//! `--json` prints every event as one JSON line.

mod app;
mod commands;
mod demo;
mod render;
mod sites;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use geosip_tokio::{Phone, PhoneConfig, StreamExt};
use tokio::io::{AsyncBufReadExt, BufReader};

use app::{App, Seen};
use commands::Next;
use render::Printer;
use sites::BuiltIn;

/// A two-site softphone on the console.
#[derive(Debug, Parser)]
#[command(name = "geosip-quickstart", version, about)]
struct Args {
    /// Use the connections of this SipEndpoint.config (real servers)
    /// instead of the built-in sites.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print every event as one JSON line.
    #[arg(long)]
    json: bool,
    /// Play the whole story without input, then exit.
    #[arg(long)]
    demo: bool,
    /// Ports of the two built-in sites (on 127.0.0.1 and 127.0.0.2),
    /// e.g. `--ports 5070,5070`; 0 picks a free one. Default 5070, or a
    /// free port when it is taken.
    #[arg(long, value_name = "A,B", value_parser = parse_ports)]
    ports: Option<[u16; 2]>,
    /// Log level of the library's own log on stderr (off, error, warn,
    /// info, debug, trace).
    #[arg(long, default_value = "off")]
    log: String,
}

fn parse_ports(s: &str) -> Result<[u16; 2], String> {
    let (a, b) = s.split_once(',').ok_or("two ports, A,B")?;
    Ok([
        a.trim().parse().map_err(|e| format!("{a}: {e}"))?,
        b.trim().parse().map_err(|e| format!("{b}: {e}"))?,
    ])
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // A SipEndpoint.config's diagnostics set the library's log, unless
    // --log says otherwise.
    let loaded = args.config.as_deref().map(load_config).transpose()?;
    let (level, file) = match (&loaded, args.log.as_str()) {
        (Some(l), "off") => (
            l.diagnostics
                .log_level
                .to_tracing()
                .to_string()
                .to_lowercase(),
            l.diagnostics.log_file.clone(),
        ),
        _ => (args.log.clone(), None),
    };
    let filter = tracing_subscriber::EnvFilter::new(&level);
    match file {
        Some(path) => {
            let f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .with_context(|| format!("cannot open the log file {path}"))?;
            tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(f))
                .init();
        }
        None => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init(),
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(run(args, loaded))
}

async fn run(
    args: Args,
    loaded: Option<geosip_core::config::SipEndpointConfig>,
) -> anyhow::Result<()> {
    let out = Printer::new(args.json);
    let (connections, sites, phone_config) = match loaded {
        Some(config) => {
            let cfg = PhoneConfig {
                endpoint: config.endpoint,
                ..PhoneConfig::default()
            };
            (config.connections, None, cfg)
        }
        None => {
            let sites = BuiltIn::start(args.ports)?;
            for n in 0..2 {
                if let Some(a) = sites.addr(n) {
                    out.say(&format!(
                        "built-in site {n} listens on {a} (UDP and TCP): users 1001 and 1002, password {}, any other number is a far-end phone that answers",
                        sites::PASSWORD
                    ));
                }
            }
            let conns = (0..2).filter_map(|n| sites.connection(n)).collect();
            let cfg = PhoneConfig {
                bind_udp: "127.0.0.1:0".parse()?,
                shutdown_timeout: Duration::from_secs(3),
                ..PhoneConfig::default()
            };
            (conns, Some(sites), cfg)
        }
    };
    let (phone, events) = Phone::start(phone_config).await?;
    out.say(&format!("the phone's UDP socket is {}", phone.local_udp()));
    let mut app = App {
        phone,
        events,
        out,
        sites,
        seen: Seen::default(),
    };
    for (id, cfg) in connections {
        app.phone.add_connection(id, cfg).await?;
    }
    let result = if args.demo {
        demo::run(&mut app).await
    } else {
        interactive(&mut app).await
    };
    if let Err(e) = &result {
        app.out.say(&format!("error: {e:#}"));
    }
    app.phone.shutdown().await;
    app.settle(Duration::from_millis(100)).await;
    if let Some(sites) = app.sites.take() {
        drop(sites);
    }
    result
}

/// Commands from stdin, events as they come, until `quit` or the end of
/// the input.
async fn interactive(app: &mut App) -> anyhow::Result<()> {
    app.out.say("type help for the commands");
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    loop {
        tokio::select! {
            line = lines.next_line() => match line? {
                Some(line) => match commands::run(app, line.trim()).await {
                    Ok(Next::Quit) => return Ok(()),
                    Ok(Next::Continue) => {}
                    Err(e) => app.out.say(&format!("error: {e:#}")),
                },
                None => {
                    // Piped input ended: let what it started play out a
                    // little, then leave as `quit` would.
                    app.settle(Duration::from_secs(2)).await;
                    return Ok(());
                }
            },
            e = app.events.next() => match e {
                Some(e) => app.on_event(e).await,
                None => return Ok(()),
            },
        }
    }
}

/// Reads a SipEndpoint.config; its warnings (unknown settings) are
/// printed.
fn load_config(path: &std::path::Path) -> anyhow::Result<geosip_core::config::SipEndpointConfig> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let config = geosip_core::config::SipEndpointConfig::parse(&path.display().to_string(), &text)?;
    for w in &config.warnings {
        eprintln!("warning: {w}");
    }
    Ok(config)
}
