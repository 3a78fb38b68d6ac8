/**
 * Cold start: how long a fresh isolate takes to answer its first request, edgekit beside an empty
 * Hono Worker and beside the libraries alone (bench/startup-libraries.ts: the floor), all built the
 * way `wrangler deploy` builds them (wrangler.toml's settings, minification included) and started
 * the same way (workerd through Miniflare), alternating, several times; medians reported. edgekit's
 * first request is `/docs` (no Redis), and separately a redirect (a real proxy and redis-server):
 * the deployed Worker builds its routes per group on first use (src/lazy-app.ts), so what a new
 * isolate pays depends on what it serves first. Also the first `/openapi.json` on each fresh edgekit
 * isolate, and the bundle's size. Wall-clock time swings with the machine's load, so the CPU time workerd spent up
 * to the first answer (all its threads, from /proc on Linux) is reported beside it: the steadier
 * figure on a shared machine.
 *
 *   STARTUP_RUNS   isolates started per Worker (default 7)
 *   STARTUP_BUILD  where to build the two Workers (default bench/.build-startup)
 *
 * Run on its own with `npx tsx bench/startup.ts`; `npm run bench` runs it first.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { startProxy } from "../proxy/server.ts";
import { buildWorker, startBuiltWorker } from "../scripts/built-worker.ts";
import { startRedisServer } from "../scripts/redis-server.ts";

const root = resolve(import.meta.dirname, "..");

export interface StartupResult {
  runs: number;
  /** Medians, ms: from `new Miniflare` to the first response (the empty Worker's `/`, edgekit's `/docs`). */
  emptyMs: number;
  librariesMs: number;
  edgekitMs: number;
  /** edgekit's first response when it is a redirect (a link in a real Redis, behind the proxy). */
  redirectMs: number;
  /** edgekit's median minus the empty Worker's: what edgekit itself costs a new isolate. */
  overheadMs: number;
  /** The same in CPU time of the workerd process (0 where /proc is missing). */
  emptyCpuMs: number;
  librariesCpuMs: number;
  edgekitCpuMs: number;
  redirectCpuMs: number;
  overheadCpuMs: number;
  /** Median of the first `/openapi.json` on a fresh edgekit isolate, after its first request. */
  firstOpenApiMs: number;
  bundleBytes: number;
  bundleGzipBytes: number;
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

// Not reached by /docs and /openapi.json, which are served before the config is read.
const NO_REDIS = { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9", UPSTASH_REDIS_REST_TOKEN: "x" };

/** One fresh isolate: ms to its first answer, workerd's CPU ms by then, and ms for `then` (when given). */
async function coldStart(
  outdir: string,
  first: string,
  then?: string,
  bindings: Record<string, string> = NO_REDIS,
): Promise<[number, number, number]> {
  const started = performance.now();
  const { mf, url } = await startBuiltWorker({ outdir, quiet: true, bindings });
  try {
    const res = await fetch(url + first, { redirect: "manual" });
    await res.arrayBuffer();
    if (res.status >= 400) throw new Error(`${first} answered ${res.status}`);
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

/** A redis-server and the proxy in front of it, holding one link: what the redirect isolates read. */
async function redirectTarget(edgekit: string) {
  const redis = await startRedisServer();
  const proxy = await startProxy({ tokens: [{ token: "startup-token", redisUrl: redis.url }], port: 0 });
  const bindings = {
    UPSTASH_REDIS_REST_URL: proxy.url,
    UPSTASH_REDIS_REST_TOKEN: "startup-token",
    ADMIN_TOKEN,
    HASH_SECRET,
  };
  const { mf, url } = await startBuiltWorker({ outdir: edgekit, quiet: true, bindings });
  try {
    const created = await fetch(`${url}/api/links`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ slug: "startup", url: "https://example.com/startup" }),
    });
    if (created.status !== 201)
      throw new Error(`creating the link answered ${created.status}: ${await created.text()}`);
    // Once through, so every script the redirect runs is cached in Redis before the timed isolates.
    await (await fetch(`${url}/startup`, { redirect: "manual" })).arrayBuffer();
  } finally {
    await mf.dispose();
  }
  const stop = async () => {
    await proxy.close();
    await redis.stop();
  };
  return { bindings, stop };
}

