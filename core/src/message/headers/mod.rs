//! Typed views of header values, parsed on demand from the borrowed text
//! (RFC 3261 §20 and §25.1, with RFC 4028, RFC 7616 and RFC 8760).
//!
//! Every view implements [`Typed`], so that [`Message::typed`],
//! [`Message::typed_opt`] and [`Message::typed_all`] can reach it:
//!
//! ```
//! use geosip_core::message::{parse, headers::{Expires, MaxForwards, Supported}};
//!
//! let m = parse(b"REGISTER sip:r SIP/2.0\r\nExpires: 600\r\nMax-Forwards: 70\r\nk: path, outbound\r\n\r\n").unwrap();
//! assert_eq!(m.typed::<Expires>().unwrap().0, 600);
//! assert_eq!(m.typed::<MaxForwards>().unwrap().0, 70);
//! let tags: Vec<_> = m.typed_all::<Supported>().map(|t| t.unwrap().0).collect();
//! assert_eq!(tags, ["path", "outbound"]);
//! ```
//!
//! [`Message::typed`]: super::Message::typed
//! [`Message::typed_opt`]: super::Message::typed_opt
//! [`Message::typed_all`]: super::Message::typed_all

mod auth;
mod cseq;
mod misc;
mod name_addr;
mod via;

pub use auth::{AuthValue, Authorization, ProxyAuthenticate, ProxyAuthorization, WwwAuthenticate};
pub use cseq::CSeq;
pub use misc::{
    Allow, ContentLength, ContentType, Date, Expires, MaxForwards, MinExpires, MinSe, ProxyRequire,
    Refresher, Require, RetryAfter, SessionExpires, Supported, Unsupported, Warning,
};
pub use name_addr::{Contact, NameAddr, RecordRoute, Route};
pub use via::{Transport, Via};

pub(crate) use misc::check_call_id;
#[cfg(test)]
pub(crate) use name_addr::{parse_name_addr_reference, parse_name_addr_simple};

use super::error::HeaderErrorKind;
use super::name::HeaderName;

/// A header value with a typed view.
pub trait Typed<'a>: Sized {
    /// The header this view reads.
    const NAME: HeaderName;
    /// Parses one value (one list element for list headers).
    fn parse(value: &'a str) -> Result<Self, HeaderErrorKind>;
}
