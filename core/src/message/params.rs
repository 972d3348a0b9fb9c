//! Generic parameters (`;name=value`), as on URIs, Via, From, To, Contact
//! and most other headers (RFC 3261 §25.1 `generic-param`, §19.1.1
//! `uri-parameters`). Zero-copy: a [`Params`] is the raw text, walked on
//! demand.

use super::class::span;
use super::scan::{is_ws, quoted_end, trim, unquote};

/// One parameter: its name and its value if it has one (`;lr` has none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param<'a> {
    /// The name as written.
    pub name: &'a str,
    /// The value as written, with quotes if it was quoted.
    pub value: Option<&'a str>,
}

impl<'a> Param<'a> {
    /// The value with the quotes of a quoted-string removed.
    pub fn unquoted(&self) -> Option<&'a str> {
        self.value.map(unquote)
    }
}

/// A list of parameters, kept as raw text (`;a=1;b`).
///
/// # Examples
///
/// ```
/// use geosip_core::message::Params;
///
/// let p = Params::new(";transport=tcp; lr ;Q = 0.5");
/// assert_eq!(p.value("TRANSPORT"), Some("tcp"));
/// assert!(p.has("lr"));
/// assert_eq!(p.value("q"), Some("0.5"));
/// assert_eq!(p.iter().count(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Params<'a> {
    raw: &'a str,
}

impl<'a> Params<'a> {
    /// Wraps raw parameter text, which is empty or starts with `;`.
    pub fn new(raw: &'a str) -> Self {
        Params { raw }
    }

    /// The raw text.
    pub fn as_str(&self) -> &'a str {
        self.raw
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        trim(self.raw).is_empty()
    }

    /// Walks the parameters in order.
    pub fn iter(&self) -> ParamIter<'a> {
        ParamIter { rest: self.raw }
    }

    /// The first parameter with this name (case-insensitive).
    pub fn get(&self, name: &str) -> Option<Param<'a>> {
        self.iter().find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// Whether a parameter of this name is present, with or without value.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The value of the named parameter, unquoted; `None` when it is absent
    /// or has no value.
    pub fn value(&self, name: &str) -> Option<&'a str> {
        self.get(name).and_then(|p| p.unquoted())
    }

    /// Checks the grammar: every name is a token and every value is a token,
    /// a quoted string, or an IPv6 reference (RFC 3261 §25.1 `gen-value`).
    pub(crate) fn check(&self) -> Result<(), &'static str> {
        self.check_each(|_| ())
    }

    /// Checks the grammar like [`check`](Self::check) and shows every
    /// parameter to `f`, in one pass over the bytes (the typed views call
    /// this on every Via, From, To and Contact).
    #[inline]
    pub(crate) fn check_each(&self, mut f: impl FnMut(&Param<'a>)) -> Result<(), &'static str> {
        let raw = self.raw;
        let b = raw.as_bytes();
        let len = b.len();
        let skip_ws = |i: &mut usize| {
            while *i < len && super::scan::is_ws(b[*i]) {
                *i += 1;
            }
        };
        let mut i = 0;
        skip_ws(&mut i);
        if i == len {
            return Ok(());
        }
        if b[i] != b';' {
            return Err("parameters must start with ';'");
        }
        loop {
            // b[i] == ';'
            i += 1;
            skip_ws(&mut i);
            let name_start = i;
            while i < len && super::scan::TOKEN[b[i] as usize] {
                i += 1;
            }
            if i == name_start {
                return Err("empty or malformed parameter name");
            }
            let name = &raw[name_start..i];
            skip_ws(&mut i);
            let mut value = None;
            if i < len && b[i] == b'=' {
                i += 1;
                skip_ws(&mut i);
                let vs = i;
                match b.get(i) {
                    Some(b'"') => {
                        i += quoted_end(&b[i..]).ok_or("malformed parameter value")?;
                    }
                    Some(b'[') => {
                        i += super::scan::find_byte(&b[i..], b']')
                            .ok_or("malformed parameter value")?
                            + 1;
                    }
                    _ => {
                        while i < len && PARAM_VALUE[b[i] as usize] {
                            i += 1;
                        }
                        if i == vs {
                            return Err("malformed parameter value");
                        }
                    }
                }
                value = Some(&raw[vs..i]);
                skip_ws(&mut i);
            }
            f(&Param { name, value });
            if i == len {
                return Ok(());
            }
            if b[i] != b';' {
                return Err("malformed parameter value");
            }
        }
    }
}

/// Token characters plus what URI parameter values may hold.
pub(crate) static PARAM_VALUE: [bool; 256] = super::scan::class(true, b"-.!%*_+`'~[]/:&$()");

/// The common case of [`Params::check_each`], in one tight pass over the
/// bytes `b` from `at`: `;name[=value]` repeated, with no LWS, quote or
/// bracket, every name byte in class `name` and every value byte in class
/// `value` (classes of [`class`](super::class) that are subsets of what
/// `check_each` accepts; RFC 3261 §25.1 `generic-param`). Stops before the
/// first byte that does not begin another parameter and returns its
/// offset; `None` when a parameter is malformed (the caller then runs
/// `check_each`).
///
/// `f` sees each parameter as offsets into `b`: the name is
/// `name_start..name_end`, and the value `name_end + 1..value_end` when
/// `value_end > name_end` (a parameter without `=` has
/// `value_end == name_end`), so that callers slice only what they keep.
#[inline(always)]
pub(crate) fn simple_params_at(
    b: &[u8],
    at: usize,
    name: u8,
    value: u8,
    mut f: impl FnMut(usize, usize, usize),
) -> Option<usize> {
    let mut i = at;
    while b.get(i) == Some(&b';') {
        let ns = i + 1;
        i = span(b, ns, name);
        if i == ns {
            return None;
        }
        let ne = i;
        if b.get(i) == Some(&b'=') {
            i = span(b, ne + 1, value);
            if i == ne + 1 {
                return None;
            }
        }
        f(ns, ne, i);
    }
    Some(i)
}

/// Iterator over [`Params`].
#[derive(Debug, Clone)]
pub struct ParamIter<'a> {
    rest: &'a str,
}

