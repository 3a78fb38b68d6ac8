/**
 * Realtime figures (issue #18): round trips of a publish and a heartbeat, fan-out time from a
 * publish until 100 SSE subscribers have the event, and the Redis commands one SSE connection
 * costs per hour. Runs the bench Worker in workerd (Miniflare) on its own redis-server + proxy.
 *
 *   npx tsx bench/realtime.ts            (writes bench/results/realtime.md)
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { SseReader } from "../test/shared/sse-reader.ts";
import { startStack } from "./stack.ts";

// The proxy caps SSE streams per token (100 by default): the fan-out holds 100 at once, plus slack.
process.env.PROXY_MAX_SUBSCRIPTIONS ??= "1000";
const ROTATE_SECONDS = 10;
const stack = await startStack({
  RATE_LIMITS: JSON.stringify({
    default: { limit: 1_000_000 },
    "channels-publish": { limit: 1_000_000 },
    "presence-beat": { limit: 1_000_000 },
  }),
  CHANNELS_STREAM_SECONDS: String(ROTATE_SECONDS),
  CHANNELS_KEEPALIVE_SECONDS: "1",
  REDIS_TIMEOUT_MS: "10000",
});
const admin = { authorization: `Bearer ${stack.adminToken}`, "content-type": "application/json" };
const url = (path: string) => `${stack.workerUrl}${path}`;

async function publish(channel: string, data: unknown): Promise<string> {
  const res = await fetch(url(`/api/channels/${channel}/events`), {
    method: "POST",
    headers: admin,
    body: JSON.stringify({ event: "bench", data }),
  });
  if (res.status !== 201) throw new Error(`publish ${res.status}`);
  return ((await res.json()) as { id: string }).id;
}

async function beat(room: string, member: string) {
  const res = await fetch(url(`/api/presence/${room}`), {
    method: "POST",
    headers: admin,
    body: JSON.stringify({ member }),
  });
  if (res.status !== 200) throw new Error(`beat ${res.status}`);
  await res.arrayBuffer();
}

async function roundTrips(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  await fn(-1); // warm: loads the script
  const before = await stack.proxyRequests();
  for (let i = 0; i < n; i++) await fn(i);
  return ((await stack.proxyRequests()) - before) / n;
}

/** An SSE stream over Node's fetch: calls `onEvent` with each event's id, name and data. */
async function open(path: string, onEvent: (id: string, event: string, data: string) => void, lastId?: string) {
  const controller = new AbortController();
  const res = await fetch(url(path), {
    headers: { accept: "text/event-stream", ...(lastId ? { "last-event-id": lastId } : {}) },
    signal: controller.signal,
  });
  const reader = new SseReader(res.body as ReadableStream<Uint8Array>, (e) => onEvent(e.id ?? "", e.event, e.data));
  return { close: () => controller.abort(), done: reader.done };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

try {
  const publishTrips = await roundTrips(100, (i) => publish("public:rt", i));
  const beatTrips = await roundTrips(100, (i) => beat("bench-room", `m${i}`));

  // Fan-out: 100 subscribers (100 invocations, each with its own upstream subscription).
  const SUBSCRIBERS = 100;
  const arrivals = new Map<string, number[]>();
  let ready = 0;
  const streams = await Promise.all(
    Array.from({ length: SUBSCRIBERS }, () =>
      open("/api/channels/public:fanout/events", (_id, event, data) => {
        if (event === "ready") ready++;
        if (event !== "bench") return;
        const id = (JSON.parse(data) as { id: string }).id;
        arrivals.set(id, [...(arrivals.get(id) ?? []), performance.now()]);
      }),
    ),
  );
  while (ready < SUBSCRIBERS) await new Promise((r) => setTimeout(r, 20));
  const lastArrival: number[] = [];
  const medianArrival: number[] = [];
  for (let round = 0; round < 20; round++) {
    const started = performance.now();
    const id = await publish("public:fanout", round);
    while ((arrivals.get(id)?.length ?? 0) < SUBSCRIBERS) await new Promise((r) => setTimeout(r, 1));
    const times = (arrivals.get(id) ?? []).map((t) => t - started);
    lastArrival.push(Math.max(...times));
    medianArrival.push(median(times));
  }
  for (const s of streams) s.close();

  // Commands per connection-hour: one idle connection that reconnects like EventSource (with its
  // Last-Event-ID) each time the stream ends, for several rotations.
  await new Promise((r) => setTimeout(r, 500));
  const before = await stack.proxyStats();
  const startedAt = performance.now();
  const RUN_MS = ROTATE_SECONDS * 3.5 * 1000;
  let connections = 0;
  let last: string | undefined;
  while (performance.now() - startedAt < RUN_MS) {
    connections++;
    const s = await open(
      "/api/channels/public:idle/events",
      (id) => {
        if (id) last = id;
      },
      last,
    );
    await Promise.race([s.done, new Promise((r) => setTimeout(r, RUN_MS - (performance.now() - startedAt)))]);
    s.close();
  }
  const after = await stack.proxyStats();
  const commandsPerConnection = (after.commands - before.commands) / connections;
  const requestsPerConnection = (after.requests - before.requests) / connections;
  const perHourDefault = commandsPerConnection * (3600 / 300);

  const lines = [
    `# Realtime figures (${new Date().toISOString()})`,
    "",
    "| measure | value |",
    "| --- | --- |",
    `| publish: Redis round trips per request | ${publishTrips} |`,
    `| heartbeat (admin-named member): round trips per request | ${beatTrips} |`,
    `| fan-out to ${SUBSCRIBERS} SSE subscribers: publish start to the last one, median of 20 (ms) | ${median(lastArrival).toFixed(1)} |`,
    `| fan-out: slowest of 20 rounds (ms) | ${Math.max(...lastArrival).toFixed(1)} |`,
    `| fan-out: median subscriber, median of 20 (ms) | ${median(medianArrival).toFixed(1)} |`,
    `| one SSE connection: round trips per (re)connect | ${requestsPerConnection.toFixed(2)} |`,
    `| one SSE connection: Redis commands per (re)connect, keepalives included | ${commandsPerConnection.toFixed(2)} |`,
    `| connections measured (${ROTATE_SECONDS} s rotation, 1 s keepalive, ${RUN_MS / 1000} s) | ${connections} |`,
    `| Redis commands per connection-hour at the default 300 s rotation | ${perHourDefault.toFixed(0)} |`,
    "",
  ];
  const report = lines.join("\n");
  console.log(report);
  writeFileSync(resolve(import.meta.dirname, "results/realtime.md"), report);
} finally {
  await stack.stop();
}
