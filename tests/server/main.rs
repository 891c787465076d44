//! The server core, test by test against the reference's `tests/test_chatkit_server.py`.
//!
//! Each test here is one test of the Python SDK's server suite, under the same name without
//! the `test_` prefix (`test_respond_with_tool_call` → `respond_with_tool_call`), so the two
//! suites can be read side by side. They drive `Processor::process` directly (no HTTP): the
//! request is the JSON a client sends, the stream is read to its end, and its frames are
//! parsed back into `ThreadStreamEvent`s for the assertions. Where the reference checks an
//! order of events, the exact SSE bytes are also an insta snapshot in `tests/snapshots/`.
//!
//! Where this crate differs from the reference on purpose (thread changes are explicit
//! events, a request that cannot start is refused before any byte is sent, …), the test checks
//! the Rust behaviour and a comment says which reference behaviour it replaces and why.
//! `differences` adds tests for the deliberate differences no reference test covers.
//!
//! Not ported (see the README): `test_retry_after_item_passes_tools_to_responder` has an empty
//! body (`pass`) in the reference.
//!
//! One binary with modules keeps link time down; `harness` holds the shared pieces.

mod harness;

mod actions;
mod attachments;
mod cancellation;
mod differences;
mod item_events;
mod lists;
mod plumbing;
mod retry;
mod structured_input;
mod thread_updates;
mod widgets;

/// Snapshots text as `tests/snapshots/server__<name>.snap`: the exact SSE bytes of a stream,
/// the exact bytes of a JSON body, or the stored items one JSON line each.
///
/// The modules live in `tests/server/`, where insta would otherwise keep a snapshot folder of
/// their own; this puts them beside the other test binaries' snapshots, named after the test.
macro_rules! snapshot {
    ($name:literal, $text:expr) => {
        insta::with_settings!(
            { snapshot_path => "../snapshots", prepend_module_to_snapshot => false },
            { insta::assert_snapshot!(concat!("server__", $name), $text) }
        )
    };
}

pub(crate) use snapshot;
