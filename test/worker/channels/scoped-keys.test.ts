import { afterAll, describe, expect, it } from "vitest";
import { adminHeaders, cleanup, jsonHeaders, testApp } from "../support.ts";
import { sessionCookie } from "./helpers.ts";

// Real-time routes with API keys instead of the admin token: publishing, private reads and
// heartbeats for a named member each need their own scope.
const t = testApp("rt-keys", { bindings: { REDIS_TIMEOUT_MS: "10000", RATE_LIMITS: "{}" } });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

async function keyWith(...scopes: string[]): Promise<Record<string, string>> {
  const res = await t.request("/api/keys", {
    method: "POST",
    headers: adminHeaders(jsonHeaders()),
    body: JSON.stringify({ name: `rt-${scopes.length}-${crypto.randomUUID().slice(0, 8)}`, scopes }),
  });
  expect(res.status).toBe(201);
  const { secret } = (await res.json()) as { secret: string };
  return { authorization: `Bearer ${secret}` };
}

const publish = (channel: string, headers: Record<string, string>) =>
  t.request(`/api/channels/${channel}/events`, {
    method: "POST",
    headers: jsonHeaders(headers),
    body: JSON.stringify({ event: "note", data: { channel } }),
  });

describe("channels with API keys", () => {
  it("publishes only to channels the key's channels:publish pattern matches", async () => {
    const key = await keyWith("channels:publish:orders.*");
    expect((await publish("orders.eu", key)).status).toBe(201);
    const refused = await publish("billing.eu", key);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { detail: string }).detail).toContain("channels:publish:billing.eu");
  });

  it("reads a private channel's history with channels:subscribe, and no other private channel", async () => {
    await publish("ops.alerts", adminHeaders());
    const reader = await keyWith("channels:subscribe:ops.*");
    const history = await t.request("/api/channels/ops.alerts/history", { headers: reader });
    expect(history.status).toBe(200);
    expect(((await history.json()) as { events: unknown[] }).events).toHaveLength(1);
    expect((await t.request("/api/channels/finance.alerts/history", { headers: reader })).status).toBe(403);
    // A publishing key is not a reading key.
    const writer = await keyWith("channels:publish:ops.*");
    expect((await t.request("/api/channels/ops.alerts/history", { headers: writer })).status).toBe(403);
  });

  it("never lets a key read a user's channel it has no scope for", async () => {
    const reader = await keyWith("channels:subscribe:ops.*");
    expect((await t.request("/api/channels/user:ana/history", { headers: reader })).status).toBe(403);
    const cookie = await sessionCookie(t, "ana");
    expect((await t.request("/api/channels/user:ana/history", { headers: { cookie } })).status).toBe(200);
  });
});

describe("presence with API keys", () => {
  const beat = (member: string, headers: Record<string, string>) =>
    t.request("/api/presence/lobby", {
      method: "POST",
      headers: jsonHeaders(headers),
      body: JSON.stringify({ member, connection: "server" }),
    });

  it("lets a presence:write key beat for a named member, and refuses a key without it", async () => {
    const writer = await keyWith("presence:write");
    const res = await beat("kiosk-7", writer);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ count: 1, joined: true });
    const other = await keyWith("links:read");
    const refused = await beat("kiosk-8", other);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { detail: string }).detail).toContain("presence:write");
  });
});
