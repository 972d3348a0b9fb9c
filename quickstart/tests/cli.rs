//! The QuickStart as a user runs it: `--demo` tells the whole story and
//! exits 0, piped commands work, `--config` reads real servers from a
//! SipEndpoint.config, and a bad config names its file, line and setting.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use geosip_sim::live::LiveSite;
use geosip_sim::site::SiteConfig;

fn quickstart() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_geosip-quickstart"));
    c.env("RUST_BACKTRACE", "0");
    c
}

#[test]
fn the_demo_tells_the_whole_story_in_json_and_exits_0() {
    let t = Instant::now();
    let out = quickstart()
        .args(["--demo", "--json", "--ports", "0,0"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(t.elapsed() < Duration::from_secs(60));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    let events: Vec<&serde_json::Value> =
        lines.iter().filter(|v| v.get("event").is_some()).collect();
    let conn = |c: u64, status: &str| {
        events.iter().position(|e| {
            e["event"] == "ConnectionStatusChanged" && e["connection"] == c && e["status"] == status
        })
    };
    let up0 = conn(0, "Available").expect("connection 0 registers");
    let up1 = conn(1, "Available").expect("connection 1 registers");
    let down0 = conn(0, "Unavailable").expect("connection 0 goes down");
    assert!(up0 < down0 && up1 < down0);
    let fallback = events
        .iter()
        .position(|e| {
            e["event"] == "SessionStatusChanged"
                && e["status"] == "Dialing"
                && e["connection"] == 1
                && e["reason"].as_str().unwrap().contains("connection 0")
        })
        .expect("the dial on connection 0 moves to connection 1");
    assert!(fallback > down0);
    let incoming = events
        .iter()
        .position(|e| e["event"] == "IncomingCall" && e["connection"] == 1)
        .expect("a call comes in on connection 1");
    assert!(events[fallback..]
        .iter()
        .any(|e| e["event"] == "SessionStatusChanged" && e["status"] == "Held"));
    let back = events[down0..]
        .iter()
        .position(|e| {
            e["event"] == "ConnectionStatusChanged"
                && e["connection"] == 0
                && e["status"] == "Available"
        })
        .expect("connection 0 comes back");
    assert!(down0 + back > incoming);
    assert!(
        events.iter().any(|e| e["status"] == "Disabled"),
        "quit unregisters"
    );
}

#[test]
fn piped_commands_drive_the_phone() {
    let mut child = quickstart()
        .args(["--ports", "0,0"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Let both connections register before dialing.
    std::thread::sleep(Duration::from_millis(500));
    stdin
        .write_all(b"status\ndial 0 2000\nbogus\nhold 99\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    stdin.write_all(b"hangup 1\nquit\n").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("│ 0    │ 1001"), "{text}");
    assert!(
        text.contains("call 1 (outbound, connection 0): connected"),
        "{text}"
    );
    assert!(text.contains("error: unknown command \"bogus\""), "{text}");
    assert!(text.contains("error: no session 99"), "{text}");
    assert!(text.contains("Disabled (unregistered)"), "{text}");
}

#[test]
fn config_file_connections_register_on_real_servers() {
    let a = LiveSite::start(
        SiteConfig::new("a.test").user("7001", "pw1"),
        "127.0.0.1".parse().unwrap(),
        0,
    )
    .unwrap();
    let b = LiveSite::start(
        SiteConfig::new("b.test").user("7002", "pw2"),
        "127.0.0.1".parse().unwrap(),
        0,
    )
    .unwrap();
    let dir = std::env::temp_dir().join(format!("geosip-qs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("SipEndpoint.config");
    std::fs::write(
        &file,
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<Configuration name="SipEndpoint">
  <Container name="Basic">
    <Connectivity user="7001" server="{}" protocol="UDP"/>
    <Connectivity user="7002" server="{}" protocol="TCP"/>
  </Container>
  <Container name="Genesys">
    <domain name="proxies">
      <section name="proxy0"><setting name="password" value="pw1"/></section>
      <section name="proxy1"><setting name="password" value="pw2"/></section>
    </domain>
  </Container>
</Configuration>
"#,
            a.addr(),
            b.addr()
        ),
    )
    .unwrap();
    let mut child = quickstart()
        .arg("--config")
        .arg(&file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::thread::sleep(Duration::from_millis(800));
    stdin.write_all(b"status\nsite down 0\nquit\n").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    assert!(text.contains("connection 0 (7001 on"), "{text}");
    assert!(text.contains("connection 1 (7002 on"), "{text}");
    assert_eq!(text.matches("Available: registered").count(), 2, "{text}");
    assert!(text.contains("no built-in sites"), "{text}");
}

#[test]
fn a_bad_config_names_its_file_line_and_setting() {
    let dir = std::env::temp_dir().join(format!("geosip-qs-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("SipEndpoint.config");
    std::fs::write(
        &file,
        "<Configuration name=\"SipEndpoint\">\n<Container name=\"Basic\">\n\
<Connectivity user=\"1001\" server=\"127.0.0.1:5060\" protocol=\"UDP\"/>\n</Container>\n\
<Container name=\"Genesys\">\n<domain name=\"proxies\">\n<section name=\"proxy0\">\n\
<setting name=\"reg_interval\" value=\"soon\"/>\n</section>\n</domain>\n</Container>\n</Configuration>\n",
    )
    .unwrap();
    let out = quickstart()
        .arg("--config")
        .arg(&file)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("SipEndpoint.config:8"), "{err}");
    assert!(err.contains("proxies/proxy0/reg_interval"), "{err}");
}
