//! Fair use. Two policies, each a GCRA limit (`governor`) per account and per client address
//! whose size per minute comes from settings:
//! - `writes`: every POST, PUT, PATCH and DELETE counts against the caller's account (when
//!   signed in) and against the client's address;
//! - `reads`: every GET or HEAD of the API (`/api/...`) counts against the caller's account,
//!   whichever of their keys or sessions they use, or, for an anonymous caller, against the
//!   client's address. The site's pages are not counted: they are for people, and a cache in
//!   front of Rabfang takes their crowds.
//!
//! Every counted answer says where the caller stands, in the fields of the IETF draft
//! "RateLimit header fields for HTTP" (`RateLimit-Policy: "reads";q=12000;w=60` and
//! `RateLimit: "reads";r=11999;t=1`: quota per window of seconds, what remains, and seconds
//! until the quota is whole again). A request over a limit is answered `429 rate_limited` with
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
use governor::{
    RateLimiter,
    clock::{Clock, DefaultClock},
    middleware::StateInformationMiddleware,
    state::keyed::DefaultKeyedStateStore,
};
use poem::{
    Endpoint, IntoResponse, Middleware, Request, Response,
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    web::RemoteAddr,
};

use crate::error::{Problem, problem_response};

/// The window every quota is counted over, in seconds.
const WINDOW_SECONDS: u32 = 60;

type Limiter<K> =
    RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock, StateInformationMiddleware>;

/// A quota per minute for one kind of key.
struct Quota<K: std::hash::Hash + Eq + Clone> {
    per_minute: u32,
    limiter: Limiter<K>,
}

impl<K: std::hash::Hash + Eq + Clone> Quota<K> {
    fn new(per_minute: u32) -> Quota<K> {
        let n = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        Quota {
            per_minute: n.get(),
            limiter: RateLimiter::keyed(governor::Quota::per_minute(n))
                .with_middleware::<StateInformationMiddleware>(),
        }
    }

    /// Counts one request of `key`.
    fn check(&self, policy: &'static str, key: &K) -> Decision {
        let per_cell = f64::from(WINDOW_SECONDS) / f64::from(self.per_minute);
        match self.limiter.check_key(key) {
            Ok(state) => {
                let remaining = state.remaining_burst_capacity();
                let used = f64::from(self.per_minute - remaining.min(self.per_minute));
                Decision {
                    policy,
                    quota: self.per_minute,
                    remaining,
                    reset_seconds: (used * per_cell).ceil() as u64,
                    wait: None,
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.limiter.clock().now());
                Decision {
                    policy,
                    quota: self.per_minute,
                    remaining: 0,
                    reset_seconds: (f64::from(self.per_minute) * per_cell).ceil() as u64,
                    wait: Some(wait),
                }
            }
        }
    }
}

/// One policy: a quota per account and one per client address.
struct Policy {
    name: &'static str,
    accounts: Quota<i64>,
    addresses: Quota<IpAddr>,
}

/// What counting a request decided, for its `RateLimit` fields and, when refused, its `429`.
#[derive(Debug, Clone, Copy)]
pub struct Decision {
    policy: &'static str,
    quota: u32,
    remaining: u32,
    reset_seconds: u64,
    /// How long to wait before trying again, when the request is refused.
    wait: Option<Duration>,
}

impl Decision {
    /// Whole seconds to wait (at least 1), when refused.
    fn retry_after(&self) -> Option<u64> {
        self.wait
            .map(|w| (w.as_secs() + u64::from(w.subsec_nanos() > 0)).max(1))
    }

    fn write_fields(&self, headers: &mut HeaderMap) {
        let policy = format!("\"{}\";q={};w={WINDOW_SECONDS}", self.policy, self.quota);
        let state = format!(
            "\"{}\";r={};t={}",
            self.policy,
            self.remaining,
            self.retry_after().unwrap_or(self.reset_seconds)
        );
        for (name, value) in [("ratelimit-policy", policy), ("ratelimit", state)] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
    }
}

/// The limiters of one server process.
pub struct Limits {
    writes: Policy,
    reads: Policy,
    trusted_proxies: Vec<IpBlock>,
    checks: AtomicU64,
}

impl Limits {
    pub fn new(settings: &Settings) -> Limits {
        Limits {
            writes: Policy {
                name: "writes",
                accounts: Quota::new(settings.rate_limit_account),
                addresses: Quota::new(settings.rate_limit_address),
            },
            reads: Policy {
                name: "reads",
                accounts: Quota::new(settings.read_limit_account),
                addresses: Quota::new(settings.read_limit_address),
            },
            trusted_proxies: settings.trusted_proxies.clone(),
            checks: AtomicU64::new(0),
        }
    }

    /// Counts a write of `actor` at `address`: against both the account and the address. The
    /// answer reports the one with less left, or the one that refused.
    fn write(&self, actor: Option<&Actor>, address: Option<IpAddr>) -> Option<Decision> {
        self.forget_now_and_then();
        let p = &self.writes;
        let by_account = actor.map(|a| p.accounts.check(p.name, &a.account_id.get()));
        if let Some(d) = by_account
            && d.wait.is_some()
        {
            return Some(d);
        }
        let by_address = address.map(|a| p.addresses.check(p.name, &a));
        match (by_account, by_address) {
            (Some(a), Some(b)) if b.wait.is_none() && a.remaining <= b.remaining => Some(a),
            (a, None) => a,
            (_, b) => b,
        }
    }

    /// Counts a read of the API: against the account when signed in, else the address.
    fn read(&self, actor: Option<&Actor>, address: Option<IpAddr>) -> Option<Decision> {
        self.forget_now_and_then();
        let p = &self.reads;
        match (actor, address) {
            (Some(actor), _) => Some(p.accounts.check(p.name, &actor.account_id.get())),
            (None, Some(address)) => Some(p.addresses.check(p.name, &address)),
            (None, None) => None,
        }
    }

    /// Forgets keys that are full again now and then, so memory stays bounded.
    fn forget_now_and_then(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % 10_000 == 9_999 {
            for p in [&self.writes, &self.reads] {
                p.accounts.limiter.retain_recent();
                p.addresses.limiter.retain_recent();
            }
        }
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

/// Applies [`Limits`]; must run after authentication (it reads the [`Actor`]).
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
        let limits = &self.1;
        let address = limits.client_address(&req);
        req.extensions_mut().insert(ClientAddress(address));
        let actor = req.extensions().get::<Actor>();
        let decision = match *req.method() {
            Method::OPTIONS => None,
            Method::GET | Method::HEAD if req.uri().path().starts_with("/api/") => {
                limits.read(actor, address)
            }
            Method::GET | Method::HEAD => None,
            _ => limits.write(actor, address),
        };
        if let Some(d) = decision
            && let Some(seconds) = d.retry_after()
        {
            let mut response = problem_response(&Problem::new(
                ErrorCode::RateLimited,
                format!("too many {}; try again in {seconds} s", d.policy),
            ));
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            d.write_fields(response.headers_mut());
            return Ok(response);
        }
        let mut response = self.0.call(req).await?.into_response();
        if let Some(d) = decision {
            d.write_fields(response.headers_mut());
        }
        Ok(response)
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
