//! Exercise 1, reference solution: your own `respond()`.

use chatkit::prelude::*;

/// Tells the user what they said.
pub struct SayItBack;

impl ChatKitServer<UserContext> for SayItBack {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        input: Option<UserMessageItem>,
        ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        let words = input.map(|message| message.text()).unwrap_or_default();
        try_stream! {
            yield out.assistant_message(format!("{} said: {words}", ctx.user_id));
        }
        .boxed()
    }
}
