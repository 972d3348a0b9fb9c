//! Far-end phones answering the endpoint's INVITEs: after ringing, busy,
//! behind a 407 challenge, cancelled, and silent.

use std::time::Duration;

use geosip_core::auth::{Credentials, DigestClient};
use geosip_core::message::headers::{ProxyAuthenticate, WwwAuthenticate};
use geosip_core::message::{parse, HeaderName};
use geosip_sim::scripted::inbox::{last_with, received, statuses};
use geosip_sim::scripted::sip::{bare, invite, request, Leg};
use geosip_sim::site::{CallDirection, CallState, FarEnd, Party, SdpDirection};

use super::{call, config, send, setup, REALM, SITE};

#[test]
fn far_end_answers_after_ringing_with_a_mirrored_answer() {
    let (mut sim, to) = setup(config());
    let start = sim.now();
    send(&mut sim, to, invite("2000", "z9hG4bKinv1", 1, &[]));
    sim.run_for(Duration::from_millis(500));
    assert_eq!(statuses(&sim, "INVITE"), [100, 180]);
    assert_eq!(call(&sim).state, CallState::Ringing);
    sim.run_for(Duration::from_millis(600));
    assert_eq!(statuses(&sim, "INVITE"), [100, 180, 200]);
    let got = received(&sim);
    assert!(got[2].0 - start >= Duration::from_secs(1));
    let m = parse(&got[2].1).unwrap();
    let site_ip = sim.site(SITE).ip();
    assert_eq!(
        m.header(HeaderName::RecordRoute),
        Some(format!("<sip:{site_ip}:5060;transport=udp;lr>").as_str())
    );
    assert_eq!(
        m.header(HeaderName::Contact),
        Some(format!("<sip:2000@{site_ip}:5060;transport=udp>").as_str())
    );
    let tag = m.to().unwrap().tag().unwrap().to_owned();
    let ringing = parse(&got[1].1).unwrap();
    assert_eq!(ringing.to().unwrap().tag(), Some(tag.as_str()));
    let body = std::str::from_utf8(m.body()).unwrap();
    assert!(
        body.contains("m=audio 40002 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=sendrecv\r\n"),
        "{body}"
    );
    assert!(!body.contains("PCMU"));

    let leg = Leg::from_2xx(&m);
    send(&mut sim, to, leg.req("ACK", "z9hG4bKack1", 1, ""));
    sim.run_for(Duration::from_millis(100));
    let c = call(&sim);
    assert_eq!(c.direction, CallDirection::FromEndpoint);
    assert_eq!(
        (c.user.as_str(), c.endpoint_user.as_str()),
        ("2000", "1001")
    );
    assert_eq!(c.state, CallState::Connected);
    assert_eq!(c.local_tag, tag);
    assert!(c.route_ok && c.endpoint_requests == 1);
    assert_eq!(c.endpoint_sdp, Some(SdpDirection::SendRecv));
    assert_eq!(
        c.summary(),
        [
            ("INVITE", Some(100)),
            ("INVITE", Some(180)),
            ("INVITE", Some(200)),
            ("ACK", None)
        ]
    );

    // An in-dialog request without the Route is noted.
    let no_route = bare("INFO", &leg.target, "z9hG4bKinfo", &leg.to, 2);
    send(&mut sim, to, no_route);
    sim.run_for(Duration::from_millis(100));
    assert_eq!(statuses(&sim, "INFO"), [200]);
    assert!(!call(&sim).route_ok);
}

#[test]
fn busy_far_end_rejects_and_retransmits_until_the_ack() {
    let (mut sim, to) = setup(config().far_end("3000", FarEnd::reject(486)));
    send(&mut sim, to, invite("3000", "z9hG4bKinv1", 1, &[]));
    sim.run_for(Duration::from_millis(1600));
    // 486 at once, again after 0.5 and 1.5 s (Timer G).
    assert_eq!(statuses(&sim, "INVITE"), [100, 486, 486, 486]);
    let busy = last_with(&sim, 486);
    let m = parse(&busy).unwrap();
    let to_hdr = m.header(HeaderName::To).unwrap();
    let ack = bare("ACK", "sip:3000@sim.example", "z9hG4bKinv1", to_hdr, 1);
    send(&mut sim, to, ack);
    sim.run_for(Duration::from_secs(10));
    assert_eq!(statuses(&sim, "INVITE").len(), 4);
    let c = call(&sim);
    assert_eq!(
        c.state,
        CallState::Ended {
            code: Some(486),
            by: Party::Site
        }
    );
    assert_eq!(c.summary().last(), Some(&("ACK", None)));
}

