//! `sipcat`: parse SIP messages from files and report what the parser sees.
//!
//! ```text
//! cargo run -p geosip-core --example sipcat -- [--dump] [--validate] FILE...
//! ```
//!
//! For each FILE (read as bytes, parsed as one datagram) it prints one line:
//!
//! - `FILE: ok <METHOD|CODE> headers=<N>` when the message parses;
//! - `FILE: error: <reason>` when it does not (the reason names the line),
//!   or when the file cannot be read;
//! - with `--validate`, `FILE: invalid: <reason>` instead of `ok` when the
//!   message parses but fails [`Message::validate`].
//!
//! With `--dump`, an `ok` line is followed by every header as
//! `Long-Name: value` (folds replaced by one space), then
//! `(body: N bytes)`.
//!
//! Exit status: 0 when every file is ok, 1 when any is not, 2 for a usage
//! error (no files or an unknown option).

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use geosip_core::message::{parse, Message, StartLine};

const USAGE: &str = "usage: sipcat [--dump] [--validate] FILE...";

struct Options {
    dump: bool,
    validate: bool,
    files: Vec<PathBuf>,
}

fn parse_args(args: impl Iterator<Item = OsString>) -> Result<Options, String> {
    let mut opts = Options {
        dump: false,
        validate: false,
        files: Vec::new(),
    };
    let mut only_files = false;
    for arg in args {
        if only_files {
            opts.files.push(arg.into());
            continue;
        }
        match arg.to_str() {
            Some("--dump") => opts.dump = true,
            Some("--validate") => opts.validate = true,
            Some("--") => only_files = true,
            Some(flag) if flag.starts_with('-') && flag != "-" => {
                return Err(format!("unknown option {flag}"));
            }
            _ => opts.files.push(arg.into()),
        }
    }
    if opts.files.is_empty() {
        return Err("no files given".into());
    }
    Ok(opts)
}

fn summary(msg: &Message<'_>) -> String {
    match msg.start_line() {
        StartLine::Request { method, .. } => method.to_string(),
        StartLine::Response { code, .. } => code.to_string(),
    }
}

/// Reports one file; returns whether it was ok.
fn cat(out: &mut impl Write, path: &PathBuf, opts: &Options) -> io::Result<bool> {
    let name = path.display();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            writeln!(out, "{name}: error: {e}")?;
            return Ok(false);
        }
    };
    let msg = match parse(&bytes) {
        Ok(m) => m,
        Err(e) => {
            writeln!(out, "{name}: error: {e}")?;
            return Ok(false);
        }
    };
    if opts.validate {
        if let Err(e) = msg.validate() {
            writeln!(out, "{name}: invalid: {e}")?;
            return Ok(false);
        }
    }
    writeln!(
        out,
        "{name}: ok {} headers={}",
        summary(&msg),
        msg.header_count()
    )?;
    if opts.dump {
        for h in msg.headers() {
            writeln!(out, "{}: {}", h.long_name(), h.value_unfolded())?;
        }
        writeln!(out, "(body: {} bytes)", msg.body().len())?;
    }
    Ok(true)
}

fn main() -> ExitCode {
    let opts = match parse_args(std::env::args_os().skip(1)) {
        Ok(o) => o,
        Err(why) => {
            eprintln!("sipcat: {why}");
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut all_ok = true;
    for path in &opts.files {
        match cat(&mut out, path, &opts) {
            Ok(ok) => all_ok &= ok,
            // Output closed (e.g. piped into `head`): stop quietly.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return ExitCode::from(1),
            Err(e) => {
                eprintln!("sipcat: {e}");
                return ExitCode::from(1);
            }
        }
    }
    if let Err(e) = out.flush() {
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("sipcat: {e}");
        }
        return ExitCode::from(1);
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
