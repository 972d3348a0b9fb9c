//! `SipEndpoint.config`: the seed examples load with every field they set
//! and the defaults for the rest; each kind of mistake names file, line
//! and setting; unknown settings warn; passwords never show.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use geosip_core::config::{LogLevel, SipEndpointConfig};
use geosip_core::connection::{ConnectionConfig, ConnectionId};
use geosip_core::endpoint::EndpointConfig;
use geosip_core::io::TransportKind;

#[path = "config/errors.rs"]
mod errors;
#[path = "config/fuzz.rs"]
mod fuzz;

const TWO_SITES: &str = include_str!("config/two-sites.config");
const FULL: &str = include_str!("config/full.config");

/// The 1-based line of the first occurrence of `needle`.
pub(crate) fn line_of(text: &str, needle: &str) -> u32 {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    text[..at].matches('\n').count() as u32 + 1
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[test]
fn two_sites_loads_as_written() {
    let c = SipEndpointConfig::parse("two-sites.config", TWO_SITES).unwrap();
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert_eq!(c.connections.len(), 2);

    let mut want0 = ConnectionConfig::new("1001", "192.0.2.1:5060", TransportKind::Udp);
    want0.password = Some(geosip_core::connection::Secret::new("site-a-secret"));
    want0.reg_interval = secs(1800);
    let mut want1 = ConnectionConfig::new("1001", "198.51.100.1:5060", TransportKind::Udp);
    want1.password = Some(geosip_core::connection::Secret::new("site-b-secret"));
    want1.reg_interval = secs(600);
    // Whole-struct comparison: every other field keeps its default.
    assert_eq!(c.connections[0], (ConnectionId(0), want0));
    assert_eq!(c.connections[1], (ConnectionId(1), want1));

    let d = EndpointConfig::default();
    assert_eq!(c.endpoint.transactions, d.transactions);
    assert_eq!(c.endpoint.auto_answer, d.auto_answer);
    assert_eq!(c.endpoint.accept_direct_calls, d.accept_direct_calls);
    assert_eq!(c.endpoint.max_sessions, d.max_sessions);
    assert_eq!(c.endpoint.media_port_base, d.media_port_base);
    assert_eq!(c.endpoint.user_agent, d.user_agent);
    assert_eq!(c.endpoint.connect_timeout, d.connect_timeout);
    assert_eq!(c.diagnostics.log_level, LogLevel::Info);
    assert_eq!(c.diagnostics.log_file, None);
}

#[test]
fn full_loads_as_written() {
    let c = SipEndpointConfig::parse("full.config", FULL).unwrap();
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert_eq!(c.connections.len(), 3);
    let ids: Vec<_> = c.connections.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, [ConnectionId(0), ConnectionId(1), ConnectionId(2)]);

    let p0 = &c.connections[0].1;
    assert_eq!(p0.user, "1001");
    assert_eq!(p0.server, "192.0.2.1:5060");
    assert_eq!(p0.transport, TransportKind::Udp);
    assert_eq!(p0.display_name.as_deref(), Some("Agent 1001"));
    assert_eq!(p0.password.as_ref().unwrap().expose(), "secret");
    assert_eq!(p0.auth_user.as_deref(), Some("agent1001"));
    assert_eq!(p0.domain.as_deref(), Some("example.com"));
    assert_eq!(p0.reg_interval, secs(1800));
    assert_eq!(p0.reg_timeout, Some(secs(1800)));
    assert!(!p0.reg_match_received_rport);
    assert_eq!(p0.retry_base, secs(2));
    assert_eq!(p0.retry_max, secs(30));
    assert_eq!(p0.keepalive_interval, secs(5));
    assert_eq!(p0.probe_timeout, secs(4));
    assert!(p0.enabled);

    let p1 = &c.connections[1].1;
    assert_eq!(p1.server, "sip2.example.com:5061");
    assert_eq!(p1.transport, TransportKind::Tls);
    assert_eq!(p1.display_name.as_deref(), Some("Agent 1001 (site 2)"));
    assert_eq!(p1.password.as_ref().unwrap().expose(), "secret2");
    assert_eq!(p1.auth_user, None);
    assert_eq!(p1.domain, None);
    assert_eq!(p1.reg_interval, secs(900));
    assert_eq!(p1.reg_timeout, Some(secs(3600)));
    assert!(p1.reg_match_received_rport);
    assert_eq!(p1.retry_base, Duration::from_millis(500));
    assert_eq!(p1.retry_max, secs(60));
    assert_eq!(p1.keepalive_interval, secs(10));
    assert_eq!(p1.probe_timeout, Duration::from_millis(2250));
    assert!(!p1.enabled);

    // An empty value keeps the default; protocol is case-insensitive.
    let want2 = ConnectionConfig::new("2002", "[2001:db8::1]", TransportKind::Tcp);
    assert_eq!(c.connections[2].1, want2);

    let e = &c.endpoint;
    assert_eq!(e.transactions.timers.timeout, secs(20));
    assert_eq!(e.transactions.timers.t1, Duration::from_millis(250));
    assert_eq!(e.transactions.timers.t2, secs(2));
    assert_eq!(e.transactions.timers.t4, Duration::from_millis(2500));
    assert_eq!(e.transactions.timers.timer_d, secs(32));
    assert_eq!(e.max_sessions, 4);
    assert_eq!(e.media_port_base, 50000);
    assert_eq!(e.user_agent, "Agent Desk 7");
    assert_eq!(e.connect_timeout, Duration::from_millis(2500));
    assert!(!e.auto_answer);
    assert!(e.accept_direct_calls);
    assert_eq!(e.local_udp, None);
    assert_eq!(e.max_connections, EndpointConfig::default().max_connections);

    assert_eq!(c.diagnostics.log_level, LogLevel::Debug);
    assert_eq!(
        c.diagnostics.log_file.as_deref(),
        Some("logs/SipEndpoint.log")
    );
}

