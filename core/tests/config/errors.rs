//! Each kind of mistake stops the load with file, line and setting.

use geosip_core::config::{ConfigErrorKind, SipEndpointConfig};

use super::{line_of, FULL};

/// Replaces `from` by `to` in the full example and checks the error's
/// kind, line (that of `from`), setting and message.
fn assert_error(from: &str, to: &str, kind: ConfigErrorKind, setting: &str, why: &str) {
    assert!(FULL.contains(from), "{from:?}");
    let line = line_of(FULL, from);
    let text = FULL.replacen(from, to, 1);
    let err = SipEndpointConfig::parse("full.config", &text).unwrap_err();
    assert_eq!(err.kind, kind, "{err}");
    assert_eq!(err.file, "full.config");
    assert_eq!(err.line, Some(line), "{err}");
    assert_eq!(err.setting.as_deref(), Some(setting), "{err}");
    assert_eq!(
        err.to_string(),
        format!("full.config:{line}: {setting}: {why}")
    );
}

#[test]
fn a_bad_number_names_file_line_and_setting() {
    assert_error(
        r#"name="reg_interval" value="900""#,
        r#"name="reg_interval" value="abc""#,
        ConfigErrorKind::BadValue,
        "proxies/proxy1/reg_interval",
        r#""abc" is not a number of seconds"#,
    );
    assert_error(
        r#"name="sip_t4" value="2500""#,
        r#"name="sip_t4" value="2.5""#,
        ConfigErrorKind::BadValue,
        "policy/endpoint/sip_t4",
        r#""2.5" is not a number of milliseconds"#,
    );
    assert_error(
        r#"name="enabled" value="false""#,
        r#"name="enabled" value="yes""#,
        ConfigErrorKind::BadValue,
        "proxies/proxy1/enabled",
        r#""yes" is not 0, 1, true or false"#,
    );
    assert_error(
        r#"name="retry_base" value="0.5""#,
        r#"name="retry_base" value="0.0005""#,
        ConfigErrorKind::BadValue,
        "proxies/proxy1/retry_base",
        r#""0.0005" is not a number of seconds"#,
    );
}

#[test]
fn an_out_of_range_value_names_file_line_and_setting() {
    assert_error(
        r#"name="reg_interval" value="1800""#,
        r#"name="reg_interval" value="0""#,
        ConfigErrorKind::OutOfRange,
        "proxies/proxy0/reg_interval",
        r#""0" is out of range 1..=86400 s"#,
    );
    assert_error(
        r#"name="max_sessions" value="4""#,
        r#"name="max_sessions" value="99999999999999999999999""#,
        ConfigErrorKind::OutOfRange,
        "policy/endpoint/max_sessions",
        r#""99999999999999999999999" is out of range 1..=10000"#,
    );
    assert_error(
        r#"name="reg_timeout" value="1800""#,
        r#"name="reg_timeout" value="0""#,
        ConfigErrorKind::OutOfRange,
        "proxies/proxy0/reg_timeout",
        "0 (standalone mode, no registration) is not supported; \
         set enabled to 0 to turn the connection off",
    );
    assert_error(
        r#"name="media_port_base" value="50000""#,
        r#"name="media_port_base" value="50001""#,
        ConfigErrorKind::BadValue,
        "policy/endpoint/media_port_base",
        r#""50001" is odd; RTP uses even ports"#,
    );
    assert_error(
        r#"name="retry_max" value="60""#,
        r#"name="retry_max" value="0.25""#,
        ConfigErrorKind::OutOfRange,
        "proxies/proxy1/retry_max",
        "retry_max (0.25 s) is below retry_base (0.5 s)",
    );
    assert_error(
        r#"name="sip_t2" value="2000""#,
        r#"name="sip_t2" value="200""#,
        ConfigErrorKind::OutOfRange,
        "policy/endpoint/sip_t2",
        "sip_t2 (200 ms) is below sip_t1 (250 ms)",
    );
}

