//! A history window: the end of a thread, as much of it as a budget of items and tokens allows.
//!
//! The model remembers nothing between turns: every turn, `respond()` sends the thread again.
//! A long thread does not fit in the model's context (and costs tokens every turn), so a turn
//! sends its *end*: [`load_history_window`] reads the thread newest first, a page at a time
//! with the `after` cursor, converts each item with the server's [`ThreadItemConverter`] (so
//! the tag and attachment hooks the server wrote apply), and stops when the
//! [`HistoryBudget`] is spent. It returns the window oldest first, ready for the runner.
//!
//! ```text
//! respond() ─► load_history_window(store, thread, ctx, converter, budget)
//!                 │ load_thread_items(after, Desc) … page by page, newest first
//!                 │ item_to_input per item, counted (o200k) ─► kept while it fits
//!                 ▼
//!              HistoryWindow { input (oldest first), items, tokens, truncated } ─► Runner
//! ```
//!
//! # The budget rule
//!
//! Items are taken newest first, and the window is always the contiguous end of the thread:
//!
//! 1. **The newest user message is always kept**, with everything after it (a hidden note, a
//!    tool call being answered), even if that alone is over the budget: it is what the model
//!    must answer. A thread of one message is that message.
//! 2. Older items are added one by one while they fit in **both** limits: at most
//!    `max_items` thread items and at most `max_tokens` tokens.
//! 3. The first item that does not fit **ends** the window, even if older, smaller items
//!    would fit: skipping it would show the model an answer without its question. So an item
//!    larger than the whole budget ends the window at that item (unless rule 1 keeps it).
//! 4. **A tool call and its output are never split.** The default converter writes a client
//!    tool call and its output from one thread item, so they come together; if a converter
//!    writes a `function_call_output` from an item and its `function_call` from an older one,
//!    the items in between are one unit, kept or left out whole.
//! 5. **Every item counts**, hidden context included (it reaches the model), and so do items
//!    that convert to nothing (an end-of-turn marker) towards `max_items`, as in the SDK's
//!    20-item window.
//!
//! # What it costs
//!
//! One store call per page of [`WINDOW_PAGE_SIZE`] items, one conversion per item looked at,
//! and, only when the budget has a token limit, the tokens of each converted item
//! ([`text_tokens`](super::text_tokens) says what the tokenizer costs). The work grows with the window,
//! not with the thread: a 10,000-item thread windowed to 4,000 tokens reads a page or two. One
//! item more than the window is read and converted, to know that it does not fit.
//!
//! The budget covers the history only: leave room in the model's context for the
//! instructions, the tools and the answer.
//!
//! Python counterpart: none in the SDK, whose docs load a fixed 20 items
//! ([`load_history`](super::load_history)); the windowing is this crate's.

use std::collections::HashSet;

use super::tokens::input_tokens;
use super::{HistoryError, ThreadItemConverter};
use crate::protocol::item::ItemKind;
use crate::protocol::{Order, ThreadId, ThreadItem};
use crate::provider::events::{InputItem, TypedInputItem};
use crate::store::{PageRequest, Store, StoreContext};

/// How many items [`load_history_window`] asks the store for at a time.
pub const WINDOW_PAGE_SIZE: usize = 50;

/// How much history a turn may send: a number of thread items, a number of tokens, or both
/// (whichever is spent first). No limit at all is the whole thread.
///
/// ```
/// use chatkit::agent::history::HistoryBudget;
///
/// let budget = HistoryBudget::tokens(4_000).and_items(200);
/// assert_eq!(budget.max_tokens, Some(4_000));
/// assert_eq!(budget.max_items, Some(200));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistoryBudget {
    /// At most this many thread items.
    pub max_items: Option<usize>,
    /// At most this many tokens of model input, counted with the o200k encoding.
    pub max_tokens: Option<usize>,
}

impl HistoryBudget {
    /// At most `max_items` thread items.
    pub const fn items(max_items: usize) -> Self {
        HistoryBudget {
            max_items: Some(max_items),
            max_tokens: None,
        }
    }

    /// At most `max_tokens` tokens.
    pub const fn tokens(max_tokens: usize) -> Self {
        HistoryBudget {
            max_items: None,
            max_tokens: Some(max_tokens),
        }
    }

    /// The same budget, also limited to `max_items` thread items.
    pub const fn and_items(self, max_items: usize) -> Self {
        HistoryBudget {
            max_items: Some(max_items),
            ..self
        }
    }

    /// The same budget, also limited to `max_tokens` tokens.
    pub const fn and_tokens(self, max_tokens: usize) -> Self {
        HistoryBudget {
            max_tokens: Some(max_tokens),
            ..self
        }
    }
}

/// The history a turn sends: the end of the thread within a budget.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryWindow {
    /// The model input, oldest first.
    pub input: Vec<InputItem>,
    /// The thread items it was converted from, oldest first.
    pub items: Vec<ThreadItem>,
    /// What `input` costs in tokens ([`input_tokens`](super::input_tokens)); counted only when
    /// the budget has a token limit, `None` otherwise.
    pub tokens: Option<usize>,
    /// Whether older items of the thread were left out.
    pub truncated: bool,
}

