import { afterAll, describe, expect, it } from "vitest";
import { channelKey } from "../../../src/lib/channels/keys.ts";
import { adminHeaders, cleanup, countRoundTrips, jsonHeaders, redisCommand, testApp } from "../support.ts";
import { eventually, proxyStats, publish, sessionCookie, subscribe } from "./helpers.ts";

const t = testApp("channels", { bindings: { REDIS_TIMEOUT_MS: "10000", RATE_LIMITS: "{}" } });
const small = testApp("channels-small", { bindings: { CHANNELS_HISTORY: "10", REDIS_TIMEOUT_MS: "10000" } });
afterAll(async () => {
  await cleanup(t.bindings.KEY_PREFIX ?? "");
  await cleanup(small.bindings.KEY_PREFIX ?? "");
});

const ids = (payloads: { id: string }[]) => payloads.map((p) => p.id);

describe("publishing", () => {
  it("stores and publishes in one round trip and answers the stream id", async () => {
    await publish(t, "public:rt", "warm", null); // loads the script (a fresh cache costs one EVAL once)
    const { result, roundTrips } = await countRoundTrips(() => publish(t, "public:rt", "note", { n: 1 }));
    expect(result).toMatch(/^\d+-\d+$/);
    expect(roundTrips).toBe(1);
  });

  it("refuses a publish without the admin token, even from a signed-in user", async () => {
    const cookie = await sessionCookie(t, "pub-user");
    for (const headers of [jsonHeaders(), jsonHeaders({ cookie })]) {
      const res = await t.request("/api/channels/public:news/events", {
        method: "POST",
        headers,
        body: JSON.stringify({ event: "post", data: 1 }),
      });
      expect(res.status).toBe(401);
    }
  });

  it("refuses reserved event names and oversized data", async () => {
    for (const body of [{ event: "gap" }, { event: "bad name" }, { event: "big", data: "x".repeat(40_000) }]) {
      const res = await t.request("/api/channels/public:news/events", {
        method: "POST",
        headers: adminHeaders(jsonHeaders()),
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(422);
    }
  });
});

describe("subscribing over SSE", () => {
  it("delivers live events with id: set to the history id, after retry: and ready", async () => {
    const stream = await subscribe(t, "/api/channels/public:live/events");
    const ready = await stream.waitFor("ready");
    expect(stream.retry).toBe(1000);
    expect(ready.id).toMatch(/^\d+-\d+$/);
    const id = await publish(t, "public:live", "post", { title: "hello" });
    const [event] = await stream.waitForPayloads(1);
    expect(event).toEqual({ event: "post", sseId: id, channel: "public:live", id, data: { title: "hello" } });
    await stream.close();
  });

  it("replays the 50 events missed while away when reconnecting with Last-Event-ID", async () => {
    const first = await publish(t, "public:away", "n", 0);
    const missed: string[] = [];
    for (let i = 1; i <= 50; i++) missed.push(await publish(t, "public:away", "n", i));
    const stream = await subscribe(t, "/api/channels/public:away/events", { "last-event-id": first });
    const payloads = await stream.waitForPayloads(50);
    expect(ids(payloads)).toEqual(missed);
    expect(payloads.map((p) => p.data)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const live = await publish(t, "public:away", "n", 51);
    expect(ids(await stream.waitForPayloads(51)).at(-1)).toBe(live);
    expect(stream.events.some((e) => e.event === "gap")).toBe(false);
    await stream.close();
  });

  it("takes ?last= for a fresh page load, like Last-Event-ID", async () => {
    const first = await publish(t, "public:last", "n", 0);
    const second = await publish(t, "public:last", "n", 1);
    const stream = await subscribe(t, `/api/channels/public:last/events?last=${first}`);
    expect(ids(await stream.waitForPayloads(1))).toEqual([second]);
    await stream.close();
  });

  it("sees every event exactly once, in order, when events are published during the replay", async () => {
    const channel = "public:race";
    const start = await publish(t, channel, "n", -1);
    for (let i = 0; i < 100; i++) await publish(t, channel, "n", i);
    // Publishing goes on while the stream subscribes, reads the history and flushes its buffer.
    let stop = false;
    let n = 100;
    const publisher = (async () => {
      while (!stop && n < 400) await publish(t, channel, "n", n++);
    })();
    const stream = await subscribe(t, `/api/channels/${channel}/events`, { "last-event-id": start });
    await stream.waitForPayloads(150, 30_000);
    stop = true;
    await publisher;
    const total = n;
    const payloads = await stream.waitForPayloads(total, 30_000);
    const history = (
      await redisCommand<[string, string[]][]>(
        "XRANGE",
        channelKey({ KEY_PREFIX: t.bindings.KEY_PREFIX ?? "" }, channel),
        `(${start}`,
        "+",
      )
    ).map(([id]) => id);
    expect(history).toHaveLength(total);
    expect(ids(payloads)).toEqual(history);
    expect(payloads.map((p) => p.data)).toEqual(Array.from({ length: total }, (_, i) => i));
    await stream.close();
  });

  it("sends a gap when the id is older than the trimmed history, then goes on live", async () => {
    const old = await publish(small, "public:trim", "n", 0);
    for (let i = 1; i <= 300; i++) await publish(small, "public:trim", "n", i);
    expect(
      await redisCommand<number>("XLEN", channelKey({ KEY_PREFIX: small.bindings.KEY_PREFIX ?? "" }, "public:trim")),
    ).toBeLessThan(301);
    const stream = await subscribe(small, "/api/channels/public:trim/events", { "last-event-id": old });
    const gap = await stream.waitFor("gap");
    expect(JSON.parse(gap.data)).toEqual({ channels: ["public:trim"] });
    const live = await publish(small, "public:trim", "n", 301);
    expect(ids(await stream.waitForPayloads(1))).toEqual([live]);
    await stream.close();
  });

  it("sends a gap for a Last-Event-ID it never wrote", async () => {
    const stream = await subscribe(t, "/api/channels/public:forged/events", { "last-event-id": "not-an-id" });
    await stream.waitFor("gap");
    await stream.close();
  });
});

describe("several channels on one connection", () => {
  it("uses one upstream subscription, carries a vector id, and resumes from it", async () => {
    // Streams closed by earlier tests may still be closing at the proxy: start from none.
    await eventually(async () => (await proxyStats()).subscribers === 0);
    const before = (await proxyStats()).subscribers;
    const path = "/api/events?channel=public:m1&channel=public:m2&channel=public:m3";
    const stream = await subscribe(t, path);
    await stream.waitFor("ready");
    expect((await proxyStats()).subscribers - before).toBe(1);
    const a = await publish(t, "public:m1", "x", "a");
    const b = await publish(t, "public:m2", "x", "b");
    const c = await publish(t, "public:m3", "x", "c");
    const payloads = await stream.waitForPayloads(3);
    expect(payloads.map((p) => [p.channel, p.id])).toEqual([
      ["public:m1", a],
      ["public:m2", b],
      ["public:m3", c],
    ]);
    const vector = payloads[2]?.sseId ?? "";
    expect(vector).toContain(`public%3Am1=${a}`);
    await stream.close();
    const d = await publish(t, "public:m2", "x", "d");
    const e = await publish(t, "public:m1", "x", "e");
    const resumed = await subscribe(t, path, { "last-event-id": vector });
    const again = await resumed.waitForPayloads(2);
    expect(again.map((p) => p.id).sort()).toEqual([d, e].sort());
    await resumed.close();
  });

  it("carries more than six channels on one connection", async () => {
    const names = Array.from({ length: 10 }, (_, i) => `public:many${i}`);
    const stream = await subscribe(t, `/api/events?${names.map((n) => `channel=${n}`).join("&")}`);
    await stream.waitFor("ready");
    for (const name of names) await publish(t, name, "x", name);
    expect((await stream.waitForPayloads(10)).map((p) => p.data)).toEqual(names);
    await stream.close();
  });
});

describe("access", () => {
  it("lets a user read their own channel, and refuses another user's", async () => {
    const alice = await sessionCookie(t, "alice");
    const bob = await sessionCookie(t, "bob");
    const own = await subscribe(t, "/api/channels/user:alice/events", { cookie: alice });
    await own.waitFor("ready");
    await own.close();
    const other = await t.request("/api/channels/user:alice/events", { headers: { cookie: bob } });
    expect(other.status).toBe(403);
    const mixed = await t.request("/api/events?channel=user:bob&channel=user:alice", { headers: { cookie: bob } });
    expect(mixed.status).toBe(403);
    const anonymous = await t.request("/api/channels/user:alice/events");
    expect(anonymous.status).toBe(401);
    const history = await t.request("/api/channels/user:alice/history", { headers: { cookie: bob } });
    expect(history.status).toBe(403);
  });

  it("keeps private channels to the admin token", async () => {
    const cookie = await sessionCookie(t, "carol");
    expect((await t.request("/api/channels/ops/events", { headers: { cookie } })).status).toBe(403);
    expect((await t.request("/api/channels/ops/events")).status).toBe(401);
    const admin = await subscribe(t, "/api/channels/ops/events", adminHeaders());
    await admin.waitFor("ready");
    await admin.close();
  });
});

describe("the stream's lifetime", () => {
  it("costs two round trips per (re)connect: the SUBSCRIBE stream and one history read for all channels", async () => {
    const { result: stream, roundTrips } = await countRoundTrips(async () => {
      const opened = await subscribe(t, "/api/events?channel=public:c1&channel=public:c2", { "last-event-id": "x" });
      await opened.waitFor("ready");
      return opened;
    });
    expect(roundTrips).toBe(2);
    await stream.close();
  });

  it("cancels the upstream subscription when the client goes away", async () => {
    // Streams closed by earlier tests may still be closing at the proxy: start from none.
    await eventually(async () => (await proxyStats()).subscribers === 0);
    const before = (await proxyStats()).subscribers;
    const stream = await subscribe(t, "/api/channels/public:gone/events");
    await stream.waitFor("ready");
    expect((await proxyStats()).subscribers).toBe(before + 1);
    await stream.close();
    expect(await eventually(async () => (await proxyStats()).subscribers === before)).toBe(true);
  });

  it("writes keepalive comments without Redis commands, and ends itself with reconnect", async () => {
    const short = testApp("channels-short", {
      bindings: { CHANNELS_STREAM_SECONDS: "3", CHANNELS_KEEPALIVE_SECONDS: "1" },
    });
    const stream = await subscribe(short, "/api/channels/public:short/events");
    await stream.waitFor("ready");
    const before = await proxyStats();
    await stream.until(() => stream.comments.filter((c) => c === "keepalive").length >= 2, 10_000, "keepalives");
    const reconnect = await stream.waitFor("reconnect", 10_000);
    expect(JSON.parse(reconnect.data)).toEqual({ retryMs: 1000 });
    await stream.until(() => stream.ended, 5000, "the end");
    const after = await proxyStats();
    // Only this stream's traffic runs meanwhile (worker test files run one at a time): none.
    expect(after.requests - before.requests).toBe(0);
    // The end released the upstream subscription too, with nobody cancelling the body.
    expect(await eventually(async () => (await proxyStats()).subscribers === 0)).toBe(true);
    await cleanup(short.bindings.KEY_PREFIX ?? "");
  });
});

describe("history as JSON", () => {
  it("pages through the history after an id", async () => {
    const published: string[] = [];
    for (let i = 0; i < 5; i++) published.push(await publish(t, "public:pages", "n", i));
    const res = await t.request(`/api/channels/public:pages/history?after=${published[0]}&limit=3`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { events: { id: string; data: unknown }[]; gap: boolean; next: string | null };
    expect(page.events.map((e) => e.id)).toEqual(published.slice(1, 4));
    expect(page).toMatchObject({ gap: false, next: published[3] });
    const rest = (await (await t.request(`/api/channels/public:pages/history?after=${page.next}`)).json()) as {
      events: { data: unknown }[];
      next: string | null;
    };
    expect(rest).toMatchObject({ events: [{ data: 4 }], next: null });
  });
});