#[test]
fn a_bad_protocol_or_server_or_user_names_the_connectivity_line() {
    assert_error(
        r#"protocol="TLS""#,
        r#"protocol="SCTP""#,
        ConfigErrorKind::BadValue,
        "Connectivity[1]/protocol",
        r#""SCTP" is not UDP, TCP or TLS"#,
    );
    assert_error(
        r#"server="sip2.example.com:5061""#,
        r#"server="sip2.example.com:70000""#,
        ConfigErrorKind::BadValue,
        "Connectivity[1]/server",
        r#""sip2.example.com:70000" is not host[:port]: bad port"#,
    );
    assert_error(
        r#"server="[2001:db8::1]""#,
        r#"server="2001:db8::1]""#,
        ConfigErrorKind::BadValue,
        "Connectivity[2]/server",
        r#""2001:db8::1]" is not host[:port]: bad port"#,
    );
    assert_error(
        r#"user="2002""#,
        r#"user="agent 2002""#,
        ConfigErrorKind::BadValue,
        "Connectivity[2]/user",
        r#""agent 2002" is not a SIP user (letters, digits and -_.!~*'()&=+$,;?/%)"#,
    );
    assert_error(
        r#"user="2002" "#,
        "",
        ConfigErrorKind::Structure,
        "Connectivity[2]/user",
        "user= is missing",
    );
}

#[test]
fn bad_xml_names_file_and_line() {
    // An unclosed tag: the error is where the parser finds out.
    let text = FULL.replacen(
        r#"<setting name="max_sessions" value="4"/>"#,
        r#"<setting name="max_sessions" value="4">"#,
        1,
    );
    let err = SipEndpointConfig::parse("full.config", &text).unwrap_err();
    assert_eq!(err.kind, ConfigErrorKind::Xml);
    let closing = line_of(FULL, "</section>");
    assert_eq!(err.line, Some(closing), "{err}");
    assert!(
        err.to_string().starts_with(&format!(
            "full.config:{closing}: bad XML: expected 'setting' tag"
        )),
        "{err}"
    );

    // A file cut short: the error is at its end.
    let cut = &FULL[..FULL.find("<domain name=\"system\">").unwrap()];
    let err = SipEndpointConfig::parse("full.config", cut).unwrap_err();
    assert_eq!(err.kind, ConfigErrorKind::Xml);
    assert_eq!(
        err.line,
        Some(cut.matches('\n').count() as u32 + 1),
        "{err}"
    );
}

#[test]
fn a_dtd_is_refused() {
    let text = FULL.replacen(
        "<Configuration",
        "<!DOCTYPE lol [<!ENTITY lol \"lol\">]>\n<Configuration",
        1,
    );
    let err = SipEndpointConfig::parse("full.config", &text).unwrap_err();
    assert_eq!(err.kind, ConfigErrorKind::Xml);
    assert_eq!(err.to_string(), "full.config:1: a DTD is not allowed");
}

