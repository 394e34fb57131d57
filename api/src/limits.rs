//! Fair limits on writes. Every POST, PUT, PATCH and DELETE counts against the caller's account
//! (when signed in) and against the client's address, each a GCRA limit (`governor`) whose size
//! comes from settings. A request over either limit is answered `429 rate_limited` with
//! `Retry-After`, and nothing is done. The client address is the peer of the connection;
//! `X-Forwarded-For` is believed only from a configured trusted proxy, so a client cannot
//! choose its own address.
//!
//! Also here, since it is about when to come back: every `503` leaves with `Retry-After`.

use std::{
    net::IpAddr,
    num::NonZeroU32,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use domain::{
    ErrorCode,
    settings::{IpBlock, Settings},
    types::Actor,
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};
use poem::{
    Endpoint, IntoResponse, Middleware, Request, Response,
    http::{HeaderValue, Method, StatusCode, header},
    web::RemoteAddr,
};

use crate::error::{Problem, problem_response};

/// The limiters of one server process.
pub struct Limits {
    accounts: DefaultKeyedRateLimiter<i64>,
    addresses: DefaultKeyedRateLimiter<IpAddr>,
    trusted_proxies: Vec<IpBlock>,
    checks: AtomicU64,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl Limits {
    pub fn new(settings: &Settings) -> Limits {
        Limits {
            accounts: RateLimiter::keyed(per_minute(settings.rate_limit_account)),
            addresses: RateLimiter::keyed(per_minute(settings.rate_limit_address)),
            trusted_proxies: settings.trusted_proxies.clone(),
            checks: AtomicU64::new(0),
        }
    }

    /// How long `actor` at `address` must wait before writing again, if at all.
    fn wait(&self, actor: Option<&Actor>, address: Option<IpAddr>) -> Option<Duration> {
        // Forget keys that are full again now and then, so memory stays bounded.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 10_000 == 9_999 {
            self.accounts.retain_recent();
            self.addresses.retain_recent();
        }
        if let Some(actor) = actor
            && let Err(not_until) = self.accounts.check_key(&actor.account_id.get())
        {
            return Some(not_until.wait_time_from(self.accounts.clock().now()));
        }
        if let Some(address) = address
            && let Err(not_until) = self.addresses.check_key(&address)
        {
            return Some(not_until.wait_time_from(self.addresses.clock().now()));
        }
        None
    }

    /// The client's address: the connection's peer, or, when the peer is a trusted proxy, the
    /// nearest address in `X-Forwarded-For` that is not a trusted proxy.
    pub fn client_address(&self, req: &Request) -> Option<IpAddr> {
        let peer = match req.remote_addr() {
            RemoteAddr(poem::Addr::SocketAddr(a)) => a.ip(),
            _ => return None,
        };
        let trusted = |ip: IpAddr| self.trusted_proxies.iter().any(|b| b.contains(ip));
        if !trusted(peer) {
            return Some(peer);
        }
        let forwarded: Vec<IpAddr> = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|a| a.trim().parse::<IpAddr>())
            .collect::<Result<_, _>>()
            .unwrap_or_default();
        Some(
            forwarded
                .into_iter()
                .rev()
                .find(|ip| !trusted(*ip))
                .unwrap_or(peer),
        )
    }
}

/// Applies [`Limits`] to writes; must run after authentication (it reads the [`Actor`]).
pub struct RateLimit(pub Arc<Limits>);

impl<E: Endpoint> Middleware<E> for RateLimit {
    type Output = RateLimitEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        RateLimitEndpoint(ep, self.0.clone())
    }
}

pub struct RateLimitEndpoint<E>(E, Arc<Limits>);

/// The client's address as [`Limits::client_address`] sees it, for handlers that keep their
/// own limits (sign-in links).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub Option<IpAddr>);

impl<E: Endpoint> Endpoint for RateLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        let limits = &self.1;
        let address = limits.client_address(&req);
        req.extensions_mut().insert(ClientAddress(address));
        if write && let Some(wait) = limits.wait(req.extensions().get::<Actor>(), address) {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let mut response = problem_response(&Problem::new(
                ErrorCode::RateLimited,
                format!("too many writes; try again in {seconds} s"),
            ));
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
            return Ok(response);
        }
        Ok(self.0.call(req).await?.into_response())
    }
}

/// Adds `Retry-After: 1` to a `503` that does not say when to come back (`db_busy`,
/// `search_unavailable`): the conditions pass within moments.
pub async fn retry_after<E: Endpoint>(ep: E, req: Request) -> poem::Result<Response> {
    let mut response = ep.call(req).await?.into_response();
    if response.status() == StatusCode::SERVICE_UNAVAILABLE
        && !response.headers().contains_key(header::RETRY_AFTER)
    {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    Ok(response)
}
