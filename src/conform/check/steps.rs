//! The conversation steps of the live suite: create, add a message, read it all back, page
//! through it, rename, give feedback, retry, delete (module doc of `check/` for the order).
//!
//! Each step is one `async fn` that records one or more [`CheckResult`](super::CheckResult)s.
//! What the server should hold is kept in [`ThreadState`]: every step that streams adds what
//! its stream finished, and every step that reads compares with it.

use serde_json::{Value, json};

use super::super::finding::{Area, Finding};
use super::super::invariants::StreamKind;
use super::super::roundtrip::differences;
use super::super::validate::BodyKind;
use super::{Suite, ThreadState, ids_of, refused, requests};

/// The text of the suite's messages; checked only for being stored as sent.
const FIRST_MESSAGE: &str = "chatkit-conform: first message";
const SECOND_MESSAGE: &str = "chatkit-conform: second message";
const TITLE: &str = "chatkit-conform title";

/// The most pages followed when paging one element at a time, so a server whose cursor never
/// ends cannot keep the suite busy.
const MAX_PAGES: usize = 50;

impl Suite<'_> {
    /// `threads.create`: the stream opens right, and the user's message is stored as sent.
    pub(super) async fn create_thread(&mut self) {
        let id = "streaming.create";
        self.start(id);
        let what = "threads.create";
        let body = requests::create(FIRST_MESSAGE);
        let (stream, mut findings) = self
            .stream(
                &self.owner,
                &body,
                StreamKind::Create,
                what,
                Area::Streaming,
            )
            .await;
        if let Some(stream) = stream {
            let facts = stream.facts;
            findings.extend(user_item_as_sent(
                facts.user_item.as_ref(),
                FIRST_MESSAGE,
                what,
            ));
            match facts.thread_id {
                Some(thread_id) => {
                    self.thread = Some(ThreadState {
                        id: thread_id,
                        items: facts.finished,
                        last_user_item: facts.user_item,
                    });
                }
                None => findings.push(Finding::error(
                    Area::Streaming,
                    "protocol#threads-create",
                    what,
                    "no `thread.created` with a thread id; the remaining checks need one",
                )),
            }
        }
        let title =
            "threads.create streams the thread, the user's message, stream_options, the answer";
        self.record(id, Area::Streaming, title, findings);
    }

    /// `threads.add_user_message`: the stream opens with the user's `done`.
    pub(super) async fn add_user_message(&mut self) {
        let Some(thread_id) = self.thread_id() else {
            return;
        };
        let id = "streaming.add_user_message";
        self.start(id);
        let what = "threads.add_user_message";
        let body = requests::add_user_message(&thread_id, SECOND_MESSAGE);
        let (stream, mut findings) = self
            .stream(
                &self.owner,
                &body,
                StreamKind::AddUserMessage,
                what,
                Area::Streaming,
            )
            .await;
        if let (Some(stream), Some(state)) = (stream, self.thread.as_mut()) {
            let facts = stream.facts;
            findings.extend(user_item_as_sent(
                facts.user_item.as_ref(),
                SECOND_MESSAGE,
                what,
            ));
            if facts.thread_id.as_deref().is_some_and(|id| id != thread_id) {
                findings.push(Finding::error(
                    Area::Streaming,
                    "protocol#threads-add-user-message",
                    what,
                    "the items belong to another thread",
                ));
            }
            state.items.extend(facts.finished);
            if facts.user_item.is_some() {
                state.last_user_item = facts.user_item;
            }
        }
        let title =
            "threads.add_user_message streams the user's message, stream_options, the answer";
        self.record(id, Area::Streaming, title, findings);
    }

    /// `threads.get_by_id`: the thread, with exactly the streamed items, oldest first
    /// (protocol#threads-get-by-id).
    pub(super) async fn get_by_id(&mut self) {
        let Some(state) = self.thread.clone() else {
            return;
        };
        let id = "persistence.get_by_id";
        self.start(id);
        let what = "threads.get_by_id";
        let body = requests::get_by_id(&state.id);
        let (thread, mut findings) = self
            .json(
                &self.owner,
                &body,
                BodyKind::Thread,
                what,
                Area::Persistence,
            )
            .await;
        if let Some(thread) = thread {
            if thread["id"] != state.id.as_str() {
                findings.push(Finding::error(
                    Area::Persistence,
                    "protocol#threads-get-by-id",
                    format!("{what} › body.id"),
                    "another thread's id",
                ));
            }
            let items = thread["items"]["data"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let expected: Vec<Value> = state.items.iter().take(20).cloned().collect();
            findings.extend(same_items(
                &items,
                &expected,
                &format!("{what} › body.items"),
            ));
        }
        let title = "threads.get_by_id returns the thread with the streamed items, oldest first";
        self.record(id, Area::Persistence, title, findings);
    }

    /// `items.list` with no paging fields: newest first, up to 20 (protocol#items-list).
    pub(super) async fn items_list_default(&mut self) {
        let Some(state) = self.thread.clone() else {
            return;
        };
        let id = "persistence.items_list";
        self.start(id);
        let what = "items.list";
        let body = requests::items_list(&state.id, None, None, None);
        let (page, mut findings) = self
            .json(
                &self.owner,
                &body,
                BodyKind::ItemPage,
                what,
                Area::Persistence,
            )
            .await;
        if let Some(page) = page {
            let items = page["data"].as_array().cloned().unwrap_or_default();
            let newest_first: Vec<Value> = state.items.iter().rev().take(20).cloned().collect();
            findings.extend(same_items(&items, &newest_first, &format!("{what} › body")));
        }
        let title = "items.list defaults to newest first and returns the streamed items";
        self.record(id, Area::Persistence, title, findings);
    }

    /// `items.list` one item per page in `order`, following `after` to the end (protocol#pages,
    /// protocol#store-pagination).
    pub(super) async fn items_paged(&mut self, order: &str) {
        let Some(state) = self.thread.clone() else {
            return;
        };
        let id = format!("pagination.items_{order}");
        self.start(&id);
        let mut findings = Vec::new();
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        for page_number in 1..=MAX_PAGES {
            let what = format!("items.list {order} limit 1 page {page_number}");
            let body = requests::items_list(&state.id, Some(1), Some(order), after.as_deref());
            let (page, page_findings) = self
                .json(
                    &self.owner,
                    &body,
                    BodyKind::ItemPage,
                    &what,
                    Area::Pagination,
                )
                .await;
            findings.extend(page_findings);
            let Some(page) = page else { break };
            findings.extend(at_most_one(&page, &what));
            seen.extend(page["data"].as_array().cloned().unwrap_or_default());
            after = page["after"].as_str().map(str::to_owned);
            if page["has_more"] != true || after.is_none() {
                break;
            }
        }
        let mut expected = state.items.clone();
        if order == "desc" {
            expected.reverse();
        }
        findings.extend(same_items(
            &seen,
            &expected,
            &format!("items.list {order} pages"),
        ));
        let title = format!("items.list pages one item at a time, {order}, through the cursors");
        self.record(&id, Area::Pagination, &title, findings);
    }

    /// `threads.list`: the thread is listed, with an empty items page (protocol#threads-list).
    pub(super) async fn threads_list(&mut self) {
        let Some(thread_id) = self.thread_id() else {
            return;
        };
        let id = "persistence.threads_list";
        self.start(id);
        let what = "threads.list";
        let body = requests::threads_list(None, None, None);
        let (page, mut findings) = self
            .json(
                &self.owner,
                &body,
                BodyKind::ThreadPage,
                what,
                Area::Persistence,
            )
            .await;
        if let Some(page) = page
            && !ids_of(&page).contains(&thread_id)
        {
            findings.push(Finding::error(
                Area::Persistence,
                "protocol#threads-list",
                what,
                format!("thread `{thread_id}` is not in the first page, newest first"),
            ));
        }
        let title = "threads.list lists the new thread";
        self.record(id, Area::Persistence, title, findings);
    }

    /// `threads.list` one thread per page: a cursor that moves on (protocol#pages,
    /// protocol#store-pagination).
    pub(super) async fn threads_paged(&mut self) {
        if self.thread.is_none() {
            return;
        }
        let id = "pagination.threads";
        self.start(id);
        let what = "threads.list limit 1";
        let first = requests::threads_list(Some(1), Some("desc"), None);
        let (page, mut findings) = self
            .json(
                &self.owner,
                &first,
                BodyKind::ThreadPage,
                what,
                Area::Pagination,
            )
            .await;
        let cursor = page
            .as_ref()
            .and_then(|page| page["after"].as_str().map(str::to_owned));
        if let Some(page) = &page {
            findings.extend(at_most_one(page, what));
        }
        if let (Some(page), Some(cursor)) = (page, cursor) {
            let what = "threads.list limit 1 page 2";
            let next = requests::threads_list(Some(1), Some("desc"), Some(&cursor));
            let (next, next_findings) = self
                .json(
                    &self.owner,
                    &next,
                    BodyKind::ThreadPage,
                    what,
                    Area::Pagination,
                )
                .await;
            findings.extend(next_findings);
            if let Some(next) = next
                && ids_of(&next).iter().any(|id| ids_of(&page).contains(id))
            {
                let reason = "the second page repeats the first page's thread";
                findings.push(Finding::error(
                    Area::Pagination,
                    "protocol#store-pagination",
                    what,
                    reason,
                ));
            }
        }
        let title = "threads.list pages one thread at a time through the cursor";
        self.record(id, Area::Pagination, title, findings);
    }

    /// `threads.update`: the answer carries the new title and it is stored
    /// (protocol#threads-update).
    pub(super) async fn update_title(&mut self) {
        let Some(thread_id) = self.thread_id() else {
            return;
        };
        let id = "mutations.update";
        self.start(id);
        let what = "threads.update";
        let body = requests::update_title(&thread_id, TITLE);
        let (thread, mut findings) = self
            .json(&self.owner, &body, BodyKind::Thread, what, Area::Mutations)
            .await;
        if let Some(thread) = thread {
            if thread["title"] != TITLE {
                let reason = "the answer does not carry the new title";
                findings.push(Finding::error(
                    Area::Mutations,
                    "protocol#threads-update",
                    what,
                    reason,
                ));
            }
            if thread["items"] != json!({"data": [], "has_more": false}) {
                let reason = "the answer's items page is not empty; the reference's is";
                findings.push(Finding::warning(
                    Area::Mutations,
                    "protocol#json-answers",
                    what,
                    reason,
                ));
            }
        }
        let read = requests::get_by_id(&thread_id);
        let (stored, read_findings) = self
            .json(
                &self.owner,
                &read,
                BodyKind::Thread,
                "threads.get_by_id",
                Area::Mutations,
            )
            .await;
        findings.extend(read_findings);
        if stored.is_some_and(|stored| stored["title"] != TITLE) {
            let reason = "the new title is not stored";
            findings.push(Finding::error(
                Area::Mutations,
                "protocol#threads-update",
                what,
                reason,
            ));
        }
        self.record(
            id,
            Area::Mutations,
            "threads.update renames the thread",
            findings,
        );
    }

    /// `items.feedback`: `{}` (protocol#items-feedback).
    pub(super) async fn feedback(&mut self) {
        let Some(state) = self.thread.clone() else {
            return;
        };
        let id = "mutations.feedback";
        self.start(id);
        let item_ids: Vec<String> = state
            .items
            .iter()
            .filter(|item| item["type"] == "assistant_message")
            .filter_map(|item| item["id"].as_str().map(str::to_owned))
            .collect();
        let body = requests::feedback(&state.id, &item_ids);
        let (_, findings) = self
            .json(
                &self.owner,
                &body,
                BodyKind::Empty,
                "items.feedback",
                Area::Mutations,
            )
            .await;
        self.record(id, Area::Mutations, "items.feedback answers {}", findings);
    }

    /// `threads.retry_after_item` on the last user message: the items after it are replaced
    /// by the new stream's, and the message is not sent again (protocol#threads-retry-after-item).
    pub(super) async fn retry(&mut self) {
        let Some(state) = self.thread.clone() else {
            return;
        };
        let Some(user_id) = state
            .last_user_item
            .as_ref()
            .and_then(|item| item["id"].as_str())
        else {
            return;
        };
        let id = "mutations.retry";
        self.start(id);
        let what = "threads.retry_after_item";
        let body = requests::retry_after_item(&state.id, user_id);
        let (stream, mut findings) = self
            .stream(
                &self.owner,
                &body,
                StreamKind::Continue,
                what,
                Area::Mutations,
            )
            .await;
        let Some(stream) = stream else {
            self.record(id, Area::Mutations, "threads.retry_after_item", findings);
            return;
        };
        if stream.facts.user_item.is_some() {
            let reason = "the user message is sent again; a retry streams only the new answer";
            findings.push(Finding::error(
                Area::Mutations,
                "protocol#threads-retry-after-item",
                what,
                reason,
            ));
        }
        let keep = state.items.iter().position(|item| item["id"] == user_id);
        let mut expected: Vec<Value> = state.items[..keep.map_or(0, |at| at + 1)].to_vec();
        expected.extend(stream.facts.finished);
        let read = requests::items_list(&state.id, Some(100), Some("asc"), None);
        let (page, read_findings) = self
            .json(
                &self.owner,
                &read,
                BodyKind::ItemPage,
                "items.list asc",
                Area::Mutations,
            )
            .await;
        findings.extend(read_findings);
        if let Some(page) = page {
            let items = page["data"].as_array().cloned().unwrap_or_default();
            findings.extend(same_items(&items, &expected, "items.list after the retry"));
        }
        if let Some(state) = self.thread.as_mut() {
            state.items = expected;
        }
        let title = "threads.retry_after_item replaces what followed the message";
        self.record(id, Area::Mutations, title, findings);
    }

    /// `threads.delete`: `{}`, then the thread is not found and not listed
    /// (protocol#threads-delete).
    pub(super) async fn delete(&mut self) {
        let Some(thread_id) = self.thread_id() else {
            return;
        };
        let id = "mutations.delete";
        self.start(id);
        let (_, mut findings) = self
            .json(
                &self.owner,
                &requests::delete(&thread_id),
                BodyKind::Empty,
                "threads.delete",
                Area::Mutations,
            )
            .await;
        let what = "threads.get_by_id after the delete";
        let read = self
            .owner
            .post(requests::get_by_id(&thread_id).to_string())
            .await;
        findings.extend(refused(
            &read,
            Area::Mutations,
            "protocol#threads-delete",
            what,
        ));
        let list = requests::threads_list(None, None, None);
        let (page, list_findings) = self
            .json(
                &self.owner,
                &list,
                BodyKind::ThreadPage,
                "threads.list",
                Area::Mutations,
            )
            .await;
        findings.extend(list_findings);
        if page.is_some_and(|page| ids_of(&page).contains(&thread_id)) {
            let reason = "the deleted thread is still listed";
            findings.push(Finding::error(
                Area::Mutations,
                "protocol#threads-delete",
                "threads.list",
                reason,
            ));
        }
        let title = "threads.delete removes the thread";
        self.record(id, Area::Mutations, title, findings);
    }

    pub(super) fn thread_id(&self) -> Option<String> {
        self.thread.as_ref().map(|state| state.id.clone())
    }
}

