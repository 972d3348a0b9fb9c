//! The `system/diagnostics` settings: how much to log and where.

use std::fmt;

use super::error::ConfigErrorKind;
use super::value::{quote, Refusal};

/// How much the runtime should log, from least to most.
///
/// `log_level` takes the Genesys numbers: 0 (fatal) and 1 (error) are
/// [`Error`](Self::Error), 2 [`Warn`](Self::Warn), 3 [`Info`](Self::Info),
/// 4 [`Debug`](Self::Debug). The names `error`, `warn`, `info`, `debug`
/// and `trace` (any case) are accepted too; only the name reaches
/// [`Trace`](Self::Trace).
///
/// ```
/// use geosip_core::config::LogLevel;
///
/// assert!(LogLevel::Error < LogLevel::Debug);
/// assert_eq!(LogLevel::Info.to_tracing(), tracing::Level::INFO);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum LogLevel {
    /// Errors only (Genesys 0 and 1).
    Error,
    /// Warnings and errors (Genesys 2).
    Warn,
    /// Informational messages too (Genesys 3). The default.
    #[default]
    Info,
    /// Debug messages too (Genesys 4).
    Debug,
    /// Everything, SIP messages included; only as `trace`.
    Trace,
}

impl LogLevel {
    /// The matching `tracing` level, for a subscriber's filter.
    pub fn to_tracing(self) -> tracing::Level {
        match self {
            LogLevel::Error => tracing::Level::ERROR,
            LogLevel::Warn => tracing::Level::WARN,
            LogLevel::Info => tracing::Level::INFO,
            LogLevel::Debug => tracing::Level::DEBUG,
            LogLevel::Trace => tracing::Level::TRACE,
        }
    }

    pub(crate) fn parse(v: &str) -> Result<LogLevel, Refusal> {
        let t = v.trim();
        let level = match t {
            "0" | "1" => LogLevel::Error,
            "2" => LogLevel::Warn,
            "3" => LogLevel::Info,
            "4" => LogLevel::Debug,
            _ if t.eq_ignore_ascii_case("error") => LogLevel::Error,
            _ if t.eq_ignore_ascii_case("warn") => LogLevel::Warn,
            _ if t.eq_ignore_ascii_case("info") => LogLevel::Info,
            _ if t.eq_ignore_ascii_case("debug") => LogLevel::Debug,
            _ if t.eq_ignore_ascii_case("trace") => LogLevel::Trace,
            _ => {
                return Err((
                    ConfigErrorKind::BadValue,
                    format!(
                        "{} is not a log level (0-4, or error, warn, info, debug, trace)",
                        quote(v)
                    ),
                ))
            }
        };
        Ok(level)
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        })
    }
}

/// The `system/diagnostics` settings, for the runtime to set up logging.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Diagnostics {
    /// `log_level`. Default [`LogLevel::Info`].
    pub log_level: LogLevel,
    /// `log_file`, the path exactly as written (relative paths are the
    /// runtime's to resolve). `None` when not set or empty.
    pub log_file: Option<String>,
}
