//! The two JSON encodings of protocol values: **wire** (what clients see) and **store**.
//!
//! They differ in one place only. An attachment may carry integration `metadata` (a signed
//! upload key, a storage path, …) that the integration needs back later but that must never
//! reach a browser. The Python SDK keeps it in the model and drops it while serializing
//! responses, through a pydantic serialization context (`context={"exclude_metadata": True}`
//! in `chatkit/server.py`), while its stores serialize without that context and so keep it.
//!
//! serde has no serialization context, so the switch is a thread-local flag that is **off by
//! default**: any plain `serde_json::to_string` of an item, event or attachment leaves the
//! metadata out, which makes a leak impossible by accident. A store that must keep it calls
//! [`to_store_json`] (or [`to_store_value`]), which turns the flag on for the duration of that
//! one synchronous serialization. Serialization never awaits, so the flag cannot leak into
//! another task; a guard restores it even if a `Serialize` impl panics.
//!
//! Where it sits: protocol layer. Servers use [`to_wire_json`] for every SSE frame and JSON
//! body; stores use [`to_store_json`] for what they persist.

use std::cell::Cell;

use serde::Serialize;

thread_local! {
    /// Whether integration-only attachment metadata is being written (store encoding).
    static INCLUDE_INTEGRATION_METADATA: Cell<bool> = const { Cell::new(false) };
}

/// Serializes a value as clients see it: compact, nulls omitted, attachment metadata left out.
///
/// # Errors
///
/// Fails only if a `Serialize` impl fails, which the protocol types never do.
pub fn to_wire_json<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string(value)
}

/// Serializes a value as a store keeps it: like [`to_wire_json`], plus attachment metadata.
///
/// # Errors
///
/// Fails only if a `Serialize` impl fails, which the protocol types never do.
pub fn to_store_json<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    with_integration_metadata(|| serde_json::to_string(value))
}

/// Like [`to_store_json`], but builds a `serde_json::Value` instead of text.
///
/// # Errors
///
/// Fails only if a `Serialize` impl fails, which the protocol types never do.
pub fn to_store_value<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<serde_json::Value> {
    with_integration_metadata(|| serde_json::to_value(value))
}

/// Used by `skip_serializing_if` on attachment metadata: skip it unless a store is writing.
pub(crate) fn skip_integration_metadata<T>(metadata: &Option<T>) -> bool {
    metadata.is_none() || !INCLUDE_INTEGRATION_METADATA.with(Cell::get)
}

/// Runs `serialize` with the store encoding switched on, restoring the previous setting after.
fn with_integration_metadata<R>(serialize: impl FnOnce() -> R) -> R {
    /// Puts the flag back when dropped, so a panic inside `serialize` cannot leave it on.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            INCLUDE_INTEGRATION_METADATA.with(|flag| flag.set(self.0));
        }
    }
    let _restore = Restore(INCLUDE_INTEGRATION_METADATA.with(|flag| flag.replace(true)));
    serialize()
}
