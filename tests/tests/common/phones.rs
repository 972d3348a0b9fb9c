//! The two phones under test behind one face, so every interop scenario
//! runs on both runtimes: tokio (driven from the test thread with
//! `block_on`) and std. Shared by the interop test binaries, each of which
//! uses part of it.
#![allow(dead_code)]

use std::net::{IpAddr, SocketAddr};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use geosip_core::connection::{ConnectionConfig, ConnectionId};
use geosip_core::event::{ConnectionStatus, Event};
use geosip_core::session::SessionId;

/// The face of a phone the scenarios drive: one per runtime.
pub trait Ua {
    fn add(&self, id: u32, cfg: ConnectionConfig);
    fn disable(&self, id: u32);
    fn remove(&self, id: u32);
    fn hold(&self, call: SessionId);
    fn retrieve(&self, call: SessionId);
    /// The connection's status, `None` once removed.
    fn status(&self, id: u32) -> Option<ConnectionStatus>;
    /// The next event, if one comes within `max`.
    fn next_event(&mut self, max: Duration) -> Option<Event>;
    fn dial(&self, id: u32, to: &str) -> SessionId;
    fn answer(&self, call: SessionId);
    fn hangup(&self, call: SessionId);
}

struct TokioUa {
    rt: tokio::runtime::Runtime,
    phone: geosip_tokio::Phone,
    events: geosip_tokio::Events,
}

impl Ua for TokioUa {
    fn add(&self, id: u32, cfg: ConnectionConfig) {
        let f = self.phone.add_connection(ConnectionId(id), cfg);
        self.rt.block_on(f).unwrap();
    }
    fn disable(&self, id: u32) {
        let f = self.phone.disable_connection(ConnectionId(id));
        self.rt.block_on(f).unwrap();
    }
    fn remove(&self, id: u32) {
        let f = self.phone.remove_connection(ConnectionId(id));
        self.rt.block_on(f).unwrap();
    }
    fn hold(&self, call: SessionId) {
        self.rt.block_on(self.phone.hold(call)).unwrap();
    }
    fn retrieve(&self, call: SessionId) {
        self.rt.block_on(self.phone.retrieve(call)).unwrap();
    }
    fn status(&self, id: u32) -> Option<ConnectionStatus> {
        let all = self.rt.block_on(self.phone.connections()).unwrap();
        all.iter()
            .find(|c| c.id == ConnectionId(id))
            .map(|c| c.status)
    }
    fn next_event(&mut self, max: Duration) -> Option<Event> {
        use geosip_tokio::StreamExt;
        let events = &mut self.events;
        self.rt
            .block_on(async { tokio::time::timeout(max, events.next()).await })
            .ok()
            .flatten()
    }
    fn dial(&self, id: u32, to: &str) -> SessionId {
        self.rt
            .block_on(self.phone.dial(ConnectionId(id), to))
            .unwrap()
    }
    fn answer(&self, call: SessionId) {
        self.rt.block_on(self.phone.answer(call)).unwrap();
    }
    fn hangup(&self, call: SessionId) {
        self.rt.block_on(self.phone.hangup(call)).unwrap();
    }
}

impl Drop for TokioUa {
    fn drop(&mut self) {
        self.rt.block_on(self.phone.shutdown());
    }
}

struct StdUa {
    phone: geosip_std::Phone,
    events: Receiver<Event>,
}

impl Ua for StdUa {
    fn add(&self, id: u32, cfg: ConnectionConfig) {
        self.phone.add_connection(ConnectionId(id), cfg).unwrap();
    }
    fn disable(&self, id: u32) {
        self.phone.disable_connection(ConnectionId(id)).unwrap();
    }
    fn remove(&self, id: u32) {
        self.phone.remove_connection(ConnectionId(id)).unwrap();
    }
    fn hold(&self, call: SessionId) {
        self.phone.hold(call).unwrap();
    }
    fn retrieve(&self, call: SessionId) {
        self.phone.retrieve(call).unwrap();
    }
    fn status(&self, id: u32) -> Option<ConnectionStatus> {
        let all = self.phone.connections().unwrap();
        all.iter()
            .find(|c| c.id == ConnectionId(id))
            .map(|c| c.status)
    }
    fn next_event(&mut self, max: Duration) -> Option<Event> {
        self.events.recv_timeout(max).ok()
    }
    fn dial(&self, id: u32, to: &str) -> SessionId {
        self.phone.dial(ConnectionId(id), to).unwrap()
    }
    fn answer(&self, call: SessionId) {
        self.phone.answer(call).unwrap();
    }
    fn hangup(&self, call: SessionId) {
        self.phone.hangup(call).unwrap();
    }
}

impl Drop for StdUa {
    fn drop(&mut self) {
        self.phone.shutdown();
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Runtime {
    Tokio,
    Std,
}

/// A phone of `runtime` on UDP `bind:0`, shutting down within 1 s.
pub fn phone(runtime: Runtime, bind: IpAddr) -> Box<dyn Ua> {
    let bind_udp = SocketAddr::new(bind, 0);
    let shutdown_timeout = Duration::from_secs(1);
    match runtime {
        Runtime::Tokio => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            let cfg = geosip_tokio::PhoneConfig {
                bind_udp,
                shutdown_timeout,
                ..Default::default()
            };
            let (phone, events) = rt.block_on(geosip_tokio::Phone::start(cfg)).unwrap();
            Box::new(TokioUa { rt, phone, events })
        }
        Runtime::Std => {
            let cfg = geosip_std::PhoneConfig {
                bind_udp,
                shutdown_timeout,
                ..Default::default()
            };
            let (phone, events) = geosip_std::Phone::start(cfg).unwrap();
            Box::new(StdUa { phone, events })
        }
    }
}
