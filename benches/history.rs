//! What a budgeted history costs per turn: `load_history_window` on a 500-message thread.
//!
//! Run with `cargo bench --bench history`. Each iteration is one turn's history, from a
//! `MemoryStore` (so the figures are the window's own work: paging, converting, counting):
//!
//! * `window_by_items`: the 20 newest items, no tokenizer: the floor under the others.
//! * `window_by_tokens`: the newest items within 4,000 tokens, 126 of the 500 messages (15,750
//!   tokens in all), each counted with the o200k tokenizer.
//! * `whole_thread_counted`: all 500 messages counted (a budget larger than the thread): the
//!   tokenizer's cost per turn on the whole thread.
//! * `count_whole_thread`: the same 500 messages' tokens, already converted: the tokenizer
//!   alone.
//!
//! The encoder is built before the first sample (the first count in a process pays for it:
//! see `chatkit::agent::history::text_tokens`), so every figure is a warm turn.

use chatkit::agent::history::{
    DefaultConverter, HistoryBudget, ThreadItemConverter, input_tokens, load_history_window,
    text_tokens,
};
use chatkit::protocol::{
    AssistantMessage, AssistantMessageContent, InferenceOptions, ItemId, ItemKind, ThreadId,
    ThreadItem, Timestamp, UserMessage, UserMessageContent,
};
use chatkit::store::{MemoryStore, Store, UserContext};
use divan::{Bencher, black_box};
use tokio::runtime::Runtime;

/// The thread's length, in messages (user and assistant in turn).
const MESSAGES: usize = 500;
/// The token budget of `window_by_tokens`.
const TOKEN_BUDGET: usize = 4_000;

fn main() {
    divan::main();
}

fn user() -> UserContext {
    UserContext::new("bench_user")
}

fn thread_id() -> ThreadId {
    ThreadId::new("thr_bench")
}

/// The `n`th message: a question from the user or an answer of a few sentences, as a chat
/// about notes and plans has them (about 15 and 45 tokens).
fn message(n: usize) -> ThreadItem {
    let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("a valid date");
    let offset = chrono::Duration::seconds(n as i64);
    let kind = if n.is_multiple_of(2) {
        ItemKind::UserMessage(UserMessage {
            content: vec![UserMessageContent::text(format!(
                "Can you add note {n} to my list: call the plumber before Friday?"
            ))],
            attachments: Vec::new(),
            quoted_text: None,
            inference_options: InferenceOptions::default(),
        })
    } else {
        ItemKind::AssistantMessage(AssistantMessage {
            content: vec![AssistantMessageContent::text(format!(
                "Done: note {n} says to call the plumber before Friday. You now have several \
                 notes about the house; shall I group them, or remind you on Thursday \
                 morning so that the call happens in time?"
            ))],
        })
    };
    ThreadItem {
        id: ItemId::new(format!("msg_{n:06}")),
        thread_id: thread_id(),
        created_at: Timestamp::from_datetime(start.as_datetime() + offset),
        kind,
    }
}

/// A store holding the 500-message thread, and the runtime its calls run on.
fn thread() -> (Runtime, MemoryStore) {
    let runtime = Runtime::new().expect("a tokio runtime");
    let store = MemoryStore::new();
    runtime.block_on(async {
        for n in 0..MESSAGES {
            store
                .add_thread_item(&thread_id(), &message(n), &user())
                .await
                .expect("insert");
        }
    });
    // Builds the encoder now, outside the samples.
    black_box(text_tokens("warm up"));
    (runtime, store)
}

/// One turn's window of the thread under `budget`.
fn bench_window(bencher: Bencher, budget: HistoryBudget) {
    let (runtime, store) = thread();
    bencher.bench_local(|| {
        let window = runtime
            .block_on(load_history_window(
                &store,
                &thread_id(),
                &user(),
                &DefaultConverter,
                budget,
            ))
            .expect("a window");
        black_box(window)
    });
}

#[divan::bench(sample_count = 200)]
fn window_by_items(bencher: Bencher) {
    bench_window(bencher, HistoryBudget::items(20));
}

#[divan::bench(sample_count = 200)]
fn window_by_tokens(bencher: Bencher) {
    bench_window(bencher, HistoryBudget::tokens(TOKEN_BUDGET));
}

#[divan::bench(sample_count = 100)]
fn whole_thread_counted(bencher: Bencher) {
    bench_window(bencher, HistoryBudget::tokens(usize::MAX));
}

#[divan::bench(sample_count = 100)]
fn count_whole_thread(bencher: Bencher) {
    let items: Vec<ThreadItem> = (0..MESSAGES).map(message).collect();
    let runtime = Runtime::new().expect("a tokio runtime");
    let input = runtime
        .block_on(DefaultConverter.to_agent_input(&items))
        .expect("converts");
    black_box(text_tokens("warm up"));
    bencher.bench_local(|| black_box(input_tokens(&input)));
}
