//! A Kamailio instance of the test's own, run from the repository's
//! `tests/interop/kamailio.cfg` (a digest-auth registrar and record-routing
//! proxy, all in memory), listening on one address and port for UDP and
//! TCP, and optionally on a second port for TLS (Kamailio's tls module,
//! with a certificate and key the test gives it).
//!
//! Each instance has its own folder with its pid file, control socket,
//! log and, with TLS, its certificate, key and tls module config. It runs in the foreground (`-DD`) in a process group of its own,
//! so stopping it signals only the processes this instance started. It is
//! stopped and its folder removed on drop, panics included; on a panic its
//! log's tail is printed.

use std::collections::BTreeMap;
use std::fs::File;
use std::net::{IpAddr, SocketAddr};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{free_port, interop_dir, run, unique_name, which};

/// How to start a [`Kamailio`].
#[derive(Debug, Clone)]
pub struct KamailioConfig {
    /// The address it listens on (UDP and TCP).
    pub ip: IpAddr,
    /// The port; `free_port` picks one by default.
    pub port: u16,
    /// The digest realm.
    pub realm: String,
    /// `(user, password)` pairs the registrar accepts.
    pub users: Vec<(String, String)>,
    /// Challenge INVITEs with 407 (`-A WITH_INVITE_AUTH`).
    pub invite_auth: bool,
    /// Run inside this network namespace (`ip netns exec`).
    pub netns: Option<String>,
    /// Listen on TLS too (`-A WITH_TLS`).
    pub tls: Option<TlsListener>,
}

/// A TLS listener of a [`Kamailio`]: its port and the server certificate
/// it presents. The PEMs are written into the instance's folder with a
/// tls module config (`tls.cfg`) naming them; TLS 1.2 and later, no
/// client certificate asked for.
#[derive(Debug, Clone)]
pub struct TlsListener {
    /// The TLS port on the instance's address; `free_port` by default.
    pub port: u16,
    /// The certificate chain (leaf first), PEM.
    pub cert_pem: String,
    /// Its private key, PEM.
    pub key_pem: String,
}

impl KamailioConfig {
    /// Realm `geosip.test`, users 1001 and 1002 with password `secret`, a
    /// free port on `ip`.
    pub fn new(ip: IpAddr) -> Self {
        KamailioConfig::with_port(ip, free_port(ip))
    }

    /// Like [`new`](Self::new) but inside the network namespace `netns`
    /// on its address `ip`, port 5060 (the namespace's ports are its own).
    pub fn in_netns(netns: &str, ip: IpAddr) -> Self {
        KamailioConfig {
            port: 5060,
            netns: Some(netns.into()),
            ..KamailioConfig::with_port(ip, 5060)
        }
    }

    fn with_port(ip: IpAddr, port: u16) -> Self {
        KamailioConfig {
            ip,
            port,
            realm: "geosip.test".into(),
            users: vec![
                ("1001".into(), "secret".into()),
                ("1002".into(), "secret".into()),
            ],
            invite_auth: false,
            netns: None,
            tls: None,
        }
    }

    /// Challenges INVITEs with 407.
    pub fn with_invite_auth(mut self) -> Self {
        self.invite_auth = true;
        self
    }

    /// Listens on TLS too, on a free port of its address, presenting
    /// `cert_pem` (chain, leaf first) with `key_pem`.
    pub fn with_tls(mut self, cert_pem: impl Into<String>, key_pem: impl Into<String>) -> Self {
        self.tls = Some(TlsListener {
            port: free_port(self.ip),
            cert_pem: cert_pem.into(),
            key_pem: key_pem.into(),
        });
        self
    }
}

/// A running Kamailio of the test's own. See the [module](self) docs.
#[derive(Debug)]
pub struct Kamailio {
    cfg: KamailioConfig,
    dir: PathBuf,
    child: Option<Child>,
}

