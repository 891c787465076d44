//! Widget actions: what a widget asks the server (or the client) to do when it is used.
//!
//! Two shapes share the word "action":
//!
//! * [`ActionConfig`] sits *inside a widget* (a button's `onClickAction`, a form's
//!   `onSubmitAction`, a card's `confirm.action`). It says what to send and who handles it.
//! * [`Action`] is what comes *back* in a request when the user triggers that config:
//!   `threads.custom_action` and `threads.sync_custom_action` carry `{"type", "payload"}`, and the
//!   server hands it to the handler's `action` hook.
//!
//! Where it sits: protocol layer. `ActionConfig` is read and written with the widget tree
//! (`widget`), `Action` is read from requests (`request.rs`).
//!
//! Python counterpart: `chatkit/actions.py` (`ActionConfig`, and the generic `Action[TType,
//! TPayload]`, which requests use as `Action[str, Any]`).
//!
//! What it leaves out, on purpose:
//!
//! * The reference accepts an action with no `type` and stores a placeholder that later fails to
//!   serialize (protocol#quirk-action-without-type). Here `type` is required, so such a
//!   request is rejected when it is decoded.
//! * `Action.create(...)`, which builds a config from a typed `Action` subclass: in Rust,
//!   [`ActionConfig::new`] and its `with_*` methods do the same job.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An action sent by the client: `{"type":"select","payload":{"id":3}}`.
///
/// It arrives in `threads.custom_action` / `threads.sync_custom_action` and goes to the
/// handler. Keys other than `type` and `payload` (a client may echo `handler`) are ignored.
///
/// # Wire format
///
/// `type` is required; `payload` is any JSON and is left out when absent or null. Nulls
/// *inside* the payload are kept, as the reference keeps them.
///
/// ```
/// use chatkit::protocol::Action;
///
/// let action: Action = serde_json::from_str(r#"{"type":"select","payload":{"id":3},"handler":"client"}"#)
///     .expect("a valid action");
/// assert_eq!(action.kind, "select");
/// assert_eq!(serde_json::to_string(&action).expect("serializes"), r#"{"type":"select","payload":{"id":3}}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// The action's name, chosen by the widget author: `"submit"`, `"select"`, ….
    #[serde(rename = "type")]
    pub kind: String,
    /// Data the widget attached to the action.
    #[serde(default, skip_serializing_if = "payload_is_absent")]
    pub payload: Option<Value>,
}

/// `true` when there is no payload to write. `Some(Value::Null)` counts as absent too, since
/// the reference stores both as `None` and leaves them out.
fn payload_is_absent(payload: &Option<Value>) -> bool {
    matches!(payload, None | Some(Value::Null))
}

impl Action {
    /// An action with no payload.
    pub fn new(kind: impl Into<String>) -> Self {
        Action {
            kind: kind.into(),
            payload: None,
        }
    }

    /// The same action carrying `payload`.
    pub fn with_payload(mut self, payload: Value) -> Self {
        self.payload = Some(payload);
        self
    }
}

/// Who handles an action when it fires.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActionHandler {
    /// The client sends it to the server as `threads.custom_action` (the default).
    #[default]
    #[serde(rename = "server")]
    Server,
    /// The client app handles it itself; the server never sees it.
    #[serde(rename = "client")]
    Client,
}

/// Which part of the widget shows a loading state while an action runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LoadingBehavior {
    /// Let the client pick (the default).
    #[default]
    #[serde(rename = "auto")]
    Auto,
    /// Show no loading state.
    #[serde(rename = "none")]
    None,
    /// Only the component that fired the action.
    #[serde(rename = "self")]
    SelfComponent,
    /// The whole container around it.
    #[serde(rename = "container")]
    Container,
}

/// The action a widget component carries: what to send and how.
///
/// # Wire format
///
/// `{"type","payload"?,"handler","loadingBehavior","streaming"}` in that order. The defaults
/// (`"server"`, `"auto"`, `true`) are filled in when reading and always written, as pydantic
/// does. Nulls inside `payload` are kept here; inside a widget tree the widget's own
/// serializer removes them (see `widget`).
///
/// ```
/// use chatkit::protocol::ActionConfig;
/// use serde_json::json;
///
/// let config = ActionConfig::new("submit").with_payload(json!({"form": "signup"}));
/// assert_eq!(
///     serde_json::to_string(&config).expect("serializes"),
///     r#"{"type":"submit","payload":{"form":"signup"},"handler":"server","loadingBehavior":"auto","streaming":true}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionConfig {
    /// The action's name; it comes back as [`Action::kind`].
    #[serde(rename = "type")]
    pub kind: String,
    /// Data to send with the action.
    #[serde(default, skip_serializing_if = "payload_is_absent")]
    pub payload: Option<Value>,
    /// Who handles it.
    #[serde(default)]
    pub handler: ActionHandler,
    /// Where the loading state shows.
    #[serde(rename = "loadingBehavior", default)]
    pub loading_behavior: LoadingBehavior,
    /// Whether the server's answer streams (`threads.custom_action`); `false` makes the client
    /// use `threads.sync_custom_action` and wait for one JSON reply.
    #[serde(default = "streams_by_default")]
    pub streaming: bool,
}

