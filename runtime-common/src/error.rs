//! The errors of a phone's commands and of its start.

use std::net::SocketAddr;

use geosip_core::connection::ConnectionError;
use geosip_core::session::CallError;

/// Why a phone command failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PhoneError {
    /// The phone's driver (its task or thread) has stopped: shut down.
    #[error("the phone has stopped")]
    Stopped,
    /// A connection command was refused.
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    /// A call command was refused.
    #[error(transparent)]
    Call(#[from] CallError),
}

/// Why a phone could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The UDP socket (or the std runtime's loopback waker socket) could
    /// not be bound.
    #[error("cannot bind UDP {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
    /// The TLS roots are unusable.
    #[error("TLS configuration: {0}")]
    Tls(#[from] rustls::Error),
    /// No randomness from the operating system for the RNG seed.
    #[error("no randomness for the RNG seed: {0}")]
    Random(String),
    /// The std runtime's driver thread could not be started.
    #[error("cannot start the phone's thread: {0}")]
    Thread(std::io::Error),
}
