//! The responses the endpoint sends to the site's requests (RFC 3261
//! §13.2.2, §17.1.1.3: ACK for every final to an INVITE, 2xx on a new
//! branch, the rest on the INVITE's) and the site's due timers.

use std::time::Instant;

use geosip_core::message::{parse, HeaderName, Message, Method};

use super::calls::{CallState, Party};
use super::sdp;
use super::timers::{GiveUp, Task};
use super::uac::Req;
use super::{Site, SiteOutput};

impl Site {
    /// A response from the endpoint to a request of the site's.
    pub(super) fn on_call_response(
        &mut self,
        now: Instant,
        msg: &Message<'_>,
        out: &mut Vec<SiteOutput>,
    ) {
        let branch = msg
            .top_via()
            .ok()
            .and_then(|v| v.branch())
            .unwrap_or("")
            .to_owned();
        let (Ok(cseq), Some(code)) = (msg.cseq(), msg.status()) else {
            return;
        };
        let key = (branch, cseq.method.as_str().to_owned());
        let Some(tx) = self.phones.clients.get_mut(&key) else {
            return;
        };
        let (id, invite) = (tx.call, cseq.method == Method::Invite);
        let dir = sdp::direction(msg.body());
        if tx.final_code.is_some() {
            if let (Some(ack), true) = (tx.ack.clone(), code >= 200) {
                // A retransmitted final: ACK again (§13.2.2.4, §17.1.1.2).
                let peer = self.phones.get(id).map(|c| c.d.peer);
                out.extend(peer.map(|p| p.send(ack)));
            }
            return;
        }
        let stop = if code >= 200 || invite {
            tx.resend.take()
        } else {
            None
        };
        if code >= 200 {
            tx.final_code = Some(code);
            tx.at = now;
        }
        let raw = tx.raw.clone();
        if let Some(k) = stop {
            self.phones.timers.stop(k);
        }
        self.phones
            .note(id, now, Party::Site, &key.1, Some(code), dir);
        if !invite {
            return;
        }
        let initial = self
            .phones
            .get(id)
            .is_some_and(|c| c.d.invite_branch == key.0);
        let to_tag = msg.to().ok().and_then(|t| t.tag().map(str::to_owned));
        let Some(c) = self.phones.get_mut(id) else {
            return;
        };
        if to_tag.is_some() && (code < 300) {
            c.remote_tag = to_tag;
            c.d.remote = msg.header(HeaderName::To).unwrap_or("").to_owned();
        }
        if dir.is_some() {
            c.endpoint_sdp = dir;
        }
        if code < 200 {
            if initial && code > 100 && c.state == CallState::Trying {
                c.state = CallState::Ringing;
            }
            return;
        }
        let ack = if code < 300 {
            if let Some(target) = msg
                .contacts()
                .find_map(|c| c.ok()?.addr().map(|a| a.uri.as_str().to_owned()))
            {
                c.d.remote_target = target;
            }
            let (d, call_id) = (c.d.clone(), c.call_id.clone());
            let branch = format!("z9hG4bK{}", self.call_token());
            Req {
                method: Method::Ack,
                uri: &d.remote_target,
                via: &self.via(d.transport, &branch),
                from: &d.local,
                to: &d.remote,
                call_id: &call_id,
                cseq: cseq.seq,
                extra: Vec::new(),
                body: b"",
            }
            .write()
        } else {
            let Ok(inv) = parse(&raw) else { return };
            let h = |n| inv.header(n).unwrap_or("");
            Req {
                method: Method::Ack,
                uri: inv.request_uri().unwrap_or(""),
                via: h(HeaderName::Via),
                from: h(HeaderName::From),
                to: msg.header(HeaderName::To).unwrap_or(""),
                call_id: h(HeaderName::CallId),
                cseq: cseq.seq,
                extra: Vec::new(),
                body: b"",
            }
            .write()
        };
        if let Some(tx) = self.phones.clients.get_mut(&key) {
            tx.ack = Some(ack.clone());
        }
        let Some(c) = self.phones.get_mut(id) else {
            return;
        };
        out.push(c.d.peer.send(ack));
        if !initial {
            return;
        }
        if code >= 300 {
            let by = if c.d.cancelled {
                Party::Site
            } else {
                Party::Endpoint
            };
            c.state = CallState::Ended {
                code: Some(code),
                by,
            };
        } else if c.d.cancelled {
            // 2xx crossed our CANCEL: confirm, then end (§9.1, §15).
            c.state = CallState::Connected;
            self.site_bye(now, id, out);
        } else if c.state != CallState::Connected && !c.is_ended() {
            c.state = CallState::Connected;
        }
    }

    /// Runs one due timer task.
    pub(super) fn run_task(&mut self, now: Instant, task: Task, out: &mut Vec<SiteOutput>) {
        match task {
            Task::Final(id) => self.far_end_final(now, id, out),
            Task::Hangup(id) => {
                if self
                    .phones
                    .get(id)
                    .is_some_and(|c| c.state == CallState::Connected)
                {
                    self.site_bye(now, id, out);
                }
            }
            Task::Resend(key) => match self.phones.timers.fire(now, key) {
                Ok(o) => out.extend(o),
                Err(GiveUp::Nothing) => {}
                Err(GiveUp::NoAck(id)) => {
                    if let Some(c) = self.phones.get_mut(id) {
                        c.d.awaiting_ack = None;
                    }
                    if self.phones.get(id).is_some_and(|c| !c.is_ended()) {
                        self.site_bye(now, id, out);
                    }
                }
                Err(GiveUp::Timeout(branch, method)) => {
                    let Some(tx) = self
                        .phones
                        .clients
                        .remove(&(branch.clone(), method.clone()))
                    else {
                        return;
                    };
                    self.phones
                        .note(tx.call, now, Party::Site, &method, None, None);
                    let initial = self
                        .phones
                        .get(tx.call)
                        .is_some_and(|c| c.d.invite_branch == branch);
                    if method == "INVITE" && initial {
                        let c = self.phones.get_mut(tx.call).expect("present");
                        if matches!(c.state, CallState::Trying | CallState::Ringing) {
                            c.state = CallState::Ended {
                                code: None,
                                by: Party::Site,
                            };
                        }
                    }
                }
            },
        }
    }
}
