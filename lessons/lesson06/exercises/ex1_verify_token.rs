//! Exercise 1: check a bearer token yourself.
//!
//! The lesson's `JwtVerifier` does this for you; here you write it once by hand, so that you
//! know what "verified" means. A token is three base64 parts, `header.payload.signature`. Its
//! payload can say anything: anyone can write `{"sub":"alice"}`. What makes it believable is
//! the signature, which only a holder of the secret can compute, *and* the claims that say for
//! whom and for how long it is good:
//!
//! * the signature must verify with `secret`, with HS256 and no other algorithm;
//! * `aud` (audience) must be [`DEFAULT_AUDIENCE`]: a token minted for another service of the
//!   same company must not open this one;
//! * `iss` (issuer) must be [`DEFAULT_ISSUER`];
//! * `exp` (expiry, Unix seconds) must be later than `now`, the injected clock's time: **not**
//!   the system clock, which the grading test does not control.
//!
//! Write `verify_token`. It returns the token's `sub` (who the caller is), or a [`Refusal`];
//! `TokenCheck`, the context builder below, already turns each refusal into a
//! `401 unauthorized` with `WWW-Authenticate: Bearer`, before the request reaches the processor.
//!
//! Hint: `jsonwebtoken::Validation::new(Algorithm::HS256)`, then `set_audience`,
//! `set_issuer` and `set_required_spec_claims(&["sub", "exp", "aud", "iss"])`; set
//! `validate_exp = false` (the library would read the system clock) and compare `exp` with
//! `now` yourself. The key is `DecodingKey::from_secret(secret)` (a `Result`: a refusal if it
//! fails); decode with `jsonwebtoken::decode::<Checked>(token, &key, &validation)`, whose
//! error's `kind()` is `ErrorKind::InvalidAudience` for a wrong `aud`.
//!
//! Check it with `cargo test --test grade lesson06`; serve it with
//! `cargo run --bin lesson06 -- --exercise 1` (the printed curl carries a token it accepts).

use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use chatkit::auth::{DEFAULT_AUDIENCE, DEFAULT_ISSUER, bearer_token};
use chatkit::clock::Clock;
use chatkit::http::{ContextBuilder, HttpError};
use chatkit::prelude::*;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// Why a token was refused. Each one is a 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No `Authorization: Bearer` header.
    Missing,
    /// Not a JWT, signed with another key or algorithm, or lacking a claim.
    BadToken,
    /// `now` has reached the token's `exp`.
    Expired,
    /// The token is meant for another service.
    WrongAudience,
}

/// The claims this check reads; the others (`aud`, `iss`) are checked by the library.
#[derive(Debug, Deserialize)]
pub struct Checked {
    /// The user.
    pub sub: String,
    /// Expiry, Unix seconds.
    pub exp: i64,
}

/// The `sub` of `token`, if it is signed with `secret` (HS256), meant for
/// [`DEFAULT_AUDIENCE`] by [`DEFAULT_ISSUER`], and not expired at `now` (Unix seconds).
pub fn verify_token(token: &str, secret: &[u8], now: i64) -> Result<String, Refusal> {
    // TODO: decode with a `Validation` for HS256, this audience and issuer; compare `exp`
    // with `now`; return the `sub`.
    todo!("verify the token's signature, audience, issuer and expiry")
}

/// The context builder: the request's bearer token, checked by [`verify_token`] at the
/// clock's time, as a [`UserContext`] of its `sub`. Nothing else in the request is read.
#[derive(Debug, Clone)]
pub struct TokenCheck {
    secret: Arc<[u8]>,
    clock: Arc<dyn Clock>,
}

impl TokenCheck {
    /// Checks tokens signed with `secret`, at `clock`'s time.
    pub fn new(secret: &[u8], clock: Arc<dyn Clock>) -> Self {
        TokenCheck {
            secret: secret.into(),
            clock,
        }
    }

    fn check(&self, parts: &Parts) -> Result<UserContext, HttpError> {
        let now = self.clock.now().as_datetime().timestamp();
        let user = bearer_token(parts)
            .map_err(|_| Refusal::Missing)
            .and_then(|token| verify_token(token, &self.secret, now))
            .map_err(unauthorized)?;
        Ok(UserContext::new(user))
    }
}

/// A refusal as the 401 a client gets, with the challenge that names the scheme to use.
fn unauthorized(refusal: Refusal) -> HttpError {
    HttpError::unauthorized(format!("token refused: {refusal:?}")).with_header(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"chatkit\""),
    )
}

impl ContextBuilder<UserContext> for TokenCheck {
    fn build(
        &self,
        parts: &Parts,
    ) -> impl std::future::Future<Output = Result<UserContext, HttpError>> + Send {
        std::future::ready(self.check(parts))
    }
}

/// Greets the verified user.
pub struct Greeter;

impl ChatKitServer<UserContext> for Greeter {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        try_stream! {
            yield out.assistant_message(format!("Hello, {}.", ctx.user_id()));
        }
        .boxed()
    }
}
