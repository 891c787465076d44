//! The store contract: one behaviour suite that every [`Store`] must pass.
//!
//! Each public `async fn` here is one behaviour, named after the reference's own test in
//! `tests/test_store.py` where there is one (`save_and_load_thread_metadata`, …), plus the
//! guarantees this crate adds (tie-breaking pagination, the unknown cursor, concurrent inserts,
//! every item variant). The functions panic with a message when the store misbehaves, like any
//! test assertion.
//!
//! Run the whole suite against a store with the [`store_contract_tests!`](crate::store_contract_tests)
//! macro, which expands to one `#[tokio::test]` per behaviour:
//!
//! ```ignore
//! chatkit::store_contract_tests!(async { MyStore::connect("…").await });
//! ```
//!
//! The suite builds its request contexts with [`UserContext`]; a store that implements
//! `Store<C>` for every `C: StoreContext` (as the three in this crate do) runs it unchanged.
//!
//! Where it sits: test support, shipped in the library so a backend engineer's own store can
//! be held to the same rules as ours.

use std::sync::Arc;

use chrono::Duration;
use serde_json::json;

use crate::id_gen::IdKind;
use crate::protocol::assistant::OutputTextType;
use crate::protocol::attachment::AttachmentKind;
use crate::protocol::structured_input::{StructuredInputOption, StructuredInputStatus};
use crate::protocol::widget::{Card, Text};
use crate::protocol::{
    AssistantMessage, AssistantMessageContent, Attachment, AttachmentId, ClientToolCall,
    ClientToolCallStatus, GeneratedImage, InferenceOptions, ItemId, ItemKind, Order,
    StructuredInput, StructuredInputKind, Task, ThreadId, ThreadItem, ThreadMetadata, Timestamp,
    UserMessage, UserMessageContent, Workflow, WorkflowKind, WorkflowSummary,
};

use super::{PageRequest, Store, StoreError, UserContext};

/// The environment variable that names the PostgreSQL database of the tests that need one.
pub const TEST_DATABASE_URL_VARIABLE: &str = "CHATKIT_TEST_DATABASE_URL";

/// The test database's URL, from [`TEST_DATABASE_URL_VARIABLE`]; without it, `None`, after
/// printing (once per test binary) the line that says how to run the tests that need it.
///
/// A machine without PostgreSQL can still run every other test; CI sets the variable, so
/// there these tests never skip.
pub fn test_database_url() -> Option<String> {
    match std::env::var(TEST_DATABASE_URL_VARIABLE) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                // Written to stderr directly: the test harness captures `eprintln!` in tests
                // that pass, and skipped tests pass.
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "skipped: the tests that need PostgreSQL; set \
                     {TEST_DATABASE_URL_VARIABLE}=postgres://postgres@127.0.0.1:5432/test to run them"
                );
            });
            None
        }
    }
}

/// The user most behaviours act as (the reference's `DEFAULT_CONTEXT`).
pub fn default_user() -> UserContext {
    UserContext::new("test_user")
}

/// A second user, who must never see the first one's data (`ALTERNATIVE_CONTEXT`).
pub fn alternative_user() -> UserContext {
    UserContext::new("alternative_user")
}

/// A fixed instant plus `seconds`: the suite never reads the wall clock, so a failure
/// reproduces exactly.
fn at(seconds: i64) -> Timestamp {
    let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("a valid date");
    Timestamp::from_datetime(start.as_datetime() + Duration::seconds(seconds))
}

fn thread(id: &str, created_at: Timestamp) -> ThreadMetadata {
    let mut thread = ThreadMetadata::new(id, created_at);
    thread.title = Some("Test Thread".to_owned());
    thread.metadata = json!({"test": "test"})
        .as_object()
        .cloned()
        .unwrap_or_default();
    thread
}

fn item(thread_id: &str, id: &str, created_at: Timestamp, kind: ItemKind) -> ThreadItem {
    ThreadItem {
        id: ItemId::new(id),
        thread_id: ThreadId::new(thread_id),
        created_at,
        kind,
    }
}

fn user_text(thread_id: &str, id: &str, created_at: Timestamp, text: &str) -> ThreadItem {
    let message = UserMessage {
        content: vec![UserMessageContent::text(text)],
        attachments: Vec::new(),
        quoted_text: None,
        inference_options: InferenceOptions::default(),
    };
    item(thread_id, id, created_at, ItemKind::UserMessage(message))
}

