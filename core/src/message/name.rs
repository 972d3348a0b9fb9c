//! Header names: the known ones resolved once into an enum, compact forms
//! included (RFC 3261 §7.3.3 and the IANA registry), case-insensitively.
//!
//! This file is generated from one table so that the name, its compact
//! form and whether it holds a comma-separated list stay in step.

/// A header name. Known names are one enum value whatever their case or
/// compact form; any other name is [`HeaderName::Other`] and keeps its
/// spelling in the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum HeaderName {
    /// `Accept`.
    Accept,
    /// `Accept-Contact` (compact `a`).
    AcceptContact,
    /// `Accept-Encoding`.
    AcceptEncoding,
    /// `Accept-Language`.
    AcceptLanguage,
    /// `Alert-Info`.
    AlertInfo,
    /// `Allow`.
    Allow,
    /// `Allow-Events` (compact `u`).
    AllowEvents,
    /// `Authentication-Info`.
    AuthenticationInfo,
    /// `Authorization`.
    Authorization,
    /// `Call-ID` (compact `i`).
    CallId,
    /// `Call-Info`.
    CallInfo,
    /// `Contact` (compact `m`).
    Contact,
    /// `Content-Disposition`.
    ContentDisposition,
    /// `Content-Encoding` (compact `e`).
    ContentEncoding,
    /// `Content-Language`.
    ContentLanguage,
    /// `Content-Length` (compact `l`).
    ContentLength,
    /// `Content-Type` (compact `c`).
    ContentType,
    /// `CSeq`.
    CSeq,
    /// `Date`.
    Date,
    /// `Error-Info`.
    ErrorInfo,
    /// `Event` (compact `o`).
    Event,
    /// `Expires`.
    Expires,
    /// `From` (compact `f`).
    From,
    /// `Identity` (compact `y`).
    Identity,
    /// `Identity-Info` (compact `n`).
    IdentityInfo,
    /// `In-Reply-To`.
    InReplyTo,
    /// `Max-Forwards`.
    MaxForwards,
    /// `MIME-Version`.
    MimeVersion,
    /// `Min-Expires`.
    MinExpires,
    /// `Min-SE`.
    MinSe,
    /// `Organization`.
    Organization,
    /// `P-Asserted-Identity`.
    PAssertedIdentity,
    /// `P-Preferred-Identity`.
    PPreferredIdentity,
    /// `Path`.
    Path,
    /// `Priority`.
    Priority,
    /// `Privacy`.
    Privacy,
    /// `Proxy-Authenticate`.
    ProxyAuthenticate,
    /// `Proxy-Authorization`.
    ProxyAuthorization,
    /// `Proxy-Require`.
    ProxyRequire,
    /// `RAck`.
    RAck,
    /// `Reason`.
    Reason,
    /// `Record-Route`.
    RecordRoute,
    /// `Refer-To` (compact `r`).
    ReferTo,
    /// `Referred-By` (compact `b`).
    ReferredBy,
    /// `Reject-Contact` (compact `j`).
    RejectContact,
    /// `Replaces`.
    Replaces,
    /// `Reply-To`.
    ReplyTo,
    /// `Request-Disposition` (compact `d`).
    RequestDisposition,
    /// `Require`.
    Require,
    /// `Retry-After`.
    RetryAfter,
    /// `Route`.
    Route,
    /// `RSeq`.
    RSeq,
    /// `Server`.
    Server,
    /// `Service-Route`.
    ServiceRoute,
    /// `Session-Expires` (compact `x`).
    SessionExpires,
    /// `SIP-ETag`.
    SipETag,
    /// `SIP-If-Match`.
    SipIfMatch,
    /// `Subject` (compact `s`).
    Subject,
    /// `Subscription-State`.
    SubscriptionState,
    /// `Supported` (compact `k`).
    Supported,
    /// `Timestamp`.
    Timestamp,
    /// `To` (compact `t`).
    To,
    /// `Unsupported`.
    Unsupported,
    /// `User-Agent`.
    UserAgent,
    /// `Via` (compact `v`).
    Via,
    /// `Warning`.
    Warning,
    /// `WWW-Authenticate`.
    WwwAuthenticate,
    /// Any other header; the spelling is in the message.
    Other,
}

