//! Dialogs (RFC 3261 §12): the state two user agents share for a call, and
//! the requests sent within it.
//!
//! A [`Dialog`] is made by the UAC from a response to its INVITE that
//! carries a To tag (§12.1.2: an early dialog from a 1xx, a confirmed one
//! from a 2xx) or by the UAS from the INVITE it answers (§12.1.1). It keeps
//! the Call-ID, both tags, both sequence numbers, the remote target (the
//! peer's Contact, refreshed by target-refresh requests and their 2xx,
//! §12.2) and the route set (from Record-Route, reversed on the UAC side).
//! [`Dialog::write_request`] writes a request within it following
//! §12.2.1.1, loose and strict routing alike, and
//! [`Dialog::accepts`] checks a received request against it (§12.2.2).

mod request;

use crate::message::headers::RecordRoute;
use crate::message::{HeaderName, Message};

pub use request::InDialogRequest;

/// Early (after a 1xx with a To tag) or confirmed (after a 2xx).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogState {
    /// Made from a provisional response.
    Early,
    /// Made or confirmed by a 2xx.
    Confirmed,
}

/// Why a dialog could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DialogError {
    /// The message lacks a header a dialog needs, or it is malformed.
    #[error("cannot make a dialog: {0}")]
    Missing(&'static str),
}

/// The state of one dialog (RFC 3261 §12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    /// Early or confirmed.
    pub state: DialogState,
    /// The Call-ID.
    pub call_id: String,
    /// Our tag.
    pub local_tag: String,
    /// The peer's tag.
    pub remote_tag: String,
    /// Our From (as UAC) or To (as UAS) header value, tag included: the
    /// From of every request we send in the dialog.
    pub local_header: String,
    /// The peer's header value, tag included: the To of our requests.
    pub remote_header: String,
    /// Our CSeq number; the next request takes one more.
    pub local_seq: u32,
    /// The peer's last CSeq number, if it sent a request yet.
    pub remote_seq: Option<u32>,
    /// The peer's Contact URI: the Request-URI of our requests.
    pub remote_target: String,
    /// The route set, as `<uri>` values in the order our requests carry
    /// them.
    pub route_set: Vec<String>,
}

impl Dialog {
    /// The UAC's dialog from a response with a To tag to our INVITE
    /// (RFC 3261 §12.1.2). `invite` is the INVITE as we sent it.
    pub fn from_response(
        invite: &Message<'_>,
        response: &Message<'_>,
    ) -> Result<Dialog, DialogError> {
        let to = response.to().map_err(|_| DialogError::Missing("To"))?;
        let remote_tag = to.tag().ok_or(DialogError::Missing("To tag"))?;
        let from = invite.from().map_err(|_| DialogError::Missing("From"))?;
        let local_tag = from.tag().ok_or(DialogError::Missing("From tag"))?;
        let code = response.status().unwrap_or(0);
        // §12.1.2: the route set is the Record-Route in reverse order.
        let mut route_set = record_routes(response)?;
        route_set.reverse();
        Ok(Dialog {
            state: if (200..300).contains(&code) {
                DialogState::Confirmed
            } else {
                DialogState::Early
            },
            call_id: invite
                .call_id()
                .map_err(|_| DialogError::Missing("Call-ID"))?
                .to_owned(),
            local_tag: local_tag.to_owned(),
            remote_tag: remote_tag.to_owned(),
            local_header: invite
                .header(HeaderName::From)
                .ok_or(DialogError::Missing("From"))?
                .to_owned(),
            remote_header: response
                .header(HeaderName::To)
                .ok_or(DialogError::Missing("To"))?
                .to_owned(),
            local_seq: invite.cseq().map_err(|_| DialogError::Missing("CSeq"))?.seq,
            remote_seq: None,
            // A 1xx may lack a Contact; the request target stays the
            // Request-URI until one arrives.
            remote_target: contact_uri(response)
                .or_else(|| invite.request_uri().map(str::to_owned))
                .ok_or(DialogError::Missing("Contact"))?,
            route_set,
        })
    }

