//! The console commands, one per line (they work when piped too).

use anyhow::{anyhow, bail, Context};
use geosip_core::connection::{ConnectionConfig, ConnectionId};
use geosip_core::io::TransportKind;
use geosip_core::session::SessionId;

use crate::app::App;

/// The help text.
pub const HELP: &str = "\
commands:
  status                      the connections and calls
  dial <conn> <dest>          call <dest> (a number, or sip:user@host) from connection <conn>
  answer [<call>]             answer a ringing call (default: the last one)
  reject [<call>] [<code>]    reject a ringing call (default 486 Busy Here)
  hold <call>                 put a call on hold
  retrieve <call>             take it back
  hangup <call>               end a call
  add <conn> [<user> <host:port> <udp|tcp|tls>]   add a connection (built-in sites: just <conn>)
  enable <conn> | disable <conn> | remove <conn>
  site down <n> | site up <n> stop or start built-in site <n>
  call-in <conn>              a far-end user calls us through connection <conn>'s site
  help                        this text
  quit                        unregister and exit";

fn conn(arg: Option<&str>) -> anyhow::Result<ConnectionId> {
    let a = arg.context("which connection? (a number)")?;
    Ok(ConnectionId(a.parse().with_context(|| {
        format!("{a:?} is not a connection number")
    })?))
}

fn call(arg: Option<&str>) -> anyhow::Result<SessionId> {
    let a = arg.context("which call? (a number)")?;
    Ok(SessionId(
        a.parse()
            .with_context(|| format!("{a:?} is not a call number"))?,
    ))
}

/// What the loop should do after a command.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Continue,
    Quit,
}

/// Runs one command line.
pub async fn run(app: &mut App, line: &str) -> anyhow::Result<Next> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let Some((&cmd, args)) = words.split_first() else {
        return Ok(Next::Continue);
    };
    let arg = |i: usize| args.get(i).copied();
    match cmd {
        "help" | "?" => println!("{HELP}"),
        "status" => app.table().await,
        "quit" | "exit" => return Ok(Next::Quit),
        "dial" => {
            let c = conn(arg(0))?;
            let dest = arg(1).context("dial whom? e.g. dial 0 2000")?;
            let id = app.phone.dial(c, dest).await?;
            app.out
                .say(&format!("call {id}: dialing {dest} from connection {c}"));
        }
        "answer" => {
            let id = match arg(0) {
                Some(a) => call(Some(a))?,
                None => app
                    .seen
                    .ringing
                    .ok_or_else(|| anyhow!("no call is ringing"))?,
            };
            app.phone.answer(id).await?;
        }
        "reject" => {
            let (id, code) = match (arg(0), arg(1)) {
                (None, _) => (
                    app.seen
                        .ringing
                        .ok_or_else(|| anyhow!("no call is ringing"))?,
                    486,
                ),
                (Some(a), c) => (
                    call(Some(a))?,
                    c.map(str::parse).transpose()?.unwrap_or(486),
                ),
            };
            app.phone.reject(id, code).await?;
        }
        "hold" => app.phone.hold(call(arg(0))?).await?,
        "retrieve" => app.phone.retrieve(call(arg(0))?).await?,
        "hangup" => app.phone.hangup(call(arg(0))?).await?,
        "enable" => app.phone.enable_connection(conn(arg(0))?).await?,
        "disable" => app.phone.disable_connection(conn(arg(0))?).await?,
        "remove" => app.phone.remove_connection(conn(arg(0))?).await?,
        "add" => {
            let c = conn(arg(0))?;
            let cfg = match (arg(1), arg(2), arg(3)) {
                (Some(user), Some(server), proto) => {
                    let transport = match proto.unwrap_or("udp").to_ascii_lowercase().as_str() {
                        "udp" => TransportKind::Udp,
                        "tcp" => TransportKind::Tcp,
                        "tls" => TransportKind::Tls,
                        other => bail!("unknown protocol {other:?} (udp, tcp or tls)"),
                    };
                    ConnectionConfig::new(user, server, transport)
                }
                _ => {
                    let sites = app
                        .sites
                        .as_ref()
                        .context("give user, host:port and protocol: add <conn> <user> <host:port> <udp|tcp|tls>")?;
                    sites
                        .connection(c.0 as usize)
                        .context("the built-in sites have connections 0 and 1")?
                        .1
                }
            };
            app.phone.add_connection(c, cfg).await?;
        }
        "site" => {
            let sites = app
                .sites
                .as_ref()
                .context("no built-in sites (--config is in use)")?;
            let n: usize = arg(1).context("which site? site down 0")?.parse()?;
            match arg(0) {
                Some("down") => {
                    sites.set_up(n, false)?;
                    app.out
                        .say(&format!("site {n} is down: it answers nothing now"));
                }
                Some("up") => {
                    sites.set_up(n, true)?;
                    app.out.say(&format!(
                        "site {n} is up again (its memory was lost: registrations too)"
                    ));
                }
                _ => bail!("site down <n> or site up <n>"),
            }
        }
        "call-in" => {
            let c = conn(arg(0))?;
            let sites = app
                .sites
                .as_ref()
                .context("no built-in sites (--config is in use)")?;
            let info = app
                .phone
                .connections()
                .await?
                .into_iter()
                .find(|i| i.id == c)
                .with_context(|| format!("no connection {c}"))?;
            sites.call_in(c.0 as usize, &info.user)?;
            app.out.say(&format!(
                "user 5000 calls {} through site {}",
                info.user, c.0
            ));
        }
        other => bail!("unknown command {other:?}; type help"),
    }
    Ok(Next::Continue)
}
