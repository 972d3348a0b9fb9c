//! Value syntax: seconds, milliseconds, integers, booleans and text. Each
//! parser returns why a value is wrong as a sentence fragment that quotes
//! the value (cut to 64 characters); the caller adds file, line and
//! setting. Secrets never pass through here.

use std::fmt::Write as _;
use std::ops::RangeInclusive;
use std::time::Duration;

use super::error::ConfigErrorKind;

/// Why a value was refused.
pub(crate) type Refusal = (ConfigErrorKind, String);

/// The value quoted for a message, cut to 64 characters.
pub(crate) fn quote(v: &str) -> String {
    let mut cut: String = v.chars().take(64).collect();
    if cut.len() < v.len() {
        cut.push('…');
    }
    format!("{cut:?}")
}

fn bad(v: &str, what: &str) -> Refusal {
    (
        ConfigErrorKind::BadValue,
        format!("{} is not {what}", quote(v)),
    )
}

/// Seconds: digits with up to three decimals (`30`, `0.5`, `2.250`); no
/// sign, no exponent. Checked against `range`.
pub(crate) fn seconds(v: &str, range: RangeInclusive<Duration>) -> Result<Duration, Refusal> {
    let t = v.trim();
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || frac.len() > 3 || t.ends_with('.') {
        return Err(bad(v, "a number of seconds"));
    }
    let secs: u64 = int
        .parse()
        .map_err(|_| (ConfigErrorKind::OutOfRange, out_of_range(v, "s", &range)))?;
    let millis: u32 = format!("{frac:0<3}").parse().unwrap_or(0);
    let d = Duration::from_secs(secs) + Duration::from_millis(u64::from(millis));
    if range.contains(&d) {
        Ok(d)
    } else {
        Err((ConfigErrorKind::OutOfRange, out_of_range(v, "s", &range)))
    }
}

/// Milliseconds: a whole number, checked against `range` (in ms).
pub(crate) fn millis(v: &str, range: RangeInclusive<u64>) -> Result<Duration, Refusal> {
    integer(v, range, "ms", "a number of milliseconds").map(Duration::from_millis)
}

/// A whole number in `range`; `unit` is written after the numbers of an
/// out-of-range message.
pub(crate) fn integer(
    v: &str,
    range: RangeInclusive<u64>,
    unit: &str,
    what: &str,
) -> Result<u64, Refusal> {
    let t = v.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(v, what));
    }
    match t.parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => {
            let mut m = format!("{} is out of range {}", quote(v), range.start());
            let _ = write!(m, "..={}", range.end());
            if !unit.is_empty() {
                let _ = write!(m, " {unit}");
            }
            Err((ConfigErrorKind::OutOfRange, m))
        }
    }
}

fn out_of_range(v: &str, unit: &str, range: &RangeInclusive<Duration>) -> String {
    format!(
        "{} is out of range {}..={} {unit}",
        quote(v),
        range.start().as_secs_f64(),
        range.end().as_secs_f64()
    )
}

/// A boolean: `0`/`1` or `false`/`true` (any case).
pub(crate) fn boolean(v: &str) -> Result<bool, Refusal> {
    match v.trim() {
        "1" => Ok(true),
        "0" => Ok(false),
        t if t.eq_ignore_ascii_case("true") => Ok(true),
        t if t.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(bad(v, "0, 1, true or false")),
    }
}

/// Text for a header (display name, user agent, domain, log file): no
/// control characters, which could otherwise break a SIP header apart.
pub(crate) fn text(v: &str) -> Result<String, Refusal> {
    if v.chars().any(char::is_control) {
        return Err((
            ConfigErrorKind::BadValue,
            format!("{} holds a control character", quote(v)),
        ));
    }
    Ok(v.to_owned())
}

/// A SIP user part (RFC 3261 §25.1 `user`), the same characters the
/// endpoint accepts for a connection's user.
pub(crate) fn user(v: &str) -> Result<String, Refusal> {
    let t = v.trim();
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.!~*'()&=+$,;?/%".contains(&b))
    {
        return Err(bad(
            v,
            "a SIP user (letters, digits and -_.!~*'()&=+$,;?/%)",
        ));
    }
    Ok(t.to_owned())
}
