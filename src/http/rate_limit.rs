//! Per-user rate limits: at most N requests a minute for each authenticated caller.
//!
//! Where it sits: in the router, right after the [`ContextBuilder`](super::ContextBuilder) has
//! said who is calling and before the body is read or the processor runs. So it is keyed by
//! the verified identity (the context's [`StoreContext::user_id`], which names the tenant and
//! the user), never by an IP address: many users share an office's address, and one user
//! moves between addresses. A request the builder refuses (a bad token) is not counted
//! against anyone, because nobody was identified.
//!
//! The algorithm is `governor`'s GCRA: a quota of N a minute refills one request every
//! 60/N seconds and allows a burst of N. A refused request costs nothing, and its `429`
//! carries `Retry-After`, the whole seconds until the next request would be allowed.
//!
//! Nothing in the ChatKit ecosystem limits a self-hosted server: only OpenAI's hosted
//! sessions have a per-minute limit. A server that calls a paid model on every message needs
//! one, or one user's script runs up the bill for everyone.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::HttpError;

/// How many checks pass between two sweeps of idle users' state (see [`RateLimit::check`]).
const SWEEP_EVERY: u64 = 4096;

/// A per-user limit of N requests a minute, shared by every clone (one per router).
#[derive(Debug, Clone)]
pub struct RateLimit {
    limiter: Arc<DefaultKeyedRateLimiter<String>>,
    clock: DefaultClock,
    checks: Arc<AtomicU64>,
}

impl RateLimit {
    /// A limit of `requests` a minute per user, with a burst of the same size.
    pub fn per_minute(requests: NonZeroU32) -> Self {
        RateLimit {
            limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(requests))),
            clock: DefaultClock::default(),
            checks: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Counts one request of `user`, or refuses it with `429 rate_limited` and `Retry-After`.
    ///
    /// # Errors
    ///
    /// The 429 when `user` has used up the quota.
    pub fn check(&self, user: &str) -> Result<(), HttpError> {
        self.sweep_now_and_then();
        // The key is copied only here, into the limiter's map; a string key is what lets one
        // limiter serve any context type.
        match self.limiter.check_key(&user.to_owned()) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                tracing::debug!(user, ?wait, "rate limit reached");
                Err(HttpError::rate_limited(wait))
            }
        }
    }

    /// Forgets the users whose quota has refilled completely, every [`SWEEP_EVERY`] checks.
    ///
    /// The limiter keeps one entry per user it has seen; without a sweep, a server that meets
    /// many users (or a caller that mints many identities) grows the map for ever. A full
    /// quota is the same as no entry at all, so forgetting one changes no decision.
    fn sweep_now_and_then(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{StatusCode, header};

    use super::*;

    fn limit(requests: u32) -> RateLimit {
        RateLimit::per_minute(NonZeroU32::new(requests).expect("a positive limit"))
    }

    #[test]
    fn a_burst_over_the_limit_is_refused_with_retry_after() {
        let limit = limit(3);
        for _ in 0..3 {
            assert_eq!(limit.check("alice"), Ok(()));
        }
        let refusal = limit
            .check("alice")
            .expect_err("the fourth request is over the limit");
        assert_eq!(refusal.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refusal.code(), "rate_limited");
        // Three a minute refill one every 20 s: the wait is at most that, and at least 1 s.
        let retry_after: u64 = refusal
            .header(&header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse().ok())
            .expect("a Retry-After in seconds");
        assert!(
            (1..=20).contains(&retry_after),
            "Retry-After: {retry_after}"
        );
    }

    #[test]
    fn one_users_burst_does_not_limit_another_user() {
        let limit = limit(2);
        assert_eq!(limit.check("alice"), Ok(()));
        assert_eq!(limit.check("alice"), Ok(()));
        assert!(limit.check("alice").is_err());
        assert_eq!(limit.check("bob"), Ok(()));
    }

    #[test]
    fn the_clones_of_a_limit_share_one_quota() {
        let limit = limit(1);
        let clone = limit.clone();
        assert_eq!(limit.check("alice"), Ok(()));
        assert!(clone.check("alice").is_err());
    }
}