fn assistant_text(thread_id: &str, id: &str, created_at: Timestamp, text: &str) -> ThreadItem {
    let content = vec![AssistantMessageContent::text(text)];
    item(
        thread_id,
        id,
        created_at,
        ItemKind::AssistantMessage(AssistantMessage { content }),
    )
}

fn file_attachment(id: &str, with_metadata: bool) -> Attachment {
    Attachment {
        id: AttachmentId::new(id),
        name: "test.txt".to_owned(),
        mime_type: "text/plain".to_owned(),
        upload_descriptor: None,
        thread_id: None,
        metadata: with_metadata.then(|| {
            json!({"source": "test", "nothing": null})
                .as_object()
                .cloned()
                .unwrap_or_default()
        }),
        kind: AttachmentKind::File,
    }
}

/// The reference's `make_thread_items`: a user message with a file attachment that carries
/// metadata, an assistant message, and a widget, one second apart.
fn reference_thread_items(thread_id: &str) -> Vec<ThreadItem> {
    // The first two ids sort opposite to their times (`msg_100000` is older than
    // `msg_000001`), so a store that orders by id instead of by time fails every test
    // that uses these items.
    let mut user = user_text(thread_id, "msg_100000", at(0), "Hello!");
    if let ItemKind::UserMessage(message) = &mut user.kind {
        message.attachments.push(file_attachment("file_1", true));
    }
    let widget = ItemKind::Widget {
        widget: Card::new(vec![Text::new("Title").into(), Text::new("test").into()]).into(),
        copy_text: None,
    };
    vec![
        user,
        assistant_text(thread_id, "msg_000001", at(1), "Hi there!"),
        item(thread_id, "widget_1", at(2), widget),
    ]
}

/// Adds `items` one by one as [`default_user`], the way the server adds streamed items.
async fn insert_all<S: Store<UserContext> + ?Sized>(
    store: &S,
    thread_id: &str,
    items: &[ThreadItem],
) {
    let user = default_user();
    for item in items {
        store
            .add_thread_item(&ThreadId::new(thread_id), item, &user)
            .await
            .expect("add_thread_item succeeds");
    }
}

/// One page of a thread's items, reduced to what paging tests compare: the ids, `has_more`
/// and `after`. Comparing ids keeps a failure message readable.
async fn item_ids<S: Store<UserContext> + ?Sized>(
    store: &S,
    thread_id: &str,
    page: PageRequest,
    user: &UserContext,
) -> (Vec<String>, bool, Option<String>) {
    let page = store
        .load_thread_items(&ThreadId::new(thread_id), &page, user)
        .await
        .expect("load_thread_items succeeds");
    let ids = page.data.iter().map(|item| item.id.to_string()).collect();
    (ids, page.has_more, page.after)
}

/// Reference `test_save_and_load_thread_metadata`.
pub async fn save_and_load_thread_metadata<S: Store<UserContext> + ?Sized>(store: &S) {
    let saved = thread("test_thread", at(0));
    store
        .save_thread(&saved, &default_user())
        .await
        .expect("save_thread");
    let loaded = store
        .load_thread(&saved.id, &default_user())
        .await
        .expect("load_thread");
    assert_eq!(loaded, saved);
}

/// Reference `test_save_and_load_thread_metadata_null_title`.
pub async fn save_and_load_thread_metadata_null_title<S: Store<UserContext> + ?Sized>(store: &S) {
    let mut saved = thread("test_thread", at(0));
    saved.title = None;
    store
        .save_thread(&saved, &default_user())
        .await
        .expect("save_thread");
    let loaded = store
        .load_thread(&saved.id, &default_user())
        .await
        .expect("load_thread");
    assert_eq!(loaded.title, None);
    assert_eq!(loaded.metadata, saved.metadata);
}

/// Reference `test_update_thread_metadata`: saving again changes the title.
pub async fn update_thread_metadata<S: Store<UserContext> + ?Sized>(store: &S) {
    let mut saved = thread("test_thread", at(0));
    store
        .save_thread(&saved, &default_user())
        .await
        .expect("save_thread");
    saved.title = Some("Updated Title".to_owned());
    store
        .save_thread(&saved, &default_user())
        .await
        .expect("save_thread again");
    let loaded = store
        .load_thread(&saved.id, &default_user())
        .await
        .expect("load_thread");
    assert_eq!(loaded.title.as_deref(), Some("Updated Title"));
}

