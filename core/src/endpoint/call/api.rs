//! The application's call commands (the seed's ICallControl). Each checks
//! the session's status first and refuses with a [`CallError`], changing
//! nothing, when the command does not fit.

use std::time::Instant;

use crate::connection::ConnectionId;
use crate::message::Uri;
use crate::sdp::SessionDescription;
use crate::session::{
    CallDirection, CallError, DialOptions, SessionId, SessionInfo, SessionReason, SessionStatus,
};

use super::super::Endpoint;
use super::{MediaState, Session};

/// The characters of a SIP user part that need no escaping
/// (RFC 3261 §25.1: unreserved and user-unreserved).
fn is_user_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_.!~*'()&=+$,;?/%#".contains(&b)
}

impl Endpoint {
    /// Dials `destination` from `connection` with the default audio offer.
    /// See [`dial_with`](Self::dial_with).
    pub fn dial(
        &mut self,
        now: Instant,
        connection: ConnectionId,
        destination: &str,
    ) -> Result<SessionId, CallError> {
        self.dial_with(now, connection, destination, DialOptions::default())
    }

    /// Places a call. `destination` is a SIP or tel URI (`sip:2000@site`),
    /// or a user or number (`2000`) that is resolved on the connection's
    /// domain.
    ///
    /// The call goes out on `connection` when it is Available; otherwise
    /// (Registering, Unavailable, Disabled, or removed) at once on another
    /// Available connection, and the events name that one. Every other
    /// established call is put on hold first. With no connection available
    /// the session is created and ends Disconnected with
    /// [`SessionReason::NoConnection`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Instant;
    /// use geosip_core::connection::ConnectionId;
    /// use geosip_core::endpoint::{Endpoint, EndpointConfig};
    /// use geosip_core::event::Event;
    /// use geosip_core::io::Output;
    /// use geosip_core::session::{SessionReason, SessionStatus};
    ///
    /// let now = Instant::now();
    /// let mut ep = Endpoint::new(EndpointConfig::default(), now);
    /// // No connection can carry it: it ends at once, and says why.
    /// let call = ep.dial(now, ConnectionId(0), "2000").unwrap();
    /// let ended = std::iter::from_fn(|| ep.poll_output()).any(|o| matches!(o,
    ///     Output::Event(Event::SessionStatusChanged { session, status: SessionStatus::Disconnected,
    ///         reason: SessionReason::NoConnection, .. }) if session == call));
    /// assert!(ended);
    /// ```
    pub fn dial_with(
        &mut self,
        now: Instant,
        connection: ConnectionId,
        destination: &str,
        options: DialOptions,
    ) -> Result<SessionId, CallError> {
        let destination = destination.trim();
        let valid = if destination.contains(':') {
            Uri::parse(destination)
                .ok()
                .is_some_and(|u| matches!(u.scheme(), "sip" | "sips" | "tel"))
        } else {
            !destination.is_empty() && destination.bytes().all(is_user_char)
        };
        if !valid {
            return Err(CallError::BadDestination(destination.to_owned()));
        }
        let user_sdp = options
            .sdp
            .as_deref()
            .map(SessionDescription::parse)
            .transpose()?;
        self.check_room()?;
        let sid = self.new_session_id();
        let port = self.next_media_port();
        let session_id = self.rng.next_u64() >> 1;
        let addr = self.media_addr(connection);
        self.sessions.insert(
            sid,
            Box::new(Session {
                id: sid,
                conn: connection,
                direction: CallDirection::Outbound,
                status: SessionStatus::Dialing,
                remote: String::new(),
                destination: destination.to_owned(),
                dialog: None,
                invite: None,
                incoming: None,
                pending_ok: None,
                reinvite: None,
                glare_retry: None,
                ack: None,
                media: MediaState::new(addr, port, session_id, user_sdp),
                auth: Default::default(),
                fell_back: false,
                ended: false,
            }),
        );
        self.hold_others(now, sid);
        let usable = self.conns.get(&connection).is_some_and(|c| c.can_call());
        if usable {
            self.announce_dialing(sid, SessionReason::Local);
            self.send_invite(now, sid, None);
        } else {
            self.retry_elsewhere(now, sid, 503);
        }
        self.drain_table(now);
        Ok(sid)
    }

    /// Answers a ringing inbound call; every other established call is put
    /// on hold first.
    pub fn answer(&mut self, now: Instant, session: SessionId) -> Result<(), CallError> {
        let r = self.answer_as(now, session, SessionReason::Local);
        self.drain_table(now);
        r
    }

    /// Rejects a ringing inbound call with `code` (400..=699; 486 Busy
    /// Here and 603 Decline are usual).
    pub fn reject(&mut self, now: Instant, session: SessionId, code: u16) -> Result<(), CallError> {
        if !(400..=699).contains(&code) {
            return Err(CallError::BadCode(code));
        }
        let s = self.live_session(session)?;
        if s.incoming.is_none() {
            return Err(CallError::InvalidState {
                session,
                status: s.status,
                command: "reject",
            });
        }
        self.refuse_incoming(now, session, code);
        self.end_session(session, SessionReason::Local);
        self.drain_table(now);
        Ok(())
    }

