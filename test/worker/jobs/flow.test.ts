import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { claimBatch, createJobHandlers, prepareJob, withEnqueueStep } from "../../../src/lib/jobs/index.ts";
import { queueKeys } from "../../../src/lib/jobs/keys.ts";
import { defineScript } from "../../../src/lib/redis.ts";
import { adminHeaders, cleanup, countRoundTrips, jsonHeaders, redisCommand } from "../support.ts";
import { createQueue, enqueue, job, jobsApp, receiver, run } from "./helpers.ts";

const handled: { payload: unknown; attempt: number }[] = [];
const handlers = createJobHandlers<{ "send-email": { to: string }; flaky: { n: number } }>()
  .on("send-email", async (payload, context) => {
    handled.push({ payload, attempt: context.attempt });
  })
  .on("flaky", async (payload, context) => {
    if (context.attempt < payload.n) throw new Error(`attempt ${context.attempt} failed`);
  });

const t = jobsApp("jobs-flow", { handlers });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("enqueue", () => {
  it("costs one Redis round trip", async () => {
    await createQueue(t, "trips");
    // The first call loads the script (NOSCRIPT, then EVAL); the ones after are one EVALSHA.
    await enqueue(t, "trips", { type: "send-email", payload: { to: "warm@example.com" } });
    const { roundTrips, result } = await countRoundTrips(() =>
      t.send("POST", "/api/queues/trips/jobs", { type: "send-email", payload: { to: "a@example.com" } }),
    );
    expect(result.status).toBe(201);
    expect(roundTrips).toBe(1);
  });

  it("is idempotent by dedupId under 100 concurrent enqueues: one job, every caller gets its id", async () => {
    await createQueue(t, "dedup");
    const r = receiver("dedup");
    const responses = await Promise.all(
      Array.from({ length: 100 }, () =>
        t.send("POST", "/api/queues/dedup/jobs", { target: r.url, body: { n: 1 }, dedupId: "order-42" }),
      ),
    );
    const bodies = (await Promise.all(responses.map((res) => res.json()))) as { id: string; duplicate: boolean }[];
    expect(responses.map((res) => res.status).sort()).toEqual([...Array(99).fill(200), 201]);
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    expect(bodies.filter((b) => !b.duplicate)).toHaveLength(1);
    const keys = queueKeys(t.config, "dedup");
    expect([await redisCommand("HLEN", keys.jobs), await redisCommand("XLEN", keys.stream)]).toEqual([1, 1]);
    expect(await run(t, "dedup")).toMatchObject({ attempted: 1, succeeded: 1 });
    expect((await r.log()).requests).toHaveLength(1);
  });

  it("makes the first attempt right after the reply, in waitUntil", async () => {
    await createQueue(t, "inline");
    const r = receiver("inline");
    const ctx = createExecutionContext();
    const res = await t.app.request(
      "http://edgekit.test/api/queues/inline/jobs",
      { method: "POST", headers: adminHeaders(jsonHeaders()), body: JSON.stringify({ target: r.url }) },
      t.bindings,
      ctx,
    );
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await waitOnExecutionContext(ctx);
    expect(await job(t, id)).toMatchObject({ status: "done", attempts: 1 });
    expect((await r.log()).requests).toHaveLength(1);
  });

  it("holds a delayed job until its time", async () => {
    await createQueue(t, "delayed");
    const { id } = await enqueue(t, "delayed", {
      type: "send-email",
      payload: { to: "later@example.com" },
      delay: 60_000,
    });
    expect(await run(t, "delayed")).toMatchObject({ attempted: 0 });
    t.clock.advance(60_000);
    expect(await run(t, "delayed")).toMatchObject({ attempted: 1, succeeded: 1 });
    expect(await job(t, id)).toMatchObject({ status: "done" });
  });

  it("lets another script enqueue inside its own atomic step (transactional outbox)", async () => {
    await createQueue(t, "outbox");
    const r = receiver("outbox");
    // An order write and its webhook in one script: the enqueue step is the lib's own Lua.
    const markPaid = defineScript(
      withEnqueueStep(
        '#!lua flags=allow-key-locking\nredis.call("HSET", KEYS[1], "status", ARGV[1])\nreturn enqueue_job(KEYS, ARGV, 1, 1)',
      ),
      (reply) => reply as [number, string],
    );
    const order = (n: number) => ({
      key: `${t.bindings.KEY_PREFIX}order:{o-${n}}`,
      job: prepareJob(t.config, "outbox", {
        spec: {
          kind: "webhook",
          target: r.url,
          method: "POST",
          headers: {},
          body: `{"order":"o-${n}","status":"paid"}`,
        },
        dueAt: t.clock.now(),
        now: t.clock.now(),
        endpoint: r.origin,
      }),
    });
    const [first, second] = [order(1), order(2)];
    await markPaid.run(t.redis(), [first.key, ...first.job.keys], ["paid", ...first.job.args]);
    // Once the script is loaded: the write and the enqueue are one round trip.
    const { roundTrips, result } = await countRoundTrips(() =>
      markPaid.run(t.redis(), [second.key, ...second.job.keys], ["paid", ...second.job.args]),
    );
    expect(roundTrips).toBe(1);
    expect(result).toEqual([1, second.job.id]);
    expect(await redisCommand("HGET", second.key, "status")).toBe("paid");
    expect(await run(t, "outbox")).toMatchObject({ attempted: 2, succeeded: 2 });
    expect((await r.log()).requests.map((q) => [q.headers["webhook-id"], q.body])).toEqual([
      [first.job.id, '{"order":"o-1","status":"paid"}'],
      [second.job.id, '{"order":"o-2","status":"paid"}'],
    ]);
  });
});

