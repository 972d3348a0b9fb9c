//! What TCP does while the path is cut: segments that reach the cut are
//! held and retransmitted with a doubling timeout (RFC 6298 §5.5), so a
//! cut that ends in time only delays them; a flow whose bytes stay stuck
//! for [`NetConfig::stream_give_up`](super::NetConfig::stream_give_up)
//! dies on both ends, as a TCP user timeout (RFC 5482) would end it.

use std::time::{Duration, Instant};

use geosip_core::io::{FlowId, TransportError};

use super::{EndpointInput, EndpointSide, Network, Packet, SiteInput, SiteSide};

/// Which way parked bytes were going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Direction {
    ToSite,
    ToEndpoint,
}

/// The first retransmission instant `since + rto·(2^k − 1)`, k ≥ 1, that
/// is after `now`.
fn next_retransmission(since: Instant, now: Instant, rto: Duration) -> Instant {
    let (mut t, mut step) = (since + rto, rto.max(Duration::from_millis(1)));
    while t <= now {
        step *= 2;
        t += step;
    }
    t
}

impl Network {
    /// Holds `data` for retransmission.
    pub(super) fn park(&mut self, now: Instant, flow: FlowId, dir: Direction, data: Vec<u8>) {
        let rto = self.config.stream_rto;
        let give_up = self.config.stream_give_up;
        let Some(f) = self.flows.get_mut(&flow) else {
            return;
        };
        let parked = match dir {
            Direction::ToSite => &mut f.parked_to_site,
            Direction::ToEndpoint => &mut f.parked_to_endpoint,
        };
        self.stats.dropped_by_cut += 1;
        parked.segments.push_back(data);
        if parked.since.is_none() {
            parked.since = Some(now);
            self.schedule(now + rto, Packet::Retransmit(flow, dir));
            self.schedule(now + give_up, Packet::GiveUp(flow, dir, now));
        }
    }

    /// A retransmission: through if the cut is over, else wait for the
    /// next one.
    pub(super) fn retransmit(&mut self, now: Instant, flow: FlowId, dir: Direction) {
        let rto = self.config.stream_rto;
        let Some(f) = self.flows.get_mut(&flow) else {
            return;
        };
        let host = f.remote.ip();
        let parked = match dir {
            Direction::ToSite => &mut f.parked_to_site,
            Direction::ToEndpoint => &mut f.parked_to_endpoint,
        };
        let Some(since) = parked.since else {
            return;
        };
        if self.hosts.get(&host).is_none_or(|h| h.cut) {
            let at = next_retransmission(since, now, rto);
            self.schedule(at, Packet::Retransmit(flow, dir));
            return;
        }
        parked.since = None;
        let segments = std::mem::take(&mut parked.segments);
        for data in segments {
            match dir {
                Direction::ToSite => self.stream_reaches_site(now, flow, data),
                Direction::ToEndpoint => self.stream_reaches_endpoint(flow, data),
            }
        }
    }

    /// The retransmissions of bytes parked at `since` ran out.
    pub(super) fn give_up(&mut self, flow: FlowId, dir: Direction, since: Instant) {
        let Some(f) = self.flows.get_mut(&flow) else {
            return;
        };
        let parked = match dir {
            Direction::ToSite => &f.parked_to_site,
            Direction::ToEndpoint => &f.parked_to_endpoint,
        };
        if parked.since != Some(since) {
            return;
        }
        let host = f.remote.ip();
        let tell_endpoint = f.endpoint != EndpointSide::Done;
        let tell_site = f.site == SiteSide::Open;
        f.endpoint = EndpointSide::Done;
        f.site = SiteSide::Closed;
        if tell_endpoint {
            self.deliver_to_endpoint(EndpointInput::FlowFailed {
                flow,
                error: TransportError::Other("connection timed out".into()),
            });
        }
        if tell_site {
            self.deliver_to_site(host, SiteInput::FlowClosed { flow });
        }
        self.forget_if_finished(flow);
    }

    /// Stream bytes reach the site's host (first try or retransmission).
    pub(super) fn stream_reaches_site(&mut self, now: Instant, flow: FlowId, data: Vec<u8>) {
        let Some(f) = self.flows.get(&flow) else {
            return;
        };
        let host = f.remote.ip();
        if self.is_cut(host) || !f.parked_to_site.is_empty() {
            self.park(now, flow, Direction::ToSite, data);
            return;
        }
        match f.site {
            SiteSide::Open => self.deliver_to_site(host, SiteInput::StreamData { flow, data }),
            // Bytes to a closed port draw a reset.
            SiteSide::Closed if f.endpoint != EndpointSide::Done => {
                let delay = self.host_link(host).delay;
                self.schedule(now + delay, Packet::Rst(flow, TransportError::Reset));
            }
            _ => {}
        }
    }

    /// Stream bytes reach the endpoint (first try or retransmission).
    pub(super) fn stream_reaches_endpoint(&mut self, flow: FlowId, data: Vec<u8>) {
        let Some(f) = self.flows.get(&flow) else {
            return;
        };
        if f.endpoint == EndpointSide::Connected {
            self.deliver_to_endpoint(EndpointInput::StreamData { flow, data });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retransmissions_double() {
        let t0 = Instant::now();
        let rto = Duration::from_millis(200);
        let at = |ms| next_retransmission(t0, t0 + Duration::from_millis(ms), rto) - t0;
        assert_eq!(at(0), Duration::from_millis(200));
        assert_eq!(at(200), Duration::from_millis(600));
        assert_eq!(at(4000), Duration::from_millis(6200));
    }
}
