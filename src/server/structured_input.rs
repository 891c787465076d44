//! Recording the answers to a structured-input item (`threads.add_structured_input`).
//!
//! The client submits answers keyed by question id; the server writes one answer into each
//! question of the pending item, in the item's order, following the reference's rules
//! (`chatkit/server.py::_apply_structured_input_submission`):
//!
//! * a question is **skipped** (`{"values":[],"skipped":true}`) when the whole submission is
//!   skipped, when its answer is missing, when the answer says `skipped`, or when it has no
//!   values;
//! * otherwise its values are kept as given (custom answers allowed, `""` counts), except that a
//!   single-choice question keeps only the first value;
//! * answers for unknown question ids are ignored (and logged);
//! * the item's status becomes the submission's status.
//!
//! Where it sits: called by the processor before the stream starts; the updated item then goes
//! through the pipeline as a `thread.item.replaced`, which saves it.

use crate::protocol::structured_input::SubmissionStatus;
use crate::protocol::{
    ItemKind, StructuredInputAnswer, StructuredInputKind, StructuredInputStatus,
    StructuredInputSubmission, ThreadItem,
};

use super::error::ProcessError;

/// Applies `submission` to a copy of `item`.
///
/// # Errors
///
/// [`ProcessError::WrongItemKind`] if `item` is not a structured-input item, and
/// [`ProcessError::Conflict`] if it is no longer pending.
pub fn apply_submission(
    item: &ThreadItem,
    submission: &StructuredInputSubmission,
) -> Result<ThreadItem, ProcessError> {
    // Both checks run before the first byte, so each is an HTTP error rather than a stream
    // that starts and then fails; the reference raises `ValueError` for both, which its
    // server turns into a bare 500 or an aborted stream.
    let ItemKind::StructuredInput { status, inputs } = &item.kind else {
        return Err(ProcessError::WrongItemKind {
            message: format!("Item {} is not a structured input", item.id),
        });
    };
    // Answered once, for good: a second submission (a double click, a replayed request)
    // must not overwrite the answers the model has already been given.
    if *status != StructuredInputStatus::Pending {
        return Err(ProcessError::Conflict {
            message: format!("Structured input item {} is not pending", item.id),
        });
    }
    warn_about_unknown_answers(item, submission);
    // A copy, not the stored item changed in place: the store is only written when the
    // pipeline handles the `thread.item.replaced`, like every other item change.
    let mut answered = inputs.clone();
    // Driven by the item's questions, not by the submission's answers, so every question
    // ends with an answer (skipped if none came) and the item's order is kept.
    for question in &mut answered {
        question.answer = Some(answer_for(question, submission));
    }
    let new_status = match submission.status {
        SubmissionStatus::Answered => StructuredInputStatus::Answered,
        SubmissionStatus::Skipped => StructuredInputStatus::Skipped,
    };
    Ok(ThreadItem {
        kind: ItemKind::StructuredInput {
            status: new_status,
            inputs: answered,
        },
        ..item.clone()
    })
}

/// The answer recorded for one question.
fn answer_for(
    question: &crate::protocol::StructuredInput,
    submission: &StructuredInputSubmission,
) -> StructuredInputAnswer {
    let skipped = StructuredInputAnswer {
        values: Vec::new(),
        skipped: true,
    };
    if submission.status == SubmissionStatus::Skipped {
        return skipped;
    }
    let Some(answer) = submission.answers.get(&question.id) else {
        return skipped;
    };
    // No values counts as skipped even without the flag, as in the reference's
    // `not answer.values`; an empty string is a value, though, and is kept.
    if answer.skipped || answer.values.is_empty() {
        return skipped;
    }
    let single_choice = matches!(
        question.kind,
        StructuredInputKind::MultipleChoice {
            multiple: false,
            ..
        }
    );
    // The reference's `values[:1]`: a client that sends several values for a single-choice
    // question gets the first one kept, not an error. The slice cannot panic, since the
    // values were checked to be non-empty above.
    let values = if single_choice {
        answer.values[..1].to_vec()
    } else {
        answer.values.clone()
    };
    StructuredInputAnswer {
        values,
        skipped: false,
    }
}

/// Logs the answers that name no question of the item, as the reference does.
///
/// A warning, not an error, as in the reference: the answers that do match a question still
/// count.
fn warn_about_unknown_answers(item: &ThreadItem, submission: &StructuredInputSubmission) {
    let ItemKind::StructuredInput { inputs, .. } = &item.kind else {
        return;
    };
    let mut unknown: Vec<&str> = submission
        .answers
        .keys()
        .filter(|id| !inputs.iter().any(|question| &question.id == *id))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        // Sorted, as the reference's `sorted(...)`, so the log line does not depend on the
        // order of the submission's map.
        unknown.sort_unstable();
        tracing::warn!(
            item = %item.id,
            "structured input received unknown question id(s), ignoring: {}",
            unknown.join(", ")
        );
    }
}
