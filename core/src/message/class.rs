//! One 256-entry table of byte classes for the fast paths of the typed
//! views (RFC 3261 §25.1), so that one lookup answers whichever question
//! the scan at hand asks, and the spans and prefix tests built on it.
//!
//! Every class is built from the table the reference parse uses (or a
//! subset of it), so a fast path that accepts a byte never accepts more
//! than the reference does.

use wide::u8x16;

use super::params::PARAM_VALUE;
use super::scan::{class, TOKEN as TOKEN_TABLE};
use super::uri::{HOST as HOST_TABLE, PARAM_NAME_PLAIN, PARAM_VALUE_PLAIN, USER_PLAIN};

/// `token` (RFC 3261 §25.1).
pub(crate) const TOKEN: u8 = 1;
/// Hostname characters: alphanumerics, `-`, `.` and `_` (RFC 3261 §25.1
/// `hostname`, with the `_` of SRV-style names).
pub(crate) const HOST: u8 = 2;
/// The user part of a SIP URI without escapes (§25.1 `user`, no `%`).
pub(crate) const USER: u8 = 4;
/// A URI parameter name without escapes (`token` and `paramchar`, no `%`).
pub(crate) const URI_PNAME: u8 = 8;
/// A URI parameter value without escapes or brackets.
pub(crate) const URI_PVALUE: u8 = 16;
/// A header parameter value that is neither quoted nor an IPv6 reference
/// (§25.1 `gen-value` as `token`, no `[`).
pub(crate) const PVALUE: u8 = 32;
/// `token` or SP: an unquoted display name (§20.10 `display-name`).
pub(crate) const TOKEN_SP: u8 = 64;
/// Call-ID `word` characters (§25.1 `word`).
pub(crate) const WORD: u8 = 128;

/// `word` characters (RFC 3261 §25.1), for the Call-ID.
static CALL_ID_WORD: [bool; 256] = class(true, b"-.!%*_+`'~()<>:\\\"/[]?{}");

/// What each byte adds to the Call-ID sum of [`call_id_ok`]: nothing for
/// a `word` character, one for `@`, 2^16 for anything else.
static CALL_ID_SUM: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = if CALL_ID_WORD[i] {
            0
        } else if i == b'@' as usize {
            1
        } else {
            1 << 16
        };
        i += 1;
    }
    t
};

/// Whether `b` is a Call-ID (RFC 3261 §20.8, §25.1: `word [ "@" word ]`,
/// `word` holding no `@`) in one pass without branches per byte: the sum
/// of [`CALL_ID_SUM`] is 0 for one `word` and 1 for `word@word` when the
/// `@` is at neither end; any other byte or a second `@` makes it larger
/// (the sum is 64 bits wide, so it never wraps).
///
/// Values of 16 to 64 bytes, most Call-IDs, take [`call_id_ok16`]
/// instead.
#[inline(always)]
pub(crate) fn call_id_ok(b: &[u8]) -> bool {
    if (16..=64).contains(&b.len()) {
        return call_id_ok16(b);
    }
    call_id_ok_bytes(b)
}

/// [`call_id_ok`] by the table sum, a byte at a time.
#[inline(never)]
fn call_id_ok_bytes(b: &[u8]) -> bool {
    let add = |c: &u8| u64::from(CALL_ID_SUM[*c as usize]);
    let mut sum: u64 = 0;
    let mut rest = b;
    while let Some((c, tail)) = rest.split_first_chunk::<8>() {
        sum += c.iter().map(add).sum::<u64>();
        rest = tail;
    }
    sum += rest.iter().map(add).sum::<u64>();
    match sum {
        0 => !b.is_empty(),
        1 => b.first() != Some(&b'@') && b.last() != Some(&b'@'),
        _ => false,
    }
}

/// The bits of the bytes of `c` that are neither `word` characters
/// (RFC 3261 §25.1) nor `@`, and the bits of the `@`, lowest byte first.
/// `word` is the visible ASCII (`!` to `~`) but `#$&,;=@^|`.
#[inline(always)]
fn call_id16(c: &[u8; 16]) -> (u32, u32) {
    let v = u8x16::from(*c);
    let visible = in_range(v, b'!', b'~');
    // Pairs of the excluded bytes by one compare each: OR-ing 0x02 maps
    // `$` (0x24) and `&` (0x26), and nothing else, to 0x26; `;` (0x3B)
    // and `=` (0x3D) are the bytes 0 or 2 above `;`, whose difference
    // is zero without bit 1.
    let excluded = eq16(v | u8x16::splat(0x02), b'&')
        | ((v - u8x16::splat(b';')) & u8x16::splat(0xFD)).cmp_eq(u8x16::splat(0))
        | eq16(v, b'#')
        | eq16(v, b',')
        | eq16(v, b'^')
        | eq16(v, b'|');
    // The masks of compares have 16 meaningful bits.
    let other = (!(visible.move_mask() as u32) | excluded.move_mask() as u32) & 0xFFFF;
    let at = eq16(v, b'@').move_mask() as u32 & 0xFFFF;
    (other, at)
}

/// [`call_id_ok`] for 16 to 64 bytes, sixteen a step (SSE2 range
/// compares), the last step on the last sixteen bytes, which may overlap
/// the step before: bytes seen twice give the same bits again, at the
/// same places. No byte other than `word` and `@`, and the `@` bits of the
/// whole value (one 64-bit mask) at most one, at neither end.
///
/// Most Call-IDs are letters, digits, `-`, `.`, `_` and one `@` (hex or
/// random text at a host name): the few compares of the hostname class
/// ([`host16`]) take those first, and only a value with another byte is
/// read again with the full `word` class ([`call_id16`]).
#[inline(always)]
fn call_id_ok16(b: &[u8]) -> bool {
    let (other, ats) = call_id_steps(b, |c| {
        let at = eq16(u8x16::from(*c), b'@').move_mask() as u32 & 0xFFFF;
        (host16(c) & !at, at)
    });
    let ends = 1 | 1 << (b.len() - 1);
    if ats & ats.wrapping_sub(1) != 0 || ats & ends != 0 {
        return false;
    }
    other == 0 || call_id_words16(b)
}

