//! A tour of the ChatKit wire: what one `threads.create` exchange looks like, byte for byte.
//!
//! Run with `cargo run --example wire_tour`.
//!
//! It builds the request a ChatKit client sends, decodes it the way a server does, then prints
//! the Server-Sent Events a server answers with, every value built from `chatkit::protocol`
//! types with fixed ids and times. Compare the output with the stream of lesson 01 recorded from
//! the Python SDK (protocol#sse-framing, `fixtures/transcripts/lesson01_create.sse`): only the
//! ids, timestamps and texts differ.

use chatkit::protocol::request::ThreadsCreateParams;
use chatkit::protocol::{
    AssistantMessage, AssistantMessageContent, ItemId, ItemKind, Page, Request, RequestOp,
    StreamOptions, Thread, ThreadItem, ThreadMetadata, ThreadStreamEvent, Timestamp, UserMessage,
    UserMessageContent, UserMessageInput, to_wire_json,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let body = br#"{"type":"threads.create","params":{"input":{"content":[{"type":"input_text","text":"hi"}],"attachments":[],"inference_options":{}}}}"#;
    println!("POST /chatkit\n{}\n", String::from_utf8_lossy(body));

    // A server decodes the body first; a bad body would stop here with a 400.
    let request = Request::from_slice(body)?;
    let RequestOp::ThreadsCreate(ThreadsCreateParams { input }) = request.op else {
        return Err("the tour only answers threads.create".into());
    };

    let created_at = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).ok_or("valid date")?;
    let thread = ThreadMetadata::new("thr_0001", created_at);
    println!("HTTP/1.1 200 OK\ncontent-type: text/event-stream; charset=utf-8\n");
    for event in answer(&thread, input, created_at) {
        // One SSE frame per event: `data: ` + compact JSON + a blank line, nothing else.
        print!("data: {}\n\n", to_wire_json(&event)?);
    }
    Ok(())
}

/// The events a server sends for a new thread, with a one-line assistant reply.
fn answer(
    thread: &ThreadMetadata,
    input: UserMessageInput,
    at: Timestamp,
) -> Vec<ThreadStreamEvent> {
    let user_message = ThreadItem {
        id: ItemId::new("msg_0001"),
        thread_id: thread.id.clone(),
        created_at: at,
        kind: ItemKind::UserMessage(UserMessage {
            content: input.content,
            attachments: Vec::new(),
            quoted_text: input.quoted_text,
            inference_options: input.inference_options,
        }),
    };
    let reply = ThreadItem {
        id: ItemId::new("msg_0002"),
        thread_id: thread.id.clone(),
        created_at: at,
        kind: ItemKind::AssistantMessage(AssistantMessage {
            content: vec![AssistantMessageContent::text(echo(&user_message))],
        }),
    };
    vec![
        ThreadStreamEvent::ThreadCreated {
            thread: Thread::for_client(thread, Page::empty()),
        },
        ThreadStreamEvent::ThreadItemDone { item: user_message },
        ThreadStreamEvent::StreamOptions {
            stream_options: StreamOptions { allow_cancel: true },
        },
        ThreadStreamEvent::ThreadItemDone { item: reply },
    ]
}

/// The reply text: the user's words, echoed.
fn echo(user_message: &ThreadItem) -> String {
    let ItemKind::UserMessage(message) = &user_message.kind else {
        return String::new();
    };
    let words: Vec<&str> = message
        .content
        .iter()
        .filter_map(|part| match part {
            UserMessageContent::Text { text } => Some(text.as_str()),
            UserMessageContent::Tag { .. } => None,
        })
        .collect();
    format!("You said: {}", words.join(" "))
}
