//! Exercise 1, reference solution: show the steps of a job as a workflow.

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
            let mut workflow = Workflow {
                kind: WorkflowKind::Custom,
                tasks: Vec::new(),
                summary: None,
                expanded: false,
            };
            let kind = ItemKind::Workflow { workflow: workflow.clone() };
            let item = out.item(IdKind::Workflow, kind);
            yield ThreadStreamEvent::ThreadItemAdded { item: item.clone() };
            for (task_index, thing) in PACKING.into_iter().enumerate() {
                let task = packing_task(thing, TaskStatusIndicator::Loading);
                let update = ThreadItemUpdate::WorkflowTaskAdded { task_index, task };
                yield ThreadStreamEvent::ThreadItemUpdated { item_id: item.id.clone(), update };
                let task = packing_task(thing, TaskStatusIndicator::Complete);
                workflow.tasks.push(task.clone());
                let update = ThreadItemUpdate::WorkflowTaskUpdated { task_index, task };
                yield ThreadStreamEvent::ThreadItemUpdated { item_id: item.id.clone(), update };
            }
            let title = format!("Packed {} things", PACKING.len());
            workflow.summary = Some(WorkflowSummary::Custom { title, icon: None });
            let kind = ItemKind::Workflow { workflow };
            yield ThreadStreamEvent::ThreadItemDone { item: ThreadItem { kind, ..item } };
            yield out.assistant_message("Packed. Have a good trip!");
        }
        .boxed()
    }
}

/// One thing to pack, as a custom task with the given status.
fn packing_task(thing: &str, status_indicator: TaskStatusIndicator) -> Task {
    let kind = TaskKind::Custom {
        title: Some(thing.to_owned()),
        icon: None,
        content: None,
    };
    Task {
        status_indicator,
        kind,
    }
}
