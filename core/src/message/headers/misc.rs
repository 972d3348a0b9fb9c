//! Small typed headers: numbers, option-tag lists, Content-Type,
//! Retry-After, Session-Expires, Warning, Date, and the Call-ID check.

use super::super::class;
use super::super::error::HeaderErrorKind as E;
use super::super::method::Method;
use super::super::name::HeaderName;
use super::super::params::{split_params, Params};
use super::super::parsed::unfolded;
use super::super::scan::{is_token, is_ws, parse_u32, parse_u64, quoted_end, trim};
use super::Typed;

/// `delta-seconds`: digits that must fit 32 bits (RFC 4475 §3.1.2.4).
fn delta_seconds(v: &str, what: &'static str) -> Result<u32, E> {
    let v = trim(v);
    if v.is_empty() || !v.bytes().all(|c| c.is_ascii_digit()) {
        return Err(E::Syntax("expected delta-seconds"));
    }
    parse_u32(v).ok_or(E::OutOfRange(what))
}

macro_rules! seconds_header {
    ($ty:ident, $name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $ty(pub u32);

        impl<'a> Typed<'a> for $ty {
            const NAME: HeaderName = HeaderName::$name;
            fn parse(value: &'a str) -> Result<Self, E> {
                delta_seconds(value, stringify!($ty)).map($ty)
            }
        }
    };
}

seconds_header!(Expires, Expires, "Expires in seconds (RFC 3261 §20.19).");
seconds_header!(
    MinExpires,
    MinExpires,
    "Min-Expires in seconds (RFC 3261 §20.23)."
);

/// Max-Forwards, 0 to 255 (RFC 3261 §20.22).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxForwards(pub u8);

impl<'a> Typed<'a> for MaxForwards {
    const NAME: HeaderName = HeaderName::MaxForwards;
    fn parse(value: &'a str) -> Result<Self, E> {
        let n = delta_seconds(value, "Max-Forwards")?;
        u8::try_from(n)
            .map(MaxForwards)
            .map_err(|_| E::OutOfRange("Max-Forwards"))
    }
}

/// Content-Length (RFC 3261 §20.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentLength(pub usize);

impl<'a> Typed<'a> for ContentLength {
    const NAME: HeaderName = HeaderName::ContentLength;
    fn parse(value: &'a str) -> Result<Self, E> {
        let v = trim(value);
        if v.is_empty() || !v.bytes().all(|c| c.is_ascii_digit()) {
            return Err(E::Syntax("expected digits"));
        }
        parse_u64(v)
            .and_then(|n| usize::try_from(n).ok())
            .map(ContentLength)
            .ok_or(E::OutOfRange("Content-Length"))
    }
}

macro_rules! token_list_header {
    ($ty:ident, $name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $ty<'a>(pub &'a str);

        impl<'a> Typed<'a> for $ty<'a> {
            const NAME: HeaderName = HeaderName::$name;
            fn parse(value: &'a str) -> Result<Self, E> {
                let v = trim(value);
                if is_token(v) {
                    Ok($ty(v))
                } else if v.is_empty() {
                    Err(E::Empty)
                } else {
                    Err(E::Syntax("expected an option-tag"))
                }
            }
        }
    };
}

token_list_header!(
    Supported,
    Supported,
    "One option-tag of Supported (RFC 3261 §20.37)."
);
token_list_header!(
    Require,
    Require,
    "One option-tag of Require (RFC 3261 §20.32)."
);
token_list_header!(
    ProxyRequire,
    ProxyRequire,
    "One option-tag of Proxy-Require (RFC 3261 §20.29)."
);
token_list_header!(
    Unsupported,
    Unsupported,
    "One option-tag of Unsupported (RFC 3261 §20.40)."
);

/// One method of Allow (RFC 3261 §20.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allow<'a>(pub Method<'a>);

impl<'a> Typed<'a> for Allow<'a> {
    const NAME: HeaderName = HeaderName::Allow;
    fn parse(value: &'a str) -> Result<Self, E> {
        let v = trim(value);
        if is_token(v) {
            Ok(Allow(Method::from_token(v)))
        } else {
            Err(E::Syntax("expected a method"))
        }
    }
}

/// Content-Type (RFC 3261 §20.15): `type/subtype;params`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentType<'a> {
    /// `application` in `application/sdp`.
    pub media_type: &'a str,
    /// `sdp` in `application/sdp`.
    pub subtype: &'a str,
    /// Parameters such as `boundary` or `charset`.
    pub params: Params<'a>,
}