/// Whether the 16 to 64 bytes of `b` are all `word` characters or `@`
/// ([`call_id16`]); the `@` were checked by [`call_id_ok16`]. Out of line:
/// most Call-IDs need only the hostname class.
#[inline(never)]
fn call_id_words16(b: &[u8]) -> bool {
    call_id_steps(b, call_id16).0 == 0
}

/// The bits that `class` gives for the 16 to 64 bytes of `b`, ORed, and
/// its `@` bits as one 64-bit mask, sixteen bytes a step, the last step on
/// the last sixteen. The steps are written out rather than looped: with at
/// most four of them, the loop's counting and its load of the constants
/// into registers cost more than the steps it saves writing.
#[inline(always)]
fn call_id_steps(b: &[u8], class: impl Fn(&[u8; 16]) -> (u32, u32)) -> (u32, u64) {
    let n = b.len();
    debug_assert!((16..=64).contains(&n));
    let Some(last) = b.last_chunk::<16>() else {
        return (1, 0);
    };
    let (mut other, a) = class(last);
    let mut ats = u64::from(a) << (n - 16);
    // The steps before the last, which starts at `n - 16`: at 0, 16 and
    // 32 while they start before it, written out (no loop to count).
    let mut step = |i: usize| {
        if i + 16 < n {
            if let Some(c) = b.get(i..).and_then(|r| r.first_chunk::<16>()) {
                let (o, a) = class(c);
                other |= o;
                ats |= u64::from(a) << i;
            }
        }
    };
    step(0);
    step(16);
    step(32);
    (other, ats)
}

/// The class bits of every byte.
pub(crate) static CLASS: [u8; 256] = build();

const fn build() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = 0;
        if TOKEN_TABLE[i] {
            c |= TOKEN | TOKEN_SP;
        }
        if HOST_TABLE[i] {
            c |= HOST;
        }
        if USER_PLAIN[i] {
            c |= USER;
        }
        if PARAM_NAME_PLAIN[i] {
            c |= URI_PNAME;
        }
        if PARAM_VALUE_PLAIN[i] {
            c |= URI_PVALUE;
        }
        if PARAM_VALUE[i] && i != b'[' as usize {
            c |= PVALUE;
        }
        if CALL_ID_WORD[i] {
            c |= WORD;
        }
        t[i] = c;
        i += 1;
    }
    t[b' ' as usize] |= TOKEN_SP;
    t
}

/// Whether byte `c` is in any of the classes `bits`.
#[inline(always)]
pub(crate) fn is(c: u8, bits: u8) -> bool {
    CLASS[c as usize] & bits != 0
}

/// The end of the run of bytes in class `bits` that starts at `from`
/// (`from` itself when it is not in the class or is past the end). Four
/// bytes per step: one lookup, one test and one branch each.
#[inline(always)]
pub(crate) fn span(b: &[u8], from: usize, bits: u8) -> usize {
    let Some(mut r) = b.get(from..) else {
        return from;
    };
    let mut i = from;
    while let [c0, c1, c2, c3, rest @ ..] = r {
        if !is(*c0, bits) {
            return i;
        }
        if !is(*c1, bits) {
            return i + 1;
        }
        if !is(*c2, bits) {
            return i + 2;
        }
        if !is(*c3, bits) {
            return i + 3;
        }
        i += 4;
        r = rest;
    }
    for &c in r {
        if !is(c, bits) {
            return i;
        }
        i += 1;
    }
    i
}

/// [`span`], and the byte it stopped at (`None` at the end), which the
/// caller would otherwise load and bounds-check again.
#[inline(always)]
pub(crate) fn span_stop(b: &[u8], from: usize, bits: u8) -> (usize, Option<u8>) {
    let Some(mut r) = b.get(from..) else {
        return (from, None);
    };
    let mut i = from;
    while let [c0, c1, c2, c3, rest @ ..] = r {
        if !is(*c0, bits) {
            return (i, Some(*c0));
        }
        if !is(*c1, bits) {
            return (i + 1, Some(*c1));
        }
        if !is(*c2, bits) {
            return (i + 2, Some(*c2));
        }
        if !is(*c3, bits) {
            return (i + 3, Some(*c3));
        }
        i += 4;
        r = rest;
    }
    for &c in r {
        if !is(c, bits) {
            return (i, Some(c));
        }
        i += 1;
    }
    (i, None)
}

/// 0xFF in the lanes of `v` from `lo` to `hi`: one addition and one
/// signed compare (SSE2), as [`host16`] does.
#[inline(always)]
fn in_range(v: u8x16, lo: u8, hi: u8) -> u8x16 {
    use wide::{i8x16, CmpLt};
    debug_assert!(lo <= hi && hi - lo < 128);
    let t = i8x16::new(v.to_array().map(|x| x as i8));
    let shifted = t + i8x16::splat(0x80u8.wrapping_sub(lo) as i8);
    let r = shifted.cmp_lt(i8x16::splat(i8::MIN.wrapping_add((hi - lo + 1) as i8)));
    u8x16::new(r.to_array().map(|x| x as u8))
}

/// 0xFF in the lanes of `v` equal to `c`.
#[inline(always)]
fn eq16(v: u8x16, c: u8) -> u8x16 {
    v.cmp_eq(u8x16::splat(c))
}