/// Reference `test_overwrite_thread_metadata`: every field is replaced, not merged.
pub async fn overwrite_thread_metadata<S: Store<UserContext> + ?Sized>(store: &S) {
    let original = thread("test_thread", at(0));
    store
        .save_thread(&original, &default_user())
        .await
        .expect("save_thread");
    let mut replacement = original.clone();
    // Several fields change at once, one of them to an empty map: a store that merges
    // instead of replacing keeps the old keys, and the equality below catches it.
    replacement.title = Some("Updated Title".to_owned());
    replacement.metadata = serde_json::Map::new();
    replacement.allowed_image_domains = Some(vec!["img.example.com".to_owned()]);
    replacement.status = crate::protocol::ThreadStatus::Locked { reason: None };
    store
        .save_thread(&replacement, &default_user())
        .await
        .expect("save_thread again");
    let loaded = store
        .load_thread(&original.id, &default_user())
        .await
        .expect("load_thread");
    assert_eq!(loaded, replacement);
}

/// Reference `test_save_and_load_thread_items`: items load back equal, attachment metadata
/// included.
pub async fn save_and_load_thread_items<S: Store<UserContext> + ?Sized>(store: &S) {
    store
        .save_thread(&thread("test_thread", at(0)), &default_user())
        .await
        .expect("save_thread");
    let items = reference_thread_items("test_thread");
    insert_all(store, "test_thread", &items).await;
    let page = store
        .load_thread_items(
            &ThreadId::new("test_thread"),
            &PageRequest::first(10, Order::Asc),
            &default_user(),
        )
        .await
        .expect("load_thread_items");
    assert_eq!(page.data, items);
}

/// Reference `test_save_and_load_file`.
pub async fn save_and_load_file<S: Store<UserContext> + ?Sized>(store: &S) {
    let file = file_attachment("file_1", false);
    store
        .save_attachment(&file, &default_user())
        .await
        .expect("save_attachment");
    let loaded = store
        .load_attachment(&file.id, &default_user())
        .await
        .expect("load_attachment");
    assert_eq!(loaded, file);
}

/// Reference `test_save_and_load_image`: an image with metadata, kept by the store.
pub async fn save_and_load_image<S: Store<UserContext> + ?Sized>(store: &S) {
    let image = Attachment {
        id: AttachmentId::new("image_1"),
        name: "test.png".to_owned(),
        mime_type: "image/png".to_owned(),
        kind: AttachmentKind::Image {
            preview_url: "https://example.com/test.png".parse().expect("a valid URL"),
        },
        ..file_attachment("image_1", true)
    };
    store
        .save_attachment(&image, &default_user())
        .await
        .expect("save_attachment");
    let loaded = store
        .load_attachment(&image.id, &default_user())
        .await
        .expect("load_attachment");
    assert_eq!(loaded, image);
}

/// `save_attachment` is an upsert that keeps `metadata` and `thread_id` (reference 1.6.0+).
pub async fn save_attachment_upserts_and_keeps_metadata_and_thread_id<
    S: Store<UserContext> + ?Sized,
>(
    store: &S,
) {
    // The server's own sequence: `attachments.create` saves the record without a thread,
    // then posting a message that uses it saves it again with `thread_id` set.
    let user = default_user();
    let first = file_attachment("atc_1", false);
    store
        .save_attachment(&first, &user)
        .await
        .expect("save_attachment");
    let mut linked = file_attachment("atc_1", true);
    linked.thread_id = Some(ThreadId::new("thr_1"));
    store
        .save_attachment(&linked, &user)
        .await
        .expect("save_attachment again");
    let loaded = store
        .load_attachment(&linked.id, &user)
        .await
        .expect("load_attachment");
    assert_eq!(loaded, linked);
    store
        .delete_attachment(&linked.id, &user)
        .await
        .expect("delete_attachment");
    let gone = store.load_attachment(&linked.id, &user).await;
    assert!(
        matches!(gone, Err(StoreError::AttachmentNotFound { .. })),
        "{gone:?}"
    );
}

/// Reference `test_load_threads`: three threads, pages of two, ascending.
pub async fn load_threads<S: Store<UserContext> + ?Sized>(store: &S) {
    let user = default_user();
    for (index, id) in ["thread1", "thread2", "thread3"].into_iter().enumerate() {
        store
            .save_thread(&thread(id, at(index as i64)), &user)
            .await
            .expect("save_thread");
    }
    let first = store
        .load_threads(&PageRequest::first(2, Order::Asc), &user)
        .await
        .expect("page 1");
    let first_ids: Vec<_> = first.data.iter().map(|t| t.id.to_string()).collect();
    assert_eq!(first_ids, ["thread1", "thread2"]);
    assert!(first.has_more);
    assert_eq!(first.after.as_deref(), Some("thread2"));

    let second = store
        .load_threads(&PageRequest::after("thread2", 2, Order::Asc), &user)
        .await
        .expect("page 2");
    let second_ids: Vec<_> = second.data.iter().map(|t| t.id.to_string()).collect();
    assert_eq!(second_ids, ["thread3"]);
    assert!(!second.has_more);
    assert_eq!(second.after, None);
}

