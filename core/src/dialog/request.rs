//! Requests within a dialog (RFC 3261 §12.2.1.1) and the ACK for a 2xx
//! (§13.2.2.4).

use crate::message::{HeaderName as H, MessageWriter, Method, Uri};

use super::Dialog;

/// What a request within a dialog carries besides what the dialog gives.
#[derive(Debug, Clone, Copy)]
pub struct InDialogRequest<'a> {
    /// The method.
    pub method: Method<'a>,
    /// The CSeq number: [`Dialog::next_seq`] for a new request, the
    /// INVITE's for its ACK.
    pub cseq: u32,
    /// The whole Via value, branch included.
    pub via: &'a str,
    /// Our Contact (`<sip:…>`), for target-refresh requests (re-INVITE)
    /// and the ACK.
    pub contact: Option<&'a str>,
    /// More headers, in order.
    pub extra: &'a [(H, &'a str)],
    /// The Content-Type of the body, if there is one.
    pub content_type: Option<&'a str>,
    /// The body.
    pub body: &'a [u8],
    /// The User-Agent value.
    pub user_agent: &'a str,
}

/// The URI inside a route value `<uri>;params`.
fn route_uri(route: &str) -> &str {
    let inner = route.trim();
    match (inner.find('<'), inner.find('>')) {
        (Some(a), Some(b)) if a < b => &inner[a + 1..b],
        _ => inner,
    }
}

/// Whether a route URI has the `lr` parameter (RFC 3261 §16.12.1.1: a
/// loose router).
fn is_loose(route: &str) -> bool {
    Uri::parse(route_uri(route))
        .ok()
        .and_then(|u| u.as_sip().map(|s| s.lr()))
        .unwrap_or(false)
}

impl Dialog {
    /// The Request-URI and Route values of the next request (RFC 3261
    /// §12.2.1.1): with no route set, or a loose router first, the remote
    /// target and the route set as it is; with a strict router first, its
    /// URI, and the rest of the route set followed by the remote target.
    pub fn request_target(&self) -> (String, Vec<String>) {
        match self.route_set.first() {
            Some(first) if !is_loose(first) => {
                let mut routes: Vec<String> = self.route_set[1..].to_vec();
                routes.push(format!("<{}>", self.remote_target));
                (route_uri(first).to_owned(), routes)
            }
            _ => (self.remote_target.clone(), self.route_set.clone()),
        }
    }

    /// Writes a request within the dialog into `buf`.
    pub fn write_request(&self, buf: &mut Vec<u8>, r: &InDialogRequest<'_>) {
        let (uri, routes) = self.request_target();
        let mut w = MessageWriter::request(buf, r.method, &uri);
        w.header(H::Via, r.via).header(H::MaxForwards, "70");
        for route in &routes {
            w.header(H::Route, route);
        }
        w.header(H::From, &self.local_header)
            .header(H::To, &self.remote_header)
            .header(H::CallId, &self.call_id);
        let mut cseq = itoa::Buffer::new().format(r.cseq).to_owned();
        cseq.push(' ');
        cseq.push_str(r.method.as_str());
        w.header(H::CSeq, &cseq);
        if let Some(c) = r.contact {
            w.header(H::Contact, c);
        }
        for (name, value) in r.extra {
            w.header(*name, value);
        }
        w.header(H::UserAgent, r.user_agent);
        if let Some(ct) = r.content_type {
            w.header(H::ContentType, ct);
        }
        w.finish(r.body);
    }
}
