//! Call interop with SIPp (issue 6): SIPp scenarios in
//! `tests/interop/sipp/` verify what geosip sends (SDP offer, hold with
//! `a=sendonly`, retrieve with `a=sendrecv`, digest credentials), and the
//! tests verify what geosip reports; both must agree the call succeeded.
//! SIPp talks to the phones directly (no proxy): it is the connection's
//! site when we call, and calls our UDP address when it calls us.
//!
//! Without `sipp` the tests print how to install it and pass, unless `CI`
//! is set (see [`geosip_sim::sipp::sipp_or_skip`]).

use std::net::SocketAddr;
use std::time::Duration;

use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
use geosip_core::event::{ConnectionStatus, Event};
use geosip_core::io::TransportKind;
use geosip_core::session::{SessionId, SessionReason, SessionStatus};
use geosip_sim::sipp::{sipp_or_skip, Sipp, SippOutcome, SippRun};
use geosip_tokio::{Events, Phone, PhoneConfig, StreamExt};

/// How long any one step may take.
const STEP: Duration = Duration::from_secs(10);

/// A connection of `user` to `server`; no keep-alive within a test (SIPp
/// scenarios answer only what they script).
fn conn(user: &str, server: SocketAddr, transport: TransportKind) -> ConnectionConfig {
    let mut c = ConnectionConfig::new(user, server.to_string(), transport);
    c.password = Some(Secret::new("secret"));
    c.keepalive_interval = Duration::from_secs(60);
    c.retry_base = Duration::from_millis(300);
    c
}

async fn tokio_phone(accept_direct_calls: bool) -> (Phone, Events) {
    let mut cfg = PhoneConfig {
        bind_udp: "127.0.0.1:0".parse().unwrap(),
        shutdown_timeout: Duration::from_millis(300),
        ..Default::default()
    };
    cfg.endpoint.accept_direct_calls = accept_direct_calls;
    Phone::start(cfg).await.unwrap()
}

/// Waits for an event that `pick` picks; every event seen goes to `log`.
async fn until<T>(
    events: &mut Events,
    log: &mut Vec<Event>,
    mut pick: impl FnMut(&Event) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + STEP;
    loop {
        match tokio::time::timeout_at(deadline, events.next()).await {
            Ok(Some(e)) => {
                let t = pick(&e);
                log.push(e);
                if let Some(t) = t {
                    return t;
                }
            }
            other => panic!("no such event within {STEP:?}: {other:?}\nseen: {log:#?}"),
        }
    }
}

fn available(id: ConnectionId) -> impl FnMut(&Event) -> Option<()> {
    move |e| match e {
        Event::ConnectionStatusChanged { id: i, status, .. }
            if *i == id && *status == ConnectionStatus::Available =>
        {
            Some(())
        }
        _ => None,
    }
}

/// The reason when `call` reaches `want`.
fn reaches(call: SessionId, want: SessionStatus) -> impl FnMut(&Event) -> Option<SessionReason> {
    move |e| match e {
        Event::SessionStatusChanged {
            session,
            status,
            reason,
            ..
        } if *session == call && *status == want => Some(reason.clone()),
        _ => None,
    }
}

/// The statuses `call` went through, in order.
fn statuses(log: &[Event], call: SessionId) -> Vec<SessionStatus> {
    log.iter()
        .filter_map(|e| match e {
            Event::SessionStatusChanged {
                session, status, ..
            } if *session == call => Some(*status),
            _ => None,
        })
        .collect()
}

/// Waits for SIPp off the runtime's threads.
async fn finish(sipp: SippRun) -> SippOutcome {
    tokio::task::spawn_blocking(move || sipp.wait(STEP))
        .await
        .unwrap()
}

/// We call SIPp, hold, retrieve and hang up through the tokio Phone; SIPp
/// (our registrar too) checks the SDP of each step.
async fn tokio_hold_call(scenario: &str, transport: TransportKind) {
    let Some(bin) = sipp_or_skip() else { return };
    // Register + call: two SIPp "calls".
    let sipp = Sipp::uas(bin, scenario)
        .transport(transport)
        .calls(2)
        .spawn()
        .unwrap();
    let (phone, mut events) = tokio_phone(false).await;
    let mut log = Vec::new();
    let c0 = ConnectionId(0);
    phone
        .add_connection(c0, conn("1001", sipp.addr(), transport))
        .await
        .unwrap();
    until(&mut events, &mut log, available(c0)).await;

    let call = phone.dial(c0, "2000").await.unwrap();
    until(&mut events, &mut log, reaches(call, SessionStatus::Connected)).await;
    phone.hold(call).await.unwrap();
    until(&mut events, &mut log, reaches(call, SessionStatus::Held)).await;
    phone.retrieve(call).await.unwrap();
    until(&mut events, &mut log, reaches(call, SessionStatus::Connected)).await;
    phone.hangup(call).await.unwrap();
    until(&mut events, &mut log, reaches(call, SessionStatus::Disconnected)).await;

    let outcome = finish(sipp).await;
    phone.shutdown().await;
    use SessionStatus::*;
    let seen: Vec<_> = statuses(&log, call)
        .into_iter()
        .filter(|s| !matches!(s, Dialing | Ringing))
        .collect();
    assert_eq!(seen, [Connected, Held, Connected, Disconnected], "{log:#?}");
    assert!(outcome.passed(2), "{outcome}");
}

#[tokio::test]
async fn tokio_hold_and_retrieve_over_udp() {
    tokio_hold_call("uas_hold.xml", TransportKind::Udp).await;
}
