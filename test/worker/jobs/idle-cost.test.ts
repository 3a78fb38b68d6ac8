import { afterAll, describe, expect, it } from "vitest";
import { createJobHandlers, runTick } from "../../../src/lib/jobs/index.ts";
import { cleanup, countRoundTrips, redisCommand } from "../support.ts";
import { createQueue, jobsApp } from "./helpers.ts";

const t = jobsApp("jobs-idle");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

/** Commands Redis has run, those inside scripts included (INFO commandstats). */
async function commandsRun(): Promise<Record<string, number>> {
  const info = await redisCommand<string>("INFO", "commandstats");
  return Object.fromEntries([...info.matchAll(/cmdstat_(\w+):calls=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
}

describe("an idle cron tick", () => {
  it("costs one round trip for the queue list plus one claim script per queue", async () => {
    await createQueue(t, "idle-a");
    await createQueue(t, "idle-b");
    const tick = () => runTick(t.redis(), t.config, { clock: t.clock, handlers: createJobHandlers(), budget: 40 });
    await tick(); // loads the script
    const before = await commandsRun();
    const { roundTrips, result } = await countRoundTrips(tick);
    const after = await commandsRun();
    expect(result.attempted).toBe(0);
    expect(roundTrips).toBe(3);
    const ran = Object.fromEntries(
      Object.entries(after)
        .map(([name, calls]) => [name, calls - (before[name] ?? 0)] as const)
        .filter(([, calls]) => calls > 0),
    );
    // Per queue: EVALSHA + GET settings + ZRANGEBYSCORE twice (retention, due) + XAUTOCLAIM +
    // XREADGROUP (XGROUP CREATE fails with BUSYGROUP and is counted as a failed call); one
    // SMEMBERS per tick; one INFO (the measurement itself).
    console.log("idle tick, 2 queues:", JSON.stringify(ran));
    expect(ran).toMatchObject({ smembers: 1, evalsha: 2, get: 2, zrangebyscore: 4, xautoclaim: 2, xreadgroup: 2 });
  });
});
