//! Header names: the known ones resolved once into an enum, compact forms
//! included (RFC 3261 §7.3.3 and the IANA registry), case-insensitively.
//!
//! This file is generated from one table so that the name, its compact
//! form and whether it holds a comma-separated list stay in step.

/// A header name. Known names are one enum value whatever their case or
/// compact form; any other name is [`HeaderName::Other`] and keeps its
/// spelling in the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum HeaderName {
    /// `Accept`.
    Accept,
    /// `Accept-Contact` (compact `a`).
    AcceptContact,
    /// `Accept-Encoding`.
    AcceptEncoding,
    /// `Accept-Language`.
    AcceptLanguage,
    /// `Alert-Info`.
    AlertInfo,
    /// `Allow`.
    Allow,
    /// `Allow-Events` (compact `u`).
    AllowEvents,
    /// `Authentication-Info`.
    AuthenticationInfo,
    /// `Authorization`.
    Authorization,
    /// `Call-ID` (compact `i`).
    CallId,
    /// `Call-Info`.
    CallInfo,
    /// `Contact` (compact `m`).
    Contact,
    /// `Content-Disposition`.
    ContentDisposition,
    /// `Content-Encoding` (compact `e`).
    ContentEncoding,
    /// `Content-Language`.
    ContentLanguage,
    /// `Content-Length` (compact `l`).
    ContentLength,
    /// `Content-Type` (compact `c`).
    ContentType,
    /// `CSeq`.
    CSeq,
    /// `Date`.
    Date,
    /// `Error-Info`.
    ErrorInfo,
    /// `Event` (compact `o`).
    Event,
    /// `Expires`.
    Expires,
    /// `From` (compact `f`).
    From,
    /// `Identity` (compact `y`).
    Identity,
    /// `Identity-Info` (compact `n`).
    IdentityInfo,
    /// `In-Reply-To`.
    InReplyTo,
    /// `Max-Forwards`.
    MaxForwards,
    /// `MIME-Version`.
    MimeVersion,
    /// `Min-Expires`.
    MinExpires,
    /// `Min-SE`.
    MinSe,
    /// `Organization`.
    Organization,
    /// `P-Asserted-Identity`.
    PAssertedIdentity,
    /// `P-Preferred-Identity`.
    PPreferredIdentity,
    /// `Path`.
    Path,
    /// `Priority`.
    Priority,
    /// `Privacy`.
    Privacy,
    /// `Proxy-Authenticate`.
    ProxyAuthenticate,
    /// `Proxy-Authorization`.
    ProxyAuthorization,
    /// `Proxy-Require`.
    ProxyRequire,
    /// `RAck`.
    RAck,
    /// `Reason`.
    Reason,
    /// `Record-Route`.
    RecordRoute,
    /// `Refer-To` (compact `r`).
    ReferTo,
    /// `Referred-By` (compact `b`).
    ReferredBy,
    /// `Reject-Contact` (compact `j`).
    RejectContact,
    /// `Replaces`.
    Replaces,
    /// `Reply-To`.
    ReplyTo,
    /// `Request-Disposition` (compact `d`).
    RequestDisposition,
    /// `Require`.
    Require,
    /// `Retry-After`.
    RetryAfter,
    /// `Route`.
    Route,
    /// `RSeq`.
    RSeq,
    /// `Server`.
    Server,
    /// `Service-Route`.
    ServiceRoute,
    /// `Session-Expires` (compact `x`).
    SessionExpires,
    /// `SIP-ETag`.
    SipETag,
    /// `SIP-If-Match`.
    SipIfMatch,
    /// `Subject` (compact `s`).
    Subject,
    /// `Subscription-State`.
    SubscriptionState,
    /// `Supported` (compact `k`).
    Supported,
    /// `Timestamp`.
    Timestamp,
    /// `To` (compact `t`).
    To,
    /// `Unsupported`.
    Unsupported,
    /// `User-Agent`.
    UserAgent,
    /// `Via` (compact `v`).
    Via,
    /// `Warning`.
    Warning,
    /// `WWW-Authenticate`.
    WwwAuthenticate,
    /// Any other header; the spelling is in the message.
    Other,
}

