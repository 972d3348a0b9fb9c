//! The SIP message layer: parse, inspect, validate and build messages
//! (RFC 3261 §7, §8.2.6, §18.3, §19, §20 and §25).
//!
//! - [`parse`] / [`Parser`]: zero-copy parsing into [`Message`].
//! - [`Message::typed`] and the views in [`headers`]: typed access on demand.
//! - [`Message::validate`]: the strict checks a UAS makes before acting.
//! - [`MessageWriter`] and [`Message::write_to`]: serialization into a
//!   reused buffer.

mod builder;
mod class;
mod error;
pub mod headers;
mod headscan;
mod limits;
mod method;
mod name;
mod params;
mod parsed;
mod parser;
pub(crate) mod scan;
pub mod uri;
mod validate;

pub use builder::MessageWriter;
pub use error::{HeaderError, HeaderErrorKind, ParseError, ParseErrorKind, ValidationError};
pub use limits::ParseLimits;
pub use method::Method;
pub use name::HeaderName;
pub use params::{Param, ParamIter, Params};
pub use parsed::{Header, Message, StartLine, INLINE_HEADERS, MAX_NAME_LEAD, MAX_VALUE_LEN};
pub use parser::{parse, Parser};
pub use scan::CommaSplit;
pub use uri::{AbsoluteUri, Host, SipUri, TelUri, Uri};