/// The user item a stream stored is the message that was sent (protocol#threads-create, step
/// 3).
fn user_item_as_sent(item: Option<&Value>, text: &str, what: &str) -> Vec<Finding> {
    let Some(item) = item else {
        let reason = "no `thread.item.done` with the user's message";
        return vec![Finding::error(
            Area::Streaming,
            "protocol#threads-create",
            what,
            reason,
        )];
    };
    let sent = json!([{"type": "input_text", "text": text}]);
    if item["content"] == sent {
        Vec::new()
    } else {
        let reason = "the user item's content is not the input that was sent";
        vec![Finding::error(
            Area::Streaming,
            "protocol#threads-create",
            format!("{what} › user item.content"),
            reason,
        )]
    }
}

/// A page asked for with `limit: 1` holds at most one element.
fn at_most_one(page: &Value, what: &str) -> Vec<Finding> {
    let count = page["data"].as_array().map_or(0, Vec::len);
    if count <= 1 {
        return Vec::new();
    }
    let reason = format!("{count} elements on a page of limit 1");
    vec![Finding::error(
        Area::Pagination,
        "protocol#store-pagination",
        what,
        reason,
    )]
}

/// The items a server returned are the ones it streamed, in the same order and the same
/// shape (timestamps compared as instants): persist-on-done (protocol#persistence).
fn same_items(got: &[Value], expected: &[Value], what: &str) -> Vec<Finding> {
    let ids = |items: &[Value]| -> Vec<String> {
        items
            .iter()
            .map(|item| item["id"].as_str().unwrap_or("?").to_owned())
            .collect()
    };
    if ids(got) != ids(expected) {
        let reason = format!(
            "items {:?}; the streams finished {:?}",
            ids(got),
            ids(expected)
        );
        return vec![Finding::error(
            Area::Persistence,
            "protocol#persistence",
            what,
            reason,
        )];
    }
    got.iter()
        .zip(expected)
        .enumerate()
        .flat_map(|(index, (got, expected))| {
            differences(got, expected, &format!("{what}[{index}]")).into_iter()
        })
        .map(|difference| Finding {
            area: Area::Persistence,
            section: "protocol#persistence",
            reason: format!("stored differs from streamed: {}", difference.reason),
            ..difference
        })
        .collect()
}