impl HeaderName {
    /// Every known name, for tables and tests.
    pub const KNOWN: &'static [HeaderName] = &[
        HeaderName::Accept,
        HeaderName::AcceptContact,
        HeaderName::AcceptEncoding,
        HeaderName::AcceptLanguage,
        HeaderName::AlertInfo,
        HeaderName::Allow,
        HeaderName::AllowEvents,
        HeaderName::AuthenticationInfo,
        HeaderName::Authorization,
        HeaderName::CallId,
        HeaderName::CallInfo,
        HeaderName::Contact,
        HeaderName::ContentDisposition,
        HeaderName::ContentEncoding,
        HeaderName::ContentLanguage,
        HeaderName::ContentLength,
        HeaderName::ContentType,
        HeaderName::CSeq,
        HeaderName::Date,
        HeaderName::ErrorInfo,
        HeaderName::Event,
        HeaderName::Expires,
        HeaderName::From,
        HeaderName::Identity,
        HeaderName::IdentityInfo,
        HeaderName::InReplyTo,
        HeaderName::MaxForwards,
        HeaderName::MimeVersion,
        HeaderName::MinExpires,
        HeaderName::MinSe,
        HeaderName::Organization,
        HeaderName::PAssertedIdentity,
        HeaderName::PPreferredIdentity,
        HeaderName::Path,
        HeaderName::Priority,
        HeaderName::Privacy,
        HeaderName::ProxyAuthenticate,
        HeaderName::ProxyAuthorization,
        HeaderName::ProxyRequire,
        HeaderName::RAck,
        HeaderName::Reason,
        HeaderName::RecordRoute,
        HeaderName::ReferTo,
        HeaderName::ReferredBy,
        HeaderName::RejectContact,
        HeaderName::Replaces,
        HeaderName::ReplyTo,
        HeaderName::RequestDisposition,
        HeaderName::Require,
        HeaderName::RetryAfter,
        HeaderName::Route,
        HeaderName::RSeq,
        HeaderName::Server,
        HeaderName::ServiceRoute,
        HeaderName::SessionExpires,
        HeaderName::SipETag,
        HeaderName::SipIfMatch,
        HeaderName::Subject,
        HeaderName::SubscriptionState,
        HeaderName::Supported,
        HeaderName::Timestamp,
        HeaderName::To,
        HeaderName::Unsupported,
        HeaderName::UserAgent,
        HeaderName::Via,
        HeaderName::Warning,
        HeaderName::WwwAuthenticate,
    ];

    /// The long form as RFC 3261 and its extensions spell it, or `None` for [`HeaderName::Other`].
    pub const fn as_str(self) -> Option<&'static str> {
        Some(match self {
            HeaderName::Accept => "Accept",
            HeaderName::AcceptContact => "Accept-Contact",
            HeaderName::AcceptEncoding => "Accept-Encoding",
            HeaderName::AcceptLanguage => "Accept-Language",
            HeaderName::AlertInfo => "Alert-Info",
            HeaderName::Allow => "Allow",
            HeaderName::AllowEvents => "Allow-Events",
            HeaderName::AuthenticationInfo => "Authentication-Info",
            HeaderName::Authorization => "Authorization",
            HeaderName::CallId => "Call-ID",
            HeaderName::CallInfo => "Call-Info",
            HeaderName::Contact => "Contact",
            HeaderName::ContentDisposition => "Content-Disposition",
            HeaderName::ContentEncoding => "Content-Encoding",
            HeaderName::ContentLanguage => "Content-Language",
            HeaderName::ContentLength => "Content-Length",
            HeaderName::ContentType => "Content-Type",
            HeaderName::CSeq => "CSeq",
            HeaderName::Date => "Date",
            HeaderName::ErrorInfo => "Error-Info",
            HeaderName::Event => "Event",
            HeaderName::Expires => "Expires",
            HeaderName::From => "From",
            HeaderName::Identity => "Identity",
            HeaderName::IdentityInfo => "Identity-Info",
            HeaderName::InReplyTo => "In-Reply-To",
            HeaderName::MaxForwards => "Max-Forwards",
            HeaderName::MimeVersion => "MIME-Version",
            HeaderName::MinExpires => "Min-Expires",
            HeaderName::MinSe => "Min-SE",
            HeaderName::Organization => "Organization",
            HeaderName::PAssertedIdentity => "P-Asserted-Identity",
            HeaderName::PPreferredIdentity => "P-Preferred-Identity",
            HeaderName::Path => "Path",
            HeaderName::Priority => "Priority",
            HeaderName::Privacy => "Privacy",
            HeaderName::ProxyAuthenticate => "Proxy-Authenticate",
            HeaderName::ProxyAuthorization => "Proxy-Authorization",
            HeaderName::ProxyRequire => "Proxy-Require",
            HeaderName::RAck => "RAck",
            HeaderName::Reason => "Reason",
            HeaderName::RecordRoute => "Record-Route",
            HeaderName::ReferTo => "Refer-To",
            HeaderName::ReferredBy => "Referred-By",
            HeaderName::RejectContact => "Reject-Contact",
            HeaderName::Replaces => "Replaces",
            HeaderName::ReplyTo => "Reply-To",
            HeaderName::RequestDisposition => "Request-Disposition",
            HeaderName::Require => "Require",
            HeaderName::RetryAfter => "Retry-After",
            HeaderName::Route => "Route",
            HeaderName::RSeq => "RSeq",
            HeaderName::Server => "Server",
            HeaderName::ServiceRoute => "Service-Route",
            HeaderName::SessionExpires => "Session-Expires",
            HeaderName::SipETag => "SIP-ETag",
            HeaderName::SipIfMatch => "SIP-If-Match",
            HeaderName::Subject => "Subject",
            HeaderName::SubscriptionState => "Subscription-State",
            HeaderName::Supported => "Supported",
            HeaderName::Timestamp => "Timestamp",
            HeaderName::To => "To",
            HeaderName::Unsupported => "Unsupported",
            HeaderName::UserAgent => "User-Agent",
            HeaderName::Via => "Via",
            HeaderName::Warning => "Warning",
            HeaderName::WwwAuthenticate => "WWW-Authenticate",
            HeaderName::Other => return None,
        })
    }

    /// The compact form (RFC 3261 §7.3.3), if the name has one.
    pub const fn compact(self) -> Option<u8> {
        match self {
            HeaderName::AcceptContact => Some(b'a'),
            HeaderName::AllowEvents => Some(b'u'),
            HeaderName::CallId => Some(b'i'),
            HeaderName::Contact => Some(b'm'),
            HeaderName::ContentEncoding => Some(b'e'),
            HeaderName::ContentLength => Some(b'l'),
            HeaderName::ContentType => Some(b'c'),
            HeaderName::Event => Some(b'o'),
            HeaderName::From => Some(b'f'),
            HeaderName::Identity => Some(b'y'),
            HeaderName::IdentityInfo => Some(b'n'),
            HeaderName::ReferTo => Some(b'r'),
            HeaderName::ReferredBy => Some(b'b'),
            HeaderName::RejectContact => Some(b'j'),
            HeaderName::RequestDisposition => Some(b'd'),
            HeaderName::SessionExpires => Some(b'x'),
            HeaderName::Subject => Some(b's'),
            HeaderName::Supported => Some(b'k'),
            HeaderName::To => Some(b't'),
            HeaderName::Via => Some(b'v'),
            _ => None,
        }
    }

    /// Whether the header holds a comma-separated list (RFC 3261 §7.3.1), so that
    /// `Via: a, b` is two values.
    pub const fn is_list(self) -> bool {
        matches!(
            self,
            HeaderName::Accept
                | HeaderName::AcceptContact
                | HeaderName::AcceptEncoding
                | HeaderName::AcceptLanguage
                | HeaderName::AlertInfo
                | HeaderName::Allow
                | HeaderName::AllowEvents
                | HeaderName::CallInfo
                | HeaderName::Contact
                | HeaderName::ContentEncoding
                | HeaderName::ContentLanguage
                | HeaderName::ErrorInfo
                | HeaderName::InReplyTo
                | HeaderName::PAssertedIdentity
                | HeaderName::PPreferredIdentity
                | HeaderName::Path
                | HeaderName::ProxyRequire
                | HeaderName::Reason
                | HeaderName::RecordRoute
                | HeaderName::RejectContact
                | HeaderName::RequestDisposition
                | HeaderName::Require
                | HeaderName::Route
                | HeaderName::ServiceRoute
                | HeaderName::Supported
                | HeaderName::Unsupported
                | HeaderName::Via
                | HeaderName::Warning
        )
    }

    /// [`from_bytes`](Self::from_bytes) for a name of `len` bytes (at
    /// most 16) that starts a window of 16 bytes, by one 16-byte compare.
    /// `len` must be the position of the window's first colon (16 if it
    /// has none): the colon after a shorter name is part of the compare,
    /// which thereby also checks the length. The bytes past the colon may
    /// be anything. `None` for a name that is not in the table (which is
    /// then [`HeaderName::Other`]); a `Some` is never `Other`, so that a
    /// caller needs no test of it.
    #[inline(always)]
    pub(crate) fn window_match(len: usize, window: &[u8; 16]) -> Option<HeaderName> {
        debug_assert_eq!(
            window.iter().position(|&c| c == b':').unwrap_or(16),
            len.min(16)
        );
        if len > 16 {
            return None;
        }
        // Compact forms are in the table too, so one or 16 bytes take the
        // same path. An empty name matches no entry (each starts with a
        // letter) and is Other.
        // The slot: the name's first eight bytes (fewer for a shorter
        // name) with the letters folded, times its length's multiplier;
        // a name of 16 bytes adds its second eight.
        let t = &WIDE_TABLE;
        let low = u64::from_le_bytes(*window.first_chunk::<8>()?);
        let slot = match len {
            0..16 => wide_slot_in(&t.fold, &t.mul, low, 0, len),
            _ => {
                let high = u64::from_le_bytes(*window.last_chunk::<8>()?);
                wide_slot_in(&t.fold, &t.mul, low, high, 16)
            }
        };
        let w = &WIDE_TABLE.entries[slot];
        // One OR and one byte compare of all sixteen (SSE2).
        let same = wide::u8x16::from(*window) | wide::u8x16::from(w.case.to_le_bytes());
        let hit = same
            .cmp_eq(wide::u8x16::from(w.lower.to_le_bytes()))
            .move_mask()
            == 0xFFFF;
        // A known name holds no colon, so a match with its colon (or, for
        // 16 bytes, with all 16) is a match of the length too. An empty
        // slot matches nothing.
        let word = u128::from_le_bytes(*window);
        debug_assert_eq!(hit, word | w.case == w.lower);
        debug_assert!(!hit || (w.name != HeaderName::Other && usize::from(w.len) == len));
        hit.then_some(w.name)
    }

    /// Resolves a name as it stands in a message, case-insensitively and with compact forms.
    ///
    /// ```
    /// use geosip_core::message::HeaderName;
    /// assert_eq!(HeaderName::from_bytes(b"v"), HeaderName::Via);
    /// assert_eq!(HeaderName::from_bytes(b"cAlL-iD"), HeaderName::CallId);
    /// assert_eq!(HeaderName::from_bytes(b"X-Custom"), HeaderName::Other);
    /// ```
    #[inline]
    pub fn from_bytes(name: &[u8]) -> HeaderName {
        match name {
            [] => HeaderName::Other,
            [c] => compact_name(*c),
            _ => long_name(name),
        }
    }
}

