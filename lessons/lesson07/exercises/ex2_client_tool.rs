//! Exercise 2: answer the client tool from Rust.
//!
//! Say "what time is it?" to lesson 07 and its server ends the turn with a pending
//! `client_tool_call` named `get_local_time`: only the client knows its own clock. The page
//! answers in `web/chatkit.js` (`runClientTool`); the official React client in `onClientTool`.
//! Here you answer from Rust, with `chatkit::client`, against the same server.
//!
//! Write two things:
//!
//! * `LocalClock::call`, the tool itself: for `get_local_time`, `{"time": <self.time>}`; for
//!   any other name, `{"error": "unknown client tool <name>"}`. A client must answer every
//!   call it gets, even one it does not know: the turn waits for an output, forever.
//! * `ask`, one message sent as a page would: a [`Client`] for `url` carrying
//!   `Authorization: Bearer <token>`, a [`Conversation`] that answers client tools with
//!   `clock`, and `text` sent through it. Return the conversation; its state is what the user
//!   sees.
//!
//! Hint: `Client::new(url)?.try_header("authorization", …)`, then
//! `Conversation::new(client).on_client_tool(clock)` and `send_text`: the conversation sends
//! `threads.add_client_tool_output` and reads the server's next turn for you. The grading test
//! serves lesson 07's server on a loopback port and checks the answer, "On your machine it is
//! 12:30.", and the call stored as completed with your output.
//!
//! Check it with `cargo test --test grade lesson07`. It is client code: `--exercise 2` serves
//! lesson 07's own server, the one it talks to.

use chatkit::client::{Client, ClientError, ClientToolHandler, Conversation};
use chatkit::protocol::ClientToolCall;
use serde_json::{Value, json};

/// The name of the client tool lesson 07's server calls for `time`.
pub const TOOL: &str = "get_local_time";

/// The client tool: a clock that always reads `time`.
#[derive(Debug, Clone)]
pub struct LocalClock {
    /// What the clock says, as `HH:MM`.
    pub time: String,
}

impl ClientToolHandler for LocalClock {
    fn call(&self, call: &ClientToolCall) -> Value {
        // TODO: the time for `get_local_time`, an error object for any other name.
        todo!("the output of {}", call.name)
    }
}

/// Sends `text` to the ChatKit endpoint at `url` as the holder of `token`, answering client
/// tools with `clock`; the conversation after the last stream ended.
pub async fn ask(
    url: &str,
    token: &str,
    clock: LocalClock,
    text: &str,
) -> Result<Conversation, ClientError> {
    // TODO: a client with the bearer token, a conversation answering tools with `clock`.
    todo!("send {text:?} to {url}")
}
