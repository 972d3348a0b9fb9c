//! Authentication headers: WWW-Authenticate, Proxy-Authenticate,
//! Authorization and Proxy-Authorization (RFC 3261 §20.7, §20.27, §20.28,
//! §20.44; digest parameters of RFC 7616 §3.3–§3.4 and RFC 8760).

use super::super::class::{self, eq_lower, span};
use super::super::error::HeaderErrorKind as E;
use super::super::name::HeaderName;
use super::super::scan::{is_token, is_ws, quoted_end, trim, unquote, CommaSplit, TOKEN};
use super::Typed;

/// A challenge or credentials: `Digest realm="x", nonce="y", ...`.
///
/// One header holds one challenge; the parameters are split at commas
/// outside quotes.
///
/// # Examples
///
/// ```
/// use geosip_core::message::{parse, headers::WwwAuthenticate};
///
/// let m = parse(b"SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"atlanta.com\", \
/// qop=\"auth,auth-int\", nonce=\"84a4cc6f\", algorithm=SHA-256, stale=TRUE\r\n\r\n").unwrap();
/// let ch = m.typed::<WwwAuthenticate>().unwrap();
/// assert!(ch.is_digest());
/// assert_eq!(ch.realm(), Some("atlanta.com"));
/// assert_eq!(ch.algorithm(), Some("SHA-256"));
/// assert!(ch.stale());
/// assert!(ch.qop_options().any(|q| q == "auth"));
/// ```
#[derive(Clone, Copy)]
pub struct AuthValue<'a> {
    /// The scheme, normally `Digest`.
    pub scheme: &'a str,
    /// The raw parameter list.
    pub params: &'a str,
    /// Where the digest parameters sit in `params`, unquoted, found in the
    /// one pass that checks the list (indexed by [`KNOWN`]; see [`Slots`]).
    known: Slots,
}

/// Where the value of each known parameter sits in `params`, as
/// `start..end`: four bytes a slot instead of a sixteen-byte
/// `Option<&str>`, so that the view is 88 bytes instead of 256 and each
/// move through `Result` and iterator layers copies a third as much.
///
/// `(0, _)` is an absent parameter (a value never starts at 0: a name and
/// `=` come first). A list longer than `u16::MAX` bytes has no offsets:
/// every slot is [`LONG_DIGEST`] or [`LONG_LENIENT`] (start past end, as
/// no value has), and a lookup runs that pass again.
type Slots = [(u16, u16); KNOWN.len()];

/// No known parameter yet.
const ABSENT: Slots = [(0, 0); KNOWN.len()];
/// A list too long for offsets, checked by [`digest_params`].
const LONG_DIGEST: (u16, u16) = (u16::MAX, 0);
/// A list too long for offsets, taken by [`lenient_params`].
const LONG_LENIENT: (u16, u16) = (u16::MAX, 1);

/// The slots of `params` from a pass that reports each known parameter
/// as (slot, start, end), and the pass's own result. The first
/// occurrence of a name counts. When the offsets do not fit, every slot
/// is the `long` marker.
fn slots<R>(
    params: &str,
    long: (u16, u16),
    pass: impl FnOnce(&mut dyn FnMut(usize, usize, usize)) -> R,
) -> (Slots, R) {
    let fits = params.len() <= usize::from(u16::MAX);
    let mut known = if fits { ABSENT } else { [long; KNOWN.len()] };
    let r = pass(&mut |k, vs, ve| {
        debug_assert!(0 < vs && vs <= ve && ve <= params.len());
        if fits && known[k].0 == 0 {
            // Both fit: `ve <= params.len() <= u16::MAX`.
            known[k] = (vs as u16, ve as u16);
        }
    });
    (known, r)
}

/// The digest parameters of RFC 7616 §3.3 and §3.4 that get a slot.
const KNOWN: [&str; 14] = [
    "realm",
    "nonce",
    "opaque",
    "algorithm",
    "domain",
    "stale",
    "qop",
    "charset",
    "userhash",
    "username",
    "uri",
    "response",
    "cnonce",
    "nc",
];

/// The slot of a known parameter: one candidate by length and first byte
/// (last byte for the two of eight letters starting with `u`), then one
/// comparison against a constant, a word or two.
#[inline(always)]
fn known_index(name: &[u8]) -> Option<usize> {
    let i = match (name.len(), name.first()? | 0x20) {
        (5, b'r') if eq_lower(name, b"realm") => 0,
        (5, b'n') if eq_lower(name, b"nonce") => 1,
        (6, b'o') if eq_lower(name, b"opaque") => 2,
        (9, b'a') if eq_lower(name, b"algorithm") => 3,
        (6, b'd') if eq_lower(name, b"domain") => 4,
        (5, b's') if eq_lower(name, b"stale") => 5,
        (3, b'q') if eq_lower(name, b"qop") => 6,
        (7, b'c') if eq_lower(name, b"charset") => 7,
        (8, b'u') if name[7] | 0x20 == b'h' => return eq_lower(name, b"userhash").then_some(8),
        (8, b'u') if eq_lower(name, b"username") => 9,
        (3, b'u') if eq_lower(name, b"uri") => 10,
        (8, b'r') if eq_lower(name, b"response") => 11,
        (6, b'c') if eq_lower(name, b"cnonce") => 12,
        (2, b'n') if eq_lower(name, b"nc") => 13,
        _ => return None,
    };
    Some(i)
}