/// A compact form (RFC 3261 §7.3.3), in either case.
#[inline]
fn compact_name(c: u8) -> HeaderName {
    match c | 0x20 {
        b'a' => HeaderName::AcceptContact,
        b'u' => HeaderName::AllowEvents,
        b'i' => HeaderName::CallId,
        b'm' => HeaderName::Contact,
        b'e' => HeaderName::ContentEncoding,
        b'l' => HeaderName::ContentLength,
        b'c' => HeaderName::ContentType,
        b'o' => HeaderName::Event,
        b'f' => HeaderName::From,
        b'y' => HeaderName::Identity,
        b'n' => HeaderName::IdentityInfo,
        b'r' => HeaderName::ReferTo,
        b'b' => HeaderName::ReferredBy,
        b'j' => HeaderName::RejectContact,
        b'd' => HeaderName::RequestDisposition,
        b'x' => HeaderName::SessionExpires,
        b's' => HeaderName::Subject,
        b'k' => HeaderName::Supported,
        b't' => HeaderName::To,
        b'v' => HeaderName::Via,
        _ => HeaderName::Other,
    }
}

// Long names are found with a perfect hash of their length and three of
// their bytes (first, middle, last, lowercased), then compared whole in at
// most three little-endian words: the first and last `w` bytes (`w` = 2, 4
// or 8 by length, overlapping for odd sizes) and, past 16 bytes, bytes 8 to
// 16. A word matches when `(word ^ lower) & keep == 0`, where `keep` has
// 0xDF on letters (either case) and 0xFF on every other byte (exact).

