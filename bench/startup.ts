/**
 * Cold start: how long a fresh isolate takes to answer its first request, edgekit beside an empty
 * Hono Worker, both built the way `wrangler deploy` builds them (wrangler.toml's settings,
 * minification included) and started the same way (workerd through Miniflare), alternating, several
 * times; medians reported. Also the first `/openapi.json` on each fresh edgekit isolate, and the
 * bundle's size. Wall-clock time swings with the machine's load, so the CPU time workerd spent up
 * to the first answer (all its threads, from /proc on Linux) is reported beside it: the steadier
 * figure on a shared machine.
 *
 *   STARTUP_RUNS   isolates started per Worker (default 7)
 *   STARTUP_BUILD  where to build the two Workers (default bench/.build-startup)
 *
 * Run on its own with `npx tsx bench/startup.ts`; `npm run bench` runs it first.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { startBuiltWorker } from "../scripts/built-worker.ts";

const root = resolve(import.meta.dirname, "..");

export interface StartupResult {
  runs: number;
  /** Medians, ms: from `new Miniflare` to the first response (the empty Worker's `/`, edgekit's `/docs`). */
  emptyMs: number;
  edgekitMs: number;
  /** edgekit's median minus the empty Worker's: what edgekit itself costs a new isolate. */
  overheadMs: number;
  /** The same in CPU time of the workerd process (0 where /proc is missing). */
  emptyCpuMs: number;
  edgekitCpuMs: number;
  overheadCpuMs: number;
  /** Median of the first `/openapi.json` on a fresh edgekit isolate, after its first request. */
  firstOpenApiMs: number;
  bundleBytes: number;
  bundleGzipBytes: number;
}

function build(entry: string, outdir: string): string {
  execFileSync("npx", ["wrangler", "deploy", entry, "--dry-run", "--outdir", outdir], { cwd: root, stdio: "ignore" });
  return outdir;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const round = (n: number) => Math.round(n * 10) / 10;

/** CPU time (ms) the workerd processes started by this one have used, all threads: /proc's schedstat. */
function workerdCpuMs(): number {
  try {
    const children = readdirSync(`/proc/${process.pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${process.pid}/task/${tid}/children`, "utf8").split(" ").filter(Boolean),
    );
    let ns = 0;
    for (const pid of children) {
      if (!readFileSync(`/proc/${pid}/comm`, "utf8").includes("workerd")) continue;
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      }
    }
    return ns / 1e6;
  } catch {
    return 0;
  }
}

/** One fresh isolate: ms to its first answer, workerd's CPU ms by then, and ms for `then` (when given). */
async function coldStart(outdir: string, first: string, then?: string): Promise<[number, number, number]> {
  const started = performance.now();
  const { mf, url } = await startBuiltWorker({
    outdir,
    quiet: true,
    // Not reached by the paths measured: /docs and /openapi.json are served before the config is read.
    bindings: { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9", UPSTASH_REDIS_REST_TOKEN: "x" },
  });
  try {
    const res = await fetch(url + first);
    await res.arrayBuffer();
    const ready = performance.now() - started;
    const cpu = workerdCpuMs();
    if (!then) return [ready, cpu, 0];
    const before = performance.now();
    const doc = await fetch(url + then);
    await doc.arrayBuffer();
    if (doc.status !== 200) throw new Error(`${then} answered ${doc.status}`);
    return [ready, cpu, performance.now() - before];
  } finally {
    await mf.dispose();
  }
}

export async function measureStartup(runs = Number(process.env.STARTUP_RUNS ?? 7)): Promise<StartupResult> {
  const dir = resolve(root, process.env.STARTUP_BUILD ?? "bench/.build-startup");
  const edgekit = build("src/index.ts", join(dir, "edgekit"));
  const empty = build("bench/empty-worker.ts", join(dir, "empty"));
  await coldStart(empty, "/"); // the first workerd start pays for loading the binary from disk
  const emptyMs: number[] = [];
  const edgekitMs: number[] = [];
  const openApiMs: number[] = [];
  const emptyCpu: number[] = [];
  const edgekitCpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const [emptyReady, emptyCpuMs] = await coldStart(empty, "/");
    emptyMs.push(emptyReady);
    emptyCpu.push(emptyCpuMs);
    const [ready, cpu, doc] = await coldStart(edgekit, "/docs", "/openapi.json");
    edgekitMs.push(ready);
    edgekitCpu.push(cpu);
    openApiMs.push(doc);
  }
  const bundle = readFileSync(join(edgekit, "index.js"));
  return {
    runs,
    emptyMs: round(median(emptyMs)),
    edgekitMs: round(median(edgekitMs)),
    overheadMs: round(median(edgekitMs) - median(emptyMs)),
    emptyCpuMs: round(median(emptyCpu)),
    edgekitCpuMs: round(median(edgekitCpu)),
    overheadCpuMs: round(median(edgekitCpu) - median(emptyCpu)),
    firstOpenApiMs: round(median(openApiMs)),
    bundleBytes: bundle.length,
    bundleGzipBytes: gzipSync(bundle).length,
  };
}

export function startupTable(r: StartupResult): string {
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
  return [
    `| cold start (medians of ${r.runs} isolates) | wall ms | workerd CPU ms |`,
    "| --- | ---: | ---: |",
    `| empty Hono Worker: start to first response | ${r.emptyMs} | ${r.emptyCpuMs} |`,
    `| edgekit: start to first response | ${r.edgekitMs} | ${r.edgekitCpuMs} |`,
    `| edgekit's overhead over the empty Worker | ${r.overheadMs} | ${r.overheadCpuMs} |`,
    `| first \`/openapi.json\` on a fresh isolate | ${r.firstOpenApiMs} | |`,
    `| bundle | ${kb(r.bundleBytes)}, ${kb(r.bundleGzipBytes)} gzipped | |`,
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(startupTable(await measureStartup()));
}
