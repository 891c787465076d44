//! Exercise 4: the history, a page at a time.
//!
//! The page's history panel shows the user's threads newest first, `limit` at a time, with a
//! "More" button (`loadThreads` in `web/chatkit.js`). A user with a thousand threads must not
//! get them in one answer: `threads.list` answers one page, `{"data": […], "has_more": …,
//! "after": …}`, and the client sends that `after` back as the cursor of the next request
//! until a page says `has_more: false`.
//!
//! Write `all_titles`: every thread's title, newest first, asking for `limit` threads per
//! request, with [`Client::list_threads`]. (The library has this walk as
//! `Client::thread_pages`; write it yourself here.)
//!
//! Hint: a loop of `client.list_threads(ThreadsListParams { limit: Some(limit), order:
//! Order::Desc, after })`; a page's `after` is a `String`, the next request's a
//! `ThreadId::new(…)`. Stop when `has_more` is false (or there is no cursor). The grading test
//! makes five threads and checks the five titles and that there were exactly three requests of
//! two, two and one.
//!
//! Check it with `cargo test --test grade lesson07`. It is client code: `--exercise 4` serves
//! lesson 07's own server, the one it talks to.

use chatkit::client::{Client, ClientError};
use chatkit::protocol::request::ThreadsListParams;
use chatkit::protocol::{Order, ThreadId};

/// The title of every thread of the caller (`None` for an untitled one), newest first,
/// fetched `limit` at a time.
pub async fn all_titles(client: &Client, limit: u32) -> Result<Vec<Option<String>>, ClientError> {
    // TODO: `threads.list` with `limit`, newest first, following `after` to the last page.
    todo!("the titles, {limit} at a time")
}
