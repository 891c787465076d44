//! What the page answers: a widget's button, and a client tool. Both are round trips, an
//! output the page draws and then sends something back for, which starts a new turn.
//!
//! **A widget** is JSON the client draws: a tree of components (`Card`, `Row`, `Text`,
//! `Button`, …), written here with `json!` exactly as it goes over the wire, so the page's
//! renderer (`web/chatkit.js`, `renderWidget`) can be read side by side with it. A button
//! carries an action (`{"type":"choose","payload":{…}}`); the client posts it back as
//! `threads.custom_action` with the widget item's id, and the server's `action` hook streams
//! the answer. Here that answer is the same item with another tree, sent as
//! `thread.item.replaced`: the page swaps the widget in place, and the store keeps the new one.
//!
//! **A client tool** runs in the page, not on the server: the server sends a pending
//! `client_tool_call` item and its turn ends; the page runs the tool and posts its output
//! with `threads.add_client_tool_output`; the server stores the call as completed and calls
//! `respond` again, with no user message, to go on from the output ([`after_tool`]).

use std::time::Duration;

use chatkit::auth::Principal;
use chatkit::prelude::*;
use chatkit::protocol::{ClientToolCall, ClientToolCallStatus};
use serde_json::{Value, json};

use super::showcase::text;

/// The name of the tool the page runs for `time`: it answers with its own clock.
pub(crate) const CLIENT_TOOL: &str = "get_local_time";

/// The places the card offers, with the icon each is shown with.
const PLACES: [(&str, &str); 3] = [
    ("Noodle bar", "lucide:soup"),
    ("Salad place", "lucide:salad"),
    ("Pizza corner", "lucide:pizza"),
];

/// `lunch`: a new widget item holding the card, done at once (nothing of it streams).
pub(crate) fn lunch_card(out: &Responder<Principal>) -> Result<ThreadStreamEvent, StreamError> {
    let widget = ItemKind::Widget {
        widget: widget(card())?,
        copy_text: Some("Where to for lunch?".to_owned()),
    };
    let item = out.item(IdKind::Message, widget);
    Ok(ThreadStreamEvent::ThreadItemDone { item })
}

/// The card: a header row (icon, title, badge), a caption, an image, a divider, a text and a
/// row of buttons, one per place. Each button's action names its place.
fn card() -> Value {
    let buttons: Vec<Value> = PLACES
        .iter()
        .map(|(place, icon)| {
            json!({
                "type": "Button",
                "label": place,
                "iconStart": icon,
                "style": "secondary",
                "onClickAction": {"type": "choose", "payload": {"place": place}},
            })
        })
        .collect();
    json!({
        "type": "Card",
        "children": [
            {"type": "Row", "gap": 2, "children": [
                {"type": "Icon", "name": "lucide:utensils"},
                {"type": "Title", "value": "Where to for lunch?"},
                {"type": "Badge", "label": "3 places", "color": "info"},
            ]},
            {"type": "Caption", "value": "All within a five-minute walk."},
            // Served by this lesson's own binary: nothing the page shows comes from elsewhere.
            {"type": "Image", "src": "/lunch.svg", "alt": "A plate", "height": 96},
            {"type": "Divider"},
            {"type": "Text", "value": "Pick one and I will book a table."},
            {"type": "Row", "gap": 2, "children": buttons},
        ],
    })
}

/// The card after a choice: a list view with the booking, and a row that undoes it.
fn booked(place: &str) -> Value {
    json!({
        "type": "ListView",
        "children": [
            {"type": "ListViewItem", "children": [
                {"type": "Icon", "name": "check-circle-filled", "color": "success"},
                {"type": "Text", "value": format!("Table booked at {place}, 12:30")},
                {"type": "Badge", "label": "booked", "color": "success"},
            ]},
            {"type": "ListViewItem", "children": [
                {"type": "Button", "label": "Change my mind", "style": "secondary",
                 "onClickAction": {"type": "reset"}},
            ]},
        ],
    })
}

/// Reads the JSON as a widget; a tree this file wrote always reads, so a failure is a bug.
fn widget(tree: Value) -> Result<WidgetRoot, StreamError> {
    serde_json::from_value(tree).map_err(|error| StreamError::failed(error.to_string()))
}

/// The `action` hook: `choose` books the place named in the payload, `reset` shows the card
/// again; either way the widget item that sent the action is replaced by one with the new tree.
pub(crate) fn on_action(action: Action, sender: Option<ThreadItem>) -> EventStream {
    let replaced = move || -> Result<ThreadStreamEvent, StreamError> {
        let Some(sender) = sender else {
            return Err(StreamError::custom(
                "This button has lost its widget.",
                false,
            ));
        };
        let place = action
            .payload
            .as_ref()
            .and_then(|payload| payload["place"].as_str());
        let tree = match (action.kind.as_str(), place) {
            ("choose", Some(place)) => booked(place),
            ("reset", _) => card(),
            (other, _) => {
                let message = format!("This widget has no action {other:?}.");
                return Err(StreamError::custom(message, false));
            }
        };
        // Same id, same time, same place in the thread: only the tree changes.
        let kind = ItemKind::Widget {
            widget: widget(tree)?,
            copy_text: None,
        };
        Ok(ThreadStreamEvent::ThreadItemReplaced {
            item: ThreadItem { kind, ..sender },
        })
    };
    futures::stream::once(async move { replaced() }).boxed()
}

// ANCHOR: pending-call
/// `time`: a pending call of [`CLIENT_TOOL`], done at once; the turn ends with it.
pub(crate) fn ask_the_page_for_the_time(out: &Responder<Principal>) -> ThreadStreamEvent {
    let call = ClientToolCall {
        status: ClientToolCallStatus::Pending,
        call_id: format!("call_{}", out.new_item_id(IdKind::ToolCall)),
        name: CLIENT_TOOL.to_owned(),
        arguments: serde_json::Map::new(),
        output: None,
    };
    let item = out.item(IdKind::ToolCall, ItemKind::ClientToolCall(call));
    ThreadStreamEvent::ThreadItemDone { item }
}
// ANCHOR_END: pending-call

/// The turn after the page answered the tool: read the completed call (the newest client
/// tool call of the thread, stored before this turn started) and say what the page's clock said.
pub(crate) fn after_tool(out: Responder<Principal>, delay: Duration) -> EventStream {
    try_stream! {
        let newest = PageRequest::first(20, Order::Desc);
        let items = out.store().load_thread_items(out.thread_id(), &newest, out.context()).await?;
        let output = items.data.into_iter().find_map(|item| match item.kind {
            ItemKind::ClientToolCall(call) => call.output,
            _ => None,
        });
        let time = output
            .as_ref()
            .and_then(|output| output["time"].as_str())
            .unwrap_or("unknown (the page sent no time)");
        let mut answer = text(&out, &format!("On your machine it is {time}."), delay);
        while let Some(event) = answer.next().await {
            yield event?;
        }
    }
    .boxed()
}