/// The parameters of any scheme taken as they are, without checking the
/// grammar ([`AuthValue::new`]): each `name=value` element of the comma
/// list with a known name, reported as (slot, start, end) in `params`,
/// the value trimmed and unquoted.
fn lenient_params(params: &str, found: &mut dyn FnMut(usize, usize, usize)) {
    for p in CommaSplit::new(params) {
        if let Some((n, v)) = p.split_once('=') {
            if let Some(k) = known_index(trim(n).as_bytes()) {
                // Every piece is a subslice of `params`.
                let v = unquote(trim(v));
                let vs = v.as_ptr().addr() - params.as_ptr().addr();
                found(k, vs, vs + v.len());
            }
        }
    }
}

/// The Digest grammar pass over a parameter list (RFC 3261 §25.1
/// `auth-param = token EQUAL ( token / quoted-string )`, separated by
/// commas, LWS around both): reports each known parameter as (slot,
/// start, end) in `params`, the value unquoted; an error for anything
/// else.
fn digest_params(params: &str, found: &mut dyn FnMut(usize, usize, usize)) -> Result<(), E> {
    // One pass over the bytes: name, '=', token or quoted-string, ','.
    let b = params.as_bytes();
    let len = b.len();
    let skip_ws = |i: &mut usize| {
        while *i < len && is_ws(b[*i]) {
            *i += 1;
        }
    };
    let mut i = 0;
    while i < len {
        let ns = i;
        while i < len && TOKEN[b[i] as usize] {
            i += 1;
        }
        if i == ns {
            return Err(E::Syntax("malformed auth-param"));
        }
        let ne = i;
        skip_ws(&mut i);
        if b.get(i) != Some(&b'=') {
            return Err(E::Syntax("auth-param without '='"));
        }
        i += 1;
        skip_ws(&mut i);
        let vs = i;
        let (vs, ve) = if b.get(i) == Some(&b'"') {
            i += quoted_end(&b[i..]).ok_or(E::Syntax("malformed auth-param"))?;
            (vs + 1, i - 1)
        } else {
            while i < len && TOKEN[b[i] as usize] {
                i += 1;
            }
            if i == vs {
                return Err(E::Syntax("malformed auth-param"));
            }
            (vs, i)
        };
        if let Some(k) = known_index(&b[ns..ne]) {
            found(k, vs, ve);
        }
        skip_ws(&mut i);
        match b.get(i) {
            None => break,
            Some(b',') => {
                i += 1;
                skip_ws(&mut i);
                if i == len {
                    return Err(E::Syntax("malformed auth-param"));
                }
            }
            Some(_) => return Err(E::Syntax("malformed auth-param")),
        }
    }
    Ok(())
}

/// The fold and match of a known name and its `=` in the low bytes of a
/// word: `(mask, fold, want)` such that `w & mask | fold == want` exactly
/// when the word starts with the name in any case and then `=` (OR-ing
/// 0x20 into a letter's byte is an exact fold; the `=` is not folded).
const fn name_eq(name: &[u8]) -> (u64, u64, u64) {
    let n = name.len();
    assert!(n < 8);
    let (mut fold, mut want, mut j) = (0, 0, 0);
    while j < n {
        assert!(name[j].is_ascii_lowercase());
        fold |= 0x20 << (8 * j);
        want |= (name[j] as u64) << (8 * j);
        j += 1;
    }
    want |= (b'=' as u64) << (8 * n);
    let mask = if n == 7 {
        u64::MAX
    } else {
        (1 << (8 * (n + 1))) - 1
    };
    (mask, fold, want)
}

/// Eight letters folded (the names of eight letters or more).
const FOLD8: u64 = 0x2020_2020_2020_2020;

/// A known name and its `=` at the start of `b`, by the first letter and
/// one or two word compares: its slot and the bytes after the `=` (cut in
/// each arm, where the length is a constant that the word load has
/// already bounded, so that the cut tests nothing). `None`
/// for any other name, or when fewer than eight bytes remain: the
/// class-table scan and [`known_index`] decide then.
#[inline(always)]
fn known_name(b: &[u8]) -> Option<(usize, &[u8])> {
    let w = u64::from_le_bytes(*b.first_chunk::<8>()?);
    let is = |(mask, fold, want): (u64, u64, u64)| w & mask | fold == want;
    let is8 = |name: &[u8; 8]| w | FOLD8 == u64::from_le_bytes(*name) && b.get(8) == Some(&b'=');
    // Both cases of the first letter rather than a fold: the jump table
    // is indexed by the byte as it stands, two instructions fewer a name
    // (the word compare folds and checks that byte again).
    let (k, v) = match w as u8 {
        b'r' | b'R' if is(const { name_eq(b"realm") }) => (0, &b[6..]),
        b'r' | b'R' if is8(b"response") => (11, &b[9..]),
        b'n' | b'N' if is(const { name_eq(b"nonce") }) => (1, &b[6..]),
        b'n' | b'N' if is(const { name_eq(b"nc") }) => (13, &b[3..]),
        b'o' | b'O' if is(const { name_eq(b"opaque") }) => (2, &b[7..]),
        b'a' | b'A'
            if w | FOLD8 == u64::from_le_bytes(*b"algorith")
                && matches!(b.get(8..10), Some([m, b'=']) if m | 0x20 == b'm') =>
        {
            (3, &b[10..])
        }
        b'd' | b'D' if is(const { name_eq(b"domain") }) => (4, &b[7..]),
        b's' | b'S' if is(const { name_eq(b"stale") }) => (5, &b[6..]),
        b'q' | b'Q' if is(const { name_eq(b"qop") }) => (6, &b[4..]),
        b'c' | b'C' if is(const { name_eq(b"charset") }) => (7, &b[8..]),
        b'c' | b'C' if is(const { name_eq(b"cnonce") }) => (12, &b[7..]),
        b'u' | b'U' if is8(b"userhash") => (8, &b[9..]),
        b'u' | b'U' if is8(b"username") => (9, &b[9..]),
        b'u' | b'U' if is(const { name_eq(b"uri") }) => (10, &b[4..]),
        _ => return None,
    };
    Some((k, v))
}