impl Kamailio {
    /// Starts it and waits until its control socket answers.
    pub fn start(cfg: KamailioConfig) -> Result<Kamailio, String> {
        let dir = std::env::temp_dir().join(unique_name("geosip-kamailio-"));
        std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
        let mut k = Kamailio {
            cfg,
            dir,
            child: None,
        };
        k.write_tls_files()?;
        k.restart()?;
        Ok(k)
    }

    /// With TLS: the certificate, key and tls module config in the folder.
    fn write_tls_files(&self) -> Result<(), String> {
        let Some(tls) = &self.cfg.tls else {
            return Ok(());
        };
        let write = |name: &str, text: &str| {
            let path = self.dir.join(name);
            std::fs::write(&path, text).map_err(|e| format!("write {}: {e}", path.display()))
        };
        write("tls-cert.pem", &tls.cert_pem)?;
        write("tls-key.pem", &tls.key_pem)?;
        write(
            "tls.cfg",
            &format!(
                "[server:default]\nmethod = TLSv1.2+\ncertificate = {}\nprivate_key = {}\n\
                 verify_certificate = no\nrequire_certificate = no\n",
                self.dir.join("tls-cert.pem").display(),
                self.dir.join("tls-key.pem").display()
            ),
        )
    }

    /// Where it listens (UDP and TCP).
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.cfg.ip, self.cfg.port)
    }

    /// Its `host:port`, as a connection's server.
    pub fn server(&self) -> String {
        self.addr().to_string()
    }

    /// Where it listens for TLS, if it does.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.cfg
            .tls
            .as_ref()
            .map(|t| SocketAddr::new(self.cfg.ip, t.port))
    }

    /// The TLS port, if it listens for TLS.
    pub fn tls_port(&self) -> Option<u16> {
        self.cfg.tls.as_ref().map(|t| t.port)
    }

    /// The digest realm.
    pub fn realm(&self) -> &str {
        &self.cfg.realm
    }

    /// The main process's pid, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The binrpc control socket, for `kamcmd -s`.
    pub fn ctl_socket(&self) -> PathBuf {
        self.dir.join("ctl.sock")
    }

    /// The command line that starts this instance.
    pub fn command(&self) -> Command {
        let kamailio = which("kamailio").unwrap_or_else(|| "kamailio".into());
        let mut cmd = match &self.cfg.netns {
            Some(ns) => {
                let mut c = Command::new(which("ip").unwrap_or_else(|| "ip".into()));
                c.args(["netns", "exec", ns]).arg(kamailio);
                c
            }
            None => Command::new(kamailio),
        };
        let addr = self.addr();
        let users: Vec<String> = self
            .cfg
            .users
            .iter()
            .map(|(u, p)| format!("{u}={p}"))
            .collect();
        cmd.arg("-f")
            .arg(interop_dir().join("kamailio.cfg"))
            .args(["-DD", "-E", "-m", "32", "-M", "4"])
            .arg("-l")
            .arg(format!("udp:{addr}"))
            .arg("-l")
            .arg(format!("tcp:{addr}"))
            .arg("-A")
            .arg(format!("REALM=\"{}\"", self.cfg.realm))
            .arg("-A")
            .arg(format!("PASSWORDS=\"{}\"", users.join(";")))
            .arg("-A")
            .arg(format!(
                "CTL_SOCKET=\"unixs:{}\"",
                self.ctl_socket().display()
            ))
            .arg("-P")
            .arg(self.dir.join("kamailio.pid"))
            .arg("-Y")
            .arg(&self.dir);
        if self.cfg.invite_auth {
            cmd.args(["-A", "WITH_INVITE_AUTH"]);
        }
        if let Some(tls) = self.tls_addr() {
            cmd.arg("-l")
                .arg(format!("tls:{tls}"))
                .args(["-A", "WITH_TLS", "-A"])
                .arg(format!(
                    "TLS_CONFIG=\"{}\"",
                    self.dir.join("tls.cfg").display()
                ));
        }
        cmd
    }

    /// Starts it again after [`stop`](Self::stop) (or first), same address
    /// and port, and waits until it answers on its control socket. Retries
    /// a few times should the port still be held by the last run.
    pub fn restart(&mut self) -> Result<(), String> {
        self.stop();
        let mut last = String::new();
        for _ in 0..3 {
            match self.spawn_and_wait() {
                Ok(()) => return Ok(()),
                Err(e) => {
                    last = e;
                    self.stop();
                    std::thread::sleep(Duration::from_millis(300));
                }
            }
        }
        Err(last)
    }

    fn spawn_and_wait(&mut self) -> Result<(), String> {
        let _ = std::fs::remove_file(self.ctl_socket());
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.log_path())
            .map_err(|e| format!("open log: {e}"))?;
        let log2 = log.try_clone().map_err(|e| format!("log: {e}"))?;
        let mut cmd = self.command();
        cmd.stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            .process_group(0);
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                self.child = None;
                return Err(format!("kamailio exited ({status}): {}", self.log_tail(15)));
            }
            if self.rpc(&["core.uptime"]).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!(
            "kamailio did not answer within 10 s: {}",
            self.log_tail(15)
        ))
    }

    /// Whether it is running (its main process has not exited).
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.as_mut().map(Child::try_wait), Some(Ok(None)))
    }

    /// Stops it: SIGTERM to its process group (only what this instance
    /// started), SIGKILL after 5 s; waits for the main process. The site is
    /// down at once: its sockets close, the location table is lost.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // While the leader is not reaped its group id cannot be reused, so
        // the signal reaches only our processes.
        if let Ok(None) = child.try_wait() {
            signal_group(child.id(), "TERM");
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            signal_group(child.id(), "KILL");
            let _ = child.kill();
        }
        let _ = child.wait();
    }

    /// Runs `kamcmd -s <ctl socket> args…` and returns its output.
    pub fn rpc(&self, args: &[&str]) -> Result<String, String> {
        let kamcmd = which("kamcmd").unwrap_or_else(|| "kamcmd".into());
        run(Command::new(kamcmd)
            .arg("-s")
            .arg(format!("unixs:{}", self.ctl_socket().display()))
            .args(args))
    }

    /// The location table: each AOR (`user@domain`) with its contacts'
    /// addresses, from `ul.dump`.
    pub fn location(&self) -> Result<BTreeMap<String, Vec<String>>, String> {
        self.rpc(&["ul.dump"]).map(|s| parse_ul_dump(&s))
    }

    /// The sockets (`proto:ip:port`, e.g. `tls:127.0.0.1:5061`) on which
    /// the contacts of `aor` registered, from `ul.dump`.
    pub fn contact_sockets(&self, aor: &str) -> Result<Vec<String>, String> {
        self.rpc(&["ul.dump"]).map(|s| parse_ul_sockets(&s, aor))
    }

    /// Whether the location table has a contact for `aor` (`user@domain`).
    pub fn has_contact(&self, aor: &str) -> bool {
        self.location()
            .map(|l| l.get(aor).is_some_and(|c| !c.is_empty()))
            .unwrap_or(false)
    }

    /// A statistic by its name, e.g. `rcv_requests` (all requests the core
    /// received), from `stats.get_statistics` (which prints it as
    /// `group:name = value`).
    pub fn statistic(&self, name: &str) -> Result<u64, String> {
        let out = self.rpc(&["stats.get_statistics", name])?;
        out.lines()
            .find_map(|l| {
                l.split_once(" = ").filter(|(k, _)| {
                    let k = k.trim();
                    k == name || k.rsplit_once(':').is_some_and(|(_, n)| n == name)
                })
            })
            .and_then(|(_, v)| v.trim().parse().ok())
            .ok_or_else(|| format!("no statistic {name} in {out:?}"))
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join("kamailio.log")
    }

    /// The last `lines` lines of its log.
    pub fn log_tail(&self, lines: usize) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let all: Vec<&str> = log.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Its folder (pid file, control socket, log).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            eprintln!(
                "--- kamailio {} log (last 40 lines) ---\n{}",
                self.addr(),
                self.log_tail(40)
            );
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Sends SIG`sig` to the process group `pgid` (the shell's `kill`: no
/// unsafe code, no procps needed).
fn signal_group(pgid: u32, sig: &str) {
    let _ = Command::new("sh")
        .arg("-c")
        .arg(format!("kill -s {sig} -- -{pgid}"))
        .stderr(Stdio::null())
        .status();
}

/// Reads `kamcmd ul.dump`: each `AoR:` with the `Address:` of its
/// contacts.
pub fn parse_ul_dump(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut table: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(aor) = line.strip_prefix("AoR:") {
            let aor = aor.trim().to_owned();
            table.entry(aor.clone()).or_default();
            current = Some(aor);
        } else if let (Some(addr), Some(aor)) = (line.strip_prefix("Address:"), &current) {
            table
                .entry(aor.clone())
                .or_default()
                .push(addr.trim().into());
        }
    }
    table
}