/// Reference `test_thread_items_ordering`: ascending and descending.
pub async fn thread_items_ordering<S: Store<UserContext> + ?Sized>(store: &S) {
    store
        .save_thread(&thread("test_thread", at(0)), &default_user())
        .await
        .expect("save_thread");
    let items: Vec<_> = ["A", "B", "C"]
        .iter()
        .enumerate()
        .map(|(i, text)| user_text("test_thread", &format!("msg{}", i + 1), at(i as i64), text))
        .collect();
    insert_all(store, "test_thread", &items).await;
    let (asc, _, _) = item_ids(
        store,
        "test_thread",
        PageRequest::first(3, Order::Asc),
        &default_user(),
    )
    .await;
    let (desc, _, _) = item_ids(
        store,
        "test_thread",
        PageRequest::first(3, Order::Desc),
        &default_user(),
    )
    .await;
    assert_eq!(asc, ["msg1", "msg2", "msg3"]);
    assert_eq!(desc, ["msg3", "msg2", "msg1"]);
}

/// Reference `test_thread_items_offset`: the `after` cursor and `has_more`.
pub async fn thread_items_offset<S: Store<UserContext> + ?Sized>(store: &S) {
    store
        .save_thread(&thread("test_thread", at(0)), &default_user())
        .await
        .expect("save_thread");
    let items: Vec<_> = (0..5)
        .map(|i| user_text("test_thread", &format!("msg{i}"), at(i), &i.to_string()))
        .collect();
    insert_all(store, "test_thread", &items).await;
    // A page that reaches the end says so twice: `has_more` is false and `after` is absent.
    let after = item_ids(
        store,
        "test_thread",
        PageRequest::after("msg1", 3, Order::Asc),
        &default_user(),
    )
    .await;
    assert_eq!(
        after,
        (
            vec!["msg2".into(), "msg3".into(), "msg4".into()],
            false,
            None
        )
    );
    let limited = item_ids(
        store,
        "test_thread",
        PageRequest::first(2, Order::Asc),
        &default_user(),
    )
    .await;
    assert_eq!(
        limited,
        (
            vec!["msg0".into(), "msg1".into()],
            true,
            Some("msg1".into())
        )
    );
}

/// Reference `test_save_and_load_item`: `save_item` replaces an assistant message and a widget.
pub async fn save_and_load_item<S: Store<UserContext> + ?Sized>(store: &S) {
    let user = default_user();
    let thread_id = ThreadId::new("test_thread");
    store
        .save_thread(&thread("test_thread", at(0)), &user)
        .await
        .expect("save_thread");
    let empty = item(
        "test_thread",
        "msg_000001",
        at(0),
        ItemKind::AssistantMessage(AssistantMessage {
            content: Vec::new(),
        }),
    );
    let widget = item(
        "test_thread",
        "widget_1",
        at(1),
        ItemKind::Widget {
            widget: Card::new(vec![Text::new("Test").into()]).into(),
            copy_text: None,
        },
    );
    insert_all(store, "test_thread", &[empty, widget.clone()]).await;

    let filled = assistant_text(
        "test_thread",
        "msg_000001",
        at(0),
        "This is an assistant message.",
    );
    store
        .save_item(&thread_id, &filled, &user)
        .await
        .expect("save_item");
    let loaded = store
        .load_item(&thread_id, &filled.id, &user)
        .await
        .expect("load_item");
    assert_eq!(loaded, filled);

    store
        .save_item(&thread_id, &widget, &user)
        .await
        .expect("save_item widget");
    let loaded = store
        .load_item(&thread_id, &widget.id, &user)
        .await
        .expect("load_item widget");
    assert_eq!(loaded, widget);
}

/// `save_item` may change an item's kind (the reference's replaced user → assistant test).
pub async fn save_item_may_change_the_item_kind<S: Store<UserContext> + ?Sized>(store: &S) {
    let user = default_user();
    let thread_id = ThreadId::new("test_thread");
    insert_all(
        store,
        "test_thread",
        &[user_text("test_thread", "msg_1", at(0), "question")],
    )
    .await;
    let replacement = assistant_text("test_thread", "msg_1", at(0), "answer");
    store
        .save_item(&thread_id, &replacement, &user)
        .await
        .expect("save_item");
    let page = store
        .load_thread_items(&thread_id, &PageRequest::first(10, Order::Asc), &user)
        .await
        .expect("page");
    assert_eq!(page.data, [replacement]);
}

