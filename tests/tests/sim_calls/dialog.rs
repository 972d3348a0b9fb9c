//! Dialogs with a far-end phone: 2xx retransmission until the ACK and
//! the BYE when none comes, BYE both ways, and re-INVITEs with glare.

use std::time::{Duration, Instant};

use geosip_core::io::TransportKind;
use geosip_core::message::{parse, HeaderName};
use geosip_sim::scripted::inbox::{last_with, received, requests_received, statuses};
use geosip_sim::scripted::sip::{bare, invite, offer, Leg};
use geosip_sim::scripted::ScriptedUa;
use geosip_sim::site::{sdp, CallState, FarEnd, Party, SdpDirection};
use geosip_sim::Sim;

use super::{call, config, connect, send, setup, SITE};

#[test]
fn udp_2xx_is_retransmitted_until_the_ack() {
    let (mut sim, to) = setup(config());
    send(&mut sim, to, invite("2000", "z9hG4bKinv1", 1, &[]));
    sim.run_for(Duration::from_millis(5000));
    let oks: Vec<Instant> = received(&sim)
        .iter()
        .filter(|(_, d)| parse(d).unwrap().status() == Some(200))
        .map(|(at, _)| *at)
        .collect();
    // At ~1 s, then T1, 2·T1, 4·T1 later.
    let gaps: Vec<u128> = oks.windows(2).map(|w| (w[1] - w[0]).as_millis()).collect();
    assert_eq!(gaps, [500, 1000, 2000]);
    // A retransmitted INVITE gets the 200 again.
    send(&mut sim, to, invite("2000", "z9hG4bKinv1", 1, &[]));
    sim.run_for(Duration::from_millis(50));
    assert_eq!(
        statuses(&sim, "INVITE")
            .iter()
            .filter(|&&c| c == 200)
            .count(),
        5
    );
    let leg = Leg::from_2xx(&parse(&last_with(&sim, 200)).unwrap());
    send(&mut sim, to, leg.req("ACK", "z9hG4bKack1", 1, ""));
    sim.run_for(Duration::from_secs(30));
    assert_eq!(
        statuses(&sim, "INVITE")
            .iter()
            .filter(|&&c| c == 200)
            .count(),
        5
    );
    assert_eq!(call(&sim).state, CallState::Connected);
}

#[test]
fn unacked_2xx_gives_up_after_64_t1_with_bye() {
    let (mut sim, to) = setup(config());
    send(&mut sim, to, invite("2000", "z9hG4bKinv1", 1, &[]));
    sim.run_for(Duration::from_secs(32));
    assert!(received(&sim)
        .iter()
        .all(|(_, d)| !parse(d).unwrap().is_request()));
    sim.run_for(Duration::from_secs(2));
    let bye = received(&sim)
        .into_iter()
        .find(|(_, d)| parse(d).unwrap().is_request())
        .expect("a BYE");
    let m = parse(&bye.1).unwrap();
    assert_eq!(m.method().unwrap().as_str(), "BYE");
    assert_eq!(m.request_uri(), Some("sip:1001@10.0.0.1:5060"));
    assert_eq!(
        call(&sim).state,
        CallState::Ended {
            code: None,
            by: Party::Site
        }
    );
}

