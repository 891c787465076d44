//! JSON Web Tokens: the claims a token carries, the verifier, and minting for development.
//!
//! A JWT is `header.payload.signature`, each part base64url-encoded JSON (RFC 7519). The
//! header names the signing algorithm, the payload holds the claims, and the signature proves
//! that someone holding the key wrote both. [`JwtVerifier::verify`] trusts a token only when
//! all of these hold:
//!
//! 1. the header names the one algorithm the verifier was built for (the header is written by
//!    the client, so letting it choose would let it pick `none`, or HS256 keyed with our
//!    *public* RSA key: the "algorithm confusion" attack);
//! 2. the signature verifies with the verifier's key;
//! 3. `sub`, `exp`, `aud` and `iss` are present, `aud` and `iss` are the expected ones;
//! 4. the injected [`Clock`] is before `exp` and not before `nbf` (when present).

use std::sync::Arc;
use std::time::Duration;

use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::{AuthError, Principal, bearer_token};
use crate::clock::{Clock, SystemClock};
use crate::http::{ContextBuilder, HttpError};

/// The audience a verifier expects unless told otherwise: tokens minted for this server.
pub const DEFAULT_AUDIENCE: &str = "chatkit";

/// The issuer a verifier trusts unless told otherwise: the lessons' development issuer.
pub const DEFAULT_ISSUER: &str = "chatkit-dev";

/// The HS256 secret the lessons use when none is given on the command line.
///
/// Development only: it is published in this source file, so anyone can mint tokens with it.
/// A real deployment passes its own secret, or verifies RS256 tokens with a public key.
pub const DEVELOPMENT_SECRET: &str = "chatkit-rs development secret: never use in production";

/// The shortest HS256 secret accepted: 32 bytes, the size of the hash (RFC 7518, section 3.2).
pub const MIN_HS256_SECRET_BYTES: usize = 32;

/// The claims of a ChatKit token: who the caller is, for whom and for how long it is valid.
///
/// # Wire format
///
/// `{"sub":"alice","tenant":"acme","roles":["viewer"],"exp":1700003600,"iat":1700000000,
/// "aud":"chatkit","iss":"chatkit-dev"}`. Times are whole seconds since the Unix epoch;
/// `aud` is one string (a list of audiences is refused as an invalid claim).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user: the subject the token speaks for. Required and not empty.
    pub sub: String,
    /// The organisation the user acts in; [`super::DEFAULT_TENANT`] when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The user's roles, such as `viewer`; none means an ordinary member.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Expiry: the token is refused from this second on.
    pub exp: i64,
    /// Not before: the token is refused before this second, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// When the token was issued; informative, not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// The service the token is meant for.
    pub aud: String,
    /// Who issued (signed) the token.
    pub iss: String,
}

impl Claims {
    /// Development claims for `sub`, issued at `issued_at` (Unix seconds) and valid for
    /// `expires_in`, for [`DEFAULT_AUDIENCE`] from [`DEFAULT_ISSUER`].
    pub fn for_user(
        sub: impl Into<String>,
        tenant: Option<String>,
        roles: Vec<String>,
        issued_at: i64,
        expires_in: Duration,
    ) -> Self {
        Claims {
            sub: sub.into(),
            tenant,
            roles,
            exp: issued_at.saturating_add(whole_seconds(expires_in)),
            nbf: None,
            iat: Some(issued_at),
            aud: DEFAULT_AUDIENCE.to_owned(),
            iss: DEFAULT_ISSUER.to_owned(),
        }
    }

    /// Reads the claims of a token whose signature, `aud` and `iss` were already checked.
    fn from_verified_json(payload: serde_json::Value) -> Result<Self, AuthError> {
        let claims: Claims = serde_path_to_error::deserialize(payload)
            .map_err(|error| AuthError::InvalidClaim(error.path().to_string()))?;
        // An empty name is no identity: it would make every such token the same user.
        if claims.sub.is_empty() {
            return Err(AuthError::InvalidClaim("sub".to_owned()));
        }
        if claims.tenant.as_deref() == Some("") {
            return Err(AuthError::InvalidClaim("tenant".to_owned()));
        }
        Ok(claims)
    }
}

