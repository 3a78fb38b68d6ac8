import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { sessionCookie, subscribe, type TestApp } from "../channels/helpers.ts";
import { adminHeaders, cleanup, countRoundTrips, jsonHeaders, testApp } from "../support.ts";

const clock = manualClock(Date.UTC(2026, 11, 1, 12));
const t = testApp("presence", { clock, bindings: { REDIS_TIMEOUT_MS: "10000", RATE_LIMITS: "{}" } });
const batched = testApp("presence-batch", {
  clock,
  bindings: { PRESENCE_BATCH_THRESHOLD: "3", PRESENCE_BATCH_SECONDS: "5" },
});
afterAll(async () => {
  await cleanup(t.bindings.KEY_PREFIX ?? "");
  await cleanup(batched.bindings.KEY_PREFIX ?? "");
});

const send = async (
  app: TestApp,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = adminHeaders(),
) => {
  const init =
    method === "GET" ? { headers } : { method, headers: jsonHeaders(headers), body: JSON.stringify(body ?? {}) };
  const res = await app.request(path, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const beat = (app: TestApp, room: string, member: string, connection = "main", extra: Record<string, unknown> = {}) =>
  send(app, "POST", `/api/presence/${room}`, { member, connection, ...extra });

describe("heartbeats", () => {
  it("counts people, not tabs: a member stays while any connection beats", async () => {
    expect(await beat(t, "tabs", "ana", "tab-1", { info: { name: "Ana" } })).toEqual({
      status: 200,
      body: { count: 1, joined: true },
    });
    expect((await beat(t, "tabs", "ana", "tab-2")).body).toEqual({ count: 1, joined: false });
    expect((await send(t, "DELETE", "/api/presence/tabs", { member: "ana", connection: "tab-1" })).body).toEqual({
      count: 1,
      left: false,
    });
    expect((await send(t, "POST", "/api/presence/tabs/leave", { member: "ana", connection: "tab-2" })).body).toEqual({
      count: 0,
      left: true,
    });
  });

  it("costs one round trip", async () => {
    await beat(t, "trips", "warm"); // loads the script once
    const { result, roundTrips } = await countRoundTrips(() => beat(t, "trips", "ana"));
    expect(result.status).toBe(200);
    expect(roundTrips).toBe(1);
    // A browser's heartbeat: the session read (with the rate-limit check folded in) + the beat.
    const cookie = await sessionCookie(t, "tina");
    await send(t, "POST", "/api/presence/trips", {}, { cookie });
    const session = await countRoundTrips(() => send(t, "POST", "/api/presence/trips", {}, { cookie }));
    expect(session.result.status).toBe(200);
    expect(session.roundTrips).toBe(2);
  });

  it("drops a member who stops beating within the timeout, for the roster at once and for the count", async () => {
    const room = "timeout";
    await beat(t, room, "ana", "a", { info: { name: "Ana" } });
    await beat(t, room, "bob", "b");
    clock.advance(30_000);
    await beat(t, room, "bob", "b");
    clock.advance(16_000); // ana's last beat is 46 s old, past the 45 s timeout
    const roster = await send(t, "GET", `/api/presence/${room}`, undefined);
    expect(roster.body).toMatchObject({ count: 1, members: [{ member: "bob", info: null }] });
    expect((await beat(t, room, "bob", "b", { members: true })).body).toMatchObject({
      count: 1,
      joined: false,
      members: [{ member: "bob" }],
    });
  });

  it("answers whether each of up to 100 members is online", async () => {
    await beat(t, "online", "ana");
    const res = await send(t, "POST", "/api/presence/online/online", { members: ["ana", "bob", "__proto__"] });
    expect(JSON.stringify(res.body)).toBe('{"online":{"ana":true,"bob":false,"__proto__":false}}');
    const tooMany = await send(t, "POST", "/api/presence/online/online", {
      members: Array.from({ length: 101 }, (_, i) => `m${i}`),
    });
    expect(tooMany.status).toBe(422);
  });

  it("beats as the session's user, and refuses naming someone else or no one", async () => {
    const cookie = await sessionCookie(t, "sam");
    const own = await send(t, "POST", "/api/presence/sessions", { connection: "t1" }, { cookie });
    expect(own).toEqual({ status: 200, body: { count: 1, joined: true } });
    expect((await send(t, "POST", "/api/presence/sessions", { member: "eve" }, { cookie })).status).toBe(422);
    expect((await send(t, "POST", "/api/presence/sessions", {}, {})).status).toBe(401);
  });

  it("refuses info over 1 KB", async () => {
    expect((await beat(t, "big", "ana", "main", { info: "x".repeat(1100) })).status).toBe(422);
  });
});

describe("joins and leaves on the room's channel", () => {
  it("publishes only when someone joined or left", async () => {
    const room = "changes";
    const stream = await subscribe(t, `/api/channels/presence:${room}/events`);
    await stream.waitFor("ready");
    await beat(t, room, "ana", "a", { info: { name: "Ana" } });
    await beat(t, room, "ana", "a");
    await beat(t, room, "ana", "b"); // a second tab: no change
    await beat(t, room, "bob", "b");
    clock.advance(30_000);
    await beat(t, room, "bob", "b"); // no change
    clock.advance(16_000);
    await beat(t, room, "bob", "b"); // ana's last beat is 46 s old: she timed out
    await send(t, "DELETE", `/api/presence/${room}`, { member: "bob", connection: "b" });
    const events = await stream.waitForPayloads(4);
    expect(events.map((e) => e.data)).toEqual([
      { count: 1, joins: [{ member: "ana", info: { name: "Ana" } }], leaves: [], batched: false },
      { count: 2, joins: [{ member: "bob", info: null }], leaves: [], batched: false },
      { count: 1, joins: [], leaves: [{ member: "ana", reason: "timeout" }], batched: false },
      { count: 0, joins: [], leaves: [{ member: "bob", reason: "left" }], batched: false },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stream.payloads()).toHaveLength(4);
    await stream.close();
  });

  it("sends periodic batched deltas above the size threshold", async () => {
    const room = "large";
    const stream = await subscribe(batched, `/api/channels/presence:${room}/events`);
    await stream.waitFor("ready");
    for (const m of ["m1", "m2", "m3"]) await beat(batched, room, m);
    await beat(batched, room, "m4"); // above 3: the first batch goes at once (none sent yet)
    await beat(batched, room, "m5");
    await beat(batched, room, "m6");
    expect((await beat(batched, room, "m1")).body).toEqual({ count: 6, joined: false });
    clock.advance(5000);
    await beat(batched, room, "m2"); // the interval passed: m5 and m6 go out together
    const events = await stream.waitForPayloads(5);
    expect(events.map((e) => e.data)).toEqual([
      { count: 1, joins: [{ member: "m1", info: null }], leaves: [], batched: false },
      { count: 2, joins: [{ member: "m2", info: null }], leaves: [], batched: false },
      { count: 3, joins: [{ member: "m3", info: null }], leaves: [], batched: false },
      { count: 4, joins: [{ member: "m4", info: null }], leaves: [], batched: true },
      {
        count: 6,
        joins: [
          { member: "m5", info: null },
          { member: "m6", info: null },
        ],
        leaves: [],
        batched: true,
      },
    ]);
    await stream.close();
  });
});
