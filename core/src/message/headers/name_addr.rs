//! Addresses: From, To (RFC 3261 §20.20, §20.39), Contact (§20.10), Route
//! and Record-Route (§20.34, §20.30).

use std::borrow::Cow;

use super::super::class::{self, eq_lower};
use super::super::error::HeaderErrorKind as E;
use super::super::name::HeaderName;
use super::super::params::{has_ws, simple_params_at, split_params, Params};
use super::super::scan::{
    eq_letters, is_token_char, is_ws, parse_u64, quoted_end, trim, trim_start,
};
use super::super::uri::{SipUriAt, Uri};
use super::Typed;

/// `[display-name] <URI>;params` or `URI;params`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameAddr<'a> {
    /// The display name as written: a quoted string with its quotes, or a
    /// run of tokens.
    pub display_name: Option<&'a str>,
    /// The URI.
    pub uri: Uri<'a>,
    /// The header parameters (after `>`, or after the URI in the
    /// addr-spec form, RFC 3261 §20.10).
    pub params: Params<'a>,
    /// The `tag` parameter, found while checking the parameters.
    tag: Option<&'a str>,
}

impl<'a> NameAddr<'a> {
    /// The `tag` parameter (RFC 3261 §19.3).
    pub fn tag(&self) -> Option<&'a str> {
        self.tag
    }

    /// The display name without quotes and with `\x` escapes resolved.
    pub fn display_name_unquoted(&self) -> Option<Cow<'a, str>> {
        let d = self.display_name?;
        let Some(inner) = d.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
            return Some(Cow::Borrowed(d));
        };
        if !inner.contains('\\') {
            return Some(Cow::Borrowed(inner));
        }
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else {
                out.push(c);
            }
        }
        Some(Cow::Owned(out))
    }

    /// Parses a From or To value.
    pub fn parse_from_to(value: &'a str) -> Result<Self, E> {
        parse_name_addr(value)
    }

    /// The common case of [`parse_from_to`](Self::parse_from_to) alone,
    /// inline: `None` where the full parse must decide. A caller that
    /// returns its `Some` at once has the address built in its own
    /// return slot, not in a temporary that is copied out.
    #[inline(always)]
    pub(crate) fn parse_simple(value: &'a str) -> Option<Self> {
        let a = parse_name_addr_simple(value)?;
        debug_assert_eq!(parse_name_addr_reference(value), Ok(a));
        Some(a)
    }
}

/// Parses `name-addr / addr-spec` followed by parameters. (From and To
/// call [`NameAddr::parse_simple`] themselves first, so that the common
/// case is built in their return slot.)
#[inline]
pub(crate) fn parse_name_addr(value: &str) -> Result<NameAddr<'_>, E> {
    if let Some(a) = parse_name_addr_simple(value) {
        debug_assert_eq!(parse_name_addr_reference(value), Ok(a));
        return Ok(a);
    }
    parse_name_addr_reference(value)
}

/// The common case in one pass: an optional display name (tokens and
/// spaces, or one quoted string), `<URI>` and plain parameters without
/// LWS or quotes (RFC 3261 §20.10, §25.1 `name-addr`). `None` for
/// anything else, which the full parse handles; when `Some`, the result
/// is the full parse's.
#[inline(always)]
pub(crate) fn parse_name_addr_simple(value: &str) -> Option<NameAddr<'_>> {
    let b = value.as_bytes();
    if let Some(a) = class::host_outside64(b).and_then(|m| name_addr_masked(value, m)) {
        return Some(a);
    }
    name_addr_general(value)
}

