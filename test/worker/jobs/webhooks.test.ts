import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup } from "../support.ts";
import { createQueue, enqueue, job, jobsApp, receiver, run, SECRET } from "./helpers.ts";

const t = jobsApp("jobs-webhooks");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

/**
 * The receiver's check, written from the Standard Webhooks spec with node:crypto (not the
 * WebCrypto code that signs): HMAC-SHA256 over `id.timestamp.body` with the base64-decoded secret,
 * compared in constant time with every `v1,` entry of the header.
 */
function verify(secret: string, headers: Record<string, string>, body: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key)
    .update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`)
    .digest();
  return (headers["webhook-signature"] ?? "").split(" ").some((entry) => {
    const [version, signature] = entry.split(",");
    const given = Buffer.from(signature ?? "", "base64");
    return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const HOUR = 3_600_000;

describe("a webhook", () => {
  it("is delivered by a pull, signed, and acknowledged on 2xx", async () => {
    const r = receiver("ok");
    await createQueue(t, "orders");
    const { id } = await enqueue(t, "orders", {
      target: r.url,
      body: { type: "order.paid", id: 7 },
      headers: { "x-tenant": "acme" },
    });
    expect(await run(t, "orders")).toMatchObject({ attempted: 1, succeeded: 1 });
    const { requests } = await r.log();
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.method).toBe("POST");
    expect(request?.body).toBe('{"type":"order.paid","id":7}');
    expect(request?.headers).toMatchObject({
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(t.clock.now() / 1000)),
      "content-type": "application/json",
      "x-tenant": "acme",
    });
    expect(verify(SECRET, request?.headers ?? {}, request?.body ?? "")).toBe(true);
    expect(verify("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", request?.headers ?? {}, request?.body ?? "")).toBe(false);
    expect(await job(t, id)).toMatchObject({ status: "done", attempts: 1, history: [{ status: 200, error: null }] });
    expect(await run(t, "orders")).toMatchObject({ attempted: 0 });
  });

  it("is retried on the queue's schedule under the test clock, then dead-lettered, then replayed with the same webhook-id", async () => {
    const r = receiver("retry");
    await createQueue(t, "retries", { retrySchedule: [1000, 60_000, HOUR], maxAttempts: 4 });
    await r.program(
      { status: 500 },
      { status: 503 },
      { status: 302, headers: { location: "/elsewhere" } },
      { status: 404 },
    );
    const { id } = await enqueue(t, "retries", { target: r.url, body: "plain text" });
    const start = t.clock.now();
    // When each attempt ran, for the webhook-timestamp it must carry.
    const attemptedAt: number[] = [];

    for (const [attempt, delay] of [
      [1, 1000],
      [2, 60_000],
      [3, HOUR],
    ] as const) {
      attemptedAt.push(t.clock.now());
      expect(await run(t, "retries")).toMatchObject({ attempted: 1, retried: 1 });
      const state = await t.json<{ dueAt: number; attempts: number; status: string }>("GET", `/api/jobs/${id}`);
      expect(state).toMatchObject({ attempts: attempt, status: "scheduled" });
      // ±20% jitter around the scheduled delay.
      expect(state.dueAt - t.clock.now()).toBeGreaterThanOrEqual(delay * 0.8);
      expect(state.dueAt - t.clock.now()).toBeLessThanOrEqual(delay * 1.2);
      // Nothing is due before its time.
      t.clock.set(state.dueAt - 1);
      expect(await run(t, "retries")).toMatchObject({ attempted: 0 });
      t.clock.set(state.dueAt);
    }
    attemptedAt.push(t.clock.now());
    expect(await run(t, "retries")).toMatchObject({ attempted: 1, dead: 1 });
    const dead = await job(t, id);
    expect(dead).toMatchObject({ status: "dead", attempts: 4, deadReason: "exhausted" });
    expect(dead.history.map((a) => [a.status, a.error])).toEqual([
      [500, "HTTP 500"],
      [503, "HTTP 503"],
      [302, "HTTP 302"],
      [404, "HTTP 404"],
    ]);
    expect(t.clock.now() - start).toBeGreaterThanOrEqual(0.8 * (1000 + 60_000 + HOUR));

    const dlq = await t.json<{ deadLetters: { id: string; reason: string; attempts: number }[] }>(
      "GET",
      "/api/queues/retries/dlq",
    );
    expect(dlq.deadLetters).toMatchObject([{ id, reason: "exhausted", attempts: 4 }]);
    const events = await t.json<{ events: Record<string, unknown>[] }>("GET", "/api/queues/retries/events");
    expect(events.events).toMatchObject([{ type: "message.attempt.exhausted", id, attempts: "4" }]);

    t.clock.advance(1000);
    expect(await t.json("POST", "/api/queues/retries/dlq/replay", {})).toEqual({ replayed: [id] });
    attemptedAt.push(t.clock.now());
    expect(await run(t, "retries")).toMatchObject({ attempted: 1, succeeded: 1 });
    expect(await job(t, id)).toMatchObject({ status: "done", attempts: 1, replays: 1 });
    const ids = (await r.log()).requests.map((q) => q.headers["webhook-id"]);
    expect(ids).toEqual([id, id, id, id, id]);
    // Every attempt carries the time it was sent (whole seconds, so the first retry, 0.8-1.2 s
    // later, may share the first attempt's) and a valid signature.
    const stamps = (await r.log()).requests.map((q) => q.headers["webhook-timestamp"]);
    expect(stamps).toEqual(attemptedAt.map((ms) => String(Math.floor(ms / 1000))));
    expect((await r.log()).requests.every((q) => verify(SECRET, q.headers, q.body))).toBe(true);
    expect(await t.json("GET", "/api/queues/retries/dlq")).toEqual({ deadLetters: [] });
  });

  it("waits at least the receiver's Retry-After", async () => {
    const r = receiver("retry-after");
    await createQueue(t, "retry-after", { retrySchedule: [1000] });
    await r.program({ status: 429, headers: { "retry-after": "120" } });
    const { id } = await enqueue(t, "retry-after", { target: r.url });
    await run(t, "retry-after");
    const state = await t.json<{ dueAt: number }>("GET", `/api/jobs/${id}`);
    expect(state.dueAt - t.clock.now()).toBe(120_000);
  });

  it("counts a timeout as a failed attempt", async () => {
    const r = receiver("slow");
    await createQueue(t, "slow", { timeoutMs: 200, retrySchedule: [1000] });
    await r.program({ status: 200, delayMs: 1000 });
    const { id } = await enqueue(t, "slow", { target: r.url });
    expect(await run(t, "slow")).toMatchObject({ attempted: 1, retried: 1 });
    expect((await job(t, id)).history).toMatchObject([{ status: null, error: "timed out after 200 ms" }]);
  });

  it("disables its endpoint on 410: later jobs for it go to the DLQ unsent, until it is enabled again", async () => {
    const r = receiver("gone");
    await createQueue(t, "gone");
    await r.program({ status: 410 });
    const first = await enqueue(t, "gone", { target: r.url });
    expect(await run(t, "gone")).toMatchObject({ attempted: 1, dead: 1 });
    expect(await job(t, first.id)).toMatchObject({ status: "dead", deadReason: "endpoint_disabled" });
    const stats = await t.json<{ disabledEndpoints: { endpoint: string; reason: string }[]; dlq: number }>(
      "GET",
      "/api/queues/gone/stats",
    );
    expect(stats).toMatchObject({
      dlq: 1,
      disabledEndpoints: [{ endpoint: r.origin, reason: "the endpoint answered 410 Gone" }],
    });
    const events = await t.json<{ events: Record<string, unknown>[] }>("GET", "/api/queues/gone/events");
    expect(events.events).toMatchObject([
      { type: "endpoint.disabled", endpoint: r.origin, reason: "the endpoint answered 410 Gone" },
    ]);

    const second = await enqueue(t, "gone", { target: r.url });
    expect(await run(t, "gone")).toMatchObject({ attempted: 0, dead: 1 });
    expect(await job(t, second.id)).toMatchObject({ status: "dead", deadReason: "endpoint_disabled" });
    expect((await r.log()).requests).toHaveLength(1);

    await t.json("PUT", "/api/queues/gone", { enableEndpoints: [r.url] });
    expect(await t.json("POST", "/api/queues/gone/dlq/replay", { ids: [second.id] })).toEqual({
      replayed: [second.id],
    });
    expect(await run(t, "gone")).toMatchObject({ attempted: 1, succeeded: 1 });
  });

  it("disables its endpoint on a `webhook-delivery: disable` response header", async () => {
    const r = receiver("disable-header");
    await createQueue(t, "disable-header");
    await r.program({ status: 500, headers: { "webhook-delivery": "disable" } });
    await enqueue(t, "disable-header", { target: r.url });
    expect(await run(t, "disable-header")).toMatchObject({ attempted: 1, dead: 1 });
    expect(
      (await t.json<{ disabledEndpoints: { reason: string }[] }>("GET", "/api/queues/disable-header/stats"))
        .disabledEndpoints,
    ).toMatchObject([{ reason: "the endpoint answered webhook-delivery: disable" }]);
  });

  it("disables an endpoint whose every attempt failed for the queue's disableAfterHours, with an event", async () => {
    const r = receiver("failing");
    await createQueue(t, "failing", { disableAfterHours: 1, retrySchedule: [HOUR / 2] });
    await r.program(...Array.from({ length: 5 }, () => ({ status: 500 })));
    const { id } = await enqueue(t, "failing", { target: r.url });
    await run(t, "failing");
    // 30 min +20% jitter at most.
    t.clock.advance(0.6 * HOUR);
    await run(t, "failing");
    expect(await job(t, id)).toMatchObject({ status: "scheduled", attempts: 2 });
    t.clock.advance(0.6 * HOUR);
    expect(await run(t, "failing")).toMatchObject({ attempted: 1 });
    expect(await job(t, id)).toMatchObject({ status: "dead", attempts: 3, deadReason: "endpoint_disabled" });
    const events = await t.json<{ events: Record<string, unknown>[] }>("GET", "/api/queues/failing/events");
    expect(events.events).toMatchObject([
      { type: "endpoint.disabled", endpoint: r.origin, reason: "every attempt failed for 1 h" },
    ]);
  });

  it("signs with the old and the new secret for a day after a rotation", async () => {
    const r = receiver("rotation");
    await createQueue(t, "rotation");
    const next = "whsec_dGhpcyBpcyB0aGUgbmV4dCBzZWNyZXQsIDMyIGJ5dGVzIQ==";
    const settings = await t.json<{ signingSecrets: unknown[] }>("PUT", "/api/queues/rotation", { secret: next });
    expect(settings.signingSecrets).toEqual([
      { current: true, expiresAt: null },
      { current: false, expiresAt: t.clock.now() + 24 * HOUR },
    ]);
    await enqueue(t, "rotation", { target: r.url });
    await run(t, "rotation");
    t.clock.advance(24 * HOUR);
    await enqueue(t, "rotation", { target: r.url });
    await run(t, "rotation");
    const [during, after] = (await r.log()).requests;
    expect(during?.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    expect([verify(SECRET, during?.headers ?? {}, ""), verify(next, during?.headers ?? {}, "")]).toEqual([true, true]);
    expect(after?.headers["webhook-signature"]?.split(" ")).toHaveLength(1);
    expect([verify(SECRET, after?.headers ?? {}, ""), verify(next, after?.headers ?? {}, "")]).toEqual([false, true]);
  });
});
