//! Exercise 3: stop an answer you do not want shown.
//!
//! An output guardrail reads the agent's final answer before the run ends. When it trips, the
//! run stops, `stream_agent_response` sends `thread.item.removed` for everything the user saw
//! of the run (the answer disappears from the chat and from the store), and the stream ends
//! with an `error` event showing the tripwire's message, with no retry offered.
//!
//! 1. Write `check_answer`: an answer that mentions `ending` (in any case: `Ending`, `ENDING`)
//!    trips with the message `No spoilers, please.`; any other answer passes (`None`).
//! 2. Write `with_spoiler_guard`: give the agent the guardrail `no_spoilers()` below.
//!
//! Hint: `answer.to_lowercase().contains("ending")` finds it; `Some(Tripwire::new(message))`
//! trips (`Tripwire::new`); `agent.output_guardrail(no_spoilers())` adds the guardrail
//! (`Agent::output_guardrail`).
//!
//! Check it with `cargo test --test grade lesson02`; watch it with
//! `cargo run --bin lesson02 -- --exercise 3 --ask "How does the ending go?"`.

use chatkit::agent::{Agent, GuardrailFn, OutputGuardrail, Tripwire};
use chatkit::prelude::*;

/// Whether an answer gives the ending away: `Some` blocks it.
pub fn check_answer(answer: &str) -> Option<Tripwire> {
    // TODO: trip when the answer mentions the ending.
    todo!("Some(Tripwire::new(\"No spoilers, please.\")) when the answer mentions `ending`")
}

/// The guardrail, ready to add to an agent.
pub fn no_spoilers() -> impl OutputGuardrail<UserContext> {
    GuardrailFn::new("no_spoilers", |_: &UserContext, answer: &str| {
        check_answer(answer)
    })
}

/// The agent, with `no_spoilers()` as an output guardrail.
pub fn with_spoiler_guard(agent: Agent<UserContext>) -> Agent<UserContext> {
    // TODO: add the guardrail.
    todo!("agent.output_guardrail(no_spoilers())")
}
