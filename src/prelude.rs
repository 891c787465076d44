//! Everything a `respond()` needs, in one `use chatkit::prelude::*;`.
//!
//! A ChatKit server is a [`ChatKitServer`] whose `respond()` returns an [`EventStream`],
//! written with [`try_stream!`] and boxed with [`StreamExt::boxed`]. Those come from three
//! crates (`async-stream`, `futures`, `async-trait`) that a new server would otherwise have to
//! add to its own `Cargo.toml` at the versions this crate uses; the prelude re-exports them, so
//! a server depends on `chatkit` alone (`tokio` is re-exported too, for `#[tokio::main]`).
//!
//! It holds the server trait and its helpers, the protocol types a responder builds, and the
//! store types it reads with. The agent layer is one more line:
//! `use chatkit::agent::{Agent, Runner, bridge::{ResponseMapper, stream_agent_response}};`.

pub use std::sync::Arc;

pub use async_stream::{stream, try_stream};
pub use async_trait::async_trait;
pub use futures::{Stream, StreamExt};
/// The runtime the server runs on, for `#[tokio::main]` and `tokio::net::TcpListener`.
pub use tokio;

pub use crate::id_gen::IdKind;
pub use crate::protocol::{
    Action, AssistantMessage, AssistantMessageContent, ItemId, ItemKind, Order, Page, Task,
    ThreadId, ThreadItem, ThreadItemUpdate, ThreadMetadata, ThreadStreamEvent, UserMessage,
    UserMessageContent, UserMessageItem, WidgetRoot, Workflow,
};
pub use crate::server::{
    ChatKitServer, EventStream, ProcessError, Processor, Responder, StreamError,
};
pub use crate::store::{PageRequest, Store, StoreContext, UserContext};
