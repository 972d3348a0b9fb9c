//! The site as UAC: calls it places to a registered user (what an inbound
//! call looks like to the endpoint), and the requests it sends inside any
//! dialog (BYE, CANCEL, NOTIFY, re-INVITE) with their retransmissions and
//! the responses to them (RFC 3261 §13.2, §15, §17.1).

use std::time::Instant;

use geosip_core::io::TransportKind;
use geosip_core::message::{parse, HeaderName, MessageWriter, Method};

use super::calls::{
    CallDirection, CallError, CallState, Party, Peer, SiteCall, SiteCallId, SiteCallOptions,
};
use super::sdp::{self, SdpDirection};
use super::state::{ClientTx, Dialog};
use super::timers::{GiveUp, Resend};
use super::{Site, SiteOutput};

/// A request the site writes.
pub(super) struct Req<'a> {
    pub method: Method<'a>,
    pub uri: &'a str,
    pub via: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub call_id: &'a str,
    pub cseq: u32,
    pub extra: Vec<(HeaderName, String)>,
    pub body: &'a [u8],
}

impl Req<'_> {
    pub fn write(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity(600 + self.body.len());
        let mut w = MessageWriter::request(&mut buf, self.method, self.uri);
        w.header(HeaderName::Via, self.via)
            .header(HeaderName::MaxForwards, "70")
            .header(HeaderName::From, self.from)
            .header(HeaderName::To, self.to)
            .header(HeaderName::CallId, self.call_id)
            .header(
                HeaderName::CSeq,
                &format!("{} {}", self.cseq, self.method.as_str()),
            );
        for (name, value) in &self.extra {
            w.header(*name, value);
        }
        if !self.body.is_empty() {
            w.header(HeaderName::ContentType, "application/sdp");
        }
        w.header(HeaderName::UserAgent, "geosip-sim");
        w.finish(self.body);
        buf
    }
}

impl Site {
    pub(super) fn via(&self, t: TransportKind, branch: &str) -> String {
        format!("SIP/2.0/{} {};branch={branch}", t.via_token(), self.addr(t))
    }

    pub(super) fn origin(&self, id: SiteCallId, version: u64) -> sdp::Origin {
        sdp::Origin {
            ip: self.ip,
            port: 40000 + 2 * (id.0 % 10000) as u16,
            session: 1000 + u64::from(id.0),
            version,
        }
    }

    /// Places a call to `user`'s newest live binding: an INVITE to its
    /// Contact, sent where its REGISTER came from (UDP) or on the flow it
    /// came in on (TCP, TLS). See [`SiteCallOptions`].
    pub fn call_user(
        &mut self,
        now: Instant,
        user: &str,
        opts: SiteCallOptions,
    ) -> (Result<SiteCallId, CallError>, Vec<SiteOutput>) {
        let mut out = Vec::new();
        if !self.running {
            return (Err(CallError::NotRunning), out);
        }
        let bindings = self.registrar.bindings(now);
        let found = bindings
            .iter()
            .find(|(aor, _)| aor.split('@').next() == Some(user));
        let Some(b) = found.and_then(|(_, l)| l.last()) else {
            return (Err(CallError::NotRegistered), out);
        };
        let peer = if b.transport == TransportKind::Udp {
            Peer::Udp {
                local: self.addr(TransportKind::Udp),
                remote: b.source,
            }
        } else {
            let flow = self
                .flows
                .iter()
                .find(|(_, f)| f.peer == b.source && f.transport == b.transport);
            match flow {
                Some((&flow, _)) => Peer::Stream { flow },
                None => return (Err(CallError::NoFlow), out),
            }
        };
        let t = b.transport;
        let id = SiteCallId(self.phones.next_id);
        self.phones.next_id += 1;
        let (tag, branch) = (self.call_token(), format!("z9hG4bK{}", self.call_token()));
        let call_id = format!("{}@{}", self.call_token(), self.ip);
        let realm = self.config.realm.clone();
        let d = Dialog {
            peer,
            transport: t,
            local: format!("<sip:{}@{realm}>;tag={tag}", opts.from_user),
            remote: format!("<sip:{user}@{realm}>"),
            remote_target: b.contact.clone(),
            local_cseq: 1,
            invite_branch: branch.clone(),
            sdp_version: u64::from(opts.sdp),
            awaiting_ack: None,
            cancelled: false,
            confirmed: false,
        };
        let mut extra = vec![(HeaderName::Contact, self.site_contact(&opts.from_user, t))];
        extra.extend(self.record_route(t).map(|rr| (HeaderName::RecordRoute, rr)));
        if let Some(n) = opts.answer_after {
            extra.push((
                HeaderName::CallInfo,
                format!("<sip:{}>;answer-after={n}", self.ip),
            ));
        }
        if opts.alert_info_auto_answer {
            extra.push((
                HeaderName::AlertInfo,
                "<http://127.0.0.1>;info=alert-autoanswer".to_owned(),
            ));
        }
        let body = if opts.sdp {
            sdp::offer(&self.origin(id, 1), SdpDirection::SendRecv)
        } else {
            Vec::new()
        };
        let bytes = Req {
            method: Method::Invite,
            uri: &d.remote_target,
            via: &self.via(t, &branch),
            from: &d.local,
            to: &d.remote,
            call_id: &call_id,
            cseq: 1,
            extra,
            body: &body,
        }
        .write();
        self.phones.calls.push(SiteCall {
            id,
            direction: CallDirection::ToEndpoint,
            user: opts.from_user.clone(),
            endpoint_user: user.to_owned(),
            call_id,
            state: CallState::Trying,
            endpoint_sdp: None,
            endpoint_requests: 0,
            route_ok: true,
            exchanges: Vec::new(),
            local_tag: tag,
            remote_tag: None,
            d,
        });
        self.start_client(now, id, branch, "INVITE", bytes, &mut out);
        (Ok(id), out)
    }

