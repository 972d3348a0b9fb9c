//! The seed's call stories in the simulator, against the real endpoint:
//! outbound calls with site fallback, inbound calls per connection, call
//! waiting, hold both ways, 491 glare, challenges, third-party call
//! control, and why calls end.

use std::time::Duration;

use geosip_core::connection::ConnectionId;
use geosip_core::event::Event;
use geosip_core::io::TransportKind;
use geosip_core::session::{SessionId, SessionReason, SessionStatus};
use geosip_sim::scenario::{is_available, two_sites, until_both_available, TwoSites};
use geosip_sim::site::{CallDirection, CallState, FarEnd, Party, SdpDirection, SiteCallOptions};
use geosip_sim::Sim;

const SETTLE: Duration = Duration::from_secs(10);

fn setup(seed: u64, transport: TransportKind) -> (Sim, TwoSites) {
    let mut sim = Sim::new(seed);
    let s = two_sites(&mut sim, transport);
    until_both_available(&mut sim, &s, SETTLE);
    (sim, s)
}

/// Every status change of a session: (connection, status, reason).
fn history(sim: &Sim, sid: SessionId) -> Vec<(ConnectionId, SessionStatus, SessionReason)> {
    sim.events()
        .iter()
        .filter_map(|r| match &r.event {
            Event::SessionStatusChanged {
                session,
                connection,
                status,
                reason,
                ..
            } if *session == sid => Some((*connection, *status, reason.clone())),
            _ => None,
        })
        .collect()
}

fn status(sim: &Sim, sid: SessionId) -> Option<SessionStatus> {
    history(sim, sid).last().map(|h| h.1)
}

fn run_until_status(sim: &mut Sim, sid: SessionId, want: SessionStatus, max: Duration) -> bool {
    sim.run_until(|sim| status(sim, sid) == Some(want), max)
}

/// Dials `dest` from `conn` and runs until the call is Connected (the
/// far ends answer after their 1 s ring).
fn connected_call(sim: &mut Sim, conn: ConnectionId, dest: &str) -> SessionId {
    let sid = sim.command(|ep, now| ep.dial(now, conn, dest)).unwrap();
    assert!(
        run_until_status(sim, sid, SessionStatus::Connected, Duration::from_secs(3)),
        "call {sid} to {dest} did not connect"
    );
    sid
}

fn incoming(sim: &Sim) -> Option<(SessionId, ConnectionId)> {
    sim.events().iter().rev().find_map(|r| match &r.event {
        Event::IncomingCall {
            session,
            connection,
            ..
        } => Some((*session, *connection)),
        _ => None,
    })
}