impl ContentType<'_> {
    /// Whether this is `type/subtype`, case-insensitively.
    pub fn is(&self, media_type: &str, subtype: &str) -> bool {
        self.media_type.eq_ignore_ascii_case(media_type)
            && self.subtype.eq_ignore_ascii_case(subtype)
    }
}

impl<'a> Typed<'a> for ContentType<'a> {
    const NAME: HeaderName = HeaderName::ContentType;
    fn parse(value: &'a str) -> Result<Self, E> {
        let (mt, params) = split_params(trim(value));
        let (t, s) = mt
            .split_once('/')
            .ok_or(E::Syntax("expected type/subtype"))?;
        let (t, s) = (trim(t), trim(s));
        if !is_token(t) || !is_token(s) {
            return Err(E::Syntax("media type is not a token"));
        }
        params.check().map_err(E::Syntax)?;
        Ok(ContentType {
            media_type: t,
            subtype: s,
            params,
        })
    }
}

/// Retry-After (RFC 3261 §20.33): `delta-seconds [comment] *(;param)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter<'a> {
    /// Seconds to wait.
    pub seconds: u32,
    /// The comment, without its parentheses.
    pub comment: Option<&'a str>,
    /// Parameters such as `duration`.
    pub params: Params<'a>,
}

impl<'a> Typed<'a> for RetryAfter<'a> {
    const NAME: HeaderName = HeaderName::RetryAfter;
    fn parse(value: &'a str) -> Result<Self, E> {
        let v = trim(value);
        let digits = v.bytes().take_while(|c| c.is_ascii_digit()).count();
        let seconds = delta_seconds(&v[..digits], "Retry-After")?;
        let mut rest = trim(&v[digits..]);
        let mut comment = None;
        if rest.starts_with('(') {
            let close = rest.rfind(')').ok_or(E::Syntax("unterminated comment"))?;
            comment = Some(&rest[1..close]);
            rest = trim(&rest[close + 1..]);
        }
        let params = Params::new(rest);
        if !rest.is_empty() && !rest.starts_with(';') {
            return Err(E::Syntax("junk after delta-seconds"));
        }
        params.check().map_err(E::Syntax)?;
        if let Some(d) = params.value("duration") {
            delta_seconds(d, "Retry-After duration")?;
        }
        Ok(RetryAfter {
            seconds,
            comment,
            params,
        })
    }
}

/// Who refreshes a session (RFC 4028 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresher {
    /// The UAC.
    Uac,
    /// The UAS.
    Uas,
}

/// Session-Expires (RFC 4028 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionExpires<'a> {
    /// Session interval in seconds.
    pub delta: u32,
    /// The `refresher` parameter.
    pub refresher: Option<Refresher>,
    /// All parameters.
    pub params: Params<'a>,
}

impl<'a> Typed<'a> for SessionExpires<'a> {
    const NAME: HeaderName = HeaderName::SessionExpires;
    fn parse(value: &'a str) -> Result<Self, E> {
        let (d, params) = split_params(trim(value));
        let delta = delta_seconds(d, "Session-Expires")?;
        params.check().map_err(E::Syntax)?;
        let refresher = match params.value("refresher") {
            None => None,
            Some(r) if r.eq_ignore_ascii_case("uac") => Some(Refresher::Uac),
            Some(r) if r.eq_ignore_ascii_case("uas") => Some(Refresher::Uas),
            Some(_) => return Err(E::Syntax("refresher is neither uac nor uas")),
        };
        Ok(SessionExpires {
            delta,
            refresher,
            params,
        })
    }
}

/// Min-SE (RFC 4028 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinSe<'a> {
    /// Minimum session interval in seconds.
    pub delta: u32,
    /// Parameters.
    pub params: Params<'a>,
}

impl<'a> Typed<'a> for MinSe<'a> {
    const NAME: HeaderName = HeaderName::MinSe;
    fn parse(value: &'a str) -> Result<Self, E> {
        let (d, params) = split_params(trim(value));
        params.check().map_err(E::Syntax)?;
        Ok(MinSe {
            delta: delta_seconds(d, "Min-SE")?,
            params,
        })
    }
}

/// One Warning value (RFC 3261 §20.43): `code agent "text"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Warning<'a> {
    /// The three-digit warn-code.
    pub code: u16,
    /// The warn-agent (host:port or pseudonym).
    pub agent: &'a str,
    /// The warn-text without quotes.
    pub text: &'a str,
}

