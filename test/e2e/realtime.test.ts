import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchStack, startStack } from "../../bench/stack.ts";

/** The dashboard user (src/lib/dashboard/admin-session.ts; importing it would pull in Lua files). */
const ADMIN_USER_ID = "edgekit:dashboard-admin";

import { openBrowser } from "./browser.ts";

let stack: BenchStack;
let browser: Awaited<ReturnType<typeof openBrowser>>;
let page: Page;
const problems: string[] = [];

const api = (path: string, body: unknown) =>
  fetch(`${stack.workerUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  [stack, browser] = await Promise.all([
    startStack({}, { entry: "src/index.ts", outdir: "test-results/e2e/.build-realtime" }),
    openBrowser(),
  ]);
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(10_000);
  // A CSP refusal or a script error shows up here.
  page.on("console", (message) => {
    // Failed loads are checked by URL below (the browser's own /favicon.ico is a 404 here).
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
      problems.push(message.text());
  });
  page.on("response", (response) => {
    if (response.status() >= 400 && !response.url().endsWith("/favicon.ico")) {
      problems.push(`${response.status()} ${response.url()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("the realtime demo in a browser (/client.js)", () => {
  it("joins the room, and shows channel events and inbox counts live, then resumes after a reload", async () => {
    await page.goto(`${stack.workerUrl}/admin/login`);
    await page.fill("#token", stack.adminToken);
    await Promise.all([page.waitForURL("**/admin/links"), page.click("button[type=submit]")]);
    await page.goto(`${stack.workerUrl}/admin/realtime`);
    await page.waitForFunction(() => document.getElementById("rt-count")?.textContent === "1");

    expect((await api("/api/channels/public:demo/events", { event: "note", data: "live one" })).status).toBe(201);
    await page.waitForFunction(() => document.getElementById("rt-events")?.textContent?.includes('"live one"'));
    expect((await api(`/api/users/${ADMIN_USER_ID}/notifications`, { title: "Ping" })).status).toBe(201);
    await page.waitForFunction(() => document.getElementById("rt-unread")?.textContent === "1");

    // Away: the page reloads; what was published meanwhile is in the server-rendered page, and the
    // stream resumes from the stored position (?last=), so later events still arrive live.
    await page.reload();
    expect((await api("/api/channels/public:demo/events", { event: "note", data: "after reload" })).status).toBe(201);
    await page.waitForFunction(() => document.getElementById("rt-events")?.textContent?.includes('"after reload"'));
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    await page.reload();
    await page.waitForFunction(() => document.getElementById("rt-count")?.textContent === "1");
    expect(requests.some((url) => url.includes("/api/events?") && url.includes("last="))).toBe(true);
    expect(problems).toEqual([]);
  });
});
