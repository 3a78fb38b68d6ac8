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
 *   LATENCY_SECONDS      seconds per slice (default 3)
 *   LATENCY_ROUNDS       rounds (default 5): each round measures, for every hot path, a slice of
 *                        the one-fetch baseline, the hot path and its seed recipe, in an order that
 *                        rotates from round to round; every figure is the median over the rounds,
 *                        each ratio the median of the rounds' own ratios (docs/performance-latency.md)
 *   LATENCY_CONNECTIONS  concurrent connections (default 1: latency, not saturation)
 *   BENCH_CASES          only the pairs whose hot-path names contain one of these words
 *
 * Latencies are timed per request to the microsecond (bench/probe.ts), not autocannon's whole
 * milliseconds. Prints a Markdown table ready to paste (and writes it to latency.md).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import { startDelayForwarder } from "./delay-forwarder.ts";
import { BENCH_RATE_LIMITS, hotPaths } from "./hot-paths.ts";
import type { LoadCase } from "./load.ts";
import { type ProbeResult, probe } from "./probe.ts";
import { median } from "./report.ts";
import { startStack } from "./stack.ts";

const delayMs = Number(process.env.LATENCY_DELAY_MS ?? 5);
const opts = {
  seconds: Number(process.env.LATENCY_SECONDS ?? 3),
  connections: Number(process.env.LATENCY_CONNECTIONS ?? 1),
  warmupSeconds: 1,
};
const rounds = Math.max(1, Number(process.env.LATENCY_ROUNDS ?? 5));
/** Issue #22's targets: p50 within 1.15x of one fetch; 1.8x faster than a seed recipe of 2+ trips. */
const TARGET_VS_ONE_FETCH = 1.15;
const TARGET_VS_SEED = 1.8;
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
type Pair = (typeof PAIRS)[number];
/** Per pair, per round: the three slices measured one after another. */
const measured = new Map<Pair, { oneFetch: ProbeResult; hot: ProbeResult; seed: ProbeResult }[]>();
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
  const oneFetchCase: LoadCase = { name: "one raw fetch", path: "/__bench/fetch" };
  const pairs = PAIRS.filter((p) => only.length === 0 || only.some((word) => p.hot.includes(word)));
  for (let round = 0; round < rounds; round++) {
    const roundOpts = round === 0 ? opts : { ...opts, warmupSeconds: 0 };
    // Interleaved: the pairs start at another one each round, and within a pair the three slices
    // rotate (one fetch, hot, seed / hot, seed, one fetch / ...), so no case always runs first.
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[(i + round) % pairs.length] as Pair;
      const hotCase = cases.find((c) => c.name === pair.hot);
      if (!hotCase) throw new Error(`no hot path named ${pair.hot}`);
      const seedCase = { ...pair.seed, headers: { ...BROWSER, ...pair.seed.headers } };
      const trio = [oneFetchCase, hotCase, seedCase];
      const got = new Map<LoadCase, ProbeResult>();
      for (let k = 0; k < 3; k++) {
        const c = trio[(k + round) % 3] as LoadCase;
        got.set(c, await probe(delayed, c, roundOpts, stack.proxyStats));
      }
      const slice = {
        oneFetch: got.get(oneFetchCase) as ProbeResult,
        hot: got.get(hotCase) as ProbeResult,
        seed: got.get(seedCase) as ProbeResult,
      };
      measured.set(pair, [...(measured.get(pair) ?? []), slice]);
      console.error(
        `round ${round + 1}/${rounds} ${pair.hot}: p50 ${slice.hot.p50} ms, one fetch ${slice.oneFetch.p50} ms, seed ${slice.seed.p50} ms`,
      );
    }
  }
} finally {
  await forwarder.close();
  await stack.stop();
}

