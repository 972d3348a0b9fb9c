//! The SDP model: what offer/answer and hold need, and everything else
//! kept as it came.

use std::fmt;
use std::net::IpAddr;

use super::Direction;

/// The `o=` line (RFC 8866 §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The user name (`-` when there is none).
    pub username: String,
    /// The session id.
    pub session_id: u64,
    /// The version, raised by one with every new offer or answer
    /// (RFC 3264 §8).
    pub version: u64,
    /// `IN IP4 <addr>` or `IN IP6 <addr>`: the address type and address.
    pub address: String,
}

/// One `m=` section (RFC 8866 §5.14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    /// `audio`, `video`, …
    pub kind: String,
    /// The port; 0 rejects or disables the stream (RFC 3264 §6).
    pub port: u16,
    /// `RTP/AVP`, …
    pub protocol: String,
    /// The formats (payload types for RTP), in preference order.
    pub formats: Vec<String>,
    /// The media-level `c=` address, if any.
    pub connection: Option<String>,
    /// The media-level direction attribute, if any.
    pub direction: Option<Direction>,
    /// Every other attribute line's value (after `a=`), in order:
    /// `rtpmap:0 PCMU/8000`, `fmtp:101 0-16`, `ptime:20`, …
    pub attributes: Vec<String>,
    /// Other lines of the section (`b=`, `i=`, `k=`), kept as they came.
    pub other: Vec<String>,
}

/// A session description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    /// The origin.
    pub origin: Origin,
    /// `s=`; `-` when there is nothing to say.
    pub name: String,
    /// The session-level `c=` value (`IN IP4 192.0.2.1`), if any.
    pub connection: Option<String>,
    /// `t=`; `0 0` for calls.
    pub timing: String,
    /// The session-level direction attribute, if any.
    pub direction: Option<Direction>,
    /// Other session-level lines, in order, as written (`b=…`, `a=…`).
    pub other: Vec<String>,
    /// The media sections.
    pub media: Vec<Media>,
}

impl Media {
    /// The `rtpmap` of a payload type: `PCMU/8000` for `0`.
    pub fn rtpmap(&self, format: &str) -> Option<&str> {
        self.attributes.iter().find_map(|a| {
            let rest = a.strip_prefix("rtpmap:")?;
            let (pt, map) = rest.split_once(' ')?;
            (pt == format).then(|| map.trim())
        })
    }

    /// The encoding name of a format, from its rtpmap or, for the static
    /// RTP/AVP payload types of RFC 3551, from the table.
    pub fn encoding(&self, format: &str) -> Option<String> {
        if let Some(map) = self.rtpmap(format) {
            return map.split('/').next().map(|n| n.to_ascii_lowercase());
        }
        Some(
            match format {
                "0" => "pcmu",
                "3" => "gsm",
                "8" => "pcma",
                "9" => "g722",
                "18" => "g729",
                _ => return None,
            }
            .to_owned(),
        )
    }

    /// The direction that holds for this section: its own, else the
    /// session's, else sendrecv (RFC 8866 §6.7).
    pub fn effective_direction(&self, session: Option<Direction>) -> Direction {
        self.direction.or(session).unwrap_or_default()
    }
}

impl SessionDescription {
    /// The direction of the first active media section (port not 0), or
    /// `sendrecv` if there is none.
    pub fn direction(&self) -> Direction {
        self.media
            .iter()
            .find(|m| m.port != 0)
            .map(|m| m.effective_direction(self.direction))
            .unwrap_or_else(|| self.direction.unwrap_or_default())
    }

    /// Sets the direction of every media section (and drops the session
    /// level one, so that no two disagree).
    pub fn set_direction(&mut self, d: Direction) {
        self.direction = None;
        for m in &mut self.media {
            m.direction = Some(d);
        }
    }

    /// Whether the writer holds its peer: it wants no media from it
    /// (`sendonly` or `inactive`, RFC 3264 §8.4), or has no active stream.
    /// Judge the far end's hold by its offers only: in an answer these
    /// directions may just mirror our own hold.
    pub fn is_hold(&self) -> bool {
        !self.direction().receives()
    }

    /// The connection address of the first active media section.
    pub fn media_address(&self) -> Option<IpAddr> {
        let c = self
            .media
            .iter()
            .find(|m| m.port != 0)
            .and_then(|m| m.connection.as_deref())
            .or(self.connection.as_deref())?;
        c.rsplit(' ').next()?.parse().ok()
    }
}

impl fmt::Display for SessionDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.origin;
        write!(
            f,
            "v=0\r\no={} {} {} {}\r\ns={}\r\n",
            o.username, o.session_id, o.version, o.address, self.name
        )?;
        if let Some(c) = &self.connection {
            write!(f, "c={c}\r\n")?;
        }
        write!(f, "t={}\r\n", self.timing)?;
        for line in &self.other {
            write!(f, "{line}\r\n")?;
        }
        if let Some(d) = self.direction {
            write!(f, "a={d}\r\n")?;
        }
        for m in &self.media {
            write!(f, "m={} {} {}", m.kind, m.port, m.protocol)?;
            for fmt_ in &m.formats {
                write!(f, " {fmt_}")?;
            }
            f.write_str("\r\n")?;
            // RFC 8866 §5 order: i=, c=, b=, k=, a=.
            for line in m.other.iter().filter(|l| l.starts_with("i=")) {
                write!(f, "{line}\r\n")?;
            }
            if let Some(c) = &m.connection {
                write!(f, "c={c}\r\n")?;
            }
            for line in m.other.iter().filter(|l| !l.starts_with("i=")) {
                write!(f, "{line}\r\n")?;
            }
            for a in &m.attributes {
                write!(f, "a={a}\r\n")?;
            }
            if let Some(d) = m.direction {
                write!(f, "a={d}\r\n")?;
            }
        }
        Ok(())
    }
}
