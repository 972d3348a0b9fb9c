//! Calls through Kamailio (issue 6, the call half): both runtimes (tokio
//! and std), UDP and TCP, two Kamailio sites of the test's own run from
//! `tests/interop/kamailio.cfg`, and SIPp as the far end:
//!
//! - **fallback**: user 2000 is a SIPp UAS bound at site 2 (a SIPp client
//!   registers it, digest answered); site 1 stops, connection 0 turns
//!   Unavailable, and a dial on connection 0 goes out on connection 1
//!   (every session event names it, the first says Fallback from 0). It
//!   connects through the proxy (SIPp checks the Record-Route), holds
//!   (SIPp checks `a=sendonly`), retrieves (`a=sendrecv`) and hangs up;
//! - **incoming**: a SIPp client calls our DN 1002 at site 2, which
//!   challenges its INVITE (407) and relays it to our registration; it
//!   rings on connection 1, we answer, SIPp hangs up, the call ends
//!   Disconnected by the far end;
//! - **407**: our INVITE to 2000 at a site that challenges INVITEs is
//!   retried with credentials (the site counts two INVITEs before the
//!   re-INVITEs) and the call goes as in the first test.
//!
//! SIPp's scenarios (`tests/interop/sipp/register_uac.xml`,
//! `uas_proxied_hold.xml`, `uac_call_proxied.xml`) check what we send;
//! SIPp must exit 0 with one successful call and no failed one.
//!
//! Without the peers (`scripts/install-peers.sh`) the tests pass with a
//! note, except under `CI=true` where they fail.

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::time::{Duration, Instant};

use geosip_core::connection::{ConnectionConfig, ConnectionId, Secret};
use geosip_core::event::{ConnectionStatus, Event};
use geosip_core::io::TransportKind;
use geosip_core::session::{SessionId, SessionReason, SessionStatus};
use geosip_sim::interop::kamailio::{Kamailio, KamailioConfig};
use geosip_sim::interop::netns::Netns;
use geosip_sim::interop::{require_peers, Peer};
use geosip_sim::sipp::{sipp_or_skip, Sipp, SippRun};

#[path = "common/phones.rs"]
mod phones;
use phones::{phone, Runtime, Ua};

/// Keep-alive interval and probe timeout of the connections under test.
const KEEPALIVE: Duration = Duration::from_secs(1);
/// A dead site is noticed within keep-alive + probe timeout (+ slack).
const DETECT: Duration = Duration::from_secs(3);
/// The first registration.
const REGISTER: Duration = Duration::from_secs(5);
/// Any one call step.
const STEP: Duration = Duration::from_secs(5);
/// SIPp's user and password at the sites.
const SIPP_USER: &str = "2000";
const SIPP_PASSWORD: &str = "sipp2000";

fn loopback(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
}

/// A site on `ip` that knows users 1001, 1002 (ours) and 2000 (SIPp).
fn start_site(ip: IpAddr, invite_auth: bool) -> Kamailio {
    let mut cfg = KamailioConfig::new(ip);
    cfg.users.push((SIPP_USER.into(), SIPP_PASSWORD.into()));
    if invite_auth {
        cfg = cfg.with_invite_auth();
    }
    Kamailio::start(cfg).unwrap()
}

/// `user` (password `secret`) of realm geosip.test on `site`, with short
/// keep-alive and retry settings so the tests run in seconds.
fn conn_as(user: &str, site: &Kamailio, transport: TransportKind) -> ConnectionConfig {
    let mut c = ConnectionConfig::new(user, site.server(), transport);
    c.domain = Some(site.realm().into());
    c.password = Some(Secret::new("secret"));
    c.keepalive_interval = KEEPALIVE;
    c.probe_timeout = KEEPALIVE;
    c.retry_base = Duration::from_millis(500);
    c.retry_max = Duration::from_secs(2);
    c
}

/// Waits until connection `id` is `want`. Panics after `max`.
fn wait_status(ua: &mut dyn Ua, id: u32, want: ConnectionStatus, max: Duration) {
    let start = Instant::now();
    while ua.status(id) != Some(want) {
        assert!(
            start.elapsed() < max,
            "connection {id} not {want:?} within {max:?}: {:?}",
            ua.status(id)
        );
        let _ = ua.next_event(Duration::from_millis(20));
    }
}

