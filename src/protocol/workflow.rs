//! Workflows and tasks: the "what I am doing" panel of an assistant turn.
//!
//! A `workflow` item groups [`Task`]s (a search, a thought, files read, a custom step) under an
//! optional summary; a `task` item shows one task on its own. While a workflow is pending, the
//! item updates `workflow.task.added` / `workflow.task.updated` grow it task by task, and the
//! reasoning workflow ends with a duration summary.
//!
//! Every task starts with `status_indicator` (pydantic writes the base class first), then its
//! `type`, so [`Task`] is a struct with a flattened, tagged [`TaskKind`].
//!
//! Where it sits: protocol layer; inside items and item updates.

use serde::{Deserialize, Serialize};

use super::icon::IconName;
use super::source::{FileSource, UrlSource};

/// A workflow: `{"type":"reasoning","tasks":[…],"summary":{"duration":3},"expanded":false}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workflow {
    /// Custom steps or model reasoning.
    #[serde(rename = "type")]
    pub kind: WorkflowKind,
    /// The tasks, in order.
    pub tasks: Vec<Task>,
    /// A line shown when the workflow is collapsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<WorkflowSummary>,
    /// Whether the client shows it expanded.
    #[serde(default)]
    pub expanded: bool,
}

/// What a workflow shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorkflowKind {
    /// Steps chosen by the integration.
    #[serde(rename = "custom")]
    Custom,
    /// The model's reasoning summary.
    #[serde(rename = "reasoning")]
    Reasoning,
}

/// A workflow's collapsed summary: a title, or how long it took.
///
/// The reference has no tag here (a plain union), so neither do we: `{"title":…}` is a custom
/// summary and `{"duration":…}` a duration summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum WorkflowSummary {
    /// `{"title":"Planned the trip","icon":"map-pin"}`.
    Custom {
        /// The summary line.
        title: String,
        /// An icon shown with it.
        #[serde(skip_serializing_if = "Option::is_none")]
        icon: Option<IconName>,
    },
    /// `{"duration":12}`: seconds the workflow took.
    Duration {
        /// Seconds.
        duration: u64,
    },
}

/// One task of a workflow, or the content of a `task` item.
///
/// # Wire format
///
/// `{"status_indicator":"none","type":"thought","content":"…"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// A spinner or tick shown beside the task inside a workflow.
    #[serde(default)]
    pub status_indicator: TaskStatusIndicator,
    /// The kind of task and its fields.
    #[serde(flatten)]
    pub kind: TaskKind,
}

/// The indicator shown beside a task in a workflow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskStatusIndicator {
    /// No indicator; the default, always written.
    #[default]
    #[serde(rename = "none")]
    None,
    /// A spinner.
    #[serde(rename = "loading")]
    Loading,
    /// A tick.
    #[serde(rename = "complete")]
    Complete,
}

/// The five kinds of task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum TaskKind {
    /// Anything the integration wants to show.
    #[serde(rename = "custom")]
    Custom {
        /// A heading.
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        /// An icon.
        #[serde(skip_serializing_if = "Option::is_none")]
        icon: Option<IconName>,
        /// Markdown body.
        #[serde(skip_serializing_if = "Option::is_none")]
        content: Option<String>,
    },
    /// A web search with its queries and the pages found.
    #[serde(rename = "web_search")]
    WebSearch {
        /// A heading.
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        /// A query shown in the heading.
        #[serde(skip_serializing_if = "Option::is_none")]
        title_query: Option<String>,
        /// The queries run.
        #[serde(default)]
        queries: Vec<String>,
        /// The pages found.
        #[serde(default)]
        sources: Vec<UrlSource>,
    },
    /// A reasoning step.
    #[serde(rename = "thought")]
    Thought {
        /// A heading.
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        /// The thought, markdown.
        content: String,
    },
    /// Files consulted.
    #[serde(rename = "file")]
    File {
        /// A heading.
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        /// The files.
        #[serde(default)]
        sources: Vec<FileSource>,
    },
    /// An image being produced.
    #[serde(rename = "image")]
    Image {
        /// A heading.
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<String>,
    },
}

impl Task {
    /// A thought task with no indicator, as the reasoning workflow shows them.
    pub fn thought(content: impl Into<String>) -> Self {
        Task {
            status_indicator: TaskStatusIndicator::None,
            kind: TaskKind::Thought {
                title: None,
                content: content.into(),
            },
        }
    }
}
