import { afterAll, describe, expect, it } from "vitest";
import { adminHeaders, cleanup, jsonHeaders, redisCommand, testApp } from "../support.ts";
import { publish, sessionCookie, subscribe, type TestApp } from "./helpers.ts";

/** Empties Redis's script cache: the next EVALSHA of every script answers NOSCRIPT. */
const flush = () => redisCommand("SCRIPT", "FLUSH");

// Folded: the sliding-window check runs inside publish.lua and beat.lua (the wrapped variants).
const folded = testApp("rt-flush-folded", { bindings: { RATE_LIMITS: "{}" } });
// Fixed windows cannot be folded: the plain scripts run.
const plain = testApp("rt-flush-plain", {
  bindings: {
    RATE_LIMITS: JSON.stringify({
      "channels-publish": { algorithm: "fixedWindow" },
      "presence-beat": { algorithm: "fixedWindow" },
    }),
  },
});
afterAll(async () => {
  await cleanup(folded.bindings.KEY_PREFIX ?? "");
  await cleanup(plain.bindings.KEY_PREFIX ?? "");
});

const call = async (t: TestApp, method: string, path: string, body: unknown, headers: Record<string, string>) => {
  const res = await t.request(path, {
    method,
    headers: jsonHeaders({ origin: "http://edgekit.test", ...headers }),
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe.each([
  ["with the rate-limit check folded in", folded],
  ["as plain scripts", plain],
])("every channels, presence and inbox script after SCRIPT FLUSH, %s", (_name, t) => {
  it("still works through the EVAL fallback, one script after another", async () => {
    await flush();
    const first = await publish(t, "public:flush", "n", 1);
    await flush();
    const stream = await subscribe(t, "/api/channels/public:flush/events", { "last-event-id": "0-0" });
    expect((await stream.waitForPayloads(1)).map((p) => p.id)).toEqual([first]);
    await stream.close();
    await flush();
    const history = await t.request("/api/channels/public:flush/history");
    expect(((await history.json()) as { events: unknown[] }).events).toHaveLength(1);

    await flush();
    expect((await call(t, "POST", "/api/presence/flush", { member: "ana" }, adminHeaders())).body).toEqual({
      count: 1,
      joined: true,
    });
    await flush();
    expect((await t.request("/api/presence/flush")).status).toBe(200);
    await flush();
    expect((await call(t, "POST", "/api/presence/flush/online", { members: ["ana"] }, {})).body).toEqual({
      online: { ana: true },
    });
    await flush();
    expect((await call(t, "DELETE", "/api/presence/flush", { member: "ana" }, adminHeaders())).body).toEqual({
      count: 0,
      left: true,
    });

    await flush();
    expect((await call(t, "POST", "/api/users/fay/notifications", { title: "x" }, adminHeaders())).status).toBe(201);
    const cookie = await sessionCookie(t, "fay");
    await flush();
    expect((await t.request("/api/notifications", { headers: { cookie } })).status).toBe(200);
    await flush();
    expect((await call(t, "POST", "/api/notifications/read", { upTo: 1 }, { cookie })).body).toMatchObject({
      changed: [1],
    });
  });
});