/// 0xFF in the lanes of `v` *outside* `lo..=hi`: adding `0x80 - lo`
/// (wrapping) takes `lo..=hi` to the lowest `hi - lo + 1` values of a
/// signed byte, and nothing else there, so one signed compare with their
/// last tells a byte outside the range. Asking "outside" of every part of
/// a class, and AND-ing the parts, gives the mask of the bytes outside it
/// with no NOT of the vector or the mask (see [`host16`]).
#[inline(always)]
fn outside_range(v: wide::i8x16, lo: u8, hi: u8) -> wide::i8x16 {
    use wide::{i8x16, CmpGt};
    debug_assert!(lo <= hi && hi - lo < 128);
    let shifted = v + i8x16::splat(0x80u8.wrapping_sub(lo) as i8);
    shifted.cmp_gt(i8x16::splat(i8::MIN.wrapping_add((hi - lo) as i8)))
}

/// 0xFF in the lanes of `v` other than `c` (which compiles to the AND-NOT
/// of the compare where it is AND-ed in).
#[inline(always)]
fn ne16(v: wide::i8x16, c: u8) -> wide::i8x16 {
    use wide::{i8x16, CmpEq};
    !v.cmp_eq(i8x16::splat(c as i8))
}

/// [`outside16`] for [`HOST`], by [`outside_range`].
#[inline(always)]
fn host16(c: &[u8; 16]) -> u32 {
    use wide::{i8x16, CmpEq};
    let v = i8x16::new(c.map(|x| x as i8));
    // Not a letter in either case (OR-ing 0x20 maps each upper-case
    // letter to its lower-case one and no other byte into `a..=z`); not
    // `-` to `9`, or `/`; not `_`.
    let outside = outside_range(v | i8x16::splat(0x20), b'a', b'z')
        & (outside_range(v, b'-', b'9') | v.cmp_eq(i8x16::splat(b'/' as i8)))
        & ne16(v, b'_');
    // The mask of a compare has 16 meaningful bits.
    outside.move_mask() as u32 & 0xFFFF
}

/// [`outside16`] for [`PVALUE`], by [`outside_range`]: `token` with
/// `]/:&$()` (no `[`), that is letters; `$` to `:` but `,`; `]`, `_` and
/// the backquote (`]` to the backquote but `^`); `!` and `~`.
#[inline(always)]
fn pvalue16(c: &[u8; 16]) -> u32 {
    use wide::{i8x16, CmpEq};
    let v = i8x16::new(c.map(|x| x as i8));
    let outside = outside_range(v | i8x16::splat(0x20), b'a', b'z')
        & (outside_range(v, b'$', b':') | v.cmp_eq(i8x16::splat(b',' as i8)))
        & (outside_range(v, b']', b'`') | v.cmp_eq(i8x16::splat(b'^' as i8)))
        & ne16(v, b'!')
        & ne16(v, b'~');
    // The mask of a compare has 16 meaningful bits.
    outside.move_mask() as u32 & 0xFFFF
}

/// The bits of the bytes of `c` outside class `bits` (one of [`HOST`]
/// and [`PVALUE`], the classes of long runs), lowest byte first, by
/// range compares on all sixteen at once; the test
/// `vector_classes_match_the_table` checks every byte against
/// [`CLASS`].
#[inline(always)]
fn outside16(c: &[u8; 16], bits: u8) -> u32 {
    match bits {
        HOST => host16(c),
        PVALUE => pvalue16(c),
        // Not used: any other class by the table, byte by byte.
        _ => c
            .iter()
            .enumerate()
            .filter(|&(_, &x)| !is(x, bits))
            .fold(0, |m, (i, _)| m | 1 << i),
    }
}

/// [`span`] sixteen bytes a step (SSE2 range compares, see
/// [`outside16`]), for the classes [`HOST`] and [`PVALUE`], whose runs
/// (host names, branch and tag values) are long enough to gain. When
/// fewer than sixteen bytes remain, the last sixteen of `b` are
/// classified and the bits of those before `from` dropped; only a `b`
/// shorter than sixteen bytes takes the byte loop.
#[inline(always)]
pub(crate) fn span16(b: &[u8], from: usize, bits: u8) -> usize {
    let mut i = from;
    // The first two steps written out, before the loop: most runs (host
    // names, branch and tag values) end in them, and then pay neither
    // the loop's counting nor the load of its constants into registers.
    for _ in 0..2 {
        if let Some(c) = b.get(i..).and_then(|r| r.first_chunk::<16>()) {
            let m = outside16(c, bits);
            if m != 0 {
                return i + m.trailing_zeros() as usize;
            }
            i += 16;
        }
    }
    while let Some(c) = b.get(i..).and_then(|r| r.first_chunk::<16>()) {
        let m = outside16(c, bits);
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += 16;
    }
    let n = b.len();
    if i >= n {
        return i;
    }
    let Some(last) = b.last_chunk::<16>() else {
        return span(b, i, bits);
    };
    // Byte `i` is bit `16 - (n - i)` of the last chunk's mask; bit 16
    // stands for the end.
    let m = (outside16(last, bits) | 1 << 16) >> (16 - (n - i));
    i + m.trailing_zeros() as usize
}

/// [`span`] for a class `bits` that holds every hostname character
/// ([`TOKEN`], [`USER`], [`PVALUE`] and the URI parameter classes): the
/// run of letters, digits, `-`, `.` and `_` that starts it is found
/// sixteen bytes at once by the few compares of the [`HOST`] class
/// ([`outside16`]), and only when the byte it stops at is in `bits` too
/// does the byte loop go on from there. Tags, branches, user parts and
/// most other values are such runs, and for them this is one vector step
/// where the byte loop takes three instructions a byte. Near the end of
/// `b` the last sixteen bytes are classified, as [`span16`] does, with
/// no try of the sixteen from `from` first: for runs that most often end
/// the value, such as a tag (where the Via's values, measured, do better
/// with [`span_alnum_ahead`]).
#[inline(always)]
pub(crate) fn span_alnum(b: &[u8], from: usize, bits: u8) -> usize {
    span_past_run(b, host_run16(b, from), bits)
}