/// Waits for an event `pick` picks, up to `max`; every event seen goes to
/// `log`.
fn wait_event<T>(
    ua: &mut dyn Ua,
    log: &mut Vec<Event>,
    max: Duration,
    mut pick: impl FnMut(&Event) -> Option<T>,
) -> T {
    let start = Instant::now();
    loop {
        let left = max.saturating_sub(start.elapsed());
        match ua.next_event(left) {
            Some(e) => {
                let t = pick(&e);
                log.push(e);
                if let Some(t) = t {
                    return t;
                }
            }
            None => panic!("no such event within {max:?}; seen: {log:#?}"),
        }
    }
}

/// Waits until `call` is `want`; the reason.
fn reach(
    ua: &mut dyn Ua,
    log: &mut Vec<Event>,
    call: SessionId,
    want: SessionStatus,
) -> SessionReason {
    wait_event(ua, log, STEP, |e| match e {
        Event::SessionStatusChanged {
            session,
            status,
            reason,
            ..
        } if *session == call && *status == want => Some(reason.clone()),
        _ => None,
    })
}

/// Every `(connection, status, reason)` of `call`'s session events, in
/// order.
fn session_events(
    log: &[Event],
    call: SessionId,
) -> Vec<(ConnectionId, SessionStatus, SessionReason)> {
    log.iter()
        .filter_map(|e| match e {
            Event::SessionStatusChanged {
                session,
                connection,
                status,
                reason,
                ..
            } if *session == call => Some((*connection, *status, reason.clone())),
            _ => None,
        })
        .collect()
}

/// Binds user 2000 at `site` to a SIPp UAS playing `uas_proxied_hold.xml`
/// (a SIPp client registers it, answering the 401); the UAS's run.
fn sipp_2000_at(bin: &Path, site: &Kamailio, transport: TransportKind) -> SippRun {
    let uas = Sipp::uas(bin, "uas_proxied_hold.xml")
        .transport(transport)
        .calls(1)
        .timeout(Duration::from_secs(30))
        .spawn()
        .unwrap();
    let reg = Sipp::uac(bin, "register_uac.xml", site.addr(), SIPP_USER)
        .transport(transport)
        .calls(1)
        .timeout(STEP)
        .arg("-au")
        .arg(SIPP_USER)
        .arg("-ap")
        .arg(SIPP_PASSWORD)
        .arg("-auth_uri")
        .arg(site.realm())
        .arg("-key")
        .arg("uas_port")
        .arg(uas.addr().port().to_string())
        .spawn()
        .unwrap();
    let outcome = reg.wait(STEP);
    assert!(outcome.passed(1), "register 2000: {outcome}");
    let aor = format!("{SIPP_USER}@{}", site.realm());
    assert!(site.has_contact(&aor), "{:?}", site.location());
    uas
}

/// The INVITEs a site has received so far.
fn invites(site: &Kamailio) -> u64 {
    site.statistic("rcv_requests_invite").unwrap()
}

/// The pause between one step of a call and the next. Kamailio's UDP
/// workers relay in parallel, so our ACK and the request right after it
/// (re-INVITE, BYE) can reach SIPp swapped; SIPp's scenario takes them
/// only in order and drops the call (the re-INVITE then ends it with 408
/// from Kamailio's fr_timer). An agent never holds within milliseconds.
const SETTLE: Duration = Duration::from_millis(150);

/// Connect, hold, retrieve, hang up `call` (SIPp checks each SDP); the
/// events seen.
fn hold_call(ua: &mut dyn Ua, call: SessionId) -> Vec<Event> {
    let mut log = Vec::new();
    reach(ua, &mut log, call, SessionStatus::Connected);
    std::thread::sleep(SETTLE);
    ua.hold(call);
    reach(ua, &mut log, call, SessionStatus::Held);
    std::thread::sleep(SETTLE);
    ua.retrieve(call);
    reach(ua, &mut log, call, SessionStatus::Connected);
    std::thread::sleep(SETTLE);
    ua.hangup(call);
    reach(ua, &mut log, call, SessionStatus::Disconnected);
    log
}

/// Every event of `call` names connection 1, and one says it moved there
/// from connection 0.
fn assert_fell_back_to_connection_1(log: &[Event], call: SessionId) {
    let events = session_events(log, call);
    assert!(
        events.iter().all(|(c, ..)| *c == ConnectionId(1)),
        "every session event must name connection 1: {events:?}"
    );
    assert!(
        events.iter().any(|(_, _, r)| matches!(
            r,
            SessionReason::Fallback {
                from: ConnectionId(0),
                ..
            }
        )),
        "one session event must say Fallback from connection 0: {events:?}"
    );
}

