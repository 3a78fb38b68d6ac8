/**
 * `npm run bench`: the whole local stack under load, every hot path against two baselines measured
 * in the same run (a constant route and a route making one raw fetch to the proxy). Prints a table
 * and writes bench/results/latest.json and latest.md.
 *
 * BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default 50) tune it.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { hotPaths } from "./hot-paths.ts";
import { type LoadCase, type LoadResult, load } from "./load.ts";
import { startStack } from "./stack.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const opts = { seconds, connections, warmupSeconds: 1 };

const stack = await startStack({
  // The benchmark measures the cost of the checks, not the limits: nobody is blocked.
  RATE_LIMITS: JSON.stringify({ default: { limit: 100_000_000, window: "60 s" } }),
});
const results: LoadResult[] = [];
try {
  const baselines: LoadCase[] = [
    { name: "baseline: constant", path: "/__bench/constant" },
    { name: "baseline: one raw fetch", path: "/__bench/fetch" },
  ];
  const cases = [...baselines, ...(await hotPaths(stack))];
  for (const c of cases) {
    const r = await load(stack.workerUrl, c, opts, stack.proxyRequests);
    results.push(r);
    console.error(`${r.name}: ${r.rps} req/s, p99 ${r.p99} ms, ${r.roundTrips} round trips, ${r.errors} errors`);
  }
} finally {
  await stack.stop();
}

const oneFetch = results.find((r) => r.name === "baseline: one raw fetch")?.rps ?? 1;
const rows = results.map((r) => ({ ...r, ratio: Math.round((r.rps / oneFetch) * 100) / 100 }));
const table = [
  "| path | req/s | p50 ms | p99 ms | errors | round trips/req | vs one-fetch baseline |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...rows.map((r) => `| ${r.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.roundTrips} | ${r.ratio}x |`),
].join("\n");
const header = `Measured ${new Date().toISOString()} on ${process.platform}/${process.arch}, Node ${process.version}, ${connections} connections, ${seconds} s per path after a 1 s warm-up, workerd via Miniflare.`;
console.log(`\n${header}\n\n${table}\n`);
const out = resolve(import.meta.dirname, "results");
writeFileSync(resolve(out, "latest.json"), `${JSON.stringify({ header, connections, seconds, results: rows }, null, 2)}\n`);
writeFileSync(resolve(out, "latest.md"), `${header}\n\n${table}\n`);
