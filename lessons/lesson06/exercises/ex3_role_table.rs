//! Exercise 3: what each role may do, as a table.
//!
//! A team shares its threads: everyone in the tenant reads and writes the same ones (the
//! owner key below is the team's, not the user's). What a member may *do* depends on their
//! role, and the processor asks the context before anything is loaded or changed:
//! `StoreContext::authorize(&self, request) -> Result<(), AccessDenied>`. A refusal is a
//! `403 forbidden`, and the store is left exactly as it was.
//!
//! Write `authorize` for [`Member`] as this table:
//!
//! | role     | may send                                               |
//! |----------|--------------------------------------------------------|
//! | `viewer` | the reads only: `threads.get_by_id`, `threads.list`, `items.list` |
//! | `editor` | everything except `threads.delete`                     |
//! | `owner`  | everything                                             |
//!
//! A 403 is right here, not a 404: the thread is the team's and the viewer may see that it
//! exists; what they lack is the right to change it.
//!
//! Hint: [`RequestOp::is_read_only`] says whether a request only reads;
//! `matches!(request, RequestOp::ThreadsDelete(_))` finds the delete;
//! [`RequestOp::type_name`] names the request in the [`AccessDenied`] message. Match on
//! `(self.role, …)` so the table reads as one.
//!
//! Check it with `cargo test --test grade lesson06`; serve it with
//! `cargo run --bin lesson06 -- --exercise 3` and a token from
//! `cargo run --bin lesson06 -- mint-token --sub carol --tenant acme --role viewer`.

use axum::http::request::Parts;
use chatkit::auth::{Claims, JwtVerifier, bearer_token};
use chatkit::http::{ContextBuilder, HttpError};
use chatkit::prelude::*;
use chatkit::protocol::RequestOp;
use chatkit::store::AccessDenied;

/// What a member of a team may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Reads only.
    Viewer,
    /// Reads and writes, but does not delete threads.
    Editor,
    /// Anything.
    Owner,
}

impl Role {
    /// The role a token grants: `owner`, else `editor`, else (no or unknown roles) `viewer`,
    /// the least, so that a role nobody configured grants nothing.
    pub fn of(claims: &Claims) -> Role {
        let has = |role: &str| claims.roles.iter().any(|held| held == role);
        if has("owner") {
            Role::Owner
        } else if has("editor") {
            Role::Editor
        } else {
            Role::Viewer
        }
    }
}

/// A member of a team, from a verified token.
#[derive(Debug, Clone)]
pub struct Member {
    /// The user: the token's `sub`.
    pub user: String,
    /// What they may do.
    pub role: Role,
    /// The team's owner key: all its members share its threads.
    team: String,
}

impl Member {
    /// `user` of `team`, acting as `role`.
    pub fn new(user: &str, team: &str, role: Role) -> Member {
        Member {
            user: user.to_owned(),
            role,
            team: format!("team:{team}"),
        }
    }
}

impl StoreContext for Member {
    fn user_id(&self) -> &str {
        &self.team
    }

    fn authorize(&self, request: &RequestOp) -> Result<(), AccessDenied> {
        // TODO: the table of the module doc: viewer reads only, editor anything but
        // `threads.delete`, owner anything. Refuse with an `AccessDenied` naming the request.
        todo!("may a {:?} send {}?", self.role, request.type_name())
    }
}

/// The context builder: the verified token's user, team (tenant) and role.
#[derive(Debug, Clone)]
pub struct Members {
    verifier: JwtVerifier,
}

impl Members {
    /// Builds members from tokens `verifier` accepts.
    pub fn new(verifier: JwtVerifier) -> Self {
        Members { verifier }
    }

    fn member(&self, parts: &Parts) -> Result<Member, HttpError> {
        let claims = self.verifier.verify(bearer_token(parts)?)?;
        let team = claims
            .tenant
            .clone()
            .unwrap_or_else(|| "personal".to_owned());
        Ok(Member::new(&claims.sub, &team, Role::of(&claims)))
    }
}

impl ContextBuilder<Member> for Members {
    fn build(
        &self,
        parts: &Parts,
    ) -> impl std::future::Future<Output = Result<Member, HttpError>> + Send {
        std::future::ready(self.member(parts))
    }
}

/// Says who wrote, and as what.
pub struct Echo;

impl ChatKitServer<Member> for Echo {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        input: Option<UserMessageItem>,
        ctx: Member,
        out: Responder<Member>,
    ) -> EventStream {
        let words = input.map(|message| message.text()).unwrap_or_default();
        try_stream! {
            yield out.assistant_message(format!("{} ({:?}) said: {words}", ctx.user, ctx.role));
        }
        .boxed()
    }
}