/// Reads `kamcmd ul.dump`: the `Socket:` of each contact of `aor`.
pub fn parse_ul_sockets(text: &str, aor: &str) -> Vec<String> {
    let mut sockets = Vec::new();
    let mut current = false;
    for line in text.lines().map(str::trim) {
        if let Some(a) = line.strip_prefix("AoR:") {
            current = a.trim() == aor;
        } else if let (Some(sock), true) = (line.strip_prefix("Socket:"), current) {
            sockets.push(sock.trim().to_owned());
        }
    }
    sockets
}

#[cfg(test)]
mod tests {
    use super::{parse_ul_dump, parse_ul_sockets};

    #[test]
    fn reads_aors_and_contacts() {
        let dump = "{\n\tDomains: {\n\t\tDomain: {\n\t\t\tDomain: location\n\t\t\tAoRs: {\n\
            \t\t\t\tInfo: {\n\t\t\t\t\tAoR: 1001@geosip.test\n\t\t\t\t\tContacts: {\n\
            \t\t\t\t\t\tContact: {\n\t\t\t\t\t\t\tAddress: sip:1001@127.0.0.1:5070\n\
            \t\t\t\t\t\t\tExpires: 60\n\t\t\t\t\t\t}\n\t\t\t\t\t}\n\t\t\t\t}\n\
            \t\t\t\tInfo: {\n\t\t\t\t\tAoR: 1002@geosip.test\n\t\t\t\t\tContacts: {\n\
            \t\t\t\t\t}\n\t\t\t\t}\n\t\t\t}\n\t\t}\n\t}\n}\n";
        let t = parse_ul_dump(dump);
        assert_eq!(t["1001@geosip.test"], vec!["sip:1001@127.0.0.1:5070"]);
        assert!(t["1002@geosip.test"].is_empty());
        assert!(parse_ul_dump("{\n\tDomains: {\n\t}\n}\n").is_empty());
    }

    #[test]
    fn reads_the_sockets_of_one_aor() {
        let dump = "AoR: 1001@geosip.test\nContacts: {\nContact: {\n\
            Address: sip:1001@127.0.0.1:40000;transport=tls\n\
            Socket: tls:127.0.0.1:5061\n}\n}\nAoR: 1002@geosip.test\n\
            Contacts: {\nContact: {\nSocket: udp:127.0.0.1:5060\n}\n}\n";
        assert_eq!(
            parse_ul_sockets(dump, "1001@geosip.test"),
            vec!["tls:127.0.0.1:5061"]
        );
        assert_eq!(
            parse_ul_sockets(dump, "1002@geosip.test"),
            vec!["udp:127.0.0.1:5060"]
        );
        assert!(parse_ul_sockets(dump, "1003@geosip.test").is_empty());
    }
}