/// [`parse_name_addr_simple`] step by step, for every shape it takes.
#[inline(always)]
fn name_addr_general(value: &str) -> Option<NameAddr<'_>> {
    let b = value.as_bytes();
    // Offsets only until the parse is known to succeed: the display name
    // is `value[..display_end]` (none when 0), the '<' is at `lt` (each
    // arm checks it, where it knows most).
    let (display_end, lt) = match *b.first()? {
        b'<' => (0, 0),
        b'"' => {
            let end = quoted_end(b)?;
            let mut lt = end;
            while b.get(lt) == Some(&b' ') {
                lt += 1;
            }
            if b.get(lt) != Some(&b'<') {
                return None;
            }
            (end, lt)
        }
        // The reference trims leading LWS first.
        b' ' => return None,
        _ => {
            // §20.10 `display-name` as tokens and SP; the SP before '<'
            // is not part of it. The common `Name <` (one token, one SP)
            // first.
            let (te, stop) = class::span_stop(b, 0, class::TOKEN);
            if stop == Some(b' ') && te > 0 && b.get(te + 1) == Some(&b'<') {
                (te, te + 1)
            } else {
                display_tokens(b)?
            }
        }
    };
    // The simple SIP URI form holds no LWS, as the full parse requires,
    // and no '>': the first '>' is the one right after it (and neither a
    // '?' nor a ':', which `SipUriAt::scan` leaves to its caller).
    let uri = SipUriAt::scan(b, lt + 1)?;
    after_uri(value, display_end, uri, None)
}

/// The most common shape of [`parse_name_addr_simple`], from `m`, the
/// bits of the bytes of `value` that are not hostname characters
/// ([`class::host_outside64`]): `Name <sip:user@domain>` and parameters,
/// where the name (if any), the user part, the host and the tag value
/// are runs of hostname characters, found from the bits in a few
/// instructions each, where the general form takes a byte loop for the
/// name and a vector scan for each of the others. `None` where the
/// general form must decide; when `Some`, its result.
#[inline(always)]
fn name_addr_masked(value: &str, m: u64) -> Option<NameAddr<'_>> {
    let b = value.as_bytes();
    // The name is the run of hostname characters (token characters) up
    // to the first other byte, which must be the SP before the '<' (not
    // a token character): what the general form's first arm finds.
    // The bits after the `<`, and then after the `>`, by clearing the
    // lowest bit (the SP's, the `<`'s; the URI's `:`, `@` and `>`): each
    // a cycle after the mask, not after the positions found before.
    let clear = class::clear_lowest;
    let (display_end, lt, rest) = match m.trailing_zeros() as usize {
        0 if b.first() == Some(&b'<') => (0, 0, clear(m)),
        0 => return None,
        k if b.get(k) == Some(&b' ') && b.get(k + 1) == Some(&b'<') => (k, k + 1, clear(clear(m))),
        _ => return None,
    };
    let uri = SipUriAt::scan_masked(b, lt + 1, rest)?;
    after_uri(value, display_end, uri, Some(clear(clear(clear(rest)))))
}

/// The rest of [`parse_name_addr_simple`] after the URI: the `>`, the
/// header parameters, and the address built. With `after`, the bits of
/// the bytes after the `>` that are not hostname characters, a tag
/// value's run of them is found from the bits (and goes on by the byte
/// loop when it stops at another character of the class, as
/// `class::span_alnum` does).
#[inline(always)]
fn after_uri(
    value: &str,
    display_end: usize,
    uri: SipUriAt,
    after: Option<u64>,
) -> Option<NameAddr<'_>> {
    let b = value.as_bytes();
    let end = uri.end;
    if b.get(end) != Some(&b'>') {
        return None;
    }
    // Split here, where the '>' was just read: the compiler knows that
    // byte, so both splits need no char-boundary check. The URI is cut
    // from the text before the '>', which ends where it does.
    let (before_gt, params) = value.split_at_checked(end)?;
    let params = params.strip_prefix('>')?;
    let p = end + 1;
    // The first `tag` with a value (RFC 3261 §19.3), as offsets (none
    // when the end is 0): first the common `;tag=` right after '>' by one
    // word compare (the letters folded), then any parameter by name.
    let (mut ts, mut te) = (0, 0);
    let mut from = p;
    let tag_at = match class::word8(b, p) {
        Some(w) => w & 0xFF_FFFF_FFFF | 0x2020_2000 == u64::from_le_bytes(*b";tag=\0\0\0"),
        None => {
            class::word4(b, p).is_some_and(|w| w | 0x2020_2000 == u32::from_le_bytes(*b";tag"))
                && b.get(p + 4) == Some(&b'=')
        }
    };
    if tag_at {
        te = match after {
            // The `;` and the `=` are the two lowest bits after the `>`,
            // and the tag's end the next.
            Some(after) => match (class::clear_lowest(class::clear_lowest(after)).trailing_zeros()
                as usize)
                .min(b.len())
            {
                e if b.get(e).is_some_and(|&c| class::is(c, class::PVALUE)) => {
                    class::span(b, e, class::PVALUE)
                }
                e => e,
            },
            None => class::span_alnum(b, p + 5, class::PVALUE),
        };
        if te == p + 5 {
            return None;
        }
        ts = p + 5;
        from = te;
    }
    if from != b.len() {
        (ts, te) = other_params(b, from, (ts, te))?;
    }
    // The pieces are cut without checks (`class::sub_ascii`): the offsets
    // are in order and within `value`, and each is next to an ASCII byte.
    #[allow(unsafe_code)]
    Some(NameAddr {
        display_name: if display_end == 0 {
            None
        } else {
            // SAFETY: the display name ends after a token character or
            // SP (the unquoted forms are runs of them) or after its
            // closing quote.
            Some(unsafe { class::sub_ascii(value, 0, display_end) })
        },
        // SAFETY: the URI was scanned from these bytes, and `before_gt`
        // holds them up to its end.
        uri: Uri::Sip(unsafe { uri.slice(before_gt) }),
        params: Params::new(params),
        tag: if te == 0 {
            None
        } else {
            // SAFETY: a tag starts after its `=` and ends after a
            // character of its value (a non-empty run of them).
            Some(unsafe { class::sub_ascii(value, ts, te) })
        },
    })
}

