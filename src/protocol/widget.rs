//! The widget tree (interim version: a typed tree replaces this shortly).
//!
//! Python counterpart: `chatkit/widgets.py`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A top-level widget: `{"type":"Card","children":[…]}` (interim: free-form JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WidgetRoot(pub Value);

/// One component of a widget tree (interim: free-form JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WidgetComponent(pub Value);
