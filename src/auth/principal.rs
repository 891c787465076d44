//! `Principal`: the verified caller, as the store and the processor see it.

use super::Claims;
use crate::protocol::RequestOp;
use crate::store::{AccessDenied, StoreContext};

/// The tenant of a token without a `tenant` claim: the user's own, personal space.
pub const DEFAULT_TENANT: &str = "personal";

/// The role that may only read: fetch threads, list them and list items.
pub const ROLE_VIEWER: &str = "viewer";

/// The ordinary role: read and write. A token with no roles at all is a member.
pub const ROLE_MEMBER: &str = "member";

/// The administrator's role; here it only lifts a viewer's restriction, like [`ROLE_MEMBER`].
pub const ROLE_ADMIN: &str = "admin";

/// Who a request acts for, built from verified claims (or by hand in tests and apps).
///
/// As a [`StoreContext`] its [`user_id`](StoreContext::user_id) is an *owner key* combining
/// the tenant and the user, so the same user name in two tenants owns two separate sets of
/// threads. Its [`authorize`](StoreContext::authorize) lets a viewer read and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    user: String,
    tenant: String,
    roles: Vec<String>,
    /// Computed once: the store asks for it on every call.
    owner: String,
}

impl Principal {
    /// The principal of `user` in `tenant` with `roles`.
    pub fn new(user: impl Into<String>, tenant: impl Into<String>, roles: Vec<String>) -> Self {
        let user = user.into();
        let tenant = tenant.into();
        let owner = owner_key(&tenant, &user);
        Principal {
            user,
            tenant,
            roles,
            owner,
        }
    }

    /// The principal a verified token speaks for; [`DEFAULT_TENANT`] without a `tenant` claim.
    pub fn from_claims(claims: Claims) -> Self {
        let tenant = claims.tenant.unwrap_or_else(|| DEFAULT_TENANT.to_owned());
        Principal::new(claims.sub, tenant, claims.roles)
    }

    /// The user: the token's `sub`.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The tenant the user acts in.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The roles, as the token listed them.
    pub fn roles(&self) -> &[String] {
        &self.roles
    }

    /// Whether `role` is among the principal's roles.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|held| held == role)
    }

    /// Whether the principal may make requests that write (or cost something).
    ///
    /// Only a *viewer* with no role that grants more is read-only. Everyone else writes: a
    /// token with no roles (the lessons' default tokens), a member, an admin, and roles this
    /// server does not know, which neither grant nor take away anything.
    pub fn can_write(&self) -> bool {
        let read_only =
            self.has_role(ROLE_VIEWER) && !self.has_role(ROLE_MEMBER) && !self.has_role(ROLE_ADMIN);
        !read_only
    }
}

impl StoreContext for Principal {
    fn user_id(&self) -> &str {
        &self.owner
    }

    fn authorize(&self, request: &RequestOp) -> Result<(), AccessDenied> {
        if request.is_read_only() || self.can_write() {
            return Ok(());
        }
        Err(AccessDenied(format!(
            "the role {ROLE_VIEWER} may not send {}",
            request.type_name()
        )))
    }
}

/// The key the store files a principal's threads under: one per (tenant, user) pair.
///
/// Joining with a separator alone is ambiguous: tenant `a:b` with user `c` and tenant `a` with
/// user `b:c` would both give `a:b:c`, and one could read the other's threads. Prefixing the
/// tenant's length says where the tenant ends, so no two pairs share a key.
fn owner_key(tenant: &str, user: &str) -> String {
    format!("{}:{tenant}:{user}", tenant.len())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::protocol::request::Request;

    fn principal(roles: &[&str]) -> Principal {
        let roles = roles.iter().map(|role| (*role).to_owned()).collect();
        Principal::new("alice", "acme", roles)
    }

    /// One request of each of the 16 operations, from the protocol fixtures.
    fn one_request_of_each_operation() -> Vec<RequestOp> {
        let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/protocol/request");
        let mut by_type = std::collections::BTreeMap::new();
        for entry in std::fs::read_dir(directory).expect("the request fixtures") {
            let body = std::fs::read(entry.expect("an entry").path()).expect("a fixture");
            let op = Request::from_slice(&body).expect("a valid request").op;
            by_type.entry(op.type_name()).or_insert(op);
        }
        assert_eq!(by_type.len(), 16, "every operation has a fixture");
        by_type.into_values().collect()
    }

    #[test]
    fn the_owner_key_combines_tenant_and_user() {
        assert_eq!(principal(&[]).user_id(), "4:acme:alice");
    }

    #[test]
    fn no_two_tenant_user_pairs_share_an_owner_key() {
        let first = Principal::new("c", "a:b", Vec::new());
        let second = Principal::new("b:c", "a", Vec::new());
        assert_ne!(first.user_id(), second.user_id());
        let same_user_elsewhere = Principal::new("alice", "globex", Vec::new());
        assert_ne!(principal(&[]).user_id(), same_user_elsewhere.user_id());
    }

    #[test]
    fn claims_without_a_tenant_act_in_the_personal_tenant() {
        let mut claims = Claims::for_user("alice", None, Vec::new(), 0, Default::default());
        claims.roles = vec![ROLE_VIEWER.to_owned()];
        let principal = Principal::from_claims(claims);
        assert_eq!(
            (principal.user(), principal.tenant()),
            ("alice", DEFAULT_TENANT)
        );
        assert_eq!(principal.roles(), [ROLE_VIEWER]);
        assert_eq!(principal.user_id(), "8:personal:alice");
    }

    #[test]
    fn a_viewer_may_read_and_nothing_else() {
        let viewer = principal(&[ROLE_VIEWER]);
        assert!(!viewer.can_write());
        for op in one_request_of_each_operation() {
            let decision = viewer.authorize(&op);
            if op.is_read_only() {
                assert_eq!(decision, Ok(()), "{}", op.type_name());
            } else {
                let expected = format!("the role viewer may not send {}", op.type_name());
                assert_eq!(decision, Err(AccessDenied(expected)));
            }
        }
    }

    #[test]
    fn members_admins_and_tokens_without_roles_may_do_everything() {
        let callers = [
            principal(&[]),
            principal(&[ROLE_MEMBER]),
            principal(&[ROLE_VIEWER, ROLE_MEMBER]),
            principal(&[ROLE_VIEWER, ROLE_ADMIN]),
            principal(&["auditor"]),
        ];
        for caller in callers {
            assert!(caller.can_write(), "{:?}", caller.roles());
            for op in one_request_of_each_operation() {
                assert_eq!(caller.authorize(&op), Ok(()), "{}", op.type_name());
            }
        }
    }
}