/// The bits of the `"` among sixteen bytes, lowest byte first.
#[inline(always)]
fn quotes16(c: &[u8; 16]) -> u32 {
    let v = wide::u8x16::from(*c);
    // The mask of a compare has 16 meaningful bits.
    v.cmp_eq(wide::u8x16::splat(b'"')).move_mask() as u32 & 0xFFFF
}

/// The index in `text` of the `"` that closes a quoted-string whose
/// text starts there (just past the opening `"`), sixteen bytes a step
/// (one SSE2 compare); `text` ends where `whole` does.
///
/// That is the first `"` in `text` unless a quoted-pair (`\` and any
/// byte, RFC 3261 §25.1 `quoted-pair`) takes it: only when a `\` comes
/// just before it, and then, as when the string is not closed or `whole`
/// is shorter than sixteen bytes, the answer is `None` and the reference
/// parse resolves the pairs. (A `\` elsewhere pairs with a byte that is
/// not that `"`, and the value is the text as written either way.) The
/// last step reads the last sixteen bytes of `whole` and drops the bits
/// of those before the rest of `text`.
///
/// The scan is [`quoted_text`], which [`AuthValue::parse_simple`] calls;
/// this form, by the index in `text`, is the one the test pins against
/// the reference scan (and the bytes after the quote with it).
#[cfg(test)]
fn closing_quote(text: &[u8], whole: &[u8]) -> Option<usize> {
    // The opening quote comes just before `text`.
    let quoted = whole.get(whole.len().checked_sub(text.len() + 1)?..)?;
    let (len, after) = quoted_text(quoted, whole)?;
    // What follows is the rest of `text` after the quote.
    assert_eq!(text.get(len + 1..), Some(after));
    Some(len)
}

/// [`closing_quote`] on `quoted`, which starts with the opening quote:
/// the length of the text and the bytes after the closing quote. Each
/// step reads sixteen (or thirty-two) bytes of text from a slice that
/// starts one byte earlier, so that the byte before a quote at `j` is
/// that slice's byte `j` and the bytes after it start at `j + 2`: with
/// `j` below the step and the slice one byte longer, neither tests a
/// bound.
#[inline(always)]
fn quoted_text<'b>(quoted: &'b [u8], whole: &[u8]) -> Option<(usize, &'b [u8])> {
    debug_assert!(whole.ends_with(quoted) && quoted.first() == Some(&b'"'));
    // The byte before what is left of the text, then that text.
    let mut q = quoted;
    // One step of sixteen bytes; the quote and a `\` before it (a
    // quoted-pair, which the reference parse resolves) end the scan.
    macro_rules! step {
        ($c:expr) => {{
            let m = quotes16($c);
            if m != 0 {
                // `m` has sixteen bits: the mask only says so.
                let j = (m.trailing_zeros() & 15) as usize;
                if q[j] == b'\\' {
                    return None;
                }
                return Some((quoted.len() - q.len() + j, &q[j + 2..]));
            }
            q = &q[16..];
        }};
    }
    // The first step takes sixteen bytes, the second thirty-two (two
    // compares, one test): most values (realms, nonces of 32
    // characters) end in them.
    if let Some(c) = q.get(1..17) {
        let c: &[u8; 16] = c.try_into().ok()?;
        step!(c);
    }
    if let Some(c) = q.get(1..33) {
        let c: &[u8; 32] = c.try_into().ok()?;
        let (lo, hi) = c.split_at(16);
        let m = quotes16(lo.try_into().ok()?) | quotes16(hi.try_into().ok()?) << 16;
        if m != 0 {
            // `m` has thirty-two bits: the mask only says so.
            let j = (m.trailing_zeros() & 31) as usize;
            if q[j] == b'\\' {
                return None;
            }
            return Some((quoted.len() - q.len() + j, &q[j + 2..]));
        }
        q = &q[32..];
    }
    loop {
        if let Some(c) = q.get(1..17) {
            let c: &[u8; 16] = c.try_into().ok()?;
            step!(c);
        } else {
            // 0..=15 bytes of text left, the last ones of `whole`.
            let n = q.len() - 1;
            let m = quotes16(whole.last_chunk::<16>()?) >> (16 - n);
            if m == 0 {
                return None;
            }
            let j = m.trailing_zeros() as usize;
            if q.get(j) == Some(&b'\\') {
                return None;
            }
            return Some((quoted.len() - q.len() + j, q.get(j + 2..)?));
        }
    }
}

