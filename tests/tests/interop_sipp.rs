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

use geosip_core::auth::DigestAlgorithm;
use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
use geosip_core::event::{ConnectionStatus, Event};
use geosip_core::io::TransportKind;
use geosip_core::session::{SessionId, SessionReason, SessionStatus};
use geosip_sim::live::LiveSite;
use geosip_sim::sipp::{sipp_or_skip, Sipp, SippOutcome, SippRun};
use geosip_sim::SiteConfig;
use geosip_tokio::{Events, Phone, PhoneConfig, StreamExt};

#[path = "interop_sipp/std_phone.rs"]
mod std_phone;

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
    until(
        &mut events,
        &mut log,
        reaches(call, SessionStatus::Connected),
    )
    .await;
    phone.hold(call).await.unwrap();
    until(&mut events, &mut log, reaches(call, SessionStatus::Held)).await;
    phone.retrieve(call).await.unwrap();
    until(
        &mut events,
        &mut log,
        reaches(call, SessionStatus::Connected),
    )
    .await;
    phone.hangup(call).await.unwrap();
    until(
        &mut events,
        &mut log,
        reaches(call, SessionStatus::Disconnected),
    )
    .await;

    let outcome = finish(sipp).await;
    phone.shutdown().await;
    use SessionStatus::*;
    let seen: Vec<_> = statuses(&log, call)
        .into_iter()
        .filter(|s| !matches!(s, Dialing | Ringing))
        .collect();
    assert_eq!(seen, [Connected, Held, Connected, Disconnected], "{log:#?}");
    assert!(outcome.passed(2), "{outcome}");
    assert!(outcome.messages.contains(over(transport)), "{outcome}");
}

/// How SIPp's message log names the transport.
fn over(transport: TransportKind) -> &'static str {
    match transport {
        TransportKind::Tcp => "TCP message received",
        _ => "UDP message received",
    }
}

#[tokio::test]
async fn tokio_hold_and_retrieve_over_udp() {
    tokio_hold_call("uas_hold.xml", TransportKind::Udp).await;
}

/// SIPp answers our first INVITE with a digest challenge (407 in
/// `uas_auth.xml`, 401 in `uas_auth401.xml`) and checks the retry's
/// credentials; we use `password` (SIPp's is "secret"). Returns the
/// statuses of our call, the reason of its last one and what SIPp said.
async fn tokio_auth_call(
    scenario: &str,
    transport: TransportKind,
    password: &str,
) -> Option<(Vec<SessionStatus>, SessionReason, SippOutcome)> {
    let bin = sipp_or_skip()?;
    let sipp = Sipp::uas(bin, scenario)
        .transport(transport)
        .calls(2)
        .spawn()
        .unwrap();
    let (phone, mut events) = tokio_phone(false).await;
    let mut log = Vec::new();
    let c0 = ConnectionId(0);
    let mut cfg = conn("1001", sipp.addr(), transport);
    cfg.password = Some(Secret::new(password));
    phone.add_connection(c0, cfg).await.unwrap();
    until(&mut events, &mut log, available(c0)).await;

    let call = phone.dial(c0, "2000").await.unwrap();
    until(&mut events, &mut log, |e| match e {
        Event::SessionStatusChanged {
            session,
            status: SessionStatus::Connected | SessionStatus::Disconnected,
            ..
        } if *session == call => Some(()),
        _ => None,
    })
    .await;
    if phone.hangup(call).await.is_ok() {
        until(
            &mut events,
            &mut log,
            reaches(call, SessionStatus::Disconnected),
        )
        .await;
    }
    let outcome = finish(sipp).await;
    phone.shutdown().await;
    let last = log
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::SessionStatusChanged {
                session, reason, ..
            } if *session == call => Some(reason.clone()),
            _ => None,
        })
        .unwrap();
    Some((statuses(&log, call), last, outcome))
}

/// The value of `name` in the `header` of the last request SIPp received
/// that has it, from its message log.
fn auth_params(messages: &str, header: &str) -> std::collections::HashMap<String, String> {
    let line = messages
        .lines()
        .filter_map(|l| l.strip_prefix(header))
        .next_back()
        .unwrap_or_else(|| panic!("no {header} in\n{messages}"));
    let digest = line.trim().strip_prefix("Digest ").unwrap();
    digest
        .split(',')
        .filter_map(|kv| kv.trim().split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('"').to_owned()))
        .collect()
}

/// RFC 2617 §3.2.2 with qop=auth, written out here rather than taken
/// from geosip (only the MD5 primitive is).
fn expected_response(p: &std::collections::HashMap<String, String>, password: &str) -> String {
    let md5 = |s: String| DigestAlgorithm::Md5.hash_hex(s.as_bytes());
    let ha1 = md5(format!("{}:{}:{password}", p["username"], p["realm"]));
    let ha2 = md5(format!("INVITE:{}", p["uri"]));
    md5(format!(
        "{ha1}:{}:{}:{}:{}:{ha2}",
        p["nonce"], p["nc"], p["cnonce"], p["qop"]
    ))
}

