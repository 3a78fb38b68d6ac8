/**
 * `npm run bench`: the whole local stack under load, every hot path against two baselines measured
 * in the same run (a constant route and a route making one raw fetch to the proxy), then the
 * proxy's own benchmark (bench/proxy/run.ts) as a second phase. Prints the tables and writes
 * bench/results/latest.json and latest.md.
 *
 *   BENCH_SECONDS      seconds per slice (default 2)
 *   BENCH_SLICES       slices per path (default 3; 5 or more on a loaded machine), each run beside a slice of the one-fetch
 *                      baseline (in turn: baseline first, then the path first, and so on); every
 *                      figure is the median over the slices, each ratio the median of the pairs'
 *                      (docs/performance-cpu.md says why)
 *   BENCH_CONNECTIONS  concurrent connections (default 50)
 *   BENCH_CASES        only the cases whose names contain one of these comma-separated words
 *   BENCH_PROXY=0      skip the proxy phase
 *   BENCH_STARTUP=0    skip the cold-start phase (bench/startup.ts; STARTUP_RUNS isolates each)
 *   BENCH_OUT          where to write the results (default bench/results)
 *   BENCH_BUILD        where to build the bench Worker (default bench/.build), so that a smoke
 *                      test does not rebuild under a running benchmark
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import { BENCH_RATE_LIMITS, hotPaths } from "./hot-paths.ts";
import { type LoadCase, type LoadResult, load } from "./load.ts";
import { gatewayRoutes, startOrigin } from "./origin.ts";
import { markdownTable, notes, ONE_FETCH, pairedRow, type Row } from "./report.ts";
import { startStack } from "./stack.ts";
import { measureStartup, type StartupResult, startupTable } from "./startup.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const sliceCount = Math.max(1, Number(process.env.BENCH_SLICES ?? 3));
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const only = (process.env.BENCH_CASES ?? "").split(",").filter(Boolean);
const withProxy = process.env.BENCH_PROXY !== "0";
const out = resolve(process.env.BENCH_OUT ?? resolve(import.meta.dirname, "results"));
const opts = { seconds, connections, warmupSeconds: 1 };

// Cold start first, on an idle machine: the load phase would heat caches and skew it.
let startup: StartupResult | undefined;
if (process.env.BENCH_STARTUP !== "0") {
  console.error("cold start (bench/startup.ts) ...");
  startup = await measureStartup();
  console.log(`\n${startupTable(startup)}\n`);
}

const loadBefore = loadavg();
// The gateway's origin (bench/origin.ts), and its route in front of it.
const origin = await startOrigin();
const stack = await startStack(
  { RATE_LIMITS: BENCH_RATE_LIMITS, GATEWAY_ROUTES: gatewayRoutes(origin.url), BENCH_ORIGIN_URL: origin.url },
  { entry: "bench/worker.ts", outdir: process.env.BENCH_BUILD ?? "bench/.build" },
);
const rows: Row[] = [];
try {
  const coldFlagsUrl = await stack.startWorker({ FLAGS_CACHE_TTL_MS: "0" });
  const baselines: LoadCase[] = [
    { name: "baseline: constant", path: "/__bench/constant", note: "a bare route returning a constant" },
    { name: ONE_FETCH, path: "/__bench/fetch", note: "a bare route making one raw fetch to the proxy (GET)" },
    {
      name: "reference: one GET via the client",
      path: "/__bench/client",
      note: "a bare route making the same GET through the app's @upstash/redis client (createRedis)",
    },
  ];
  const [, oneFetch] = baselines as [LoadCase, LoadCase, LoadCase];
  const cases = [...baselines.filter((c) => c !== oneFetch), ...(await hotPaths(stack, coldFlagsUrl))].filter(
    (c) => only.length === 0 || only.some((word) => c.name.includes(word)),
  );
  const allBaseline: LoadResult[] = [];
  const run = (c: LoadCase, warm: boolean) =>
    load(stack.workerUrl, c, warm ? opts : { ...opts, warmupSeconds: 0 }, stack.proxyStats);
  await run(oneFetch, true);
  for (const c of cases) {
    const slices: LoadResult[] = [];
    const beside: LoadResult[] = [];
    for (let i = 0; i < sliceCount; i++) {
      // ABBA: the baseline first in even slices, the path first in odd ones, so drift cancels.
      if (i % 2 === 0) beside.push(await run(oneFetch, false));
      slices.push(await run(c, i === 0));
      if (i % 2 === 1) beside.push(await run(oneFetch, false));
    }
    allBaseline.push(...beside);
    const row = pairedRow(slices, beside);
    rows.push(row);
    console.error(
      `${row.name}: ${row.rps} req/s, ${row.cpuUs} µs CPU (${row.cpuVsOneFetch}x one fetch, ${row.cpuRange.join("-")}), ${row.roundTrips} round trips, ${row.errors} errors`,
    );
  }
  if (only.length === 0 || only.some((word) => ONE_FETCH.includes(word))) {
    rows.splice(Math.min(1, rows.length), 0, pairedRow(allBaseline, allBaseline));
  }
} finally {
  await stack.stop();
  await origin.stop();
}
const loadAfter = loadavg();

const fmt = (avg: number[]) => avg.map((n) => n.toFixed(2)).join(", ");
const header = [
  `Measured ${new Date().toISOString()} on ${process.platform}/${process.arch} (${cpus().length} cores, shared),`,
  `Node ${process.version}, workerd via Miniflare, autocannon with ${connections} connections,`,
  `${sliceCount} slices of ${seconds} s per path (1 s warm-up), each beside a slice of the one-fetch baseline: medians.`,
  `Load average before ${fmt(loadBefore)}; after ${fmt(loadAfter)}.`,
].join(" ");
const table = markdownTable(rows);
console.log(`\n${header}\n\n${table}\n\n${notes(rows)}\n`);

let proxy: { output: string; status: number | null } | undefined;
if (withProxy) {
  console.error("\nproxy benchmark (bench/proxy/run.ts) ...");
  const run = spawnSync(process.execPath, ["--import", "tsx", resolve(import.meta.dirname, "proxy/run.ts")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  proxy = { output: run.stdout.trim(), status: run.status };
  console.log(proxy.output || `the proxy benchmark exited with ${run.status}`);
}

mkdirSync(out, { recursive: true });
writeFileSync(
  resolve(out, "latest.json"),
  `${JSON.stringify({ header, connections, seconds, slices: sliceCount, loadBefore, loadAfter, startup, results: rows, proxy }, null, 2)}\n`,
);
const proxySection = proxy
  ? `\n## The proxy alone (bench/proxy/run.ts)\n\n\`\`\`\n${proxy.output || `exited with ${proxy.status}`}\n\`\`\`\n`
  : "";
const startupSection = startup ? `${startupTable(startup)}\n\n` : "";
writeFileSync(resolve(out, "latest.md"), `${startupSection}${header}\n\n${table}\n\n${notes(rows)}\n${proxySection}`);
