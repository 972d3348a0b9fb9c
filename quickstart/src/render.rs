//! What the QuickStart prints: every event as one timestamped line in
//! plain words (or one JSON object with `--json`), and the table of
//! connections.

use std::time::Instant;

use geosip_core::connection::ConnectionInfo;
use geosip_core::event::{ConnectionStatus, Event, StatusReason};
use geosip_core::session::{SessionInfo, SessionReason, SessionStatus};
use serde_json::json;

/// Prints lines with the time since the start.
pub struct Printer {
    start: Instant,
    json: bool,
}

impl Printer {
    pub fn new(json: bool) -> Self {
        Printer {
            start: Instant::now(),
            json,
        }
    }

    fn stamp(&self) -> String {
        format!("{:>8.3}s", self.start.elapsed().as_secs_f64())
    }

    /// A line of narration (not an event).
    pub fn say(&self, text: &str) {
        if self.json {
            let line = json!({"t": self.start.elapsed().as_secs_f64(), "note": text});
            println!("{line}");
        } else {
            println!("{}  {text}", self.stamp());
        }
    }

    /// An event.
    pub fn event(&self, e: &Event) {
        if self.json {
            let mut v = event_json(e);
            v["t"] = json!(self.start.elapsed().as_secs_f64());
            println!("{v}");
        } else {
            println!("{}  {}", self.stamp(), describe(e));
        }
    }

    /// The table of connections and calls.
    pub fn table(&self, conns: &[ConnectionInfo], sessions: &[SessionInfo]) {
        if self.json {
            let c: Vec<_> = conns
                .iter()
                .map(|c| {
                    json!({"connection": c.id.0, "user": c.user, "server": c.server,
                       "transport": c.transport.to_string(), "status": c.status.to_string()})
                })
                .collect();
            let s: Vec<_> = sessions
                .iter()
                .map(|s| {
                    json!({"session": s.id.0, "connection": s.connection.0,
                       "direction": s.direction.to_string(), "status": s.status.to_string(),
                       "remote": s.remote})
                })
                .collect();
            println!("{}", json!({"connections": c, "sessions": s}));
            return;
        }
        println!("           ┌──────┬────────┬──────────────────────┬───────┬─────────────┐");
        println!("           │ conn │ user   │ server               │ proto │ status      │");
        println!("           ├──────┼────────┼──────────────────────┼───────┼─────────────┤");
        for c in conns {
            println!(
                "           │ {:<4} │ {:<6} │ {:<20} │ {:<5} │ {:<11} │",
                c.id.0,
                trunc(&c.user, 6),
                trunc(&c.server, 20),
                c.transport.to_string(),
                c.status.to_string()
            );
        }
        println!("           └──────┴────────┴──────────────────────┴───────┴─────────────┘");
        for s in sessions {
            println!(
                "           call {} on connection {}: {} {} ({})",
                s.id, s.connection, s.direction, s.remote, s.status
            );
        }
    }
}

fn trunc(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        s.chars().take(n - 1).chain(['…']).collect()
    }
}

fn connection_words(status: ConnectionStatus, reason: &StatusReason) -> String {
    match (status, reason) {
        (ConnectionStatus::Registering, _) => "registering…".into(),
        (ConnectionStatus::Available, _) => format!("Available: registered ({reason})"),
        (ConnectionStatus::Unavailable, StatusReason::Timeout) => {
            "Unavailable: the site does not answer (408 Request Timeout); retrying until it does"
                .into()
        }
        (ConnectionStatus::Unavailable, _) => {
            format!("Unavailable: {reason}; retrying until the site answers again")
        }
        (ConnectionStatus::Disabled, _) => "Disabled (unregistered)".into(),
        (ConnectionStatus::Removed, _) => "Removed".into(),
    }
}

