//! How other threads reach the driver thread, which spends its idle time
//! blocked in `UdpSocket::recv_from`.
//!
//! Everything for the driver (application commands, flow events, DNS
//! answers) goes into one std mpsc channel. A blocked `recv_from` does not
//! see the channel, so after queueing a message the sender *pokes* the
//! driver: it sends a one-byte datagram to the driver's UDP socket from a
//! dedicated "waker" socket bound to loopback (or to the driver's own
//! address when that is a specific one). `recv_from` returns, the driver
//! recognises the waker's source address, drops the datagram without
//! showing it to the core, and drains the channel. No other host can send
//! from that address: loopback traffic never arrives from outside.
//!
//! A poke that is lost (a full receive buffer) only delays the message
//! until the driver wakes for anything else: the next datagram, the next
//! poke or the core's next deadline.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::sync::mpsc::Sender;
use std::sync::Arc;

use crate::driver::Msg;

/// Pokes the driver's UDP socket.
#[derive(Debug, Clone)]
pub(crate) struct Waker {
    socket: Arc<UdpSocket>,
    /// The driver's socket, as reachable from the waker.
    target: SocketAddr,
}

impl Waker {
    /// A waker for the driver socket bound at `driver` (its real local
    /// address, possibly unspecified).
    pub(crate) fn new(driver: SocketAddr) -> io::Result<Waker> {
        let ip = match driver.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let socket = UdpSocket::bind(SocketAddr::new(ip, 0))?;
        Ok(Waker {
            socket: Arc::new(socket),
            target: SocketAddr::new(ip, driver.port()),
        })
    }

    /// The source address of the pokes, which the driver drops.
    pub(crate) fn addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Wakes the driver. Errors are ignored: once the driver is gone
    /// there is nobody to wake.
    pub(crate) fn wake(&self) {
        let _ = self.socket.send_to(&[0], self.target);
    }
}

/// The driver's inbox: queue a message, then poke.
#[derive(Debug, Clone)]
pub(crate) struct Mailbox {
    tx: Sender<Msg>,
    waker: Waker,
}

impl Mailbox {
    pub(crate) fn new(tx: Sender<Msg>, waker: Waker) -> Mailbox {
        Mailbox { tx, waker }
    }

    /// Queues `msg` for the driver and wakes it; `Err` once the driver has
    /// stopped.
    pub(crate) fn send(&self, msg: Msg) -> Result<(), ()> {
        self.tx.send(msg).map_err(|_| ())?;
        self.waker.wake();
        Ok(())
    }
}
