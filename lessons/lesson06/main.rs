//! # Lesson 06: auth
//!
//! What you will learn: until now every lesson believed the `x-user-id` header, so anyone
//! could read anyone's threads by typing a name. Here the server checks a signed token (a JWT)
//! before it reads the body, builds the request context from the token's verified claims and
//! nothing else, refuses a read-only `viewer` anything but reads (403), answers "not found"
//! for another user's thread or file (404, never 403), limits each user to N requests a
//! minute (429), and keeps uploaded files where only their owner can reach them.
//!
//! Run it:
//!
//! ```text
//! cargo run --bin lesson06 -- --ask "Hello"              # --ask mints its own token
//! cargo run --bin lesson06 -- mint-token --sub bob        # a token for bob, alone on stdout
//! cargo run --bin lesson06 -- mint-token --sub carol --tenant acme --role viewer
//! cargo run --bin lesson06                                # serve on port 8000, print a curl
//! cargo run --bin lesson06 -- --rate-limit 3              # the 4th request in a minute: 429
//! ```
//!
//! Then, in another terminal, send the printed `curl` without its `authorization` header
//! (401), with bob's token on alice's thread (404), with carol's token (403 to write). Upload
//! a file with `attachments.create` and a `PUT` to the URL it answers, and send its id in a
//! message: the model gets the file. The chapter is `book/src/lesson06.md`.
//!
//! Next: the exercises in `lessons/lesson06/exercises/`. Grade them with
//! `cargo test --test grade lesson06`; serve your own code with `--exercise N`.

mod app;
mod assistant;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chatkit::agent::{DEFAULT_MODEL, Runner};
use chatkit::attachments::DiskAttachments;
use chatkit::clock::SystemClock;
use chatkit::http;
use chatkit::http::cli::{self, auth::AuthArgs, auth::AuthCommand};
use chatkit::provider::ModelFromEnv;
use chatkit::server::Processor;
use clap::Parser;
use url::Url;

use assistant::{Assistant, WithAttachments};

/// Command-line flags: `mint-token`, the token and rate-limit flags, and every lesson's.
#[derive(Debug, Parser)]
#[command(about = "Lesson 06: verified tokens, roles, rate limits and owned attachments")]
struct Args {
    /// Print a token instead of serving.
    #[command(subcommand)]
    command: Option<AuthCommand>,
    /// Where uploaded files are kept: a directory per tenant and user inside it.
    #[arg(long, value_name = "DIR", default_value = "chatkit-lesson06-files")]
    files: PathBuf,
    /// The model name (used with `OPENAI_API_KEY`; the mock answers any name).
    #[arg(long, default_value = DEFAULT_MODEL)]
    model: String,
    #[command(flatten)]
    auth: AuthArgs,
    #[command(flatten)]
    lesson: cli::LessonArgs,
}

// Your exercises, compiled in so that `--exercise N` serves them (with `--features solutions`,
// the reference solutions instead).
chatkit::exercise!(
    ex1,
    exercise: "exercises/ex1_verify_token.rs",
    solution: "solutions/ex1_verify_token.rs"
);
chatkit::exercise!(
    ex2,
    exercise: "exercises/ex2_spoofed_user.rs",
    solution: "solutions/ex2_spoofed_user.rs"
);
chatkit::exercise!(
    ex3,
    exercise: "exercises/ex3_role_table.rs",
    solution: "solutions/ex3_role_table.rs"
);
chatkit::exercise!(
    ex4,
    exercise: "exercises/ex4_owned_files.rs",
    solution: "solutions/ex4_owned_files.rs"
);

/// The exercises, in order: `--exercise N` takes their numbers and no other.
const EXERCISES: [&str; 4] = [
    "ex1_verify_token",
    "ex2_spoofed_user",
    "ex3_role_table",
    "ex4_owned_files",
];

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Args = cli::parse_lesson(&EXERCISES);
    if let Some(command) = &args.command {
        // `mint-token`: print a token and exit.
        return Ok(command.run(&args.auth)?);
    }
    let verifier = args.auth.verifier()?;
    let model = ModelFromEnv::start(Duration::from_millis(20)).await?;
    let runner = Runner::new(model.provider());
    // The upload URLs the files hand out name this server's own address.
    let public_url = Url::parse(&format!(
        "http://127.0.0.1:{}/chatkit",
        args.lesson.serve.port
    ))?;
    let files = DiskAttachments::open(&args.files, public_url)?;
    let server = Assistant {
        runner,
        agent: Arc::new(assistant::agent(&args.model)),
        converter: Arc::new(WithAttachments {
            files: files.clone(),
        }),
    };
    let config = args.auth.router_config();
    let scaffold = args.auth.scaffold("lesson06")?;
    let exercise = args.lesson.exercise;
    let secret = args.auth.secret().to_vec();
    scaffold
        .run(args.lesson.serve, |store| match exercise {
            None => app::app(Processor::builder(server, store), files, verifier, config),
            // Each exercise accepts the tokens `--ask`, the banner's curl and `mint-token` carry.
            Some(1) => http::router(
                Processor::builder(ex1::Greeter, store).build(),
                ex1::TokenCheck::new(&secret, Arc::new(SystemClock)),
            ),
            Some(2) => http::router(
                Processor::builder(ex2::Greeter, store).build(),
                ex2::SpoofProof::new(verifier),
            ),
            Some(3) => http::router(
                Processor::builder(ex3::Echo, store).build(),
                ex3::Members::new(verifier),
            ),
            Some(4) => ex4::app(store, verifier),
            Some(other) => unreachable!("parse_lesson accepts exercises 1 to 4, not {other}"),
        })
        .await?;
    Ok(())
}
// ANCHOR_END: main