/// [`span_alnum`] for a run that most often does not end the value:
/// the sixteen bytes from `from` first ([`host_run16_ahead`]).
#[inline(always)]
pub(crate) fn span_alnum_ahead(b: &[u8], from: usize, bits: u8) -> usize {
    span_past_run(b, host_run16_ahead(b, from), bits)
}

/// The end of the span of `bits` whose [`HOST`] run ends at `e`: `e`,
/// unless the byte there is in `bits` too, when the byte loop goes on.
#[inline(always)]
fn span_past_run(b: &[u8], e: usize, bits: u8) -> usize {
    debug_assert!((0..=255u8).all(|c| !is(c, HOST) || is(c, bits)));
    match b.get(e) {
        Some(&c) if is(c, bits) => span(b, e, bits),
        _ => e,
    }
}

/// [`host_run16`] trying the sixteen bytes from `from` first, then the
/// last sixteen.
#[inline(always)]
fn host_run16_ahead(b: &[u8], from: usize) -> usize {
    if let Some(c) = b.get(from..).and_then(|r| r.first_chunk::<16>()) {
        return from + (outside16(c, HOST) | 1 << 16).trailing_zeros() as usize;
    }
    host_run16(b, from)
}

/// The end of the run of [`HOST`] bytes from `from`, or `from + 16` if
/// all sixteen from there are (then the run may go on): one vector step
/// ([`outside16`]) on the sixteen bytes from `from`, or, near the end,
/// on the last sixteen of `b`, with the bits of the bytes before `from`
/// dropped. Either way bit 16 of the mask stands for what follows the
/// sixteen: the end of `b` for the last ones. The byte loop only when
/// `b` is shorter than sixteen bytes.
#[inline(always)]
fn host_run16(b: &[u8], from: usize) -> usize {
    let n = b.len();
    if from >= n {
        return from;
    }
    let Some(start) = n.checked_sub(16).map(|last| from.min(last)) else {
        return span(b, from, HOST);
    };
    let Some(c) = b.get(start..).and_then(|r| r.first_chunk::<16>()) else {
        return from;
    };
    // `start <= from < start + 16`.
    let m = (outside16(c, HOST) | 1 << 16) >> (from - start);
    from + m.trailing_zeros() as usize
}

/// The bits of the bytes of `c` that are not hostname characters
/// ([`HOST`]), lowest byte first.
#[inline(always)]
pub(crate) fn host_outside16(c: &[u8; 16]) -> u32 {
    outside16(c, HOST)
}

/// The bits of the bytes of `b` that are not hostname characters
/// ([`HOST`]), bit `i` for byte `i`, for 16 to 64 bytes (`None` for
/// others): one vector step ([`outside16`]) on each sixteen from the
/// start and on the last sixteen, which may overlap the step before
/// (bytes seen twice give the same bits again, at the same places).
/// There are no bits at or past the end. As in [`call_id_ok16`], the
/// steps are written out.
#[inline(always)]
pub(crate) fn host_outside64(b: &[u8]) -> Option<u64> {
    let n = b.len();
    if !(16..=64).contains(&n) {
        return None;
    }
    let last = b.last_chunk::<16>()?;
    let mut m = u64::from(outside16(last, HOST)) << (n - 16);
    let mut step = |i: usize| {
        if i + 16 < n {
            if let Some(c) = b.get(i..).and_then(|r| r.first_chunk::<16>()) {
                m |= u64::from(outside16(c, HOST)) << i;
            }
        }
    };
    step(0);
    step(16);
    step(32);
    Some(m)
}

/// `m` without its lowest set bit (one BLSR where BMI1 is on, else two
/// simple steps): a chain of these gives the next bits of a mask one
/// cycle apart, where [`next_bit`] from the last position found waits on
/// a shift and a bit scan each time.
#[inline(always)]
pub(crate) fn clear_lowest(m: u64) -> u64 {
    m & m.wrapping_sub(1)
}

/// The first bit of `m` at or after `from`; 64 or more when there is
/// none. The name-addr path now walks its mask by [`clear_lowest`]; this
/// stays the reference its debug assertions check those steps against.
#[inline(always)]
pub(crate) fn next_bit(m: u64, from: usize) -> usize {
    let rest = u32::try_from(from).ok().and_then(|at| m.checked_shr(at));
    from + rest.unwrap_or(0).trailing_zeros() as usize
}

/// [`span16`], and the byte it stopped at (`None` at the end).
#[inline(always)]
pub(crate) fn span16_stop(b: &[u8], from: usize, bits: u8) -> (usize, Option<u8>) {
    let e = span16(b, from, bits);
    (e, b.get(e).copied())
}

/// The eight bytes from `at` as a little-endian word, `None` when fewer
/// remain.
#[inline(always)]
pub(crate) fn word8(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(*b.get(at..)?.first_chunk::<8>()?))
}

/// The four bytes from `at` as a little-endian word, `None` when fewer
/// remain.
#[inline(always)]
pub(crate) fn word4(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(*b.get(at..)?.first_chunk::<4>()?))
}