fn outbound_call_with_hold_and_retrieve(transport: TransportKind) {
    let (mut sim, s) = setup(11, transport);
    let sid = connected_call(&mut sim, s.conns[0], "2000");
    let h = history(&sim, sid);
    assert_eq!(
        h.iter().map(|x| x.1).collect::<Vec<_>>(),
        [
            SessionStatus::Dialing,
            SessionStatus::Ringing,
            SessionStatus::Connected
        ]
    );
    assert!(
        h.iter().all(|x| x.0 == s.conns[0]),
        "every event names connection 1: {h:?}"
    );
    let call = sim.site(s.sites[0]).last_call().unwrap().clone();
    assert_eq!(call.direction, CallDirection::FromEndpoint);
    assert_eq!(call.user, "2000");
    assert_eq!(call.state, CallState::Connected);
    assert_eq!(call.endpoint_sdp, Some(SdpDirection::SendRecv));
    assert!(sim.site(s.sites[1]).calls().is_empty());

    sim.command(|ep, now| ep.hold(now, sid)).unwrap();
    assert!(run_until_status(
        &mut sim,
        sid,
        SessionStatus::Held,
        Duration::from_secs(1)
    ));
    let call = sim.site(s.sites[0]).last_call().unwrap().clone();
    assert_eq!(call.endpoint_sdp, Some(SdpDirection::SendOnly));
    assert_eq!(call.codes("INVITE").last(), Some(&Some(200)));

    sim.command(|ep, now| ep.retrieve(now, sid)).unwrap();
    assert!(run_until_status(
        &mut sim,
        sid,
        SessionStatus::Connected,
        Duration::from_secs(1)
    ));
    assert_eq!(
        sim.site(s.sites[0]).last_call().unwrap().endpoint_sdp,
        Some(SdpDirection::SendRecv)
    );

    sim.command(|ep, now| ep.hangup(now, sid)).unwrap();
    sim.run_for(Duration::from_secs(1));
    let call = sim.site(s.sites[0]).last_call().unwrap().clone();
    assert_eq!(
        call.state,
        CallState::Ended {
            code: None,
            by: Party::Endpoint
        }
    );
    assert_eq!(call.codes("BYE"), [Some(200)]);
    assert!(call.route_ok, "in-dialog requests follow the Record-Route");
    assert_eq!(
        history(&sim, sid).last().unwrap(),
        &(
            s.conns[0],
            SessionStatus::Disconnected,
            SessionReason::Local
        )
    );
    assert!(sim.endpoint().sessions().is_empty());
}

#[test]
fn outbound_call_with_hold_and_retrieve_over_udp() {
    outbound_call_with_hold_and_retrieve(TransportKind::Udp);
}

#[test]
fn outbound_call_with_hold_and_retrieve_over_tcp() {
    outbound_call_with_hold_and_retrieve(TransportKind::Tcp);
}

#[test]
fn dial_on_a_down_site_goes_out_through_the_other_at_once() {
    let (mut sim, s) = setup(12, TransportKind::Udp);
    sim.cut_site(s.sites[0]);
    assert!(sim.run_until(
        |sim| !is_available(sim, s.conns[0]),
        Duration::from_secs(10)
    ));
    let t = sim.now();
    let sid = sim
        .command(|ep, now| ep.dial(now, s.conns[0], "2000"))
        .unwrap();
    let h = history(&sim, sid);
    assert_eq!(
        h[0],
        (
            s.conns[1],
            SessionStatus::Dialing,
            SessionReason::Fallback {
                from: s.conns[0],
                code: 503
            }
        )
    );
    assert!(run_until_status(
        &mut sim,
        sid,
        SessionStatus::Connected,
        Duration::from_secs(3)
    ));
    assert!(
        sim.now() - t <= Duration::from_millis(1100),
        "answered after the 1 s ring"
    );
    assert!(history(&sim, sid).iter().all(|x| x.0 == s.conns[1]));
    assert_eq!(
        sim.site(s.sites[1]).last_call().unwrap().state,
        CallState::Connected
    );
    assert!(sim.site(s.sites[0]).calls().is_empty());
}

#[test]
fn dial_on_a_disabled_or_removed_connection_uses_another() {
    let (mut sim, s) = setup(13, TransportKind::Udp);
    sim.disable_connection(s.conns[1]).unwrap();
    let a = sim
        .command(|ep, now| ep.dial(now, s.conns[1], "2000"))
        .unwrap();
    assert_eq!(history(&sim, a)[0].0, s.conns[0]);
    sim.remove_connection(s.conns[1]).unwrap();
    let b = sim
        .command(|ep, now| ep.dial(now, s.conns[1], "2001"))
        .unwrap();
    assert_eq!(history(&sim, b)[0].0, s.conns[0]);
    sim.run_for(Duration::from_secs(2));
    assert_eq!(sim.site(s.sites[0]).calls().len(), 2);
}