/// The display name of tokens and SPs before `<` (RFC 3261 §20.10
/// `display-name` unquoted) at the start of `b`, whose first byte is
/// neither SP nor `<`: where it ends (without the SPs before the `<`) and
/// where the `<` is. `None` when the run does not reach a `<`.
#[inline(never)]
fn display_tokens(b: &[u8]) -> Option<(usize, usize)> {
    // The first byte is neither SP nor '<', so a run that reaches a '<'
    // starts with a token character.
    let (lt, stop) = class::span_stop(b, 0, class::TOKEN_SP);
    if stop != Some(b'<') {
        return None;
    }
    let mut de = lt;
    while de > 1 && b.get(de - 1) == Some(&b' ') {
        de -= 1;
    }
    Some((de, lt))
}

/// The header parameters of the simple name-addr form from `b[from]`
/// to the end (plain `;name[=value]`, RFC 3261 §25.1 `generic-param`
/// without LWS or quotes), and the first `tag` with a value unless
/// `tag` already holds one (an end of 0 is none). `None` when they do
/// not run to the end. Out of line: most From and To values end with
/// their tag.
#[inline(never)]
fn other_params(b: &[u8], from: usize, tag: (usize, usize)) -> Option<(usize, usize)> {
    let (mut ts, mut te) = tag;
    let pend = simple_params_at(b, from, class::TOKEN, class::PVALUE, |ns, ne, ve| {
        if te == 0 && ve > ne && eq_lower(&b[ns..ne], b"tag") {
            (ts, te) = (ne + 1, ve);
        }
    })?;
    (pend == b.len()).then_some((ts, te))
}

