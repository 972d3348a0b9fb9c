//! Just enough SDP (RFC 8866) for a far-end phone: the site's offer, an
//! answer that mirrors an offer (RFC 3264 §6), and the direction of the
//! first audio stream.

use std::fmt;
use std::net::IpAddr;

/// The direction attribute of a media stream (RFC 3264 §5.1, §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SdpDirection {
    /// `a=sendrecv` (also what a stream without an attribute is).
    SendRecv,
    /// `a=sendonly`: the sender holds the other party (RFC 3264 §8.4).
    SendOnly,
    /// `a=recvonly`.
    RecvOnly,
    /// `a=inactive`.
    Inactive,
}

impl SdpDirection {
    /// The direction an answer gives to an offer with this one
    /// (RFC 3264 §6.1): sendonly ↔ recvonly, the others unchanged.
    pub fn mirror(self) -> Self {
        match self {
            SdpDirection::SendOnly => SdpDirection::RecvOnly,
            SdpDirection::RecvOnly => SdpDirection::SendOnly,
            other => other,
        }
    }

    /// The attribute name.
    pub fn as_str(self) -> &'static str {
        match self {
            SdpDirection::SendRecv => "sendrecv",
            SdpDirection::SendOnly => "sendonly",
            SdpDirection::RecvOnly => "recvonly",
            SdpDirection::Inactive => "inactive",
        }
    }

    fn from_attr(line: &str) -> Option<Self> {
        match line.strip_prefix("a=")?.trim() {
            "sendrecv" => Some(SdpDirection::SendRecv),
            "sendonly" => Some(SdpDirection::SendOnly),
            "recvonly" => Some(SdpDirection::RecvOnly),
            "inactive" => Some(SdpDirection::Inactive),
            _ => None,
        }
    }
}

impl fmt::Display for SdpDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The first `m=audio` stream of a session description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioStream {
    /// The port (0: the stream is refused, RFC 3264 §6).
    pub port: u16,
    /// The transport protocol, e.g. `RTP/AVP`.
    pub proto: String,
    /// The payload types in order of preference.
    pub formats: Vec<String>,
    /// The `a=rtpmap` line of the first payload type, if any.
    pub first_rtpmap: Option<String>,
    /// The direction: media level, else session level, else sendrecv.
    pub direction: SdpDirection,
}

/// The first audio stream of `sdp`, if it has one.
pub fn audio(sdp: &[u8]) -> Option<AudioStream> {
    let text = std::str::from_utf8(sdp).ok()?;
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let session_dir = lines
        .iter()
        .take_while(|l| !l.starts_with("m="))
        .find_map(|l| SdpDirection::from_attr(l));
    let start = lines.iter().position(|l| l.starts_with("m=audio "))?;
    let mut fields = lines[start][2..].split_whitespace().skip(1);
    let port = fields.next()?.split('/').next()?.parse().ok()?;
    let proto = fields.next()?.to_owned();
    let formats: Vec<String> = fields.map(str::to_owned).collect();
    let media: Vec<&str> = lines[start + 1..]
        .iter()
        .take_while(|l| !l.starts_with("m="))
        .copied()
        .collect();
    let first = formats.first()?;
    let rtpmap = format!("a=rtpmap:{first} ");
    Some(AudioStream {
        port,
        proto,
        first_rtpmap: media
            .iter()
            .find(|l| l.starts_with(&rtpmap))
            .map(|l| (*l).to_owned()),
        direction: media
            .iter()
            .find_map(|l| SdpDirection::from_attr(l))
            .or(session_dir)
            .unwrap_or(SdpDirection::SendRecv),
        formats,
    })
}

/// The direction of the first audio stream of a body, if it has one.
pub fn direction(sdp: &[u8]) -> Option<SdpDirection> {
    audio(sdp).map(|a| a.direction)
}

/// The site's own media description: where it would receive RTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// The host of `o=` and `c=`.
    pub ip: IpAddr,
    /// The RTP port.
    pub port: u16,
    /// The `o=` session id.
    pub session: u64,
    /// The `o=` version; one more on each new description (RFC 3264 §8).
    pub version: u64,
}

fn head(o: &Origin) -> String {
    let family = if o.ip.is_ipv4() { "IP4" } else { "IP6" };
    format!(
        "v=0\r\no=geosip-sim {} {} IN {family} {}\r\ns=-\r\nc=IN {family} {}\r\nt=0 0\r\n",
        o.session, o.version, o.ip, o.ip
    )
}

/// An offer the way a phone writes one: PCMU 0, PCMA 8 and
/// telephone-event 101 (RFC 4733), in `direction`.
pub fn offer(o: &Origin, direction: SdpDirection) -> Vec<u8> {
    format!(
        "{}m=audio {} RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na={direction}\r\n",
        head(o),
        o.port
    )
    .into_bytes()
}

/// The answer to `offer` (RFC 3264 §6.1): its first audio stream with the
/// site's port (0 if the offer refused it), the first offered payload type
/// with its rtpmap, and the mirrored direction. `None` if the offer has
/// no audio stream.
pub fn answer(offer: &[u8], o: &Origin) -> Option<Vec<u8>> {
    let a = audio(offer)?;
    let port = if a.port == 0 { 0 } else { o.port };
    let mut out = format!("{}m=audio {port} {} {}\r\n", head(o), a.proto, a.formats[0]);
    if let Some(rtpmap) = &a.first_rtpmap {
        out.push_str(rtpmap);
        out.push_str("\r\n");
    }
    out.push_str(&format!("a={}\r\n", a.direction.mirror()));
    Some(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: Origin = Origin {
        ip: IpAddr::V4(std::net::Ipv4Addr::new(10, 1, 0, 1)),
        port: 40000,
        session: 7,
        version: 3,
    };

    #[test]
    fn answer_mirrors_the_first_audio_stream() {
        let offer = b"v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n\
            m=audio 5004 RTP/AVP 8 0\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=sendonly\r\n";
        let ans = String::from_utf8(answer(offer, &ORIGIN).unwrap()).unwrap();
        assert!(
            ans.contains("o=geosip-sim 7 3 IN IP4 10.1.0.1\r\n"),
            "{ans}"
        );
        assert!(ans.contains("m=audio 40000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=recvonly\r\n"));
        assert!(!ans.contains("PCMU"));
    }

    #[test]
    fn session_level_direction_and_default() {
        let held = b"v=0\r\na=inactive\r\nm=audio 1 RTP/AVP 0\r\n";
        assert_eq!(direction(held), Some(SdpDirection::Inactive));
        assert_eq!(
            direction(b"v=0\r\nm=audio 1 RTP/AVP 0\r\n"),
            Some(SdpDirection::SendRecv)
        );
        assert_eq!(direction(b"v=0\r\nm=video 1 RTP/AVP 31\r\n"), None);
        let own = offer(&ORIGIN, SdpDirection::SendOnly);
        assert_eq!(direction(&own), Some(SdpDirection::SendOnly));
        assert_eq!(audio(&own).unwrap().formats, ["0", "8", "101"]);
    }
}