/// Reference `test_load_nonexistent_item`, with the reference's message.
pub async fn load_nonexistent_item<S: Store<UserContext> + ?Sized>(store: &S) {
    store
        .save_thread(&thread("test_thread", at(0)), &default_user())
        .await
        .expect("save_thread");
    let missing = store
        .load_item(
            &ThreadId::new("test_thread"),
            &ItemId::new("does_not_exist"),
            &default_user(),
        )
        .await
        .expect_err("no such item");
    assert_eq!(
        missing.to_string(),
        "Item does_not_exist not found in thread test_thread"
    );
    assert!(missing.is_not_found());
}

/// Reference `test_thread_isolation_by_user`, with the reference's message.
pub async fn thread_isolation_by_user<S: Store<UserContext> + ?Sized>(store: &S) {
    let saved = thread("user1_thread", at(0));
    store
        .save_thread(&saved, &default_user())
        .await
        .expect("save_thread");
    store
        .load_thread(&saved.id, &default_user())
        .await
        .expect("the owner sees it");
    let other = store
        .load_thread(&saved.id, &alternative_user())
        .await
        .expect_err("hidden");
    assert_eq!(other.to_string(), "Thread user1_thread not found");
    let listed = store
        .load_threads(&PageRequest::first(10, Order::Asc), &alternative_user())
        .await
        .expect("list");
    assert!(
        listed.data.is_empty(),
        "another user's list shows {:?}",
        listed.data
    );
}

/// Reference `test_thread_items_isolation_by_user`.
pub async fn thread_items_isolation_by_user<S: Store<UserContext> + ?Sized>(store: &S) {
    let thread_id = ThreadId::new("shared_thread");
    store
        .save_thread(&thread("shared_thread", at(0)), &default_user())
        .await
        .expect("save_thread");
    let items = reference_thread_items("shared_thread");
    insert_all(store, "shared_thread", &items).await;
    let first_page = PageRequest::first(10, Order::Asc);
    let own = store
        .load_thread_items(&thread_id, &first_page, &default_user())
        .await
        .expect("own page");
    assert_eq!(own.data, items);
    let other = store
        .load_thread_items(&thread_id, &first_page, &alternative_user())
        .await
        .expect("other page");
    assert!(other.data.is_empty());
    let stolen = store
        .load_item(&thread_id, &items[0].id, &alternative_user())
        .await;
    assert!(
        matches!(stolen, Err(StoreError::ItemNotFound { .. })),
        "{stolen:?}"
    );
}

/// Another user can neither overwrite nor delete the first user's data.
pub async fn writes_by_another_user_do_not_touch_the_owners_data<S: Store<UserContext> + ?Sized>(
    store: &S,
) {
    let thread_id = ThreadId::new("shared_thread");
    let original = thread("shared_thread", at(0));
    store
        .save_thread(&original, &default_user())
        .await
        .expect("save_thread");
    insert_all(
        store,
        "shared_thread",
        &[user_text("shared_thread", "msg_1", at(0), "mine")],
    )
    .await;

    let intruder = alternative_user();
    store
        .save_item(
            &thread_id,
            &assistant_text("shared_thread", "msg_1", at(0), "theirs"),
            &intruder,
        )
        .await
        .expect("save_item");
    store
        .delete_thread(&thread_id, &intruder)
        .await
        .expect("delete_thread");

    // Both writes succeeded from the intruder's point of view (they touched nothing of
    // theirs); what matters is that the owner's rows are as they were. A store keyed by id
    // alone fails here: the intruder's `save_item` would overwrite the owner's item.
    let loaded = store
        .load_thread(&thread_id, &default_user())
        .await
        .expect("still there");
    assert_eq!(loaded, original);
    let kept = store
        .load_item(&thread_id, &ItemId::new("msg_1"), &default_user())
        .await
        .expect("still there");
    assert_eq!(kept, user_text("shared_thread", "msg_1", at(0), "mine"));
}