const ADMIN_TOKEN = "startup-admin-token-0123456789abcdef";
const HASH_SECRET = "startup-hash-secret-0123456789abcdef";

export async function measureStartup(runs = Number(process.env.STARTUP_RUNS ?? 7)): Promise<StartupResult> {
  const dir = resolve(root, process.env.STARTUP_BUILD ?? "bench/.build-startup");
  const edgekit = buildWorker(join(dir, "edgekit"), { entry: "src/index.ts" });
  const empty = buildWorker(join(dir, "empty"), { entry: "bench/empty-worker.ts" });
  const libraries = buildWorker(join(dir, "libraries"), { entry: "bench/startup-libraries.ts" });
  await coldStart(empty, "/"); // the first workerd start pays for loading the binary from disk
  const target = await redirectTarget(edgekit);
  const samples = { empty: [], libraries: [], edgekit: [], redirect: [], openApi: [] } as Record<string, number[]>;
  const cpu = { empty: [], libraries: [], edgekit: [], redirect: [] } as Record<string, number[]>;
  try {
    for (let i = 0; i < runs; i++) {
      for (const [name, outdir, path, bindings] of [
        ["empty", empty, "/", NO_REDIS],
        ["libraries", libraries, "/", NO_REDIS],
        ["redirect", edgekit, "/startup", target.bindings],
      ] as const) {
        const [ready, cpuMs] = await coldStart(outdir, path, undefined, bindings);
        samples[name]?.push(ready);
        cpu[name]?.push(cpuMs);
      }
      const [ready, cpuMs, doc] = await coldStart(edgekit, "/docs", "/openapi.json");
      samples.edgekit?.push(ready);
      cpu.edgekit?.push(cpuMs);
      samples.openApi?.push(doc);
    }
  } finally {
    await target.stop();
  }
  const ms = (name: string) => round(median(samples[name] ?? []));
  const cpuMs = (name: string) => round(median(cpu[name] ?? []));
  const bundle = readFileSync(join(edgekit, "index.js"));
  return {
    runs,
    emptyMs: ms("empty"),
    librariesMs: ms("libraries"),
    edgekitMs: ms("edgekit"),
    redirectMs: ms("redirect"),
    overheadMs: round(ms("edgekit") - ms("empty")),
    emptyCpuMs: cpuMs("empty"),
    librariesCpuMs: cpuMs("libraries"),
    edgekitCpuMs: cpuMs("edgekit"),
    redirectCpuMs: cpuMs("redirect"),
    overheadCpuMs: round(cpuMs("edgekit") - cpuMs("empty")),
    firstOpenApiMs: ms("openApi"),
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
    `| the libraries alone (zod-openapi, @upstash/redis, ratelimit): start to first response | ${r.librariesMs} | ${r.librariesCpuMs} |`,
    `| edgekit: start to first response (\`/docs\`) | ${r.edgekitMs} | ${r.edgekitCpuMs} |`,
    `| edgekit: start to a first redirect (real proxy and Redis) | ${r.redirectMs} | ${r.redirectCpuMs} |`,
    `| edgekit's overhead over the empty Worker | ${r.overheadMs} | ${r.overheadCpuMs} |`,
    `| the libraries' share of it | ${round(r.librariesMs - r.emptyMs)} | ${round(r.librariesCpuMs - r.emptyCpuMs)} |`,
    `| first \`/openapi.json\` on a fresh isolate | ${r.firstOpenApiMs} | |`,
    `| bundle | ${kb(r.bundleBytes)}, ${kb(r.bundleGzipBytes)} gzipped | |`,
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(startupTable(await measureStartup()));
}
