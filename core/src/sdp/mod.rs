//! Just enough SDP (RFC 8866) for offer/answer (RFC 3264) and the hold
//! direction of a call: the origin, the connection address, and media lines
//! with their formats, `rtpmap`/`fmtp` attributes and direction. Other
//! lines and attributes are kept as they came, so an SDP the application
//! passes in goes out unchanged apart from what hold changes.
//!
//! - [`SessionDescription::parse`] and [`Display`](std::fmt::Display) read
//!   and write it (CRLF line ends, RFC 8866 §5).
//! - [`SessionDescription::audio_offer`] is the default offer: PCMU, PCMA
//!   and telephone-event (RFC 4733).
//! - [`SessionDescription::answer`] answers an offer (RFC 3264 §6).
//! - [`Direction`] and [`SessionDescription::set_direction`] carry hold
//!   and retrieve (RFC 3264 §8.4).
//!
//! # Examples
//!
//! ```
//! use geosip_core::sdp::{Direction, SessionDescription};
//!
//! let offer = SessionDescription::audio_offer("192.0.2.10".parse().unwrap(), 40000, 7);
//! let text = offer.to_string();
//! assert!(text.contains("m=audio 40000 RTP/AVP 0 8 101\r\n"));
//!
//! // The far end answers; holding it later sends `a=sendonly`.
//! let parsed = SessionDescription::parse(&text).unwrap();
//! let answer = parsed.answer("192.0.2.20".parse().unwrap(), 50000, 9, Direction::SendRecv);
//! assert_eq!(answer.media[0].formats, ["0", "8", "101"]);
//! assert_eq!(answer.direction(), Direction::SendRecv);
//! ```

mod direction;
mod model;
mod offer_answer;
mod parse;

pub use direction::Direction;
pub use model::{Media, Origin, SessionDescription};
pub use parse::SdpError;

/// The most media lines an SDP may have.
pub const MAX_MEDIA: usize = 16;
/// The most lines an SDP may have.
pub const MAX_LINES: usize = 256;