/// Actions stream unless told otherwise (the reference's `streaming: bool = True`).
fn streams_by_default() -> bool {
    true
}

impl ActionConfig {
    /// A server-handled, streaming action with no payload.
    pub fn new(kind: impl Into<String>) -> Self {
        ActionConfig {
            kind: kind.into(),
            payload: None,
            handler: ActionHandler::Server,
            loading_behavior: LoadingBehavior::Auto,
            streaming: true,
        }
    }

    /// The same config carrying `payload`.
    pub fn with_payload(mut self, payload: Value) -> Self {
        self.payload = Some(payload);
        self
    }

    /// The same config, handled by `handler`.
    pub fn with_handler(mut self, handler: ActionHandler) -> Self {
        self.handler = handler;
        self
    }

    /// The same config, showing its loading state as `loading_behavior` says.
    pub fn with_loading_behavior(mut self, loading_behavior: LoadingBehavior) -> Self {
        self.loading_behavior = loading_behavior;
        self
    }

    /// The same config, answered with one JSON reply instead of a stream.
    pub fn non_streaming(mut self) -> Self {
        self.streaming = false;
        self
    }

    /// The [`Action`] the client sends when this config fires.
    pub fn to_action(&self) -> Action {
        Action {
            kind: self.kind.clone(),
            payload: self.payload.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_action_without_type_is_rejected() {
        let error =
            serde_json::from_str::<Action>(r#"{"payload":{"id":1}}"#).expect_err("rejected");
        assert!(
            error.to_string().contains("missing field `type`"),
            "{error}"
        );
    }

    #[test]
    fn an_action_ignores_extra_keys_and_drops_a_null_payload() {
        let action: Action =
            serde_json::from_str(r#"{"type":"refresh","payload":null,"handler":"client"}"#)
                .expect("valid");
        assert_eq!(action, Action::new("refresh"));
        assert_eq!(
            serde_json::to_string(&action).expect("serializes"),
            r#"{"type":"refresh"}"#
        );
    }

    #[test]
    fn an_action_keeps_nulls_inside_its_payload() {
        let json = r#"{"type":"select","payload":{"a":null,"b":[1,null]}}"#;
        let action: Action = serde_json::from_str(json).expect("valid");
        assert_eq!(serde_json::to_string(&action).expect("serializes"), json);
    }

    #[test]
    fn a_null_payload_built_in_rust_is_left_out_like_an_absent_one() {
        let config = ActionConfig::new("x").with_payload(Value::Null);
        assert_eq!(
            serde_json::to_string(&config).expect("serializes"),
            r#"{"type":"x","handler":"server","loadingBehavior":"auto","streaming":true}"#
        );
    }

    #[test]
    fn an_action_config_fills_and_writes_its_defaults() {
        let config: ActionConfig = serde_json::from_str(r#"{"type":"submit"}"#).expect("valid");
        assert_eq!(config, ActionConfig::new("submit"));
        assert_eq!(
            serde_json::to_string(&config).expect("serializes"),
            r#"{"type":"submit","handler":"server","loadingBehavior":"auto","streaming":true}"#
        );
    }

    #[test]
    fn an_action_config_writes_fields_in_pydantic_order_whatever_the_input_order() {
        let input = r#"{"streaming":false,"loadingBehavior":"self","handler":"client","payload":[1],"type":"x"}"#;
        let config: ActionConfig = serde_json::from_str(input).expect("valid");
        assert_eq!(
            config,
            ActionConfig::new("x")
                .with_payload(json!([1]))
                .with_handler(ActionHandler::Client)
                .with_loading_behavior(LoadingBehavior::SelfComponent)
                .non_streaming()
        );
        assert_eq!(
            serde_json::to_string(&config).expect("serializes"),
            r#"{"type":"x","payload":[1],"handler":"client","loadingBehavior":"self","streaming":false}"#
        );
    }

    #[test]
    fn an_action_config_rejects_unknown_handlers_and_loading_behaviors() {
        assert!(serde_json::from_str::<ActionConfig>(r#"{"type":"x","handler":"both"}"#).is_err());
        assert!(
            serde_json::from_str::<ActionConfig>(r#"{"type":"x","loadingBehavior":"spin"}"#)
                .is_err()
        );
        assert!(serde_json::from_str::<ActionConfig>(r#"{"handler":"server"}"#).is_err());
    }
}
