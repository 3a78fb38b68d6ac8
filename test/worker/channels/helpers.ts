import { inject } from "vitest";
import { SseReader } from "../../shared/sse-reader.ts";
import { adminHeaders, jsonHeaders, type testApp } from "../support.ts";

export { type SseEvent, SseReader } from "../../shared/sse-reader.ts";

export type TestApp = ReturnType<typeof testApp>;

/** Opens an SSE stream through the app and checks it is one. */
export async function subscribe(t: TestApp, path: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const res = await t.request(path, { headers: { accept: "text/event-stream", ...headers } });
  if (res.status !== 200) throw new Error(`subscribe ${path} answered ${res.status}: ${await res.text()}`);
  if (!res.headers.get("content-type")?.startsWith("text/event-stream")) throw new Error("not an event stream");
  return new SseReader(res.body as ReadableStream<Uint8Array>);
}

/** Publishes with the admin token; answers the event id. */
export async function publish(t: TestApp, channel: string, event: string, data: unknown): Promise<string> {
  const res = await t.request(`/api/channels/${encodeURIComponent(channel)}/events`, {
    method: "POST",
    headers: adminHeaders(jsonHeaders()),
    body: JSON.stringify({ event, data }),
  });
  if (res.status !== 201) throw new Error(`publish answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Creates a session for a user (as a backend would) and answers the Cookie header a browser sends. */
export async function sessionCookie(t: TestApp, userId: string): Promise<string> {
  const res = await t.request("/api/sessions", {
    method: "POST",
    headers: adminHeaders(jsonHeaders()),
    body: JSON.stringify({ userId }),
  });
  if (res.status !== 201) throw new Error(`session answered ${res.status}: ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  return `__Host-session=${id}`;
}

/** The proxy's counters: HTTP requests, Redis commands, open SSE subscriptions. */
export async function proxyStats(): Promise<{ requests: number; commands: number; subscribers: number }> {
  const res = await fetch(`${inject("restUrl")}/__stats`, {
    headers: { authorization: `Bearer ${inject("restToken")}` },
  });
  return (await res.json()) as { requests: number; commands: number; subscribers: number };
}

/** Polls until `test` holds, for counters that settle shortly after an action. */
export async function eventually(test: () => Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await test()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return test();
}