fn session_words(status: SessionStatus, reason: &SessionReason) -> String {
    let by = |local: &str, remote: &str, site: &str| -> String {
        match reason {
            SessionReason::Local => local.to_owned(),
            SessionReason::Remote => remote.to_owned(),
            SessionReason::Site => site.to_owned(),
            SessionReason::Fallback { from, code } => format!(
                "{local} through this connection: connection {from} cannot carry it ({code})"
            ),
            SessionReason::SipError { code, phrase } => format!("{local}: SIP {code} {phrase}"),
            SessionReason::NoConnection => format!("{local}: no connection is available"),
        }
    };
    match status {
        SessionStatus::Dialing => by("dialing", "dialing", "dialing"),
        SessionStatus::Ringing => by("ringing", "the far end rings", "ringing"),
        SessionStatus::Connected => by(
            "connected",
            "connected: the far end answered or took us back",
            "connected: the site answered or retrieved it (3pcc)",
        ),
        SessionStatus::Held => by("on hold", "on hold", "on hold: the site held it (3pcc)"),
        SessionStatus::RemoteHeld => by("held", "the far end holds us", "held"),
        SessionStatus::Disconnected => by(
            "disconnected",
            "disconnected: the far end hung up",
            "disconnected by the site",
        ),
    }
}

/// One event in plain words.
pub fn describe(e: &Event) -> String {
    match e {
        Event::ConnectionStatusChanged {
            id,
            user,
            server,
            transport,
            status,
            reason,
        } => format!(
            "connection {id} ({user} on {server} over {transport}): {}",
            connection_words(*status, reason)
        ),
        Event::SessionStatusChanged {
            session,
            connection,
            direction,
            status,
            reason,
        } => match (direction, status) {
            (geosip_core::session::CallDirection::Inbound, SessionStatus::Ringing) => format!(
                "call {session} (inbound, connection {connection}): ringing here (type: answer {session})"
            ),
            _ => format!(
                "call {session} ({direction}, connection {connection}): {}",
                session_words(*status, reason)
            ),
        },
        Event::IncomingCall {
            session,
            connection,
            from,
            auto_answer,
            ..
        } => match auto_answer {
            Some(d) => format!(
                "call {session}: incoming on connection {connection} from {from}; the site asks to auto-answer in {} s",
                d.as_secs()
            ),
            None => format!("call {session}: incoming on connection {connection} from {from}"),
        },
        Event::SessionMedia {
            session, remote_sdp, ..
        } => {
            let addr = remote_sdp
                .lines()
                .find(|l| l.starts_with("c="))
                .unwrap_or("c=?")
                .trim_start_matches("c=IN IP4 ")
                .to_owned();
            let port = remote_sdp
                .lines()
                .find(|l| l.starts_with("m=audio"))
                .and_then(|l| l.split(' ').nth(1))
                .unwrap_or("?")
                .to_owned();
            format!("call {session}: media agreed, far end at {addr}:{port}")
        }
        Event::SessionActionFailed {
            session,
            action,
            reason,
            ..
        } => format!("call {session}: {action} failed ({reason}); the call stays as it was"),
        other => format!("{other:?}"),
    }
}

fn event_json(e: &Event) -> serde_json::Value {
    match e {
        Event::ConnectionStatusChanged {
            id,
            user,
            server,
            transport,
            status,
            reason,
        } => json!({"event": "ConnectionStatusChanged", "connection": id.0, "user": user,
            "server": server, "transport": transport.to_string(), "status": status.to_string(),
            "reason": reason.to_string(), "code": reason.code()}),
        Event::SessionStatusChanged {
            session,
            connection,
            direction,
            status,
            reason,
        } => json!({"event": "SessionStatusChanged", "session": session.0,
            "connection": connection.0, "direction": direction.to_string(),
            "status": status.to_string(), "reason": reason.to_string(), "code": reason.code()}),
        Event::IncomingCall {
            session,
            connection,
            from,
            to,
            auto_answer,
        } => json!({"event": "IncomingCall", "session": session.0, "connection": connection.0,
            "from": from, "to": to, "auto_answer_s": auto_answer.map(|d| d.as_secs_f64())}),
        Event::SessionMedia {
            session,
            connection,
            local_sdp,
            remote_sdp,
        } => json!({"event": "SessionMedia", "session": session.0, "connection": connection.0,
            "local_sdp": local_sdp, "remote_sdp": remote_sdp}),
        Event::SessionActionFailed {
            session,
            connection,
            action,
            reason,
        } => json!({"event": "SessionActionFailed", "session": session.0,
            "connection": connection.0, "action": action.to_string(),
            "reason": reason.to_string()}),
        other => json!({"event": format!("{other:?}")}),
    }
}