#[test]
fn challenge_407_then_the_retry_with_credentials_connects() {
    let mut cfg = config();
    cfg.challenge_invites = Some(407);
    let (mut sim, to) = setup(cfg);
    send(&mut sim, to, invite("2000", "z9hG4bKinv1", 1, &[]));
    sim.run_for(Duration::from_millis(100));
    assert_eq!(statuses(&sim, "INVITE"), [407]);
    let challenge = last_with(&sim, 407);
    let m = parse(&challenge).unwrap();
    assert!(m.typed_opt::<WwwAuthenticate>().unwrap().is_none());
    let ch: Vec<_> = m
        .typed_all::<ProxyAuthenticate>()
        .map(|c| c.unwrap().0)
        .collect();
    assert_eq!(ch[0].realm(), Some(REALM));
    let to_hdr = m.header(HeaderName::To).unwrap().to_owned();
    send(
        &mut sim,
        to,
        bare("ACK", "sip:2000@sim.example", "z9hG4bKinv1", &to_hdr, 1),
    );

    let answer = |pw: &str| {
        DigestClient::new()
            .respond(
                ch.clone(),
                true,
                &Credentials::new("1001", pw),
                "INVITE",
                "sip:2000@sim.example",
                b"",
                "cn",
            )
            .unwrap()
            .value
    };
    let wrong = format!("Proxy-Authorization: {}", answer("nope"));
    send(&mut sim, to, invite("2000", "z9hG4bKinv2", 2, &[wrong]));
    sim.run_for(Duration::from_millis(100));
    assert_eq!(statuses(&sim, "INVITE"), [407, 407]);
    let raw_second = last_with(&sim, 407);
    let second = parse(&raw_second).unwrap();
    let to_hdr = second.header(HeaderName::To).unwrap().to_owned();
    send(
        &mut sim,
        to,
        bare("ACK", "sip:2000@sim.example", "z9hG4bKinv2", &to_hdr, 2),
    );
    let right = format!("Proxy-Authorization: {}", answer("pw"));
    send(&mut sim, to, invite("2000", "z9hG4bKinv3", 3, &[right]));
    sim.run_for(Duration::from_millis(1100));
    assert_eq!(statuses(&sim, "INVITE"), [407, 407, 100, 180, 200]);
    let calls = sim.site(SITE).calls();
    assert_eq!(calls.len(), 1, "the retry continues the same call");
    assert_eq!(calls[0].state, CallState::Connected);
    let invites: Vec<_> = sim.site(SITE).requests_of("INVITE").collect();
    assert!(!invites[0].has_credentials && invites[2].has_credentials);
}

#[test]
fn cancel_gets_200_and_the_invite_487() {
    let (mut sim, to) = setup(config().far_end("4000", FarEnd::NoAnswer));
    send(&mut sim, to, invite("4000", "z9hG4bKinv1", 1, &[]));
    sim.run_for(Duration::from_secs(30));
    assert_eq!(statuses(&sim, "INVITE"), [100, 180]);
    let cancel = bare(
        "CANCEL",
        "sip:4000@sim.example",
        "z9hG4bKinv1",
        "<sip:4000@sim.example>",
        1,
    );
    send(&mut sim, to, cancel);
    sim.run_for(Duration::from_millis(100));
    assert_eq!(statuses(&sim, "CANCEL"), [200]);
    assert_eq!(statuses(&sim, "INVITE"), [100, 180, 487]);
    let c = call(&sim);
    assert_eq!(
        c.state,
        CallState::Ended {
            code: Some(487),
            by: Party::Endpoint
        }
    );
    let raw487 = last_with(&sim, 487);
    let m = parse(&raw487).unwrap();
    assert_eq!(m.to().unwrap().tag(), Some(c.local_tag.as_str()));
    let to_hdr = m.header(HeaderName::To).unwrap().to_owned();
    send(
        &mut sim,
        to,
        bare("ACK", "sip:4000@sim.example", "z9hG4bKinv1", &to_hdr, 1),
    );
    sim.run_for(Duration::from_secs(5));
    assert_eq!(
        statuses(&sim, "INVITE"),
        [100, 180, 487],
        "no 487 after the ACK"
    );
    // A CANCEL for nothing pending.
    let stray = request(
        "CANCEL",
        "sip:4000@sim.example",
        "z9hG4bKnone",
        "<sip:4000@sim.example>",
        "call-9",
        1,
        &[],
        "",
    );
    send(&mut sim, to, stray);
    sim.run_for(Duration::from_millis(100));
    assert_eq!(statuses(&sim, "CANCEL"), [200, 481]);
}

#[test]
fn silent_far_end_answers_nothing() {
    let (mut sim, to) = setup(config().far_end("9000", FarEnd::Silent));
    send(&mut sim, to, invite("9000", "z9hG4bKinv1", 1, &[]));
    sim.run_for(Duration::from_millis(500));
    send(&mut sim, to, invite("9000", "z9hG4bKinv1", 1, &[]));
    sim.run_for(Duration::from_secs(40));
    assert!(received(&sim).is_empty());
    assert_eq!(sim.site(SITE).requests_of("INVITE").count(), 2);
    assert_eq!(call(&sim).state, CallState::Trying);
}
