//! Exercise 2: the user is who the token says, whatever else the request claims.
//!
//! Lesson 05 believed `x-user-id`. A support tool that "acts for" a customer might be tempted
//! to keep that header as an override once tokens exist: "if `x-user-id` is present, use it,
//! else the token's user". Then alice, who holds a perfectly valid token, sends
//! `x-user-id: bob` and reads, writes and deletes bob's threads. The same goes for anything
//! in the body: a client may put `"metadata": {"user_id": "bob"}` in `threads.create`, and
//! metadata is the client's to write, so it proves nothing either.
//!
//! Write `SpoofProof::caller`: the caller's [`Principal`], built from the *verified* token
//! and nothing else. A missing or bad token is a 401 (the `?` on an [`AuthError`] makes one,
//! with its `WWW-Authenticate` challenge); a header never stands in for a token.
//!
//! Hint: [`bearer_token`] reads the `Authorization` header, [`JwtVerifier::verify`] checks
//! the token and gives its [`Claims`](chatkit::auth::Claims), [`Principal::from_claims`] makes
//! the context. The grading test sends alice's token with `x-user-id: bob` and
//! `metadata.user_id: "bob"` and checks that the thread is alice's.
//!
//! Check it with `cargo test --test grade lesson06`; serve it with
//! `cargo run --bin lesson06 -- --exercise 2`.

use axum::http::request::Parts;
use chatkit::auth::{AuthError, JwtVerifier, Principal, bearer_token};
use chatkit::http::{ContextBuilder, HttpError};
use chatkit::prelude::*;

/// The context builder of this exercise: a verifier, and the rule of where identity comes from.
#[derive(Debug, Clone)]
pub struct SpoofProof {
    verifier: JwtVerifier,
}

impl SpoofProof {
    /// Builds contexts from tokens `verifier` accepts.
    pub fn new(verifier: JwtVerifier) -> Self {
        SpoofProof { verifier }
    }

    /// The caller of one request: the verified token's principal, and only that.
    pub fn caller(&self, parts: &Parts) -> Result<Principal, AuthError> {
        // TODO: the principal of the verified bearer token; nothing else in the request.
        todo!("the caller, from the verified token only")
    }
}

impl ContextBuilder<Principal> for SpoofProof {
    fn build(
        &self,
        parts: &Parts,
    ) -> impl std::future::Future<Output = Result<Principal, HttpError>> + Send {
        std::future::ready(self.caller(parts).map_err(HttpError::from))
    }
}

/// Greets the caller by the name the store files the thread under.
pub struct Greeter;

impl ChatKitServer<Principal> for Greeter {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        caller: Principal,
        out: Responder<Principal>,
    ) -> EventStream {
        try_stream! {
            yield out.assistant_message(format!("Hello, {}.", caller.user()));
        }
        .boxed()
    }
}