/// Why a key could not be used to verify or to sign.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The HS256 secret is shorter than [`MIN_HS256_SECRET_BYTES`]: short secrets can be
    /// guessed offline from any one token.
    #[error("an HS256 secret needs at least {MIN_HS256_SECRET_BYTES} bytes; this one has {length}")]
    SecretTooShort {
        /// The length of the secret given, in bytes.
        length: usize,
    },
    /// A private key was given where the public one belongs. The server only verifies, so it
    /// never needs the private key (and the library would only fail later, on every token).
    #[error("this is a private key: a verifier needs the public key only")]
    PrivateKeyGiven,
    /// The JWT library refused the key (not PEM, not RSA, …) or could not sign with it.
    #[error(transparent)]
    Jwt(#[from] jsonwebtoken::errors::Error),
}

/// Checks bearer tokens: one algorithm, one key, the expected audience and issuer, and the
/// token's lifetime against an injected clock.
///
/// Built with [`JwtVerifier::hs256`] or [`JwtVerifier::rs256_pem`], then adjusted with the
/// builder methods. Defaults: audience [`DEFAULT_AUDIENCE`], issuer [`DEFAULT_ISSUER`], the
/// [`SystemClock`], and **no leeway**: a token is refused from the second of its `exp`. The
/// lessons mint and verify tokens on one machine, so there is no clock skew to forgive; give
/// a few seconds with [`JwtVerifier::leeway`] when the issuer runs elsewhere.
///
/// It is also a [`ContextBuilder`] for [`crate::http::router`]: each request's context is the
/// [`Principal`] of its token.
#[derive(Debug, Clone)]
pub struct JwtVerifier {
    algorithm: Algorithm,
    key: DecodingKey,
    audience: String,
    issuer: String,
    clock: Arc<dyn Clock>,
    leeway: Duration,
}

impl JwtVerifier {
    /// A verifier of HS256 tokens signed with the shared `secret`.
    ///
    /// # Errors
    ///
    /// [`KeyError::SecretTooShort`] for a secret under [`MIN_HS256_SECRET_BYTES`] bytes.
    pub fn hs256(secret: &[u8]) -> Result<Self, KeyError> {
        check_secret_length(secret)?;
        Ok(JwtVerifier::new(
            Algorithm::HS256,
            DecodingKey::from_secret(secret)?,
        ))
    }

    /// A verifier of RS256 tokens, with the issuer's RSA public key in PEM form
    /// (`-----BEGIN PUBLIC KEY-----` or `-----BEGIN RSA PUBLIC KEY-----`).
    ///
    /// # Errors
    ///
    /// [`KeyError::PrivateKeyGiven`] for a private key, [`KeyError::Jwt`] for text that is not
    /// an RSA key in PEM form.
    pub fn rs256_pem(public_pem: &[u8]) -> Result<Self, KeyError> {
        if String::from_utf8_lossy(public_pem).contains("PRIVATE KEY-----") {
            return Err(KeyError::PrivateKeyGiven);
        }
        Ok(JwtVerifier::new(
            Algorithm::RS256,
            DecodingKey::from_rsa_pem(public_pem)?,
        ))
    }

    fn new(algorithm: Algorithm, key: DecodingKey) -> Self {
        JwtVerifier {
            algorithm,
            key,
            audience: DEFAULT_AUDIENCE.to_owned(),
            issuer: DEFAULT_ISSUER.to_owned(),
            clock: Arc::new(SystemClock),
            leeway: Duration::ZERO,
        }
    }

