//! The `domain/section/setting` triples: which settings exist, where they
//! go, and the checks across settings. Every setting of a domain is taken
//! from any section of that domain, except in `proxies`, where the section
//! `proxyN` names the connection.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use crate::connection::{ConnectionConfig, ConnectionId, Secret};
use crate::endpoint::EndpointConfig;
use crate::message::Host;

use super::diagnostics::{Diagnostics, LogLevel};
use super::error::{ConfigError, ConfigErrorKind, ConfigWarning, Ctx};
use super::value::{self, Refusal};
use super::xml::RawSetting;

/// The settings of `proxies/proxyN`, for connection N.
pub(crate) const CONNECTION_SETTINGS: &[&str] = &[
    "display_name",
    "password",
    "auth_user",
    "domain",
    "reg_interval",
    "reg_timeout",
    "reg_match_received_rport",
    "retry_base",
    "retry_max",
    "keepalive_interval",
    "probe_timeout",
    "enabled",
];

/// The settings of the `policy` domain.
pub(crate) const POLICY_SETTINGS: &[&str] = &[
    "sip_transaction_timeout",
    "sip_t1",
    "sip_t2",
    "sip_t4",
    "auto_answer",
    "accept_direct_calls",
    "max_sessions",
    "media_port_base",
    "user_agent",
    "connect_timeout",
];

/// The settings of the `system` domain.
pub(crate) const SYSTEM_SETTINGS: &[&str] = &["log_level", "log_file"];

const fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}
const fn ms(m: u64) -> Duration {
    Duration::from_millis(m)
}

/// Everything the settings fill in.
pub(crate) struct Applied {
    pub endpoint: EndpointConfig,
    pub diagnostics: Diagnostics,
}

