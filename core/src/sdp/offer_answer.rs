//! Making offers and answers (RFC 3264 §5, §6) for audio calls.

use std::net::IpAddr;

use super::model::{Media, Origin, SessionDescription};
use super::Direction;

/// The formats of the default offer: PCMU, PCMA (RFC 3551) and
/// telephone-event for DTMF (RFC 4733).
const DEFAULT_AUDIO: [(&str, &str); 3] = [
    ("0", "PCMU/8000"),
    ("8", "PCMA/8000"),
    ("101", "telephone-event/8000"),
];

fn c_line(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(a) => format!("IN IP4 {a}"),
        IpAddr::V6(a) => format!("IN IP6 {a}"),
    }
}

/// A description of ours, version 1, media at `addr`.
fn ours(addr: IpAddr, session_id: u64, media: Vec<Media>) -> SessionDescription {
    SessionDescription {
        origin: Origin {
            username: "-".to_owned(),
            session_id,
            version: 1,
            address: c_line(addr),
        },
        name: "geosip".to_owned(),
        connection: Some(c_line(addr)),
        timing: "0 0".to_owned(),
        direction: None,
        other: Vec::new(),
        media,
    }
}

impl SessionDescription {
    /// The default audio offer: one `m=audio` stream at `addr:port` with
    /// PCMU, PCMA and telephone-event, `sendrecv`, version 1.
    pub fn audio_offer(addr: IpAddr, port: u16, session_id: u64) -> SessionDescription {
        let mut attributes: Vec<String> = DEFAULT_AUDIO
            .iter()
            .map(|(pt, map)| format!("rtpmap:{pt} {map}"))
            .collect();
        attributes.push("fmtp:101 0-16".to_owned());
        attributes.push("ptime:20".to_owned());
        let media = vec![Media {
            kind: "audio".to_owned(),
            port,
            protocol: "RTP/AVP".to_owned(),
            formats: DEFAULT_AUDIO
                .iter()
                .map(|(pt, _)| (*pt).to_owned())
                .collect(),
            connection: None,
            direction: Some(Direction::SendRecv),
            attributes,
            other: Vec::new(),
        }];
        ours(addr, session_id, media)
    }

    /// Our answer to this offer (RFC 3264 §6): one section per offered
    /// stream, in order. An audio stream over RTP/AVP that shares a codec
    /// with the default offer is accepted at `addr:port` with the shared
    /// formats in the offerer's order (telephone-event kept when offered);
    /// every other stream is refused with port 0. The direction is the
    /// offer's answered for a side that wants `wanted` (`sendrecv`, or
    /// `sendonly` while we hold). Only the first acceptable audio stream
    /// is accepted.
    pub fn answer(
        &self,
        addr: IpAddr,
        port: u16,
        session_id: u64,
        wanted: Direction,
    ) -> SessionDescription {
        let mut accepted = false;
        let media =
            self.media
                .iter()
                .map(|offered| {
                    let offer_dir = offered.effective_direction(self.direction);
                    let shared: Vec<&String> = offered
                        .formats
                        .iter()
                        .filter(|f| {
                            matches!(
                                offered.encoding(f).as_deref(),
                                Some("pcmu" | "pcma" | "telephone-event")
                            )
                        })
                        .collect();
                    let has_voice = shared
                        .iter()
                        .any(|f| offered.encoding(f).as_deref() != Some("telephone-event"));
                    let usable = !accepted
                        && offered.port != 0
                        && offered.kind == "audio"
                        && offered.protocol == "RTP/AVP"
                        && has_voice;
                    if !usable {
                        // RFC 3264 §6: a refused stream keeps its formats and
                        // gets port 0.
                        return Media {
                            port: 0,
                            connection: None,
                            direction: None,
                            attributes: Vec::new(),
                            other: Vec::new(),
                            ..offered.clone()
                        };
                    }
                    accepted = true;
                    let attributes =
                        shared
                            .iter()
                            .flat_map(|f| {
                                let map = offered.rtpmap(f).map(str::to_owned).or_else(|| match f
                                    .as_str()
                                {
                                    "0" => Some("PCMU/8000".to_owned()),
                                    "8" => Some("PCMA/8000".to_owned()),
                                    _ => None,
                                });
                                let fmtp = offered.attributes.iter().find(|a| {
                                    a.strip_prefix("fmtp:")
                                        .and_then(|r| r.split_once(' '))
                                        .is_some_and(|(pt, _)| pt == f.as_str())
                                });
                                map.map(|m| format!("rtpmap:{f} {m}"))
                                    .into_iter()
                                    .chain(fmtp.cloned())
                            })
                            .collect();
                    Media {
                        kind: offered.kind.clone(),
                        port,
                        protocol: offered.protocol.clone(),
                        formats: shared.into_iter().cloned().collect(),
                        connection: None,
                        direction: Some(offer_dir.answer(wanted)),
                        attributes,
                        other: Vec::new(),
                    }
                })
                .collect();
        ours(addr, session_id, media)
    }

    /// Whether an answer accepted at least one stream.
    pub fn accepts_media(&self) -> bool {
        self.media.iter().any(|m| m.port != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn default_offer_reads_back() {
        let o = SessionDescription::audio_offer(ip("192.0.2.1"), 4000, 42);
        let text = o.to_string();
        assert!(text.starts_with("v=0\r\no=- 42 1 IN IP4 192.0.2.1\r\ns=geosip\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8 101\r\n"));
        assert!(text.contains("a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"));
        assert!(text.ends_with("a=sendrecv\r\n"));
        assert_eq!(SessionDescription::parse(&text).unwrap(), o);
    }

    #[test]
    fn answer_keeps_shared_codecs_in_offer_order_and_refuses_the_rest() {
        let offer = SessionDescription::parse(
            "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n\
m=audio 5000 RTP/AVP 18 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n\
m=video 5002 RTP/AVP 31\r\n",
        )
        .unwrap();
        let a = offer.answer(ip("192.0.2.1"), 4000, 7, Direction::SendRecv);
        assert_eq!(a.media[0].formats, ["8", "0", "101"]);
        assert_eq!(a.media[0].port, 4000);
        assert!(a.media[0].attributes.contains(&"fmtp:101 0-15".to_owned()));
        assert_eq!(a.media[1].port, 0);
        assert_eq!(a.media[1].formats, ["31"]);
        assert!(a.accepts_media());
    }

    #[test]
    fn answer_to_hold_is_recvonly_and_to_inactive_inactive() {
        let mut offer = SessionDescription::audio_offer(ip("192.0.2.9"), 5000, 1);
        offer.set_direction(Direction::SendOnly);
        let a = offer.answer(ip("192.0.2.1"), 4000, 7, Direction::SendRecv);
        assert_eq!(a.direction(), Direction::RecvOnly);
        // We hold too: inactive.
        let a = offer.answer(ip("192.0.2.1"), 4000, 7, Direction::SendOnly);
        assert_eq!(a.direction(), Direction::Inactive);
    }

    #[test]
    fn no_shared_codec_refuses_every_stream() {
        let offer = SessionDescription::parse(
            "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 18 101\r\na=rtpmap:101 telephone-event/8000\r\n",
        )
        .unwrap();
        let a = offer.answer(ip("192.0.2.1"), 4000, 7, Direction::SendRecv);
        assert!(!a.accepts_media());
    }
}
