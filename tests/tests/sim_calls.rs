//! Self-tests of the sites' calls, driven by a scripted client that writes
//! raw SIP: far-end phones (answer, reject, challenge, cancel, silence,
//! retransmissions, re-INVITE, BYE) and calls the site places to a
//! registered user over UDP and TCP.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use geosip_core::auth::{Credentials, DigestClient};
use geosip_core::io::{FlowId, TransportKind};
use geosip_core::message::headers::{ProxyAuthenticate, WwwAuthenticate};
use geosip_core::message::{parse, HeaderName, Message};
use geosip_sim::net::{EndpointInput, NetConfig};
use geosip_sim::scripted::{RegisterSpec, ScriptedUa};
use geosip_sim::site::{
    sdp, CallDirection, CallState, FarEnd, Party, SdpDirection, SiteCallId, SiteCallOptions,
};
use geosip_sim::{Sim, SiteConfig, SiteId, ENDPOINT_UDP};

const SITE: SiteId = SiteId(0);
const REALM: &str = "sim.example";

fn offer(dir: &str) -> String {
    format!(
        "v=0\r\no=ua 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n\
         m=audio 5004 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na={dir}\r\n"
    )
}

/// A request as text; `headers` go after the standard ones.
#[allow(clippy::too_many_arguments)]
fn request(
    method: &str,
    uri: &str,
    branch: &str,
    to: &str,
    call_id: &str,
    cseq: u32,
    headers: &[String],
    body: &str,
) -> Vec<u8> {
    let mut s = format!(
        "{method} {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {ENDPOINT_UDP};branch={branch};rport\r\n\
         Max-Forwards: 70\r\nFrom: <sip:1001@{REALM}>;tag=ua1\r\nTo: {to}\r\nCall-ID: {call_id}\r\n\
         CSeq: {cseq} {method}\r\nContact: <sip:1001@{ENDPOINT_UDP}>\r\n"
    );
    for h in headers {
        s.push_str(h);
        s.push_str("\r\n");
    }
    if !body.is_empty() {
        s.push_str("Content-Type: application/sdp\r\n");
    }
    s.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.into_bytes()
}

fn invite(user: &str, branch: &str, cseq: u32, headers: &[String]) -> Vec<u8> {
    let uri = format!("sip:{user}@{REALM}");
    let to = format!("<{uri}>");
    request(
        "INVITE",
        &uri,
        branch,
        &to,
        "call-1",
        cseq,
        headers,
        &offer("sendrecv"),
    )
}

/// The endpoint's view of a dialog, from the site's 2xx.
struct Leg {
    to: String,
    route: String,
    target: String,
}

impl Leg {
    fn from_2xx(m: &Message<'_>) -> Leg {
        Leg {
            to: m.header(HeaderName::To).unwrap().to_owned(),
            route: m.header(HeaderName::RecordRoute).unwrap().to_owned(),
            target: m
                .contacts()
                .next()
                .unwrap()
                .unwrap()
                .addr()
                .unwrap()
                .uri
                .as_str()
                .to_owned(),
        }
    }

    fn req(&self, method: &str, branch: &str, cseq: u32, body: &str) -> Vec<u8> {
        let route = format!("Route: {}", self.route);
        request(
            method,
            &self.target,
            branch,
            &self.to,
            "call-1",
            cseq,
            &[route],
            body,
        )
    }
}

fn setup(config: SiteConfig) -> (Sim<ScriptedUa>, SocketAddr) {
    let mut sim = Sim::with_agent(23, NetConfig::default(), |_| ScriptedUa::new());
    assert_eq!(sim.add_site(config), SITE);
    let to = sim.site(SITE).addr(TransportKind::Udp);
    (sim, to)
}

fn config() -> SiteConfig {
    let mut c = SiteConfig::new(REALM).user("1001", "pw");
    c.require_auth = false;
    c
}

fn send(sim: &mut Sim<ScriptedUa>, to: SocketAddr, bytes: Vec<u8>) {
    sim.command(|ua, _| ua.send_udp(to, bytes));
}

/// Every message received, with times, parsed later by the caller.
fn received(sim: &Sim<ScriptedUa>) -> Vec<(Instant, Vec<u8>)> {
    sim.agent()
        .received()
        .iter()
        .filter_map(|(at, i)| match i {
            EndpointInput::Datagram { data, .. } | EndpointInput::StreamData { data, .. } => {
                Some((*at, data.clone()))
            }
            _ => None,
        })
        .collect()
}

/// The statuses of the responses received with a CSeq method.
fn statuses(sim: &Sim<ScriptedUa>, method: &str) -> Vec<u16> {
    received(sim)
        .iter()
        .filter_map(|(_, d)| {
            let m = parse(d).ok()?;
            (m.cseq().ok()?.method.as_str() == method)
                .then(|| m.status())
                .flatten()
        })
        .collect()
}

/// The last response with `code`.
fn last_with(sim: &Sim<ScriptedUa>, code: u16) -> Vec<u8> {
    received(sim)
        .into_iter()
        .rev()
        .find(|(_, d)| parse(d).ok().and_then(|m| m.status()) == Some(code))
        .expect("a response with that code")
        .1
}

fn call(sim: &Sim<ScriptedUa>) -> geosip_sim::site::SiteCall {
    sim.site(SITE).last_call().expect("a call").clone()
}

