//! The `Basic` container: one `<Connectivity user= server= protocol=/>`
//! per connection, numbered 0, 1, … in file order.

use crate::connection::{ConnectionConfig, ConnectionId};
use crate::io::TransportKind;
use crate::message::uri::parse_hostport;

use super::error::{ConfigError, ConfigErrorKind, Ctx};
use super::value::{self, quote};
use super::xml::RawConnectivity;

/// The connections with their default settings, in file order.
pub(crate) fn connections(
    ctx: &Ctx<'_>,
    raw: &[RawConnectivity<'_>],
) -> Result<Vec<(ConnectionId, ConnectionConfig)>, ConfigError> {
    let mut out = Vec::with_capacity(raw.len());
    for (index, c) in raw.iter().enumerate() {
        let id = ConnectionId(u32::try_from(index).unwrap_or(u32::MAX));
        let fail = |attr: &str, kind, message: String| {
            ctx.error(
                Some(c.line),
                Some(format!("Connectivity[{index}]/{attr}")),
                kind,
                message,
            )
        };
        let user = c.user.ok_or_else(|| {
            fail(
                "user",
                ConfigErrorKind::Structure,
                "user= is missing".into(),
            )
        })?;
        let user = value::user(user).map_err(|(k, m)| fail("user", k, m))?;
        let server = c.server.ok_or_else(|| {
            fail(
                "server",
                ConfigErrorKind::Structure,
                "server= is missing".into(),
            )
        })?;
        let server = server.trim();
        match parse_hostport(server) {
            Ok((_, Some(0))) => {
                return Err(fail(
                    "server",
                    ConfigErrorKind::BadValue,
                    format!("{}: port 0 is not a port", quote(server)),
                ))
            }
            Ok(_) => {}
            Err(why) => {
                return Err(fail(
                    "server",
                    ConfigErrorKind::BadValue,
                    format!("{} is not host[:port]: {why}", quote(server)),
                ))
            }
        }
        let transport = match c.protocol.map(str::trim) {
            None | Some("") => TransportKind::Udp,
            Some(p) if p.eq_ignore_ascii_case("udp") => TransportKind::Udp,
            Some(p) if p.eq_ignore_ascii_case("tcp") => TransportKind::Tcp,
            Some(p) if p.eq_ignore_ascii_case("tls") => TransportKind::Tls,
            Some(p) => {
                return Err(fail(
                    "protocol",
                    ConfigErrorKind::BadValue,
                    format!("{} is not UDP, TCP or TLS", quote(p)),
                ))
            }
        };
        out.push((id, ConnectionConfig::new(user, server, transport)));
    }
    Ok(out)
}