/// The known parameter in slot `k` of a list too long for offsets (its
/// slot holds `marker`): the pass that built the view, again. It takes
/// the list and the marker, not the view, so that a view that is looked
/// up need not be kept in memory for it (its fields stay in registers).
#[cold]
#[inline(never)]
fn known_long(params: &str, marker: (u16, u16), k: usize) -> Option<&str> {
    let mut at = None;
    let mut found = |slot, vs, ve| {
        if slot == k && at.is_none() {
            at = Some((vs, ve));
        }
    };
    match marker {
        LONG_LENIENT => lenient_params(params, &mut found),
        // Checked when the view was built.
        LONG_DIGEST => drop(digest_params(params, &mut found)),
        // Offsets always slice `params`.
        _ => debug_assert!(false, "slot {k} does not slice the list"),
    }
    at.and_then(|(vs, ve)| params.get(vs..ve))
}

impl<'a> AuthValue<'a> {
    /// Whether the scheme is Digest (case-insensitive).
    pub fn is_digest(&self) -> bool {
        self.scheme.eq_ignore_ascii_case("Digest")
    }

    /// Every `name=value` pair, values unquoted.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        CommaSplit::new(self.params).filter_map(|p| {
            let (n, v) = p.split_once('=')?;
            Some((trim(n), unquote(trim(v))))
        })
    }

    /// A parameter by name (case-insensitive), unquoted.
    pub fn param(&self, name: &str) -> Option<&'a str> {
        match known_index(name.as_bytes()) {
            Some(i) => self.known(i),
            None => self
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v),
        }
    }

    /// The known parameter in slot `k`.
    #[inline]
    fn known(&self, k: usize) -> Option<&'a str> {
        match self.known[k] {
            (0, _) => None,
            // Fails only for the long markers, start past end.
            (s, e) => class::sub(self.params, s.into(), e.into())
                .or_else(|| known_long(self.params, self.known[k], k)),
        }
    }

    /// `realm`.
    #[inline]
    pub fn realm(&self) -> Option<&'a str> {
        self.known(0)
    }
    /// `nonce`.
    #[inline]
    pub fn nonce(&self) -> Option<&'a str> {
        self.known(1)
    }
    /// `opaque`.
    #[inline]
    pub fn opaque(&self) -> Option<&'a str> {
        self.known(2)
    }
    /// `algorithm` (MD5 when absent, RFC 7616 §3.3).
    #[inline]
    pub fn algorithm(&self) -> Option<&'a str> {
        self.known(3)
    }
    /// `domain`.
    #[inline]
    pub fn domain(&self) -> Option<&'a str> {
        self.known(4)
    }
    /// `stale=true` (case-insensitive): the nonce expired but the
    /// credentials were right (RFC 7616 §3.3).
    #[inline]
    pub fn stale(&self) -> bool {
        self.known(5)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
    /// `qop` as written: a quoted list in a challenge, one token in
    /// credentials.
    #[inline]
    pub fn qop(&self) -> Option<&'a str> {
        self.known(6)
    }
    /// The qop options of a challenge, one by one.
    #[inline]
    pub fn qop_options(&self) -> impl Iterator<Item = &'a str> {
        self.qop()
            .into_iter()
            .flat_map(|q| q.split(',').map(trim).filter(|s| !s.is_empty()))
    }
    /// `charset` (RFC 7616 §3.3).
    #[inline]
    pub fn charset(&self) -> Option<&'a str> {
        self.known(7)
    }
    /// `userhash` (RFC 7616 §3.3).
    #[inline]
    pub fn userhash(&self) -> bool {
        self.known(8)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
    /// `username` (credentials).
    #[inline]
    pub fn username(&self) -> Option<&'a str> {
        self.known(9)
    }
    /// `uri` (credentials).
    #[inline]
    pub fn uri(&self) -> Option<&'a str> {
        self.known(10)
    }
    /// `response` (credentials).
    #[inline]
    pub fn response(&self) -> Option<&'a str> {
        self.known(11)
    }
    /// `cnonce` (credentials).
    #[inline]
    pub fn cnonce(&self) -> Option<&'a str> {
        self.known(12)
    }
    /// `nc` as a number (credentials; 8 hex digits).
    #[inline]
    pub fn nc(&self) -> Option<u32> {
        self.known(13)
            .filter(|v| v.len() == 8)
            .and_then(|v| u32::from_str_radix(v, 16).ok())
    }

    /// An auth value from its scheme and raw parameter list, without
    /// checking the grammar (parameters that do not parse are skipped).
    ///
    /// ```
    /// use geosip_core::message::headers::AuthValue;
    /// let ch = AuthValue::new("Digest", r#"realm="r", nonce="n", stale=TRUE"#);
    /// assert_eq!(ch.nonce(), Some("n"));
    /// assert!(ch.stale());
    /// ```
    pub fn new(scheme: &'a str, params: &'a str) -> Self {
        let (known, ()) = slots(params, LONG_LENIENT, |found| lenient_params(params, found));
        AuthValue {
            scheme,
            params,
            known,
        }
    }

    /// Parses a header value: the scheme, then the parameters, checked
    /// against RFC 3261 §25.1 for Digest.
    #[inline]
    pub fn parse(value: &'a str) -> Result<Self, E> {
        if let Some(a) = Self::parse_simple(value) {
            debug_assert_eq!(Self::parse_reference(value), Ok(a));
            return Ok(a);
        }
        Self::parse_reference(value)
    }

    /// The common case in one pass: `Digest`, SPs, then `name=token` or
    /// `name="text"` (no escapes) separated by `,` and SPs (RFC 3261
    /// §25.1 `challenge` / `credentials`, RFC 7616 §3.3–§3.4). `None` for
    /// anything else, which the full parse handles; when `Some`, the
    /// result is the full parse's.
    #[inline(always)]
    pub(crate) fn parse_simple(value: &'a str) -> Option<Self> {
        let b = value.as_bytes();
        // Offsets into the parameters fit in a slot.
        if b.len() > usize::from(u16::MAX) {
            return None;
        }
        // "Digest" in any case (OR-ing 0x20 into the letters is an exact
        // fold), then an SP: one word.
        let w = class::word8(b, 0)? & 0x00FF_FFFF_FFFF_FFFF | 0x0000_2020_2020_2020;
        if w != u64::from_le_bytes(*b"digest \0") {
            return None;
        }
        let mut i = 7;
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        let (head, params) = value.split_at_checked(i)?;
        let scheme = head.get(..6)?;
        let p = params.as_bytes();
        // One more slot, for the names that have none.
        let mut known = [(0, 0); KNOWN.len() + 1];
        // What is left of the parameters: a suffix of `p`, so that each
        // step tests a length and the offsets are `p.len() - rest.len()`.
        let mut rest = p;
        loop {
            // The name and its '=': a known one by a word compare, any
            // other token by the class table.
            let (slot, value) = match known_name(rest) {
                Some(found) => found,
                // More than one SP after a comma.
                None if rest.first() == Some(&b' ') => {
                    while let [b' ', more @ ..] = rest {
                        rest = more;
                    }
                    continue;
                }
                None => {
                    let ne = span(rest, 0, class::TOKEN);
                    if ne == 0 || rest.get(ne) != Some(&b'=') {
                        return None;
                    }
                    let k = known_index(&rest[..ne]).unwrap_or(KNOWN.len());
                    (k, rest.get(ne + 1..)?)
                }
            };
            rest = value;
            let (text, len, after) = if let [b'"', text @ ..] = rest {
                let (len, after) = quoted_text(rest, b)?;
                (text, len, after)
            } else {
                let len = span(rest, 0, class::TOKEN);
                if len == 0 {
                    return None;
                }
                (rest, len, rest.get(len..)?)
            };
            if known[slot].0 == 0 {
                // In 1..=u16::MAX: past a name and '=', within `p`.
                let vs = p.len() - text.len();
                known[slot] = (vs as u16, (vs + len) as u16);
            }
            // ", " in one test; any further SPs are skipped before the
            // next name.
            rest = match after.split_first_chunk::<2>() {
                // Both bytes in one compare.
                Some((b", ", more)) => more,
                _ => match after {
                    [] => break,
                    [b',', more @ ..] => more,
                    _ => return None,
                },
            };
        }
        Some(AuthValue {
            scheme,
            params,
            known: *known.first_chunk()?,
        })
    }

    /// Every form, one step at a time. Out of line, so that the fast
    /// path's registers are not shared with it.
    #[inline(never)]
    pub(crate) fn parse_reference(value: &'a str) -> Result<Self, E> {
        let v = trim(value);
        if v.is_empty() {
            return Err(E::Empty);
        }
        let (scheme, params) = match v.find(|c: char| c.is_ascii_whitespace()) {
            Some(i) => (&v[..i], trim(&v[i..])),
            None => (v, ""),
        };
        if !is_token(scheme) {
            return Err(E::Syntax("auth scheme is not a token"));
        }
        // Unknown schemes may carry other forms (RFC 4475 §3.3.7), which
        // are kept but not checked.
        if !scheme.eq_ignore_ascii_case("Digest") {
            return Ok(AuthValue::new(scheme, params));
        }
        let (known, checked) = slots(params, LONG_DIGEST, |found| digest_params(params, found));
        checked?;
        Ok(AuthValue {
            scheme,
            params,
            known,
        })
    }
}

