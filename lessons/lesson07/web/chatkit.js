// chatkit.js: a ChatKit client in one file, for lesson 07.
//
// Everything goes through one endpoint, POST /chatkit, with a JSON body {type, params}:
//
//   * requests that only read or change something small (threads.list, threads.get_by_id,
//     items.list) answer with one JSON body;
//   * requests that make the server answer (threads.create, threads.add_user_message,
//     threads.custom_action, threads.add_client_tool_output, threads.retry_after_item) answer
//     with a stream of server-sent events, one `data: <json>` frame per ThreadStreamEvent.
//
// The page keeps a copy of the open thread's items (`items`), applies each event to that copy,
// and redraws the item the event touched. Everything the server sends is drawn through
// `textContent` and element properties, never as HTML, so nothing in a message can run here.
"use strict";

const ENDPOINT = "/chatkit";
// The token from the page's address, `/?token=…` (lesson 07 prints such a link at start).
const TOKEN = new URLSearchParams(location.search).get("token") ?? "";
const HISTORY_PAGE = 10;

/** The element with data-testid `id` (the markup of index.html). */
const $ = (id) => document.querySelector(`[data-testid="${id}"]`);

const state = {
  threadId: null,     // the open thread, null before the first message of a new one
  items: new Map(),   // item id -> the item as the server last described it
  abort: null,        // the AbortController of the stream that is running, if any
  lastUserMessage: null, // what a Retry answers again (threads.retry_after_item)
  pendingTool: null,  // a client tool call to answer once the stream is over
  historyAfter: null, // the cursor of the next page of threads
};

// ---- Transport ------------------------------------------------------------------------------

// ANCHOR: post
/** POSTs one request, with the token; the `Response` is the caller's to read. */
function post(type, params, signal) {
  return fetch(ENDPOINT, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ type, params }),
    signal,
  });
}
// ANCHOR_END: post

/** A request answered with JSON; an error answer (401, 404, 429…) throws its message. */
async function request(type, params) {
  const response = await post(type, params);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
  return body;
}

// ANCHOR: sse
/**
 * The events of an SSE body, parsed. A frame ends with a blank line; its `data:` lines hold
 * the JSON (one line here, but the format allows several); a line starting with `:` is a
 * comment, such as the server's keep-alive, and is skipped.
 */
async function* events(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame.split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).replace(/^ /, ""))
        .join("\n");
      if (data) yield JSON.parse(data);
    }
  }
}
// ANCHOR_END: sse

// ANCHOR: stream
/**
 * A request answered with a stream: each event is applied as it arrives. The Stop button
 * aborts the fetch, which closes the connection; the server then stops the turn and keeps
 * what was already shown. A client tool call seen in the stream is answered after it ends,
 * because the thread is busy until then.
 */
async function stream(type, params) {
  const controller = new AbortController();
  state.abort = controller;
  $("send").disabled = true;
  try {
    const response = await post(type, params, controller.signal);
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      showError(body.error?.message ?? `HTTP ${response.status}`, false);
      return;
    }
    for await (const event of events(response.body)) apply(event);
  } catch (error) {
    if (error.name === "AbortError") showNotice("Stopped.");
    else showError(`The connection failed: ${error.message}`, false);
  } finally {
    state.abort = null;
    $("send").disabled = false;
    $("stop").hidden = true;
    showProgress(null);
    loadHistory();
  }
  const call = state.pendingTool;
  state.pendingTool = null;
  if (call) await answerTool(call);
}
// ANCHOR_END: stream

// ---- Events ---------------------------------------------------------------------------------