    /// Holds an established call: a re-INVITE with `a=sendonly`, or
    /// `inactive` if the far end holds us (RFC 3264 §8.4). Holding a held
    /// call does nothing. The status changes when the far end accepts; if
    /// it refuses, [`Event::SessionActionFailed`] says so and the call
    /// stays as it was.
    ///
    /// [`Event::SessionActionFailed`]: crate::event::Event::SessionActionFailed
    pub fn hold(&mut self, now: Instant, session: SessionId) -> Result<(), CallError> {
        self.change_hold(now, session, true, SessionReason::Local)
    }

    /// Retrieves a call we hold: a re-INVITE back to `sendrecv`.
    pub fn retrieve(&mut self, now: Instant, session: SessionId) -> Result<(), CallError> {
        self.change_hold(now, session, false, SessionReason::Local)
    }

    pub(super) fn change_hold(
        &mut self,
        now: Instant,
        session: SessionId,
        hold: bool,
        reason: SessionReason,
    ) -> Result<(), CallError> {
        let s = self.live_session(session)?;
        if !s.is_up() {
            return Err(CallError::InvalidState {
                session,
                status: s.status,
                command: if hold { "hold" } else { "retrieve" },
            });
        }
        if s.reinvite.is_some() || s.glare_retry.is_some() || s.pending_ok.is_some() {
            return Err(CallError::Pending(session));
        }
        if s.media.local_hold == hold {
            return Ok(());
        }
        self.send_reinvite(now, session, hold, reason);
        self.drain_table(now);
        Ok(())
    }

    /// Ends a call in any state: CANCEL while our INVITE rings (RFC 3261
    /// §9.1), 603 Decline for a call ringing here, BYE once established
    /// (§15.1). The session is Disconnected at once; the endpoint finishes
    /// the signalling on its own.
    pub fn hangup(&mut self, now: Instant, session: SessionId) -> Result<(), CallError> {
        let s = self.live_session(session)?;
        if s.incoming.is_some() {
            self.refuse_incoming(now, session, 603);
        } else if s.invite.is_some() {
            self.cancel_invite(now, session);
        } else if s.dialog.is_some() {
            self.send_bye(now, session);
        }
        self.end_session(session, SessionReason::Local);
        self.drain_table(now);
        Ok(())
    }

    /// Every call that is not over, in id order.
    pub fn sessions(&self) -> Vec<SessionInfo> {
        self.sessions
            .values()
            .filter(|s| !s.ended)
            .map(|s| s.info())
            .collect()
    }

    /// One call, unless it is over.
    pub fn session(&self, session: SessionId) -> Option<SessionInfo> {
        self.sessions
            .get(&session)
            .filter(|s| !s.ended)
            .map(|s| s.info())
    }

    pub(super) fn live_session(&self, session: SessionId) -> Result<&Session, CallError> {
        self.sessions
            .get(&session)
            .filter(|s| !s.ended)
            .map(|s| &**s)
            .ok_or(CallError::UnknownSession(session))
    }

    pub(super) fn check_room(&self) -> Result<(), CallError> {
        let live = self.sessions.values().filter(|s| !s.ended).count();
        if live >= self.config.max_sessions {
            return Err(CallError::TooMany(self.config.max_sessions));
        }
        Ok(())
    }

    pub(super) fn new_session_id(&mut self) -> SessionId {
        self.next_session += 1;
        SessionId(self.next_session)
    }

    /// The next RTP port from the configured range (even ports, RFC 3550
    /// §11), cycling.
    pub(super) fn next_media_port(&mut self) -> u16 {
        let slots = u32::try_from(self.config.max_sessions.max(1))
            .unwrap_or(u32::MAX)
            .min(1000);
        let slot = (self.next_session as u32) % slots;
        let port = u32::from(self.config.media_port_base) + 2 * slot;
        u16::try_from(port).unwrap_or(self.config.media_port_base)
    }

    /// Our media address for a call on `connection`: the configured one,
    /// else our address towards the site.
    pub(super) fn media_addr(&self, connection: ConnectionId) -> std::net::IpAddr {
        self.config
            .media_addr
            .or_else(|| {
                self.conns
                    .get(&connection)
                    .and_then(|c| c.local(self.config.local_udp))
                    .map(|a| a.ip())
            })
            .or(self.config.local_udp.map(|a| a.ip()))
            .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))
    }

    /// Puts every other established call that we do not hold yet on hold
    /// (a new call starts, or one is answered).
    pub(super) fn hold_others(&mut self, now: Instant, except: SessionId) {
        let others: Vec<SessionId> = self
            .sessions
            .values()
            .filter(|s| s.id != except && !s.ended && s.is_up() && !s.media.local_hold)
            .map(|s| s.id)
            .collect();
        for sid in others {
            let _ = self.change_hold(now, sid, true, SessionReason::Local);
        }
    }
}
