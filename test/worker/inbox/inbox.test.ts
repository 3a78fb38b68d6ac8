import { afterAll, describe, expect, it } from "vitest";
import { sessionCookie, subscribe, type TestApp } from "../channels/helpers.ts";
import { adminHeaders, cleanup, countRoundTrips, jsonHeaders, testApp } from "../support.ts";

const t = testApp("inbox", { bindings: { REDIS_TIMEOUT_MS: "10000", RATE_LIMITS: '{"default":{"limit":100000}}' } });
const capped = testApp("inbox-cap", { bindings: { INBOX_CAP: "3" } });
afterAll(async () => {
  await cleanup(t.bindings.KEY_PREFIX ?? "");
  await cleanup(capped.bindings.KEY_PREFIX ?? "");
});

const ORIGIN = "http://edgekit.test";
const notify = async (app: TestApp, userId: string, body: Record<string, unknown>) => {
  const res = await app.request(`/api/users/${userId}/notifications`, {
    method: "POST",
    headers: adminHeaders(jsonHeaders()),
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as { id: number; duplicate: boolean; counts: unknown; evicted: number[] },
  };
};
const asUser = async (app: TestApp, cookie: string, method: string, path: string, body?: unknown) => {
  const res = await app.request(path, {
    method,
    headers: body === undefined ? { cookie } : jsonHeaders({ cookie, origin: ORIGIN }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const counts = (unread: number, unseen: number, total: number, archived = 0) => ({ unread, unseen, total, archived });

describe("the inbox", () => {
  it("adds notifications, deduplicates by key, and lists them newest first with states", async () => {
    const cookie = await sessionCookie(t, "ana");
    const first = await notify(t, "ana", { title: "Welcome", key: "welcome" });
    expect(first).toEqual({ status: 201, body: { id: 1, duplicate: false, counts: counts(1, 1, 1), evicted: [] } });
    const again = await notify(t, "ana", { title: "Welcome", key: "welcome" });
    expect(again).toEqual({ status: 200, body: { id: 1, duplicate: true, counts: counts(1, 1, 1), evicted: [] } });
    await notify(t, "ana", { title: "Reply", body: "Bob answered", data: { thread: 7 } });
    const list = await asUser(t, cookie, "GET", "/api/notifications?limit=1");
    expect(list.body).toMatchObject({
      notifications: [{ id: 2, title: "Reply", body: "Bob answered", data: { thread: 7 }, unread: true, seen: false }],
      counts: counts(2, 2, 2),
      next: 2,
    });
    const older = await asUser(t, cookie, "GET", "/api/notifications?limit=1&before=2");
    expect(older.body).toMatchObject({ notifications: [{ id: 1, key: "welcome" }], next: null });
    expect((await asUser(t, cookie, "GET", "/api/notifications/counts")).body).toEqual(counts(2, 2, 2));
  });

  it("marks all read up to the newest id the user saw, so a later arrival stays unread", async () => {
    const cookie = await sessionCookie(t, "bea");
    for (const title of ["a", "b", "c"]) await notify(t, "bea", { title });
    const seen = await asUser(t, cookie, "POST", "/api/notifications/seen", { upTo: 3 });
    expect(seen.body).toEqual({ changed: [1, 2, 3], counts: counts(3, 0, 3) });
    await notify(t, "bea", { title: "d, arriving mid-click" });
    const read = await asUser(t, cookie, "POST", "/api/notifications/read", { upTo: 3 });
    expect(read.body).toEqual({ changed: [1, 2, 3], counts: counts(1, 1, 4) });
    const unread = await asUser(t, cookie, "GET", "/api/notifications?status=unread");
    expect((unread.body.notifications as { id: number }[]).map((n) => n.id)).toEqual([4]);
    const archived = await asUser(t, cookie, "POST", "/api/notifications/archive", { ids: [1, 4, 99] });
    expect(archived.body).toEqual({ changed: [1, 4], counts: counts(0, 0, 2, 2) });
    const box = await asUser(t, cookie, "GET", "/api/notifications?status=archived");
    expect((box.body.notifications as { id: number }[]).map((n) => n.id)).toEqual([4, 1]);
  });

  it("evicts archived, then read, and an unread one only when nothing else is left", async () => {
    const cookie = await sessionCookie(capped, "cap");
    for (const title of ["n1", "n2", "n3"]) await notify(capped, "cap", { title });
    await asUser(capped, cookie, "POST", "/api/notifications/read", { ids: [2] });
    await asUser(capped, cookie, "POST", "/api/notifications/archive", { ids: [3] });
    expect((await notify(capped, "cap", { title: "n4" })).body).toMatchObject({ evicted: [3] });
    expect((await notify(capped, "cap", { title: "n5" })).body).toMatchObject({ evicted: [2] });
    expect((await notify(capped, "cap", { title: "n6", key: "k6" })).body).toMatchObject({
      evicted: [1],
      counts: counts(3, 3, 3),
    });
    const all = await asUser(capped, cookie, "GET", "/api/notifications");
    expect((all.body.notifications as { id: number }[]).map((n) => n.id)).toEqual([6, 5, 4]);
  });

  it("keeps the counts exact under 100 concurrent mutations, and the last published counts match", async () => {
    const cookie = await sessionCookie(t, "cat");
    for (let i = 0; i < 50; i++) await notify(t, "cat", { title: `old ${i}` });
    const stream = await subscribe(t, "/api/channels/user:cat/events", { cookie });
    await stream.waitFor("ready");
    const mutations = [
      ...Array.from({ length: 50 }, (_, i) => notify(t, "cat", { title: `new ${i}` })),
      ...Array.from({ length: 50 }, (_, i) => asUser(t, cookie, "POST", "/api/notifications/read", { ids: [i + 1] })),
    ];
    const results = await Promise.all(mutations);
    expect(results.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    const final = await asUser(t, cookie, "GET", "/api/notifications/counts");
    expect(final.body).toEqual(counts(50, 50, 100));
    const events = await stream.waitForPayloads(100, 30_000);
    expect(events.every((e) => e.event === "inbox")).toBe(true);
    expect((events.at(-1)?.data as { counts: unknown } | undefined)?.counts).toEqual(counts(50, 50, 100));
    // Each event's unread count is the previous one's plus one (notify) or minus one (read).
    const unread = events.map((e) => (e.data as { counts: { unread: number } }).counts.unread);
    for (let i = 1; i < unread.length; i++) expect(Math.abs((unread[i] ?? 0) - (unread[i - 1] ?? 0))).toBe(1);
    await stream.close();
  });

  it("costs the session read plus one script per user route", async () => {
    const cookie = await sessionCookie(t, "eve");
    await notify(t, "eve", { title: "one" });
    await asUser(t, cookie, "POST", "/api/notifications/seen", { ids: [1] }); // loads the scripts
    const marked = await countRoundTrips(() => asUser(t, cookie, "POST", "/api/notifications/read", { ids: [1] }));
    expect(marked.roundTrips).toBe(2);
    const listed = await countRoundTrips(() => asUser(t, cookie, "GET", "/api/notifications"));
    expect(listed.roundTrips).toBe(2);
  });

  it("needs a session for the user routes, and the admin token to notify", async () => {
    expect((await t.request("/api/notifications")).status).toBe(401);
    expect((await t.request("/api/notifications/counts")).status).toBe(401);
    const res = await t.request("/api/users/ana/notifications", {
      method: "POST",
      headers: jsonHeaders(),
      body: JSON.stringify({ title: "x" }),
    });
    expect(res.status).toBe(401);
    const cookie = await sessionCookie(t, "dan");
    const neither = await asUser(t, cookie, "POST", "/api/notifications/read", {});
    expect(neither.status).toBe(422);
  });
});