/// Reference `test_default_id_generators_use_default_prefixes`.
pub async fn default_id_generators_use_default_prefixes<S: Store<UserContext> + ?Sized>(store: &S) {
    let user = default_user();
    // Only the prefixes are checked: the rest is random by default, and a store built with
    // sequential ids for tests must pass too. Attachment ids come from the
    // `AttachmentStore`, so they are not the store's to make.
    let thread_id = store.generate_thread_id(&user);
    assert!(thread_id.as_str().starts_with("thr_"), "{thread_id}");
    let owner = thread(thread_id.as_str(), at(0));
    let expected = [
        (IdKind::Message, "msg_"),
        (IdKind::ToolCall, "tc_"),
        (IdKind::Task, "tsk_"),
        (IdKind::Workflow, "wf_"),
        (IdKind::SdkHiddenContext, "shcx_"),
    ];
    for (kind, prefix) in expected {
        let id = store.generate_item_id(kind, &owner, &user);
        assert!(id.as_str().starts_with(prefix), "{kind:?} gave {id}");
    }
}

/// Adding an id the thread already holds is an error; the stored item is unchanged.
pub async fn adding_an_existing_item_id_is_refused<S: Store<UserContext> + ?Sized>(store: &S) {
    let original = user_text("test_thread", "msg_1", at(0), "first");
    insert_all(store, "test_thread", std::slice::from_ref(&original)).await;
    // A different kind and time under the same id, so that a store that quietly upserts
    // is caught by the comparison below even if it returns no error.
    let again = assistant_text("test_thread", "msg_1", at(1), "second");
    let refused = store
        .add_thread_item(&ThreadId::new("test_thread"), &again, &default_user())
        .await;
    assert!(
        matches!(refused, Err(StoreError::DuplicateItem { .. })),
        "{refused:?}"
    );
    let kept = store
        .load_item(&original.thread_id, &original.id, &default_user())
        .await
        .expect("load_item");
    assert_eq!(kept, original);
}

/// Deleting an item or a thread removes it (and the thread's items); deleting again is fine.
pub async fn delete_thread_item_and_delete_thread<S: Store<UserContext> + ?Sized>(store: &S) {
    let user = default_user();
    let thread_id = ThreadId::new("test_thread");
    store
        .save_thread(&thread("test_thread", at(0)), &user)
        .await
        .expect("save_thread");
    let items = reference_thread_items("test_thread");
    insert_all(store, "test_thread", &items).await;

    store
        .delete_thread_item(&thread_id, &items[1].id, &user)
        .await
        .expect("delete item");
    // Twice: deleting what is already gone is not an error.
    store
        .delete_thread_item(&thread_id, &items[1].id, &user)
        .await
        .expect("delete item again");
    let (left, _, _) = item_ids(
        store,
        "test_thread",
        PageRequest::first(10, Order::Asc),
        &user,
    )
    .await;
    assert_eq!(left, ["msg_100000", "widget_1"]);

    store
        .delete_thread(&thread_id, &user)
        .await
        .expect("delete thread");
    store
        .delete_thread(&thread_id, &user)
        .await
        .expect("delete thread again");
    assert!(store.load_thread(&thread_id, &user).await.is_err());
    let (after_delete, _, _) = item_ids(
        store,
        "test_thread",
        PageRequest::first(10, Order::Asc),
        &user,
    )
    .await;
    assert!(
        after_delete.is_empty(),
        "items outlived their thread: {after_delete:?}"
    );
}

/// Items that share a timestamp are neither skipped nor repeated across pages, both ways.
pub async fn items_sharing_a_timestamp_page_without_gaps<S: Store<UserContext> + ?Sized>(
    store: &S,
) {
    // Five items in one instant, inserted out of id order, read in pages of two so that a
    // page boundary falls between two items of the same time. A store that pages by time
    // alone (the reference's helper) skips the tie on the next page; one that relies on
    // insertion order returns them in the wrong order.
    let same_time = at(0);
    let items: Vec<_> = ["msg_c", "msg_a", "msg_e", "msg_b", "msg_d"]
        .iter()
        .map(|id| user_text("test_thread", id, same_time, id))
        .collect();
    insert_all(store, "test_thread", &items).await;
    for (order, expected) in [
        (Order::Asc, ["msg_a", "msg_b", "msg_c", "msg_d", "msg_e"]),
        (Order::Desc, ["msg_e", "msg_d", "msg_c", "msg_b", "msg_a"]),
    ] {
        let mut seen = Vec::new();
        let mut page = PageRequest::first(2, order);
        loop {
            let (ids, has_more, after) =
                item_ids(store, "test_thread", page.clone(), &default_user()).await;
            seen.extend(ids);
            match (has_more, after) {
                (true, Some(cursor)) => page = PageRequest::after(cursor, 2, order),
                _ => break,
            }
        }
        assert_eq!(seen, expected, "{order:?}");
    }
}

