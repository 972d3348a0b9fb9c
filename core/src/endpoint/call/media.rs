//! A call's SDP state (RFC 3264): what we offered or answered, what the
//! far end sent, and who holds whom.

use std::net::IpAddr;

use crate::sdp::{Direction, SessionDescription};

/// The offer/answer state of one call.
#[derive(Debug, Clone)]
pub(in crate::endpoint) struct MediaState {
    /// Our SDP in force.
    pub local: Option<SessionDescription>,
    /// The far end's SDP in force.
    pub remote: Option<SessionDescription>,
    /// An offer of ours awaiting its answer.
    pub pending_offer: Option<SessionDescription>,
    /// The application's own SDP, used instead of the default offer.
    pub user_sdp: Option<SessionDescription>,
    /// Our media address and port.
    pub addr: IpAddr,
    pub port: u16,
    /// The `o=` session id, and the version of our last SDP (RFC 3264 §8:
    /// each new one takes one more).
    pub session_id: u64,
    pub version: u64,
    /// We hold the far end.
    pub local_hold: bool,
    /// The far end holds us (judged by its offers).
    pub remote_hold: bool,
}

impl MediaState {
    pub fn new(
        addr: IpAddr,
        port: u16,
        session_id: u64,
        user_sdp: Option<SessionDescription>,
    ) -> Self {
        MediaState {
            local: None,
            remote: None,
            pending_offer: None,
            user_sdp,
            addr,
            port,
            session_id,
            version: 0,
            local_hold: false,
            remote_hold: false,
        }
    }

    fn next_version(&mut self) -> u64 {
        self.version += 1;
        self.version
    }

    /// A new offer for our hold intent `hold` (RFC 3264 §8.4): `sendonly`,
    /// or `inactive` if the far end holds us too; `sendrecv` otherwise.
    /// It stays pending until its answer comes.
    pub fn offer(&mut self, hold: bool) -> SessionDescription {
        let mut sdp = match (&self.local, &self.user_sdp) {
            (Some(current), _) => current.clone(),
            (None, Some(user)) => user.clone(),
            (None, None) => SessionDescription::audio_offer(self.addr, self.port, self.session_id),
        };
        sdp.origin.session_id = self.session_id;
        sdp.origin.version = self.next_version();
        sdp.set_direction(Direction::offer_for(hold, self.remote_hold));
        self.pending_offer = Some(sdp.clone());
        sdp
    }

    /// Takes the far end's answer to our pending offer; `false` when there
    /// was none or the answer accepts no stream.
    pub fn take_answer(&mut self, answer: SessionDescription, hold: bool) -> bool {
        let Some(offer) = self.pending_offer.take() else {
            return false;
        };
        if !answer.accepts_media() {
            return false;
        }
        self.local = Some(offer);
        self.remote = Some(answer);
        self.local_hold = hold;
        true
    }

    /// Our answer to the far end's offer; the offer's direction tells
    /// whether it holds us (RFC 3264 §8.4).
    pub fn answer(&mut self, offer: SessionDescription) -> Option<SessionDescription> {
        let wanted = if self.local_hold {
            Direction::SendOnly
        } else {
            Direction::SendRecv
        };
        let mut answer = offer.answer(self.addr, self.port, self.session_id, wanted);
        if !answer.accepts_media() {
            return None;
        }
        answer.origin.version = self.next_version();
        self.remote_hold = offer.is_hold();
        self.remote = Some(offer);
        self.local = Some(answer.clone());
        Some(answer)
    }
}