#[test]
fn an_invite_nobody_answers_moves_once_to_the_other_site() {
    let (mut sim, s) = setup(14, TransportKind::Udp);
    // Site 1 stays up (keep-alives answered) but its far end never answers:
    // Timer B (64·T1 = 32 s) ends the INVITE with 408.
    sim.site_mut(s.sites[0]).config_mut().far_end_default = FarEnd::Silent;
    let t = sim.now();
    let sid = sim
        .command(|ep, now| ep.dial(now, s.conns[0], "2000"))
        .unwrap();
    assert!(run_until_status(
        &mut sim,
        sid,
        SessionStatus::Connected,
        Duration::from_secs(40)
    ));
    let moved = history(&sim, sid)
        .into_iter()
        .position(|x| matches!(x.2, SessionReason::Fallback { .. }))
        .expect("a fallback");
    let h = history(&sim, sid);
    assert_eq!(
        h[moved],
        (
            s.conns[1],
            SessionStatus::Dialing,
            SessionReason::Fallback {
                from: s.conns[0],
                code: 408
            }
        )
    );
    let took = sim.now() - t;
    assert!(
        took >= Duration::from_secs(32) && took <= Duration::from_secs(34),
        "{took:?}"
    );
    // A new dialog on site 2.
    let first = sim.site(s.sites[0]).last_call().unwrap().call_id.clone();
    let second = sim.site(s.sites[1]).last_call().unwrap().call_id.clone();
    assert_ne!(first, second);
    assert!(
        is_available(&sim, s.conns[0]),
        "the site answers keep-alives"
    );
}

#[test]
fn a_silently_dead_site_is_left_as_soon_as_it_is_found_down() {
    let (mut sim, s) = setup(15, TransportKind::Udp);
    // Cut off, not yet noticed: the dial goes to site 1 and gets nothing.
    sim.cut_site(s.sites[0]);
    let t = sim.now();
    let sid = sim
        .command(|ep, now| ep.dial(now, s.conns[0], "2000"))
        .unwrap();
    assert_eq!(history(&sim, sid)[0].0, s.conns[0]);
    assert!(run_until_status(
        &mut sim,
        sid,
        SessionStatus::Connected,
        Duration::from_secs(40)
    ));
    let h = history(&sim, sid);
    assert!(
        h.contains(&(
            s.conns[1],
            SessionStatus::Dialing,
            SessionReason::Fallback {
                from: s.conns[0],
                code: 503
            }
        )),
        "{h:?}"
    );
    // The keep-alive notices the dead site within 9 s, long before Timer B.
    assert!(
        sim.now() - t <= Duration::from_secs(11),
        "{:?}",
        sim.now() - t
    );
}

#[test]
fn with_no_site_left_the_call_ends_408() {
    let (mut sim, s) = setup(16, TransportKind::Udp);
    sim.site_mut(s.sites[0]).config_mut().far_end_default = FarEnd::Silent;
    sim.site_mut(s.sites[1]).config_mut().far_end_default = FarEnd::Silent;
    let sid = sim
        .command(|ep, now| ep.dial(now, s.conns[0], "2000"))
        .unwrap();
    assert!(run_until_status(
        &mut sim,
        sid,
        SessionStatus::Disconnected,
        Duration::from_secs(70)
    ));
    let last = history(&sim, sid).pop().unwrap();
    assert_eq!(last.1, SessionStatus::Disconnected);
    assert_eq!(last.2.code(), Some(408), "{last:?}");
    // Moved once, not twice.
    let moves = history(&sim, sid)
        .iter()
        .filter(|x| matches!(x.2, SessionReason::Fallback { .. }))
        .count();
    assert_eq!(moves, 1);

    // Both sites down: nothing can carry a call.
    sim.cut_site(s.sites[0]);
    sim.cut_site(s.sites[1]);
    assert!(sim.run_until(
        |sim| !is_available(sim, s.conns[0]) && !is_available(sim, s.conns[1]),
        Duration::from_secs(15)
    ));
    let none = sim
        .command(|ep, now| ep.dial(now, s.conns[0], "2000"))
        .unwrap();
    assert_eq!(
        history(&sim, none),
        [(
            s.conns[0],
            SessionStatus::Disconnected,
            SessionReason::NoConnection
        )]
    );
}

