//! Calls the site places to a registered user: over UDP with NOTIFY,
//! hold and BYE; over TCP on the user's flow, cancelled; and unanswered
//! until Timer B.

use std::net::SocketAddr;
use std::time::Duration;

use geosip_core::io::TransportKind;
use geosip_core::message::{parse, HeaderName};
use geosip_sim::net::EndpointInput;
use geosip_sim::scripted::inbox::requests_received;
use geosip_sim::scripted::sip::answer_request;
use geosip_sim::site::{
    sdp, CallDirection, CallState, Party, SdpDirection, SiteCallId, SiteCallOptions,
};
use geosip_sim::ENDPOINT_UDP;

use super::{config, register, send, setup, SITE};

#[test]
fn site_calls_a_user_registered_over_udp() {
    let (mut sim, to) = setup(config());
    register(&mut sim, to, None, TransportKind::Udp, ENDPOINT_UDP);
    let opts = SiteCallOptions {
        answer_after: Some(0),
        ..SiteCallOptions::default()
    };
    let id: SiteCallId = sim
        .site_command(SITE, |s, now| s.call_user(now, "1001", opts))
        .unwrap();
    sim.run_for(Duration::from_millis(1600));
    // Timer A: at 0, 0.5 and 1.5 s.
    let invites = requests_received(&sim);
    assert_eq!(invites.len(), 3);
    assert!(invites.iter().all(|i| i == &invites[0]));
    let inv = parse(&invites[0]).unwrap();
    let ip = sim.site(SITE).ip();
    assert_eq!(inv.request_uri(), Some("sip:1001@10.0.0.1:5060"));
    assert_eq!(
        inv.header(HeaderName::CallInfo),
        Some(format!("<sip:{ip}>;answer-after=0").as_str())
    );
    assert_eq!(
        inv.header(HeaderName::RecordRoute),
        Some(format!("<sip:{ip}:5060;transport=udp;lr>").as_str())
    );
    assert!(inv.header(HeaderName::AlertInfo).is_none());
    assert_eq!(inv.cseq().unwrap().seq, 1);
    assert_eq!(sdp::direction(inv.body()), Some(SdpDirection::SendRecv));
    assert_eq!(sdp::audio(inv.body()).unwrap().formats, ["0", "8", "101"]);

    send(&mut sim, to, answer_request(&inv, 180, ""));
    sim.run_for(Duration::from_secs(3));
    assert_eq!(
        requests_received(&sim).len(),
        3,
        "no retransmission after the 180"
    );
    assert_eq!(sim.site(SITE).call(id).unwrap().state, CallState::Ringing);
    let answer = sdp::answer(
        inv.body(),
        &sdp::Origin {
            ip: ENDPOINT_UDP.ip(),
            port: 7000,
            session: 1,
            version: 1,
        },
    )
    .unwrap();
    let ok = answer_request(&inv, 200, std::str::from_utf8(&answer).unwrap());
    send(&mut sim, to, ok.clone());
    sim.run_for(Duration::from_millis(100));
    let ack = parse(requests_received(&sim).last().unwrap())
        .unwrap()
        .method()
        .unwrap()
        .as_str()
        .to_owned();
    assert_eq!(ack, "ACK");
    send(&mut sim, to, ok);
    sim.run_for(Duration::from_millis(100));
    let reqs = requests_received(&sim);
    assert_eq!(reqs.len(), 5, "the retransmitted 200 is ACKed again");
    let ack = parse(&reqs[4]).unwrap();
    assert_eq!(ack.to().unwrap().tag(), Some("uatag"));
    assert_eq!(
        (ack.cseq().unwrap().seq, ack.request_uri()),
        (1, Some("sip:1001@10.0.0.1:5060"))
    );
    let c = sim.site(SITE).call(id).unwrap().clone();
    assert_eq!(
        (c.direction, c.state),
        (CallDirection::ToEndpoint, CallState::Connected)
    );
    assert_eq!(c.endpoint_sdp, Some(SdpDirection::SendRecv));

    // NOTIFY talk, then hold by re-INVITE, then BYE.
    sim.site_command(SITE, |s, now| s.site_notify(now, id, "talk"))
        .unwrap();
    sim.run_for(Duration::from_millis(100));
    let notify = requests_received(&sim).pop().unwrap();
    let n = parse(&notify).unwrap();
    assert_eq!(n.method().unwrap().as_str(), "NOTIFY");
    assert_eq!(n.header(HeaderName::Event), Some("talk"));
    assert_eq!(n.header(HeaderName::SubscriptionState), Some("terminated"));
    assert_eq!((n.cseq().unwrap().seq, n.body().len()), (2, 0));
    assert_eq!(n.to().unwrap().tag(), Some("uatag"));
    send(&mut sim, to, answer_request(&n, 200, ""));
    sim.site_command(SITE, |s, now| {
        s.site_reinvite(now, id, SdpDirection::SendOnly)
    })
    .unwrap();
    sim.run_for(Duration::from_millis(100));
    let re = parse(requests_received(&sim).last().unwrap())
        .unwrap()
        .body()
        .to_vec();
    assert_eq!(sdp::direction(&re), Some(SdpDirection::SendOnly));
    let re_req = requests_received(&sim).pop().unwrap();
    let re_msg = parse(&re_req).unwrap();
    let held = sdp::answer(
        &re,
        &sdp::Origin {
            ip: ENDPOINT_UDP.ip(),
            port: 7000,
            session: 1,
            version: 2,
        },
    )
    .unwrap();
    send(
        &mut sim,
        to,
        answer_request(&re_msg, 200, std::str::from_utf8(&held).unwrap()),
    );
    sim.run_for(Duration::from_millis(100));
    sim.site_command(SITE, |s, now| s.site_hangup(now, id))
        .unwrap();
    sim.run_for(Duration::from_millis(100));
    let bye = requests_received(&sim).pop().unwrap();
    let b = parse(&bye).unwrap();
    assert_eq!(
        (b.method().unwrap().as_str(), b.cseq().unwrap().seq),
        ("BYE", 4)
    );
    send(&mut sim, to, answer_request(&b, 200, ""));
    sim.run_for(Duration::from_millis(100));
    let c = sim.site(SITE).call(id).unwrap();
    assert_eq!(
        c.state,
        CallState::Ended {
            code: None,
            by: Party::Site
        }
    );
    assert_eq!(c.endpoint_sdp, Some(SdpDirection::RecvOnly));
    let site_side: Vec<_> = c
        .exchanges
        .iter()
        .filter(|e| e.by == Party::Site)
        .map(|e| (e.method.as_str(), e.code, e.sdp))
        .collect();
    assert_eq!(
        site_side,
        [
            ("INVITE", Some(180), None),
            ("INVITE", Some(200), Some(SdpDirection::SendRecv)),
            ("NOTIFY", Some(200), None),
            ("INVITE", Some(200), Some(SdpDirection::RecvOnly)),
            ("BYE", Some(200), None),
        ]
    );
}

