//! The hold call of `uas_hold.xml` again, through the blocking std Phone.

use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use geosip_core::connection::ConnectionId;
use geosip_core::event::Event;
use geosip_core::io::TransportKind;
use geosip_core::session::{SessionReason, SessionStatus};
use geosip_sim::sipp::{sipp_or_skip, Sipp};
use geosip_std::{Phone, PhoneConfig};

use super::{available, conn, over, reaches, statuses, STEP};

/// Waits for an event that `pick` picks; every event seen goes to `log`.
fn until<T>(
    events: &Receiver<Event>,
    log: &mut Vec<Event>,
    mut pick: impl FnMut(&Event) -> Option<T>,
) -> T {
    let deadline = Instant::now() + STEP;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(e) => {
                let t = pick(&e);
                log.push(e);
                if let Some(t) = t {
                    return t;
                }
            }
            Err(e) => panic!("no such event within {STEP:?}: {e}\nseen: {log:#?}"),
        }
    }
}

fn std_hold_call(transport: TransportKind) {
    let Some(bin) = sipp_or_skip() else { return };
    let sipp = Sipp::uas(bin, "uas_hold.xml")
        .transport(transport)
        .calls(2)
        .spawn()
        .unwrap();
    let (phone, events) = Phone::start(PhoneConfig {
        bind_udp: "127.0.0.1:0".parse().unwrap(),
        shutdown_timeout: Duration::from_millis(300),
        ..Default::default()
    })
    .unwrap();
    let mut log = Vec::new();
    let c0 = ConnectionId(0);
    phone
        .add_connection(c0, conn("1001", sipp.addr(), transport))
        .unwrap();
    until(&events, &mut log, available(c0));

    let call = phone.dial(c0, "2000").unwrap();
    until(&events, &mut log, reaches(call, SessionStatus::Connected));
    phone.hold(call).unwrap();
    until(&events, &mut log, reaches(call, SessionStatus::Held));
    phone.retrieve(call).unwrap();
    until(&events, &mut log, reaches(call, SessionStatus::Connected));
    phone.hangup(call).unwrap();
    let why = until(
        &events,
        &mut log,
        reaches(call, SessionStatus::Disconnected),
    );

    let outcome = sipp.wait(STEP);
    phone.shutdown();
    use SessionStatus::*;
    let seen: Vec<_> = statuses(&log, call)
        .into_iter()
        .filter(|s| !matches!(s, Dialing | Ringing))
        .collect();
    assert_eq!(seen, [Connected, Held, Connected, Disconnected], "{log:#?}");
    assert_eq!(why, SessionReason::Local);
    assert!(outcome.passed(2), "{outcome}");
    assert!(outcome.messages.contains(over(transport)), "{outcome}");
}

#[test]
fn std_hold_and_retrieve_over_udp() {
    std_hold_call(TransportKind::Udp);
}

#[test]
fn std_hold_and_retrieve_over_tcp() {
    std_hold_call(TransportKind::Tcp);
}