#[test]
fn an_inbound_call_is_taken_on_its_connection_and_a_second_one_rings() {
    let (mut sim, s) = setup(17, TransportKind::Udp);
    let out = connected_call(&mut sim, s.conns[0], "2000");
    // Site 2 calls user 1002: connection 2 rings while call 1 talks.
    let call = sim
        .site_command(s.sites[1], |site, now| {
            site.call_user(now, "1002", SiteCallOptions::default())
        })
        .unwrap();
    assert!(sim.run_until(|sim| incoming(sim).is_some(), Duration::from_secs(1)));
    let (sid, conn) = incoming(&sim).unwrap();
    assert_eq!(conn, s.conns[1]);
    assert_eq!(
        history(&sim, sid),
        [(s.conns[1], SessionStatus::Ringing, SessionReason::Remote)]
    );
    sim.run_for(Duration::from_millis(100));
    assert_eq!(
        sim.site(s.sites[1]).call(call).unwrap().state,
        CallState::Ringing
    );
    assert_eq!(status(&sim, out), Some(SessionStatus::Connected));
    // Answering it puts the first on hold.
    sim.command(|ep, now| ep.answer(now, sid)).unwrap();
    assert!(run_until_status(
        &mut sim,
        out,
        SessionStatus::Held,
        Duration::from_secs(1)
    ));
    assert_eq!(status(&sim, sid), Some(SessionStatus::Connected));
    assert_eq!(
        sim.site(s.sites[0]).last_call().unwrap().endpoint_sdp,
        Some(SdpDirection::SendOnly)
    );
    sim.run_for(Duration::from_secs(1));
    let placed = sim.site(s.sites[1]).call(call).unwrap().clone();
    assert_eq!(placed.state, CallState::Connected);
    assert_eq!(placed.codes("INVITE"), [Some(180), Some(200)]);
    // The caller hangs up.
    sim.site_command(s.sites[1], |site, now| site.site_hangup(now, call))
        .unwrap();
    assert!(run_until_status(
        &mut sim,
        sid,
        SessionStatus::Disconnected,
        Duration::from_secs(1)
    ));
    assert_eq!(history(&sim, sid).last().unwrap().2, SessionReason::Remote);
    // Dialing again holds nothing new (call 1 is held already) and works.
    connected_call(&mut sim, s.conns[1], "3000");
    assert_eq!(status(&sim, out), Some(SessionStatus::Held));
}

#[test]
fn dialing_holds_the_calls_that_talk() {
    let (mut sim, s) = setup(18, TransportKind::Udp);
    let a = connected_call(&mut sim, s.conns[0], "2000");
    connected_call(&mut sim, s.conns[1], "2001");
    assert_eq!(status(&sim, a), Some(SessionStatus::Held));
    let list = sim.endpoint().sessions();
    assert_eq!(list.len(), 2);
    assert_eq!(
        (list[0].connection, list[0].status),
        (s.conns[0], SessionStatus::Held)
    );
    assert_eq!(
        (list[1].connection, list[1].status),
        (s.conns[1], SessionStatus::Connected)
    );
}

