//! Authentication: who is calling, proved by a signed bearer token (lesson 06).
//!
//! The lessons before 06 trust an `x-user-id` header, which any client can set to any value.
//! This module replaces it with a JSON Web Token (JWT) that the client sends as
//! `Authorization: Bearer <token>` and the server verifies with a key the client does not
//! have. Nothing here reads `x-user-id` or any other header but `Authorization`.
//!
//! # Where it sits in the request flow
//!
//! ```text
//! POST /chatkit ─► http::router
//!                   └─ context builder: JwtVerifier::authenticate(request head)
//!                        ├─ bearer_token        (401 Missing / NotBearer / Malformed)
//!                        ├─ JwtVerifier::verify (401 BadSignature / Expired / WrongAudience …)
//!                        └─ Principal::from_claims ─► the request's context
//!                 ─► server::Processor::process
//!                        └─ StoreContext::authorize (403 for a viewer that writes)
//! ```
//!
//! The context is built from *verified* claims only: if the token does not verify, no
//! context exists and the processor never runs.
//!
//! * `jwt.rs`: [`Claims`], the [`JwtVerifier`] (HS256 with a shared secret, or
//!   RS256 with a public key) and, for development, [`mint_hs256`] and [`mint_rs256_pem`].
//! * `principal.rs`: [`Principal`], the verified caller, the store's owner key and the role check.
//! * [`AuthError`]: every reason a token is refused, each sent as `401 unauthorized` with the
//!   `WWW-Authenticate` challenge of RFC 6750.

mod jwt;
mod principal;

use axum::http::request::Parts;
use axum::http::{HeaderValue, header};

use crate::http::HttpError;

pub use jwt::{
    Claims, DEFAULT_AUDIENCE, DEFAULT_ISSUER, DEVELOPMENT_SECRET, JwtVerifier, KeyError,
    MIN_HS256_SECRET_BYTES, mint_hs256, mint_rs256_pem,
};
pub use principal::{DEFAULT_TENANT, Principal, ROLE_ADMIN, ROLE_MEMBER, ROLE_VIEWER};

/// The protection space named in every challenge (`WWW-Authenticate: Bearer realm="chatkit"`).
pub const REALM: &str = "chatkit";

/// Why a request could not be authenticated. Every variant becomes `401 unauthorized`.
///
/// The messages are fixed texts (only a claim name is filled in), because they also travel in
/// the `WWW-Authenticate` header, whose `error_description` may not contain quotes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The request has no `Authorization` header.
    #[error("no bearer token: send `Authorization: Bearer <token>`")]
    Missing,
    /// The `Authorization` header uses another scheme, such as `Basic`.
    #[error("the Authorization header does not use the Bearer scheme")]
    NotBearer,
    /// The header or the token is not shaped like a JWT (not three base64 parts, not JSON, two
    /// tokens, two headers, …).
    #[error("the bearer token is not a well-formed JWT")]
    Malformed,
    /// The signature does not match: another key signed it, or the token was altered.
    #[error("the token's signature does not verify")]
    BadSignature,
    /// The token names another algorithm than the one this server accepts, `none` included.
    #[error("the token is signed with an algorithm this server does not accept")]
    WrongAlgorithm,
    /// The clock has reached the token's `exp`.
    #[error("the token has expired")]
    Expired,
    /// The clock has not reached the token's `nbf` (not before) yet.
    #[error("the token is not valid yet")]
    NotYetValid,
    /// The token's `aud` names another service.
    #[error("the token is meant for another audience")]
    WrongAudience,
    /// The token's `iss` is not the issuer this server trusts.
    #[error("the token comes from an issuer this server does not trust")]
    WrongIssuer,
    /// A claim every token must carry (`sub`, `exp`, `aud`, `iss`) is absent.
    #[error("the token has no `{0}` claim")]
    MissingClaim(String),
    /// A claim is present with the wrong type or an unusable value (an empty `sub`, …).
    #[error("the token's `{0}` claim is not valid")]
    InvalidClaim(String),
}

impl AuthError {
    /// The `WWW-Authenticate` challenge for this refusal (RFC 6750, section 3).
    ///
    /// A request that carried no bearer token at all gets the bare challenge: the RFC says not
    /// to send an error code when the client did not try Bearer (it may not know it must). Every
    /// other refusal is an `invalid_token`, with this error's message as the description.
    pub fn challenge(&self) -> String {
        match self {
            AuthError::Missing | AuthError::NotBearer => format!("Bearer realm=\"{REALM}\""),
            _ => format!(
                "Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"{self}\""
            ),
        }
    }
}

impl From<AuthError> for HttpError {
    fn from(error: AuthError) -> Self {
        // The messages are fixed ASCII texts, so the header is always valid; the bare challenge
        // is the fallback only so that this conversion cannot panic.
        let challenge = HeaderValue::from_str(&error.challenge())
            .unwrap_or_else(|_| HeaderValue::from_static("Bearer realm=\"chatkit\""));
        HttpError::unauthorized(error.to_string()).with_header(header::WWW_AUTHENTICATE, challenge)
    }
}