// ANCHOR: apply
/** Applies one ThreadStreamEvent to the page. */
function apply(event) {
  switch (event.type) {
    case "thread.created":
      state.threadId = event.thread.id;
      break;
    case "thread.updated":
      break; // a new title: the history is reloaded when the stream ends
    case "stream_options":
      // Only a turn the server lets the user stop gets a Stop button.
      $("stop").hidden = !event.stream_options.allow_cancel;
      break;
    case "progress_update":
      showProgress(event.text);
      break;
    case "thread.item.added":
    case "thread.item.done":
    case "thread.item.replaced":
      showProgress(null);
      setItem(event.item);
      break;
    case "thread.item.updated":
      updateItem(event.item_id, event.update);
      break;
    case "thread.item.removed":
      state.items.delete(event.item_id);
      itemElement(event.item_id)?.remove();
      break;
    case "client_effect":
      // Something for the page around the chat to do: a DOM event, for whoever listens.
      document.dispatchEvent(new CustomEvent("chatkit:effect",
        { detail: { name: event.name, data: event.data } }));
      break;
    case "error":
      showError(event.message ?? errorText(event.code), event.allow_retry);
      break;
    case "notice":
      showNotice(event.message);
      break;
  }
}
// ANCHOR_END: apply

/** What an error without a message says: the client words a known code itself. */
function errorText(code) {
  return code === "stream.error" ? "Something went wrong." : `Error: ${code}`;
}

/** Stores `item` and draws it; a pending client tool call is remembered for later. */
function setItem(item) {
  state.items.set(item.id, item);
  if (item.type === "user_message") state.lastUserMessage = item.id;
  if (item.type === "client_tool_call" && item.status === "pending") state.pendingTool = item;
  draw(item);
}

// ANCHOR: update
/** Applies a thread.item.updated's `update` to the stored item, then redraws it. */
function updateItem(id, update) {
  const item = state.items.get(id);
  if (!item) return;
  switch (update.type) {
    case "assistant_message.content_part.added":
    case "assistant_message.content_part.done":
      item.content[update.content_index] = update.content;
      break;
    case "assistant_message.content_part.text_delta":
      item.content[update.content_index].text += update.delta; // the text grows
      break;
    case "workflow.task.added":
      item.workflow.tasks.splice(update.task_index, 0, update.task);
      break;
    case "workflow.task.updated":
      item.workflow.tasks[update.task_index] = update.task;
      break;
    case "widget.root.updated":
      item.widget = update.widget;
      break;
    case "widget.component.updated":
      replaceComponent(item.widget, update.component_id, () => update.component);
      break;
    case "widget.streaming_text.value_delta":
      replaceComponent(item.widget, update.component_id,
        (node) => ({ ...node, value: (node.value ?? "") + update.delta }));
      break;
  }
  draw(item);
}
// ANCHOR_END: update

/** Replaces, anywhere in a widget tree, the component whose id is `id` by `change(it)`. */
function replaceComponent(node, id, change) {
  for (const [index, child] of (node.children ?? []).entries()) {
    if (child.id === id) node.children[index] = change(child);
    else replaceComponent(child, id, change);
  }
}

// ---- Drawing items --------------------------------------------------------------------------

function itemElement(id) {
  return document.querySelector(`[data-item-id="${CSS.escape(id)}"]`);
}