/// Shows the values as the view gives them out (the same text as the
/// derived form of a view that held `Option<&str>` values).
impl std::fmt::Debug for AuthValue<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let known: [Option<&str>; KNOWN.len()] = std::array::from_fn(|k| self.known(k));
        f.debug_struct("AuthValue")
            .field("scheme", &self.scheme)
            .field("params", &self.params)
            .field("known", &known)
            .finish()
    }
}

/// Equal when the scheme, the parameter list and every known value are.
impl PartialEq for AuthValue<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.scheme == other.scheme
            && self.params == other.params
            && (0..KNOWN.len()).all(|k| self.known(k) == other.known(k))
    }
}

impl Eq for AuthValue<'_> {}

macro_rules! auth_header {
    ($ty:ident, $name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $ty<'a>(pub AuthValue<'a>);

        impl<'a> std::ops::Deref for $ty<'a> {
            type Target = AuthValue<'a>;
            fn deref(&self) -> &AuthValue<'a> {
                &self.0
            }
        }

        impl<'a> Typed<'a> for $ty<'a> {
            const NAME: HeaderName = HeaderName::$name;
            #[inline]
            fn parse(value: &'a str) -> Result<Self, E> {
                match AuthValue::parse_simple(value) {
                    Some(a) => {
                        debug_assert_eq!(AuthValue::parse_reference(value), Ok(a));
                        Ok($ty(a))
                    }
                    None => AuthValue::parse_reference(value).map($ty),
                }
            }
        }
    };
}

