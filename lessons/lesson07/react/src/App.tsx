// Lesson 07: the official ChatKit client (@openai/chatkit-react) pointed at our Rust server.
// Every option below is checked by `tsc` against the types in node_modules/@openai/chatkit
// (types/index.d.ts): ChatKitOptions, CustomApiConfig and ChatKitEvents.
import { ChatKit, useChatKit } from "@openai/chatkit-react";

// Our server's endpoint: `cargo run --bin lesson07` listens on 127.0.0.1:8000.
const CHATKIT_URL = "http://127.0.0.1:8000/chatkit";

// The domain key: ChatKit's script sends it to OpenAI, which checks that this page's domain is
// registered to your organization (platform.openai.com, Settings, Security, Domain allowlist).
// Put yours in .env.local as VITE_CHATKIT_API_DOMAIN_KEY=domain_pk_... (never committed).
// The fallback is only a placeholder: it lets the page build and type-check in CI.
const DOMAIN_KEY = import.meta.env.VITE_CHATKIT_API_DOMAIN_KEY ?? "domain_pk_localhost_dev";

// The page's own address says who the user is and which thread to open:
// http://localhost:5173/?token=<a token from `lesson07 mint-token`>&thread=<a thread id>
const query = new URLSearchParams(window.location.search);
const token = query.get("token") ?? "";
const initialThread = query.get("thread"); // null: start on the new-thread view

// ANCHOR: fetch
// ChatKit calls this instead of the browser's fetch for the requests it sends to CHATKIT_URL
// (CustomApiConfig.fetch is `typeof fetch`, so it takes and returns exactly what fetch does).
const authorizedFetch: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  // Who is asking: the server verifies this token and builds its request context from it.
  headers.set("Authorization", `Bearer ${token}`);
  // Where the user is. The Python course put such things in `params.input.metadata`, but the
  // protocol's user message input has no `metadata` field: the server drops it unread. Our
  // server reads request headers into its context instead, so the page context goes here.
  headers.set("x-page-context", JSON.stringify({ route: window.location.pathname }));
  return fetch(input, { ...init, headers });
};
// ANCHOR_END: fetch

export function App() {
  const { control } = useChatKit({
    api: {
      url: CHATKIT_URL,
      domainKey: DOMAIN_KEY,
      fetch: authorizedFetch,
      // Two phases: `attachments.create` on the endpoint returns an upload URL, then the
      // file's bytes go there. The other strategy, "direct", posts to one URL of your own.
      uploadStrategy: { type: "two_phase" },
    },
    // Attachments are off unless the composer enables them (uploadStrategy is then required).
    composer: { attachments: { enabled: true, maxCount: 4 } },
    initialThread,

    // A client tool runs here, in the browser: the server's agent asks, the page answers, and
    // the object returned goes back to the server as the tool's result.
    onClientTool: ({ name }) => {
      switch (name) {
        case "get_local_time":
          return { time: new Date().toISOString() };
        default:
          throw new Error(`no client tool named ${name}`);
      }
    },

    // A client effect is fire and forget: the server tells the page to do something, and
    // nothing goes back. Log it, and dispatch it for the rest of the page to listen to.
    onEffect: ({ name, data }) => {
      console.info("chatkit effect", name, data);
      window.dispatchEvent(new CustomEvent(`chatkit-effect:${name}`, { detail: data ?? {} }));
    },

    // Keep the open thread in the address bar, so a reload opens it again (initialThread).
    onThreadChange: ({ threadId }) => {
      const url = new URL(window.location.href);
      if (threadId === null) url.searchParams.delete("thread");
      else url.searchParams.set("thread", threadId);
      window.history.replaceState(null, "", url);
    },

    onError: ({ error }) => console.error("chatkit error", error),
  });

  return <ChatKit control={control} style={{ height: "100%", width: "100%" }} />;
}
