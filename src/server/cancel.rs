//! What happens when the client disconnects mid-stream.
//!
//! ChatKit has no "cancel" request: the client aborts the HTTP request. The pipeline notices
//! (its channel to the client closes), drops the responder's stream, and calls the
//! `handle_stream_cancelled` hook with the items that were added but never finished. The
//! default, [`persist_pending_on_cancel`], does what the reference does: it keeps every pending
//! assistant message that has some text, with all the deltas streamed so far, so the user finds
//! on reload what they saw; and it adds a hidden `sdk_hidden_context` note telling the model
//! that the user stopped the previous answer. Pending widgets and workflows are not kept.
//!
//! Where it sits: called by the pipeline (`pipeline.rs`) after a disconnect; no event is sent.

use std::fmt;

use crate::id_gen::IdKind;
use crate::protocol::{ItemKind, ThreadItem, ThreadMetadata};
use crate::store::StoreContext;

use super::error::ProcessError;
use super::responder::Responder;

/// The note the reference stores when a stream is cancelled, word for word.
pub const CANCELLED_NOTE: &str =
    "The user cancelled the stream. Stop responding to the prior request.";

/// Everything a cancellation hook needs: the thread, the unfinished items, and the store.
///
/// One struct rather than several arguments, so the hook's signature stays the same when the
/// pipeline has one more thing to hand over. It borrows from the pipeline, which outlives the
/// hook's call, so nothing is cloned for a cancellation.
pub struct CancelledStream<'a, C: StoreContext> {
    /// The thread that was streaming.
    pub thread: &'a ThreadMetadata,
    /// Items added but not yet done, replaced or removed, with every update applied so far.
    pub pending: Vec<ThreadItem>,
    /// The request context.
    pub ctx: &'a C,
    /// The stream's responder: the store to persist into ([`Responder::store`]), and the
    /// injected ids and clock for the note it adds.
    pub out: &'a Responder<C>,
}

// By hand: a `Responder` holds trait objects, and the thread's id says which stream this was.
impl<C: StoreContext> fmt::Debug for CancelledStream<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelledStream")
            .field("thread", &self.thread.id)
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

/// The reference's default cancellation behaviour (see the module doc).
///
/// # Errors
///
/// A store failure while saving.
pub async fn persist_pending_on_cancel<C: StoreContext>(
    cancelled: CancelledStream<'_, C>,
) -> Result<(), ProcessError> {
    let CancelledStream {
        thread,
        pending,
        ctx,
        out,
    } = cancelled;
    let store = out.store();
    // `add`, not `save`: a pending item was never done, so it is not in the store yet.
    // Pending widgets and workflows are dropped, as the reference's default drops them; a
    // server that wants them kept overrides the hook.
    for item in pending.iter().filter(|item| has_visible_text(item)) {
        store.add_thread_item(&thread.id, item, ctx).await?;
    }
    // Without the note, a later turn may try to continue the answer the user stopped.
    // Stamped now, after every pending item was created, so it sorts after them and the
    // model reads it last. Id and time come from the responder (the injected generator and
    // clock), not a random source or the wall clock, so tests can predict it.
    let note = out.item(
        IdKind::SdkHiddenContext,
        ItemKind::SdkHiddenContext {
            content: CANCELLED_NOTE.to_owned(),
        },
    );
    store.add_thread_item(&thread.id, &note, ctx).await?;
    Ok(())
}

/// Whether an item is an assistant message with at least one non-blank text part.
///
/// The reference's `is_empty` test inverted: a message whose parts are all whitespace shows
/// nothing on reload, so it is not worth an item.
fn has_visible_text(item: &ThreadItem) -> bool {
    match &item.kind {
        ItemKind::AssistantMessage(message) => message
            .content
            .iter()
            .any(|part| !part.text.trim().is_empty()),
        _ => false,
    }
}
