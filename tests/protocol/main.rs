//! Wire identity with the Python SDK: one test binary for the whole protocol layer.
//!
//! * `corpus`: every payload in `fixtures/protocol/`, produced by `openai-chatkit` 1.6.5 itself
//!   (`reference/gen_corpus.py`), parses into its Rust type and re-serializes byte for byte; and
//!   every variant of the tagged enums has at least one payload.
//! * `emitted`: payloads built with the Rust constructors are written under the target directory
//!   for `reference/check_emitted.py`, which feeds them to the SDK and compares its output.
//! * `bad_requests`: the request decoder rejects what the reference rejects (and what we chose
//!   to tighten) with a typed error naming the field.
//! * `widget_inputs`: untidy widget inputs (`fixtures/widget_inputs/`, from
//!   `reference/gen_widget_inputs.py`) come out exactly as the SDK writes them.
//!
//! One binary with modules, rather than one per file, keeps link time down on small machines.

mod bad_requests;
mod corpus;
mod emitted;
mod families;
mod widget_inputs;