    /// Sends a request of a call and starts its client transaction: Timer
    /// A/B for INVITE, E/F for the others (over UDP; on streams only the
    /// 64·T1 timeout).
    pub(super) fn start_client(
        &mut self,
        now: Instant,
        id: SiteCallId,
        branch: String,
        method: &str,
        bytes: Vec<u8>,
        out: &mut Vec<SiteOutput>,
    ) {
        let Some(peer) = self.phones.get(id).map(|c| c.d.peer) else {
            return;
        };
        out.push(peer.send(bytes.clone()));
        let key = (branch, method.to_owned());
        let give_up = GiveUp::Timeout(key.0.clone(), key.1.clone());
        let resend = self.phones.timers.start(
            now,
            Resend::new(now, peer, bytes.clone(), method != "INVITE", give_up),
        );
        let tx = ClientTx {
            call: id,
            raw: bytes,
            resend: Some(resend),
            final_code: None,
            ack: None,
            at: now,
        };
        self.phones.clients.insert(key, tx);
    }

    /// A new request inside the call's dialog (RFC 3261 §12.2.1.1).
    pub(super) fn send_in_dialog(
        &mut self,
        now: Instant,
        id: SiteCallId,
        method: Method<'_>,
        extra: Vec<(HeaderName, String)>,
        body: &[u8],
        out: &mut Vec<SiteOutput>,
    ) {
        let branch = format!("z9hG4bK{}", self.call_token());
        let Some(c) = self.phones.get_mut(id) else {
            return;
        };
        c.d.local_cseq += 1;
        let (d, call_id) = (c.d.clone(), c.call_id.clone());
        let bytes = Req {
            method,
            uri: &d.remote_target,
            via: &self.via(d.transport, &branch),
            from: &d.local,
            to: &d.remote,
            call_id: &call_id,
            cseq: d.local_cseq,
            extra,
            body,
        }
        .write();
        self.start_client(now, id, branch, method.as_str(), bytes, out);
    }

    pub(super) fn live(&self, id: SiteCallId) -> Result<&SiteCall, CallError> {
        if !self.running {
            return Err(CallError::NotRunning);
        }
        let c = self.phones.get(id).ok_or(CallError::NoSuchCall)?;
        if c.is_ended() {
            return Err(CallError::WrongState);
        }
        Ok(c)
    }

