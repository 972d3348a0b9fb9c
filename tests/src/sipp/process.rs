//! The running `sipp` process: spawning it with its files in a temporary
//! folder, waiting for it with a bound, killing it, and reading what it
//! left.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use geosip_core::io::TransportKind;

use super::{free_port, Role, Sipp, SippStats};

/// A `sipp` process started by [`Sipp::spawn`]. Dropping it kills the
/// process if it still runs and removes its temporary folder (kept when
/// `GEOSIP_KEEP_SIPP` is set, for debugging).
#[derive(Debug)]
pub struct SippRun {
    child: Option<Child>,
    addr: std::net::SocketAddr,
    dir: PathBuf,
    started: Instant,
}

/// What a finished (or killed) SIPp run left: its exit code, statistics
/// and logs.
#[derive(Debug, Clone)]
pub struct SippOutcome {
    /// The exit code: 0 when every call succeeded, 1 when one failed, 97
    /// on an internal stop, 99 when no call was processed, 255/254 on a
    /// fatal or bind error; `None` when it was killed (it ran too long).
    pub exit_code: Option<i32>,
    /// The last row of its statistics CSV (`-trace_stat`).
    pub stats: SippStats,
    /// Its error log (`-trace_err`): unexpected messages, failed checks.
    pub errors: String,
    /// Its message log (`-trace_msg`): every message sent and received.
    pub messages: String,
    /// Its standard error.
    pub stderr: String,
    /// How long it ran.
    pub elapsed: Duration,
}

impl SippOutcome {
    /// Whether SIPp exited with 0 and counted exactly `calls` successful
    /// calls and no failed one.
    pub fn passed(&self, calls: u64) -> bool {
        self.exit_code == Some(0) && self.stats.successful() == calls && self.stats.failed() == 0
    }
}

impl fmt::Display for SippOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "sipp exit code {:?} after {:?}: {} successful, {} failed",
            self.exit_code,
            self.elapsed,
            self.stats.successful(),
            self.stats.failed()
        )?;
        writeln!(f, "--- stderr\n{}", self.stderr.trim_end())?;
        writeln!(f, "--- errors\n{}", self.errors.trim_end())?;
        write!(f, "--- messages\n{}", self.messages.trim_end())
    }
}

/// A folder of its own for each run in this process.
fn temp_dir() -> std::io::Result<PathBuf> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("geosip-sipp-{}-{n}", std::process::id()));
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Starts SIPp on a free port. The port is free when picked, but another
/// test (or this run's own probe in `until_bound`) may hold it for a moment
/// before SIPp binds it: SIPp then exits with EADDRINUSE, and is started
/// again on another port, a few times at most.
pub(super) fn spawn(cfg: Sipp) -> std::io::Result<SippRun> {
    const ATTEMPTS: usize = 5;
    let mut attempt = 1;
    loop {
        match spawn_once(&cfg) {
            Err(e) if attempt < ATTEMPTS && e.to_string().contains("Address already in use") => {
                attempt += 1;
            }
            result => return result,
        }
    }
}

fn spawn_once(cfg: &Sipp) -> std::io::Result<SippRun> {
    let dir = temp_dir()?;
    let port = free_port(cfg.ip)?;
    let mut cmd = Command::new(&cfg.bin);
    if let Role::Client { remote, .. } = &cfg.role {
        cmd.arg(remote.to_string());
    }
    cmd.arg("-sf").arg(&cfg.scenario);
    if let Role::Client { service, .. } = &cfg.role {
        cmd.arg("-s").arg(service);
    }
    let transport = match cfg.transport {
        TransportKind::Tcp => "t1",
        _ => "u1",
    };
    cmd.args(["-t", transport, "-i"])
        .arg(cfg.ip.to_string())
        .arg("-p")
        .arg(port.to_string())
        .arg("-m")
        .arg(cfg.calls.to_string())
        .arg("-timeout")
        .arg(format!("{}ms", cfg.timeout.as_millis()))
        .arg("-timeout_error")
        .args(["-nostdin", "-trace_stat", "-stf"])
        .arg(dir.join("stats.csv"))
        .args(["-trace_err", "-error_file"])
        .arg(dir.join("errors.log"))
        .args(["-trace_msg", "-message_file"])
        .arg(dir.join("messages.log"))
        .args(&cfg.args)
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(fs::File::create(dir.join("stderr.log"))?);
    let child = cmd.spawn()?;
    let mut run = SippRun {
        child: Some(child),
        addr: std::net::SocketAddr::new(cfg.ip, port),
        dir,
        started: Instant::now(),
    };
    run.until_bound(cfg.transport)?;
    Ok(run)
}

fn read(path: &Path) -> String {
    fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

impl SippRun {
    /// SIPp's own address (its `-i`/`-p`): where a connection's server
    /// points, or whence its calls come.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    /// Its process id, while it has not been reaped.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Its temporary folder (statistics, logs).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Waits (up to 5 s) until SIPp holds its port, so that nothing is
    /// sent to it before it listens: our own bind of the port then fails.
    fn until_bound(&mut self, transport: TransportKind) -> std::io::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let taken = match transport {
                TransportKind::Tcp => std::net::TcpListener::bind(self.addr).is_err(),
                _ => std::net::UdpSocket::bind(self.addr).is_err(),
            };
            if taken {
                return Ok(());
            }
            if self.exited() || Instant::now() >= deadline {
                let why = read(&self.dir.join("stderr.log"));
                return Err(std::io::Error::other(format!(
                    "sipp did not bind {}: {why}",
                    self.addr
                )));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether it has exited.
    pub fn exited(&mut self) -> bool {
        self.child
            .as_mut()
            .is_none_or(|c| c.try_wait().ok().flatten().is_some())
    }

    /// Waits for SIPp to end, at most `max` (then kills it), and reads what
    /// it left. Blocks; from async code run it with `spawn_blocking`.
    pub fn wait(mut self, max: Duration) -> SippOutcome {
        let deadline = Instant::now() + max;
        let mut status: Option<ExitStatus> = None;
        if let Some(child) = self.child.as_mut() {
            loop {
                match child.try_wait() {
                    Ok(Some(s)) => {
                        status = Some(s);
                        break;
                    }
                    Ok(None) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    _ => break,
                }
            }
        }
        let elapsed = self.started.elapsed();
        self.kill();
        SippOutcome {
            exit_code: status.and_then(|s| s.code()),
            stats: SippStats::parse(&read(&self.dir.join("stats.csv"))),
            errors: read(&self.dir.join("errors.log")),
            messages: read(&self.dir.join("messages.log")),
            stderr: read(&self.dir.join("stderr.log")),
            elapsed,
        }
    }

    /// Kills the process (only this one, by its handle) if it still runs,
    /// and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            if child.try_wait().ok().flatten().is_none() {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
    }
}

impl Drop for SippRun {
    fn drop(&mut self) {
        self.kill();
        if std::env::var_os("GEOSIP_KEEP_SIPP").is_none() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}
