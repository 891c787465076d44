//! Exercise 3: one user name, two tenants.
//!
//! A store keeps each user's threads apart by one string, `StoreContext::user_id`. An app
//! that serves several organisations (tenants) has users whose names repeat across them:
//! `alice` at Acme is not `alice` at Globex. So the context must give the store an owner key
//! that names the tenant *and* the user, and two different pairs must never give the same
//! key, or one tenant's user reads another's threads.
//!
//! Write `TenantUser::new`. The obvious `format!("{tenant}:{user}")` is wrong: tenant `a:b`
//! with user `c` and tenant `a` with user `b:c` both become `a:b:c`. Build a key no pair can
//! forge: for instance the tenant's length first (`3:a:b:c` and `1:a:b:c` differ), since the
//! length says exactly where the tenant ends.
//!
//! Hint: `format!("{}:{tenant}:{user}", tenant.len())`. The grading test sends requests as
//! two tenants through the real router and expects a 404 for each request on the other
//! tenant's thread: get, list items, add a message, delete.
//!
//! Check it with `cargo test --test grade lesson05`; serve it with
//! `cargo run --bin lesson05 -- --exercise 3` and send `x-tenant-id` and `x-user-id`.

use axum::http::request::Parts;
use chatkit::http::HttpError;
use chatkit::prelude::*;

/// A user of one tenant.
#[derive(Debug, Clone)]
pub struct TenantUser {
    /// The organisation, from `x-tenant-id`.
    pub tenant: String,
    /// The user's name within it, from `x-user-id`.
    pub user: String,
    /// What the store scopes by: unique for each `(tenant, user)` pair.
    owner: String,
}

impl TenantUser {
    /// The context of `user` in `tenant`.
    pub fn new(tenant: &str, user: &str) -> TenantUser {
        // TODO: an owner key that no other (tenant, user) pair can produce.
        todo!("the owner key of {user} in {tenant}")
    }
}

impl StoreContext for TenantUser {
    fn user_id(&self) -> &str {
        &self.owner
    }
}

/// The context of one request: `x-tenant-id` (or `personal`) and `x-user-id` (or `student`).
pub fn tenant_user_from_headers(parts: &Parts) -> Result<TenantUser, HttpError> {
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
    };
    Ok(TenantUser::new(
        header("x-tenant-id").unwrap_or("personal"),
        header("x-user-id").unwrap_or("student"),
    ))
}

/// Says who wrote, and for which tenant.
pub struct Echo;

impl ChatKitServer<TenantUser> for Echo {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        input: Option<UserMessageItem>,
        ctx: TenantUser,
        out: Responder<TenantUser>,
    ) -> EventStream {
        let words = input.map(|message| message.text()).unwrap_or_default();
        try_stream! {
            yield out.assistant_message(format!("{} of {} said: {words}", ctx.user, ctx.tenant));
        }
        .boxed()
    }
}