/// Site 1 stops; a dial on its connection falls back to connection 1 on
/// site 2, where SIPp (2000) answers, is held and retrieved.
fn fallback_to_sipp(runtime: Runtime, transport: TransportKind) {
    if !require_peers(&[Peer::Kamailio]) {
        return;
    }
    let Some(bin) = sipp_or_skip() else { return };
    let t0 = Instant::now();
    let mut site1 = start_site(loopback(1), false);
    let site2 = start_site(loopback(2), false);
    let ua = &mut *phone(runtime, loopback(1));
    ua.add(0, conn_as("1001", &site1, transport));
    ua.add(1, conn_as("1002", &site2, transport));
    let uas = sipp_2000_at(&bin, &site2, transport);
    wait_status(ua, 0, ConnectionStatus::Available, REGISTER);
    wait_status(ua, 1, ConnectionStatus::Available, REGISTER);

    site1.stop();
    wait_status(ua, 0, ConnectionStatus::Unavailable, DETECT);
    let before = invites(&site2);
    let call = ua.dial(0, SIPP_USER);
    let log = hold_call(ua, call);

    assert_fell_back_to_connection_1(&log, call);
    let outcome = uas.wait(STEP);
    assert!(outcome.passed(1), "{outcome}");
    // The INVITE and the two re-INVITEs all passed site 2.
    assert_eq!(invites(&site2) - before, 3);
    eprintln!(
        "{runtime:?}/{transport}: fallback call in {:?}",
        t0.elapsed()
    );
}

/// The same story when site 1 is not stopped but cut off silently, as a
/// real WAN outage is: it runs in a network namespace of the test's own,
/// and an nftables rule drops everything (no answer, not even ICMP).
fn fallback_to_sipp_after_silent_cut(runtime: Runtime, transport: TransportKind) {
    if !require_peers(&[Peer::Kamailio, Peer::Netns]) {
        return;
    }
    let Some(bin) = sipp_or_skip() else { return };
    let t0 = Instant::now();
    let ns = Netns::create().unwrap();
    let mut far = KamailioConfig::in_netns(ns.name(), ns.ns_ip());
    far.users.push((SIPP_USER.into(), SIPP_PASSWORD.into()));
    let site1 = Kamailio::start(far).unwrap();
    let site2 = start_site(loopback(2), false);
    let ua = &mut *phone(runtime, ns.host_ip());
    ua.add(0, conn_as("1001", &site1, transport));
    ua.add(1, conn_as("1002", &site2, transport));
    let uas = sipp_2000_at(&bin, &site2, transport);
    wait_status(ua, 0, ConnectionStatus::Available, REGISTER);
    wait_status(ua, 1, ConnectionStatus::Available, REGISTER);

    ns.cut().unwrap();
    wait_status(ua, 0, ConnectionStatus::Unavailable, DETECT);
    let call = ua.dial(0, SIPP_USER);
    let log = hold_call(ua, call);
    assert_fell_back_to_connection_1(&log, call);
    let outcome = uas.wait(STEP);
    assert!(outcome.passed(1), "{outcome}");
    ns.mend().unwrap();
    wait_status(ua, 0, ConnectionStatus::Available, REGISTER);
    eprintln!(
        "{runtime:?}/{transport}: fallback after a silent cut in {:?}",
        t0.elapsed()
    );
}

/// Our INVITE to 2000 is challenged (407) by the site, retried with
/// credentials, and the call goes through to SIPp.
fn invite_407_to_sipp(runtime: Runtime, transport: TransportKind) {
    if !require_peers(&[Peer::Kamailio]) {
        return;
    }
    let Some(bin) = sipp_or_skip() else { return };
    let t0 = Instant::now();
    let site = start_site(loopback(2), true);
    let ua = &mut *phone(runtime, loopback(1));
    ua.add(1, conn_as("1002", &site, transport));
    let uas = sipp_2000_at(&bin, &site, transport);
    wait_status(ua, 1, ConnectionStatus::Available, REGISTER);

    let before = invites(&site);
    let call = ua.dial(1, SIPP_USER);
    let log = hold_call(ua, call);
    let events = session_events(&log, call);
    assert!(
        events.iter().all(|(c, ..)| *c == ConnectionId(1)),
        "{events:?}"
    );
    let outcome = uas.wait(STEP);
    assert!(outcome.passed(1), "{outcome}");
    // Challenged and retried, then the two re-INVITEs (in-dialog: not
    // challenged).
    assert_eq!(invites(&site) - before, 4);
    eprintln!("{runtime:?}/{transport}: 407 call in {:?}", t0.elapsed());
}

