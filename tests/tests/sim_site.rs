//! Self-tests of the simulated registrar, driven by a scripted client that
//! writes its REGISTERs by hand and answers challenges with the core's
//! `DigestClient`.

use std::net::SocketAddr;
use std::time::Duration;

use geosip_core::auth::{DigestAlgorithm, DigestClient};
use geosip_core::io::TransportKind;
use geosip_core::message::headers::{Contact, MinExpires, RetryAfter, WwwAuthenticate};
use geosip_core::message::parse;
use geosip_sim::net::NetConfig;
use geosip_sim::scripted::{authorize, options_request, RegisterSpec, ScriptedUa};
use geosip_sim::{Sim, SiteConfig, SiteId, SiteMode, ENDPOINT_UDP};

const SITE: SiteId = SiteId(0);

fn setup(config: SiteConfig) -> (Sim<ScriptedUa>, SocketAddr) {
    let mut sim = Sim::with_agent(17, NetConfig::default(), |_| ScriptedUa::new());
    let id = sim.add_site(config);
    assert_eq!(id, SITE);
    let to = sim.site(SITE).addr(TransportKind::Udp);
    (sim, to)
}

fn spec(cseq: u32, expires: u32) -> RegisterSpec<'static> {
    RegisterSpec {
        user: "1001",
        domain: "sim.example",
        local: ENDPOINT_UDP,
        transport: TransportKind::Udp,
        cseq,
        expires,
        authorization: None,
    }
}

/// Sends one REGISTER and returns the bytes of the response to it.
fn send(sim: &mut Sim<ScriptedUa>, to: SocketAddr, bytes: Vec<u8>) -> Vec<u8> {
    let before = sim.agent().payloads().len();
    sim.command(|ua, _| ua.send_udp(to, bytes));
    assert!(sim.run_until(
        |s| s.agent().payloads().len() > before,
        Duration::from_secs(2)
    ));
    sim.agent().payloads().last().unwrap().to_vec()
}

fn status(bytes: &[u8]) -> u16 {
    parse(bytes).unwrap().status().unwrap()
}

/// Registers with digest: 401, then 200. Returns the client and the 200.
fn register(sim: &mut Sim<ScriptedUa>, to: SocketAddr, password: &str) -> (DigestClient, Vec<u8>) {
    let first = send(sim, to, spec(1, 3600).build());
    assert_eq!(status(&first), 401);
    let mut client = DigestClient::new();
    let challenge = parse(&first).unwrap();
    let auth = authorize(&mut client, &challenge, &spec(2, 3600), password, "c1");
    let second = RegisterSpec {
        authorization: Some(&auth),
        ..spec(2, 3600)
    };
    let ok = send(sim, to, second.build());
    (client, ok)
}

#[test]
fn digest_register_creates_a_binding() {
    let (mut sim, to) = setup(SiteConfig::new("sim.example").user("1001", "pw"));
    let (_, ok) = register(&mut sim, to, "pw");
    assert_eq!(status(&ok), 200);
    let m = parse(&ok).unwrap();
    let contact = m.typed::<Contact>().unwrap();
    assert_eq!(contact.expires(), Some(3600));
    let top = m.top_via().unwrap();
    assert_eq!(top.rport(), Some(Some(5060)));
    assert_eq!(top.received(), Some("10.0.0.1"));

    let now = sim.now();
    let site = sim.site(SITE);
    assert!(site.is_bound(now, "1001"));
    let b = &site.bindings(now)["1001@sim.example"][0];
    assert_eq!(b.contact, "sip:1001@10.0.0.1:5060");
    assert_eq!(b.source, ENDPOINT_UDP);
    let regs: Vec<_> = site.requests_of("REGISTER").collect();
    assert_eq!(regs.len(), 2);
    assert!(!regs[0].has_credentials && regs[1].has_credentials);
    assert_eq!((regs[1].cseq, regs[1].expires), (2, Some(3600)));
    assert_eq!(regs[1].call_id, "scripted-1001");

    // Expires 0 removes it.
    let mut client = DigestClient::new();
    let challenge_bytes = send(&mut sim, to, spec(3, 0).build());
    let challenge = parse(&challenge_bytes).unwrap();
    let auth = authorize(&mut client, &challenge, &spec(4, 0), "pw", "c2");
    let unreg = RegisterSpec {
        authorization: Some(&auth),
        ..spec(4, 0)
    };
    assert_eq!(status(&send(&mut sim, to, unreg.build())), 200);
    assert!(!sim.site(SITE).is_bound(sim.now(), "1001"));
}

#[test]
fn wrong_password_gets_a_fresh_challenge() {
    let (mut sim, to) = setup(SiteConfig::new("sim.example").user("1001", "pw"));
    let (_, resp) = register(&mut sim, to, "wrong");
    assert_eq!(status(&resp), 401);
    let m = parse(&resp).unwrap();
    assert!(!m.typed::<WwwAuthenticate>().unwrap().stale());
    assert!(!sim.site(SITE).is_bound(sim.now(), "1001"));
}

#[test]
fn both_algorithms_are_offered_and_sha256_is_used() {
    let config = SiteConfig::new("sim.example")
        .user("1001", "pw")
        .algorithms(&[DigestAlgorithm::Sha256, DigestAlgorithm::Md5]);
    let (mut sim, to) = setup(config);
    let first = send(&mut sim, to, spec(1, 3600).build());
    let m = parse(&first).unwrap();
    let algs: Vec<_> = m
        .typed_all::<WwwAuthenticate>()
        .map(|c| c.unwrap().algorithm().unwrap().to_owned())
        .collect();
    assert_eq!(algs, ["SHA-256", "MD5"]);
    let (_, ok) = register(&mut sim, to, "pw");
    assert_eq!(status(&ok), 200);
    let raw = &sim.site(SITE).requests().last().unwrap().raw;
    assert!(String::from_utf8_lossy(raw).contains("algorithm=SHA-256"));
}