/// One known long name.
#[derive(Clone, Copy)]
struct Entry {
    name: HeaderName,
    len: u8,
    head: u64,
    head_keep: u64,
    tail: u64,
    tail_keep: u64,
    mid: u64,
    mid_keep: u64,
}

/// The multiplier of the hash; found by search so that the known names
/// land in distinct slots (checked at compile time by [`build_table`]).
const HASH_MUL: u64 = 0x821b_983a_91d5_3989;

/// The longest known name ("P-Preferred-Identity" is 20).
const MAX_LONG: usize = 24;

#[inline(always)]
const fn hash(len: usize, first: u8, mid: u8, last: u8) -> usize {
    let key = (len as u64 & 0xFF)
        | ((first | 0x20) as u64) << 8
        | ((last | 0x20) as u64) << 16
        | ((mid | 0x20) as u64) << 24;
    (key.wrapping_mul(HASH_MUL) >> 56) as usize
}

/// The multiplier of [`WIDE_TABLE`]'s hash for a name of each length (0
/// to 16); see [`wide_slot`].
///
/// A multiplier per length, rather than one multiplier and the length
/// mixed into the key, tells apart names that share their first eight
/// bytes (`Content-Type`, `Content-Length`) with no step for the length.
/// Found by search, greedily a length at a time, so that the 79
/// spellings (the names of up to 16 bytes and the compact forms) take
/// distinct slots of the 256; `build_wide` rejects a collision at compile
/// time.
const WIDE_MUL: [u64; 17] = [
    0xe9ca_7bf6_b0c3_47bb,
    0x856d_9c28_a974_1a03,
    0x868b_3dda_cc72_d755,
    0x8eff_c27a_d918_4313,
    0x480c_4fbc_1a4b_3a65,
    0xa133_1aca_8f9b_e1f5,
    0x030a_8c60_7b88_eee7,
    0xc366_ae2c_2076_4753,
    0xba96_d597_e9fd_de9d,
    0x4681_12fb_3eaf_4ae1,
    0x97a3_91ce_01f3_892f,
    0x9cef_ea2e_8b1c_5e3b,
    0x1a79_3120_58b3_9663,
    0x4e0d_0726_096c_a6fb,
    0x2ef6_453c_5b4f_e5bd,
    0xe542_a8d7_84c4_cd07,
    0xec55_e9fb_9f4b_dbd7,
];

