//! The client side of the protocol, typed: what the official ChatKit web component does over
//! HTTP, in Rust.
//!
//! A ChatKit UI does four things with its server, and this module has one piece for each:
//!
//! | piece | does |
//! |---|---|
//! | [`Client`] | POSTs the 16 requests (one method each) with the page's headers, within a deadline and a size cap; a refusal is a [`ClientError::Status`] with the server's JSON error |
//! | [`EventStream`] | reads a streaming answer as typed [`ThreadStreamEvent`](crate::protocol::ThreadStreamEvent)s, each with its exact `data` text, or as raw bytes ([`BodyStream`]) |
//! | [`ThreadState`] | folds the events into what the user sees: the thread, its items (pending ones too, text deltas applied), progress, notices, errors, effects |
//! | [`Conversation`] | sends messages and follows the streams, answering client tool calls ([`ClientToolHandler`]) and handing effects to the page |
//!
//! Plus [`ThreadPages`], which walks the user's threads page by page.
//!
//! ```no_run
//! # async fn demo() -> Result<(), chatkit::client::ClientError> {
//! use chatkit::client::{Client, Conversation};
//! use reqwest::header::{AUTHORIZATION, HeaderValue};
//!
//! let client = Client::new("http://127.0.0.1:8000/chatkit")?
//!     .header(AUTHORIZATION, HeaderValue::from_static("Bearer dev-token"));
//! let mut chat = Conversation::new(client)
//!     .on_client_tool(|_call: &chatkit::protocol::ClientToolCall| serde_json::json!({"city": "Paris"}));
//! chat.send_text("Where am I?").await?;
//! for item in &chat.state().items {
//!     println!("{item:?}");
//! }
//! # Ok(())
//! # }
//! ```
//!
//! The crate's own tools go through here: `--ask` (`http/ask.rs`) prints a stream it read
//! with [`Client`], and `chatkit-conform` sends every request with it and checks the raw
//! bytes of [`BodyStream`].
//!
//! Where it sits: beside [`crate::http`] (the server's edge) and built only on
//! [`crate::protocol`]; it never touches a store or a processor.

mod conversation;
mod error;
mod requests;
mod state;
mod stream;
mod transport;

pub use conversation::{ClientToolHandler, Conversation, EffectHandler, text_input};
pub use error::{ClientError, ServerError};
pub use requests::ThreadPages;
pub use state::{Effect, Notice, Problem, Progress, ThreadState};
pub use stream::{BodyStream, EventStream, StreamEvent};
pub use transport::{Answer, Client, DEFAULT_MAX_BODY_BYTES, RawAnswer};
