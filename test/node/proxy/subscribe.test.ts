import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./helpers.ts";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

function waitFor<T>(register: (resolve: (value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timed out waiting for a message")), 3000);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

async function publishUntilHeard(channel: string, message: unknown, heard: Promise<unknown>) {
  let done = false;
  heard.finally(() => {
    done = true;
  });
  // The subscription is set up asynchronously; publish until it hears one.
  while (!done) {
    await stack.client().publish(channel, message);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("subscribe over server-sent events", () => {
  it("delivers messages published through the proxy to @upstash/redis subscribe()", async () => {
    const redis = stack.client();
    const subscriber = redis.subscribe<{ hello: string }>(["news"]);
    const heard = waitFor<{ channel: string; message: unknown }>((resolve) => subscriber.on("message", resolve));
    await publishUntilHeard("news", { hello: "wörld" }, heard);
    expect(await heard).toEqual({ channel: "news", message: { hello: "wörld" } });
    await subscriber.unsubscribe();
  });

  it("delivers pattern messages to psubscribe()", async () => {
    const redis = stack.client();
    const subscriber = redis.psubscribe<{ user: string }>(["events:*"]);
    const heard = waitFor<{ pattern: string; channel: string; message: unknown }>((resolve) =>
      subscriber.on("pmessage", resolve),
    );
    await publishUntilHeard("events:signup", { user: "ana" }, heard);
    expect(await heard).toEqual({ pattern: "events:*", channel: "events:signup", message: { user: "ana" } });
    await subscriber.unsubscribe();
  });

  it("streams the raw SSE lines and closes the Redis connection when the client leaves", async () => {
    const controller = new AbortController();
    const res = await fetch(`${stack.proxy.url}/subscribe/raw`, {
      headers: { authorization: "Bearer proxy-test-token", accept: "text/event-stream" },
      signal: controller.signal,
    });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe("data: subscribe,raw,1\n\n");
    await stack.post("/", ["PUBLISH", "raw", "plain text"]);
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: message,raw,plain text\n\n");
    controller.abort();
    const subscribers = async () =>
      ((await (await fetch(`${stack.proxy.url}/__stats?_token=proxy-test-token`)).json()) as { subscribers: number })
        .subscribers;
    const deadline = Date.now() + 2000;
    while ((await subscribers()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await subscribers()).toBe(0);
  });
});