/// Every form of `name-addr / addr-spec`, one step at a time.
pub(crate) fn parse_name_addr_reference(value: &str) -> Result<NameAddr<'_>, E> {
    let s = trim(value);
    if s.is_empty() {
        return Err(E::Empty);
    }
    let b = s.as_bytes();
    // Find where the address starts: a quoted display name, then '<'; or a
    // token display name before '<'; or an addr-spec.
    let (display, rest) = if b[0] == b'"' {
        let end = quoted_end(b).ok_or(E::Syntax("unterminated quoted string"))?;
        let rest = trim_start(&s[end..]);
        if !rest.starts_with('<') {
            return Err(E::Syntax("expected '<' after the display name"));
        }
        (Some(&s[..end]), rest)
    } else {
        match b.iter().position(|c| matches!(c, b'<' | b';' | b'"')) {
            Some(i) if b[i] == b'<' => {
                let d = trim(&s[..i]);
                if !d.bytes().all(|c| is_token_char(c) || is_ws(c)) {
                    // RFC 4475 §3.1.2.15: a display name with non-token
                    // characters must be quoted.
                    return Err(E::Syntax(
                        "unquoted display name holds non-token characters",
                    ));
                }
                ((!d.is_empty()).then_some(d), &s[i..])
            }
            Some(i) if b[i] == b'"' => return Err(E::Syntax("quote inside the address")),
            _ => {
                // addr-spec: parameters after the URI belong to the header
                // (RFC 3261 §20.10), and a URI with ',' '?' or ';' must be
                // enclosed in '<>' (RFC 4475 §3.1.2.13).
                let (uri, params) = split_params(s);
                let uri = trim(uri);
                if has_ws(uri) {
                    return Err(E::Syntax("whitespace in the URI"));
                }
                if uri.contains(['?', ',']) {
                    return Err(E::Syntax("a URI with '?' or ',' must be enclosed in '<>'"));
                }
                let tag = check_params(&params)?;
                return Ok(NameAddr {
                    display_name: None,
                    uri: Uri::parse(uri).map_err(E::Uri)?,
                    params,
                    tag,
                });
            }
        }
    };
    // rest starts with '<'.
    let gt =
        super::super::scan::find_byte(rest.as_bytes(), b'>').ok_or(E::Syntax("'<' without '>'"))?;
    let uri = &rest[1..gt];
    if uri.is_empty() || has_ws(uri) {
        // RFC 4475 §3.1.2.14: no LWS inside the brackets.
        return Err(E::Syntax("whitespace inside '<>'"));
    }
    let after = &rest[gt + 1..];
    let params = Params::new(after);
    let tag = check_params(&params)?;
    Ok(NameAddr {
        display_name: display,
        uri: Uri::parse(uri).map_err(E::Uri)?,
        params,
        tag,
    })
}

/// Checks header parameters in one pass and picks out the tag.
#[inline]
fn check_params<'a>(params: &Params<'a>) -> Result<Option<&'a str>, E> {
    let mut tag = None;
    params
        .check_each(|p| {
            if tag.is_none() && eq_letters(p.name, "tag") {
                tag = p.unquoted();
            }
        })
        .map_err(|why| match why {
            "parameters must start with ';'" => E::Syntax("junk after the address"),
            other => E::Syntax(other),
        })?;
    Ok(tag)
}

/// One Contact value (RFC 3261 §20.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contact<'a> {
    /// `*`, only in a REGISTER that removes every binding.
    Star,
    /// An address.
    Addr(NameAddr<'a>),
}

impl<'a> Contact<'a> {
    /// The address, unless this is `*`.
    pub fn addr(&self) -> Option<&NameAddr<'a>> {
        match self {
            Contact::Star => None,
            Contact::Addr(a) => Some(a),
        }
    }

    /// The `expires` parameter in seconds.
    pub fn expires(&self) -> Option<u32> {
        self.addr()?
            .params
            .value("expires")
            .and_then(|v| parse_u64(v).and_then(|n| u32::try_from(n).ok()))
    }

    /// The `q` parameter in thousandths (`q=0.5` is 500).
    pub fn q(&self) -> Option<u16> {
        self.addr()?.params.value("q").and_then(parse_qvalue)
    }
}

/// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`.
fn parse_qvalue(v: &str) -> Option<u16> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut thousandths: u16 = 0;
    for (i, c) in frac.bytes().enumerate() {
        thousandths += u16::from(c - b'0') * [100, 10, 1][i];
    }
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

impl<'a> Typed<'a> for Contact<'a> {
    const NAME: HeaderName = HeaderName::Contact;

    fn parse(value: &'a str) -> Result<Self, E> {
        if trim(value) == "*" {
            return Ok(Contact::Star);
        }
        let c = Contact::Addr(parse_name_addr(value)?);
        let params = c.addr().map(|a| a.params).unwrap_or_default();
        if params.value("expires").is_some() && c.expires().is_none() {
            return Err(E::OutOfRange("Contact expires"));
        }
        if params.value("q").is_some() && c.q().is_none() {
            return Err(E::Syntax("bad q value"));
        }
        Ok(c)
    }
}

macro_rules! route_header {
    ($ty:ident, $name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $ty<'a>(pub NameAddr<'a>);

        impl<'a> std::ops::Deref for $ty<'a> {
            type Target = NameAddr<'a>;
            fn deref(&self) -> &NameAddr<'a> {
                &self.0
            }
        }

        impl<'a> Typed<'a> for $ty<'a> {
            const NAME: HeaderName = HeaderName::$name;

            fn parse(value: &'a str) -> Result<Self, E> {
                parse_name_addr(value).map($ty)
            }
        }
    };
}

