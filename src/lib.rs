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
//! * [`store`]: where threads, items and attachments live, per user: the [`store::Store`]
//!   trait, [`store::MemoryStore`], [`store::SqliteStore`] and the contract suite both pass.
//! * [`server`]: the [`server::ChatKitServer`] trait you implement (`respond()` and the
//!   optional hooks) and the [`server::Processor`] that runs every request through it.
//! * [`http`]: the axum edge: [`http::router`] serves `POST /chatkit` (JSON or SSE, errors as
//!   JSON statuses; per-user rate limits, CORS and the upload routes as options) and
//!   [`http::serve`] runs it. Apart from the mock model server in [`provider`], the only
//!   module that serves HTTP.
//! * [`auth`]: bearer tokens verified before `process` ([`auth::JwtVerifier`], HS256 or
//!   RS256), and the [`auth::Principal`] (user, tenant, roles) every request then acts as.
//! * [`attachments`]: [`attachments::DiskAttachments`], uploads on local disk, a directory per
//!   tenant and user, and their rendering as model input.
//! * [`client`]: the protocol's client side: every request typed, the stream decoded and
//!   folded into what a client shows ([`client::ThreadState`]), client tools and paging;
//!   `--ask` and `chatkit-conform` send through it.
//! * [`provider`]: the Responses API client ([`provider::OpenAiProvider`]) and the offline
//!   [`provider::MockProvider`] every lesson runs on by default.
//! * [`agent`]: an [`agent::Agent`] with instructions and function tools, the runner that
//!   streams a model turn by turn, running the tools it asks for, [`agent::bridge`] which
//!   turns that run into ChatKit events, and [`agent::history`] which turns stored items back
//!   into model input.
//! * [`conform`]: the conformance checker behind `chatkit-conform`: offline validation of a
//!   captured stream or body, and a live black-box suite against any ChatKit server.
//! * [`clock`] and [`id_gen`]: injected time and ids, so every test and transcript is
//!   deterministic.
//! * [`prelude`]: what a `respond()` needs in one `use`, so a server depends on this crate
//!   alone.
//!
//! ## Request flow
//!
//! ```text
//! POST /chatkit ─► http::router ─► context builder (auth::JwtVerifier: 401) ─► rate limit (429)
//!                                 ─► server::Processor::process
//!                                   ├─ protocol::Request::from_slice   (400 on a bad body)
//!                                   ├─ StoreContext::authorize         (403 for the role)
//!                                   ├─ JSON ops: store calls ─► one JSON body
//!                                   └─ streaming ops: checks, then your respond() ─► events
//!                                        ─► pipeline (persist on done, hide hidden items)
//!                                        ─► SSE frames `data: {json}\n\n`
//! ```
//!
//! The server, HTTP, agent and model layers build on [`protocol`] and [`store`] in that order.

pub mod agent;
pub mod attachments;
pub mod auth;
pub mod client;
pub mod clock;
pub mod conform;
pub mod http;
pub mod id_gen;
pub mod prelude;
pub mod protocol;
pub mod provider;
pub mod server;
pub mod store;

// The README's examples are compiled and run as doc tests, so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