async fn proxy_challenge(transport: TransportKind) {
    let Some((seen, _, outcome)) = tokio_auth_call("uas_auth.xml", transport, "secret").await
    else {
        return;
    };
    assert!(
        seen.contains(&SessionStatus::Connected),
        "{seen:?}\n{outcome}"
    );
    assert_eq!(seen.last(), Some(&SessionStatus::Disconnected));
    assert!(outcome.passed(2), "{outcome}");
    let p = auth_params(&outcome.messages, "Proxy-Authorization:");
    assert_eq!(p["response"], expected_response(&p, "secret"), "{p:?}");
}

#[tokio::test]
async fn tokio_answers_a_proxy_challenge_over_udp() {
    proxy_challenge(TransportKind::Udp).await;
}

/// SIPp itself verifies the digest (verifyauth) of a 401 retry.
#[tokio::test]
async fn sipp_verifies_our_digest() {
    let Some((seen, _, outcome)) =
        tokio_auth_call("uas_auth401.xml", TransportKind::Udp, "secret").await
    else {
        return;
    };
    assert!(
        seen.contains(&SessionStatus::Connected),
        "{seen:?}\n{outcome}"
    );
    assert!(outcome.passed(2), "{outcome}");
}

/// The negative control: SIPp's verifyauth really checks the digest.
#[tokio::test]
async fn sipp_refuses_a_wrong_password() {
    let Some((seen, reason, outcome)) =
        tokio_auth_call("uas_auth401.xml", TransportKind::Udp, "wrong").await
    else {
        return;
    };
    assert!(!seen.contains(&SessionStatus::Connected), "{seen:?}");
    assert!(
        matches!(reason, SessionReason::SipError { code: 403, .. }),
        "{reason:?}"
    );
    assert_eq!(outcome.exit_code, Some(1), "{outcome}");
    // The REGISTER passed; the call did not.
    assert_eq!((outcome.stats.successful(), outcome.stats.failed()), (1, 1));
}

#[tokio::test]
async fn tokio_hold_and_retrieve_over_tcp() {
    tokio_hold_call("uas_hold.xml", TransportKind::Tcp).await;
}

#[tokio::test]
async fn tokio_answers_a_proxy_challenge_over_tcp() {
    proxy_challenge(TransportKind::Tcp).await;
}

/// SIPp calls the phone's UDP address directly; the phone has two
/// connections (to a LiveSite on another loopback address, so SIPp is not
/// "our site") and the Request-URI user 1002 must pick the second. We
/// answer; SIPp hangs up.
#[tokio::test]
async fn tokio_takes_a_direct_call_on_the_right_connection() {
    let Some(bin) = sipp_or_skip() else { return };
    let site = LiveSite::start(
        SiteConfig::new("live.test")
            .user("1001", "secret")
            .user("1002", "secret"),
        "127.0.0.2".parse().unwrap(),
        0,
    )
    .unwrap();
    let (phone, mut events) = tokio_phone(true).await;
    let mut log = Vec::new();
    for (id, user) in [(0, "1001"), (1, "1002")] {
        let c = ConnectionId(id);
        let cfg = conn(user, site.addr(), TransportKind::Udp);
        phone.add_connection(c, cfg).await.unwrap();
        until(&mut events, &mut log, available(c)).await;
    }
    let sipp = Sipp::uac(bin, "uac_call.xml", phone.local_udp(), "1002")
        .spawn()
        .unwrap();
    let (call, on) = until(&mut events, &mut log, |e| match e {
        Event::IncomingCall {
            session,
            connection,
            ..
        } => Some((*session, *connection)),
        _ => None,
    })
    .await;
    assert_eq!(on, ConnectionId(1));
    phone.answer(call).await.unwrap();
    until(
        &mut events,
        &mut log,
        reaches(call, SessionStatus::Connected),
    )
    .await;
    let why = until(
        &mut events,
        &mut log,
        reaches(call, SessionStatus::Disconnected),
    )
    .await;
    assert_eq!(why, SessionReason::Remote);
    let outcome = finish(sipp).await;
    phone.shutdown().await;
    assert!(outcome.passed(1), "{outcome}");
}

/// The runner's bounds: a SIPp that waits for a call that never comes is
/// killed by `wait`'s deadline, and its folder goes with it.
#[test]
fn a_waiting_sipp_is_killed_at_the_deadline() {
    let Some(bin) = sipp_or_skip() else { return };
    let sipp = Sipp::uas(bin, "uas_hold.xml").spawn().unwrap();
    let pid = sipp.pid().unwrap();
    let dir = sipp.dir().to_owned();
    let outcome = sipp.wait(Duration::from_millis(200));
    assert_eq!(outcome.exit_code, None, "{outcome}");
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
    if std::env::var_os("GEOSIP_KEEP_SIPP").is_none() {
        assert!(!dir.exists());
    }
}