/// An `after` cursor that names no element is a typed error, for threads and items alike.
pub async fn an_unknown_cursor_is_a_typed_error<S: Store<UserContext> + ?Sized>(store: &S) {
    let user = default_user();
    store
        .save_thread(&thread("test_thread", at(0)), &user)
        .await
        .expect("save_thread");
    insert_all(
        store,
        "test_thread",
        &[user_text("test_thread", "msg_1", at(0), "hi")],
    )
    .await;
    // The reference's helper raises for an unknown item cursor and a different error for a
    // thread cursor; here both lists give the same typed error, which the HTTP layer turns
    // into a 400.
    let bad = PageRequest::after("nope", 5, Order::Desc);
    let threads = store.load_threads(&bad, &user).await;
    assert!(
        matches!(&threads, Err(StoreError::UnknownCursor { cursor }) if cursor == "nope"),
        "{threads:?}"
    );
    let items = store
        .load_thread_items(&ThreadId::new("test_thread"), &bad, &user)
        .await;
    assert!(
        matches!(&items, Err(StoreError::UnknownCursor { cursor }) if cursor == "nope"),
        "{items:?}"
    );
}

/// Many tasks inserting at once lose nothing: 50 tasks × 20 items.
pub async fn concurrent_inserts_lose_nothing<S: Store<UserContext> + 'static>(store: Arc<S>) {
    const TASKS: usize = 50;
    const ITEMS_PER_TASK: usize = 20;
    let mut running = tokio::task::JoinSet::new();
    for task in 0..TASKS {
        let store = Arc::clone(&store);
        running.spawn(async move {
            for n in 0..ITEMS_PER_TASK {
                let id = format!("msg_{task:02}_{n:02}");
                // Distinct times that interleave across tasks, so inserts arrive out of
                // time order and land in the middle of the thread, not only at its end.
                let item = user_text("busy_thread", &id, at((n * TASKS + task) as i64), &id);
                store
                    .add_thread_item(&ThreadId::new("busy_thread"), &item, &default_user())
                    .await?;
            }
            Ok::<(), StoreError>(())
        });
    }
    while let Some(finished) = running.join_next().await {
        finished
            .expect("the task did not panic")
            .expect("every insert succeeded");
    }
    // One more than were inserted, so `has_more` would reveal an extra (duplicated) item.
    let page = store
        .load_thread_items(
            &ThreadId::new("busy_thread"),
            &PageRequest::first(TASKS * ITEMS_PER_TASK + 1, Order::Asc),
            &default_user(),
        )
        .await
        .expect("load_thread_items");
    assert_eq!(page.data.len(), TASKS * ITEMS_PER_TASK);
    assert!(!page.has_more);
}

/// One item of every one of the 11 kinds, each round-tripping unchanged.
pub async fn every_item_variant_round_trips<S: Store<UserContext> + ?Sized>(store: &S) {
    let items = one_item_of_every_kind("test_thread");
    insert_all(store, "test_thread", &items).await;
    let page = store
        .load_thread_items(
            &ThreadId::new("test_thread"),
            &PageRequest::first(20, Order::Asc),
            &default_user(),
        )
        .await
        .expect("load_thread_items");
    assert_eq!(page.data, items);
}

