//! What authentication costs per request: verifying a bearer token (HS256 and RS256) and
//! counting the request against the caller's rate limit.
//!
//! Run with `cargo bench --bench auth`. Every request to a lesson from 06 on pays one
//! `authenticate` (the header read, the signature checked, the claims decoded) and one rate
//! limit check, before the body is even read; these figures say how much of a request's time
//! that is, next to the pipeline's own (`cargo bench --bench pipeline`).
//!
//! * `authenticate_hs256` / `authenticate_rs256`: a valid token, from the `Authorization`
//!   header to the `Principal`. RS256 verification is an RSA public-key operation, HS256 one
//!   HMAC-SHA256.
//! * `rate_limit_one_user` / `rate_limit_many_users`: one `RateLimit::check` with a quota no
//!   test reaches, for one caller again and again, and for a new caller out of 10,000 each time
//!   (the keyed map's lookup across many entries).

use std::num::NonZeroU32;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::http::Request;
use axum::http::request::Parts;
use chatkit::auth::{Claims, DEVELOPMENT_SECRET, JwtVerifier, mint_hs256, mint_rs256_pem};
use chatkit::clock::FixedClock;
use chatkit::http::RateLimit;
use chatkit::protocol::Timestamp;
use divan::{Bencher, black_box};

/// The instant tokens are issued and checked at.
fn now() -> Timestamp {
    Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("a valid date")
}

/// Alice's claims, valid for an hour from [`now`].
fn claims() -> Claims {
    let issued_at = now().as_datetime().timestamp();
    Claims::for_user(
        "alice",
        Some("acme".to_owned()),
        Vec::new(),
        issued_at,
        Duration::from_secs(3600),
    )
}

/// A request head carrying `token`.
fn head_with(token: &str) -> Parts {
    let (parts, ()) = Request::builder()
        .header("authorization", format!("Bearer {token}"))
        .body(())
        .expect("a request")
        .into_parts();
    parts
}

/// A test key pair's file, from `fixtures/keys/`.
fn key(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/keys")
        .join(name);
    std::fs::read(path).expect("the test key")
}

#[divan::bench]
fn authenticate_hs256(bencher: Bencher) {
    let verifier = JwtVerifier::hs256(DEVELOPMENT_SECRET.as_bytes())
        .expect("a long enough secret")
        .clock(Arc::new(FixedClock::at(now())));
    let token = mint_hs256(DEVELOPMENT_SECRET.as_bytes(), &claims()).expect("a token");
    let head = head_with(&token);
    bencher.bench_local(|| verifier.authenticate(black_box(&head)).expect("valid"));
}

#[divan::bench]
fn authenticate_rs256(bencher: Bencher) {
    let verifier = JwtVerifier::rs256_pem(&key("test-rs256-public.pem"))
        .expect("a public key")
        .clock(Arc::new(FixedClock::at(now())));
    let token = mint_rs256_pem(&key("test-rs256-private.pem"), &claims()).expect("a token");
    let head = head_with(&token);
    bencher.bench_local(|| verifier.authenticate(black_box(&head)).expect("valid"));
}

/// A quota no benchmark run reaches, so every check passes.
fn generous_limit() -> RateLimit {
    RateLimit::per_minute(NonZeroU32::MAX)
}

#[divan::bench]
fn rate_limit_one_user(bencher: Bencher) {
    let limit = generous_limit();
    bencher.bench_local(|| {
        limit
            .check(black_box("5:acme:alice"))
            .expect("under the quota")
    });
}

#[divan::bench]
fn rate_limit_many_users(bencher: Bencher) {
    let limit = generous_limit();
    let users: Vec<String> = (0..10_000).map(|n| format!("8:tenant-{n}:user")).collect();
    let mut next = users.iter().cycle();
    bencher.bench_local(|| {
        let user = next.next().expect("an endless cycle");
        limit.check(black_box(user)).expect("under the quota")
    });
}

fn main() {
    divan::main();
}
