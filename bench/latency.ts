/**
 * `npm run bench:latency`: latency as a user feels it. Locally a Redis round trip costs ~0.1 ms, so
 * throughput measures CPU; in production each trip to Upstash costs milliseconds. Here every round
 * trip goes through a forwarder that holds each chunk LATENCY_DELAY_MS each way (default 5 ms, a
 * nearby Upstash region), and each hot path's p50/p99 stands beside (a) the one-fetch baseline
 * (one raw fetch: the floor of anything that costs one trip) and (b) the seed recipe a team would
 * write the plain way with @upstash/redis in a bare Hono route (bench/worker.ts, /__bench/seed/*).
 * Writes bench/results/latency.json and latency.md (or BENCH_OUT).
 *
 *   LATENCY_DELAY_MS     delay per direction of each round trip (default 5)
 *   LATENCY_SECONDS      seconds per path after a 1 s warm-up (default 5)
 *   LATENCY_CONNECTIONS  concurrent connections (default 1: latency, not saturation)
 *   BENCH_CASES          only the pairs whose hot-path names contain one of these words
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import { startDelayForwarder } from "./delay-forwarder.ts";
import { BENCH_RATE_LIMITS, hotPaths } from "./hot-paths.ts";
import { type LoadCase, type LoadResult, load } from "./load.ts";
import { startStack } from "./stack.ts";

const delayMs = Number(process.env.LATENCY_DELAY_MS ?? 5);
const opts = {
  seconds: Number(process.env.LATENCY_SECONDS ?? 5),
  connections: Number(process.env.LATENCY_CONNECTIONS ?? 1),
  warmupSeconds: 1,
};
const only = (process.env.BENCH_CASES ?? "").split(",").filter(Boolean);
const out = resolve(process.env.BENCH_OUT ?? resolve(import.meta.dirname, "results"));
const BROWSER = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0" };

/** Each hot path (by its name in hot-paths.ts) and the seed recipe it replaces, with that recipe's trips. */
const PAIRS: { hot: string; seed: LoadCase; seedTrips: number }[] = [
  { hot: "redirect", seedTrips: 2, seed: { name: "GET then INCR", path: "/__bench/seed/redirect", okStatus: [302] } },
  {
    hot: "view count, new visitor",
    seedTrips: 2,
    seed: {
      name: "SET NX then INCR",
      path: "/__bench/seed/view",
      method: "POST",
      vary: (n) => ({ headers: { "cf-connecting-ip": `10.9.${(n >> 8) & 255}.${n & 255}` } }),
    },
  },
  {
    hot: "experiment assignment",
    seedTrips: 2,
    seed: {
      name: "HGET then HSET",
      path: "/__bench/seed/assignment",
      method: "POST",
      headers: { "content-type": "application/json" },
      vary: (n) => ({ body: JSON.stringify({ unitId: `seed-unit-${n}` }) }),
    },
  },
  { hot: "session read", seedTrips: 2, seed: { name: "GET then EXPIRE", path: "/__bench/seed/session" } },
  { hot: "flags, bulk, cache cold", seedTrips: 1, seed: { name: "HGET", path: "/__bench/seed/flag" } },
  {
    hot: "rate-limited API read",
    seedTrips: 1,
    seed: { name: "INCR + EXPIRE, one pipeline", path: "/__bench/seed/ratelimit" },
  },
];

const stack = await startStack(
  { RATE_LIMITS: BENCH_RATE_LIMITS },
  { entry: "bench/worker.ts", outdir: process.env.BENCH_BUILD ?? "bench/.build" },
);
const forwarder = await startDelayForwarder({ host: "127.0.0.1", port: Number(new URL(stack.proxyUrl).port) }, delayMs);
const loadBefore = loadavg();
const rows: { pair: (typeof PAIRS)[number]; hot: LoadResult; seed: LoadResult }[] = [];
let oneFetch: LoadResult | undefined;
try {
  const redis = (command: unknown[]) =>
    fetch(stack.proxyUrl, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.proxyToken}` },
      body: JSON.stringify(command),
    });
  await redis(["SET", "seed:link:bench", "https://example.com/landing?ref=seed"]);
  await redis(["SET", "seed:session:bench", JSON.stringify({ user: "bench-user", seen: Date.now() })]);
  await redis(["HSET", "seed:flags", "bench-flag", JSON.stringify({ enabled: true })]);

  const delayed = await stack.startWorker({ UPSTASH_REDIS_REST_URL: forwarder.url });
  const delayedCold = await stack.startWorker({ UPSTASH_REDIS_REST_URL: forwarder.url, FLAGS_CACHE_TTL_MS: "0" });
  const cases = await hotPaths(stack, delayedCold);
  oneFetch = await load(delayed, { name: "one raw fetch", path: "/__bench/fetch" }, opts, stack.proxyStats);
  console.error(`one raw fetch: p50 ${oneFetch.p50} ms, p99 ${oneFetch.p99} ms`);
  for (const pair of PAIRS.filter((p) => only.length === 0 || only.some((word) => p.hot.includes(word)))) {
    const hotCase = cases.find((c) => c.name === pair.hot);
    if (!hotCase) throw new Error(`no hot path named ${pair.hot}`);
    const hot = await load(delayed, hotCase, opts, stack.proxyStats);
    const seed = await load(
      delayed,
      { ...pair.seed, headers: { ...BROWSER, ...pair.seed.headers } },
      opts,
      stack.proxyStats,
    );
    console.error(`${pair.hot}: p50 ${hot.p50} ms; seed ${pair.seed.name}: p50 ${seed.p50} ms`);
    rows.push({ pair, hot, seed });
  }
} finally {
  await forwarder.close();
  await stack.stop();
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : 0);
const base = oneFetch as LoadResult;
const table = [
  "| hot path | p50 ms | p99 ms | trips | one-fetch p50 / p99 | p50 vs one fetch (≤ 1.15x) | seed recipe (plain @upstash/redis) | seed trips | seed p50 / p99 | seed p50 / edgekit p50 (≥ 1.8x for 2 trips) | errors |",
  "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
  ...rows.map(
    ({ pair, hot, seed }) =>
      `| ${pair.hot} | ${hot.p50} | ${hot.p99} | ${hot.roundTrips} | ${base.p50} / ${base.p99} | ${ratio(hot.p50, base.p50)}x | ${pair.seed.name} | ${seed.roundTrips} | ${seed.p50} / ${seed.p99} | ${ratio(seed.p50, hot.p50)}x | ${hot.errors + seed.errors} |`,
  ),
].join("\n");
const fmt = (avg: number[]) => avg.map((n) => n.toFixed(2)).join(", ");
const header = [
  `Measured ${new Date().toISOString()} on ${process.platform}/${process.arch} (${cpus().length} cores, shared),`,
  `${delayMs} ms added each way to every Redis round trip (a forwarder in front of the proxy),`,
  `autocannon with ${opts.connections} connections, ${opts.seconds} s per path after a 1 s warm-up.`,
  `Load average before ${fmt(loadBefore)}; after ${fmt(loadavg())}.`,
].join(" ");
console.log(`\n${header}\n\n${table}\n`);
mkdirSync(out, { recursive: true });
writeFileSync(resolve(out, "latency.md"), `${header}\n\n${table}\n`);
writeFileSync(
  resolve(out, "latency.json"),
  `${JSON.stringify({ header, delayMs, ...opts, oneFetch, rows: rows.map(({ pair, hot, seed }) => ({ hot, seed, seedTrips: pair.seedTrips })) }, null, 2)}\n`,
);