/// For a name of each length (0 to 16), the mask of its first eight bytes
/// (fewer for a shorter name) with bit 5 clear, which folds a letter to
/// upper case and drops the bytes past the name.
const WIDE_FOLD: [u64; 17] = {
    let mut fold = [0u64; 17];
    let mut len = 0;
    while len <= 16 {
        let mut i = 0;
        while i < len && i < 8 {
            fold[len] |= 0xDF << (8 * i);
            i += 1;
        }
        len += 1;
    }
    fold
};

/// The slot in [`WIDE_TABLE`] of a name of `len` bytes (0 to 16) whose
/// first eight bytes are `low` and next eight `high` (little-endian): the
/// top byte of the product of its first eight bytes (or all of a shorter
/// one) folded, XOR-ed for a name of 16 bytes with its second eight
/// folded, and the multiplier of its length. The table is built with it.
const fn wide_slot(low: u64, high: u64, len: usize) -> usize {
    wide_slot_in(&WIDE_FOLD, &WIDE_MUL, low, high, len)
}

/// [`wide_slot`] with its masks and multipliers read from `fold` and
/// `mul`: [`HeaderName::window_match`] reads them from [`WIDE_TABLE`],
/// where one address serves the mask, the multiplier and the entry (one
/// AND and one multiply with memory operands where the window was read).
#[inline(always)]
const fn wide_slot_in(fold: &[u64; 17], mul: &[u64; 17], low: u64, high: u64, len: usize) -> usize {
    let mut key = low & fold[len];
    if len == 16 {
        key ^= high & fold[16];
    }
    (key.wrapping_mul(mul[len]) >> 56) as usize
}