describe("app jobs", () => {
  it("run their registered handler with the payload, and retry a throwing handler like a webhook", async () => {
    await createQueue(t, "app", { retrySchedule: [1000] });
    const email = await enqueue(t, "app", { type: "send-email", payload: { to: "b@example.com" } });
    const flaky = await enqueue(t, "app", { type: "flaky", payload: { n: 3 } });
    const unknown = await enqueue(t, "app", { type: "nobody-handles-this", maxAttempts: 1 });
    expect(await run(t, "app")).toMatchObject({ attempted: 3, succeeded: 1, retried: 1, dead: 1 });
    expect(handled).toContainEqual({ payload: { to: "b@example.com" }, attempt: 1 });
    for (let i = 0; i < 2; i++) {
      t.clock.advance(1200);
      await run(t, "app");
    }
    expect(await job(t, email.id)).toMatchObject({ status: "done", attempts: 1 });
    expect(await job(t, flaky.id)).toMatchObject({
      status: "done",
      attempts: 3,
      history: [
        { error: "attempt 1 failed", status: null },
        { error: "attempt 2 failed", status: null },
        { error: null, status: null },
      ],
    });
    expect(await job(t, unknown.id)).toMatchObject({
      status: "dead",
      deadReason: "exhausted",
      history: [{ error: 'no handler registered for type "nobody-handles-this"' }],
    });
  });
});

describe("claiming", () => {
  it("redelivers a job whose consumer crashed (claimed, never settled) after the visibility timeout, exactly once more", async () => {
    await createQueue(t, "crash", { visibilityTimeoutMs: 1000, timeoutMs: 500 });
    const r = receiver("crash");
    const { id } = await enqueue(t, "crash", { target: r.url });
    const crashed = await claimBatch(t.redis(), t.config, "crash", t.clock.now(), 10);
    expect(crashed).toMatchObject({ missing: false, jobs: [{ id, state: { attempts: 1, status: "active" } }] });
    // Still claimed: nobody else gets it.
    expect(await run(t, "crash")).toMatchObject({ attempted: 0 });
    await sleep(1100); // the pending list's idle time is Redis's clock
    expect(await run(t, "crash")).toMatchObject({ attempted: 1, succeeded: 1 });
    await sleep(1100);
    expect(await run(t, "crash")).toMatchObject({ attempted: 0 });
    expect(await job(t, id)).toMatchObject({ status: "done", attempts: 2 });
    expect((await r.log()).requests).toHaveLength(1);
  });

  it("recreates a lost stream's consumer group in the same script (no NOGROUP)", async () => {
    await createQueue(t, "nogroup");
    await enqueue(t, "nogroup", { type: "send-email", payload: { to: "c@example.com" } });
    await run(t, "nogroup");
    await redisCommand("DEL", queueKeys(t.config, "nogroup").stream);
    await enqueue(t, "nogroup", { type: "send-email", payload: { to: "d@example.com" } });
    expect(await run(t, "nogroup")).toMatchObject({ attempted: 1, succeeded: 1 });
  });

  it("never trims the stream: settled entries are deleted one by one", async () => {
    await createQueue(t, "untrimmed");
    for (let i = 0; i < 5; i++) await enqueue(t, "untrimmed", { type: "send-email", payload: { to: `${i}@x.io` } });
    await claimBatch(t.redis(), t.config, "untrimmed", t.clock.now(), 2);
    const keys = queueKeys(t.config, "untrimmed");
    expect(await redisCommand("XLEN", keys.stream)).toBe(5);
    expect(await run(t, "untrimmed")).toMatchObject({ attempted: 3 });
    // The two claimed-and-crashed entries are still pending, nothing else is left.
    expect(await redisCommand("XLEN", keys.stream)).toBe(2);
  });
});

describe("flow control", () => {
  it("holds parallelism per endpoint at its limit across concurrent pulls; throttled jobs wait, they do not fail", async () => {
    await createQueue(t, "parallel", { parallelism: 2 });
    const r = receiver("parallel");
    await r.program(...Array.from({ length: 8 }, () => ({ status: 200, delayMs: 150 })));
    const ids = [];
    for (let i = 0; i < 8; i++) ids.push((await enqueue(t, "parallel", { target: r.url, body: { i } })).id);
    let rounds = 0;
    while ((await r.log()).requests.length < 8 && rounds++ < 20) {
      await Promise.all([run(t, "parallel"), run(t, "parallel"), run(t, "parallel")]);
      t.clock.advance(1000);
    }
    const log = await r.log();
    expect(log.requests).toHaveLength(8);
    expect(log.maxInFlight).toBe(2);
    for (const id of ids) expect(await job(t, id)).toMatchObject({ status: "done", attempts: 1 });
  });

  it("holds an endpoint to its rate: the rest is delayed until tokens come back", async () => {
    await createQueue(t, "rated", { rate: { limit: 2, periodSeconds: 60 } });
    const r = receiver("rated");
    for (let i = 0; i < 5; i++) await enqueue(t, "rated", { target: r.url });
    expect(await run(t, "rated")).toMatchObject({ attempted: 2, throttled: 3, failed: 0 });
    t.clock.advance(30_000); // one token back
    expect(await run(t, "rated")).toMatchObject({ attempted: 1 });
    t.clock.advance(60_000);
    expect(await run(t, "rated")).toMatchObject({ attempted: 2 });
    expect((await r.log()).requests).toHaveLength(5);
  });
});