/// Items of all 11 kinds, one second apart, with the fields that are easiest to lose set.
fn one_item_of_every_kind(thread_id: &str) -> Vec<ThreadItem> {
    // Non-ASCII text, a character JSON encoders treat specially (U+2028, a line separator
    // that is valid in JSON but not in older JavaScript), and one outside the BMP (a
    // surrogate pair in UTF-16): a store that re-encodes text must keep all three.
    let mut user = user_text(thread_id, "msg_01", at(0), "Héllo \u{2028} 👋");
    if let ItemKind::UserMessage(message) = &mut user.kind {
        message.attachments.push(file_attachment("atc_1", true));
        message.quoted_text = Some("quoted".to_owned());
    }
    let questions = vec![StructuredInput {
        id: "q1".to_owned(),
        question: "Which?".to_owned(),
        answer: None,
        kind: StructuredInputKind::MultipleChoice {
            options: vec![StructuredInputOption {
                value: "A".to_owned(),
            }],
            multiple: true,
        },
    }];
    let kinds = vec![
        user.kind,
        ItemKind::AssistantMessage(AssistantMessage {
            content: vec![AssistantMessageContent {
                annotations: Vec::new(),
                text: "Hi".to_owned(),
                kind: OutputTextType,
            }],
        }),
        ItemKind::ClientToolCall(ClientToolCall {
            status: ClientToolCallStatus::Completed,
            call_id: "call_1".to_owned(),
            name: "locate".to_owned(),
            // Nulls inside free-form JSON must survive: they are data, unlike a `None`
            // field, which the protocol leaves out.
            arguments: json!({"precise": null})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            output: Some(json!({"city": "Paris", "zip": null})),
        }),
        ItemKind::Widget {
            widget: Card::new(vec![Text::new("w").into()]).into(),
            copy_text: Some("w".to_owned()),
        },
        ItemKind::GeneratedImage {
            image: Some(GeneratedImage {
                id: "img_1".to_owned(),
                url: "https://img.example.com/1.png".to_owned(),
            }),
        },
        ItemKind::StructuredInput {
            status: StructuredInputStatus::Pending,
            inputs: questions,
        },
        ItemKind::Workflow {
            workflow: Workflow {
                kind: WorkflowKind::Reasoning,
                tasks: vec![Task::thought("hmm")],
                summary: Some(WorkflowSummary::Duration { duration: 2 }),
                expanded: false,
            },
        },
        ItemKind::Task {
            task: Task::thought("alone"),
        },
        ItemKind::EndOfTurn,
        ItemKind::HiddenContext {
            content: json!({"note": [1, null]}),
        },
        ItemKind::SdkHiddenContext {
            content: "The user cancelled the stream. Stop responding to the prior request."
                .to_owned(),
        },
    ];
    kinds
        .into_iter()
        .enumerate()
        .map(|(index, kind)| {
            item(
                thread_id,
                &format!("item_{index:02}"),
                at(index as i64),
                kind,
            )
        })
        .collect()
}

/// Expands to one `#[tokio::test]` per behaviour of the store contract.
///
/// The argument is an expression that evaluates to a future of a fresh store (each test gets
/// its own), for example `async { MemoryStore::new() }`. The store type must implement
/// `Store<UserContext>` and be `'static`. The calling crate needs `tokio` with the `macros`
/// and `rt-multi-thread` features.
///
/// A store that needs a service the machine may not have (a database server) uses the
/// `optional:` form, whose future gives an `Option` of a store: with `None`, each test
/// returns at once and passes, so the factory should say once why it gave none.
///
/// ```ignore
/// chatkit::store_contract_tests!(optional: async {
///     let url = std::env::var("MY_DATABASE_URL").ok()?;
///     MyStore::connect(&url).await.ok()
/// });
/// ```
#[macro_export]
macro_rules! store_contract_tests {
    // First: `optional` is an identifier, which could begin the `expr` of the next arm, and
    // an arm that starts parsing an `expr` does not give way to a later one.
    (optional: $make_store:expr) => {
        $crate::store_contract_tests!(@suite optional $make_store);
    };
    ($make_store:expr) => {
        $crate::store_contract_tests!(@suite required $make_store);
    };
    (@suite $mode:ident $make_store:expr) => {
        $crate::store_contract_tests!(@each $mode $make_store;
            save_and_load_thread_metadata,
            save_and_load_thread_metadata_null_title,
            update_thread_metadata,
            overwrite_thread_metadata,
            save_and_load_thread_items,
            save_and_load_file,
            save_and_load_image,
            save_attachment_upserts_and_keeps_metadata_and_thread_id,
            load_threads,
            thread_items_ordering,
            thread_items_offset,
            save_and_load_item,
            save_item_may_change_the_item_kind,
            load_nonexistent_item,
            thread_isolation_by_user,
            thread_items_isolation_by_user,
            writes_by_another_user_do_not_touch_the_owners_data,
            default_id_generators_use_default_prefixes,
            adding_an_existing_item_id_is_refused,
            delete_thread_item_and_delete_thread,
            items_sharing_a_timestamp_page_without_gaps,
            an_unknown_cursor_is_a_typed_error,
            every_item_variant_round_trips,
        );

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn concurrent_inserts_lose_nothing() {
            let store = $crate::store_contract_tests!(@make $mode $make_store);
            let store = ::std::sync::Arc::new(store);
            $crate::store::contract::concurrent_inserts_lose_nothing(store).await;
        }
    };
    (@each $mode:ident $make_store:expr; $($behaviour:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $behaviour() {
                let store = $crate::store_contract_tests!(@make $mode $make_store);
                $crate::store::contract::$behaviour(&store).await;
            }
        )+
    };
    // The store of one test: awaited, or, in the optional form, the test ends without one.
    (@make required $make_store:expr) => {
        $make_store.await
    };
    (@make optional $make_store:expr) => {
        match $make_store.await {
            ::std::option::Option::Some(store) => store,
            ::std::option::Option::None => return,
        }
    };
}