#[test]
fn a_proxy_section_without_connectivity_is_an_error() {
    let text = FULL.replacen(
        r#"<section name="proxy2">"#,
        r#"<section name="proxy3">"#,
        1,
    );
    let err = SipEndpointConfig::parse("full.config", &text).unwrap_err();
    let line = line_of(FULL, r#"value="""#);
    assert_eq!(err.kind, ConfigErrorKind::UnknownConnection);
    assert_eq!(
        err.to_string(),
        format!(
            "full.config:{line}: proxies/proxy3/password: section proxy3 has no \
             Connectivity: there are 3 Connectivity lines, so proxy0..proxy2 only"
        )
    );
}

#[test]
fn a_setting_set_twice_is_an_error_even_across_sections() {
    let text = FULL.replacen(
        r#"<setting name="accept_direct_calls" value="true"/>"#,
        "<setting name=\"accept_direct_calls\" value=\"true\"/>\n        \
         <setting name=\"max_sessions\" value=\"4\"/>",
        1,
    );
    let err = SipEndpointConfig::parse("full.config", &text).unwrap_err();
    let first = line_of(&text, r#""max_sessions""#);
    let second = line_of(&text, r#"value="true"/>"#) + 1;
    assert_eq!(err.kind, ConfigErrorKind::Duplicate);
    assert_eq!(
        err.to_string(),
        format!(
            "full.config:{second}: policy/session/max_sessions: \
             set twice: also on line {first} (in section endpoint)"
        )
    );
}

#[test]
fn the_connection_count_is_bounded() {
    let line = "    <Connectivity user=\"1\" server=\"192.0.2.9\"/>\n";
    let head = "<Configuration>\n  <Container name=\"Basic\">\n";
    let text = format!(
        "{head}{}  </Container>\n</Configuration>\n",
        line.repeat(65)
    );
    let err = SipEndpointConfig::parse("many.config", &text).unwrap_err();
    assert_eq!(err.kind, ConfigErrorKind::TooManyConnections);
    assert_eq!(
        err.to_string(),
        "many.config:67: Connectivity[64]: at most 64 connections"
    );
    let ok = format!(
        "{head}{}  </Container>\n</Configuration>\n",
        line.repeat(64)
    );
    assert_eq!(
        SipEndpointConfig::parse("many.config", &ok)
            .unwrap()
            .connections
            .len(),
        64
    );
}

#[test]
fn the_file_and_its_values_are_bounded() {
    let huge = format!("{FULL}<!--{}-->", " ".repeat(1 << 20));
    let err = SipEndpointConfig::parse("huge.config", &huge).unwrap_err();
    assert_eq!(err.kind, ConfigErrorKind::TooLarge);
    assert_eq!(err.line, None);
    assert!(
        err.to_string().starts_with("huge.config: the file is "),
        "{err}"
    );

    let long = "x".repeat(4097);
    assert_error(
        r#"value="Agent Desk 7""#,
        &format!(r#"value="{long}""#),
        ConfigErrorKind::TooLarge,
        "policy/endpoint/value",
        "the value is 4097 bytes long, at most 4096 are allowed",
    );
    let fits = FULL.replacen("Agent Desk 7", &"x".repeat(4096), 1);
    assert!(SipEndpointConfig::parse("full.config", &fits).is_ok());
}

#[test]
fn other_xml_shapes_are_refused_or_warned() {
    let err = SipEndpointConfig::parse("x.config", "<Settings/>").unwrap_err();
    assert_eq!(err.kind, ConfigErrorKind::Structure);
    assert_eq!(
        err.to_string(),
        "x.config:1: the root element is <Settings>, not <Configuration>"
    );
    let err = SipEndpointConfig::parse("x.config", "").unwrap_err();
    assert_eq!(err.kind, ConfigErrorKind::Xml);

    let text = FULL.replacen(
        r#"<setting name="sip_t4" value="2500"/>"#,
        r#"<setting name="sip_t4"/>"#,
        1,
    );
    let err = SipEndpointConfig::parse("full.config", &text).unwrap_err();
    assert_eq!(err.kind, ConfigErrorKind::Structure);
    assert_eq!(err.line, Some(line_of(FULL, "sip_t4")));

    let text = FULL
        .replacen("<section name=\"proxy2\">", "<section name=\"backup\">", 1)
        .replacen("protocol=\"tcp\"", "protocol=\"tcp\" transport=\"x\"", 1);
    let c = SipEndpointConfig::parse("full.config", &text).unwrap();
    let shown: Vec<String> = c.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            format!(
                "full.config:{}: Connectivity[2]/transport: unknown attribute, ignored",
                line_of(FULL, "2002")
            ),
            format!(
                "full.config:{}: proxies/backup: unknown section (expected proxyN), ignored",
                line_of(FULL, "proxy2") + 1
            ),
        ]
    );
}
