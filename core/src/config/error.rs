//! What goes wrong in a `SipEndpoint.config`: errors that stop the load and
//! warnings that do not.
//!
//! Neither ever holds a password: a password's value never goes into a
//! message, and neither does the value of an unknown setting (it may be a
//! misspelt `password`).

use std::fmt;

/// What kind of mistake a [`ConfigError`] is, for code that reacts to it;
/// people read the [`Display`](fmt::Display) form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// The file or one value is longer than the limit
    /// ([`ConfigLimits`](super::ConfigLimits)).
    TooLarge,
    /// Not well-formed XML, or XML with a DTD.
    Xml,
    /// Well-formed, but not the shape of a `SipEndpoint.config`: another
    /// root element, a `setting` without `name` or `value`, a
    /// `Connectivity` without `user` or `server`.
    Structure,
    /// A value that does not parse: not a number, not 0/1, an unknown
    /// protocol, a bad server address or user.
    BadValue,
    /// A number outside the setting's range, or two settings that do not
    /// fit together (such as `retry_max` below `retry_base`).
    OutOfRange,
    /// A `proxyN` section with no N-th `Connectivity`.
    UnknownConnection,
    /// The same setting twice for the same connection or domain.
    Duplicate,
    /// More `Connectivity` lines than the limit.
    TooManyConnections,
}

/// Why a `SipEndpoint.config` could not be loaded.
///
/// Its `Display` form is `file:line: setting: why`, such as
/// `SipEndpoint.config:14: proxies/proxy1/reg_interval: "abc" is not a
/// number of seconds`; the line or the setting is left out when there is
/// none (a file that is too large has neither).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file name as given to the parser.
    pub file: String,
    /// The 1-based line, when the error has one.
    pub line: Option<u32>,
    /// Where the setting is, such as `proxies/proxy1/reg_interval` or
    /// `Connectivity[0]/server`, when the error is about one.
    pub setting: Option<String>,
    /// What kind of mistake it is.
    pub kind: ConfigErrorKind,
    /// Why, for people. Never holds a password.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if let Some(setting) = &self.setting {
            write!(f, "{setting}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Something in a `SipEndpoint.config` that was ignored, such as an
/// unknown setting; the rest of the file still loads.
///
/// Its `Display` form is `file:line: setting: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    /// The file name as given to the parser.
    pub file: String,
    /// The 1-based line.
    pub line: u32,
    /// Where it is, such as `proxies/proxy0/reg_intervall` or a domain
    /// name alone for an unknown domain.
    pub setting: String,
    /// What was ignored and why. Never holds a value.
    pub message: String,
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.setting, self.message
        )
    }
}

/// The file name and line table every error and warning is made from.
pub(crate) struct Ctx<'a> {
    pub file: &'a str,
    /// Byte offsets of every `\n` in the text.
    newlines: Vec<usize>,
}

impl<'a> Ctx<'a> {
    pub fn new(file: &'a str, text: &str) -> Self {
        Ctx {
            file,
            newlines: memchr::memchr_iter(b'\n', text.as_bytes()).collect(),
        }
    }

    /// The 1-based line of a byte offset.
    pub fn line_of(&self, pos: usize) -> u32 {
        let line = self.newlines.partition_point(|&nl| nl < pos) + 1;
        u32::try_from(line).unwrap_or(u32::MAX)
    }

    /// The last line of the text.
    pub fn last_line(&self) -> u32 {
        u32::try_from(self.newlines.len() + 1).unwrap_or(u32::MAX)
    }

    pub fn error(
        &self,
        line: Option<u32>,
        setting: Option<String>,
        kind: ConfigErrorKind,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError {
            file: self.file.to_owned(),
            line,
            setting,
            kind,
            message: message.into(),
        }
    }

    pub fn warning(&self, line: u32, setting: String, message: impl Into<String>) -> ConfigWarning {
        ConfigWarning {
            file: self.file.to_owned(),
            line,
            setting,
            message: message.into(),
        }
    }
}