    /// Hangs up: CANCEL while the site's INVITE has no final response
    /// (RFC 3261 §9.1: same branch, same CSeq number), 603 Decline while
    /// the endpoint's INVITE rings, BYE once connected (§15.1.1).
    pub fn site_hangup(
        &mut self,
        now: Instant,
        id: SiteCallId,
    ) -> (Result<(), CallError>, Vec<SiteOutput>) {
        let mut out = Vec::new();
        let c = match self.live(id) {
            Ok(c) => c,
            Err(e) => return (Err(e), out),
        };
        let (state, dir, branch) = (c.state, c.direction, c.d.invite_branch.clone());
        match (state, dir) {
            (CallState::Connected, _) => self.site_bye(now, id, &mut out),
            (_, CallDirection::FromEndpoint) => {
                self.invite_response(now, &branch, 603, Vec::new(), None, &mut out);
                self.set_state(
                    id,
                    CallState::Ended {
                        code: Some(603),
                        by: Party::Site,
                    },
                );
            }
            (_, CallDirection::ToEndpoint) => {
                let key = (branch.clone(), "INVITE".to_owned());
                let Some(raw) = self.phones.clients.get(&key).map(|t| t.raw.clone()) else {
                    return (Err(CallError::WrongState), out);
                };
                let Ok(inv) = parse(&raw) else {
                    return (Err(CallError::WrongState), out);
                };
                let h = |n| inv.header(n).unwrap_or("");
                let bytes = Req {
                    method: Method::Cancel,
                    uri: inv.request_uri().unwrap_or(""),
                    via: h(HeaderName::Via),
                    from: h(HeaderName::From),
                    to: h(HeaderName::To),
                    call_id: h(HeaderName::CallId),
                    cseq: inv.cseq().map(|c| c.seq).unwrap_or(1),
                    extra: Vec::new(),
                    body: b"",
                }
                .write();
                if let Some(c) = self.phones.get_mut(id) {
                    c.d.cancelled = true;
                }
                self.start_client(now, id, branch, "CANCEL", bytes, &mut out);
            }
        }
        (Ok(()), out)
    }

    /// BYE: the call ends at once (RFC 3261 §15.1.1).
    pub(super) fn site_bye(&mut self, now: Instant, id: SiteCallId, out: &mut Vec<SiteOutput>) {
        self.stop_awaiting_ack(id);
        self.send_in_dialog(now, id, Method::Bye, Vec::new(), b"", out);
        self.set_state(
            id,
            CallState::Ended {
                code: None,
                by: Party::Site,
            },
        );
    }

    /// Sends an in-dialog NOTIFY with `Event: event` and
    /// `Subscription-State: terminated`, no body (e.g. "talk", "hold").
    pub fn site_notify(
        &mut self,
        now: Instant,
        id: SiteCallId,
        event: &str,
    ) -> (Result<(), CallError>, Vec<SiteOutput>) {
        let mut out = Vec::new();
        match self.live(id) {
            Ok(c) if c.state == CallState::Connected => {}
            Ok(_) => return (Err(CallError::WrongState), out),
            Err(e) => return (Err(e), out),
        }
        let extra = vec![
            (HeaderName::Event, event.to_owned()),
            (HeaderName::SubscriptionState, "terminated".to_owned()),
        ];
        self.send_in_dialog(now, id, Method::Notify, extra, b"", &mut out);
        (Ok(()), out)
    }

    /// Sends a re-INVITE whose offer has `direction` (sendonly: the site
    /// holds the endpoint, RFC 3264 §8.4; sendrecv: it takes it back).
    pub fn site_reinvite(
        &mut self,
        now: Instant,
        id: SiteCallId,
        direction: SdpDirection,
    ) -> (Result<(), CallError>, Vec<SiteOutput>) {
        let mut out = Vec::new();
        let c = match self.live(id) {
            Ok(c) if c.state == CallState::Connected => c,
            Ok(_) => return (Err(CallError::WrongState), out),
            Err(e) => return (Err(e), out),
        };
        let contact = self.site_contact(&c.user.clone(), c.d.transport);
        let c = self.phones.get_mut(id).expect("live");
        c.d.sdp_version += 1;
        let version = c.d.sdp_version;
        let body = sdp::offer(&self.origin(id, version), direction);
        self.send_in_dialog(
            now,
            id,
            Method::Invite,
            vec![(HeaderName::Contact, contact)],
            &body,
            &mut out,
        );
        (Ok(()), out)
    }
}
