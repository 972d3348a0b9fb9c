//! Received messages: parse, match to a transaction, hand to the owner,
//! and answer requests (RFC 3261 §8.2, §11.2, §18.2).

use std::net::SocketAddr;
use std::time::Instant;

use crate::message::{HeaderName, Message, MessageWriter, Method, Parser};
use crate::transaction::{Destination, RequestAction, ResponseAction};

use super::{Endpoint, Purpose};

use super::call::CallTx;
use crate::transaction::TxKind;

pub(super) use super::call::ALLOW;

impl Endpoint {
    pub(super) fn on_datagram(
        &mut self,
        now: Instant,
        _local: SocketAddr,
        remote: SocketAddr,
        data: &[u8],
    ) {
        // RFC 5626 §4.4.1 keep-alives and stray CRLFs are not messages.
        if data.iter().all(|b| matches!(b, b'\r' | b'\n')) {
            return;
        }
        self.on_message(now, data, Destination::udp(remote));
    }

    /// One whole message from a datagram or a stream flow.
    pub(super) fn on_message(&mut self, now: Instant, data: &[u8], from: Destination) {
        let parser = Parser::new(self.config.limits);
        let msg = match parser.parse_datagram(data) {
            Ok(m) => m,
            Err(e) => {
                // A malformed message is counted and dropped; it changes
                // no state.
                self.stats.malformed += 1;
                tracing::debug!(peer = %from.remote, error = %e, "dropped a malformed message");
                return;
            }
        };
        self.on_parsed(now, &msg, from);
    }

    /// One parsed message, from a datagram or framed from a stream.
    pub(super) fn on_parsed(&mut self, now: Instant, msg: &Message<'_>, from: Destination) {
        if msg.is_request() {
            self.on_request(now, msg, from);
        } else {
            self.on_response(now, msg);
        }
    }

    fn on_response(&mut self, now: Instant, msg: &Message<'_>) {
        match self.table.handle_response(now, msg) {
            ResponseAction::Deliver { tx, code } => {
                let Some(purpose) = self.owners.get(&tx).copied() else {
                    return;
                };
                match purpose {
                    Purpose::Register(id) => self.on_register_response(now, id, tx, msg),
                    Purpose::Probe(id) => {
                        // Any response, even 404 or 405, shows the site
                        // is alive (RFC 3261 §11.2).
                        if self.conns.get(&id).is_some_and(|c| c.probe_tx == Some(tx)) {
                            if code < 200 {
                                // A provisional answer is enough; end the
                                // transaction so that it does not go on
                                // retransmitting with no owner to stop it.
                                self.owners.remove(&tx);
                                self.table.terminate(tx);
                            }
                            self.on_probe_answered(now, id);
                        }
                    }
                    Purpose::Unregister(id) => {
                        if code >= 200 {
                            self.on_unregister_response(now, tx, id, msg);
                        }
                    }
                    Purpose::Call(sid, CallTx::Invite) => {
                        self.on_invite_response(now, sid, tx, msg);
                    }
                    Purpose::Call(sid, CallTx::ReInvite) => {
                        self.on_reinvite_response(now, sid, tx, msg);
                    }
                    Purpose::Call(_, CallTx::Other) => {}
                }
            }
            ResponseAction::Absorbed { .. } => {}
            ResponseAction::Unmatched => {
                self.stats.stray_responses += 1;
                tracing::debug!(
                    status = msg.status(),
                    "dropped a response that matches no transaction"
                );
            }
            ResponseAction::Invalid(_) => self.stats.malformed += 1,
        }
    }

    fn on_request(&mut self, now: Instant, msg: &Message<'_>, from: Destination) {
        let action = match self.table.handle_request(now, msg, from) {
            Ok(a) => a,
            Err(_) => {
                self.stats.malformed += 1;
                return;
            }
        };
        let tx = match action {
            RequestAction::New { tx, .. } => tx,
            RequestAction::AckToTu { .. } => {
                // The ACK for a 2xx of ours: the dialog layer's (RFC 3261
                // §13.3.1.4).
                if msg.validate().is_ok() {
                    self.on_ack(now, msg);
                }
                return;
            }
            RequestAction::Retransmission { .. } | RequestAction::AckAbsorbed { .. } => return,
        };
        if let Err(e) = msg.validate() {
            let code = e.status();
            self.respond_plain(now, tx, msg, code, "Bad Request", &[]);
            return;
        }
        let method = msg.method();
        let in_dialog = msg.to().ok().and_then(|t| t.tag()).is_some();
        // RFC 3261 §8.2.2.3: we support no extension, so any option tag a
        // request requires gets 420 with the tags listed as Unsupported
        // (CANCEL never carries Require, §9.1).
        if method != Some(Method::Cancel) {
            let required: Vec<&str> = msg
                .header_values(HeaderName::Require)
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .collect();
            if !required.is_empty() {
                let unsupported = required.join(", ");
                self.respond_plain(
                    now,
                    tx,
                    msg,
                    420,
                    "Bad Extension",
                    &[(HeaderName::Unsupported, &unsupported)],
                );
                return;
            }
        }
        if method == Some(Method::Cancel) {
            self.on_cancel(now, tx, msg);
            return;
        }
        if in_dialog {
            self.on_in_dialog_request(now, tx, msg);
            return;
        }
        // RFC 3261 §26.3.2.2 leaves it to the UA whom it talks to: by
        // default only our sites may reach us (SIP scanners get 403).
        if !self.config.accept_direct_calls && !self.is_from_our_site(&from) {
            tracing::debug!(peer = %from.remote, "refused a request from outside our sites");
            self.respond_plain(now, tx, msg, 403, "Forbidden", &[]);
            return;
        }
        match method {
            Some(Method::Invite) if self.table.kind(tx) == Some(TxKind::ServerInvite) => {
                self.on_new_invite(now, tx, msg, from);
            }
            Some(Method::Options) => {
                let to_tag = self.rng.token(10);
                let mut buf = std::mem::take(&mut self.buf);
                let mut w = MessageWriter::response_to(&mut buf, msg, 200, "OK", Some(&to_tag));
                w.header(HeaderName::Allow, ALLOW)
                    .header(HeaderName::Accept, "application/sdp")
                    .header(HeaderName::UserAgent, &self.config.user_agent);
                w.finish(b"");
                let _ = self.table.respond(now, tx, buf.clone());
                self.buf = buf;
            }
            Some(Method::Notify | Method::Bye) => {
                self.respond_plain(now, tx, msg, 481, "Call/Transaction Does Not Exist", &[]);
            }
            _ => {
                self.respond_plain(
                    now,
                    tx,
                    msg,
                    501,
                    "Not Implemented",
                    &[(HeaderName::Allow, ALLOW)],
                );
            }
        }
    }
}
