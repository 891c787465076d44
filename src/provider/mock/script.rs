//! The mock provider's script format: what each request answers.
//!
//! A script is a JSON list of turns. Request number *N* (1-based) plays turn *N*; once the list
//! runs out, the last turn repeats. This format is shared with other tools, so it stays exactly
//! as it is:
//!
//! ```json
//! [
//!   {"output": [{"type": "function_call", "name": "get_weather", "arguments": {"city": "Paris"}, "deltas": 3}],
//!    "fail": null},
//!   {"output": [{"type": "reasoning", "summary": ["The tool said it is sunny."], "deltas": 2},
//!               {"type": "message", "text": "It is sunny in Paris.",
//!                "deltas": ["It is sunny", " in Paris."], "annotations": []}]}
//! ]
//! ```
//!
//! * `message`: `text`, and optionally `deltas` (the streamed chunks; by default the text split
//!   before each word) and `annotations` (Responses annotation objects, e.g. `url_citation`).
//!   With `deltas` and no `text`, the text is the chunks joined.
//! * `reasoning`: `summary`, one string per summary part, and `deltas`, how many chunks each
//!   part streams in (by default one per word).
//! * `function_call`: `name`, `arguments` (a JSON object, sent as its compact JSON string) and
//!   `deltas`, how many chunks the arguments stream in (default 1).
//! * `fail`: `null`, `"response.failed"`, `"error"` (an `error` event), `"error_key"` (the legacy
//!   `{"error":{…}}` payload) or `"http_500"` (an HTTP 500 before any event). The outputs, if
//!   any, stream before a mid-stream failure.
//! * `fail: "cut"` is an addition of this crate (scripts without it mean what they meant): the
//!   outputs stream, then the body ends with no terminal event (no `response.completed`), as
//!   when a connection drops.
//! * A message's `stop_after_deltas: k` is another addition: the message streams its first `k`
//!   chunks and the response breaks off there (no `done` events, no later outputs), so that
//!   `fail` hits in the middle of a message.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A list of turns; see the module doc.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Script {
    /// The turns, one per request; the last repeats.
    pub turns: Vec<Turn>,
}

/// What one request answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// The output items, in order.
    #[serde(default)]
    pub output: Vec<ScriptOutput>,
    /// How the turn fails, if it does.
    #[serde(default)]
    pub fail: Option<Failure>,
}

/// One output item of a turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ScriptOutput {
    /// An assistant message.
    #[serde(rename = "message")]
    Message {
        /// The whole text (default: the deltas joined).
        #[serde(default)]
        text: Option<String>,
        /// The chunks it streams in (default: split before each word).
        #[serde(default)]
        deltas: Option<Vec<String>>,
        /// Responses annotations, e.g. `{"type":"url_citation",…}`.
        #[serde(default)]
        annotations: Vec<Value>,
        /// Break the response off after this many chunks (an addition to the shared format).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stop_after_deltas: Option<usize>,
    },
    /// A reasoning item.
    #[serde(rename = "reasoning")]
    Reasoning {
        /// One string per summary part.
        #[serde(default)]
        summary: Vec<String>,
        /// How many chunks each part streams in (default: one per word).
        #[serde(default)]
        deltas: Option<usize>,
    },
    /// A call of one of the request's tools.
    #[serde(rename = "function_call")]
    FunctionCall {
        /// The tool's name.
        name: String,
        /// The arguments object.
        #[serde(default)]
        arguments: Map<String, Value>,
        /// How many chunks the arguments string streams in (default 1).
        #[serde(default)]
        deltas: Option<usize>,
    },
}

/// How a turn fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Failure {
    /// Ends with `response.failed` instead of `response.completed`.
    #[serde(rename = "response.failed")]
    ResponseFailed,
    /// Ends with an `error` event.
    #[serde(rename = "error")]
    ErrorEvent,
    /// Ends with a legacy `{"error":{…}}` payload.
    #[serde(rename = "error_key")]
    ErrorKey,
    /// Answers HTTP 500 with a JSON error body, before any event.
    #[serde(rename = "http_500")]
    Http500,
    /// Ends the body after the outputs, with no terminal event (an addition to the shared
    /// format: no existing script uses it).
    #[serde(rename = "cut")]
    Cut,
}

/// Why a script could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    /// The file could not be read.
    #[error("could not read the script {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The JSON is not a list of turns.
    #[error("the script is not a list of turns: {0}")]
    Parse(#[from] serde_json::Error),
    /// The list is empty, so there is nothing to repeat.
    #[error("the script has no turns")]
    Empty,
}

impl Script {
    /// Parses a script from JSON text.
    ///
    /// # Errors
    ///
    /// [`ScriptError::Parse`] for JSON that is not a list of turns, [`ScriptError::Empty`] for `[]`.
    pub fn from_json(text: &str) -> Result<Self, ScriptError> {
        let script: Script = serde_json::from_str(text)?;
        if script.turns.is_empty() {
            return Err(ScriptError::Empty);
        }
        Ok(script)
    }

    /// Reads and parses a script file.
    ///
    /// # Errors
    ///
    /// As [`Script::from_json`], plus [`ScriptError::Read`].
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ScriptError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ScriptError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Script::from_json(&text)
    }

    /// The turn request number `n` (1-based) plays: the `n`-th, or the last one.
    pub fn turn(&self, n: usize) -> Turn {
        let index = n.saturating_sub(1).min(self.turns.len().saturating_sub(1));
        self.turns.get(index).cloned().unwrap_or_default()
    }
}

impl Turn {
    /// A turn that answers with one message.
    pub fn message(text: impl Into<String>) -> Self {
        Turn {
            output: vec![ScriptOutput::Message {
                text: Some(text.into()),
                deltas: None,
                annotations: Vec::new(),
                stop_after_deltas: None,
            }],
            fail: None,
        }
    }
}
