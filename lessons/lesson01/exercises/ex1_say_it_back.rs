//! Exercise 1: your own `respond()`.
//!
//! `EchoServer` in `echo.rs` answers every message with one finished assistant message. Write
//! the `respond()` of `SayItBack` the same way: one assistant message whose text is
//! `{user} said: {words}`, where `{user}` is who is asking (the request context) and `{words}`
//! is what they wrote. For `alice` writing `hi`, that is `alice said: hi`.
//!
//! Hint: the user is `ctx.user_id`; the words are `UserMessageItem::text`, as in
//! `input.map(|message| message.text()).unwrap_or_default()` (`input` is an `Option`); put them
//! together with `format!`. `yield out.assistant_message(text);` (`Responder::assistant_message`)
//! sends the answer as one finished item, and the processor saves it.
//!
//! Check it with `cargo test --test grade lesson01`; watch it with
//! `cargo run --bin lesson01 -- --exercise 1 --ask "hi"`.

use chatkit::prelude::*;

/// Tells the user what they said.
pub struct SayItBack;

impl ChatKitServer<UserContext> for SayItBack {
    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        input: Option<UserMessageItem>,
        ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        try_stream! {
            // TODO: the answer, `{user} said: {words}`, from `ctx` and `input`.
            let text: String = todo!("`{{user}} said: {{words}}`");
            yield out.assistant_message(text);
        }
        .boxed()
    }
}
