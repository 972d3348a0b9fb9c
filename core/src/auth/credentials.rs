//! The user name and password a client answers digest challenges with
//! (RFC 3261 §22.4, RFC 7616 §3.4).

use crate::connection::Secret;

/// A digest user name and password. The password is a [`Secret`], so
/// `Debug` output and logs never show it.
///
/// # Examples
///
/// ```
/// use geosip_core::auth::Credentials;
///
/// let creds = Credentials::new("alice", "s3cret");
/// assert_eq!(creds.password.expose(), "s3cret");
/// assert!(!format!("{creds:?}").contains("s3cret"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The digest user name (the auth user, often the DN).
    pub username: String,
    /// The password.
    pub password: Secret,
}

impl Credentials {
    /// Credentials from a user name and a password.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials {
            username: username.into(),
            password: Secret::new(password),
        }
    }
}