route_header!(Route, Route, "One Route value (RFC 3261 §20.34).");
route_header!(
    RecordRoute,
    RecordRoute,
    "One Record-Route value (RFC 3261 §20.30)."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let a = parse_name_addr("caller<sip:caller@example.com>;tag=323").unwrap();
        assert_eq!(a.display_name, Some("caller"));
        assert_eq!(a.tag(), Some("323"));
        let a = parse_name_addr("sip:+19725552222@gw1.example.net;unknownparam").unwrap();
        assert!(a.params.has("unknownparam"));
        assert!(a.uri.as_sip().unwrap().params.is_empty());
        let a = parse_name_addr("<sip:+19725552222@gw1.example.net;unknownparam>").unwrap();
        assert!(a.params.is_empty());
        assert!(a.uri.as_sip().unwrap().params.has("unknownparam"));
    }

    #[test]
    fn rejects() {
        assert!(parse_name_addr("\"Mr. J. User <sip:j.user@example.com>").is_err());
        assert!(parse_name_addr("Bell, Alexander <sip:a.g.bell@example.com>").is_err());
        assert!(parse_name_addr("\"Watson\" < sip:t.watson@example.org >").is_err());
        assert!(parse_name_addr("sip:user@example.com?Route=%3Csip:sip.example.com%3E").is_err());
    }

    /// The simple form against the reference on every ASCII byte (and a
    /// multi-byte character) in every position of the parameters after
    /// the address, with fewer and more than eight bytes after the `>`
    /// (the `;tag=` word read and its byte fallback).
    #[test]
    fn tag_fast_path_agrees_with_the_reference_byte_by_byte() {
        for base in [
            "<sip:a@b>;tag=1",
            "<sip:a@b>;tag=12",
            "<sip:a@b>;tag=123",
            "A <sip:a@b>;tag=37GkEhwl6",
            "<sip:a@b>;tag=37GkEhwl6;x=1",
            "<sip:a@b>;tagx=1;tag=2",
            "<sip:a@b>;ta=1",
        ] {
            let gt = base.chars().position(|c| c == '>').unwrap();
            for v in class::edits(base, gt, &['\u{e9}']) {
                if let Some(fast) = parse_name_addr_simple(&v) {
                    assert_eq!(parse_name_addr_reference(&v), Ok(fast), "{v:?}");
                }
            }
        }
    }

    /// The shape found from the bits of the bytes that are not hostname
    /// characters ([`name_addr_masked`]) against the general simple form
    /// and the reference: every ASCII byte (and a few multi-byte
    /// characters) replaced, put in or taken out at every position.
    #[test]
    fn masked_shape_agrees_with_the_general_form_on_every_byte() {
        let mut taken = 0;
        for base in [
            "Alice <sip:alice@atlanta.example.com>;tag=a73kszlfl",
            "Bob <sip:bob@biloxi.example.com>",
            "<sip:a@b.c>;tag=1;x=2",
            "<sip:alice@atlanta.example.com>;expires=3600;tag=x",
            "B <sip:b@c.d>;tag=0123456789abcdefghij!~",
        ] {
            for v in class::edits(base, 0, &['\u{e9}', '\u{7ff}', '\u{20ac}', '\u{1f600}']) {
                let Some(m) = class::host_outside64(v.as_bytes()) else {
                    continue;
                };
                if let Some(fast) = name_addr_masked(&v, m) {
                    taken += 1;
                    assert_eq!(name_addr_general(&v), Some(fast), "{v:?}");
                    assert_eq!(parse_name_addr_reference(&v), Ok(fast), "{v:?}");
                }
            }
        }
        assert!(taken > 5_000, "{taken}");
        // The shapes of the benchmark messages take it.
        for v in [
            "Alice <sip:alice@atlanta.example.com>;tag=a73kszlfl",
            "Bob <sip:bob@biloxi.example.com>",
        ] {
            assert!(name_addr_masked(v, class::host_outside64(v.as_bytes()).unwrap()).is_some());
        }
    }

    #[test]
    fn qvalues() {
        assert_eq!(parse_qvalue("0.33"), Some(330));
        assert_eq!(parse_qvalue("1"), Some(1000));
        assert_eq!(parse_qvalue("1.5"), None);
        assert_eq!(parse_qvalue("0.1234"), None);
    }
}