/// The word size used for a name of this length.
#[inline(always)]
const fn word_size(len: usize) -> usize {
    if len >= 8 {
        8
    } else if len >= 4 {
        4
    } else {
        2
    }
}

/// `n` (2, 4 or 8) bytes of `b` from `at`, little-endian.
#[inline(always)]
fn load(b: &[u8], at: usize, n: usize) -> u64 {
    match n {
        8 => u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or([0; 8])),
        4 => u64::from(u32::from_le_bytes(
            b[at..at + 4].try_into().unwrap_or([0; 4]),
        )),
        _ => u64::from(u16::from_le_bytes(
            b[at..at + 2].try_into().unwrap_or([0; 2]),
        )),
    }
}

/// The same, in a const context, with the case mask: (lowercased word,
/// keep mask).
const fn load_const(b: &[u8], at: usize, n: usize) -> (u64, u64) {
    let mut word = 0u64;
    let mut keep = 0u64;
    let mut i = 0;
    while i < n {
        let c = b[at + i].to_ascii_lowercase();
        word |= (c as u64) << (8 * i);
        let k: u64 = if c.is_ascii_lowercase() { 0xDF } else { 0xFF };
        keep |= k << (8 * i);
        i += 1;
    }
    (word, keep)
}

const EMPTY: Entry = Entry {
    name: HeaderName::Other,
    len: 0,
    head: 0,
    head_keep: 0,
    tail: 0,
    tail_keep: 0,
    mid: 0,
    mid_keep: 0,
};

/// The `k`th known name: its value, spelling and hash slot.
const fn known(k: usize) -> (HeaderName, &'static [u8], usize) {
    let name = HeaderName::KNOWN[k];
    let s = match name.as_str() {
        Some(s) => s.as_bytes(),
        None => panic!("a known name without spelling"),
    };
    let len = s.len();
    (name, s, hash(len, s[0], s[len / 2], s[len - 1]))
}

/// The hash table of long names, built at compile time. A collision or a
/// name the words cannot hold stops the build.
const fn build_table() -> [Entry; 256] {
    let mut table = [EMPTY; 256];
    let mut k = 0;
    while k < HeaderName::KNOWN.len() {
        let (name, s, slot) = known(k);
        let len = s.len();
        assert!(len >= 2 && len <= MAX_LONG, "name length out of range");
        assert!(table[slot].len == 0, "header name hash collision");
        let n = word_size(len);
        let (head, head_keep) = load_const(s, 0, n);
        let (tail, tail_keep) = load_const(s, len - n, n);
        let (mid, mid_keep) = if len > 16 {
            load_const(s, 8, 8)
        } else {
            (0, 0)
        };
        table[slot] = Entry {
            name,
            len: len as u8,
            head,
            head_keep,
            tail,
            tail_keep,
            mid,
            mid_keep,
        };
        k += 1;
    }
    table
}