#[test]
fn bye_both_ways() {
    let (mut sim, to) = setup(config());
    let leg = connect(&mut sim, to, "2000");
    send(&mut sim, to, leg.req("BYE", "z9hG4bKbye", 2, ""));
    sim.run_for(Duration::from_millis(100));
    assert_eq!(statuses(&sim, "BYE"), [200]);
    let c = call(&sim);
    assert_eq!(
        c.state,
        CallState::Ended {
            code: None,
            by: Party::Endpoint
        }
    );
    assert!(c.route_ok);
    assert_eq!(c.endpoint_requests, 2);
    // Once more: the dialog is gone, but the retransmission is absorbed.
    send(&mut sim, to, leg.req("BYE", "z9hG4bKbye", 2, ""));
    send(&mut sim, to, leg.req("BYE", "z9hG4bKbye2", 3, ""));
    sim.run_for(Duration::from_millis(100));
    assert_eq!(statuses(&sim, "BYE"), [200, 200, 481]);

    // The far end hangs up 5 s after the ACK.
    let far = FarEnd::Answer {
        ring: Duration::from_millis(200),
        hangup_after: Some(Duration::from_secs(5)),
    };
    let (mut sim, to) = setup(config().far_end("2000", far));
    send(&mut sim, to, invite("2000", "z9hG4bKinv1", 1, &[]));
    sim.run_for(Duration::from_millis(300));
    let leg = Leg::from_2xx(&parse(&last_with(&sim, 200)).unwrap());
    send(&mut sim, to, leg.req("ACK", "z9hG4bKack1", 1, ""));
    let acked = sim.now();
    sim.run_for(Duration::from_secs(6));
    let (at, bye) = received(&sim)
        .into_iter()
        .find(|(_, d)| parse(d).unwrap().is_request())
        .expect("BYE");
    let d = at - acked;
    assert!(
        d >= Duration::from_secs(5) && d < Duration::from_millis(5100),
        "{d:?}"
    );
    let m = parse(&bye).unwrap();
    assert_eq!(m.from().unwrap().tag(), Some(call(&sim).local_tag.as_str()));
    assert_eq!(m.to().unwrap().tag(), Some("ua1"));
    // Answer it; the retransmissions (T1 apart) stop.
    let sent = requests_received(&sim).len();
    assert_eq!(sent, 2);
    let ok = geosip_sim::site::response(
        &m,
        sim.site(SITE).addr(TransportKind::Udp),
        200,
        "OK",
        "x",
        &[],
    );
    send(&mut sim, to, ok);
    sim.run_for(Duration::from_secs(5));
    let c = call(&sim);
    assert_eq!(
        c.state,
        CallState::Ended {
            code: None,
            by: Party::Site
        }
    );
    assert_eq!(c.summary().last(), Some(&("BYE", Some(200))));
    assert_eq!(requests_received(&sim).len(), sent);
}

#[test]
fn reinvite_sendonly_gets_recvonly_with_a_rising_version_and_491_once() {
    let (mut sim, to) = setup(config());
    let leg = connect(&mut sim, to, "2000");
    let version = |sim: &Sim<ScriptedUa>| {
        let ok = parse(&last_with(sim, 200)).unwrap().body().to_vec();
        let o = std::str::from_utf8(&ok)
            .unwrap()
            .lines()
            .find(|l| l.starts_with("o="))
            .unwrap()
            .to_owned();
        (
            o.split(' ').nth(2).unwrap().parse::<u64>().unwrap(),
            sdp::direction(&ok),
        )
    };
    let (v1, _) = version(&sim);
    send(
        &mut sim,
        to,
        leg.req("INVITE", "z9hG4bKre1", 2, &offer("sendonly")),
    );
    sim.run_for(Duration::from_millis(100));
    assert_eq!(version(&sim), (v1 + 1, Some(SdpDirection::RecvOnly)));
    assert_eq!(call(&sim).endpoint_sdp, Some(SdpDirection::SendOnly));
    send(&mut sim, to, leg.req("ACK", "z9hG4bKack2", 2, ""));

    sim.site_mut(SITE).set_glare_next_reinvite();
    send(
        &mut sim,
        to,
        leg.req("INVITE", "z9hG4bKre2", 3, &offer("sendrecv")),
    );
    sim.run_for(Duration::from_millis(100));
    assert_eq!(statuses(&sim, "INVITE").last(), Some(&491));
    let raw491 = last_with(&sim, 491);
    let m = parse(&raw491).unwrap();
    let ack = bare(
        "ACK",
        &leg.target,
        "z9hG4bKre2",
        m.header(HeaderName::To).unwrap(),
        3,
    );
    send(&mut sim, to, ack);
    send(
        &mut sim,
        to,
        leg.req("INVITE", "z9hG4bKre3", 4, &offer("sendrecv")),
    );
    sim.run_for(Duration::from_millis(100));
    assert_eq!(statuses(&sim, "INVITE").last(), Some(&200));
    assert_eq!(version(&sim), (v1 + 2, Some(SdpDirection::SendRecv)));
    let c = call(&sim);
    assert_eq!(c.state, CallState::Connected);
    assert_eq!(
        c.codes("INVITE"),
        [
            Some(100),
            Some(180),
            Some(200),
            Some(200),
            Some(491),
            Some(200)
        ]
    );
}
