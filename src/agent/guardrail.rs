//! Guardrails: checks that may stop a run, on what goes into the model or on what comes out.
//!
//! Where they sit: the [`Runner`](super::Runner) runs an agent's input guardrails on the run's
//! input before the first model call, and its output guardrails on the final text before the
//! run finishes. A guardrail that trips ends the run with
//! [`RunError::GuardrailTripped`](super::RunError::GuardrailTripped); the
//! [`bridge`](super::bridge) then removes every item the client saw during the run and shows
//! the tripwire's message as the stream's error (protocol#guardrails).
//!
//! ```text
//! input ─► input guardrails ─► model … tools … model ─► final text ─► output guardrails ─► done
//!              │ tripped                                                   │ tripped
//!              └──────────────► RunError::GuardrailTripped ◄───────────────┘
//! ```
//!
//! # Difference from the Agents SDK
//!
//! Input guardrails always run before the model is called, as the SDK's
//! `run_in_parallel=False` does. The SDK's default runs them beside the first model call, so
//! a blocked answer may already be streaming to the user when the guardrail trips.
//!
//! Python counterpart: `agents.input_guardrail`, `agents.output_guardrail`.

use std::fmt;

use async_trait::async_trait;

use crate::provider::events::InputItem;

/// A guardrail that tripped: the run stops, and `message` is what the user is shown.
///
/// A struct rather than a bare `String`, so that a check reads as "trip with this message"
/// (`Some(Tripwire::new(…))`) and the message cannot be mistaken for a log line: it is
/// shown to the user as the stream's error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tripwire {
    /// A user-facing reason, e.g. "The assistant response was blocked."
    pub message: String,
}

impl Tripwire {
    /// A tripwire with this user-facing message.
    pub fn new(message: impl Into<String>) -> Self {
        Tripwire {
            message: message.into(),
        }
    }
}

/// Whether a guardrail looked at the run's input or at its final output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuardrailStage {
    /// Before the first model call.
    Input,
    /// After the final answer.
    Output,
}

impl fmt::Display for GuardrailStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GuardrailStage::Input => "input",
            GuardrailStage::Output => "output",
        })
    }
}

/// A check on the model input of a run; `C` is the request context.
///
/// `async` because a real check may call a moderation model or a service; `#[async_trait]`
/// because an agent holds its guardrails as `Arc<dyn InputGuardrail<C>>`, and an `async fn`
/// in a trait is not dyn-compatible.
#[async_trait]
pub trait InputGuardrail<C>: Send + Sync {
    /// A name, for logs and errors.
    fn name(&self) -> &str;

    /// `Some` stops the run before the model is called.
    async fn check(&self, context: &C, input: &[InputItem]) -> Option<Tripwire>;
}

/// A check on the final text of a run; `C` is the request context.
///
/// It sees the final text only, not every delta: it runs once the model has finished, by
/// which time the text has streamed, which is why a trip takes back what was shown.
#[async_trait]
pub trait OutputGuardrail<C>: Send + Sync {
    /// A name, for logs and errors.
    fn name(&self) -> &str;

    /// `Some` stops the run; what it streamed is removed.
    async fn check(&self, context: &C, output: &str) -> Option<Tripwire>;
}

/// A guardrail made of a name and a plain function, for checks that need no `await`.
///
/// ```
/// use chatkit::agent::guardrail::{GuardrailFn, Tripwire};
///
/// let no_secrets = GuardrailFn::new("no_secrets", |_context: &(), output: &str| {
///     output.contains("secret").then(|| Tripwire::new("The assistant response was blocked."))
/// });
/// ```
pub struct GuardrailFn<F> {
    name: String,
    /// Generic, not boxed: the closure's type is known where the guardrail is built, and the
    /// agent boxes the whole guardrail once, as an `Arc<dyn …>`.
    check: F,
}

impl<F> GuardrailFn<F> {
    /// A guardrail called `name` that runs `check`.
    pub fn new(name: impl Into<String>, check: F) -> Self {
        GuardrailFn {
            name: name.into(),
            check,
        }
    }
}

// By hand: a closure has no `Debug`, so only the name is printed.
impl<F> fmt::Debug for GuardrailFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardrailFn")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

// One type serves both stages: which trait applies is decided by the closure's signature
// (`&[InputItem]` for input, `&str` for output), so a `GuardrailFn` cannot be put in the
// wrong list by mistake.
#[async_trait]
impl<C, F> InputGuardrail<C> for GuardrailFn<F>
where
    C: Sync,
    F: Fn(&C, &[InputItem]) -> Option<Tripwire> + Send + Sync,
{
    fn name(&self) -> &str {
        &self.name
    }

    async fn check(&self, context: &C, input: &[InputItem]) -> Option<Tripwire> {
        (self.check)(context, input)
    }
}

#[async_trait]
impl<C, F> OutputGuardrail<C> for GuardrailFn<F>
where
    C: Sync,
    F: Fn(&C, &str) -> Option<Tripwire> + Send + Sync,
{
    fn name(&self) -> &str {
        &self.name
    }

    async fn check(&self, context: &C, output: &str) -> Option<Tripwire> {
        (self.check)(context, output)
    }
}