#[test]
fn the_site_drives_the_phone_in_third_party_call_control() {
    let (mut sim, s) = setup(19, TransportKind::Tcp);
    let opts = SiteCallOptions {
        answer_after: Some(1),
        ..Default::default()
    };
    let call = sim
        .site_command(s.sites[0], |site, now| site.call_user(now, "1001", opts))
        .unwrap();
    assert!(sim.run_until(|sim| incoming(sim).is_some(), Duration::from_secs(1)));
    let (sid, conn) = incoming(&sim).unwrap();
    assert_eq!(conn, s.conns[0]);
    assert!(run_until_status(
        &mut sim,
        sid,
        SessionStatus::Connected,
        Duration::from_secs(2)
    ));
    assert_eq!(history(&sim, sid).last().unwrap().2, SessionReason::Site);
    sim.run_for(Duration::from_millis(100));
    assert_eq!(
        sim.site(s.sites[0]).call(call).unwrap().state,
        CallState::Connected
    );

    sim.site_command(s.sites[0], |site, now| site.site_notify(now, call, "hold"))
        .unwrap();
    assert!(run_until_status(
        &mut sim,
        sid,
        SessionStatus::Held,
        Duration::from_secs(1)
    ));
    assert_eq!(history(&sim, sid).last().unwrap().2, SessionReason::Site);
    sim.site_command(s.sites[0], |site, now| site.site_notify(now, call, "talk"))
        .unwrap();
    assert!(run_until_status(
        &mut sim,
        sid,
        SessionStatus::Connected,
        Duration::from_secs(1)
    ));
    sim.site_command(s.sites[0], |site, now| site.site_notify(now, call, "bogus"))
        .unwrap();
    sim.run_for(Duration::from_millis(100));
    let placed = sim.site(s.sites[0]).call(call).unwrap().clone();
    assert_eq!(placed.codes("NOTIFY"), [Some(200), Some(200), Some(489)]);
    assert_eq!(status(&sim, sid), Some(SessionStatus::Connected));
}

#[test]
fn alert_info_auto_answers_at_once_unless_turned_off() {
    let (mut sim, s) = setup(20, TransportKind::Udp);
    let opts = SiteCallOptions {
        alert_info_auto_answer: true,
        ..Default::default()
    };
    sim.site_command(s.sites[1], |site, now| site.call_user(now, "1002", opts))
        .unwrap();
    assert!(sim.run_until(|sim| incoming(sim).is_some(), Duration::from_secs(1)));
    let (sid, _) = incoming(&sim).unwrap();
    assert!(run_until_status(
        &mut sim,
        sid,
        SessionStatus::Connected,
        Duration::from_millis(100)
    ));

    let off = geosip_core::endpoint::EndpointConfig {
        auto_answer: false,
        ..Default::default()
    };
    let mut sim = Sim::with_config(20, off, Default::default());
    let s = two_sites(&mut sim, TransportKind::Udp);
    until_both_available(&mut sim, &s, SETTLE);
    let opts = SiteCallOptions {
        answer_after: Some(0),
        ..Default::default()
    };
    sim.site_command(s.sites[1], |site, now| site.call_user(now, "1002", opts))
        .unwrap();
    sim.run_for(Duration::from_secs(5));
    let (sid, _) = incoming(&sim).unwrap();
    assert_eq!(status(&sim, sid), Some(SessionStatus::Ringing));
}