    /// Expects `audience` in the tokens' `aud` instead of [`DEFAULT_AUDIENCE`].
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = audience.into();
        self
    }

    /// Trusts tokens from `issuer` instead of [`DEFAULT_ISSUER`].
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = issuer.into();
        self
    }

    /// Reads the time from `clock` to check `exp` and `nbf` (tests pass a fixed clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Accepts tokens up to `leeway` after their `exp` and before their `nbf`, for clock skew
    /// between the issuer and this server. Whole seconds; the default is none.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The verified claims of `token`.
    ///
    /// # Errors
    ///
    /// The [`AuthError`] naming the first check that failed, in the order of the module doc.
    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        self.refuse_other_algorithms(token)?;
        let verified =
            jsonwebtoken::decode::<serde_json::Value>(token, &self.key, &self.validation())
                .map_err(auth_error_of)?;
        let claims = Claims::from_verified_json(verified.claims)?;
        self.check_lifetime(&claims)?;
        Ok(claims)
    }

    /// The whole check of one request: its bearer token, verified, as a [`Principal`].
    ///
    /// # Errors
    ///
    /// `401 unauthorized` with a `WWW-Authenticate` challenge (see [`AuthError`]).
    pub fn authenticate(&self, parts: &Parts) -> Result<Principal, HttpError> {
        let token = bearer_token(parts)?;
        let claims = self.verify(token)?;
        Ok(Principal::from_claims(claims))
    }

    /// Refuses a token whose header names another algorithm, before any key is used.
    ///
    /// The library checks this too; doing it first, ourselves, gives `alg: none` (which the
    /// library cannot even parse) the precise [`AuthError::WrongAlgorithm`] rather than
    /// [`AuthError::Malformed`].
    fn refuse_other_algorithms(&self, token: &str) -> Result<(), AuthError> {
        let declared = declared_algorithm(token)?;
        match declared.parse::<Algorithm>() {
            Ok(algorithm) if algorithm == self.algorithm => Ok(()),
            _ => Err(AuthError::WrongAlgorithm),
        }
    }

    /// What the library checks: the algorithm, the signature, the required claims, `aud` and
    /// `iss`. Not the times: it would read the system clock, and ours is injected.
    fn validation(&self) -> Validation {
        let mut validation = Validation::new(self.algorithm);
        validation.set_required_spec_claims(&["sub", "exp", "aud", "iss"]);
        validation.set_audience(&[&self.audience]);
        validation.set_issuer(&[&self.issuer]);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation
    }

    /// Checks `exp` and `nbf` against the injected clock, with the leeway.
    fn check_lifetime(&self, claims: &Claims) -> Result<(), AuthError> {
        let now = self.clock.now().as_datetime().timestamp();
        let leeway = whole_seconds(self.leeway);
        // RFC 7519, section 4.1.4: the token must not be accepted "on or after" its expiry.
        if now >= claims.exp.saturating_add(leeway) {
            return Err(AuthError::Expired);
        }
        if let Some(not_before) = claims.nbf
            && now.saturating_add(leeway) < not_before
        {
            return Err(AuthError::NotYetValid);
        }
        Ok(())
    }
}

impl ContextBuilder<Principal> for JwtVerifier {
    fn build(&self, parts: &Parts) -> impl Future<Output = Result<Principal, HttpError>> + Send {
        // Verifying needs no I/O: the key is already in memory.
        std::future::ready(self.authenticate(parts))
    }
}

/// The header's `alg`, as the client wrote it, whatever it names.
fn declared_algorithm(token: &str) -> Result<String, AuthError> {
    /// The one header field read before the token is trusted.
    #[derive(Deserialize)]
    struct AlgorithmOnly {
        alg: String,
    }
    let (encoded_header, _) = token.split_once('.').ok_or(AuthError::Malformed)?;
    let header_json = URL_SAFE_NO_PAD
        .decode(encoded_header)
        .map_err(|_| AuthError::Malformed)?;
    let header: AlgorithmOnly =
        serde_json::from_slice(&header_json).map_err(|_| AuthError::Malformed)?;
    Ok(header.alg)
}

/// The [`AuthError`] for a refusal by the JWT library.
fn auth_error_of(error: jsonwebtoken::errors::Error) -> AuthError {
    match error.into_kind() {
        ErrorKind::InvalidSignature => AuthError::BadSignature,
        ErrorKind::InvalidAlgorithm => AuthError::WrongAlgorithm,
        ErrorKind::InvalidAudience => AuthError::WrongAudience,
        ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
        ErrorKind::MissingRequiredClaim(claim) => AuthError::MissingClaim(claim),
        ErrorKind::InvalidClaimFormat(claim) => AuthError::InvalidClaim(claim),
        // Not three parts, bad base64 or JSON, and anything else: the token cannot be read,
        // and telling the client more would help an attacker more than an honest client.
        _ => AuthError::Malformed,
    }
}

/// Signs `claims` as an HS256 token with `secret`, as the lessons' development issuer does.
///
/// # Errors
///
/// [`KeyError::SecretTooShort`] for a secret under [`MIN_HS256_SECRET_BYTES`] bytes.
pub fn mint_hs256(secret: &[u8], claims: &Claims) -> Result<String, KeyError> {
    check_secret_length(secret)?;
    let key = EncodingKey::from_secret(secret)?;
    Ok(jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &key,
    )?)
}

