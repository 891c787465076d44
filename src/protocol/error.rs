//! `ProtocolError`: why a request body could not be decoded.
//!
//! Decoding is the first step of every request, before any store call or any SSE byte, so these
//! errors travel on the HTTP channel: the HTTP layer maps every one of them to `400 Bad Request`
//! with the error's text (which names the field and never includes internal details). The
//! Python SDK answers all of them with a bare `500 Internal Server Error`.
//!
//! Where it sits: protocol layer, returned by [`Request::from_slice`](super::request::Request::from_slice).

/// A request body that is not a valid ChatKit request.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    /// The body is not JSON at all.
    #[error("request body is not valid JSON: {0}")]
    MalformedJson(#[source] serde_json::Error),
    /// The body is JSON but not an object.
    #[error("request body must be a JSON object")]
    NotAnObject,
    /// `type` names no operation.
    #[error("unknown request type `{0}`")]
    UnknownRequestType(String),
    /// A required field is absent.
    #[error("missing field `{field}`")]
    MissingField {
        /// The field's path, such as `params.input.inference_options`.
        field: String,
    },
    /// A field is present but has the wrong type or value.
    #[error("invalid field `{field}`: {message}")]
    InvalidField {
        /// The field's path, such as `params.limit`.
        field: String,
        /// What was wrong, in serde's words.
        message: String,
    },
}

impl ProtocolError {
    /// The path of the field the error is about, when it is about one.
    pub fn field(&self) -> Option<&str> {
        match self {
            ProtocolError::MissingField { field } | ProtocolError::InvalidField { field, .. } => {
                Some(field)
            }
            ProtocolError::UnknownRequestType(_) => Some("type"),
            ProtocolError::MalformedJson(_) | ProtocolError::NotAnObject => None,
        }
    }

    pub(crate) fn missing(field: &str) -> Self {
        ProtocolError::MissingField {
            field: field.to_owned(),
        }
    }

    pub(crate) fn invalid(field: &str, message: &str) -> Self {
        ProtocolError::InvalidField {
            field: field.to_owned(),
            message: message.to_owned(),
        }
    }

    /// Classifies a serde error found at `path` (the container, for a missing field).
    pub(crate) fn from_serde(path: &str, error: &serde_json::Error) -> Self {
        let message = error.to_string();
        // serde reports a missing field as "missing field `name`" at the path of the object that
        // lacks it; join the two so the error names the field itself.
        if let Some(name) = missing_field_name(&message) {
            let field = if path.is_empty() || path == "." {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            };
            return ProtocolError::MissingField { field };
        }
        ProtocolError::InvalidField {
            field: path.to_owned(),
            message: strip_position(&message).to_owned(),
        }
    }
}

/// The field name in serde's "missing field `name`" message, if that is what it says.
fn missing_field_name(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// Drops serde_json's " at line 1 column 42" suffix: it refers to an internal re-encoding.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(index) => &message[..index],
        None => message,
    }
}
