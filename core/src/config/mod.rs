//! The product's configuration file, `SipEndpoint.config`, in the shape of
//! the Genesys SIP Endpoint SDK's: XML with one `Connectivity` line per
//! connection and `domain/section/setting` triples for the rest.
//!
//! Pure: the runtime reads the file and hands over its name and text;
//! [`SipEndpointConfig::parse`] gives the connections, the endpoint
//! settings, the diagnostics settings and the warnings, or a
//! [`ConfigError`] that names the file, the line and the setting.
//! `docs/CONFIG.md` lists every setting.
//!
//! - An unknown setting, section, domain, element or attribute is not an
//!   error: it becomes a [`ConfigWarning`] (also logged with
//!   `tracing::warn!`), and the rest loads.
//! - A bad value, a setting set twice, a `proxyN` section without an N-th
//!   `Connectivity` line, or bad XML is an error.
//! - A password's value is never in a message, a log line or a `Debug`
//!   output; nor is the value of an unknown setting.

mod connectivity;
mod diagnostics;
mod error;
mod settings;
mod value;
mod xml;

pub use diagnostics::{Diagnostics, LogLevel};
pub use error::{ConfigError, ConfigErrorKind, ConfigWarning};

use crate::connection::{ConnectionConfig, ConnectionId};
use crate::endpoint::EndpointConfig;

use error::Ctx;

/// The bounds a `SipEndpoint.config` must keep, against files that are
/// wrong or hostile.
///
/// ```
/// use geosip_core::config::ConfigLimits;
///
/// let limits = ConfigLimits { max_connections: 8, ..ConfigLimits::default() };
/// assert_eq!(limits.max_file_bytes, 1 << 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigLimits {
    /// At most this many `Connectivity` lines. Default 64.
    pub max_connections: usize,
    /// The file's size in bytes at most. Default 1 MiB.
    pub max_file_bytes: usize,
    /// Each attribute value's size in bytes at most. Default 4 KiB.
    pub max_value_bytes: usize,
    /// At most this many XML nodes (elements, text, comments). Default
    /// 100 000.
    pub max_nodes: u32,
}

impl Default for ConfigLimits {
    fn default() -> Self {
        ConfigLimits {
            max_connections: 64,
            max_file_bytes: 1 << 20,
            max_value_bytes: 4 << 10,
            max_nodes: 100_000,
        }
    }
}

/// A loaded `SipEndpoint.config`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use geosip_core::config::SipEndpointConfig;
/// use geosip_core::connection::ConnectionId;
/// use geosip_core::io::TransportKind;
///
/// let text = r#"<?xml version="1.0" encoding="utf-8"?>
/// <Configuration name="SipEndpoint">
///   <Container name="Basic">
///     <Connectivity user="1001" server="192.0.2.1:5060" protocol="UDP"/>
///   </Container>
///   <Container name="Genesys">
///     <domain name="proxies">
///       <section name="proxy0">
///         <setting name="password" value="secret"/>
///         <setting name="reg_interval" value="1800"/>
///         <setting name="reg_intervall" value="60"/>
///       </section>
///     </domain>
///   </Container>
/// </Configuration>"#;
///
/// let config = SipEndpointConfig::parse("SipEndpoint.config", text).unwrap();
/// let (id, conn) = &config.connections[0];
/// assert_eq!(*id, ConnectionId(0));
/// assert_eq!(conn.transport, TransportKind::Udp);
/// assert_eq!(conn.reg_interval, Duration::from_secs(1800));
/// assert_eq!(conn.password.as_ref().unwrap().expose(), "secret");
///
/// // The misspelt setting is a warning, not an error.
/// assert_eq!(
///     config.warnings[0].to_string(),
///     "SipEndpoint.config:11: proxies/proxy0/reg_intervall: unknown setting, ignored"
/// );
///
/// // A bad value is an error naming file, line and setting.
/// let bad = text.replace(r#"value="1800""#, r#"value="abc""#);
/// let err = SipEndpointConfig::parse("SipEndpoint.config", &bad).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     r#"SipEndpoint.config:10: proxies/proxy0/reg_interval: "abc" is not a number of seconds"#
/// );
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SipEndpointConfig {
    /// One connection per `Connectivity` line, ids 0, 1, … in file order,
    /// with the settings of its `proxyN` section applied. Add them with
    /// [`Endpoint::add_connection`](crate::endpoint::Endpoint::add_connection).
    pub connections: Vec<(ConnectionId, ConnectionConfig)>,
    /// [`EndpointConfig::default`] with the `policy` settings applied. The
    /// runtime still fills in what the file does not hold, such as
    /// `local_udp` and `rng_seed`.
    pub endpoint: EndpointConfig,
    /// The `system/diagnostics` settings.
    pub diagnostics: Diagnostics,
    /// What was ignored, in file order; each was also logged with
    /// `tracing::warn!`.
    pub warnings: Vec<ConfigWarning>,
}

impl SipEndpointConfig {
    /// Parses a `SipEndpoint.config` with the default [`ConfigLimits`].
    /// `file_name` is used in messages only. See the
    /// [type's example](SipEndpointConfig#examples).
    pub fn parse(file_name: &str, text: &str) -> Result<Self, ConfigError> {
        Self::parse_with_limits(file_name, text, &ConfigLimits::default())
    }

    /// Parses a `SipEndpoint.config` within `limits`.
    pub fn parse_with_limits(
        file_name: &str,
        text: &str,
        limits: &ConfigLimits,
    ) -> Result<Self, ConfigError> {
        if text.len() > limits.max_file_bytes {
            return Err(ConfigError {
                file: file_name.to_owned(),
                line: None,
                setting: None,
                kind: ConfigErrorKind::TooLarge,
                message: format!(
                    "the file is {} bytes long, at most {} are allowed",
                    text.len(),
                    limits.max_file_bytes
                ),
            });
        }
        let ctx = Ctx::new(file_name, text);
        let doc = xml::parse(&ctx, text, limits)?;
        let raw = xml::collect(&ctx, &doc, limits)?;
        let mut warnings = raw.warnings;
        let mut connections = connectivity::connections(&ctx, &raw.connectivity)?;
        let applied = settings::apply(&ctx, &raw.settings, &mut connections, &mut warnings)?;
        warnings.sort_by_key(|w| w.line);
        for w in &warnings {
            tracing::warn!(
                file = %w.file,
                line = w.line,
                setting = %w.setting,
                "config: {}",
                w.message
            );
        }
        Ok(SipEndpointConfig {
            connections,
            endpoint: applied.endpoint,
            diagnostics: applied.diagnostics,
            warnings,
        })
    }
}