/// Where a setting was seen: its scope (`proxyN` or the domain), name and
/// line, for duplicates and for checks across settings.
type Seen = HashMap<(String, &'static str), (u32, String)>;

/// Applies the settings to the connections and to default endpoint and
/// diagnostics settings.
pub(crate) fn apply(
    ctx: &Ctx<'_>,
    settings: &[RawSetting<'_>],
    conns: &mut [(ConnectionId, ConnectionConfig)],
    warnings: &mut Vec<ConfigWarning>,
) -> Result<Applied, ConfigError> {
    let mut out = Applied {
        endpoint: EndpointConfig::default(),
        diagnostics: Diagnostics::default(),
    };
    let mut seen = Seen::new();
    let mut warned = HashSet::new();
    for s in settings {
        let path = format!("{}/{}/{}", s.domain, s.section, s.name);
        let (scope, list) = match s.domain {
            "proxies" => match proxy_index(s.section) {
                Some(n) if n < conns.len() => (s.section.to_owned(), CONNECTION_SETTINGS),
                Some(_) => {
                    return Err(ctx.error(
                        Some(s.line),
                        Some(path),
                        ConfigErrorKind::UnknownConnection,
                        format!(
                            "section {} has no Connectivity: there are {} Connectivity lines, so proxy0..proxy{} only",
                            s.section,
                            conns.len(),
                            conns.len().saturating_sub(1)
                        ),
                    ));
                }
                None => {
                    if warned.insert(format!("proxies/{}", s.section)) {
                        warnings.push(ctx.warning(
                            s.line,
                            format!("proxies/{}", s.section),
                            "unknown section (expected proxyN), ignored",
                        ));
                    }
                    continue;
                }
            },
            "policy" => (s.domain.to_owned(), POLICY_SETTINGS),
            "system" => (s.domain.to_owned(), SYSTEM_SETTINGS),
            other => {
                if warned.insert(other.to_owned()) {
                    warnings.push(ctx.warning(s.line, other.to_owned(), "unknown domain, ignored"));
                }
                continue;
            }
        };
        let Some(&name) = list.iter().find(|&&n| n == s.name) else {
            warnings.push(ctx.warning(s.line, path, "unknown setting, ignored"));
            continue;
        };
        if let Some((line, section)) = seen.get(&(scope.clone(), name)) {
            return Err(ctx.error(
                Some(s.line),
                Some(path),
                ConfigErrorKind::Duplicate,
                format!("set twice: also on line {line} (in section {section})"),
            ));
        }
        seen.insert((scope, name), (s.line, s.section.to_owned()));
        if s.value.trim().is_empty() {
            continue; // an empty value keeps the default
        }
        let result = match s.domain {
            "proxies" => {
                let n = proxy_index(s.section).unwrap_or(0);
                connection(&mut conns[n].1, name, s.value)
            }
            "policy" => policy(&mut out.endpoint, name, s.value),
            _ => system(&mut out.diagnostics, name, s.value),
        };
        result.map_err(|(kind, message)| ctx.error(Some(s.line), Some(path), kind, message))?;
    }
    check_connections(ctx, conns, &seen)?;
    check_timers(ctx, &mut out.endpoint, &seen)?;
    Ok(out)
}

/// N of `proxyN`: decimal, no sign, no leading zero.
fn proxy_index(section: &str) -> Option<usize> {
    let n = section.strip_prefix("proxy")?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) || (n.len() > 1 && n.starts_with('0'))
    {
        return None;
    }
    n.parse().ok()
}

fn connection(c: &mut ConnectionConfig, name: &str, v: &str) -> Result<(), Refusal> {
    match name {
        "display_name" => c.display_name = Some(value::text(v)?),
        "password" => c.password = Some(Secret::new(v)),
        "auth_user" => c.auth_user = Some(value::text(v.trim())?),
        "domain" => {
            let d = value::text(v.trim())?;
            Host::parse(&d).map_err(|why| {
                (
                    ConfigErrorKind::BadValue,
                    format!("{} is not a host name: {why}", value::quote(v)),
                )
            })?;
            c.domain = Some(d);
        }
        "reg_interval" => c.reg_interval = value::seconds(v, secs(1)..=secs(86_400))?,
        "reg_timeout" => {
            if v.trim() == "0" {
                return Err((
                    ConfigErrorKind::OutOfRange,
                    "0 (standalone mode, no registration) is not supported; \
                     set enabled to 0 to turn the connection off"
                        .into(),
                ));
            }
            c.reg_timeout = Some(value::seconds(v, secs(1)..=secs(86_400))?);
        }
        "reg_match_received_rport" => c.reg_match_received_rport = value::boolean(v)?,
        "retry_base" => c.retry_base = value::seconds(v, ms(1)..=secs(3_600))?,
        "retry_max" => c.retry_max = value::seconds(v, ms(1)..=secs(86_400))?,
        "keepalive_interval" => c.keepalive_interval = value::seconds(v, ms(100)..=secs(3_600))?,
        "probe_timeout" => c.probe_timeout = value::seconds(v, ms(100)..=secs(3_600))?,
        "enabled" => c.enabled = value::boolean(v)?,
        _ => {}
    }
    Ok(())
}

fn policy(e: &mut EndpointConfig, name: &str, v: &str) -> Result<(), Refusal> {
    let timers = &mut e.transactions.timers;
    match name {
        "sip_transaction_timeout" => timers.timeout = value::millis(v, 100..=300_000)?,
        "sip_t1" => timers.t1 = value::millis(v, 10..=60_000)?,
        "sip_t2" => timers.t2 = value::millis(v, 10..=600_000)?,
        "sip_t4" => timers.t4 = value::millis(v, 10..=600_000)?,
        "auto_answer" => e.auto_answer = value::boolean(v)?,
        "accept_direct_calls" => e.accept_direct_calls = value::boolean(v)?,
        "max_sessions" => {
            let n = value::integer(v, 1..=10_000, "", "a number of calls")?;
            e.max_sessions = usize::try_from(n).unwrap_or(usize::MAX);
        }
        "media_port_base" => {
            let n = value::integer(v, 1024..=65_534, "", "a UDP port")?;
            if n % 2 == 1 {
                return Err((
                    ConfigErrorKind::BadValue,
                    format!("{} is odd; RTP uses even ports", value::quote(v)),
                ));
            }
            e.media_port_base = u16::try_from(n).unwrap_or(40_000);
        }
        "user_agent" => e.user_agent = value::text(v.trim())?,
        "connect_timeout" => e.connect_timeout = value::seconds(v, ms(100)..=secs(300))?,
        _ => {}
    }
    Ok(())
}

fn system(d: &mut Diagnostics, name: &str, v: &str) -> Result<(), Refusal> {
    match name {
        "log_level" => d.log_level = LogLevel::parse(v)?,
        "log_file" => d.log_file = Some(value::text(v)?),
        _ => {}
    }
    Ok(())
}

/// The line and path of a setting seen in `scope`.
fn where_set(seen: &Seen, domain: &str, scope: &str, name: &'static str) -> Option<(u32, String)> {
    seen.get(&(scope.to_owned(), name))
        .map(|(line, section)| (*line, format!("{domain}/{section}/{name}")))
}

/// `retry_max` must not be below `retry_base`.
fn check_connections(
    ctx: &Ctx<'_>,
    conns: &[(ConnectionId, ConnectionConfig)],
    seen: &Seen,
) -> Result<(), ConfigError> {
    for (id, c) in conns {
        if c.retry_max >= c.retry_base {
            continue;
        }
        let scope = format!("proxy{}", id.0);
        let (line, path) = where_set(seen, "proxies", &scope, "retry_max")
            .or_else(|| where_set(seen, "proxies", &scope, "retry_base"))
            .unwrap_or((0, scope.clone()));
        return Err(ctx.error(
            Some(line),
            Some(path),
            ConfigErrorKind::OutOfRange,
            format!(
                "retry_max ({} s) is below retry_base ({} s)",
                c.retry_max.as_secs_f64(),
                c.retry_base.as_secs_f64()
            ),
        ));
    }
    Ok(())
}

/// `sip_t2` must not be below `sip_t1`; a `sip_t1` without
/// `sip_transaction_timeout` makes the timeout 64·T1, as RFC 3261 has it.
fn check_timers(ctx: &Ctx<'_>, e: &mut EndpointConfig, seen: &Seen) -> Result<(), ConfigError> {
    let timers = &mut e.transactions.timers;
    if timers.t2 < timers.t1 {
        let (line, path) = where_set(seen, "policy", "policy", "sip_t2")
            .or_else(|| where_set(seen, "policy", "policy", "sip_t1"))
            .unwrap_or((0, "policy".into()));
        return Err(ctx.error(
            Some(line),
            Some(path),
            ConfigErrorKind::OutOfRange,
            format!(
                "sip_t2 ({} ms) is below sip_t1 ({} ms)",
                timers.t2.as_millis(),
                timers.t1.as_millis()
            ),
        ));
    }
    let t1_set = seen.contains_key(&("policy".to_owned(), "sip_t1"));
    let timeout_set = seen.contains_key(&("policy".to_owned(), "sip_transaction_timeout"));
    if t1_set && !timeout_set {
        timers.timeout = timers.t1.saturating_mul(64);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/CONFIG.md lists every setting the parser knows, and the parser
    /// knows every setting docs/CONFIG.md lists.
    #[test]
    fn the_settings_reference_matches_the_parser() {
        let doc = include_str!("../../../docs/CONFIG.md");
        let documented: HashSet<&str> = doc
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .collect();
        let known: HashSet<&str> = CONNECTION_SETTINGS
            .iter()
            .chain(POLICY_SETTINGS)
            .chain(SYSTEM_SETTINGS)
            .copied()
            .collect();
        assert_eq!(documented, known);
    }

    #[test]
    fn proxy_sections_are_numbered_plainly() {
        assert_eq!(proxy_index("proxy0"), Some(0));
        assert_eq!(proxy_index("proxy12"), Some(12));
        assert_eq!(proxy_index("proxy01"), None);
        assert_eq!(proxy_index("proxy"), None);
        assert_eq!(proxy_index("proxy-1"), None);
        assert_eq!(proxy_index("proxyA"), None);
    }
}