/// Whether `a` is `lower` in any case, where `lower` holds only lowercase
/// ASCII letters: OR-ing 0x20 into a byte gives a lowercase letter only
/// for that letter in either case, so the fold is exact. Up to 16 bytes
/// are compared as two overlapping words.
#[inline(always)]
pub(crate) fn eq_lower(a: &[u8], lower: &[u8]) -> bool {
    debug_assert!(lower.iter().all(u8::is_ascii_lowercase));
    let n = a.len();
    if n != lower.len() {
        return false;
    }
    let w8 = |s: &[u8], at: usize| word8(s, at).unwrap_or(0);
    let w4 = |s: &[u8], at: usize| word4(s, at).unwrap_or(0);
    let w2 = |s: &[u8], at: usize| {
        s.get(at..)
            .and_then(|r| r.first_chunk::<2>())
            .map_or(0, |w| u16::from_le_bytes(*w))
    };
    match n {
        8..=16 => {
            (w8(a, 0) | 0x2020_2020_2020_2020) == w8(lower, 0)
                && (w8(a, n - 8) | 0x2020_2020_2020_2020) == w8(lower, n - 8)
        }
        4..=7 => {
            (w4(a, 0) | 0x2020_2020) == w4(lower, 0)
                && (w4(a, n - 4) | 0x2020_2020) == w4(lower, n - 4)
        }
        2..=3 => (w2(a, 0) | 0x2020) == w2(lower, 0) && (w2(a, n - 2) | 0x2020) == w2(lower, n - 2),
        _ => a.iter().zip(lower).all(|(x, y)| (x | 0x20) == *y),
    }
}

/// `s[a..e]`, `None` when the range is out of bounds, reversed, or not
/// on char boundaries. Two half splits, each one boundary test, which
/// stay inline where `str::get` with a range often is not.
#[inline(always)]
pub(crate) fn sub(s: &str, a: usize, e: usize) -> Option<&str> {
    Some(s.split_at_checked(e)?.0.split_at_checked(a)?.1)
}

/// `s[a..e]` without the checks of [`sub`], for the pieces a fast path
/// cuts once its scan has succeeded: their checks cost about a tenth of
/// a From or To view. Each end the fast paths give is 0, the end of `s`,
/// or next to a byte they read as an ASCII delimiter or as a member of
/// one of the classes of [`CLASS`] (all ASCII). In UTF-8 a byte below
/// 0x80 is a whole character, so a character starts right after it, and
/// it is never the continuation of another: an offset next to one, on
/// either side, is a char boundary.
///
/// # Safety
///
/// `a <= e <= s.len()`, and each of `a` and `e` is 0, `s.len()`, or an
/// offset `i` with `s.as_bytes()[i - 1]` or `s.as_bytes()[i]` below 0x80.
#[allow(unsafe_code)]
#[inline(always)]
pub(crate) unsafe fn sub_ascii(s: &str, a: usize, e: usize) -> &str {
    debug_assert!(s.get(a..e).is_some(), "{a}..{e} of {s:?}");
    // SAFETY: the caller promises `a <= e <= s.len()`, and that each end
    // is 0, the length, or next to an ASCII byte, which makes it a char
    // boundary (see above): what `get_unchecked` requires.
    unsafe { s.get_unchecked(a..e) }
}

/// Every string made from `base` by one edit at a character position
/// from `from` on: each ASCII character and a few multi-byte ones
/// (`extra`) put in place of the character there, put in before it, or
/// (once a position) the character taken out. For the tests that pin a
/// fast path against its reference on every byte at every position.
#[cfg(test)]
pub(crate) fn edits<'e>(
    base: &str,
    from: usize,
    extra: &'e [char],
) -> impl Iterator<Item = String> + 'e {
    let base: Vec<char> = base.chars().collect();
    let n = base.len();
    (from..=n).flat_map(move |at| {
        let base = base.clone();
        (0..=127u8)
            .map(char::from)
            .chain(extra.iter().copied())
            .flat_map(move |c| {
                let base = base.clone();
                (0..3).filter_map(move |edit| {
                    let mut v = base.clone();
                    match edit {
                        0 if at < v.len() => v[at] = c,
                        1 => v.insert(at, c),
                        2 if at < v.len() && c == '\0' => {
                            v.remove(at);
                        }
                        _ => return None,
                    }
                    Some(v.into_iter().collect())
                })
            })
    })
}

/// Characters a mutation may put in, for every fast path's proptest: the
/// grammar's delimiters, LWS, other control bytes (NUL, SOH, GS, DEL), and
/// multi-byte ones whose bytes span 0x80 to 0xF0 (U+0080 is C2 80, U+00FF
/// is C3 BF, U+07FF is DF BF, U+20AC is E2 82 AC, U+FFFD is EF BF BD,
/// U+1F600 is F0 9F 98 80), so that a fast path that took a control or
/// non-ASCII byte for a delimiter or a class member would disagree with
/// its byte-by-byte reference.
#[cfg(test)]
const MUTATION_CHARS: &[char] = &[
    'a',
    'Z',
    '0',
    '9',
    ' ',
    '\t',
    '\r',
    '\n',
    ';',
    ':',
    '=',
    '<',
    '>',
    '@',
    '"',
    '\\',
    ',',
    '.',
    '-',
    '_',
    '/',
    '!',
    '~',
    '(',
    ')',
    '&',
    'é',
    '\0',
    '\x01',
    '\x1d',
    '\x7f',
    '\u{80}',
    '\u{ff}',
    '\u{7ff}',
    '€',
    '\u{fffd}',
    '\u{1f600}',
];

