//! The frames of a streaming response, and a way to know when its turn is over.
//!
//! A turn (one run of `respond()` or `action()`) lives in the pipeline task, not in the HTTP
//! response: when the client goes away, the task runs the cancellation hook, or, in a turn
//! with `allow_cancel: false`, runs the turn to its end, unseen. So the end of a response is
//! not the end of its turn, and whoever wants to read what a turn stored (a test, the lessons'
//! `--ask --cancel-after`, a server draining before it stops) waits on its [`TurnHandle`].
//!
//! Where it sits: the processor makes the pair for each stream; the pipeline task holds the
//! sending half until it ends; [`Frames`] carries the handle to the HTTP layer, which puts it
//! in the response's extensions.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::Stream;
use tokio::sync::watch;
use tokio_stream::wrappers::ReceiverStream;

/// A watch on one turn: [`finished`](TurnHandle::finished) completes once the pipeline task
/// that runs it has ended: the responder's stream ran out or failed, or the client left and
/// the cancellation hook returned, or the task panicked.
///
/// Cheap to clone; holding one does not keep the turn alive, and dropping it changes nothing.
#[derive(Debug, Clone)]
pub struct TurnHandle {
    /// Nothing is ever sent: the channel closing, when the task drops its [`TurnGuard`], is
    /// the signal.
    ended: watch::Receiver<()>,
}

/// The pipeline task's half: dropped when the task ends, whichever way.
#[derive(Debug)]
pub(crate) struct TurnGuard {
    _alive: watch::Sender<()>,
}

impl TurnHandle {
    /// A handle and the guard whose drop completes it.
    pub(crate) fn new() -> (TurnGuard, TurnHandle) {
        let (alive, ended) = watch::channel(());
        (TurnGuard { _alive: alive }, TurnHandle { ended })
    }

    /// Whether the turn has ended.
    pub fn is_finished(&self) -> bool {
        // `has_changed` fails only once the sender is gone.
        self.ended.has_changed().is_err()
    }

    /// Completes when the turn has ended; at once if it already has.
    pub async fn finished(mut self) {
        // `changed` fails once the sender is dropped; no value is ever sent, so the loop
        // body never runs more than it takes to see the close.
        while self.ended.changed().await.is_ok() {}
    }
}

/// The SSE frames of one streaming response, each `data: <json>\n\n`, and its turn.
///
/// A [`Stream`] of [`Bytes`] that ends when the pipeline has sent its last frame. Dropping it
/// is how a client leaves: the pipeline sees its channel close.
#[derive(Debug)]
pub struct Frames {
    frames: ReceiverStream<Bytes>,
    turn: TurnHandle,
}

impl Frames {
    pub(crate) fn new(frames: ReceiverStream<Bytes>, turn: TurnHandle) -> Self {
        Frames { frames, turn }
    }

    /// The turn these frames come from, to wait for its end after the frames stop.
    pub fn turn(&self) -> TurnHandle {
        self.turn.clone()
    }
}

impl Stream for Frames {
    type Item = Bytes;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        Pin::new(&mut self.frames).poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.frames.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_handle_finishes_when_the_guard_drops_and_not_before() {
        let (guard, handle) = TurnHandle::new();
        let copy = handle.clone();
        assert!(!handle.is_finished());
        let waiting = tokio::spawn(copy.finished());
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "finished while the guard lives");
        drop(guard);
        waiting.await.expect("the wait completes");
        assert!(handle.is_finished());
        // A handle taken after the end completes at once.
        handle.finished().await;
    }
}