#[test]
fn t1_alone_sets_the_timeout_to_64_t1() {
    let text = FULL.replace(
        r#"<setting name="sip_transaction_timeout" value="20000"/>"#,
        "",
    );
    let c = SipEndpointConfig::parse("full.config", &text).unwrap();
    assert_eq!(c.endpoint.transactions.timers.timeout, secs(16));
}

#[test]
fn log_levels_follow_genesys_numbers_and_take_names() {
    for (v, want) in [
        ("0", LogLevel::Error),
        ("1", LogLevel::Error),
        ("2", LogLevel::Warn),
        ("3", LogLevel::Info),
        ("4", LogLevel::Debug),
        ("TRACE", LogLevel::Trace),
        ("warn", LogLevel::Warn),
    ] {
        let text = FULL.replace(
            r#"name="log_level" value="4""#,
            &format!(r#"name="log_level" value="{v}""#),
        );
        let c = SipEndpointConfig::parse("full.config", &text).unwrap();
        assert_eq!(c.diagnostics.log_level, want, "{v}");
    }
}

/// A `tracing` subscriber that keeps every event as text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write;
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut s = format!("{} ", event.metadata().level());
        event.record(&mut Fields(&mut s));
        self.0.lock().unwrap().push(s);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn unknown_things_warn_with_their_line_and_the_rest_loads() {
    let text = FULL
        .replacen(
            r#"<setting name="password" value="secret"/>"#,
            "<setting name=\"password\" value=\"secret\"/>\n        \
             <setting name=\"pasword\" value=\"hunter2\"/>",
            1,
        )
        .replacen(
            r#"<domain name="system">"#,
            "<domain name=\"codecs\">\n      <section name=\"PCMU/8000\">\
             <setting name=\"priority\" value=\"1\"/></section>\n    </domain>\n    \
             <domain name=\"system\">",
            1,
        );
    let capture = Capture::default();
    let c = tracing::subscriber::with_default(capture.clone(), || {
        SipEndpointConfig::parse("full.config", &text).unwrap()
    });
    let typo = line_of(&text, "pasword");
    let codecs = line_of(&text, "PCMU");
    let shown: Vec<String> = c.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            format!("full.config:{typo}: proxies/proxy0/pasword: unknown setting, ignored"),
            format!("full.config:{codecs}: codecs: unknown domain, ignored"),
        ]
    );
    // The rest loaded.
    assert_eq!(
        c.connections[0].1.password.as_ref().unwrap().expose(),
        "secret"
    );
    assert_eq!(c.diagnostics.log_level, LogLevel::Debug);

    let logged = capture.0.lock().unwrap().clone();
    assert_eq!(logged.len(), 2, "{logged:?}");
    assert!(logged[0].starts_with("WARN "), "{logged:?}");
    assert!(logged[0].contains("pasword") && logged[0].contains(&typo.to_string()));
    // Neither the unknown setting's value nor any password shows.
    let everything = format!("{logged:?} {:?} {shown:?} {c:?}", c.warnings);
    for secret in ["hunter2", "secret"] {
        assert!(!everything.contains(secret), "{secret} in {everything}");
    }
}

#[test]
fn errors_never_show_a_password() {
    // Too long, and a bad entity inside the value.
    let long = format!(r#"value="hunter2{}""#, "x".repeat(5000));
    for to in [
        long.as_str(),
        r#"value="hun&ter2;""#,
        "value=\"hunter2\u{1}\"",
    ] {
        let text = FULL.replacen(r#"value="secret""#, to, 1);
        let err = SipEndpointConfig::parse("full.config", &text).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("ter2"), "{shown}");
        assert_eq!(err.line, Some(line_of(FULL, r#"value="secret""#)), "{err}");
    }
}

#[test]
fn a_loaded_file_feeds_the_endpoint() {
    use geosip_core::endpoint::Endpoint;
    use std::time::Instant;

    for (name, text) in [("two-sites.config", TWO_SITES), ("full.config", FULL)] {
        let c = SipEndpointConfig::parse(name, text).unwrap();
        let now = Instant::now();
        let mut endpoint_config = c.endpoint;
        endpoint_config.local_udp = Some("192.0.2.100:5060".parse().unwrap());
        let mut ep = Endpoint::new(endpoint_config, now);
        for (id, conn) in c.connections.clone() {
            ep.add_connection(now, id, conn).unwrap();
        }
        let listed: Vec<_> = ep
            .connections()
            .into_iter()
            .map(|i| (i.id, i.enabled))
            .collect();
        let want: Vec<_> = c
            .connections
            .iter()
            .map(|(id, cc)| (*id, cc.enabled))
            .collect();
        assert_eq!(listed, want, "{name}");
    }
}

#[test]
fn windows_files_load_with_their_bom_and_crlf() {
    let text = format!("\u{feff}{}", FULL.replace('\n', "\r\n"));
    let c = SipEndpointConfig::parse("full.config", &text).unwrap();
    assert_eq!(c.connections.len(), 3);
    let bad = text.replacen(r#"value="900""#, r#"value="x""#, 1);
    let err = SipEndpointConfig::parse("full.config", &bad).unwrap_err();
    assert_eq!(err.line, Some(line_of(FULL, r#"value="900""#)));
}
