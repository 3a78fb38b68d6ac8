/**
 * Where a hot path's Worker CPU goes: loads one case (a name from bench/hot-paths.ts) on a Worker
 * instance with a V8 inspector, records a CPU profile while it runs, and prints self time by
 * source module (the bundle's `// node_modules/...` and `// src/...` markers) and by function.
 *
 *   npx tsx bench/profile.ts "redirect"            # BENCH_SECONDS (default 5), BENCH_CONNECTIONS
 *
 * Node 20 needs --experimental-websocket for the inspector connection: the script re-runs itself
 * with it when WebSocket is missing.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { freePort } from "../scripts/redis-server.ts";
import { BENCH_RATE_LIMITS, hotPaths } from "./hot-paths.ts";
import { load } from "./load.ts";
import { gatewayRoutes, startOrigin } from "./origin.ts";
import { startStack } from "./stack.ts";

if (typeof WebSocket === "undefined") {
  const args = ["--experimental-websocket", "--import", "tsx", ...process.argv.slice(1)];
  process.exit(spawnSync(process.execPath, args, { stdio: "inherit" }).status ?? 1);
}

const name = process.argv[2] ?? "redirect";
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const origin = await startOrigin();
// Unminified, so that self time can be told apart by source module (the deployed build is minified).
const BUILD = "bench/.build-profile";
const stack = await startStack(
  { RATE_LIMITS: BENCH_RATE_LIMITS, GATEWAY_ROUTES: gatewayRoutes(origin.url), BENCH_ORIGIN_URL: origin.url },
  { entry: "bench/worker.ts", outdir: BUILD, minify: false },
);
try {
  const inspectorPort = await freePort();
  const cold: Record<string, string> = name.includes("cold") ? { FLAGS_CACHE_TTL_MS: "0" } : {};
  const url = await stack.startWorker(cold, { inspectorPort });
  const found = (await hotPaths(stack, url)).find((c) => c.name === name);
  if (!found) throw new Error(`no case named "${name}"`);
  const inspector = await connect(inspectorPort);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 200 });
  await inspector.send("Profiler.start");
  const result = await load(
    url,
    { ...found, baseUrl: url },
    { seconds, connections, warmupSeconds: 1 },
    stack.proxyStats,
  );
  const { profile } = (await inspector.send("Profiler.stop")) as { profile: Profile };
  inspector.close();
  console.log(`${name}: ${result.rps} req/s, ${result.roundTrips} round trips/req (warm-up included in the profile)\n`);
  summarize(profile, readFileSync(resolve(import.meta.dirname, "..", BUILD, "worker.js"), "utf8").split("\n"));
} finally {
  await stack.stop();
  await origin.stop();
}

async function connect(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  const target = targets.find((t) => t.webSocketDebuggerUrl);
  if (!target) throw new Error("no inspector target");
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((ok, fail) => {
    ws.onopen = ok;
    ws.onerror = fail;
  });
  let nextId = 1;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.onmessage = (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result);
  };
  return {
    send(method: string, params: object = {}) {
      const id = nextId++;
      ws.send(JSON.stringify({ id, method, params }));
      return new Promise((ok) => waiting.set(id, ok));
    },
    close: () => ws.close(),
  };
}

/** Self time per module and per function, as shares of the non-idle samples. */
function summarize(profile: Profile, bundle: string[]) {
  // The module each bundle line belongs to: the nearest `// path` marker above it.
  const moduleOfLine: string[] = [];
  let current = "(bundle)";
  for (const line of bundle) {
    const marker = /^\/\/ ((?:node_modules|src|bench)\/\S+)$/.exec(line);
    if (marker?.[1]) current = marker[1].replace(/^node_modules\//, "");
    moduleOfLine.push(current);
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    total += delta;
    if (frame.functionName === "(idle)") {
      idle += delta;
      return;
    }
    const inBundle = frame.url.endsWith("worker.js");
    const module = inBundle
      ? (moduleOfLine[frame.lineNumber] ?? "(bundle)")
      : frame.url || frame.functionName || "(native)";
    const fn = `${frame.functionName || "(anonymous)"} ${inBundle ? module : frame.url}:${frame.lineNumber + 1}`;
    byModule.set(module, (byModule.get(module) ?? 0) + delta);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + delta);
  });
  const busy = total - idle;
  console.log(`Worker thread busy ${((busy / total) * 100).toFixed(0)}% of ${(total / 1e6).toFixed(1)} s sampled\n`);
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, us]) => `${((us / busy) * 100).toFixed(1).padStart(5)}%  ${key}`)
      .join("\n");
  console.log(`Self time by module (share of busy time):\n${top(byModule, 25)}\n`);
  console.log(`Self time by function:\n${top(byFunction, 30)}`);
}