#[test]
fn site_calls_a_user_registered_over_tcp_on_its_flow_and_cancels() {
    let (mut sim, udp) = setup(config());
    let tcp = sim.site(SITE).addr(TransportKind::Tcp);
    let flow = sim.command(|ua, _| ua.connect(tcp, TransportKind::Tcp));
    sim.run_for(Duration::from_millis(100));
    let local: SocketAddr = "10.0.0.1:49152".parse().unwrap();
    register(&mut sim, tcp, Some(flow), TransportKind::Tcp, local);
    let opts = SiteCallOptions {
        alert_info_auto_answer: true,
        sdp: false,
        ..SiteCallOptions::default()
    };
    let id = sim
        .site_command(SITE, |s, now| s.call_user(now, "1001", opts))
        .unwrap();
    sim.run_for(Duration::from_secs(5));
    let on_flow: Vec<_> = sim
        .agent()
        .received()
        .iter()
        .filter_map(|(_, i)| match i {
            EndpointInput::StreamData { flow: f, data } if *f == flow => Some(data.clone()),
            _ => None,
        })
        .filter(|d| parse(d).is_ok_and(|m| m.is_request()))
        .collect();
    assert_eq!(on_flow.len(), 1, "no retransmission on a stream");
    let inv = parse(&on_flow[0]).unwrap();
    assert!(inv
        .header(HeaderName::Via)
        .unwrap()
        .starts_with("SIP/2.0/TCP"));
    assert_eq!(
        inv.request_uri(),
        Some(format!("sip:1001@{local}").as_str())
    );
    assert_eq!(
        inv.header(HeaderName::AlertInfo),
        Some("<http://127.0.0.1>;info=alert-autoanswer")
    );
    assert!(inv
        .header(HeaderName::RecordRoute)
        .unwrap()
        .contains("transport=tcp"));
    assert!(inv.body().is_empty());
    let _ = udp;

    sim.command(|ua, _| ua.send_stream(flow, tcp, answer_request(&inv, 180, "")));
    sim.run_for(Duration::from_millis(100));
    sim.site_command(SITE, |s, now| s.site_hangup(now, id))
        .unwrap();
    sim.run_for(Duration::from_millis(100));
    let cancel = sim
        .agent()
        .payloads()
        .into_iter()
        .filter_map(|p| parse(p).ok())
        .rfind(|m| m.is_request())
        .map(|m| {
            (
                m.method().unwrap().as_str().to_owned(),
                m.top_via().unwrap().branch().map(str::to_owned),
                m.cseq().unwrap().seq,
            )
        });
    let branch = inv.top_via().unwrap().branch().map(str::to_owned);
    assert_eq!(cancel, Some(("CANCEL".to_owned(), branch, 1)));
    let cancel_bytes = sim.agent().payloads().last().unwrap().to_vec();
    let c = parse(&cancel_bytes).unwrap();
    sim.command(|ua, _| {
        ua.send_stream(flow, tcp, answer_request(&c, 200, ""));
        ua.send_stream(flow, tcp, answer_request(&inv, 487, ""));
    });
    sim.run_for(Duration::from_millis(100));
    let ack_bytes = sim.agent().payloads().last().unwrap().to_vec();
    let ack = parse(&ack_bytes).unwrap();
    assert_eq!(ack.method().unwrap().as_str(), "ACK");
    assert_eq!(
        ack.top_via().unwrap().branch(),
        inv.top_via().unwrap().branch()
    );
    let call = sim.site(SITE).call(id).unwrap();
    assert_eq!(
        call.state,
        CallState::Ended {
            code: Some(487),
            by: Party::Site
        }
    );
    assert_eq!(call.codes("CANCEL"), [Some(200)]);
}

#[test]
fn site_call_without_any_answer_ends_after_timer_b() {
    let (mut sim, to) = setup(config());
    register(&mut sim, to, None, TransportKind::Udp, ENDPOINT_UDP);
    let id = sim
        .site_command(SITE, |s, now| {
            s.call_user(now, "1001", SiteCallOptions::default())
        })
        .unwrap();
    sim.run_for(Duration::from_secs(31));
    assert_eq!(sim.site(SITE).call(id).unwrap().state, CallState::Trying);
    sim.run_for(Duration::from_secs(2));
    // Sent at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s.
    assert_eq!(requests_received(&sim).len(), 7);
    assert_eq!(
        sim.site(SITE).call(id).unwrap().state,
        CallState::Ended {
            code: None,
            by: Party::Site
        }
    );
    let unbound = sim.site_command(SITE, |s, now| {
        s.call_user(now, "nobody", SiteCallOptions::default())
    });
    assert_eq!(unbound, Err(geosip_sim::site::CallError::NotRegistered));
}