/** A new element: `tag`, its class, its data-testid, and its text. */
function element(tag, className, testid, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (testid) node.dataset.testid = testid;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Draws `item` in place of its previous drawing, or at the end of the conversation. */
function draw(item) {
  const node = render(item);
  if (!node) return; // hidden items and end-of-turn markers are not shown
  node.dataset.itemId = item.id;
  const old = itemElement(item.id);
  if (old) old.replaceWith(node);
  else $("messages").append(node);
  node.scrollIntoView({ block: "end" });
}

/** The element of one item, by its type (see the data model of the book's appendix). */
function render(item) {
  switch (item.type) {
    case "user_message":
      return element("div", "message user", "user-message",
        item.content.map((part) => part.text).join(""));
    case "assistant_message":
      return element("div", "message assistant", "assistant-message",
        item.content.map((part) => part.text).join(""));
    case "workflow":
      return renderWorkflow(item.workflow);
    case "widget": {
      const box = element("div", "widget", "widget");
      box.append(renderWidget(item.widget, item.id));
      return box;
    }
    case "client_tool_call":
      return element("div", "tool", "tool-call", item.status === "pending"
        ? `🔧 ${item.name}: running in this page…`
        : `🔧 ${item.name} → ${JSON.stringify(item.output)}`);
    case "task":
      return element("div", "workflow", "task", taskText(item.task));
    default:
      return null;
  }
}

function renderWorkflow(workflow) {
  const box = element("div", "workflow", "workflow");
  box.append(element("strong", "", "", workflow.summary?.title ?? "Working…"));
  const list = element("ul");
  for (const task of workflow.tasks) {
    const mark = { loading: "⏳", complete: "✅" }[task.status_indicator] ?? "•";
    list.append(element("li", "", "task", `${mark} ${taskText(task)}`));
  }
  box.append(list);
  return box;
}

function taskText(task) {
  return [task.title, task.content].filter(Boolean).join(": ");
}

// ---- Widgets --------------------------------------------------------------------------------

/** Icons by name; the real client has hundreds, this page the few its server uses. */
const ICONS = {
  "lucide:utensils": "🍴", "lucide:soup": "🍜", "lucide:salad": "🥗", "lucide:pizza": "🍕",
  "check-circle-filled": "✅", calendar: "📅",
};

/**
 * One widget component and its children. `itemId` is the widget item's: an action a button
 * sends names it, so the server knows which widget to answer (and replace).
 */
function renderWidget(node, itemId) {
  const children = () => (node.children ?? []).map((child) => renderWidget(child, itemId));
  let out;
  switch (node.type) {
    case "Card": case "ListView": case "ListViewItem": case "Row": case "Col": case "Box":
    case "Basic":
      out = element("div", `w-${node.type}`);
      out.append(...children());
      if (node.onClickAction) out.onclick = () => sendAction(itemId, node.onClickAction);
      break;
    case "Title": out = element("h3", "w-Title", "", node.value); break;
    case "Text": case "Markdown": out = element("p", "w-Text", "", node.value); break;
    case "Caption": out = element("span", "w-Caption", "", node.value); break;
    case "Badge": out = element("span", `w-Badge ${node.color ?? ""}`, "", node.label); break;
    case "Divider": out = element("hr", "w-Divider"); break;
    case "Icon": out = element("span", "w-Icon", "", ICONS[node.name] ?? "•"); break;
    case "Image":
      out = element("img", "w-Image");
      Object.assign(out, { src: node.src, alt: node.alt ?? "" });
      if (typeof node.height === "number") out.height = node.height;
      break;
    case "Button":
      out = element("button", "w-Button", "widget-button",
        `${ICONS[node.iconStart] ?? ""} ${node.label ?? ""}`.trim());
      out.type = "button";
      if (node.onClickAction) out.onclick = () => sendAction(itemId, node.onClickAction);
      break;
    default:
      // A component this page does not know: say so rather than hide it.
      out = element("span", "w-unknown", "", `[${node.type}]`);
  }
  return out;
}

// ANCHOR: action
/** A widget's action, posted back: the server's `action` hook answers with a stream. */
function sendAction(itemId, action) {
  if (state.abort) return; // one turn at a time
  const { type, payload } = action;
  stream("threads.custom_action", { thread_id: state.threadId, item_id: itemId,
    action: { type, payload } });
}
// ANCHOR_END: action

// ---- Client tools ---------------------------------------------------------------------------

// ANCHOR: client-tool
/** The tools this page runs when the server asks (a client_tool_call item), by name. */
const TOOLS = {
  get_local_time: () => ({
    time: new Date().toLocaleTimeString(),
    zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  }),
};

/** Runs the pending call and sends its output; the server's next turn uses it. */
async function answerTool(call) {
  const tool = TOOLS[call.name];
  const result = tool ? tool(call.arguments) : { error: `no tool ${call.name} in this page` };
  // The server stores the call as completed without sending it again: draw it so here.
  setItem({ ...call, status: "completed", output: result });
  await stream("threads.add_client_tool_output", { thread_id: state.threadId, result });
}
// ANCHOR_END: client-tool

// ---- Status lines ---------------------------------------------------------------------------

function showProgress(text) {
  $("progress").hidden = text === null;
  $("progress").textContent = text ?? "";
}

/** An error in the conversation, with a Retry button when the server allows one. */
function showError(message, allowRetry) {
  const box = element("div", "error", "error", message);
  const retryOf = state.lastUserMessage;
  if (allowRetry && retryOf) {
    const retry = element("button", "", "retry", "Retry");
    retry.type = "button";
    retry.onclick = () => {
      // Everything after the user's message is deleted on the server: drop it here too.
      let node = itemElement(retryOf).nextElementSibling;
      while (node) {
        const next = node.nextElementSibling;
        state.items.delete(node.dataset.itemId);
        node.remove();
        node = next;
      }
      stream("threads.retry_after_item", { thread_id: state.threadId, item_id: retryOf });
    };
    box.append(" ", retry);
  }
  $("messages").append(box);
  box.scrollIntoView({ block: "end" });
}

function showNotice(message) {
  const notice = element("div", "progress", "notice", message);
  $("messages").append(notice);
  notice.scrollIntoView({ block: "end" });
}

// ---- Threads --------------------------------------------------------------------------------

// ANCHOR: history
/** The first page of threads (newest first), or the next with `more`. */
async function loadHistory(more = false) {
  const params = { limit: HISTORY_PAGE, order: "desc" };
  if (more) params.after = state.historyAfter;
  let page;
  try {
    page = await request("threads.list", params);
  } catch (error) {
    showError(`Cannot list your threads: ${error.message}`, false);
    return;
  }
  if (!more) $("history").replaceChildren();
  for (const thread of page.data) {
    const entry = element("li", thread.id === state.threadId ? "current" : "",
      "history-thread", thread.title ?? "(untitled)");
    entry.onclick = () => openThread(thread.id);
    $("history").append(entry);
  }
  state.historyAfter = page.after ?? null;
  $("history-more").hidden = !page.has_more;
}
// ANCHOR_END: history

/** Opens a thread: its first items come with it, the rest page by page (items.list). */
async function openThread(threadId) {
  if (state.abort) return;
  const thread = await request("threads.get_by_id", { thread_id: threadId });
  clearConversation();
  state.threadId = thread.id;
  let page = thread.items;
  page.data.forEach(setItem);
  while (page.has_more) {
    page = await request("items.list",
      { thread_id: threadId, after: page.after, limit: 50, order: "asc" });
    page.data.forEach(setItem);
  }
  state.pendingTool = null; // an old pending call is not this page's to answer now
  loadHistory();
}

function clearConversation() {
  Object.assign(state, { threadId: null, lastUserMessage: null, pendingTool: null });
  state.items.clear();
  $("messages").replaceChildren();
}

// ---- The composer ---------------------------------------------------------------------------

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("composer-input").value.trim();
  if (!text || state.abort) return;
  $("composer-input").value = "";
  // A user message: its parts, attachment ids and options (the model, a tool) it was sent with.
  const input = { content: [{ type: "input_text", text }], attachments: [], inference_options: {} };
  if (state.threadId) stream("threads.add_user_message", { thread_id: state.threadId, input });
  else stream("threads.create", { input });
});
// ANCHOR: stop
$("stop").addEventListener("click", () => state.abort?.abort());
// ANCHOR_END: stop
$("new-thread").addEventListener("click", () => { if (!state.abort) clearConversation(); });
$("history-more").addEventListener("click", () => loadHistory(true));

if (!TOKEN) showError("No token: open the link lesson 07 printed (/?token=…).", false);
loadHistory();