#[test]
fn old_nonce_is_stale() {
    let mut config = SiteConfig::new("sim.example").user("1001", "pw");
    config.nonce_lifetime = Duration::from_secs(60);
    let (mut sim, to) = setup(config);
    let (mut client, ok) = register(&mut sim, to, "pw");
    assert_eq!(status(&ok), 200);

    sim.run_for(Duration::from_secs(61));
    let s = spec(3, 3600);
    let cached = client
        .authorize_with_cached("REGISTER", &s.uri(), b"", "c3")
        .unwrap();
    let refresh = RegisterSpec {
        authorization: Some(&cached.value),
        ..s
    };
    let resp = send(&mut sim, to, refresh.build());
    assert_eq!(status(&resp), 401);
    let m = parse(&resp).unwrap();
    assert!(m.typed::<WwwAuthenticate>().unwrap().stale());

    // A fresh nonce works.
    let auth = authorize(&mut client, &m, &spec(4, 3600), "pw", "c4");
    let again = RegisterSpec {
        authorization: Some(&auth),
        ..spec(4, 3600)
    };
    assert_eq!(status(&send(&mut sim, to, again.build())), 200);
}

#[test]
fn below_min_expires_is_423_and_max_is_enforced() {
    let mut config = SiteConfig::new("sim.example");
    config.require_auth = false;
    config.min_expires = 1800;
    config.max_expires = 7200;
    let (mut sim, to) = setup(config);
    let resp = send(&mut sim, to, spec(1, 600).build());
    assert_eq!(status(&resp), 423);
    assert_eq!(
        parse(&resp).unwrap().typed::<MinExpires>().unwrap(),
        MinExpires(1800)
    );
    assert!(!sim.site(SITE).is_bound(sim.now(), "1001"));
    let resp = send(&mut sim, to, spec(2, 86400).build());
    assert_eq!(status(&resp), 200);
    let m = parse(&resp).unwrap();
    assert_eq!(m.typed::<Contact>().unwrap().expires(), Some(7200));
}

#[test]
fn unavailable_mode_sends_503_with_retry_after_and_still_answers_options() {
    let mut config = SiteConfig::new("sim.example");
    config.require_auth = false;
    let (mut sim, to) = setup(config);
    sim.site_mut(SITE).set_mode(SiteMode::ServiceUnavailable {
        retry_after: Some(20),
    });
    let resp = send(&mut sim, to, spec(1, 3600).build());
    assert_eq!(status(&resp), 503);
    let m = parse(&resp).unwrap();
    assert_eq!(m.typed::<RetryAfter>().unwrap().seconds, 20);
    assert_eq!(
        status(&send(&mut sim, to, options_request(ENDPOINT_UDP, to, 9))),
        200
    );
    sim.site_mut(SITE).set_mode(SiteMode::Normal);
    assert_eq!(status(&send(&mut sim, to, spec(2, 3600).build())), 200);
}

#[test]
fn rejected_user_gets_403() {
    let (mut sim, to) = setup(SiteConfig::new("sim.example").user("1001", "pw"));
    sim.site_mut(SITE).reject_user("1001");
    let (_, resp) = register(&mut sim, to, "pw");
    assert_eq!(status(&resp), 403);
    sim.site_mut(SITE).accept_user("1001");
    // Past the server transactions' memory, so the same branches are new.
    sim.run_for(Duration::from_secs(40));
    let (_, resp) = register(&mut sim, to, "pw");
    assert_eq!(status(&resp), 200);
}

#[test]
fn retransmissions_get_the_same_response() {
    let mut config = SiteConfig::new("sim.example");
    config.require_auth = false;
    let (mut sim, to) = setup(config);
    let a = send(&mut sim, to, spec(1, 3600).build());
    let b = send(&mut sim, to, spec(1, 3600).build());
    assert_eq!(a, b);
    let c = sim.site(SITE).counters();
    assert_eq!((c.requests, c.retransmissions), (2, 1));
}

#[test]
fn restart_loses_bindings() {
    let mut config = SiteConfig::new("sim.example");
    config.require_auth = false;
    let (mut sim, to) = setup(config);
    assert_eq!(status(&send(&mut sim, to, spec(1, 3600).build())), 200);
    assert!(sim.site(SITE).is_bound(sim.now(), "1001"));
    sim.stop_site(SITE);
    sim.start_site(SITE);
    assert!(!sim.site(SITE).is_bound(sim.now(), "1001"));
}

#[test]
fn bindings_expire() {
    let mut config = SiteConfig::new("sim.example");
    config.require_auth = false;
    let (mut sim, to) = setup(config);
    assert_eq!(status(&send(&mut sim, to, spec(1, 120).build())), 200);
    sim.run_for(Duration::from_secs(119));
    assert!(sim.site(SITE).is_bound(sim.now(), "1001"));
    sim.run_for(Duration::from_secs(2));
    assert!(!sim.site(SITE).is_bound(sim.now(), "1001"));
}

#[test]
fn the_request_log_keeps_at_most_max_records() {
    let mut config = SiteConfig::new("example.com");
    config.max_records = Some(3);
    let (mut sim, to) = setup(config);
    for cseq in 1..=5 {
        let reply = send(&mut sim, to, options_request(ENDPOINT_UDP, to, cseq));
        assert_eq!(status(&reply), 200);
    }
    let seqs: Vec<u32> = sim
        .site(SiteId(0))
        .requests()
        .iter()
        .map(|r| r.cseq)
        .collect();
    assert_eq!(seqs, [3, 4, 5], "the newest three");
}
