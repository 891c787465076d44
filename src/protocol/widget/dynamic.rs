//! Free-form components: any `type`, any props, nothing lost.
//!
//! Python counterpart: `DynamicWidgetComponent` in `chatkit/widgets.py`, a model with
//! `extra="allow"`. A node becomes dynamic when its `type` is not one of the 24 typed
//! components (a `Table`, a component from a newer client), when it is one of them but does
//! not validate (a `Text` with no `value`), or when it sits under a `Basic` root or under
//! another dynamic node: everything below a dynamic node is dynamic too.
//!
//! # Wire format
//!
//! `key`, `id`, `type`, `children`, then the other props in the order they came in. Nulls are
//! removed from the props at every depth on output (except a nested key named `children`).
//! `children` is one node or a list of nodes.
//!
//! ```
//! use chatkit::protocol::widget::DynamicComponent;
//! use serde_json::json;
//!
//! let table: DynamicComponent =
//!     serde_json::from_value(json!({"rows": [[1, null]], "type": "Table", "id": "t"})).expect("valid");
//! assert_eq!(serde_json::to_string(&table).expect("serializes"), r#"{"id":"t","type":"Table","rows":[[1]]}"#);
//! ```

use serde::de::{Deserializer, Error};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lax;

/// A component kept as free-form JSON around the fields every component has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DynamicComponent {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The component type, any string: `"Table"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Child nodes, themselves dynamic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub children: Option<DynamicChildren>,
    /// Every other prop, in input order.
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub props: Map<String, Value>,
}

impl DynamicComponent {
    /// A node of type `kind` with no props.
    pub fn new(kind: impl Into<String>) -> Self {
        DynamicComponent {
            key: None,
            id: None,
            kind: kind.into(),
            children: None,
            props: Map::new(),
        }
    }

    /// The same node with one more prop (or a new value for it, keeping its position).
    pub fn with_prop(mut self, name: impl Into<String>, value: Value) -> Self {
        self.props.insert(name.into(), value);
        self
    }

    /// The same node with these children.
    pub fn with_children(mut self, children: Vec<DynamicComponent>) -> Self {
        self.children = Some(DynamicChildren::Many(children));
        self
    }
}

/// The `children` of a dynamic node: the reference allows one node or a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum DynamicChildren {
    /// A single child object.
    One(Box<DynamicComponent>),
    /// A list of children.
    Many(Vec<DynamicComponent>),
}

impl<'de> Deserialize<'de> for DynamicChildren {
    /// Picks the form by the JSON shape; written by hand because `#[serde(untagged)]` would
    /// hide why a child failed behind "did not match any variant".
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            value @ Value::Object(_) => DynamicComponent::deserialize(value)
                .map(|child| DynamicChildren::One(Box::new(child)))
                .map_err(D::Error::custom),
            value @ Value::Array(_) => Vec::<DynamicComponent>::deserialize(value)
                .map(DynamicChildren::Many)
                .map_err(D::Error::custom),
            other => Err(D::Error::custom(format!(
                "`children` must be a component or a list of components, got {other}"
            ))),
        }
    }
}