static TABLE: [Entry; 256] = build_table();

/// The names of up to 16 bytes and the compact forms, for
/// [`HeaderName::window_match`], as one 16-byte word each: a name matches
/// when `window | case == lower`, where `case` has 0x20 on letters (so
/// either case folds to lower case; only letters fold onto letters) and
/// 0xFF on the bytes past the name and its colon, which `lower` has too,
/// so that those bytes match whatever they are (one OR and one compare).
#[derive(Clone, Copy)]
#[repr(align(64))]
struct WideEntry {
    lower: u128,
    case: u128,
    name: HeaderName,
    len: u8,
}

/// An empty slot: OR-ing 0xFF into the first byte can never give the 0
/// of `lower`, so no window matches it.
const EMPTY_WIDE: WideEntry = WideEntry {
    lower: 0,
    case: 0xFF,
    name: HeaderName::Other,
    len: 0,
};

/// The entry of one spelling (a long name, or a compact form of 1 byte).
const fn wide_entry(name: HeaderName, s: &[u8]) -> WideEntry {
    let mut e = WideEntry {
        lower: 0,
        case: 0,
        name,
        len: 0,
    };
    e.len = s.len() as u8;
    let mut i = 0;
    while i < s.len() {
        let c = s[i].to_ascii_lowercase();
        e.lower |= (c as u128) << (8 * i);
        if c.is_ascii_lowercase() {
            e.case |= 0x20 << (8 * i);
        }
        i += 1;
    }
    // The colon after the name, when it is in the window (see
    // `window_match`).
    if i < 16 {
        e.lower |= (b':' as u128) << (8 * i);
        i += 1;
    }
    // Any bytes past them.
    while i < 16 {
        e.case |= 0xFF << (8 * i);
        e.lower |= 0xFF << (8 * i);
        i += 1;
    }
    e
}

/// Puts `e` in its slot; a collision stops the build.
const fn place(wide: &mut [WideEntry; 256], e: WideEntry, s: &[u8]) {
    let mut window = [0u8; 16];
    let mut i = 0;
    while i < s.len() {
        window[i] = s[i];
        i += 1;
    }
    let (low, high) = (
        u64::from_le_bytes(*window.first_chunk::<8>().unwrap()),
        u64::from_le_bytes(*window.last_chunk::<8>().unwrap()),
    );
    let slot = wide_slot(low, high, s.len());
    assert!(
        wide[slot].len == 0,
        "header name hash collision (WIDE_TABLE)"
    );
    wide[slot] = e;
}

const fn build_wide() -> [WideEntry; 256] {
    let mut wide = [EMPTY_WIDE; 256];
    let mut k = 0;
    while k < HeaderName::KNOWN.len() {
        let (name, s, _) = known(k);
        if s.len() <= 16 {
            place(&mut wide, wide_entry(name, s), s);
        }
        if let Some(c) = name.compact() {
            let one = [c];
            place(&mut wide, wide_entry(name, &one), &one);
        }
        k += 1;
    }
    wide
}

/// [`WIDE_FOLD`], [`WIDE_MUL`] and the entries of the window table in
/// one place, so that one address serves the three reads of a line.
#[repr(C)]
struct WideTable {
    fold: [u64; 17],
    mul: [u64; 17],
    entries: [WideEntry; 256],
}

static WIDE_TABLE: WideTable = WideTable {
    fold: WIDE_FOLD,
    mul: WIDE_MUL,
    entries: build_wide(),
};

