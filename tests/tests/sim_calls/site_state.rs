//! What a site keeps of its calls: nothing across a stop, and no trace
//! in the REGISTER nonces and tags.

use std::time::Duration;

use geosip_core::io::TransportKind;
use geosip_core::message::headers::WwwAuthenticate;
use geosip_core::message::parse;
use geosip_sim::scripted::inbox::{last_with, statuses};
use geosip_sim::scripted::sip::invite;
use geosip_sim::scripted::RegisterSpec;
use geosip_sim::{SiteConfig, ENDPOINT_UDP};

use super::{config, connect, send, setup, REALM, SITE};

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
