//! The corpus families: which Rust type each `fixtures/protocol/<family>/` directory holds.
//!
//! This is the Rust half of `reference/families.py`; the two lists name the same directories.

use chatkit::protocol::{
    ActionConfig, Attachment, Page, Request, Source, StructuredInput, SyncCustomActionResponse,
    Task, Thread, ThreadItem, ThreadItemUpdate, ThreadMetadata, ThreadStreamEvent,
    TranscriptionResult, WidgetRoot, Workflow, to_store_json, to_wire_json,
};
use serde::{Serialize, de::DeserializeOwned};

/// Which of the two JSON encodings a family is written in (see `protocol::encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Wire,
    Store,
}

/// Parses `payload` as the family's Rust type and writes it back in the family's encoding.
pub(crate) fn round_trip(family: &str, payload: &[u8]) -> Result<String, String> {
    use Encoding::{Store, Wire};
    match family {
        "request" => {
            let request = Request::from_slice(payload).map_err(|error| error.to_string())?;
            to_wire_json(&request).map_err(|error| error.to_string())
        }
        "event" => typed::<ThreadStreamEvent>(payload, Wire),
        "update" => typed::<ThreadItemUpdate>(payload, Wire),
        "item" => typed::<ThreadItem>(payload, Wire),
        "stored_item" => typed::<ThreadItem>(payload, Store),
        "thread" => typed::<Thread>(payload, Wire),
        "thread_metadata" => typed::<ThreadMetadata>(payload, Wire),
        "page_threads" => typed::<Page<Thread>>(payload, Wire),
        "page_items" => typed::<Page<ThreadItem>>(payload, Wire),
        "attachment" => typed::<Attachment>(payload, Wire),
        "stored_attachment" => typed::<Attachment>(payload, Store),
        "task" => typed::<Task>(payload, Wire),
        "source" => typed::<Source>(payload, Wire),
        "workflow" => typed::<Workflow>(payload, Wire),
        "structured_input" => typed::<StructuredInput>(payload, Wire),
        "sync_custom_action_response" => typed::<SyncCustomActionResponse>(payload, Wire),
        "transcription_result" => typed::<TranscriptionResult>(payload, Wire),
        "action_config" => typed::<ActionConfig>(payload, Wire),
        "widget" => typed::<WidgetRoot>(payload, Wire),
        other => Err(format!("no Rust type is registered for family `{other}`")),
    }
}

fn typed<T: DeserializeOwned + Serialize>(
    payload: &[u8],
    encoding: Encoding,
) -> Result<String, String> {
    let value: T = serde_json::from_slice(payload).map_err(|error| format!("parse: {error}"))?;
    let written = match encoding {
        Encoding::Wire => to_wire_json(&value),
        Encoding::Store => to_store_json(&value),
    };
    written.map_err(|error| format!("write: {error}"))
}
