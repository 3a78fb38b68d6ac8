/**
 * `npx tsx bench/jobs.ts`: the jobs primitive on the local stack (the bench Worker in workerd
 * through Miniflare, the proxy, redis-server) and a local Node receiver that answers 200 at once.
 * Short by design (a few seconds); prints one JSON object:
 * - enqueue: Redis round trips per enqueue, from the proxy's counter;
 * - pull: deliveries per second to the local receiver in ONE POST /api/queues/{queue}/run;
 * - idle: Redis round trips and top-level commands of one idle pull of a queue (what a cron tick
 *   costs per queue), and what that makes per hour and per 30 days.
 *
 *   BENCH_JOBS  jobs delivered by the pull (default 300)
 *   BENCH_BUILD where to build the bench Worker (default bench/.build/jobs)
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startStack } from "./stack.ts";

const jobs = Number(process.env.BENCH_JOBS ?? 300);
const build = process.env.BENCH_BUILD ?? "bench/.build/jobs";
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NO_LIMITS = JSON.stringify({ default: { limit: 1_000_000 } });

const receiver = createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(200).end());
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

const stack = await startStack(
  { JOBS_ALLOW_PRIVATE_TARGETS: "true", RATE_LIMITS: NO_LIMITS },
  { entry: "bench/worker.ts", outdir: build },
);
try {
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.workerUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "application/json" },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };

  await api("PUT", "/api/queues/bench", { secret: SECRET });
  // Delayed, so the enqueue's own first attempt (waitUntil) leaves the jobs to the measured pull.
  await api("POST", "/api/queues/bench/jobs", { target, body: { warm: true }, delay: 1000 });
  const before = await stack.proxyRequests();
  const enqueues = 20;
  for (let i = 0; i < enqueues; i++) await api("POST", "/api/queues/bench/jobs", { target, body: { i }, delay: 1000 });
  const enqueueTrips = ((await stack.proxyRequests()) - before) / enqueues;

  for (let i = 0; i < jobs - enqueues - 1; i++) {
    await api("POST", "/api/queues/bench/jobs", { target, body: { type: "bench", i }, delay: 1000 });
  }
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const started = performance.now();
  const pull = await api("POST", `/api/queues/bench/run?max=${jobs}`);
  const seconds = (performance.now() - started) / 1000;

  // Idle: a queue with nothing due, pulled the way a tick pulls it (one claim script).
  await api("PUT", "/api/queues/idle", { secret: SECRET });
  await api("POST", "/api/queues/idle/run");
  const tripsBefore = await stack.proxyStats();
  await api("POST", "/api/queues/idle/run");
  const tripsAfter = await stack.proxyStats();
  // POST /run pays its own rate-limit check (one round trip, one EVALSHA): taken off.
  const perQueuePerTick = {
    roundTrips: tripsAfter.requests - tripsBefore.requests - 1,
    topLevelCommands: tripsAfter.commands - tripsBefore.commands - 1,
  };
  const report = {
    enqueue: { roundTripsPerEnqueue: enqueueTrips },
    pull: {
      jobs,
      attempted: pull.attempted,
      succeeded: pull.succeeded,
      batches: pull.batches,
      seconds: Number(seconds.toFixed(2)),
      deliveriesPerSecond: Math.round(Number(pull.attempted) / seconds),
    },
    // Plus one SMEMBERS per tick for the queue list; the commands run inside the claim script
    // are counted by test/worker/jobs/idle-cost.test.ts (5 per idle queue).
    idle: {
      perQueuePerTick,
      perQueuePerHour: 60 * perQueuePerTick.topLevelCommands,
      perQueuePer30Days: 43_200 * perQueuePerTick.topLevelCommands,
    },
  };
  console.log(JSON.stringify(report, null, 2));
} finally {
  await stack.stop();
  receiver.close();
}
