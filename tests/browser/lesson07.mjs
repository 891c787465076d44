// Lesson 07's page in a real browser: Debian's chromium, headless, driven by playwright-core.
//
// Starts `lesson07` on a free port with a memory store, mints a token with its `mint-token`,
// opens `/?token=…` and goes through every kind of output the page draws: a streamed text, a
// workflow, the client tool round trip, a widget replaced by its button's action, a client
// effect, an error and its retry, a stopped stream, a second thread, and after a reload the
// history panel. Every request the page makes must stay on 127.0.0.1.
//
//   node tests/browser/lesson07.mjs [--bin target/debug/lesson07] [--screenshots DIR]
//
// `tests/browser.rs` runs it (`cargo test --test browser`) with the binary cargo built and
// screenshots into the target directory; `--screenshots book/src/img` refreshes the book's.
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "../..");
const { values: options } = parseArgs({
  options: {
    bin: { type: "string", default: join(root, "target/debug/lesson07") },
    screenshots: { type: "string", default: join(root, "target/browser-screenshots") },
  },
});
mkdirSync(options.screenshots, { recursive: true });
const TIMEOUT = 15_000;

/** Starts lesson07 on a free port; resolves with the process and its base URL. */
function startServer() {
  const server = spawn(options.bin,
    ["--port", "0", "--store", "memory", "--delay-ms", "30", "--rate-limit", "0"],
    { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, RUST_LOG: "error" } });
  return new Promise((resolveStart, reject) => {
    let banner = "";
    server.on("exit", (code) => reject(new Error(`lesson07 exited (${code}) before listening`)));
    server.stdout.on("data", (chunk) => {
      banner += chunk;
      const found = banner.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (found) resolveStart({ server, base: found[1] });
    });
  });
}

const step = (text) => console.log(`• ${text}`);
const byId = (id) => `[data-testid="${id}"]`;