/// Signs `claims` as an RS256 token with an RSA private key in PEM form.
///
/// # Errors
///
/// [`KeyError::Jwt`] when the PEM is not an RSA private key.
pub fn mint_rs256_pem(private_pem: &[u8], claims: &Claims) -> Result<String, KeyError> {
    let key = EncodingKey::from_rsa_pem(private_pem)?;
    Ok(jsonwebtoken::encode(
        &Header::new(Algorithm::RS256),
        claims,
        &key,
    )?)
}

fn check_secret_length(secret: &[u8]) -> Result<(), KeyError> {
    if secret.len() < MIN_HS256_SECRET_BYTES {
        return Err(KeyError::SecretTooShort {
            length: secret.len(),
        });
    }
    Ok(())
}

/// A duration in whole seconds, as JWT times count; saturates rather than wrapping.
fn whole_seconds(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::clock::FixedClock;
    use crate::protocol::Timestamp;

    /// 2023-11-14T22:13:20Z: every token in these tests is issued then.
    const ISSUED_AT: i64 = 1_700_000_000;
    const ONE_HOUR: Duration = Duration::from_secs(3600);
    const EXPIRES_AT: i64 = ISSUED_AT + 3600;
    const OTHER_SECRET: &[u8] = b"another secret that is also long enough!";

    const TEST_PRIVATE_PEM: &[u8] = include_bytes!("../../fixtures/keys/test-rs256-private.pem");
    const TEST_PUBLIC_PEM: &[u8] = include_bytes!("../../fixtures/keys/test-rs256-public.pem");
    const OTHER_PUBLIC_PEM: &[u8] = include_bytes!("../../fixtures/keys/other-rs256-public.pem");

    /// A clock whose first reading is `unix_seconds`.
    fn clock_at(unix_seconds: i64) -> Arc<dyn Clock> {
        let at = chrono::DateTime::from_timestamp(unix_seconds, 0).expect("a valid time");
        Arc::new(FixedClock::at(Timestamp::from_datetime(at)))
    }

    fn hs256_verifier_at(unix_seconds: i64) -> JwtVerifier {
        JwtVerifier::hs256(DEVELOPMENT_SECRET.as_bytes())
            .expect("a long enough secret")
            .clock(clock_at(unix_seconds))
    }

    fn hs256_verifier() -> JwtVerifier {
        hs256_verifier_at(ISSUED_AT + 60)
    }

    fn alice() -> Claims {
        Claims::for_user(
            "alice",
            Some("acme".to_owned()),
            vec!["viewer".to_owned()],
            ISSUED_AT,
            ONE_HOUR,
        )
    }

    fn hs256_token(claims: &Claims) -> String {
        mint_hs256(DEVELOPMENT_SECRET.as_bytes(), claims).expect("signed")
    }

    /// A token with any header and payload, signed with HMAC-SHA256 under the dev secret.
    fn token_with(header: &Header, payload: &serde_json::Value) -> String {
        let key = EncodingKey::from_secret(DEVELOPMENT_SECRET.as_bytes()).expect("a key");
        jsonwebtoken::encode(header, payload, &key).expect("signed")
    }

    fn encoded(json: &serde_json::Value) -> String {
        URL_SAFE_NO_PAD.encode(json.to_string())
    }

    #[test]
    fn a_good_hs256_token_gives_its_claims() {
        let claims = hs256_verifier().verify(&hs256_token(&alice()));
        assert_eq!(claims, Ok(alice()));
    }

    #[test]
    fn claims_for_a_user_carry_the_default_audience_issuer_and_lifetime() {
        let claims = alice();
        assert_eq!(
            (claims.aud.as_str(), claims.iss.as_str()),
            ("chatkit", "chatkit-dev")
        );
        assert_eq!((claims.iat, claims.exp), (Some(ISSUED_AT), EXPIRES_AT));
    }

    #[test]
    fn garbage_is_malformed() {
        for garbage in ["", "not-a-jwt", "a.b.c", "a.b", "x.y.z.w"] {
            let refused = hs256_verifier().verify(garbage);
            assert_eq!(refused, Err(AuthError::Malformed), "{garbage:?}");
        }
    }

    #[test]
    fn a_token_signed_with_another_secret_has_a_bad_signature() {
        let forged = mint_hs256(OTHER_SECRET, &alice()).expect("signed");
        assert_eq!(
            hs256_verifier().verify(&forged),
            Err(AuthError::BadSignature)
        );
    }

    #[test]
    fn an_altered_payload_has_a_bad_signature() {
        let token = hs256_token(&alice());
        let parts: Vec<&str> = token.split('.').collect();
        let mut promoted = serde_json::to_value(alice()).expect("json");
        promoted["roles"] = json!(["admin"]);
        let altered = format!("{}.{}.{}", parts[0], encoded(&promoted), parts[2]);
        assert_eq!(
            hs256_verifier().verify(&altered),
            Err(AuthError::BadSignature)
        );
    }

    #[test]
    fn a_token_is_accepted_until_the_second_before_exp_and_refused_from_exp_on() {
        let token = hs256_token(&alice());
        assert!(hs256_verifier_at(EXPIRES_AT - 1).verify(&token).is_ok());
        assert_eq!(
            hs256_verifier_at(EXPIRES_AT).verify(&token),
            Err(AuthError::Expired)
        );
        assert_eq!(
            hs256_verifier_at(EXPIRES_AT + 3600).verify(&token),
            Err(AuthError::Expired)
        );
    }

    #[test]
    fn leeway_forgives_that_many_seconds_of_skew() {
        let token = hs256_token(&alice());
        let lenient = hs256_verifier_at(EXPIRES_AT + 4).leeway(Duration::from_secs(5));
        assert!(lenient.verify(&token).is_ok());
        let lenient_too_late = hs256_verifier_at(EXPIRES_AT + 5).leeway(Duration::from_secs(5));
        assert_eq!(lenient_too_late.verify(&token), Err(AuthError::Expired));
    }

    #[test]
    fn a_token_is_refused_before_its_not_before() {
        let mut claims = alice();
        claims.nbf = Some(ISSUED_AT + 600);
        let token = hs256_token(&claims);
        assert_eq!(
            hs256_verifier_at(ISSUED_AT + 599).verify(&token),
            Err(AuthError::NotYetValid)
        );
        assert!(hs256_verifier_at(ISSUED_AT + 600).verify(&token).is_ok());
    }

    #[test]
    fn the_audience_and_the_issuer_must_be_the_expected_ones() {
        let token = hs256_token(&alice());
        let elsewhere = hs256_verifier().audience("billing");
        assert_eq!(elsewhere.verify(&token), Err(AuthError::WrongAudience));
        let other_issuer = hs256_verifier().issuer("https://login.example.com");
        assert_eq!(other_issuer.verify(&token), Err(AuthError::WrongIssuer));

        let mut configured = alice();
        configured.aud = "billing".to_owned();
        configured.iss = "https://login.example.com".to_owned();
        let verifier = hs256_verifier()
            .audience("billing")
            .issuer("https://login.example.com");
        assert!(verifier.verify(&hs256_token(&configured)).is_ok());
    }

    #[test]
    fn each_required_claim_must_be_present() {
        for claim in ["sub", "exp", "aud", "iss"] {
            let mut payload = serde_json::to_value(alice()).expect("json");
            payload.as_object_mut().expect("an object").remove(claim);
            let token = token_with(&Header::new(Algorithm::HS256), &payload);
            assert_eq!(
                hs256_verifier().verify(&token),
                Err(AuthError::MissingClaim(claim.to_owned())),
                "{claim}"
            );
        }
    }

    #[test]
    fn an_empty_subject_or_ill_typed_claims_are_invalid() {
        let mut nobody = alice();
        nobody.sub = String::new();
        assert_eq!(
            hs256_verifier().verify(&hs256_token(&nobody)),
            Err(AuthError::InvalidClaim("sub".to_owned()))
        );
        let mut payload = serde_json::to_value(alice()).expect("json");
        payload["roles"] = json!("admin");
        let token = token_with(&Header::new(Algorithm::HS256), &payload);
        assert_eq!(
            hs256_verifier().verify(&token),
            Err(AuthError::InvalidClaim("roles".to_owned()))
        );
    }

    #[test]
    fn an_unsigned_alg_none_token_is_refused() {
        let header = encoded(&json!({"alg": "none", "typ": "JWT"}));
        let payload = encoded(&serde_json::to_value(alice()).expect("json"));
        for signature in ["", "c2lnbmF0dXJl"] {
            let unsigned = format!("{header}.{payload}.{signature}");
            assert_eq!(
                hs256_verifier().verify(&unsigned),
                Err(AuthError::WrongAlgorithm)
            );
        }
    }

    #[test]
    fn a_token_signed_with_hs512_and_the_right_secret_is_refused() {
        let payload = serde_json::to_value(alice()).expect("json");
        let token = token_with(&Header::new(Algorithm::HS512), &payload);
        assert_eq!(
            hs256_verifier().verify(&token),
            Err(AuthError::WrongAlgorithm)
        );
    }

    fn rs256_verifier(public_pem: &[u8]) -> JwtVerifier {
        JwtVerifier::rs256_pem(public_pem)
            .expect("an RSA public key")
            .clock(clock_at(ISSUED_AT + 60))
    }

    fn rs256_token(claims: &Claims) -> String {
        mint_rs256_pem(TEST_PRIVATE_PEM, claims).expect("signed")
    }

    #[test]
    fn a_good_rs256_token_gives_its_claims() {
        let claims = rs256_verifier(TEST_PUBLIC_PEM).verify(&rs256_token(&alice()));
        assert_eq!(claims, Ok(alice()));
    }

    #[test]
    fn an_rs256_token_is_refused_by_another_public_key() {
        let refused = rs256_verifier(OTHER_PUBLIC_PEM).verify(&rs256_token(&alice()));
        assert_eq!(refused, Err(AuthError::BadSignature));
    }

    #[test]
    fn an_hs256_token_keyed_with_the_public_key_is_refused_by_an_rs256_verifier() {
        // The algorithm-confusion attack: the public key is public, so an attacker can use it
        // as an HMAC secret. Only a verifier that lets the token choose its algorithm falls for it.
        let forged = mint_hs256(TEST_PUBLIC_PEM, &alice()).expect("signed");
        assert_eq!(
            rs256_verifier(TEST_PUBLIC_PEM).verify(&forged),
            Err(AuthError::WrongAlgorithm)
        );
    }

    #[test]
    fn an_rs256_token_is_refused_by_an_hs256_verifier() {
        assert_eq!(
            hs256_verifier().verify(&rs256_token(&alice())),
            Err(AuthError::WrongAlgorithm)
        );
    }

    #[test]
    fn keys_that_cannot_work_are_refused_when_the_verifier_is_built() {
        assert!(matches!(
            JwtVerifier::hs256(b"short"),
            Err(KeyError::SecretTooShort { length: 5 })
        ));
        assert!(matches!(
            JwtVerifier::rs256_pem(TEST_PRIVATE_PEM),
            Err(KeyError::PrivateKeyGiven)
        ));
        assert!(matches!(
            JwtVerifier::rs256_pem(b"not a pem"),
            Err(KeyError::Jwt(_))
        ));
        assert!(matches!(
            mint_hs256(b"short", &alice()),
            Err(KeyError::SecretTooShort { length: 5 })
        ));
    }

    fn head_with_authorization(value: &str) -> Parts {
        axum::http::Request::builder()
            .header("authorization", value)
            .header("x-user-id", "mallory")
            .body(())
            .expect("a valid request")
            .into_parts()
            .0
    }

    #[test]
    fn authenticate_turns_a_good_token_into_its_principal_and_ignores_x_user_id() {
        let head = head_with_authorization(&format!("Bearer {}", hs256_token(&alice())));
        let principal = hs256_verifier().authenticate(&head).expect("authenticated");
        assert_eq!(
            principal,
            Principal::new("alice", "acme", vec!["viewer".to_owned()])
        );
    }

    #[test]
    fn authenticate_refuses_a_bad_token_with_a_401_challenge() {
        let expired = hs256_token(&alice());
        let head = head_with_authorization(&format!("Bearer {expired}"));
        let refusal = hs256_verifier_at(EXPIRES_AT)
            .authenticate(&head)
            .expect_err("expired");
        assert_eq!(refusal.status(), axum::http::StatusCode::UNAUTHORIZED);
        let challenge = refusal
            .header(&axum::http::header::WWW_AUTHENTICATE)
            .expect("a challenge");
        assert_eq!(
            challenge,
            "Bearer realm=\"chatkit\", error=\"invalid_token\", error_description=\"the token has expired\""
        );
    }
}
