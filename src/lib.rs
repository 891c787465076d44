//! # chatkit: build a ChatKit server in Rust
//!
//! ChatKit is OpenAI's chat UI. Its backend speaks one protocol: a single POST endpoint that
//! answers some requests with JSON and others with a Server-Sent-Events stream of thread
//! events, over threads the server keeps in a store, per user. The reference backend is the
//! Python SDK `openai-chatkit` 1.6.5; this crate is its Rust counterpart, written to be read by
//! students, and wire-compatible with it byte for byte.
//!
//! This is a teaching toolkit first. It favours code you can read top to bottom over the last
//! bit of speed, and says where it departs from the reference and why (see the README's
//! "Differences from the Python SDK").
//!
//! ## Layout
//!
//! * [`protocol`]: the wire types, every request, event, item and widget, with no I/O.
//!
//! ## Request flow
//!
//! ```text
//! POST body ──► protocol::Request::from_slice ──► (server) ──► ThreadStreamEvent … ──► SSE frames
//!                     │ 400 on a bad body                         └─► store (persist on done)
//! ```
//!
//! The store, server, HTTP, agent and model layers build on [`protocol`] in that order.

pub mod protocol;