const r2 = (n: number) => Math.round(n * 100) / 100;
const rows = [...measured.entries()].map(([pair, slices]) => {
  const med = (pick: (s: (typeof slices)[number]) => number) => r2(median(slices.map(pick)));
  const vsOneFetch = med((s) => (s.oneFetch.p50 > 0 ? s.hot.p50 / s.oneFetch.p50 : 0));
  const seedOverHot = med((s) => (s.hot.p50 > 0 ? s.seed.p50 / s.hot.p50 : 0));
  const errors = slices.reduce((sum, s) => sum + s.hot.errors + s.seed.errors, 0);
  const misses = [
    ...(vsOneFetch > TARGET_VS_ONE_FETCH ? [`p50 over ${TARGET_VS_ONE_FETCH}x one fetch`] : []),
    ...(pair.seedTrips >= 2 && seedOverHot < TARGET_VS_SEED ? [`under ${TARGET_VS_SEED}x the seed`] : []),
    ...(errors > 0 ? ["errors"] : []),
  ];
  return {
    hot: pair.hot,
    seedName: pair.seed.name,
    seedTrips: pair.seedTrips,
    trips: med((s) => s.hot.roundTrips),
    p50: med((s) => s.hot.p50),
    p99: med((s) => s.hot.p99),
    oneFetchP50: med((s) => s.oneFetch.p50),
    oneFetchP99: med((s) => s.oneFetch.p99),
    seedTripsMeasured: med((s) => s.seed.roundTrips),
    seedP50: med((s) => s.seed.p50),
    seedP99: med((s) => s.seed.p99),
    vsOneFetch,
    vsOneFetchRange: [
      r2(Math.min(...slices.map((s) => s.hot.p50 / s.oneFetch.p50))),
      r2(Math.max(...slices.map((s) => s.hot.p50 / s.oneFetch.p50))),
    ],
    seedOverHot,
    requests: slices.reduce((sum, s) => sum + s.hot.requests, 0),
    errors,
    verdict: misses.length ? `misses: ${misses.join(", ")}` : "ok",
  };
});
const table = [
  `| hot path | round trips | p50 ms | p99 ms | one fetch p50 / p99 ms | p50 vs one fetch (≤ ${TARGET_VS_ONE_FETCH}x) | seed recipe (plain @upstash/redis) | seed round trips | seed p50 / p99 ms | seed p50 ÷ edgekit p50 (≥ ${TARGET_VS_SEED}x for 2+ trips) | verdict |`,
  "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |",
  ...rows.map(
    (r) =>
      `| ${r.hot} | ${r.trips} | ${r.p50} | ${r.p99} | ${r.oneFetchP50} / ${r.oneFetchP99} | ${r.vsOneFetch.toFixed(2)}x | ${r.seedName} | ${r.seedTripsMeasured} | ${r.seedP50} / ${r.seedP99} | ${r.seedOverHot.toFixed(2)}x | ${r.verdict} |`,
  ),
].join("\n");
const fmt = (avg: number[]) => avg.map((n) => n.toFixed(2)).join(", ");
const header = [
  `Measured ${new Date().toISOString()} on ${process.platform}/${process.arch} (${cpus().length} cores, shared),`,
  `${delayMs} ms added each way to every Redis round trip (a forwarder in front of the proxy),`,
  `${opts.connections} connection(s), ${rounds} rounds of ${opts.seconds} s slices per case, interleaved; medians over the rounds.`,
  `Load average before ${fmt(loadBefore)}; after ${fmt(loadavg())}.`,
].join(" ");
console.log(`\n${header}\n\n${table}\n`);
mkdirSync(out, { recursive: true });
writeFileSync(resolve(out, "latency.md"), `${header}\n\n${table}\n`);
writeFileSync(
  resolve(out, "latency.json"),
  `${JSON.stringify({ header, delayMs, rounds, ...opts, rows, slices: [...measured.entries()].map(([pair, slices]) => ({ hot: pair.hot, slices })) }, null, 2)}\n`,
);
