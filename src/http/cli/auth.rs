//! The scaffold of a lesson that authenticates (lessons 06 to 08): how tokens are verified,
//! the per-user rate limit, and the `mint-token` subcommand that makes development tokens.
//!
//! Where it sits: it only configures. [`AuthArgs::verifier`] gives the
//! [`JwtVerifier`] the router uses as its context builder, [`AuthArgs::router_config`] the
//! rate limit, and [`AuthArgs::scaffold`] a [`Scaffold`] whose `--ask` and banner `curl` carry
//! tokens the verifier accepts, so a student never has to paste one to get started.
//!
//! Two kinds of key, as in production:
//!
//! * **HS256**, a shared secret (`--jwt-secret` or `CHATKIT_JWT_SECRET`): whoever holds it can
//!   both sign and verify, which is why `mint-token` works with it. Without either, the
//!   library's [`DEVELOPMENT_SECRET`]: published in this repository, so fine on your own
//!   machine and nowhere else; the banner says so.
//! * **RS256**, a public key file (`--jwt-public-key`): how identity providers sign. The
//!   server can verify but never sign, so `mint-token` refuses; tokens come from the provider.

use std::path::PathBuf;
use std::time::Duration;

use crate::auth::{
    Claims, DEFAULT_TENANT, DEVELOPMENT_SECRET, JwtVerifier, KeyError, Principal, mint_hs256,
};
use crate::clock::{Clock, SystemClock};
use crate::http::RouterConfig;
use crate::http::ask::{ASK_USER, Caller};
use crate::store::StoreContext;

use super::{EXAMPLE_USER, Scaffold};

/// Requests a minute each user may send unless `--rate-limit` says otherwise: a person typing
/// never comes close, and a script that loops on a paid model is stopped within a minute.
pub const DEFAULT_RATE_LIMIT: u32 = 60;

/// How long a token from `mint-token` (and the banner's tokens) stays valid unless told: an
/// hour, a working session.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// The flags of a lesson that authenticates; flatten them next to [`super::LessonArgs`].
#[derive(Debug, Clone, clap::Args)]
pub struct AuthArgs {
    /// The HS256 secret tokens are signed and verified with (at least 32 bytes). Without it,
    /// the development secret, which is public: never use that in production.
    #[arg(
        long,
        value_name = "SECRET",
        env = "CHATKIT_JWT_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub jwt_secret: Option<String>,
    /// Verify RS256 tokens with this PEM public key instead (an identity provider's key);
    /// `mint-token` cannot sign for it.
    #[arg(long, value_name = "FILE", conflicts_with = "jwt_secret")]
    pub jwt_public_key: Option<PathBuf>,
    /// Requests a minute each user may send; 0 turns the limit off.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RATE_LIMIT)]
    pub rate_limit: u32,
}

/// `mint-token`: print a development token, signed with the lesson's HS256 secret.
#[derive(Debug, Clone, clap::Args)]
pub struct MintToken {
    /// The user the token speaks for (its `sub`).
    #[arg(long)]
    pub sub: String,
    /// The organisation (its `tenant`); without it, the user's personal space.
    #[arg(long)]
    pub tenant: Option<String>,
    /// A role, such as `viewer` (read only); repeat for several. None: an ordinary member.
    #[arg(long = "role", value_name = "ROLE")]
    pub roles: Vec<String>,
    /// Seconds until the token expires.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TOKEN_LIFETIME.as_secs())]
    pub expires_in: u64,
}

/// The subcommands of a lesson that authenticates.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum AuthCommand {
    /// Print a development token for a user, alone on stdout, and exit.
    MintToken(MintToken),
}

impl AuthCommand {
    /// Runs the subcommand with the lesson's flags: `mint-token` prints the token alone on
    /// stdout, so that `TOKEN=$(cargo run -q --bin lesson06 -- mint-token …)` works.
    ///
    /// # Errors
    ///
    /// See [`AuthArgs::mint`].
    pub fn run(&self, auth: &AuthArgs) -> Result<(), AuthSetupError> {
        match self {
            AuthCommand::MintToken(request) => {
                println!("{}", auth.mint(request)?);
                Ok(())
            }
        }
    }
}

