import { afterAll, describe, expect, it } from "vitest";
import {
  attemptJob,
  claimBatch,
  createJobHandlers,
  enqueueJob,
  prepareJob,
  settleBatch,
} from "../../../src/lib/jobs/index.ts";
import { cleanup, redisCommand } from "../support.ts";
import { enqueue, job, jobsApp, receiver, run, SECRET } from "./helpers.ts";

const t = jobsApp("jobs-flush");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

/** Empties Redis's script cache: the next EVALSHA of every script answers NOSCRIPT. */
const flush = () => redisCommand("SCRIPT", "FLUSH");

describe("every jobs script after SCRIPT FLUSH", () => {
  it("still works through the EVAL fallback, one script after another", async () => {
    const r = receiver("flush");
    await flush(); // put-queue.lua
    await t.json("PUT", "/api/queues/flush", { secret: SECRET, retrySchedule: [], maxAttempts: 1 }, 201);

    await flush(); // enqueue.lua, wrapped with the rate-limit prologue
    const first = await enqueue(t, "flush", { target: r.url });

    await flush(); // enqueue.lua on its own (the lib's enqueueJob without a limit)
    const prepared = prepareJob(t.config, "flush", {
      spec: { kind: "job", type: "nobody", payload: "null" },
      dueAt: t.clock.now(),
      now: t.clock.now(),
    });
    expect(await enqueueJob(t.redis(), prepared)).toEqual({
      outcome: "enqueued",
      id: prepared.id,
      dueAt: prepared.dueAt,
    });

    await flush(); // claim.lua
    const claimed = await claimBatch(t.redis(), t.config, "flush", t.clock.now(), 10);
    if (claimed.missing) throw new Error("the queue is missing");
    expect(claimed.jobs.map((j) => j.id)).toEqual([first.id, prepared.id]);

    const outcomes = await Promise.all(
      claimed.jobs.map((j) =>
        attemptJob(j, claimed.settings, { now: () => t.clock.now(), handlers: createJobHandlers() }),
      ),
    );
    await flush(); // settle.lua
    expect(
      await settleBatch(t.redis(), t.config, "flush", t.clock.now(), outcomes, claimed.settings.disableAfterMs),
    ).toEqual([1, 1]);
    expect(await job(t, first.id)).toMatchObject({ status: "done" });
    expect(await job(t, prepared.id)).toMatchObject({ status: "dead", deadReason: "exhausted" });

    await flush(); // queue-stats.lua
    expect(await t.json("GET", "/api/queues/flush/stats")).toMatchObject({ dlq: 1, due: 0, pending: 0 });

    await flush(); // dlq-list.lua
    expect(await t.json("GET", "/api/queues/flush/dlq")).toMatchObject({ deadLetters: [{ id: prepared.id }] });

    await flush(); // dlq-replay.lua
    expect(await t.json("POST", "/api/queues/flush/dlq/replay", { ids: [prepared.id] })).toEqual({
      replayed: [prepared.id],
    });
    expect(await run(t, "flush")).toMatchObject({ attempted: 1, dead: 1 });

    await flush(); // dlq-purge.lua
    expect(await t.json("POST", "/api/queues/flush/dlq/purge", {})).toEqual({ purged: 1 });
    expect(await t.send("GET", `/api/jobs/${prepared.id}`).then((res) => res.status)).toBe(404);
  });
});
