import { createExecutionContext, createScheduledController, SELF, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import worker from "../../../src/index.ts";
import { queueKeys, queuesIndexKey } from "../../../src/lib/jobs/keys.ts";
import { adminHeaders, jsonHeaders, redisCommand } from "../support.ts";
import { receiver, SECRET } from "./helpers.ts";

// The Worker as deployed (src/index.ts through wrangler.toml), with the bindings' empty KEY_PREFIX:
// this file owns its queue's keys under it and removes them afterwards.
const queue = `sched-${crypto.randomUUID().slice(0, 8)}`;
const config = { KEY_PREFIX: "" };
afterAll(async () => {
  await redisCommand("DEL", ...Object.values(queueKeys(config, queue)).filter((k) => typeof k === "string"));
  await redisCommand("SREM", queuesIndexKey(config), queue);
});

const call = async (method: string, path: string, body: unknown) =>
  SELF.fetch(`http://edgekit.test${path}`, {
    method,
    headers: adminHeaders(jsonHeaders()),
    body: JSON.stringify(body),
  });

/** What the runtime does on a cron: the Worker's scheduled() with a controller and a context. */
async function tick() {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "* * * * *", scheduledTime: Date.now() }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe("the Cron Trigger", () => {
  it("delivers due jobs when Miniflare fires the scheduled handler", async () => {
    const r = receiver("scheduled");
    expect((await call("PUT", `/api/queues/${queue}`, { secret: SECRET })).status).toBe(201);
    // Delayed by a millisecond, so the enqueue's own first attempt (waitUntil) leaves it to the tick.
    const res = await call("POST", `/api/queues/${queue}/jobs`, { target: r.url, body: { tick: 1 }, delay: 1 });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await new Promise((resolve) => setTimeout(resolve, 5));

    await tick();
    const { requests } = await r.log();
    expect(requests.map((q) => [q.headers["webhook-id"], q.body])).toEqual([[id, '{"tick":1}']]);

    const job = await SELF.fetch(`http://edgekit.test/api/jobs/${id}`, { headers: adminHeaders() });
    expect(await job.json()).toMatchObject({ status: "done", attempts: 1 });
    // A tick with nothing due delivers nothing.
    await tick();
    expect((await r.log()).requests).toHaveLength(1);
  });
});
