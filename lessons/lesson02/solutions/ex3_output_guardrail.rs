//! Exercise 3, reference solution: stop an answer you do not want shown.

use chatkit::agent::{Agent, GuardrailFn, OutputGuardrail, Tripwire};
use chatkit::prelude::*;

/// Whether an answer gives the ending away: `Some` blocks it.
pub fn check_answer(answer: &str) -> Option<Tripwire> {
    answer
        .to_lowercase()
        .contains("ending")
        .then(|| Tripwire::new("No spoilers, please."))
}

/// The guardrail, ready to add to an agent.
pub fn no_spoilers() -> impl OutputGuardrail<UserContext> {
    GuardrailFn::new("no_spoilers", |_: &UserContext, answer: &str| {
        check_answer(answer)
    })
}

/// The agent, with `no_spoilers()` as an output guardrail.
pub fn with_spoiler_guard(agent: Agent<UserContext>) -> Agent<UserContext> {
    agent.output_guardrail(no_spoilers())
}