/// SIPp calls our DN 1002 at site 2 (its INVITE challenged with 407); the
/// call rings on connection 1, we answer, SIPp hangs up.
fn sipp_calls_us(runtime: Runtime, transport: TransportKind) {
    if !require_peers(&[Peer::Kamailio]) {
        return;
    }
    let Some(bin) = sipp_or_skip() else { return };
    let t0 = Instant::now();
    let site1 = start_site(loopback(1), false);
    let site2 = start_site(loopback(2), true);
    let ua = &mut *phone(runtime, loopback(1));
    ua.add(0, conn_as("1001", &site1, transport));
    ua.add(1, conn_as("1002", &site2, transport));
    wait_status(ua, 0, ConnectionStatus::Available, REGISTER);
    wait_status(ua, 1, ConnectionStatus::Available, REGISTER);
    assert!(
        site2.has_contact("1002@geosip.test"),
        "{:?}",
        site2.location()
    );

    let uac = Sipp::uac(&bin, "uac_call_proxied.xml", site2.addr(), "1002")
        .transport(transport)
        .calls(1)
        .timeout(Duration::from_secs(15))
        .arg("-au")
        .arg(SIPP_USER)
        .arg("-ap")
        .arg(SIPP_PASSWORD)
        .arg("-auth_uri")
        .arg(format!("1002@{}", site2.realm()))
        .spawn()
        .unwrap();
    let mut log = Vec::new();
    let (call, on) = wait_event(ua, &mut log, STEP, |e| match e {
        Event::IncomingCall {
            session,
            connection,
            ..
        } => Some((*session, *connection)),
        _ => None,
    });
    assert_eq!(on, ConnectionId(1), "the call is for 1002 at site 2");
    ua.answer(call);
    reach(ua, &mut log, call, SessionStatus::Connected);
    let reason = reach(ua, &mut log, call, SessionStatus::Disconnected);
    assert_eq!(reason, SessionReason::Remote);
    let events = session_events(&log, call);
    assert!(
        events.iter().all(|(c, ..)| *c == ConnectionId(1)),
        "{events:?}"
    );
    let outcome = uac.wait(STEP);
    assert!(outcome.passed(1), "{outcome}");
    eprintln!(
        "{runtime:?}/{transport}: incoming call in {:?}",
        t0.elapsed()
    );
}

/// One `#[test]` per runtime and transport for each scenario.
macro_rules! tests {
    ($($name:ident: $scenario:ident($runtime:ident, $transport:ident);)*) => {$(
        #[test]
        fn $name() {
            $scenario(Runtime::$runtime, TransportKind::$transport);
        }
    )*};
}

tests! {
    tokio_udp_fallback_to_sipp: fallback_to_sipp(Tokio, Udp);
    tokio_tcp_fallback_to_sipp: fallback_to_sipp(Tokio, Tcp);
    std_udp_fallback_to_sipp: fallback_to_sipp(Std, Udp);
    std_tcp_fallback_to_sipp: fallback_to_sipp(Std, Tcp);
    tokio_udp_sipp_calls_us: sipp_calls_us(Tokio, Udp);
    tokio_tcp_sipp_calls_us: sipp_calls_us(Tokio, Tcp);
    std_udp_sipp_calls_us: sipp_calls_us(Std, Udp);
    std_tcp_sipp_calls_us: sipp_calls_us(Std, Tcp);
    tokio_udp_invite_407_to_sipp: invite_407_to_sipp(Tokio, Udp);
    tokio_tcp_invite_407_to_sipp: invite_407_to_sipp(Tokio, Tcp);
    std_udp_invite_407_to_sipp: invite_407_to_sipp(Std, Udp);
    std_tcp_invite_407_to_sipp: invite_407_to_sipp(Std, Tcp);
    tokio_udp_fallback_after_silent_cut: fallback_to_sipp_after_silent_cut(Tokio, Udp);
    std_tcp_fallback_after_silent_cut: fallback_to_sipp_after_silent_cut(Std, Tcp);
}