    /// The UAS's dialog from an INVITE it answers with our `local_tag`
    /// (RFC 3261 §12.1.1). Our first request takes CSeq `first_seq`.
    pub fn from_request(
        invite: &Message<'_>,
        local_tag: &str,
        first_seq: u32,
    ) -> Result<Dialog, DialogError> {
        let from = invite.from().map_err(|_| DialogError::Missing("From"))?;
        let remote_tag = from.tag().ok_or(DialogError::Missing("From tag"))?;
        let to = invite
            .header(HeaderName::To)
            .ok_or(DialogError::Missing("To"))?;
        Ok(Dialog {
            state: DialogState::Early,
            call_id: invite
                .call_id()
                .map_err(|_| DialogError::Missing("Call-ID"))?
                .to_owned(),
            local_tag: local_tag.to_owned(),
            remote_tag: remote_tag.to_owned(),
            local_header: format!("{};tag={local_tag}", to.trim()),
            remote_header: invite
                .header(HeaderName::From)
                .ok_or(DialogError::Missing("From"))?
                .to_owned(),
            local_seq: first_seq.saturating_sub(1),
            remote_seq: Some(invite.cseq().map_err(|_| DialogError::Missing("CSeq"))?.seq),
            remote_target: contact_uri(invite).ok_or(DialogError::Missing("Contact"))?,
            // §12.1.1: the Record-Route in order.
            route_set: record_routes(invite)?,
        })
    }

    /// Whether a received request belongs to this dialog: same Call-ID, its
    /// To tag is ours and its From tag the peer's (RFC 3261 §12.2.2).
    pub fn accepts(&self, request: &Message<'_>) -> bool {
        let (Ok(call_id), Ok(from), Ok(to)) = (request.call_id(), request.from(), request.to())
        else {
            return false;
        };
        call_id == self.call_id
            && to.tag() == Some(self.local_tag.as_str())
            && from.tag() == Some(self.remote_tag.as_str())
    }

    /// Checks a request from the peer against the remote sequence number
    /// and takes it (RFC 3261 §12.2.2): `false` when it is lower than one
    /// seen before (the request must get a 500). ACK and CANCEL reuse the
    /// INVITE's number and are not checked.
    pub fn take_remote_seq(&mut self, seq: u32) -> bool {
        if self.remote_seq.is_some_and(|r| seq < r) {
            return false;
        }
        self.remote_seq = Some(seq);
        true
    }

    /// Refreshes the remote target from a target-refresh request or its
    /// 2xx (RFC 3261 §12.2.1.2, §12.2.2), if it has a Contact.
    pub fn refresh_target(&mut self, msg: &Message<'_>) {
        if let Some(uri) = contact_uri(msg) {
            self.remote_target = uri;
        }
    }

    /// Confirms an early dialog with the 2xx that answered the INVITE:
    /// the remote target and the route set come from the 2xx (RFC 3261
    /// §12.1.2, §13.2.2.4).
    pub fn confirm(&mut self, response: &Message<'_>) -> Result<(), DialogError> {
        let mut routes = record_routes(response)?;
        routes.reverse();
        self.route_set = routes;
        self.refresh_target(response);
        self.remote_header = response
            .header(HeaderName::To)
            .ok_or(DialogError::Missing("To"))?
            .to_owned();
        self.state = DialogState::Confirmed;
        Ok(())
    }

    /// The next CSeq number for a new request (not ACK or CANCEL).
    pub fn next_seq(&mut self) -> u32 {
        self.local_seq = self.local_seq.wrapping_add(1).max(1);
        self.local_seq
    }
}

/// The URI of the first Contact, if any.
fn contact_uri(msg: &Message<'_>) -> Option<String> {
    let c = msg.contacts().next()?.ok()?;
    Some(c.addr()?.uri.as_str().to_owned())
}

/// Every Record-Route value as `<uri>` plus its parameters, in order.
fn record_routes(msg: &Message<'_>) -> Result<Vec<String>, DialogError> {
    let mut out = Vec::new();
    for rr in msg.typed_all::<RecordRoute>() {
        let rr = rr.map_err(|_| DialogError::Missing("a well-formed Record-Route"))?;
        if out.len() >= 32 {
            return Err(DialogError::Missing("a route set of at most 32 hops"));
        }
        out.push(format!("<{}>{}", rr.uri.as_str(), rr.params.as_str()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
