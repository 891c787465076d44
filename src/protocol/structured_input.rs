//! Structured input: questions the assistant asks, and the answers the client submits.
//!
//! A handler yields a `structured_input` item holding [`StructuredInput`] questions (multiple
//! choice or free text). The client answers with `threads.add_structured_input` carrying a
//! [`StructuredInputSubmission`]; the server records one [`StructuredInputAnswer`] per question
//! and replaces the item.
//!
//! Where it sits: protocol layer; inside items and the structured-input request.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// One question. Its base fields come first, then `type`, then the kind's fields.
///
/// # Wire format
///
/// `{"id":"q1","question":"Which?","type":"multiple_choice","options":[{"value":"A"}],"multiple":false}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StructuredInput {
    /// Stable id of the question; answers are keyed by it.
    pub id: String,
    /// The question shown to the user.
    pub question: String,
    /// The recorded answer, once there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<StructuredInputAnswer>,
    /// Multiple choice or free text.
    #[serde(flatten)]
    pub kind: StructuredInputKind,
}

/// The kinds of question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum StructuredInputKind {
    /// Pick among options (a custom answer is allowed too).
    #[serde(rename = "multiple_choice")]
    MultipleChoice {
        /// Suggested answers.
        options: Vec<StructuredInputOption>,
        /// Whether more than one value may be submitted.
        #[serde(default)]
        multiple: bool,
    },
    /// Free text.
    #[serde(rename = "freeform")]
    Freeform {
        /// Supporting text shown with the question.
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<String>,
    },
}

/// A suggested answer: `{"value":"Math"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StructuredInputOption {
    /// The value submitted when it is picked.
    pub value: String,
}

/// An answer: `{"values":["Math"],"skipped":false}`; both fields are always written.
///
/// The reference has two classes of this exact shape, one for a recorded answer and one for a
/// submitted one (`StructuredInputAnswerSubmission`); one Rust type serves both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StructuredInputAnswer {
    /// The values given, in order.
    #[serde(default)]
    pub values: Vec<String>,
    /// Whether the question was skipped.
    #[serde(default)]
    pub skipped: bool,
}

/// Whether a structured-input item is waiting, answered or skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StructuredInputStatus {
    /// Waiting for the user; the default.
    #[default]
    #[serde(rename = "pending")]
    Pending,
    /// Answered.
    #[serde(rename = "answered")]
    Answered,
    /// Skipped as a whole.
    #[serde(rename = "skipped")]
    Skipped,
}

/// What the client submits: `{"status":"answered","answers":{"q1":{"values":["A"],"skipped":false}}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StructuredInputSubmission {
    /// Answered (the default) or skipped as a whole.
    #[serde(default)]
    pub status: SubmissionStatus,
    /// Answers keyed by question id, in the order the client sent them.
    #[serde(default)]
    pub answers: IndexMap<String, StructuredInputAnswer>,
}

/// The overall status of a submission.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubmissionStatus {
    /// The user answered; the default.
    #[default]
    #[serde(rename = "answered")]
    Answered,
    /// The user skipped the whole form.
    #[serde(rename = "skipped")]
    Skipped,
}