/// Why the authentication flags cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AuthSetupError {
    /// The secret is too short, or the key file is not a usable public key.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The key file could not be read.
    #[error("cannot read the public key {path}: {source}")]
    ReadKey {
        /// The file named by `--jwt-public-key`.
        path: PathBuf,
        /// Why reading failed.
        source: std::io::Error,
    },
    /// `mint-token` with `--jwt-public-key`: a public key cannot sign.
    #[error("--jwt-public-key verifies tokens an identity provider signed; it cannot sign one")]
    CannotSign,
}

impl AuthArgs {
    /// The HS256 secret: the flag's or the environment's, else [`DEVELOPMENT_SECRET`].
    pub fn secret(&self) -> &[u8] {
        self.jwt_secret
            .as_deref()
            .unwrap_or(DEVELOPMENT_SECRET)
            .as_bytes()
    }

    /// Whether tokens are checked with the public, development secret.
    pub fn uses_development_secret(&self) -> bool {
        self.jwt_secret.is_none() && self.jwt_public_key.is_none()
    }

    /// The verifier the flags describe: RS256 with the public key file, else HS256.
    ///
    /// # Errors
    ///
    /// An unreadable or unusable key, or a secret under 32 bytes.
    pub fn verifier(&self) -> Result<JwtVerifier, AuthSetupError> {
        match &self.jwt_public_key {
            Some(path) => {
                let pem = std::fs::read(path).map_err(|source| AuthSetupError::ReadKey {
                    path: path.clone(),
                    source,
                })?;
                Ok(JwtVerifier::rs256_pem(&pem)?)
            }
            None => Ok(JwtVerifier::hs256(self.secret())?),
        }
    }

    /// A router configuration with the flags' rate limit (none for `--rate-limit 0`).
    pub fn router_config(&self) -> RouterConfig {
        RouterConfig::new().rate_limit_per_minute(self.rate_limit)
    }

    /// Signs a token with the claims `request` asks for, valid from now.
    ///
    /// # Errors
    ///
    /// [`AuthSetupError::CannotSign`] with a public key; a secret under 32 bytes.
    pub fn mint(&self, request: &MintToken) -> Result<String, AuthSetupError> {
        if self.jwt_public_key.is_some() {
            return Err(AuthSetupError::CannotSign);
        }
        let claims = Claims::for_user(
            request.sub.clone(),
            request.tenant.clone(),
            request.roles.clone(),
            SystemClock.now().as_datetime().timestamp(),
            Duration::from_secs(request.expires_in),
        );
        Ok(mint_hs256(self.secret(), &claims)?)
    }

    /// The scaffold of lesson `name`: `--ask` speaks as [`ASK_USER`] and the banner's `curl`
    /// as [`EXAMPLE_USER`], each with a fresh token, and the banner says how to mint others.
    ///
    /// With `--jwt-public-key` no token can be minted here, so `--ask` and the `curl` go
    /// without one (and get the 401 a client without a token gets).
    ///
    /// # Errors
    ///
    /// A secret under 32 bytes.
    pub fn scaffold(&self, name: &str) -> Result<Scaffold, AuthSetupError> {
        let scaffold = Scaffold::new(name);
        if self.jwt_public_key.is_some() {
            return Ok(scaffold.note(
                "Tokens are verified with the --jwt-public-key file: send one your identity \
                 provider signed, as `authorization: Bearer <token>`.",
            ));
        }
        let asker = self.caller(ASK_USER)?;
        let example = self.caller(EXAMPLE_USER)?;
        let mut scaffold = scaffold.callers(asker, example).note(format!(
            "The token above is {EXAMPLE_USER}'s, for an hour. Mint another with\n  \
             cargo run --bin {name} -- mint-token --sub bob [--tenant acme] [--role viewer]"
        ));
        if self.uses_development_secret() {
            scaffold = scaffold.note(
                "Tokens are signed with the public development secret: set CHATKIT_JWT_SECRET \
                 before this server is reachable by anyone else.",
            );
        }
        Ok(scaffold)
    }

