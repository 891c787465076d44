//! Exercise 1: show the steps of a job as a workflow.
//!
//! `Packing` answers every message with `Packed. Have a good trip!`. Before that answer, make
//! it show what it packs, one task per entry of `PACKING`, the way the planner shows its blocks
//! (`planner.rs`, steps 2 to 4):
//!
//! 1. `thread.item.added`: a new `custom` workflow with no tasks;
//! 2. for each entry, in order: `workflow.task.added` with a custom task whose title is the
//!    entry and whose status is `loading`, then `workflow.task.updated` with the same task,
//!    `complete`;
//! 3. `thread.item.done`: the workflow, holding the three complete tasks and the summary
//!    `Packed 3 things` (a custom summary, no icon).
//!
//! Hint: `out.item(IdKind::Workflow, ItemKind::Workflow { workflow })` (`Responder::item`) makes
//! the item; a `Workflow` has `kind: WorkflowKind::Custom`, `tasks`, `summary` and `expanded`.
//! A task is `Task { status_indicator: TaskStatusIndicator::Loading, kind: TaskKind::Custom {
//! title: Some(…), icon: None, content: None } }`. The updates are
//! `ThreadStreamEvent::ThreadItemUpdated { item_id, update: ThreadItemUpdate::WorkflowTaskAdded
//! { task_index, task } }` and `…::WorkflowTaskUpdated { … }`; the summary is
//! `WorkflowSummary::Custom { title, icon: None }`. The `done` carries the same id and time as
//! the `added`: `ThreadItem { kind: ItemKind::Workflow { workflow }, ..item }`.
//!
//! Check it with `cargo test --test grade lesson03`; watch it with
//! `cargo run --bin lesson03 -- --exercise 1 --ask "Pack my bag"`.

use chatkit::prelude::*;
use chatkit::protocol::{TaskKind, TaskStatusIndicator, WorkflowKind, WorkflowSummary};

/// What `Packing` packs, in order.
pub const PACKING: [&str; 3] = ["Passport", "Tickets", "Charger"];

/// Packs a bag, showing each thing as a task of a workflow.
pub struct Packing;

impl ChatKitServer<UserContext> for Packing {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        _ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        try_stream! {
            // TODO: the workflow: added, each task added then updated, done with its summary.
            todo!("yield the workflow's events");
            yield out.assistant_message("Packed. Have a good trip!");
        }
        .boxed()
    }
}