/// Resolves a name of two or more bytes.
#[inline(always)]
fn long_name(b: &[u8]) -> HeaderName {
    let len = b.len();
    if len > MAX_LONG {
        return HeaderName::Other;
    }
    let e = &TABLE[hash(len, b[0], b[len / 2], b[len - 1])];
    if usize::from(e.len) != len {
        return HeaderName::Other;
    }
    let n = word_size(len);
    let mut diff =
        ((load(b, 0, n) ^ e.head) & e.head_keep) | ((load(b, len - n, n) ^ e.tail) & e.tail_keep);
    if len > 16 {
        diff |= (load(b, 8, 8) ^ e.mid) & e.mid_keep;
    }
    if diff == 0 {
        e.name
    } else {
        HeaderName::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `window_match` gives `from_bytes`'s answer whatever follows the name.
    #[test]
    fn window_lookup_agrees_with_from_bytes() {
        // Every single byte (the compact forms share the table), the empty
        // name, and variations of every known name.
        let mut names: Vec<Vec<u8>> = vec![b"".to_vec(), b"X-Foo".to_vec()];
        names.extend((0..=255u8).map(|c| vec![c]));
        for &n in HeaderName::KNOWN {
            let s = n.as_str().unwrap().as_bytes();
            names.push(s.to_vec());
            names.push(s.to_ascii_uppercase());
            for i in 0..s.len() {
                for c in [
                    b'-',
                    b'_',
                    b'^',
                    b'~',
                    b'@',
                    b'`',
                    b'0',
                    s[i] ^ 0x20,
                    s[i] ^ 1,
                ] {
                    let mut v = s.to_vec();
                    v[i] = c;
                    names.push(v);
                }
            }
            let mut longer = s.to_vec();
            longer.push(b'a');
            names.push(longer);
            names.push(s[1..].to_vec());
            names.push(s[..s.len() - 1].to_vec());
        }
        // As the head scan calls it: the name, then its colon (unless the
        // name fills the window), then anything.
        for name in names.iter().filter(|n| n.len() <= 16 && !n.contains(&b':')) {
            for fill in [0u8, b':', b' ', b'a', 0xFF] {
                let mut window = [fill; 16];
                window[..name.len()].copy_from_slice(name);
                if let Some(c) = window.get_mut(name.len()) {
                    *c = b':';
                }
                assert_eq!(
                    HeaderName::window_match(name.len(), &window).unwrap_or(HeaderName::Other),
                    HeaderName::from_bytes(name),
                    "{:?}",
                    String::from_utf8_lossy(name)
                );
            }
        }
    }

    #[test]
    fn every_known_name_resolves_in_any_case() {
        for &n in HeaderName::KNOWN {
            let s = n.as_str().unwrap();
            assert_eq!(HeaderName::from_bytes(s.as_bytes()), n, "{s}");
            assert_eq!(HeaderName::from_bytes(s.to_ascii_lowercase().as_bytes()), n);
            assert_eq!(HeaderName::from_bytes(s.to_ascii_uppercase().as_bytes()), n);
            if let Some(c) = n.compact() {
                assert_eq!(HeaderName::from_bytes(&[c]), n);
                assert_eq!(HeaderName::from_bytes(&[c.to_ascii_uppercase()]), n);
            }
            // One byte changed anywhere, or one byte more or less, is
            // another name.
            for i in 0..s.len() {
                for c in [b'-', b'_', b'\r', b'x', b'0', s.as_bytes()[i] ^ 0x20 ^ 1] {
                    let mut v = s.as_bytes().to_vec();
                    if v[i].eq_ignore_ascii_case(&c) {
                        continue;
                    }
                    v[i] = c;
                    assert_eq!(HeaderName::from_bytes(&v), HeaderName::Other, "{v:?}");
                }
            }
            let mut longer = s.as_bytes().to_vec();
            longer.push(b's');
            assert_eq!(HeaderName::from_bytes(&longer), HeaderName::Other);
            if s.len() > 2 {
                assert_eq!(
                    HeaderName::from_bytes(&s.as_bytes()[1..]),
                    HeaderName::Other
                );
            }
        }
        assert_eq!(HeaderName::from_bytes(b""), HeaderName::Other);
        assert_eq!(HeaderName::from_bytes(b"-"), HeaderName::Other);
        assert_eq!(HeaderName::from_bytes(&[0xFF; 30]), HeaderName::Other);
    }
}
