//! The body of an answer, as bytes ([`BodyStream`]) or as decoded SSE events ([`EventStream`]).
//!
//! A streaming answer is Server-Sent Events, `data: <json>\n\n` per [`ThreadStreamEvent`].
//! [`EventStream`] splits it with `eventsource-stream` and decodes each `data` into the
//! protocol type, keeping the exact `data` text beside it: a conformance checker compares
//! bytes, and `--ask --raw` prints them. An event that does not decode (a newer server, a
//! broken one) is handed over as such, with its text and the decoding error, never dropped
//! and never a panic: what to do with it is the caller's choice.
//!
//! Both streams enforce the client's limits as the bytes arrive: the deadline of the whole
//! exchange and the size cap. Hitting either ends the stream with an error *after* the bytes
//! that did arrive, because those are still worth showing (or checking).
//!
//! Where it sits: opened by [`Client`](super::Client) for every answer; read by
//! [`Conversation`](super::Conversation), `--ask` and `chatkit-conform`.

use std::fmt;

use bytes::Bytes;
use eventsource_stream::{EventStreamError, Eventsource};
use futures::StreamExt;
use futures::stream::BoxStream;
use tokio::time::Instant;

use super::error::ClientError;
use crate::protocol::ThreadStreamEvent;

/// The raw body of an answer, chunk by chunk, within a deadline and a size cap.
pub struct BodyStream {
    chunks: BoxStream<'static, Result<Bytes, ClientError>>,
    /// When the whole exchange must be over, with the timeout it came from (for the error).
    deadline: Option<(Instant, std::time::Duration)>,
    max_bytes: usize,
    read: usize,
    /// Set after the first error or the end: a stream that failed stays ended.
    finished: bool,
}

impl fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyStream")
            .field("read", &self.read)
            .field("max_bytes", &self.max_bytes)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl BodyStream {
    /// The body of an HTTP answer.
    pub(super) fn from_response(
        response: reqwest::Response,
        deadline: Option<(Instant, std::time::Duration)>,
        max_bytes: usize,
    ) -> Self {
        let chunks = response
            .bytes_stream()
            .map(|chunk| chunk.map_err(ClientError::Http))
            .boxed();
        BodyStream {
            chunks,
            deadline,
            max_bytes,
            read: 0,
            finished: false,
        }
    }

    /// A body already in memory, such as a recorded SSE transcript: no deadline, no cap.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        let bytes: Bytes = bytes.into();
        BodyStream {
            chunks: futures::stream::iter([Ok(bytes)]).boxed(),
            deadline: None,
            max_bytes: usize::MAX,
            read: 0,
            finished: false,
        }
    }

    /// The next chunk as it arrived; `None` at the end. After an error (transport, deadline,
    /// size) the stream is over.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, ClientError>> {
        if self.finished {
            return None;
        }
        let next = match self.deadline {
            Some((at, timeout)) => match tokio::time::timeout_at(at, self.chunks.next()).await {
                Ok(next) => next,
                Err(_) => Some(Err(ClientError::Timeout(timeout))),
            },
            None => self.chunks.next().await,
        };
        let next = match next {
            Some(Ok(chunk)) if self.read + chunk.len() > self.max_bytes => {
                Some(Err(ClientError::TooLarge(self.max_bytes)))
            }
            other => other,
        };
        match &next {
            Some(Ok(chunk)) => self.read += chunk.len(),
            Some(Err(_)) | None => self.finished = true,
        }
        next
    }

    /// The whole body, or the first error.
    ///
    /// # Errors
    ///
    /// A transport failure, the deadline or the size cap.
    pub async fn collect(mut self) -> Result<Bytes, ClientError> {
        let mut body = Vec::new();
        while let Some(chunk) = self.next_chunk().await {
            body.extend_from_slice(&chunk?);
        }
        Ok(Bytes::from(body))
    }

    /// The chunks as a `futures` stream (what an SSE parser reads).
    fn into_stream(self) -> BoxStream<'static, Result<Bytes, ClientError>> {
        futures::stream::unfold(self, |mut body| async move {
            body.next_chunk().await.map(|chunk| (chunk, body))
        })
        .boxed()
    }
}

/// One event of a stream: the exact `data` text, and what it decoded to.
#[derive(Debug)]
pub struct StreamEvent {
    /// The event's `data`, as sent (lines joined with `\n`, as SSE defines).
    pub data: String,
    /// The typed event, or why the data is not one.
    pub event: Result<ThreadStreamEvent, serde_json::Error>,
}

impl StreamEvent {
    /// Decodes one event's data.
    pub fn decode(data: String) -> Self {
        let event = serde_json::from_str(&data);
        StreamEvent { data, event }
    }
}

/// An SSE answer, read as raw bytes or as decoded events (one or the other, see
/// [`EventStream::into_body`]).
pub struct EventStream {
    events: BoxStream<'static, Result<eventsource_stream::Event, EventStreamError<ClientError>>>,
    /// Kept until the first event is read, so that a reader who wants bytes gets all of them.
    body: Option<BodyStream>,
}

impl fmt::Debug for EventStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("body", &self.body)
            .finish_non_exhaustive()
    }
}

impl EventStream {
    /// The events of `body`.
    pub fn new(body: BodyStream) -> Self {
        EventStream {
            events: futures::stream::empty().boxed(),
            body: Some(body),
        }
    }

    /// The events of a recorded stream, such as a `.sse` transcript.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        EventStream::new(BodyStream::from_bytes(bytes))
    }

    /// The stream's bytes exactly as they arrive, for a reader that checks or prints the
    /// framing itself. Only before the first event was read: afterwards the parser owns
    /// the bytes, and this is `None`.
    pub fn into_body(self) -> Option<BodyStream> {
        self.body
    }

    /// The next event; `None` at the end of the stream.
    ///
    /// # Errors
    ///
    /// The transport, the deadline, the size cap, or bytes that are not SSE. An event whose
    /// data is not a [`ThreadStreamEvent`] is *not* an error: it is a [`StreamEvent`] whose
    /// `event` says why.
    pub async fn next_event(&mut self) -> Option<Result<StreamEvent, ClientError>> {
        if let Some(body) = self.body.take() {
            // Parsing starts on first use, so that `into_body` can still have every byte.
            self.events = body.into_stream().eventsource().boxed();
        }
        let next = self.events.next().await?;
        Some(
            next.map(|event| StreamEvent::decode(event.data))
                .map_err(|error| match error {
                    EventStreamError::Transport(error) => error,
                    other => ClientError::Sse(other.to_string()),
                }),
        )
    }
}