/// INVITE, 100/180/200 after 1 s, ACK with the Route. Returns the leg.
fn connect(sim: &mut Sim<ScriptedUa>, to: SocketAddr, user: &str) -> Leg {
    send(sim, to, invite(user, "z9hG4bKinv1", 1, &[]));
    sim.run_for(Duration::from_millis(1100));
    let ok = last_with(sim, 200);
    let leg = Leg::from_2xx(&parse(&ok).unwrap());
    send(sim, to, leg.req("ACK", "z9hG4bKack1", 1, ""));
    sim.run_for(Duration::from_millis(100));
    leg
}

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
    let bare = request(
        "INFO",
        &leg.target,
        "z9hG4bKinfo",
        &leg.to,
        "call-1",
        2,
        &[],
        "",
    );
    send(&mut sim, to, bare);
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
    let ack = request(
        "ACK",
        "sip:3000@sim.example",
        "z9hG4bKinv1",
        to_hdr,
        "call-1",
        1,
        &[],
        "",
    );
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
        request(
            "ACK",
            "sip:2000@sim.example",
            "z9hG4bKinv1",
            &to_hdr,
            "call-1",
            1,
            &[],
            "",
        ),
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
        request(
            "ACK",
            "sip:2000@sim.example",
            "z9hG4bKinv2",
            &to_hdr,
            "call-1",
            2,
            &[],
            "",
        ),
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
    let cancel = request(
        "CANCEL",
        "sip:4000@sim.example",
        "z9hG4bKinv1",
        "<sip:4000@sim.example>",
        "call-1",
        1,
        &[],
        "",
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
        request(
            "ACK",
            "sip:4000@sim.example",
            "z9hG4bKinv1",
            &to_hdr,
            "call-1",
            1,
            &[],
            "",
        ),
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
    let ack = request(
        "ACK",
        &leg.target,
        "z9hG4bKre2",
        m.header(HeaderName::To).unwrap(),
        "call-1",
        3,
        &[],
        "",
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

#[test]
fn a_stopped_site_loses_its_calls() {
    let (mut sim, to) = setup(config());
    let leg = connect(&mut sim, to, "2000");
    assert_eq!(sim.site(SITE).calls().len(), 1);
    sim.stop_site(SITE);
    assert!(sim.site(SITE).calls().is_empty());
    assert_eq!(sim.site(SITE).poll_timeout(), None);
    sim.start_site(SITE);
    send(&mut sim, to, leg.req("BYE", "z9hG4bKbye", 2, ""));
    sim.run_for(Duration::from_millis(100));
    assert_eq!(statuses(&sim, "BYE"), [481]);
}

/// REGISTER over UDP (no auth) as `1001` from `local`; returns nothing.
fn register(
    sim: &mut Sim<ScriptedUa>,
    to: SocketAddr,
    flow: Option<FlowId>,
    t: TransportKind,
    local: SocketAddr,
) {
    let spec = RegisterSpec {
        user: "1001",
        domain: REALM,
        local,
        transport: t,
        cseq: 1,
        expires: 3600,
        authorization: None,
    };
    let bytes = spec.build();
    match flow {
        Some(f) => sim.command(|ua, _| ua.send_stream(f, to, bytes)),
        None => send(sim, to, bytes),
    }
    sim.run_for(Duration::from_millis(100));
    assert!(sim.site(SITE).is_bound(sim.now(), "1001"));
}

/// The UA's response to a request from the site, with a To tag.
fn answer_request(req: &Message<'_>, code: u16, body: &str) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut w =
        geosip_core::message::MessageWriter::response_to(&mut buf, req, code, "X", Some("uatag"));
    w.header(HeaderName::Contact, &format!("<sip:1001@{ENDPOINT_UDP}>"));
    if !body.is_empty() {
        w.header(HeaderName::ContentType, "application/sdp");
    }
    w.finish(body.as_bytes());
    buf
}

fn requests_received(sim: &Sim<ScriptedUa>) -> Vec<Vec<u8>> {
    received(sim)
        .into_iter()
        .map(|(_, d)| d)
        .filter(|d| parse(d).unwrap().is_request())
        .collect()
}

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

#[test]
fn calls_leave_register_nonces_as_they_were() {
    let nonces = |with_call: bool| {
        let mut cfg = SiteConfig::new(REALM).user("1001", "pw");
        cfg.challenge_invites = Some(401);
        let (mut sim, to) = setup(cfg);
        if with_call {
            send(&mut sim, to, invite("2000", "z9hG4bKinv1", 1, &[]));
            sim.run_for(Duration::from_millis(100));
            assert_eq!(statuses(&sim, "INVITE"), [401]);
        }
        let spec = RegisterSpec {
            user: "1001",
            domain: REALM,
            local: ENDPOINT_UDP,
            transport: TransportKind::Udp,
            cseq: 7,
            expires: 60,
            authorization: None,
        };
        send(&mut sim, to, spec.build());
        send(
            &mut sim,
            to,
            geosip_sim::scripted::options_request(ENDPOINT_UDP, to, 3),
        );
        sim.run_for(Duration::from_millis(100));
        let raw401 = last_with(&sim, 401);
        let r = parse(&raw401).unwrap();
        let nonce = r
            .typed::<WwwAuthenticate>()
            .unwrap()
            .nonce()
            .unwrap()
            .to_owned();
        let tag = r.to().unwrap().tag().unwrap().to_owned();
        (nonce, tag, statuses(&sim, "OPTIONS"))
    };
    let plain = nonces(false);
    assert_eq!(plain.2, [200]);
    assert_eq!(nonces(true), plain);
}
