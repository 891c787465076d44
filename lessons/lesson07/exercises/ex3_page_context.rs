//! Exercise 3: what page is the user on?
//!
//! An assistant embedded in an app often needs to know where the user is: the invoice they
//! are looking at, the route of the page. The official client has no field for that in its
//! requests. `params.input` of `threads.create` and `threads.add_user_message` is exactly
//! `content`, `attachments`, `quoted_text` and `inference_options`; a `metadata` the page puts
//! there is not part of the protocol, and the server drops it while decoding, before any code
//! of yours sees it. What the official client does let a page change is the `fetch` it sends
//! with: `lessons/lesson07/react/src/App.tsx` adds an `x-page-context` header holding JSON,
//! `{"route": "/invoices"}`. Headers are the context builder's to read.
//!
//! Write `page_context`: the `x-page-context` header decoded as a [`PageContext`]; `None`
//! without the header; a 400 (`HttpError::new(StatusCode::BAD_REQUEST, "bad_page_context",
//! …)`) when it is not such JSON, so that a broken page is told, not silently ignored.
//!
//! The page is the *client's* word: it says where the user is, never who they are or what
//! they may do. Identity still comes from the verified token alone (lesson 06), as
//! `WithPage::build` does.
//!
//! Hint: `parts.headers.get(PAGE_HEADER)`, `to_str()`, then `serde_json::from_str`. The
//! grading test sends the header (the server says the route), then the same route as
//! `params.input.metadata` with no header (the server never sees it), then broken headers (a
//! 400).
//!
//! Check it with `cargo test --test grade lesson07`; serve it with
//! `cargo run --bin lesson07 -- --exercise 3`.

use axum::http::StatusCode;
use axum::http::request::Parts;
use chatkit::auth::{JwtVerifier, Principal, bearer_token};
use chatkit::http::{ContextBuilder, HttpError};
use chatkit::prelude::*;
use chatkit::protocol::RequestOp;
use chatkit::store::{AccessDenied, StoreContext};
use serde::Deserialize;

/// The header the page's `fetch` adds.
pub const PAGE_HEADER: &str = "x-page-context";

/// Where the user is, as the page says.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PageContext {
    /// The page's path, such as `/invoices`.
    pub route: String,
}

/// The header `x-page-context` read as a [`PageContext`]: `None` without it, a 400 if it is
/// not such JSON.
pub fn page_context(parts: &Parts) -> Result<Option<PageContext>, HttpError> {
    // TODO: None without the header, the decoded JSON with it, a 400 if it does not decode.
    todo!("read {PAGE_HEADER}")
}

/// The context of one request: who (from the token) and where (from the page).
#[derive(Debug, Clone)]
pub struct PageCaller {
    /// The verified caller.
    pub principal: Principal,
    /// Where the page says the user is.
    pub page: Option<PageContext>,
}

impl StoreContext for PageCaller {
    fn user_id(&self) -> &str {
        self.principal.user_id()
    }

    fn authorize(&self, request: &RequestOp) -> Result<(), AccessDenied> {
        self.principal.authorize(request)
    }
}

/// The context builder: lesson 06's verified token, plus the page's header.
#[derive(Debug, Clone)]
pub struct WithPage {
    verifier: JwtVerifier,
}

impl WithPage {
    /// Builds contexts from tokens `verifier` accepts.
    pub fn new(verifier: JwtVerifier) -> Self {
        WithPage { verifier }
    }
}

impl ContextBuilder<PageCaller> for WithPage {
    fn build(
        &self,
        parts: &Parts,
    ) -> impl std::future::Future<Output = Result<PageCaller, HttpError>> + Send {
        let caller = (|| -> Result<PageCaller, HttpError> {
            let token = bearer_token(parts)?;
            let principal = Principal::from_claims(self.verifier.verify(token)?);
            Ok(PageCaller {
                principal,
                page: page_context(parts)?,
            })
        })();
        std::future::ready(caller)
    }
}

/// Says where the user is, from the context.
pub struct Guide;

impl ChatKitServer<PageCaller> for Guide {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        caller: PageCaller,
        out: Responder<PageCaller>,
    ) -> EventStream {
        let answer = match &caller.page {
            Some(page) => format!("You are on {}.", page.route),
            None => "I do not know which page you are on.".to_owned(),
        };
        try_stream! {
            yield out.assistant_message(answer);
        }
        .boxed()
    }
}