impl<'a> Iterator for ParamIter<'a> {
    type Item = Param<'a>;

    #[inline]
    fn next(&mut self) -> Option<Param<'a>> {
        let s = super::scan::trim_start(self.rest);
        let s = s.strip_prefix(';')?;
        let b = s.as_bytes();
        // The end of this parameter: the next ';' outside quotes.
        let mut end = 0;
        loop {
            match super::scan::find_byte2(&b[end..], b';', b'"') {
                None => {
                    end = b.len();
                    break;
                }
                Some(off) if b[end + off] == b';' => {
                    end += off;
                    break;
                }
                Some(off) => {
                    end += off;
                    end += quoted_end(&b[end..]).unwrap_or(b.len() - end);
                }
            }
        }
        let item = &s[..end];
        self.rest = &s[end..];
        Some(match super::scan::find_byte(item.as_bytes(), b'=') {
            Some(e) => Param {
                name: trim(&item[..e]),
                value: Some(trim(&item[e + 1..])),
            },
            None => Param {
                name: trim(item),
                value: None,
            },
        })
    }
}

/// Splits `s` at the first `;` that is outside quotes, returning the part
/// before and the parameters from the `;` on.
pub(crate) fn split_params(s: &str) -> (&str, Params<'_>) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b';' => return (&s[..i], Params::new(&s[i..])),
            b'"' => i += quoted_end(&b[i..]).unwrap_or(b.len() - i),
            _ => i += 1,
        }
    }
    (s, Params::new(""))
}

/// Whether the string has any LWS in it.
pub(crate) fn has_ws(s: &str) -> bool {
    s.bytes().any(is_ws)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lws_around_equals_and_semicolons() {
        let p = Params::new(" ;\r\n  tag = 98asjd8");
        assert_eq!(p.value("tag"), Some("98asjd8"));
        assert!(p.check().is_ok());
    }

    #[test]
    fn quoted_values_may_hold_semicolons() {
        let p = Params::new(r#";a="x;y";b"#);
        assert_eq!(p.value("a"), Some("x;y"));
        assert!(p.has("b"));
    }

    #[test]
    fn empty_names_are_rejected() {
        assert!(Params::new(";;;").check().is_err());
        assert!(Params::new(";a=1;").check().is_err());
    }
}
