//! Runs the `sipcat` example against the RFC 4475 torture messages in
//! ../shared/torture and checks its output lines and exit codes.
//!
//! Cargo gives integration tests no `CARGO_BIN_EXE_*` for examples, so the
//! example is built once with the cargo that runs this test (same target
//! directory, profile and features, so it is normally up to date already)
//! and its path is taken from cargo's JSON messages.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn shared() -> PathBuf {
    std::env::var_os("GEOSIP_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}

fn torture(rel: &str) -> PathBuf {
    shared().join("torture").join(rel)
}

/// Builds the example and returns the path of its executable.
fn sipcat() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let mut cmd = Command::new(env!("CARGO"));
        cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args([
            "build",
            "--quiet",
            "--offline",
            "--package",
            "geosip-core",
            "--example",
            "sipcat",
            "--message-format=json-render-diagnostics",
        ]);
        if cfg!(feature = "rsip") {
            cmd.args(["--features", "rsip"]);
        }
        if !cfg!(debug_assertions) {
            cmd.arg("--release");
        }
        let out = cmd.output().expect("run cargo build");
        assert!(
            out.status.success(),
            "cargo build --example sipcat failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        stdout
            .lines()
            .filter(|l| {
                l.contains(r#""reason":"compiler-artifact""#) && l.contains(r#""name":"sipcat""#)
            })
            .find_map(executable)
            .unwrap_or_else(|| panic!("no sipcat executable in cargo's output:\n{stdout}"))
    })
}

/// The `"executable":"..."` field of one cargo JSON message.
fn executable(line: &str) -> Option<PathBuf> {
    const KEY: &str = r#""executable":""#;
    let start = line.find(KEY)? + KEY.len();
    let mut path = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(PathBuf::from(path)),
            '\\' => path.push(chars.next()?),
            c => path.push(c),
        }
    }
    None
}

fn run(args: &[&str], files: &[&Path]) -> Output {
    Command::new(sipcat())
        .args(args)
        .args(files)
        .output()
        .expect("run sipcat")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn percent_method_is_reported_as_written_with_its_header_count() {
    let f = torture("valid/esc02.dat");
    let o = run(&[], &[&f]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let bytes = std::fs::read(&f).unwrap();
    let n = geosip_core::message::parse(&bytes).unwrap().header_count();
    assert_eq!(
        stdout(&o),
        format!("{}: ok RE%47IST%45R headers={n}\n", f.display())
    );
}

#[test]
fn negative_content_length_is_an_error_naming_the_header() {
    let f = torture("invalid/ncl.dat");
    let o = run(&[], &[&f]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let out = stdout(&o);
    let prefix = format!("{}: error: ", f.display());
    assert!(out.starts_with(&prefix), "{out}");
    assert!(out.contains("Content-Length"), "{out}");
    assert!(out.contains("line "), "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
}

#[test]
fn dump_writes_long_names_and_unfolded_values() {
    let f = torture("valid/wsinv.dat");
    let o = run(&["--dump"], &[&f]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], format!("{}: ok INVITE headers=14", f.display()));
    assert_eq!(lines.len(), 1 + 14 + 1, "{out}");
    // The message has `Via  :` (folded) and `v:`; both print as `Via: `.
    let vias: Vec<&&str> = lines.iter().filter(|l| l.starts_with("Via: ")).collect();
    assert_eq!(vias.len(), 2, "{out}");
    assert!(vias[0].contains("192.0.2.2;branch=390skdjuw"), "{out}");
    assert!(vias[1].contains("spindle.example.com"), "{out}");
    assert!(!lines.iter().any(|l| l.starts_with("v:")), "{out}");
    // Other compact and oddly cased names come out long.
    assert!(lines.contains(&"Max-Forwards: 0068"), "{out}");
    assert!(lines.contains(&"CSeq: 0009 INVITE"), "{out}");
    assert!(
        lines.iter().any(|l| l.starts_with("Contact: ")),
        "m: is Contact\n{out}"
    );
    assert!(lines.contains(&"UnknownHeaderWithUnusualValue: ;;,,;;,;"));
    assert_eq!(lines[15], "(body: 150 bytes)");
    // Folds are gone: no header line starts with white space.
    assert!(lines.iter().all(|l| !l.starts_with([' ', '\t'])), "{out}");
}

#[test]
fn validate_reports_invalid_and_fails() {
    let bad = torture("invalid/mismatch01.dat");
    let good = torture("valid/esc01.dat");
    let o = run(&["--validate"], &[&good, &bad]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with(&format!("{}: ok ", good.display())),
        "{out}"
    );
    assert!(
        lines[1].starts_with(&format!("{}: invalid: ", bad.display())),
        "{out}"
    );
    assert!(lines[1].contains("CSeq"), "{out}");

    // Without --validate the same message is ok.
    let o = run(&[], &[&bad]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(stdout(&o).contains(": ok OPTIONS headers="));
}

#[test]
fn every_valid_message_is_ok_and_responses_show_their_code() {
    let dir = torture("valid");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "dat"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 13);
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let o = run(&["--validate"], &refs);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 13, "{out}");
    for (line, f) in out.lines().zip(&files) {
        assert!(line.starts_with(&format!("{}: ok ", f.display())), "{line}");
    }
    let noreason = torture("valid/noreason.dat");
    assert!(
        out.contains(&format!("{}: ok 100 headers=", noreason.display())),
        "{out}"
    );
}

#[test]
fn unreadable_file_is_an_error_line_and_others_still_run() {
    let missing = torture("valid/no-such-file.dat");
    let good = torture("valid/esc01.dat");
    let o = run(&[], &[&missing, &good]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with(&format!("{}: error: ", missing.display())),
        "{out}"
    );
    assert!(lines[1].contains(": ok "), "{out}");
}

#[test]
fn usage_errors_exit_2_with_usage_on_stderr() {
    let good = torture("valid/esc01.dat");
    for (args, files) in [
        (&[][..], &[][..]),
        (&["--dump"][..], &[][..]),
        (&["--frobnicate"][..], &[good.as_path()][..]),
    ] {
        let o = run(args, files);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {o:?}");
        assert!(o.stdout.is_empty(), "{args:?}: {o:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("usage: sipcat"), "{args:?}: {err}");
    }
}