impl<'a> Typed<'a> for Warning<'a> {
    const NAME: HeaderName = HeaderName::Warning;
    fn parse(value: &'a str) -> Result<Self, E> {
        // Fields are separated by LWS, folds included (RFC 3261 §7.3.1).
        let v = trim(value);
        let sp = v.bytes().position(is_ws).unwrap_or(v.len());
        let code = &v[..sp];
        if code.len() != 3 || !code.bytes().all(|c| c.is_ascii_digit()) {
            return Err(E::OutOfRange("warn-code"));
        }
        let rest = trim(&v[sp..]);
        let sp = rest
            .bytes()
            .position(is_ws)
            .ok_or(E::Syntax("expected warn-text"))?;
        let agent = &rest[..sp];
        let text = trim(&rest[sp..]);
        if !text.starts_with('"') || quoted_end(text.as_bytes()) != Some(text.len()) {
            return Err(E::Syntax("warn-text is not a quoted string"));
        }
        Ok(Warning {
            code: code.parse().map_err(|_| E::OutOfRange("warn-code"))?,
            agent,
            text: &text[1..text.len() - 1],
        })
    }
}

/// Date (RFC 3261 §20.17): an RFC 1123 date that must be in GMT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date<'a>(pub &'a str);

impl<'a> Typed<'a> for Date<'a> {
    const NAME: HeaderName = HeaderName::Date;
    fn parse(value: &'a str) -> Result<Self, E> {
        // wkday "," SP 2DIGIT SP month SP 4DIGIT SP 2DIGIT ":" 2DIGIT ":" 2DIGIT SP "GMT"
        let v = trim(value);
        // A fold is one SP (RFC 3261 §7.3.1), so a folded date is checked
        // unfolded, as its serialized form would be; the value keeps its
        // text as written.
        let mut buf = [0u8; 29];
        let b: &[u8] = if v.contains('\n') {
            let mut n = 0;
            for c in unfolded(v) {
                *buf.get_mut(n)
                    .ok_or(E::Syntax("expected an RFC 1123 date in GMT"))? = c;
                n += 1;
            }
            &buf[..n]
        } else {
            v.as_bytes()
        };
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let digits =
            |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
        let ok = b.len() == 29
            && DAYS.iter().any(|d| d.as_bytes() == &b[..3])
            && &b[3..5] == b", "
            && digits(5..7)
            && b[7] == b' '
            && MONTHS.iter().any(|m| m.as_bytes() == &b[8..11])
            && b[11] == b' '
            && digits(12..16)
            && b[16] == b' '
            && digits(17..19)
            && b[19] == b':'
            && digits(20..22)
            && b[22] == b':'
            && digits(23..25)
            && &b[25..] == b" GMT";
        if ok {
            Ok(Date(v))
        } else {
            Err(E::Syntax("expected an RFC 1123 date in GMT"))
        }
    }
}

/// Call-ID (RFC 3261 §20.8): `word [ "@" word ]`, each `word` a run of
/// §25.1 `word` characters (which hold no `@`). Inline: it is one short
/// loop ([`class::call_id_ok`]).
#[inline]
pub(crate) fn check_call_id(v: &str) -> Result<(), E> {
    if class::call_id_ok(v.as_bytes()) {
        Ok(())
    } else {
        Err(E::Syntax("Call-ID is not word[@word]"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fold in a Date is one SP (RFC 3261 §7.3.1), so a folded date is
    /// valid exactly when its unfolded (serialized) form is, and reads as
    /// written (`fuzz/regressions/parse_message/validate-changes-date-fold`).
    #[test]
    fn folded_dates_are_checked_unfolded() {
        for date in [
            "Thu, 21 Feb 2002 13:02:03 GMT",
            "Thu, 21\r\n Feb 2002 13:02:03 GMT",
            "Thu,\r\n\t 21 Feb 2002 13:02:03\r\n GMT",
        ] {
            assert_eq!(Date::parse(date), Ok(Date(date)), "{date:?}");
        }
        for bad in [
            "Thu, 21 \r\n Feb 2002 13:02:03 GMT",
            "Thu, 21\r\n Feb 2002 13:02:03 GMT\r\n x",
            "Thu, 21 Feb 2002 13:02:03 GMT x",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad:?}");
        }
    }
}
