//! What the assistant says: content parts and the annotations that cite sources.
//!
//! An `assistant_message` item holds a list of [`AssistantMessageContent`] parts. Each part is
//! text plus [`Annotation`]s, each pointing at a [`Source`] and optionally at a character index.
//! While a reply streams, the item updates in `item_update.rs` add parts, append text deltas and
//! add annotations one at a time.
//!
//! Where it sits: protocol layer; inside items and item updates.

use serde::{Deserialize, Serialize};

use super::literal::literal_type;
use super::source::Source;

literal_type!(
    /// The `"type":"output_text"` that closes every assistant content part.
    OutputTextType = "output_text"
);
literal_type!(
    /// The `"type":"annotation"` that opens every annotation.
    AnnotationType = "annotation"
);

/// One text part of an assistant message.
///
/// # Wire format
///
/// `{"annotations":[],"text":"Hello","type":"output_text"}`: the reference declares `type` last,
/// and `annotations` is always written, even when empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssistantMessageContent {
    /// Citations inside the text.
    #[serde(default)]
    pub annotations: Vec<Annotation>,
    /// The text of the part.
    pub text: String,
    /// Always `"output_text"`.
    #[serde(rename = "type", default)]
    pub kind: OutputTextType,
}

impl AssistantMessageContent {
    /// A part with the given text and no annotations.
    pub fn text(text: impl Into<String>) -> Self {
        AssistantMessageContent {
            annotations: Vec::new(),
            text: text.into(),
            kind: OutputTextType,
        }
    }
}

/// A citation: `{"type":"annotation","source":{…},"index":5}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Annotation {
    /// Always `"annotation"`.
    #[serde(rename = "type", default)]
    pub kind: AnnotationType,
    /// What the citation points at.
    pub source: Source,
    /// The character position in the text the citation belongs to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
}
