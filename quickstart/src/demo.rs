//! `--demo`: the seed's whole story, without input, in about 20 seconds:
//! both connections register; site 0 goes down and its connection turns
//! Unavailable; a dial on connection 0 goes out through site 1 and is
//! answered; a call comes in on connection 1 while the first one talks,
//! and answering it holds the first; site 0 comes back and its connection
//! turns Available again on its own.

use std::time::Duration;

use anyhow::{bail, Context};
use geosip_core::connection::ConnectionId;
use geosip_core::event::ConnectionStatus;
use geosip_core::session::SessionStatus;

use crate::app::App;
use crate::commands;

const C0: ConnectionId = ConnectionId(0);
const C1: ConnectionId = ConnectionId(1);

async fn step(app: &mut App, what: &str, line: &str) -> anyhow::Result<()> {
    app.out.say(&format!("--- {what}"));
    app.out.say(&format!("> {line}"));
    commands::run(app, line).await.map(|_| ())
}

async fn expect(
    app: &mut App,
    max: Duration,
    what: &str,
    done: impl Fn(&crate::app::Seen) -> bool,
) -> anyhow::Result<()> {
    if !app.wait_for(max, done).await {
        bail!("demo: {what} did not happen within {max:?}");
    }
    Ok(())
}

pub async fn run(app: &mut App) -> anyhow::Result<()> {
    let avail =
        |c| move |s: &crate::app::Seen| s.connections.get(&c) == Some(&ConnectionStatus::Available);
    app.out
        .say("--- both connections register at once, each on its own site (digest auth)");
    expect(
        app,
        Duration::from_secs(10),
        "both connections Available",
        |s| avail(C0)(s) && avail(C1)(s),
    )
    .await?;

    step(
        app,
        "site 0 goes down: it stops answering, as a dead server does",
        "site down 0",
    )
    .await?;
    expect(
        app,
        Duration::from_secs(15),
        "connection 0 Unavailable",
        |s| s.connections.get(&C0) == Some(&ConnectionStatus::Unavailable),
    )
    .await?;

    step(
        app,
        "dial 2000 on connection 0: its site is down, so the call goes out through site 1",
        "dial 0 2000",
    )
    .await?;
    expect(app, Duration::from_secs(10), "the call connected", |s| {
        s.sessions
            .values()
            .any(|(_, st)| *st == SessionStatus::Connected)
    })
    .await?;
    let (first, (conn, _)) = app
        .seen
        .sessions
        .iter()
        .map(|(k, v)| (*k, *v))
        .find(|(_, (_, st))| *st == SessionStatus::Connected)
        .context("a connected call")?;
    if conn != C1 {
        bail!("demo: the call went out on connection {conn}, not 1");
    }
    app.out.say(&format!(
        "call {first} is carried by connection 1, on site 1"
    ));

    step(
        app,
        "a far-end user calls connection 1 while call 1 talks: it rings (call waiting)",
        "call-in 1",
    )
    .await?;
    expect(app, Duration::from_secs(5), "an incoming call", |s| {
        s.ringing.is_some()
    })
    .await?;
    let second = app.seen.ringing.context("ringing")?;
    step(
        app,
        "answering it puts the first call on hold",
        &format!("answer {second}"),
    )
    .await?;
    expect(
        app,
        Duration::from_secs(5),
        "first held, second connected",
        |s| {
            s.sessions.get(&first).map(|x| x.1) == Some(SessionStatus::Held)
                && s.sessions.get(&second).map(|x| x.1) == Some(SessionStatus::Connected)
        },
    )
    .await?;
    app.table().await;

    step(
        app,
        "site 0 comes back: its connection registers again without any action from us",
        "site up 0",
    )
    .await?;
    expect(
        app,
        Duration::from_secs(15),
        "connection 0 Available again",
        avail(C0),
    )
    .await?;

    step(app, "hang up both calls", &format!("hangup {second}")).await?;
    commands::run(app, &format!("hangup {first}")).await?;
    expect(app, Duration::from_secs(5), "both calls over", |s| {
        [first, second]
            .iter()
            .all(|c| s.sessions.get(c).map(|x| x.1) == Some(SessionStatus::Disconnected))
    })
    .await?;
    app.table().await;
    app.out
        .say("--- the story is over: unregistering and leaving");
    Ok(())
}
