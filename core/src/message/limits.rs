//! Size and count limits that bound what the parser accepts.

/// Bounds on what the parser accepts. Every bound is checked before any
/// allocation, so a hostile peer cannot make the parser use more than these.
///
/// Two more bounds are fixed by the header index, whatever the limits:
/// a header's name, colon and the white space around it take at most
/// [`MAX_NAME_LEAD`](super::MAX_NAME_LEAD) bytes, and its value at most
/// [`MAX_VALUE_LEN`](super::MAX_VALUE_LEN).
///
/// # Examples
///
/// ```
/// use geosip_core::message::{ParseLimits, Parser};
///
/// let strict = Parser::new(ParseLimits { max_message_size: 4096, ..ParseLimits::default() });
/// let err = strict.parse_datagram(&vec![b'x'; 5000]).unwrap_err();
/// assert!(err.to_string().contains("limit of 4096"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    /// Largest message (headers plus body) in bytes. Default 65 536, the
    /// largest UDP payload (RFC 3261 §18.1.1).
    pub max_message_size: usize,
    /// Most header lines in one message. Default 256.
    pub max_headers: usize,
    /// Longest single line (a header including its folded continuation
    /// lines) in bytes. Default 16 384.
    pub max_line_length: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits {
            max_message_size: 65_536,
            max_headers: 256,
            max_line_length: 16_384,
        }
    }
}
