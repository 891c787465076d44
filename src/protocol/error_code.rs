//! Error codes and notice levels: how a stream tells the user something went wrong.
//!
//! An `error` event carries a [`ErrorCode`]: `custom` (the event's `message` is user-facing text)
//! or a code the client translates itself (today only `stream.error`). The set is open by design
//! in the reference ("new error codes can and will be added"), so an unknown code is kept as
//! text rather than rejected. A `notice` event carries a [`NoticeLevel`].
//!
//! Where it sits: protocol layer; inside `error` and `notice` events.

use serde::{Deserialize, Serialize};

/// The code of an `error` event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorCode {
    /// The message is user-facing text; the default.
    #[default]
    #[serde(rename = "custom")]
    Custom,
    /// Something failed while streaming; the client shows its own localised text.
    #[serde(rename = "stream.error")]
    StreamError,
    /// A code this version does not know, kept as it was sent.
    #[serde(untagged)]
    Other(String),
}

impl ErrorCode {
    /// Whether the client may offer a retry when the error itself does not say.
    ///
    /// The reference defaults `allow_retry` to true for `stream.error` and false otherwise.
    pub fn default_allow_retry(&self) -> bool {
        matches!(self, ErrorCode::StreamError)
    }
}

/// The severity of a `notice` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoticeLevel {
    /// For information.
    #[serde(rename = "info")]
    Info,
    /// Something to be aware of.
    #[serde(rename = "warning")]
    Warning,
    /// Something went wrong.
    #[serde(rename = "danger")]
    Danger,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_use_their_wire_names() {
        let codes = [ErrorCode::Custom, ErrorCode::StreamError];
        let written: Vec<String> = codes
            .iter()
            .map(|code| serde_json::to_string(code).expect("serializable"))
            .collect();
        assert_eq!(written, [r#""custom""#, r#""stream.error""#]);
    }

    #[test]
    fn an_unknown_error_code_is_kept_rather_than_rejected() {
        let code: ErrorCode = serde_json::from_str(r#""quota.exceeded""#).expect("kept");
        assert_eq!(code, ErrorCode::Other("quota.exceeded".to_owned()));
        assert_eq!(
            serde_json::to_string(&code).expect("serializable"),
            r#""quota.exceeded""#
        );
        assert!(!code.default_allow_retry());
    }
}