/// The token of the request's `Authorization: Bearer <token>` header.
///
/// The scheme is case-insensitive (`bearer` works too, RFC 7235, section 2.1); after it comes exactly
/// one space and one token with no spaces in it.
///
/// # Errors
///
/// [`AuthError::Missing`] without the header, [`AuthError::NotBearer`] for another scheme, and
/// [`AuthError::Malformed`] for anything else: an empty token, two tokens, a header sent twice
/// (which one would a proxy have added?) or bytes that are not text.
pub fn bearer_token(parts: &Parts) -> Result<&str, AuthError> {
    let mut values = parts.headers.get_all(header::AUTHORIZATION).iter();
    let value = values.next().ok_or(AuthError::Missing)?;
    if values.next().is_some() {
        return Err(AuthError::Malformed);
    }
    let value = value.to_str().map_err(|_| AuthError::Malformed)?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::NotBearer);
    }
    if token.is_empty() || token.contains(char::is_whitespace) {
        return Err(AuthError::Malformed);
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use axum::http::{Request, StatusCode};

    use super::*;

    fn head_with(headers: &[(&str, &str)]) -> Parts {
        let mut request = Request::builder().uri("/chatkit");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(()).expect("a valid request").into_parts().0
    }

    #[test]
    fn reads_the_token_after_a_case_insensitive_bearer_scheme() {
        for value in [
            "Bearer abc.def.ghi",
            "bearer abc.def.ghi",
            "BEARER abc.def.ghi",
        ] {
            let head = head_with(&[("authorization", value)]);
            assert_eq!(bearer_token(&head), Ok("abc.def.ghi"), "{value}");
        }
    }

    #[test]
    fn a_request_without_authorization_is_missing_its_token_whatever_else_it_sends() {
        let head = head_with(&[("x-user-id", "alice")]);
        assert_eq!(bearer_token(&head), Err(AuthError::Missing));
    }

    #[test]
    fn another_scheme_is_not_bearer() {
        for value in ["Basic YWxpY2U6c2VjcmV0", "Token abc", "abc.def.ghi"] {
            let head = head_with(&[("authorization", value)]);
            assert_eq!(bearer_token(&head), Err(AuthError::NotBearer), "{value}");
        }
    }

    #[test]
    fn an_empty_token_two_tokens_or_two_headers_are_malformed() {
        for value in ["Bearer", "Bearer ", "Bearer a b", "Bearer  abc"] {
            let head = head_with(&[("authorization", value)]);
            assert_eq!(bearer_token(&head), Err(AuthError::Malformed), "{value:?}");
        }
        let twice = head_with(&[("authorization", "Bearer a"), ("authorization", "Bearer b")]);
        assert_eq!(bearer_token(&twice), Err(AuthError::Malformed));
    }

    #[test]
    fn every_refusal_is_a_401_with_its_rfc_6750_challenge() {
        let bare = "Bearer realm=\"chatkit\"";
        let invalid = |description: &str| {
            format!(
                "Bearer realm=\"chatkit\", error=\"invalid_token\", error_description=\"{description}\""
            )
        };
        let cases = [
            (AuthError::Missing, bare.to_owned()),
            (AuthError::NotBearer, bare.to_owned()),
            (
                AuthError::Malformed,
                invalid("the bearer token is not a well-formed JWT"),
            ),
            (
                AuthError::BadSignature,
                invalid("the token's signature does not verify"),
            ),
            (
                AuthError::WrongAlgorithm,
                invalid("the token is signed with an algorithm this server does not accept"),
            ),
            (AuthError::Expired, invalid("the token has expired")),
            (
                AuthError::NotYetValid,
                invalid("the token is not valid yet"),
            ),
            (
                AuthError::WrongAudience,
                invalid("the token is meant for another audience"),
            ),
            (
                AuthError::WrongIssuer,
                invalid("the token comes from an issuer this server does not trust"),
            ),
            (
                AuthError::MissingClaim("aud".to_owned()),
                invalid("the token has no `aud` claim"),
            ),
            (
                AuthError::InvalidClaim("sub".to_owned()),
                invalid("the token's `sub` claim is not valid"),
            ),
        ];
        for (error, challenge) in cases {
            let message = error.to_string();
            let refusal = HttpError::from(error);
            assert_eq!(refusal.status(), StatusCode::UNAUTHORIZED, "{message}");
            assert_eq!(refusal.code(), "unauthorized", "{message}");
            assert_eq!(refusal.message(), message);
            let sent = refusal
                .header(&header::WWW_AUTHENTICATE)
                .expect("a challenge on every 401");
            assert_eq!(sent, challenge.as_str(), "{message}");
        }
    }
}
