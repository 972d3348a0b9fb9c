//! The media direction attribute (RFC 3264 §5.1, §6.1, §8.4).

use std::fmt;

/// Which way media flows, from the point of view of the SDP's writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    /// Both ways (the default when no attribute is present).
    #[default]
    SendRecv,
    /// The writer only sends: it holds the other side (RFC 3264 §8.4).
    SendOnly,
    /// The writer only receives.
    RecvOnly,
    /// Neither way: both sides hold.
    Inactive,
}

impl Direction {
    /// The attribute name (`sendrecv`, `sendonly`, `recvonly`, `inactive`).
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// Reads an attribute name.
    pub fn from_attribute(s: &str) -> Option<Direction> {
        Some(match s {
            "sendrecv" => Direction::SendRecv,
            "sendonly" => Direction::SendOnly,
            "recvonly" => Direction::RecvOnly,
            "inactive" => Direction::Inactive,
            _ => return None,
        })
    }

    /// Whether the writer sends media.
    pub fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }

    /// Whether the writer receives media.
    pub fn receives(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::RecvOnly)
    }

    fn from_flags(sends: bool, receives: bool) -> Direction {
        match (sends, receives) {
            (true, true) => Direction::SendRecv,
            (true, false) => Direction::SendOnly,
            (false, true) => Direction::RecvOnly,
            (false, false) => Direction::Inactive,
        }
    }

    /// The direction of an answer to an offer in `self` from a side that
    /// wants `wanted` (RFC 3264 §6.1): we may send only what the offerer
    /// receives, and receive only what it sends.
    pub fn answer(self, wanted: Direction) -> Direction {
        Direction::from_flags(
            self.receives() && wanted.sends(),
            self.sends() && wanted.receives(),
        )
    }

    /// The direction to offer: `sendrecv` unless we hold the far end;
    /// `sendonly` to hold it, or `inactive` when it holds us too
    /// (RFC 3264 §8.4). The far end's own hold narrows its answer, not our
    /// offer.
    pub fn offer_for(local_hold: bool, remote_holds: bool) -> Direction {
        match (local_hold, remote_holds) {
            (false, _) => Direction::SendRecv,
            (true, false) => Direction::SendOnly,
            (true, true) => Direction::Inactive,
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Direction::{self, *};

    #[test]
    fn answers_follow_rfc3264_6_1() {
        // (offer, what the answerer wants) -> answer
        let table = [
            (SendRecv, SendRecv, SendRecv),
            (SendOnly, SendRecv, RecvOnly),
            (RecvOnly, SendRecv, SendOnly),
            (Inactive, SendRecv, Inactive),
            (SendRecv, SendOnly, SendOnly),
            (SendOnly, SendOnly, Inactive),
            (RecvOnly, SendOnly, SendOnly),
        ];
        for (offer, wanted, answer) in table {
            assert_eq!(offer.answer(wanted), answer, "{offer} / {wanted}");
        }
    }

    #[test]
    fn hold_offers_follow_rfc3264_8_4() {
        assert_eq!(Direction::offer_for(false, false), SendRecv);
        assert_eq!(Direction::offer_for(true, false), SendOnly);
        assert_eq!(Direction::offer_for(true, true), Inactive);
        assert_eq!(Direction::offer_for(false, true), SendRecv);
    }

    #[test]
    fn names_round_trip() {
        for d in [SendRecv, SendOnly, RecvOnly, Inactive] {
            assert_eq!(Direction::from_attribute(d.as_str()), Some(d));
        }
        assert_eq!(Direction::from_attribute("sendreceive"), None);
    }
}