async function main() {
  const { server, base } = await startServer();
  const token = execFileSync(options.bin, ["mint-token", "--sub", "alice"]).toString().trim();
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--headless=new"],
  });
  const requests = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    page.setDefaultTimeout(TIMEOUT);
    page.on("request", (request) => requests.push(request.url()));
    page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
    const shot = (name) => page.screenshot({ path: join(options.screenshots, `lesson07-${name}.png`) });
    const send = async (text) => {
      await page.fill(byId("composer-input"), text);
      await page.click(byId("send"));
    };
    const lastAnswer = () => page.locator(byId("assistant-message")).last();
    const waitText = (locator, text) => locator.filter({ hasText: text }).first().waitFor();

    await page.goto(`${base}/?token=${token}`);
    await page.locator(byId("history")).waitFor({ state: "attached" });

    step("a message, and its answer growing delta by delta");
    // Every text the answer shows, as it changes: more than one before the last is streaming.
    await page.evaluate(() => {
      window.seen = [];
      new MutationObserver(() => {
        const answers = document.querySelectorAll('[data-testid="assistant-message"]');
        if (answers.length) window.seen.push(answers[answers.length - 1].textContent);
      }).observe(document.querySelector('[data-testid="messages"]'),
        { childList: true, subtree: true, characterData: true });
    });
    await send("hello there");
    await waitText(page.locator(byId("assistant-message")), "You said: hello there");
    const seen = await page.evaluate(() => [...new Set(window.seen)]);
    assert(seen.length >= 3 && seen.includes("You said: "),
      `the answer grew word by word: ${JSON.stringify(seen)}`);
    await shot("text");

    step("plan my day: progress, then a workflow whose tasks complete");
    await send("plan my day");
    await page.locator(byId("progress")).filter({ hasText: "calendar" }).waitFor();
    await waitText(page.locator(byId("workflow")), "Planned 3 blocks");
    assert(await page.locator(`${byId("workflow")} ${byId("task")}`).count() === 3, "three tasks");
    await waitText(page.locator(byId("assistant-message")), "Your day is planned");
    await shot("workflow");

    step("what time is it: the page runs the client tool and the server uses its output");
    await send("what time is it on my machine?");
    await waitText(page.locator(byId("tool-call")), "get_local_time →");
    await waitText(page.locator(byId("assistant-message")), "On your machine it is");
    const answer = await lastAnswer().textContent();
    assert(!answer.includes("unknown"), `the answer uses the page's time: ${answer}`);
    await shot("client-tool");

    step("lunch: a widget whose button replaces it");
    await send("lunch please");
    const widget = page.locator(byId("widget")).last();
    await widget.locator(byId("widget-button")).nth(2).waitFor();
    assert(await widget.locator("img").count() === 1, "the widget's image");
    await shot("widget");
    const widgets = await page.locator(byId("widget")).count();
    await widget.locator(byId("widget-button"), { hasText: "Salad place" }).click();
    await waitText(page.locator(byId("widget")), "Table booked at Salad place");
    assert(await page.locator(byId("widget")).count() === widgets, "replaced, not added");
    await shot("widget-replaced");

    step("confetti: a client effect becomes a DOM event");
    await page.evaluate(() => document.addEventListener("chatkit:effect",
      (event) => { window.effect = event.detail; }));
    await send("confetti");
    await waitText(page.locator(byId("effect")), "confetti");
    const effect = await page.evaluate(() => window.effect);
    assert(effect?.name === "confetti" && effect.data.pieces === 100, JSON.stringify(effect));
    await shot("effect");
    // The note goes away by itself; the next screenshots are clearer without it.
    await page.locator(byId("effect")).waitFor({ state: "hidden" });

    step("fail: an error with Retry, and the retry succeeds");
    await send("fail");
    await page.locator(byId("retry")).waitFor();
    await shot("error");
    await page.click(byId("retry"));
    await waitText(page.locator(byId("assistant-message")), "Found it on the second try.");
    assert(await page.locator(byId("error")).count() === 0, "the error went with the retry");

    step("long: Stop aborts the stream");
    await send("tell me something long");
    await page.locator(byId("stop")).waitFor({ state: "visible" });
    await page.waitForFunction(() => {
      const answers = document.querySelectorAll('[data-testid="assistant-message"]');
      return answers[answers.length - 1].textContent.startsWith("Once upon a time a small");
    });
    await shot("stop");
    await page.click(byId("stop"));
    await page.locator(byId("notice")).filter({ hasText: "Stopped." }).waitFor();
    await page.locator(byId("stop")).waitFor({ state: "hidden" });
    const stopped = await lastAnswer().textContent();
    await page.waitForTimeout(300);
    assert(await lastAnswer().textContent() === stopped, "nothing arrives after Stop");
    assert(stopped.length < 200, `the answer was cut: ${stopped.length} characters`);
    await shot("stopped");

    step("a second thread, then a reload: the history lists both, newest first");
    await page.click(byId("new-thread"));
    await send("a second thread");
    await waitText(page.locator(byId("assistant-message")), "You said: a second thread");
    await page.reload();
    const history = page.locator(byId("history-thread"));
    await history.nth(1).waitFor();
    assert(await history.nth(0).textContent() === "a second thread", "newest first");
    assert(await history.nth(1).textContent() === "hello there", "then the first thread");
    await history.nth(1).click();
    await waitText(page.locator(byId("user-message")), "plan my day");
    await waitText(page.locator(byId("widget")), "Table booked at Salad place");
    await shot("history");

    const elsewhere = requests.filter((url) => !url.startsWith(`${base}/`) && !url.startsWith("data:"));
    assert(elsewhere.length === 0, `requests that left 127.0.0.1: ${elsewhere.join(", ")}`);
    step(`${requests.length} requests, all to ${base}; screenshots in ${options.screenshots}`);
  } finally {
    await browser.close();
    server.kill();
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

main().then(
  () => console.log("lesson07 in chromium: ok"),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
