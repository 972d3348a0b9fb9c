//! Reading SDP (RFC 8866 §5): `<type>=<value>` lines, CRLF or bare LF.
//! Lenient where the RFC allows it, bounded everywhere.

use super::model::{Media, Origin, SessionDescription};
use super::{Direction, MAX_LINES, MAX_MEDIA};

/// Why an SDP body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SdpError {
    /// The body is not UTF-8.
    #[error("SDP is not UTF-8")]
    NotUtf8,
    /// A line is not `<letter>=<value>`.
    #[error("SDP line {line}: not <type>=<value>")]
    BadLine {
        /// The 1-based line number.
        line: usize,
    },
    /// A required line is missing or malformed.
    #[error("SDP: {0}")]
    Bad(&'static str),
    /// Too many lines or media sections.
    #[error("SDP too large")]
    TooLarge,
}

impl SessionDescription {
    /// Parses an SDP body.
    pub fn parse(text: &str) -> Result<SessionDescription, SdpError> {
        let mut origin = None;
        let mut name = String::from("-");
        let mut connection = None;
        let mut timing = String::from("0 0");
        let mut direction = None;
        let mut other = Vec::new();
        let mut media: Vec<Media> = Vec::new();
        let mut saw_version = false;
        for (i, raw) in text.split('\n').enumerate() {
            if i >= MAX_LINES {
                return Err(SdpError::TooLarge);
            }
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.trim().is_empty() {
                continue;
            }
            let bytes = line.as_bytes();
            if bytes.len() < 2 || bytes[1] != b'=' || !bytes[0].is_ascii_lowercase() {
                return Err(SdpError::BadLine { line: i + 1 });
            }
            let (kind, value) = (bytes[0], &line[2..]);
            match (kind, media.last_mut()) {
                (b'v', None) => {
                    if value.trim() != "0" {
                        return Err(SdpError::Bad("version is not 0"));
                    }
                    saw_version = true;
                }
                (b'o', None) => origin = Some(parse_origin(value)?),
                (b's', None) => name = value.to_owned(),
                (b'c', None) => connection = Some(value.trim().to_owned()),
                (b't', None) => timing = value.trim().to_owned(),
                (b'm', _) => {
                    if media.len() >= MAX_MEDIA {
                        return Err(SdpError::TooLarge);
                    }
                    media.push(parse_media(value)?);
                }
                (b'a', None) => match Direction::from_attribute(value.trim()) {
                    Some(d) => direction = Some(d),
                    None => other.push(line.to_owned()),
                },
                (_, None) => other.push(line.to_owned()),
                (b'c', Some(m)) => m.connection = Some(value.trim().to_owned()),
                (b'a', Some(m)) => match Direction::from_attribute(value.trim()) {
                    Some(d) => m.direction = Some(d),
                    None => m.attributes.push(value.to_owned()),
                },
                (_, Some(m)) => m.other.push(line.to_owned()),
            }
        }
        if !saw_version {
            return Err(SdpError::Bad("no v= line"));
        }
        Ok(SessionDescription {
            origin: origin.ok_or(SdpError::Bad("no o= line"))?,
            name,
            connection,
            timing,
            direction,
            other,
            media,
        })
    }
}

fn parse_origin(value: &str) -> Result<Origin, SdpError> {
    let mut it = value.split_ascii_whitespace();
    let (Some(user), Some(id), Some(version), Some(net), Some(atype), Some(addr)) = (
        it.next(),
        it.next(),
        it.next(),
        it.next(),
        it.next(),
        it.next(),
    ) else {
        return Err(SdpError::Bad("o= needs six fields"));
    };
    // Session ids and versions are often 64-bit NTP-ish numbers; anything
    // longer is read modulo 2^64 rather than refused.
    let num = |s: &str| -> Result<u64, SdpError> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SdpError::Bad("o= id or version is not a number"));
        }
        Ok(s.bytes().fold(0u64, |n, b| {
            n.wrapping_mul(10).wrapping_add(u64::from(b - b'0'))
        }))
    };
    Ok(Origin {
        username: user.to_owned(),
        session_id: num(id)?,
        version: num(version)?,
        address: format!("{net} {atype} {addr}"),
    })
}

fn parse_media(value: &str) -> Result<Media, SdpError> {
    let mut it = value.split_ascii_whitespace();
    let (Some(kind), Some(port), Some(protocol)) = (it.next(), it.next(), it.next()) else {
        return Err(SdpError::Bad("m= needs media, port and protocol"));
    };
    // `port/count` (RFC 8866 §5.14): the count does not matter here.
    let port = port
        .split('/')
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or(SdpError::Bad("m= port is not a number"))?;
    let formats: Vec<String> = it.take(64).map(str::to_owned).collect();
    Ok(Media {
        kind: kind.to_owned(),
        port,
        protocol: protocol.to_owned(),
        formats,
        connection: None,
        direction: None,
        attributes: Vec::new(),
        other: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: &str = "v=0\r\n\
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\n\
s=-\r\n\
c=IN IP4 192.0.2.101\r\n\
t=0 0\r\n\
m=audio 49172 RTP/AVP 0 8 97\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:97 iLBC/8000\r\n\
a=sendonly\r\n\
m=video 0 RTP/AVP 31\r\n";

    #[test]
    fn reads_the_rfc4317_style_offer() {
        let s = SessionDescription::parse(OFFER).unwrap();
        assert_eq!(s.origin.session_id, 2890844526);
        assert_eq!(s.origin.address, "IN IP4 host.atlanta.example.com");
        assert_eq!(s.media.len(), 2);
        assert_eq!(s.media[0].formats, ["0", "8", "97"]);
        assert_eq!(s.media[0].rtpmap("97"), Some("iLBC/8000"));
        assert_eq!(s.media[0].direction, Some(Direction::SendOnly));
        assert_eq!(s.direction(), Direction::SendOnly);
        assert!(s.is_hold());
        assert_eq!(s.media[1].port, 0);
        assert_eq!(s.media_address(), Some("192.0.2.101".parse().unwrap()));
    }

    #[test]
    fn writes_what_it_read() {
        let s = SessionDescription::parse(OFFER).unwrap();
        let again = SessionDescription::parse(&s.to_string()).unwrap();
        assert_eq!(s, again);
    }

    #[test]
    fn bare_lf_and_session_level_direction() {
        let s = SessionDescription::parse(
            "v=0\no=- 1 2 IN IP6 ::1\ns=x\nc=IN IP6 ::1\nt=0 0\na=inactive\nm=audio 4000 RTP/AVP 0\n",
        )
        .unwrap();
        assert_eq!(s.direction(), Direction::Inactive);
        assert_eq!(s.media_address(), Some("::1".parse().unwrap()));
    }

    #[test]
    fn refuses_what_is_not_sdp() {
        assert_eq!(
            SessionDescription::parse("hello").unwrap_err(),
            SdpError::BadLine { line: 1 }
        );
        assert_eq!(
            SessionDescription::parse("v=0\r\ns=-\r\n").unwrap_err(),
            SdpError::Bad("no o= line")
        );
        assert!(SessionDescription::parse("v=0\r\no=- x 1 IN IP4 a\r\n").is_err());
        let many = "v=0\r\no=- 1 1 IN IP4 a\r\n".to_owned() + &"m=audio 1 RTP/AVP 0\r\n".repeat(17);
        assert_eq!(
            SessionDescription::parse(&many).unwrap_err(),
            SdpError::TooLarge
        );
    }
}
