//! What the site keeps per call and per transaction; all of it is lost
//! when the site stops.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use geosip_core::io::TransportKind;
use rand_chacha::ChaCha8Rng;

use super::calls::{Exchange, Party, Peer, SiteCall, SiteCallId};
use super::sdp::SdpDirection;
use super::timers::Timers;

/// A call's dialog state (RFC 3261 §12).
#[derive(Debug, Clone)]
pub(crate) struct Dialog {
    pub peer: Peer,
    pub transport: TransportKind,
    /// The site's From/To value, with its tag.
    pub local: String,
    /// The endpoint's From/To value (with its tag once known).
    pub remote: String,
    /// The endpoint's Contact URI: the Request-URI of in-dialog requests.
    pub remote_target: String,
    pub local_cseq: u32,
    /// The branch of the initial INVITE (server or client transaction).
    pub invite_branch: String,
    /// The o= version of the site's last SDP.
    pub sdp_version: u64,
    /// A 2xx waiting for its ACK: (CSeq number, retransmission key).
    pub awaiting_ack: Option<(u32, u64)>,
    /// The site sent CANCEL for its INVITE.
    pub cancelled: bool,
    /// The first 2xx was ACKed.
    pub confirmed: bool,
}

/// An INVITE the site serves (RFC 3261 §17.2.1).
#[derive(Debug, Clone)]
pub(crate) struct ServerInvite {
    pub call: SiteCallId,
    pub raw: Vec<u8>,
    pub source: SocketAddr,
    pub peer: Peer,
    /// The last response, sent again for a retransmitted INVITE.
    pub last: Option<Vec<u8>>,
    /// When the final response went (for forgetting the transaction).
    pub finished: Option<Instant>,
    /// Whether the final was a 2xx.
    pub final_2xx: bool,
    /// The retransmission of a non-2xx final (Timer G).
    pub resend: Option<u64>,
}

/// A request the site sent (RFC 3261 §17.1).
#[derive(Debug, Clone)]
pub(crate) struct ClientTx {
    pub call: SiteCallId,
    pub raw: Vec<u8>,
    pub resend: Option<u64>,
    /// The final response, once one came.
    pub final_code: Option<u16>,
    /// The ACK sent for the final (INVITE), sent again for retransmissions.
    pub ack: Option<Vec<u8>>,
    pub at: Instant,
}

/// Everything the site knows about calls; all lost when it stops.
#[derive(Debug)]
pub(crate) struct Phones {
    pub calls: Vec<SiteCall>,
    pub next_id: u32,
    pub rng: ChaCha8Rng,
    pub timers: Timers,
    /// Branch → INVITE server transaction.
    pub invites: BTreeMap<String, ServerInvite>,
    /// (branch, method) → client transaction.
    pub clients: BTreeMap<(String, String), ClientTx>,
    pub glare_next_reinvite: bool,
}

impl Phones {
    pub fn new(rng: ChaCha8Rng) -> Self {
        Phones {
            calls: Vec::new(),
            next_id: 1,
            rng,
            timers: Timers::default(),
            invites: BTreeMap::new(),
            clients: BTreeMap::new(),
            glare_next_reinvite: false,
        }
    }

    /// Loses every call and transaction (the site stopped).
    pub fn clear(&mut self) {
        self.calls.clear();
        self.timers.clear();
        self.invites.clear();
        self.clients.clear();
        self.glare_next_reinvite = false;
    }

    pub fn get(&self, id: SiteCallId) -> Option<&SiteCall> {
        self.calls.iter().find(|c| c.id == id)
    }

    pub fn get_mut(&mut self, id: SiteCallId) -> Option<&mut SiteCall> {
        self.calls.iter_mut().find(|c| c.id == id)
    }

    /// The call of a dialog: Call-ID, the site's tag, the endpoint's tag.
    pub fn by_dialog(
        &self,
        call_id: &str,
        local: &str,
        remote: Option<&str>,
    ) -> Option<SiteCallId> {
        self.calls
            .iter()
            .find(|c| {
                c.call_id == call_id
                    && c.local_tag == local
                    && (c.remote_tag.is_none() || c.remote_tag.as_deref() == remote)
                    && !c.is_ended()
            })
            .map(|c| c.id)
    }

    /// Writes down an exchange on a call.
    pub fn note(
        &mut self,
        id: SiteCallId,
        at: Instant,
        by: Party,
        method: &str,
        code: Option<u16>,
        sdp: Option<SdpDirection>,
    ) {
        if let Some(c) = self.get_mut(id) {
            c.exchanges.push(Exchange {
                at,
                by,
                method: method.to_owned(),
                code,
                sdp,
            });
        }
    }

    /// Forgets finished transactions older than `memory`.
    pub fn purge(&mut self, now: Instant, memory: Duration) {
        self.invites.retain(|_, t| {
            t.finished
                .is_none_or(|f| now.saturating_duration_since(f) < memory)
        });
        self.clients
            .retain(|_, t| t.final_code.is_none() || now.saturating_duration_since(t.at) < memory);
    }
}