auth_header!(
    WwwAuthenticate,
    WwwAuthenticate,
    "A WWW-Authenticate challenge (RFC 3261 §20.44)."
);
auth_header!(
    ProxyAuthenticate,
    ProxyAuthenticate,
    "A Proxy-Authenticate challenge (RFC 3261 §20.27)."
);
auth_header!(
    Authorization,
    Authorization,
    "Authorization credentials (RFC 3261 §20.7)."
);
auth_header!(
    ProxyAuthorization,
    ProxyAuthorization,
    "Proxy-Authorization credentials (RFC 3261 §20.28)."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_index_finds_every_known_name_and_nothing_else() {
        for (i, k) in KNOWN.iter().enumerate() {
            assert_eq!(known_index(k.as_bytes()), Some(i));
            assert_eq!(known_index(k.to_ascii_uppercase().as_bytes()), Some(i));
            assert_eq!(known_index(format!("{k}x").as_bytes()), None);
            assert_eq!(
                known_index(&k.as_bytes()[1..]),
                KNOWN.iter().position(|o| *o == &k[1..])
            );
        }
        for other in ["", "x", "realn", "usernamf", "userhasx", "qo", "cnoncf"] {
            assert_eq!(known_index(other.as_bytes()), None, "{other}");
        }
    }

    /// The view as it was when it held `Option<&str>` values, word for
    /// word (its `parse` was its `parse_reference`: the fast path was
    /// checked against it), to pin that the offsets change nothing.
    mod before {
        use super::super::{known_index, KNOWN};
        use crate::message::error::HeaderErrorKind as E;
        use crate::message::scan::{is_token, is_ws, quoted_end, trim, unquote, CommaSplit, TOKEN};

        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct AuthValue<'a> {
            pub scheme: &'a str,
            pub params: &'a str,
            pub known: [Option<&'a str>; KNOWN.len()],
        }

        impl<'a> AuthValue<'a> {
            pub fn new(scheme: &'a str, params: &'a str) -> Self {
                let mut known = [None; KNOWN.len()];
                for p in CommaSplit::new(params) {
                    if let Some((n, v)) = p.split_once('=') {
                        if let Some(i) = known_index(trim(n).as_bytes()) {
                            known[i] = known[i].or(Some(unquote(trim(v))));
                        }
                    }
                }
                AuthValue {
                    scheme,
                    params,
                    known,
                }
            }

            pub fn parse(value: &'a str) -> Result<Self, E> {
                let v = trim(value);
                if v.is_empty() {
                    return Err(E::Empty);
                }
                let (scheme, params) = match v.find(|c: char| c.is_ascii_whitespace()) {
                    Some(i) => (&v[..i], trim(&v[i..])),
                    None => (v, ""),
                };
                if !is_token(scheme) {
                    return Err(E::Syntax("auth scheme is not a token"));
                }
                if !scheme.eq_ignore_ascii_case("Digest") {
                    return Ok(AuthValue::new(scheme, params));
                }
                let mut known = [None; KNOWN.len()];
                let b = params.as_bytes();
                let len = b.len();
                let skip_ws = |i: &mut usize| {
                    while *i < len && is_ws(b[*i]) {
                        *i += 1;
                    }
                };
                let mut i = 0;
                while i < len {
                    let ns = i;
                    while i < len && TOKEN[b[i] as usize] {
                        i += 1;
                    }
                    if i == ns {
                        return Err(E::Syntax("malformed auth-param"));
                    }
                    let name = &params[ns..i];
                    skip_ws(&mut i);
                    if b.get(i) != Some(&b'=') {
                        return Err(E::Syntax("auth-param without '='"));
                    }
                    i += 1;
                    skip_ws(&mut i);
                    let vs = i;
                    let value = if b.get(i) == Some(&b'"') {
                        i += quoted_end(&b[i..]).ok_or(E::Syntax("malformed auth-param"))?;
                        &params[vs + 1..i - 1]
                    } else {
                        while i < len && TOKEN[b[i] as usize] {
                            i += 1;
                        }
                        if i == vs {
                            return Err(E::Syntax("malformed auth-param"));
                        }
                        &params[vs..i]
                    };
                    if let Some(k) = known_index(name.as_bytes()) {
                        known[k] = known[k].or(Some(value));
                    }
                    skip_ws(&mut i);
                    match b.get(i) {
                        None => break,
                        Some(b',') => {
                            i += 1;
                            skip_ws(&mut i);
                            if i == len {
                                return Err(E::Syntax("malformed auth-param"));
                            }
                        }
                        Some(_) => return Err(E::Syntax("malformed auth-param")),
                    }
                }
                Ok(AuthValue {
                    scheme,
                    params,
                    known,
                })
            }
        }
    }

    /// Everything a view gives out, against the view as it was: the public
    /// fields, every accessor, `param` for every known name, and the Debug
    /// text.
    fn same_as_before(now: &AuthValue<'_>, then: &before::AuthValue<'_>) {
        assert_eq!(now.scheme, then.scheme);
        assert_eq!(now.params, then.params);
        let got = [
            now.realm(),
            now.nonce(),
            now.opaque(),
            now.algorithm(),
            now.domain(),
            now.known(5),
            now.qop(),
            now.charset(),
            now.known(8),
            now.username(),
            now.uri(),
            now.response(),
            now.cnonce(),
            now.known(13),
        ];
        assert_eq!(got, then.known, "{:?}", then.params);
        for (k, name) in KNOWN.iter().enumerate() {
            assert_eq!(now.param(name), then.known[k]);
            assert_eq!(now.param(&name.to_ascii_uppercase()), then.known[k]);
        }
        let is_true = |v: Option<&str>| v.is_some_and(|v| v.eq_ignore_ascii_case("true"));
        assert_eq!(now.stale(), is_true(then.known[5]));
        assert_eq!(now.userhash(), is_true(then.known[8]));
        let nc = then.known[13]
            .filter(|v| v.len() == 8)
            .and_then(|v| u32::from_str_radix(v, 16).ok());
        assert_eq!(now.nc(), nc);
        assert_eq!(format!("{now:?}"), format!("{then:?}"));
        assert_eq!(format!("{now:#?}"), format!("{then:#?}"));
        assert_eq!(
            now.param("x-other"),
            now.iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("x-other"))
                .map(|(_, v)| v)
        );
    }

    /// A parse (and a `new` of the same split) against the view as it was.
    fn parse_same_as_before(v: &str) {
        let now = AuthValue::parse(v);
        let then = before::AuthValue::parse(v);
        match (&now, &then) {
            (Ok(now), Ok(then)) => same_as_before(now, then),
            _ => assert_eq!(now.as_ref().err(), then.as_ref().err(), "{v:?}"),
        }
        if let Some(fast) = AuthValue::parse_simple(v) {
            assert_eq!(Ok(fast), AuthValue::parse_reference(v), "{v:?}");
            same_as_before(&fast, &then.expect("the fast path took a bad value"));
        }
        let (scheme, params) = v.split_once(' ').unwrap_or((v, ""));
        same_as_before(
            &AuthValue::new(scheme, params),
            &before::AuthValue::new(scheme, params),
        );
    }

    const SEEDS: &[&str] = &[
        "Digest realm=\"atlanta.example.com\", nonce=\"ZmDbXmYS2u3rTBZc8rKZ3lU4Qk5lS5Kf\", \
         opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", algorithm=SHA-256, qop=\"auth\"",
        "Digest realm=\"atlanta.example.com\", nonce=\"ZmDbXmYS2u3rTBZc8rKZ3lU4Qk5lS5Kf\", \
         opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", algorithm=MD5, qop=\"auth\"",
        "Digest username=\"alice\", realm=\"atlanta.com\", nonce=\"84a4cc6f\", \
         uri=\"sip:bob@biloxi.com\", response=\"7587245234b3434cc3412213e5f113a5432\", \
         algorithm=MD5, cnonce=\"0a4f113b\", qop=auth, nc=00000001, opaque=\"5ccc\"",
        "Digest username=\"a\\\"b\", realm=\"r\", userhash=true, charset=UTF-8, \
         domain=\"sip:a sip:b\", stale=FALSE, x-other=\"y\", algorithm=SHA-512-256",
        "DIGEST REALM=\"R\",NONCE=\"N\" , Algorithm = md5,\tqop=\"auth,auth-int\"",
        "Digest   realm=\"\", nonce=x, nonce=y, realm=\"z\", response=\"\", nc=0000000a",
        "Basic realm=\"WallyWorld\", charset=\"UTF-8\"",
        "Bearer token68==, realm=\"é\"",
        "Digest realm=\"é à\", nonce=\"01234567890123456789\", opaque=\"\", uri=\"sip:é\"",
        "Digest",
        "Digest ",
        " Digest realm=x ",
    ];

    /// Characters an edit may put in besides the common ones: the
    /// letters that start known parameter names.
    const ALPHABET: &[char] = &['r', 'n', 'u', 'q', 'c', 'R'];

    fn mutated() -> impl proptest::strategy::Strategy<Value = String> {
        crate::message::class::mutated(SEEDS, ALPHABET, 5)
    }

    #[test]
    fn the_seeds_give_what_they_gave_before() {
        for v in SEEDS {
            parse_same_as_before(v);
        }
        // Every prefix and suffix too: the short tails of the word scans.
        for v in SEEDS {
            for at in 0..=v.len() {
                if let (Some(a), Some(b)) = (v.get(..at), v.get(at..)) {
                    parse_same_as_before(a);
                    parse_same_as_before(b);
                }
            }
        }
    }

    /// Lists longer than a slot's offsets reach: the values are found
    /// again on demand, the same as before.
    #[test]
    fn long_lists_give_what_they_gave_before() {
        let pad = "0123456789abcdef".repeat(5000);
        for v in [
            format!("Digest realm=\"r\", x=\"{pad}\", nonce=\"n\", realm=\"s\""),
            format!("Digest x=\"{pad}\", opaque={pad}, nc=00000001, qop=auth"),
            format!("Digest realm={pad}"),
            format!("Digest x=\"{pad}\", realm=\"bad"),
            format!("Basic x=\"{pad}\", realm=\"b\", nonce"),
            format!("Digest realm=\"r\", {pad}"),
        ] {
            assert!(v.len() > usize::from(u16::MAX));
            parse_same_as_before(&v);
        }
        // Just under and at the limit, where offsets still fit.
        for n in [usize::from(u16::MAX) - 40, usize::from(u16::MAX) - 20] {
            let v = format!("Digest x=\"{}\", nonce=\"n\"", "y".repeat(n));
            for at in 0..4 {
                parse_same_as_before(&v[..v.len() - at]);
            }
        }
    }

    /// The vector scan for the closing quote against the reference scan,
    /// on every length and alignment around the vector size, with quotes,
    /// backslashes and multi-byte text anywhere.
    #[test]
    fn closing_quote_agrees_with_the_reference() {
        use crate::message::scan::quoted_end;
        // The closing quote as an index in the text after the opening one.
        let reference = |b: &[u8], from: usize| Some(quoted_end(&b[from - 1..])? - 2);
        let pieces: [&[u8]; 6] = [b"a", b"a", b"Z0", b"\"", b"\\", "\u{e9}".as_bytes()];
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        for case in 0..200_000 {
            let mut s = Vec::new();
            let pre = case % 11;
            s.extend(std::iter::repeat_n(b'x', pre));
            s.push(b'"');
            // Up to 80 bytes: the three steps written out, the loop and the
            // last, overlapping step.
            let n = (case / 11) % 81;
            while s.len() < pre + 1 + n {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Mostly plain text: a special piece one time in eight.
                let k = if x % 8 == 0 { (x >> 8) as usize % 6 } else { 0 };
                s.extend_from_slice(pieces[k]);
            }
            let text = &s[pre + 1..];
            let got = closing_quote(text, &s);
            let want = reference(&s, pre + 1);
            if got.is_some() {
                assert_eq!(got, want, "{:?}", String::from_utf8_lossy(&s));
            } else if s.len() >= 16 {
                // Declined only for a `\` just before the first quote.
                let first = text.iter().position(|&c| c == b'"');
                let escaped = first.is_some_and(|j| j > 0 && text[j - 1] == b'\\');
                assert!(
                    want.is_none() || escaped,
                    "{:?}",
                    String::from_utf8_lossy(&s)
                );
            }
        }
    }

    /// The word match of a known name and its `=` finds each of them in
    /// any case, and whatever it finds is what the token scan and
    /// [`known_index`] find, with every byte of the name and of the `=`
    /// changed to every other.
    #[test]
    fn known_name_agrees_with_the_token_scan() {
        // The slot and the length of the name with its `=`, from the rest
        // that `known_name` gives.
        let known_name = |b: &[u8]| known_name(b).map(|(k, v)| (k, b.len() - v.len()));
        let scan = |b: &[u8]| {
            let ne = span(b, 0, class::TOKEN);
            if ne == 0 || b.get(ne) != Some(&b'=') {
                return None;
            }
            Some((known_index(&b[..ne])?, ne + 1))
        };
        for (k, name) in KNOWN.iter().enumerate() {
            for upper in 0..1 << name.len() {
                let mut v: Vec<u8> = name
                    .bytes()
                    .enumerate()
                    .map(|(j, c)| {
                        if upper >> j & 1 == 1 {
                            c.to_ascii_uppercase()
                        } else {
                            c
                        }
                    })
                    .collect();
                v.extend_from_slice(b"=\"x\", y=z");
                assert_eq!(known_name(&v), Some((k, name.len() + 1)), "{name}");
                for at in 0..=name.len() {
                    for c in 0..=255u8 {
                        let mut w = v.clone();
                        w[at] = c;
                        for end in [w.len(), 8, name.len() + 1] {
                            let w = &w[..end.min(w.len())];
                            if let Some(found) = known_name(w) {
                                assert_eq!(
                                    Some(found),
                                    scan(w),
                                    "{:?}",
                                    String::from_utf8_lossy(w)
                                );
                            } else if w.len() >= 10 {
                                assert_eq!(scan(w), None, "{:?}", String::from_utf8_lossy(w));
                            }
                        }
                    }
                }
            }
        }
    }

    /// `typed_all` (whose scan of the index takes two entries a step)
    /// gives each challenge line in order, wherever the lines stand among
    /// the others: the first, the last, next to each other or apart, an
    /// odd or even number of entries before, between and after them.
    #[test]
    fn typed_all_finds_every_line() {
        use crate::message::{parse, HeaderName};
        let values = [
            "Digest realm=\"a\", nonce=\"1\"",
            "Digest realm=\"b\", nonce=\"2\", algorithm=MD5",
            "Digest realm=\"c\", qop=\"auth\"",
            "Bad \"",
        ];
        // Which of six slots hold a challenge (the others hold a
        // Subject), every pattern.
        for pattern in 0..1u32 << 6 {
            let mut text = String::from("SIP/2.0 401 Unauthorized\r\nCall-ID: x\r\n");
            let mut want = Vec::new();
            for slot in 0..6 {
                if pattern >> slot & 1 == 1 {
                    let v = values[want.len() % values.len()];
                    text.push_str(&format!("WWW-Authenticate: {v}\r\n"));
                    want.push(v);
                } else {
                    text.push_str("Subject: s\r\n");
                }
            }
            text.push_str("\r\n");
            let m = parse(text.as_bytes()).unwrap();
            let got: Vec<_> = m.typed_all::<WwwAuthenticate>().collect();
            let lines: Vec<_> = m
                .headers_named(HeaderName::WwwAuthenticate)
                .map(|h| h.value)
                .collect();
            assert_eq!(lines, want, "{text:?}");
            assert_eq!(got.len(), want.len(), "{text:?}");
            for (g, v) in got.iter().zip(&want) {
                match (g, WwwAuthenticate::parse(v)) {
                    (Ok(g), Ok(w)) => assert_eq!(*g, w),
                    (Err(g), Err(k)) => assert_eq!(g.kind, k),
                    (g, w) => panic!("{v:?}: {g:?} against {w:?}"),
                }
            }
        }
    }

    #[test]
    fn the_view_is_small() {
        assert!(std::mem::size_of::<AuthValue<'_>>() <= 88);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        /// The fast path against the reference, and both against the view
        /// as it was, on mutated values.
        #[test]
        fn gives_what_it_gave_before(v in mutated()) {
            parse_same_as_before(&v);
        }
    }
}