#[test]
fn the_far_end_holds_and_retrieves_us() {
    let (mut sim, s) = setup(21, TransportKind::Udp);
    let call = sim
        .site_command(s.sites[0], |site, now| {
            site.call_user(now, "1001", SiteCallOptions::default())
        })
        .unwrap();
    assert!(sim.run_until(|sim| incoming(sim).is_some(), Duration::from_secs(1)));
    let (sid, _) = incoming(&sim).unwrap();
    sim.command(|ep, now| ep.answer(now, sid)).unwrap();
    sim.run_for(Duration::from_millis(200));
    sim.site_command(s.sites[0], |site, now| {
        site.site_reinvite(now, call, SdpDirection::SendOnly)
    })
    .unwrap();
    assert!(run_until_status(
        &mut sim,
        sid,
        SessionStatus::RemoteHeld,
        Duration::from_secs(1)
    ));
    assert_eq!(history(&sim, sid).last().unwrap().2, SessionReason::Remote);
    sim.run_for(Duration::from_millis(100));
    let placed = sim.site(s.sites[0]).call(call).unwrap().clone();
    assert_eq!(
        placed.endpoint_sdp,
        Some(SdpDirection::RecvOnly),
        "RFC 3264 §8.4 answer"
    );
    // We hold too: inactive.
    sim.command(|ep, now| ep.hold(now, sid)).unwrap();
    assert!(run_until_status(
        &mut sim,
        sid,
        SessionStatus::Held,
        Duration::from_secs(1)
    ));
    sim.run_for(Duration::from_millis(100));
    assert_eq!(
        sim.site(s.sites[0]).call(call).unwrap().endpoint_sdp,
        Some(SdpDirection::Inactive)
    );
    sim.command(|ep, now| ep.retrieve(now, sid)).unwrap();
    assert!(run_until_status(
        &mut sim,
        sid,
        SessionStatus::RemoteHeld,
        Duration::from_secs(1)
    ));
    sim.site_command(s.sites[0], |site, now| {
        site.site_reinvite(now, call, SdpDirection::SendRecv)
    })
    .unwrap();
    assert!(run_until_status(
        &mut sim,
        sid,
        SessionStatus::Connected,
        Duration::from_secs(1)
    ));
}

#[test]
fn glare_is_retried_after_the_random_wait() {
    let (mut sim, s) = setup(22, TransportKind::Udp);
    let sid = connected_call(&mut sim, s.conns[0], "2000");
    sim.site_mut(s.sites[0]).set_glare_next_reinvite();
    let t = sim.now();
    sim.command(|ep, now| ep.hold(now, sid)).unwrap();
    assert!(run_until_status(
        &mut sim,
        sid,
        SessionStatus::Held,
        Duration::from_secs(6)
    ));
    let waited = sim.now() - t;
    // We placed the call, so we own the Call-ID: 2.1 to 4 s (RFC 3261 §14.1).
    assert!(
        waited >= Duration::from_millis(2100) && waited <= Duration::from_millis(4100),
        "{waited:?}"
    );
    let codes = sim.site(s.sites[0]).last_call().unwrap().codes("INVITE");
    assert!(codes.ends_with(&[Some(491), Some(200)]), "{codes:?}");
}

#[test]
fn invite_challenges_are_answered_and_refusals_say_why() {
    let (mut sim, s) = setup(23, TransportKind::Udp);
    sim.site_mut(s.sites[0]).config_mut().challenge_invites = Some(407);
    connected_call(&mut sim, s.conns[0], "2000");
    assert_eq!(
        sim.site(s.sites[0]).last_call().unwrap().codes("INVITE")[..1],
        [Some(407)]
    );

    sim.site_mut(s.sites[1])
        .config_mut()
        .far_end_users
        .push(("2486".into(), FarEnd::reject(486)));
    let busy = sim
        .command(|ep, now| ep.dial(now, s.conns[1], "2486"))
        .unwrap();
    assert!(run_until_status(
        &mut sim,
        busy,
        SessionStatus::Disconnected,
        Duration::from_secs(3)
    ));
    assert_eq!(history(&sim, busy).last().unwrap().2.code(), Some(486));
}

#[test]
fn reject_and_far_end_hangup() {
    let (mut sim, s) = setup(24, TransportKind::Udp);
    let call = sim
        .site_command(s.sites[0], |site, now| {
            site.call_user(now, "1001", SiteCallOptions::default())
        })
        .unwrap();
    assert!(sim.run_until(|sim| incoming(sim).is_some(), Duration::from_secs(1)));
    let (sid, _) = incoming(&sim).unwrap();
    sim.command(|ep, now| ep.reject(now, sid, 486)).unwrap();
    sim.run_for(Duration::from_millis(200));
    assert_eq!(
        sim.site(s.sites[0]).call(call).unwrap().state,
        CallState::Ended {
            code: Some(486),
            by: Party::Endpoint
        }
    );
    sim.site_mut(s.sites[0]).config_mut().far_end_default = FarEnd::Answer {
        ring: Duration::from_millis(200),
        hangup_after: Some(Duration::from_secs(2)),
    };
    let out = sim
        .command(|ep, now| ep.dial(now, s.conns[0], "2000"))
        .unwrap();
    assert!(run_until_status(
        &mut sim,
        out,
        SessionStatus::Disconnected,
        Duration::from_secs(4)
    ));
    let h = history(&sim, out);
    assert_eq!(h[h.len() - 2].1, SessionStatus::Connected);
    assert_eq!(h.last().unwrap().2, SessionReason::Remote);
}

