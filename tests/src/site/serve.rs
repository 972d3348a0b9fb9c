//! What the site writes down of every request, and what it answers
//! outside calls: OPTIONS, REGISTER (through the
//! registrar, with the site's mode and refused users), and 405 to the
//! rest.

use std::time::Instant;

use geosip_core::message::headers::{Contact, Expires};
use geosip_core::message::{HeaderName, Message, Method};

use super::records::ReceivedRequest;
use super::registrar::{RegisterVerdict, Source};
use super::response::response;
use super::{Site, SiteMode};

impl Site {
    pub(super) fn record(&mut self, now: Instant, raw: &[u8], msg: &Message<'_>, source: Source) {
        let expires = msg
            .typed_opt::<Expires>()
            .ok()
            .flatten()
            .map(|e| e.0)
            .or_else(|| {
                msg.typed_all::<Contact>()
                    .filter_map(Result::ok)
                    .find_map(|c| c.expires())
            });
        if let Some(max) = self.config.max_records {
            if self.requests.len() >= max.max(1) {
                let excess = self.requests.len() + 1 - max.max(1);
                self.requests.drain(..excess);
            }
        }
        self.requests.push(ReceivedRequest {
            at: now,
            method: msg
                .method()
                .map(|m| m.as_str().to_owned())
                .unwrap_or_default(),
            transport: source.transport,
            source: source.addr,
            expires,
            cseq: msg.cseq().map(|c| c.seq).unwrap_or(0),
            call_id: msg.call_id().unwrap_or("").to_owned(),
            branch: msg
                .top_via()
                .ok()
                .and_then(|v| v.branch().map(str::to_owned)),
            has_credentials: msg.header(HeaderName::Authorization).is_some()
                || msg.header(HeaderName::ProxyAuthorization).is_some(),
            raw: raw.to_vec(),
        });
    }

    pub(super) fn answer(
        &mut self,
        now: Instant,
        msg: &Message<'_>,
        method: Method<'_>,
        src: Source,
    ) -> Vec<u8> {
        let tag = self.token();
        let allow = (
            HeaderName::Allow,
            "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER".to_owned(),
        );
        match method {
            Method::Options => response(msg, src.addr, 200, "OK", &tag, &[allow]),
            Method::Register => self.register(now, msg, src, &tag),
            _ => response(msg, src.addr, 405, "Method Not Allowed", &tag, &[allow]),
        }
    }

    fn register(&mut self, now: Instant, msg: &Message<'_>, src: Source, tag: &str) -> Vec<u8> {
        if let SiteMode::ServiceUnavailable { retry_after } = self.mode {
            let extra: Vec<_> = retry_after
                .map(|s| (HeaderName::RetryAfter, s.to_string()))
                .into_iter()
                .collect();
            return response(msg, src.addr, 503, "Service Unavailable", tag, &extra);
        }
        let rejected = &self.rejected;
        let verdict = self
            .registrar
            .register(now, &self.config, msg, src, |u| rejected.contains(u));
        match verdict {
            RegisterVerdict::Ok(bound) => {
                let extra: Vec<_> = bound
                    .iter()
                    .map(|(c, e)| (HeaderName::Contact, format!("<{c}>;expires={e}")))
                    .collect();
                response(msg, src.addr, 200, "OK", tag, &extra)
            }
            RegisterVerdict::Challenge { stale } => {
                let nonce = self.token();
                let extra: Vec<_> = self
                    .registrar
                    .challenges(now, &self.config, nonce, stale)
                    .into_iter()
                    .map(|c| (HeaderName::WwwAuthenticate, c))
                    .collect();
                response(msg, src.addr, 401, "Unauthorized", tag, &extra)
            }
            RegisterVerdict::Forbidden => response(msg, src.addr, 403, "Forbidden", tag, &[]),
            RegisterVerdict::IntervalTooBrief(min) => {
                let extra = [(HeaderName::MinExpires, min.to_string())];
                response(msg, src.addr, 423, "Interval Too Brief", tag, &extra)
            }
            RegisterVerdict::BadRequest(why) => response(msg, src.addr, 400, why, tag, &[]),
        }
    }
}