/// Test inputs for the fast paths: one of `seeds` with fewer than `max_edits`
/// single-character replacements, insertions or removals, each character
/// taken from [`MUTATION_CHARS`] or `extra` (the characters that matter to
/// one fast path in particular).
#[cfg(test)]
pub(crate) fn mutated(
    seeds: &'static [&'static str],
    extra: &'static [char],
    max_edits: usize,
) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let pick = move |c: usize| {
        MUTATION_CHARS
            .get(c)
            .copied()
            .unwrap_or_else(|| extra[c - MUTATION_CHARS.len()])
    };
    (
        0..seeds.len(),
        prop::collection::vec(
            (
                any::<usize>(),
                0..3u8,
                0..MUTATION_CHARS.len() + extra.len(),
            ),
            0..max_edits,
        ),
    )
        .prop_map(move |(seed, edits)| {
            let mut v: Vec<char> = seeds[seed].chars().collect();
            for (at, op, c) in edits {
                let at = at % (v.len() + 1);
                match op {
                    0 if at < v.len() => v[at] = pick(c),
                    1 => v.insert(at, pick(c)),
                    _ if at < v.len() => {
                        v.remove(at);
                    }
                    _ => {}
                }
            }
            v.into_iter().collect()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast paths take the shapes of the benchmark messages (an
    /// INVITE, a 200 and a 401 to REGISTER): if one of them stopped
    /// firing, every result would still be right (the reference answers)
    /// but the speed would be gone, so this is pinned here.
    #[test]
    fn fast_paths_take_the_common_shapes() {
        use super::super::headers::{parse_name_addr_simple, AuthValue, CSeq, Via};
        use super::super::uri::SipUri;
        for via in [
            "SIP/2.0/UDP 192.0.2.101:5060;rport=5060;received=198.51.100.7;branch=z9hG4bKnashds7",
            "SIP/2.0/UDP 192.0.2.101:5060;rport;branch=z9hG4bK776asdhds",
            "SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bK776asdhds",
        ] {
            assert!(Via::parse_simple(via).is_some(), "{via}");
        }
        for addr in [
            "Alice <sip:alice@atlanta.example.com>;tag=37GkEhwl6",
            "Bob <sip:bob@biloxi.example.com>",
            "Bob B <sip:bob@biloxi.example.com>",
            "Bob  <sip:bob@biloxi.example.com>",
            "\"Bob B\" <sip:bob@biloxi.example.com>;tag=a6c85cf",
            "<sip:alice@192.0.2.101:5060>;expires=3600",
            "<sip:alice@192.0.2.101:5060;transport=udp>",
            "<sip:proxy.atlanta.example.com;lr>",
        ] {
            assert!(parse_name_addr_simple(addr).is_some(), "{addr}");
        }
        for cseq in ["2 REGISTER", "314159 INVITE", "1 BYE", "7 NOTIFY"] {
            assert!(CSeq::parse_simple(cseq).is_some(), "{cseq}");
        }
        for challenge in [
            "Digest realm=\"atlanta.example.com\", nonce=\"ZmDbXmYS2u3rTBZc8rKZ3lU4Qk5lS5Kf\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", algorithm=SHA-256, qop=\"auth\"",
            "Digest realm=\"atlanta.example.com\", nonce=\"ZmDbXmYS2u3rTBZc8rKZ3lU4Qk5lS5Kf\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", algorithm=MD5, qop=\"auth\"",
        ] {
            assert!(AuthValue::parse_simple(challenge).is_some(), "{challenge}");
        }
        for uri in [
            "sip:bob@biloxi.example.com",
            "sips:alice@192.0.2.101:5061",
            "sip:r",
        ] {
            assert!(SipUri::parse_simple(uri).is_some(), "{uri}");
        }
    }

    #[test]
    fn classes_match_the_reference_tables() {
        for c in 0..=255u8 {
            let i = c as usize;
            assert_eq!(is(c, TOKEN), TOKEN_TABLE[i]);
            assert_eq!(is(c, HOST), HOST_TABLE[i]);
            assert_eq!(is(c, USER), USER_PLAIN[i]);
            assert_eq!(is(c, URI_PNAME), PARAM_NAME_PLAIN[i]);
            assert_eq!(is(c, URI_PVALUE), PARAM_VALUE_PLAIN[i]);
            assert_eq!(is(c, PVALUE), PARAM_VALUE[i] && c != b'[');
            assert_eq!(is(c, TOKEN_SP), TOKEN_TABLE[i] || c == b' ');
            assert_eq!(is(c, WORD), CALL_ID_WORD[i]);
        }
    }

    /// The cuts without checks ([`sub_ascii`]) rest on this: every class
    /// holds ASCII bytes only.
    #[test]
    fn classes_are_ascii() {
        for c in 0x80..=255u8 {
            assert_eq!(CLASS[c as usize], 0, "{c}");
        }
    }

    #[test]
    fn span_stops_at_the_first_byte_outside() {
        let plain = |b: &[u8], from: usize, bits: u8| {
            let mut i = from;
            while i < b.len() && is(b[i], bits) {
                i += 1;
            }
            i.max(from)
        };
        let s = b"atlanta.example.com>;tag=1 x";
        for from in 0..s.len() + 2 {
            for end in from.min(s.len())..=s.len() {
                for bits in [TOKEN, HOST, PVALUE, TOKEN_SP] {
                    let at = span(&s[..end], from, bits);
                    assert_eq!(at, plain(&s[..end], from, bits), "{from} {end} {bits}");
                    assert_eq!(
                        span_stop(&s[..end], from, bits),
                        (at, s[..end].get(at).copied()),
                        "{from} {end} {bits}"
                    );
                }
            }
        }
    }

    /// The vector classes against the table on every byte, in every
    /// lane, and the vector span against the byte span on every start
    /// and length.
    #[test]
    fn vector_classes_match_the_table() {
        for bits in [HOST, PVALUE, TOKEN] {
            for c in 0..=255u8 {
                for lane in 0..16 {
                    let mut v = [b'a'; 16];
                    v[lane] = c;
                    let want = if is(c, bits) { 0 } else { 1 << lane };
                    assert_eq!(outside16(&v, bits), want, "{c} {lane} {bits}");
                }
            }
            let s = b"atlanta.example.com>;tag=1 x;branch=z9hG4bKnashds7;received=198.51.100.7";
            for from in 0..s.len() + 2 {
                for end in from.min(s.len())..=s.len() {
                    assert_eq!(
                        span16(&s[..end], from, bits),
                        span(&s[..end], from, bits),
                        "{from} {end} {bits}"
                    );
                    assert_eq!(
                        span16_stop(&s[..end], from, bits),
                        span_stop(&s[..end], from, bits),
                        "{from} {end} {bits}"
                    );
                }
            }
        }
    }

    /// [`span_alnum`] and [`span_alnum_ahead`] against the byte span: on every start and length
    /// of a line of typical values, and with every byte value in every
    /// position of a few runs shorter and longer than sixteen bytes, at
    /// the end of the text and before more of it.
    #[test]
    fn alnum_span_matches_the_byte_span() {
        let classes = [TOKEN, USER, PVALUE, URI_PNAME, URI_PVALUE, TOKEN_SP];
        let s = b"alice@atlanta.example.com>;tag=a73kszlfl;branch=z9hG4bKnashds7;received=198.51.100.7;x=a!b~c(d)e";
        for from in 0..s.len() + 2 {
            for end in from.min(s.len())..=s.len() {
                for bits in classes {
                    let want = span(&s[..end], from, bits);
                    assert_eq!(
                        span_alnum(&s[..end], from, bits),
                        want,
                        "{from} {end} {bits}"
                    );
                    assert_eq!(
                        span_alnum_ahead(&s[..end], from, bits),
                        want,
                        "{from} {end} {bits}"
                    );
                }
            }
        }
        for base in [
            &b"a73kszlfl"[..],
            b"z9hG4bK776asdhds",
            b"z9hG4bKnashds7;rport",
            b"198.51.100.7;branch=z9hG4bK1",
            b"0123456789abcdefghijklmnopqrstuv;x",
        ] {
            for at in 0..base.len() {
                for c in 0..=255u8 {
                    let mut v = base.to_vec();
                    v[at] = c;
                    for pre in [&b""[..], b";tag=", b"SIP/2.0/UDP 192.0.2.101:5060;branch="] {
                        let t = [pre, &v[..]].concat();
                        for bits in classes {
                            let want = span(&t, pre.len(), bits);
                            assert_eq!(span_alnum(&t, pre.len(), bits), want, "{t:?} {bits}");
                            assert_eq!(span_alnum_ahead(&t, pre.len(), bits), want, "{t:?} {bits}");
                        }
                    }
                }
            }
        }
    }

    /// The bits of [`host_outside64`] against the table, with every byte
    /// value in every position of values of every length it takes; and
    /// [`next_bit`] on them.
    #[test]
    fn host_bits_match_the_table() {
        let base = b"Alice <sip:alice@atlanta.example.com>;tag=a73kszlfl-0.9_Z;x=1";
        assert!(base.len() >= 60);
        for n in 0..=70 {
            let mut v: Vec<u8> = base.iter().cycle().take(n).copied().collect();
            let want = |v: &[u8]| {
                v.iter()
                    .enumerate()
                    .filter(|&(_, &c)| !is(c, HOST))
                    .fold(0u64, |m, (i, _)| m | 1 << i)
            };
            if !(16..=64).contains(&n) {
                assert_eq!(host_outside64(&v), None);
                continue;
            }
            for at in 0..n {
                let keep = v[at];
                for c in 0..=255u8 {
                    v[at] = c;
                    let m = host_outside64(&v).unwrap();
                    assert_eq!(m, want(&v), "{n} {at} {c}");
                    for from in [0, at, at + 1, n] {
                        let e = next_bit(m, from);
                        let plain = (from..n).find(|&i| !is(v[i], HOST));
                        match plain {
                            Some(i) => assert_eq!(e, i, "{n} {at} {c} {from}"),
                            None => assert!(e >= 64, "{n} {at} {c} {from}"),
                        }
                    }
                }
                v[at] = keep;
            }
        }
        assert!(next_bit(u64::MAX, 64) >= 64);
        assert!(next_bit(0, 100) >= 64);
    }

    /// The vector Call-ID check against the table sum: every byte in
    /// every position of values of 16 to 64 bytes, and two `@` anywhere.
    #[test]
    fn vector_call_id_matches_the_table() {
        // A value of every `word` byte (the full class), and one of the
        // hostname class and `@` only (the first class and its fallback).
        for (n, word) in (16..=64).flat_map(|n| {
            [
                (n, &b"a1-.!%*_+`'~()<>:\\\"/[]?{}Z9"[..]),
                (n, b"a84b4c76e6-6710.pc33_Z9"),
            ]
        }) {
            let base: Vec<u8> = (0..n).map(|k| word[k % word.len()]).collect();
            assert!(call_id_ok16(&base) && call_id_ok_bytes(&base));
            for at in 0..n {
                for c in 0..=255u8 {
                    let mut v = base.clone();
                    v[at] = c;
                    assert_eq!(call_id_ok16(&v), call_id_ok_bytes(&v), "{n} {at} {c}");
                }
                for at2 in 0..n {
                    let mut v = base.clone();
                    v[at] = b'@';
                    v[at2] = b'@';
                    assert_eq!(call_id_ok16(&v), call_id_ok_bytes(&v), "{n} {at} {at2}");
                }
            }
        }
    }

    #[test]
    fn words() {
        assert_eq!(word4(b"sip:x", 0), Some(u32::from_le_bytes(*b"sip:")));
        assert_eq!(word4(b"sip", 0), None);
        assert_eq!(
            word8(b"SIP/2.0/", 0),
            Some(u64::from_le_bytes(*b"SIP/2.0/"))
        );
    }

    /// The Call-ID check before it used the class table, as a reference.
    fn call_id_reference(v: &str) -> bool {
        let b = v.as_bytes();
        let mut at = None;
        for (i, &c) in b.iter().enumerate() {
            if !CALL_ID_WORD[c as usize] {
                if c == b'@' && at.is_none() {
                    at = Some(i);
                } else {
                    return false;
                }
            }
        }
        match at {
            _ if b.is_empty() => false,
            Some(i) => i != 0 && i + 1 != b.len(),
            None => true,
        }
    }

    const SEEDS: &[&str] = &[
        "Alice <sip:alice@atlanta.example.com>;tag=37GkEhwl6",
        "Bob  B.  <sip:bob@b:5060>;tag=9",
        "\"Bob B.\" <sips:bob@192.0.2.4:5061;transport=tcp;lr>;tag=a;x",
        "<sip:+1-212@gw.example.net;user=phone>",
        "sip:carol@chicago.example.com;tag=1",
        "SIP/2.0/UDP 192.0.2.101:5060;rport=5060;received=198.51.100.7;branch=z9hG4bKnashds7",
        "SIP/2.0/TCP host.example.com;branch=z9hG4bK1;rport, SIP/2.0/UDP 10.0.0.1",
        "SIP/2.0/WSS 1.2.3.4.5:65535;maddr=224.2.0.1;ttl=16;branch=x",
        "2 REGISTER",
        "1234567 BYE",
        "12345678 ACK",
        "4294967295 INVITE",
        "Digest realm=\"atlanta.example.com\", nonce=\"ZmDbXmYS2u3rTBZc8rKZ3lU4Qk5lS5Kf\", \
         opaque=\"5ccc069c\", algorithm=SHA-256, qop=\"auth\"",
        "Digest username=\"alice\", uri=\"sip:a@b\", nc=00000001, cnonce=\"x\\\"y\"",
        "1j9FpLxk3uxtm8tn@192.0.2.101",
        "SIP/2.0/UDP 10.0.0.255:5060;rport=65535;received=10.0.0.1;branch=z9hG4bK1;rport=1",
        "SIP/2.0/udp a.b;BRANCH=x;Received=y;RPort;branch=2",
        "SIP/2.0/TLS 1.2.3.4;rport;received;received=5;branch;branch=6",
        "<sip:a@b>;tag=x;TAG=y",
        "\"A\" <sips:b@c.d:1;lr>;Tag=1;tag",
        "a84b4c76e66710@pc33.atlanta.example.com",
        "SIP/2.0/UDP 256.1.2.3:65536;rport=000005060;branch=z",
        "SIP/2.0/SCTP 01.2.3.4:0;rport=65535;received=::1;branch=z",
        "<sip:u@1.2.3.4:0;lr>;tag=a",
        "a@b@c",
    ];

    /// Characters an edit may put in besides the common ones
    /// ([`super::MUTATION_CHARS`]): those of IPv6 references, escapes,
    /// URI and Call-ID punctuation, and the letters of `SIP/2`.
    const ALPHABET: &[char] = &[
        '[', ']', '?', '%', '*', '\'', '+', '$', '#', 'S', 'I', 'P', '2',
    ];

    fn mutated() -> impl proptest::strategy::Strategy<Value = String> {
        super::mutated(SEEDS, ALPHABET, 4)
    }

    /// 4096 cases, or `PROPTEST_CASES` when it is set (`with_cases`
    /// alone would override it), for longer runs by hand.
    fn cases() -> proptest::prelude::ProptestConfig {
        use proptest::prelude::ProptestConfig;
        if std::env::var_os("PROPTEST_CASES").is_some() {
            ProptestConfig::default()
        } else {
            ProptestConfig::with_cases(4096)
        }
    }

    proptest::proptest! {
        #![proptest_config(cases())]

        /// Every fast path agrees with its reference on mutated values:
        /// the typed parses `debug_assert_eq!` the two whenever the fast
        /// path answers, and this drives them through odd inputs.
        #[test]
        fn fast_paths_agree_with_the_references(v in mutated()) {
            use super::super::headers::{
                parse_name_addr_reference, parse_name_addr_simple, AuthValue, CSeq, Via,
            };
            use super::super::scan::CommaSplit;
            use super::super::uri::{SipUri, Uri};
            // Each fast path against its reference directly, so that the
            // test holds in release builds too (the parsers' own
            // cross-checks are debug assertions).
            if let Some(fast) = parse_name_addr_simple(&v) {
                proptest::prop_assert_eq!(parse_name_addr_reference(&v), Ok(fast));
            }
            if let Some(fast) = CSeq::parse_simple(&v) {
                proptest::prop_assert_eq!(CSeq::parse_reference(&v), Ok(fast));
            }
            if let Some(fast) = AuthValue::parse_simple(&v) {
                proptest::prop_assert_eq!(AuthValue::parse_reference(&v), Ok(fast));
            }
            if let Some(fast) = Via::parse_simple(&v) {
                // The simple form holds no comma: it is the first value.
                let first = CommaSplit::new(&v).next().unwrap_or(&v);
                proptest::prop_assert_eq!(Via::parse_reference(first), Ok(fast));
            }
            for at in 0..v.len() {
                if let Some(u) = v.get(at..) {
                    if let Some(fast) = SipUri::parse_simple(u) {
                        proptest::prop_assert_eq!(Uri::parse_reference(u), Ok(Uri::Sip(fast)));
                    }
                }
            }
            proptest::prop_assert_eq!(
                super::super::headers::check_call_id(&v).is_ok(),
                call_id_reference(&v)
            );
        }
    }
}