#[test]
fn a_call_whose_site_dies_ends_408_when_it_next_needs_the_site() {
    let (mut sim, s) = setup(25, TransportKind::Udp);
    let sid = connected_call(&mut sim, s.conns[0], "2000");
    sim.cut_site(s.sites[0]);
    sim.command(|ep, now| ep.hold(now, sid)).unwrap();
    assert!(run_until_status(
        &mut sim,
        sid,
        SessionStatus::Disconnected,
        Duration::from_secs(40)
    ));
    assert_eq!(
        history(&sim, sid).last().unwrap().2,
        SessionReason::timeout()
    );
}

#[test]
fn a_call_ringing_through_a_site_that_dies_ends_408() {
    let (mut sim, s) = setup(26, TransportKind::Udp);
    sim.site_mut(s.sites[0]).config_mut().far_end_default = FarEnd::NoAnswer;
    let sid = sim
        .command(|ep, now| ep.dial(now, s.conns[0], "2000"))
        .unwrap();
    assert!(run_until_status(
        &mut sim,
        sid,
        SessionStatus::Ringing,
        Duration::from_secs(1)
    ));
    let t = sim.now();
    sim.cut_site(s.sites[0]);
    assert!(run_until_status(
        &mut sim,
        sid,
        SessionStatus::Disconnected,
        Duration::from_secs(15)
    ));
    assert!(
        sim.now() - t <= Duration::from_secs(10),
        "{:?}",
        sim.now() - t
    );
    assert_eq!(
        history(&sim, sid).last().unwrap().2,
        SessionReason::timeout()
    );
}

#[test]
fn disable_and_remove_end_the_connections_calls_and_go_quiet() {
    let (mut sim, s) = setup(27, TransportKind::Udp);
    let a = connected_call(&mut sim, s.conns[0], "2000");
    sim.disable_connection(s.conns[0]).unwrap();
    assert_eq!(status(&sim, a), Some(SessionStatus::Disconnected));
    sim.run_for(Duration::from_secs(1));
    assert_eq!(
        sim.site(s.sites[0]).last_call().unwrap().state,
        CallState::Ended {
            code: None,
            by: Party::Endpoint
        }
    );
    // A call ringing on connection 2 when it is removed: CANCEL, and then
    // silence towards its site.
    sim.site_mut(s.sites[1]).config_mut().far_end_default = FarEnd::NoAnswer;
    let b = sim
        .command(|ep, now| ep.dial(now, s.conns[1], "2000"))
        .unwrap();
    assert!(run_until_status(
        &mut sim,
        b,
        SessionStatus::Ringing,
        Duration::from_secs(1)
    ));
    sim.remove_connection(s.conns[1]).unwrap();
    assert_eq!(status(&sim, b), Some(SessionStatus::Disconnected));
    let t = sim.now();
    sim.run_for(Duration::from_secs(60));
    let call = sim.site(s.sites[1]).last_call().unwrap().clone();
    assert_eq!(
        call.state,
        CallState::Ended {
            code: Some(487),
            by: Party::Endpoint
        }
    );
    let quiet_from = t + Duration::from_secs(5);
    assert!(sim.traffic_to(s.sites[1]).all(|r| r.at <= quiet_from));
    assert!(sim.endpoint().sessions().is_empty());
}