/// Compares a name with a lowercase literal. Header names hold letters,
/// digits and `-`, for which setting bit 0x20 lowercases a letter and
/// leaves the others as they are; no other byte can become one of them.
#[inline]
fn eq_lower(name: &[u8], lower: &[u8]) -> bool {
    name.len() == lower.len() && name.iter().zip(lower).all(|(a, b)| (a | 0x20) == *b)
}

impl HeaderName {
    /// Every known name, for tables and tests.
    pub const KNOWN: &'static [HeaderName] = &[
        HeaderName::Accept,
        HeaderName::AcceptContact,
        HeaderName::AcceptEncoding,
        HeaderName::AcceptLanguage,
        HeaderName::AlertInfo,
        HeaderName::Allow,
        HeaderName::AllowEvents,
        HeaderName::AuthenticationInfo,
        HeaderName::Authorization,
        HeaderName::CallId,
        HeaderName::CallInfo,
        HeaderName::Contact,
        HeaderName::ContentDisposition,
        HeaderName::ContentEncoding,
        HeaderName::ContentLanguage,
        HeaderName::ContentLength,
        HeaderName::ContentType,
        HeaderName::CSeq,
        HeaderName::Date,
        HeaderName::ErrorInfo,
        HeaderName::Event,
        HeaderName::Expires,
        HeaderName::From,
        HeaderName::Identity,
        HeaderName::IdentityInfo,
        HeaderName::InReplyTo,
        HeaderName::MaxForwards,
        HeaderName::MimeVersion,
        HeaderName::MinExpires,
        HeaderName::MinSe,
        HeaderName::Organization,
        HeaderName::PAssertedIdentity,
        HeaderName::PPreferredIdentity,
        HeaderName::Path,
        HeaderName::Priority,
        HeaderName::Privacy,
        HeaderName::ProxyAuthenticate,
        HeaderName::ProxyAuthorization,
        HeaderName::ProxyRequire,
        HeaderName::RAck,
        HeaderName::Reason,
        HeaderName::RecordRoute,
        HeaderName::ReferTo,
        HeaderName::ReferredBy,
        HeaderName::RejectContact,
        HeaderName::Replaces,
        HeaderName::ReplyTo,
        HeaderName::RequestDisposition,
        HeaderName::Require,
        HeaderName::RetryAfter,
        HeaderName::Route,
        HeaderName::RSeq,
        HeaderName::Server,
        HeaderName::ServiceRoute,
        HeaderName::SessionExpires,
        HeaderName::SipETag,
        HeaderName::SipIfMatch,
        HeaderName::Subject,
        HeaderName::SubscriptionState,
        HeaderName::Supported,
        HeaderName::Timestamp,
        HeaderName::To,
        HeaderName::Unsupported,
        HeaderName::UserAgent,
        HeaderName::Via,
        HeaderName::Warning,
        HeaderName::WwwAuthenticate,
    ];

    /// The long form as RFC 3261 and its extensions spell it, or `None` for [`HeaderName::Other`].
    pub const fn as_str(self) -> Option<&'static str> {
        Some(match self {
            HeaderName::Accept => "Accept",
            HeaderName::AcceptContact => "Accept-Contact",
            HeaderName::AcceptEncoding => "Accept-Encoding",
            HeaderName::AcceptLanguage => "Accept-Language",
            HeaderName::AlertInfo => "Alert-Info",
            HeaderName::Allow => "Allow",
            HeaderName::AllowEvents => "Allow-Events",
            HeaderName::AuthenticationInfo => "Authentication-Info",
            HeaderName::Authorization => "Authorization",
            HeaderName::CallId => "Call-ID",
            HeaderName::CallInfo => "Call-Info",
            HeaderName::Contact => "Contact",
            HeaderName::ContentDisposition => "Content-Disposition",
            HeaderName::ContentEncoding => "Content-Encoding",
            HeaderName::ContentLanguage => "Content-Language",
            HeaderName::ContentLength => "Content-Length",
            HeaderName::ContentType => "Content-Type",
            HeaderName::CSeq => "CSeq",
            HeaderName::Date => "Date",
            HeaderName::ErrorInfo => "Error-Info",
            HeaderName::Event => "Event",
            HeaderName::Expires => "Expires",
            HeaderName::From => "From",
            HeaderName::Identity => "Identity",
            HeaderName::IdentityInfo => "Identity-Info",
            HeaderName::InReplyTo => "In-Reply-To",
            HeaderName::MaxForwards => "Max-Forwards",
            HeaderName::MimeVersion => "MIME-Version",
            HeaderName::MinExpires => "Min-Expires",
            HeaderName::MinSe => "Min-SE",
            HeaderName::Organization => "Organization",
            HeaderName::PAssertedIdentity => "P-Asserted-Identity",
            HeaderName::PPreferredIdentity => "P-Preferred-Identity",
            HeaderName::Path => "Path",
            HeaderName::Priority => "Priority",
            HeaderName::Privacy => "Privacy",
            HeaderName::ProxyAuthenticate => "Proxy-Authenticate",
            HeaderName::ProxyAuthorization => "Proxy-Authorization",
            HeaderName::ProxyRequire => "Proxy-Require",
            HeaderName::RAck => "RAck",
            HeaderName::Reason => "Reason",
            HeaderName::RecordRoute => "Record-Route",
            HeaderName::ReferTo => "Refer-To",
            HeaderName::ReferredBy => "Referred-By",
            HeaderName::RejectContact => "Reject-Contact",
            HeaderName::Replaces => "Replaces",
            HeaderName::ReplyTo => "Reply-To",
            HeaderName::RequestDisposition => "Request-Disposition",
            HeaderName::Require => "Require",
            HeaderName::RetryAfter => "Retry-After",
            HeaderName::Route => "Route",
            HeaderName::RSeq => "RSeq",
            HeaderName::Server => "Server",
            HeaderName::ServiceRoute => "Service-Route",
            HeaderName::SessionExpires => "Session-Expires",
            HeaderName::SipETag => "SIP-ETag",
            HeaderName::SipIfMatch => "SIP-If-Match",
            HeaderName::Subject => "Subject",
            HeaderName::SubscriptionState => "Subscription-State",
            HeaderName::Supported => "Supported",
            HeaderName::Timestamp => "Timestamp",
            HeaderName::To => "To",
            HeaderName::Unsupported => "Unsupported",
            HeaderName::UserAgent => "User-Agent",
            HeaderName::Via => "Via",
            HeaderName::Warning => "Warning",
            HeaderName::WwwAuthenticate => "WWW-Authenticate",
            HeaderName::Other => return None,
        })
    }

    /// The compact form (RFC 3261 §7.3.3), if the name has one.
    pub const fn compact(self) -> Option<u8> {
        match self {
            HeaderName::AcceptContact => Some(b'a'),
            HeaderName::AllowEvents => Some(b'u'),
            HeaderName::CallId => Some(b'i'),
            HeaderName::Contact => Some(b'm'),
            HeaderName::ContentEncoding => Some(b'e'),
            HeaderName::ContentLength => Some(b'l'),
            HeaderName::ContentType => Some(b'c'),
            HeaderName::Event => Some(b'o'),
            HeaderName::From => Some(b'f'),
            HeaderName::Identity => Some(b'y'),
            HeaderName::IdentityInfo => Some(b'n'),
            HeaderName::ReferTo => Some(b'r'),
            HeaderName::ReferredBy => Some(b'b'),
            HeaderName::RejectContact => Some(b'j'),
            HeaderName::RequestDisposition => Some(b'd'),
            HeaderName::SessionExpires => Some(b'x'),
            HeaderName::Subject => Some(b's'),
            HeaderName::Supported => Some(b'k'),
            HeaderName::To => Some(b't'),
            HeaderName::Via => Some(b'v'),
            _ => None,
        }
    }

    /// Whether the header holds a comma-separated list (RFC 3261 §7.3.1), so that
    /// `Via: a, b` is two values.
    pub const fn is_list(self) -> bool {
        matches!(
            self,
            HeaderName::Accept
                | HeaderName::AcceptContact
                | HeaderName::AcceptEncoding
                | HeaderName::AcceptLanguage
                | HeaderName::AlertInfo
                | HeaderName::Allow
                | HeaderName::AllowEvents
                | HeaderName::CallInfo
                | HeaderName::Contact
                | HeaderName::ContentEncoding
                | HeaderName::ContentLanguage
                | HeaderName::ErrorInfo
                | HeaderName::InReplyTo
                | HeaderName::PAssertedIdentity
                | HeaderName::PPreferredIdentity
                | HeaderName::Path
                | HeaderName::ProxyRequire
                | HeaderName::Reason
                | HeaderName::RecordRoute
                | HeaderName::RejectContact
                | HeaderName::RequestDisposition
                | HeaderName::Require
                | HeaderName::Route
                | HeaderName::ServiceRoute
                | HeaderName::Supported
                | HeaderName::Unsupported
                | HeaderName::Via
                | HeaderName::Warning
        )
    }

    /// Resolves a name as it stands in a message, case-insensitively and with compact forms.
    ///
    /// ```
    /// use geosip_core::message::HeaderName;
    /// assert_eq!(HeaderName::from_bytes(b"v"), HeaderName::Via);
    /// assert_eq!(HeaderName::from_bytes(b"cAlL-iD"), HeaderName::CallId);
    /// assert_eq!(HeaderName::from_bytes(b"X-Custom"), HeaderName::Other);
    /// ```
    #[inline]
    pub fn from_bytes(name: &[u8]) -> HeaderName {
        if name.len() == 1 {
            return match name[0] | 0x20 {
                b'a' => HeaderName::AcceptContact,
                b'u' => HeaderName::AllowEvents,
                b'i' => HeaderName::CallId,
                b'm' => HeaderName::Contact,
                b'e' => HeaderName::ContentEncoding,
                b'l' => HeaderName::ContentLength,
                b'c' => HeaderName::ContentType,
                b'o' => HeaderName::Event,
                b'f' => HeaderName::From,
                b'y' => HeaderName::Identity,
                b'n' => HeaderName::IdentityInfo,
                b'r' => HeaderName::ReferTo,
                b'b' => HeaderName::ReferredBy,
                b'j' => HeaderName::RejectContact,
                b'd' => HeaderName::RequestDisposition,
                b'x' => HeaderName::SessionExpires,
                b's' => HeaderName::Subject,
                b'k' => HeaderName::Supported,
                b't' => HeaderName::To,
                b'v' => HeaderName::Via,
                _ => HeaderName::Other,
            };
        }
        let first = name.first().map_or(0, |b| b | 0x20);
        match (name.len(), first) {
            (2, b't') => {
                if eq_lower(name, b"to") {
                    return HeaderName::To;
                }
                HeaderName::Other
            }
            (3, b'v') => {
                if eq_lower(name, b"via") {
                    return HeaderName::Via;
                }
                HeaderName::Other
            }
            (4, b'c') => {
                if eq_lower(name, b"cseq") {
                    return HeaderName::CSeq;
                }
                HeaderName::Other
            }
            (4, b'd') => {
                if eq_lower(name, b"date") {
                    return HeaderName::Date;
                }
                HeaderName::Other
            }
            (4, b'f') => {
                if eq_lower(name, b"from") {
                    return HeaderName::From;
                }
                HeaderName::Other
            }
            (4, b'p') => {
                if eq_lower(name, b"path") {
                    return HeaderName::Path;
                }
                HeaderName::Other
            }
            (4, b'r') => {
                if eq_lower(name, b"rack") {
                    return HeaderName::RAck;
                }
                if eq_lower(name, b"rseq") {
                    return HeaderName::RSeq;
                }
                HeaderName::Other
            }
            (5, b'a') => {
                if eq_lower(name, b"allow") {
                    return HeaderName::Allow;
                }
                HeaderName::Other
            }
            (5, b'e') => {
                if eq_lower(name, b"event") {
                    return HeaderName::Event;
                }
                HeaderName::Other
            }
            (5, b'r') => {
                if eq_lower(name, b"route") {
                    return HeaderName::Route;
                }
                HeaderName::Other
            }
            (6, b'a') => {
                if eq_lower(name, b"accept") {
                    return HeaderName::Accept;
                }
                HeaderName::Other
            }
            (6, b'm') => {
                if eq_lower(name, b"min-se") {
                    return HeaderName::MinSe;
                }
                HeaderName::Other
            }
            (6, b'r') => {
                if eq_lower(name, b"reason") {
                    return HeaderName::Reason;
                }
                HeaderName::Other
            }
            (6, b's') => {
                if eq_lower(name, b"server") {
                    return HeaderName::Server;
                }
                HeaderName::Other
            }
            (7, b'c') => {
                if eq_lower(name, b"call-id") {
                    return HeaderName::CallId;
                }
                if eq_lower(name, b"contact") {
                    return HeaderName::Contact;
                }
                HeaderName::Other
            }
            (7, b'e') => {
                if eq_lower(name, b"expires") {
                    return HeaderName::Expires;
                }
                HeaderName::Other
            }
            (7, b'p') => {
                if eq_lower(name, b"privacy") {
                    return HeaderName::Privacy;
                }
                HeaderName::Other
            }
            (7, b'r') => {
                if eq_lower(name, b"require") {
                    return HeaderName::Require;
                }
                HeaderName::Other
            }
            (7, b's') => {
                if eq_lower(name, b"subject") {
                    return HeaderName::Subject;
                }
                HeaderName::Other
            }
            (7, b'w') => {
                if eq_lower(name, b"warning") {
                    return HeaderName::Warning;
                }
                HeaderName::Other
            }
            (8, b'i') => {
                if eq_lower(name, b"identity") {
                    return HeaderName::Identity;
                }
                HeaderName::Other
            }
            (8, b'p') => {
                if eq_lower(name, b"priority") {
                    return HeaderName::Priority;
                }
                HeaderName::Other
            }
            (8, b'r') => {
                if eq_lower(name, b"refer-to") {
                    return HeaderName::ReferTo;
                }
                if eq_lower(name, b"replaces") {
                    return HeaderName::Replaces;
                }
                if eq_lower(name, b"reply-to") {
                    return HeaderName::ReplyTo;
                }
                HeaderName::Other
            }
            (8, b's') => {
                if eq_lower(name, b"sip-etag") {
                    return HeaderName::SipETag;
                }
                HeaderName::Other
            }
            (9, b'c') => {
                if eq_lower(name, b"call-info") {
                    return HeaderName::CallInfo;
                }
                HeaderName::Other
            }
            (9, b's') => {
                if eq_lower(name, b"supported") {
                    return HeaderName::Supported;
                }
                HeaderName::Other
            }
            (9, b't') => {
                if eq_lower(name, b"timestamp") {
                    return HeaderName::Timestamp;
                }
                HeaderName::Other
            }
            (10, b'a') => {
                if eq_lower(name, b"alert-info") {
                    return HeaderName::AlertInfo;
                }
                HeaderName::Other
            }
            (10, b'e') => {
                if eq_lower(name, b"error-info") {
                    return HeaderName::ErrorInfo;
                }
                HeaderName::Other
            }
            (10, b'u') => {
                if eq_lower(name, b"user-agent") {
                    return HeaderName::UserAgent;
                }
                HeaderName::Other
            }
            (11, b'i') => {
                if eq_lower(name, b"in-reply-to") {
                    return HeaderName::InReplyTo;
                }
                HeaderName::Other
            }
            (11, b'm') => {
                if eq_lower(name, b"min-expires") {
                    return HeaderName::MinExpires;
                }
                HeaderName::Other
            }
            (11, b'r') => {
                if eq_lower(name, b"referred-by") {
                    return HeaderName::ReferredBy;
                }
                if eq_lower(name, b"retry-after") {
                    return HeaderName::RetryAfter;
                }
                HeaderName::Other
            }
            (11, b'u') => {
                if eq_lower(name, b"unsupported") {
                    return HeaderName::Unsupported;
                }
                HeaderName::Other
            }
            (12, b'a') => {
                if eq_lower(name, b"allow-events") {
                    return HeaderName::AllowEvents;
                }
                HeaderName::Other
            }
            (12, b'c') => {
                if eq_lower(name, b"content-type") {
                    return HeaderName::ContentType;
                }
                HeaderName::Other
            }
            (12, b'm') => {
                if eq_lower(name, b"max-forwards") {
                    return HeaderName::MaxForwards;
                }
                if eq_lower(name, b"mime-version") {
                    return HeaderName::MimeVersion;
                }
                HeaderName::Other
            }
            (12, b'o') => {
                if eq_lower(name, b"organization") {
                    return HeaderName::Organization;
                }
                HeaderName::Other
            }
            (12, b'r') => {
                if eq_lower(name, b"record-route") {
                    return HeaderName::RecordRoute;
                }
                HeaderName::Other
            }
            (12, b's') => {
                if eq_lower(name, b"sip-if-match") {
                    return HeaderName::SipIfMatch;
                }
                HeaderName::Other
            }
            (13, b'a') => {
                if eq_lower(name, b"authorization") {
                    return HeaderName::Authorization;
                }
                HeaderName::Other
            }
            (13, b'i') => {
                if eq_lower(name, b"identity-info") {
                    return HeaderName::IdentityInfo;
                }
                HeaderName::Other
            }
            (13, b'p') => {
                if eq_lower(name, b"proxy-require") {
                    return HeaderName::ProxyRequire;
                }
                HeaderName::Other
            }
            (13, b's') => {
                if eq_lower(name, b"service-route") {
                    return HeaderName::ServiceRoute;
                }
                HeaderName::Other
            }
            (14, b'a') => {
                if eq_lower(name, b"accept-contact") {
                    return HeaderName::AcceptContact;
                }
                HeaderName::Other
            }
            (14, b'c') => {
                if eq_lower(name, b"content-length") {
                    return HeaderName::ContentLength;
                }
                HeaderName::Other
            }
            (14, b'r') => {
                if eq_lower(name, b"reject-contact") {
                    return HeaderName::RejectContact;
                }
                HeaderName::Other
            }
            (15, b'a') => {
                if eq_lower(name, b"accept-encoding") {
                    return HeaderName::AcceptEncoding;
                }
                if eq_lower(name, b"accept-language") {
                    return HeaderName::AcceptLanguage;
                }
                HeaderName::Other
            }
            (15, b's') => {
                if eq_lower(name, b"session-expires") {
                    return HeaderName::SessionExpires;
                }
                HeaderName::Other
            }
            (16, b'c') => {
                if eq_lower(name, b"content-encoding") {
                    return HeaderName::ContentEncoding;
                }
                if eq_lower(name, b"content-language") {
                    return HeaderName::ContentLanguage;
                }
                HeaderName::Other
            }
            (16, b'w') => {
                if eq_lower(name, b"www-authenticate") {
                    return HeaderName::WwwAuthenticate;
                }
                HeaderName::Other
            }
            (18, b'p') => {
                if eq_lower(name, b"proxy-authenticate") {
                    return HeaderName::ProxyAuthenticate;
                }
                HeaderName::Other
            }
            (18, b's') => {
                if eq_lower(name, b"subscription-state") {
                    return HeaderName::SubscriptionState;
                }
                HeaderName::Other
            }
            (19, b'a') => {
                if eq_lower(name, b"authentication-info") {
                    return HeaderName::AuthenticationInfo;
                }
                HeaderName::Other
            }
            (19, b'c') => {
                if eq_lower(name, b"content-disposition") {
                    return HeaderName::ContentDisposition;
                }
                HeaderName::Other
            }
            (19, b'p') => {
                if eq_lower(name, b"p-asserted-identity") {
                    return HeaderName::PAssertedIdentity;
                }
                if eq_lower(name, b"proxy-authorization") {
                    return HeaderName::ProxyAuthorization;
                }
                HeaderName::Other
            }
            (19, b'r') => {
                if eq_lower(name, b"request-disposition") {
                    return HeaderName::RequestDisposition;
                }
                HeaderName::Other
            }
            (20, b'p') => {
                if eq_lower(name, b"p-preferred-identity") {
                    return HeaderName::PPreferredIdentity;
                }
                HeaderName::Other
            }
            _ => HeaderName::Other,
        }
    }
}