// ANCHOR: load_history_window
/// The end of the thread, within `budget`, converted by `converter`: the input of a turn
/// that does not send the whole thread. The module docs give the budget rule and its cost.
///
/// Call it from `respond()` with what the [`Responder`](crate::server::Responder) holds; its
/// error converts into a `StreamError`, so `?` works inside `try_stream!`:
///
/// ```no_run
/// use chatkit::agent::history::{DefaultConverter, HistoryBudget, load_history_window};
/// use chatkit::prelude::*;
///
/// fn history_stream(thread: ThreadMetadata, out: Responder<UserContext>) -> EventStream {
///     try_stream! {
///         let budget = HistoryBudget::tokens(4_000);
///         let window =
///             load_history_window(out.store(), &thread.id, out.context(), &DefaultConverter, budget)
///                 .await?;
///         yield out.assistant_message(format!("{} items of history", window.items.len()));
///     }
///     .boxed()
/// }
/// ```
///
/// # Errors
///
/// [`HistoryError::Store`] if a page cannot be loaded, [`HistoryError::Convert`] if a hook
/// fails.
pub async fn load_history_window<S, C, V>(
    store: &S,
    thread_id: &ThreadId,
    ctx: &C,
    converter: &V,
    budget: HistoryBudget,
) -> Result<HistoryWindow, HistoryError>
where
    S: Store<C> + ?Sized,
    C: StoreContext + ?Sized,
    V: ThreadItemConverter + ?Sized,
{
    let mut window = Window::new(budget);
    let mut page = PageRequest::first(WINDOW_PAGE_SIZE, Order::Desc);
    loop {
        let loaded = store.load_thread_items(thread_id, &page, ctx).await?;
        for item in loaded.data {
            // The newest item is the last one the model reads: a quote counts only there.
            let is_newest = window.is_empty();
            let input = converter.item_to_input(&item, is_newest).await?;
            if !window.offer(item, input) {
                return Ok(window.finish(true));
            }
        }
        match loaded.after {
            Some(after) if loaded.has_more => {
                page = PageRequest::after(after, WINDOW_PAGE_SIZE, Order::Desc);
            }
            _ => return Ok(window.finish(false)),
        }
    }
}
// ANCHOR_END: load_history_window

/// Thread items and their input, kept or left out together.
#[derive(Debug, Default)]
struct Unit {
    /// Newest first, as they were read.
    items: Vec<(ThreadItem, Vec<InputItem>)>,
    tokens: usize,
    /// Calls whose output is in the unit and whose `function_call` is not yet: the unit
    /// cannot end before they are found.
    open_calls: HashSet<String>,
}

impl Unit {
    fn push(&mut self, item: ThreadItem, input: Vec<InputItem>, tokens: usize) {
        // Read newest first (the items, and the inputs of each item), so an output comes
        // before its call.
        for input_item in input.iter().rev() {
            match input_item {
                InputItem::Typed(TypedInputItem::FunctionCallOutput(output)) => {
                    self.open_calls.insert(output.call_id.clone());
                }
                InputItem::Typed(TypedInputItem::FunctionCall(call)) => {
                    self.open_calls.remove(&call.call_id);
                }
                _ => {}
            }
        }
        self.tokens += tokens;
        self.items.push((item, input));
    }

    fn has_user_message(&self) -> bool {
        self.items
            .iter()
            .any(|(item, _)| matches!(item.kind, ItemKind::UserMessage(_)))
    }
}

/// The window being built, newest first.
struct Window {
    budget: HistoryBudget,
    kept: Vec<(ThreadItem, Vec<InputItem>)>,
    tokens: usize,
    /// The items read since the last complete unit.
    pending: Unit,
    /// Whether the newest user message has been kept; until then everything is (rule 1).
    kept_user_message: bool,
}

impl Window {
    fn new(budget: HistoryBudget) -> Self {
        Window {
            budget,
            kept: Vec::new(),
            tokens: 0,
            pending: Unit::default(),
            kept_user_message: false,
        }
    }

    /// Whether nothing has been read yet.
    fn is_empty(&self) -> bool {
        self.kept.is_empty() && self.pending.items.is_empty()
    }

    /// Takes the next older item, or says `false` when it ends the window (rule 3).
    fn offer(&mut self, item: ThreadItem, input: Vec<InputItem>) -> bool {
        // The tokenizer runs only for a token budget: an item budget costs no counting.
        let tokens = match self.budget.max_tokens {
            Some(_) => input_tokens(&input),
            None => 0,
        };
        self.pending.push(item, input, tokens);
        if !self.pending.open_calls.is_empty() {
            // Rule 4: an output waits for its call before the unit is judged.
            return true;
        }
        self.close_unit()
    }

    /// Judges the pending unit: kept under rule 1 or if it fits (rule 2); otherwise it ends
    /// the window (rule 3) and the answer is `false`.
    fn close_unit(&mut self) -> bool {
        let unit = std::mem::take(&mut self.pending);
        if self.kept_user_message && !self.fits(&unit) {
            return false;
        }
        self.kept_user_message |= unit.has_user_message();
        self.tokens += unit.tokens;
        self.kept.extend(unit.items);
        true
    }

    /// Whether `unit` fits in what is left of both limits.
    fn fits(&self, unit: &Unit) -> bool {
        let items = self.kept.len() + unit.items.len();
        let tokens = self.tokens + unit.tokens;
        self.budget.max_items.is_none_or(|max| items <= max)
            && self.budget.max_tokens.is_none_or(|max| tokens <= max)
    }

    /// The window, oldest first. A unit still waiting for a call when the thread's start is
    /// reached (an output whose call was never stored) is judged as it is.
    fn finish(mut self, truncated: bool) -> HistoryWindow {
        let truncated = truncated || (!self.pending.items.is_empty() && !self.close_unit());
        self.kept.reverse();
        let (items, inputs): (Vec<_>, Vec<_>) = self.kept.into_iter().unzip();
        HistoryWindow {
            input: inputs.into_iter().flatten().collect(),
            items,
            tokens: self.budget.max_tokens.map(|_| self.tokens),
            truncated,
        }
    }
}
