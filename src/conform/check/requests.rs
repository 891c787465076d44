//! The request bodies the live suite sends, one function per operation (protocol#requests).
//!
//! Written with `json!` rather than the typed [`Request`](crate::protocol::Request) on
//! purpose: the suite must be able to send what the types refuse to build (an unknown `type`,
//! a missing `params`, a float limit), and the bodies read like the protocol's own table.

use serde_json::{Value, json};

/// A user message input with one text part and nothing else (protocol#user-message-input).
fn input(text: &str) -> Value {
    json!({"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}})
}

/// `threads.create` with one text message.
pub(super) fn create(text: &str) -> Value {
    json!({"type": "threads.create", "params": {"input": input(text)}})
}

/// `threads.add_user_message` with one text message.
pub(super) fn add_user_message(thread_id: &str, text: &str) -> Value {
    json!({"type": "threads.add_user_message", "params": {"thread_id": thread_id, "input": input(text)}})
}

/// `threads.get_by_id`.
pub(super) fn get_by_id(thread_id: &str) -> Value {
    json!({"type": "threads.get_by_id", "params": {"thread_id": thread_id}})
}

/// `items.list` with the given paging; `None` leaves the field out (the server's default).
pub(super) fn items_list(
    thread_id: &str,
    limit: Option<u32>,
    order: Option<&str>,
    after: Option<&str>,
) -> Value {
    let mut params = json!({"thread_id": thread_id});
    put_paging(&mut params, limit, order, after);
    json!({"type": "items.list", "params": params})
}

/// `threads.list` with the given paging.
pub(super) fn threads_list(limit: Option<u32>, order: Option<&str>, after: Option<&str>) -> Value {
    let mut params = json!({});
    put_paging(&mut params, limit, order, after);
    json!({"type": "threads.list", "params": params})
}

fn put_paging(params: &mut Value, limit: Option<u32>, order: Option<&str>, after: Option<&str>) {
    if let Some(limit) = limit {
        params["limit"] = json!(limit);
    }
    if let Some(order) = order {
        params["order"] = json!(order);
    }
    if let Some(after) = after {
        params["after"] = json!(after);
    }
}

/// `threads.update` setting the title.
pub(super) fn update_title(thread_id: &str, title: &str) -> Value {
    json!({"type": "threads.update", "params": {"thread_id": thread_id, "title": title}})
}

/// `items.feedback`, positive.
pub(super) fn feedback(thread_id: &str, item_ids: &[String]) -> Value {
    json!({"type": "items.feedback", "params": {"thread_id": thread_id, "item_ids": item_ids, "kind": "positive"}})
}

/// `threads.retry_after_item`.
pub(super) fn retry_after_item(thread_id: &str, item_id: &str) -> Value {
    json!({"type": "threads.retry_after_item", "params": {"thread_id": thread_id, "item_id": item_id}})
}

/// `threads.delete`.
pub(super) fn delete(thread_id: &str) -> Value {
    json!({"type": "threads.delete", "params": {"thread_id": thread_id}})
}
