//! `?` inside a responder: how the agent layer's errors become a [`StreamError`].
//!
//! A `respond()` is a `try_stream!` whose error type is [`StreamError`], so every error it may
//! meet needs a `From` conversion into it. The store's and the protocol's live in the server
//! (`server/error.rs`); the agent layer's live here, beside the agent, because the server must
//! not depend on the agent (the layers point one way: protocol ← store ← server ← agent).
//!
//! The rule is the reference's: anything unexpected is a retryable `stream.error` whose detail
//! goes to the logs, never to the client. The one exception is a tripped guardrail, whose
//! message is meant for the user and which no retry would change.
//!
//! Where it sits: used by the `?` operator in responders and in [`super::bridge`].

use super::history::{ConvertError, HistoryError};
use super::runner::RunError;
use super::tools::ToolError;
use crate::provider::ProviderError;
use crate::server::StreamError;

impl From<HistoryError> for StreamError {
    fn from(error: HistoryError) -> Self {
        match error {
            // Keep the store's own variant: the pipeline logs it as a store failure.
            HistoryError::Store(error) => StreamError::Store(error),
            HistoryError::Convert(error) => error.into(),
        }
    }
}

impl From<ConvertError> for StreamError {
    fn from(error: ConvertError) -> Self {
        StreamError::failed(format!("the history could not be converted: {error}"))
    }
}

impl From<RunError> for StreamError {
    fn from(error: RunError) -> Self {
        match error {
            // What the guardrail says is written for the user; retrying the same input would
            // trip it again.
            RunError::GuardrailTripped { tripwire, .. } => {
                StreamError::custom(tripwire.message, false)
            }
            error => StreamError::failed(error.to_string()),
        }
    }
}

impl From<ProviderError> for StreamError {
    fn from(error: ProviderError) -> Self {
        StreamError::failed(error.to_string())
    }
}

impl From<ToolError> for StreamError {
    fn from(error: ToolError) -> Self {
        StreamError::failed(error.to_string())
    }
}