    /// `user`, in their personal tenant with no role, holding a fresh token.
    fn caller(&self, user: &str) -> Result<Caller, AuthSetupError> {
        let token = self.mint(&MintToken {
            sub: user.to_owned(),
            tenant: None,
            roles: Vec::new(),
            expires_in: DEFAULT_TOKEN_LIFETIME.as_secs(),
        })?;
        let owner = Principal::new(user, DEFAULT_TENANT, Vec::new());
        Ok(Caller::bearer(&token, owner.user_id()))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::Request;
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(subcommand)]
        command: Option<AuthCommand>,
        #[command(flatten)]
        auth: AuthArgs,
    }

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("lesson06").chain(args.iter().copied()))
            .expect("valid flags")
    }

    /// The principal `auth`'s verifier finds in `token`.
    fn verified(auth: &AuthArgs, token: &str) -> Principal {
        let (parts, ()) = Request::builder()
            .header("authorization", format!("Bearer {token}"))
            .body(())
            .expect("a request")
            .into_parts();
        auth.verifier()
            .expect("a verifier")
            .authenticate(&parts)
            .expect("a valid token")
    }

    #[test]
    fn a_minted_token_carries_the_requested_claims_and_passes_the_verifier() {
        let cli = parse(&[
            "mint-token",
            "--sub",
            "bob",
            "--tenant",
            "acme",
            "--role",
            "viewer",
        ]);
        let Some(AuthCommand::MintToken(request)) = &cli.command else {
            panic!("mint-token parses as the subcommand");
        };
        let token = cli.auth.mint(request).expect("a token");
        let principal = verified(&cli.auth, &token);
        assert_eq!(principal.user(), "bob");
        assert_eq!(principal.tenant(), "acme");
        assert!(!principal.can_write());
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let minted_by = parse(&["--jwt-secret", "0123456789abcdef0123456789abcdef-one"]);
        let checked_by = parse(&["--jwt-secret", "0123456789abcdef0123456789abcdef-two"]);
        let request = MintToken {
            sub: "alice".to_owned(),
            tenant: None,
            roles: Vec::new(),
            expires_in: 60,
        };
        let token = minted_by.auth.mint(&request).expect("a token");
        let (parts, ()) = Request::builder()
            .header("authorization", format!("Bearer {token}"))
            .body(())
            .expect("a request")
            .into_parts();
        let verifier = checked_by.auth.verifier().expect("a verifier");
        assert!(verifier.authenticate(&parts).is_err());
    }

    #[test]
    fn a_public_key_cannot_mint() {
        let cli = parse(&["--jwt-public-key", "fixtures/keys/test-rs256-public.pem"]);
        let request = MintToken {
            sub: "alice".to_owned(),
            tenant: None,
            roles: Vec::new(),
            expires_in: 60,
        };
        assert!(matches!(
            cli.auth.mint(&request),
            Err(AuthSetupError::CannotSign)
        ));
        assert!(cli.auth.verifier().is_ok(), "the public key verifies");
    }

    #[test]
    fn the_scaffolds_callers_hold_tokens_for_their_own_owner_keys() {
        let cli = parse(&[]);
        let scaffold = cli.auth.scaffold("lesson06").expect("a scaffold");
        let (name, value) = scaffold.asker.header();
        assert_eq!(name, "authorization");
        let token = value.strip_prefix("Bearer ").expect("a bearer token");
        let principal = verified(&cli.auth, token);
        assert_eq!(principal.user(), ASK_USER);
        assert_eq!(scaffold.asker.owner(), principal.user_id());
    }

    #[test]
    fn the_rate_limit_flag_defaults_to_sixty_and_zero_is_accepted() {
        assert_eq!(parse(&[]).auth.rate_limit, DEFAULT_RATE_LIMIT);
        assert_eq!(parse(&["--rate-limit", "0"]).auth.rate_limit, 0);
    }
}
