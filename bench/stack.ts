import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildWorker, startBuiltWorker } from "../scripts/built-worker.ts";
import { freePort, startRedisServer } from "../scripts/redis-server.ts";

const root = resolve(import.meta.dirname, "..");

export interface BenchStack {
  workerUrl: string;
  proxyUrl: string;
  proxyToken: string;
  adminToken: string;
  /** The proxy's request counter (REST round trips served so far). */
  proxyRequests(): Promise<number>;
  /** The proxy's counters: requests (round trips) and Redis commands served so far. */
  proxyStats(): Promise<{ requests: number; commands: number }>;
  /**
   * Another instance of the same Worker on the same proxy and Redis, with some bindings changed
   * (the cold flag evaluation runs on one with FLAGS_CACHE_TTL_MS=0), and optionally a V8
   * inspector port for profiling (bench/profile.ts), or another build of the bench Worker (an
   * older commit's, for bench/compare.ts). Stopped with the stack.
   */
  startWorker(bindings: Record<string, string>, options?: { inspectorPort?: number; outdir?: string }): Promise<string>;
  stop(): Promise<void>;
}

/**
 * redis-server + the proxy (its own process, so it does not share an event loop with the load
 * generator) + the bench Worker in workerd through Miniflare's API (not `wrangler dev`, whose dev
 * proxy costs more than the Worker itself).
 */
export async function startStack(
  extraBindings: Record<string, string> = {},
  // The dashboard's browser test runs the real Worker (src/index.ts) on the same stack.
  // `minify: false` keeps the bundle's `// src/...` module markers, for bench/profile.ts.
  build: { entry: string; outdir: string; minify?: boolean } = { entry: "bench/worker.ts", outdir: "bench/.build" },
): Promise<BenchStack> {
  const outdir = buildWorker(resolve(root, build.outdir), build);
  const redis = await startRedisServer();
  const proxyToken = "bench-proxy-token";
  const proxyPort = await freePort();
  const proxy = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "proxy/cli.ts",
      "--redis",
      redis.url,
      "--port",
      String(proxyPort),
      "--token",
      proxyToken,
      "--strict",
    ],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
  );
  await waitForLine(proxy);
  const proxyUrl = `http://127.0.0.1:${proxyPort}`;
  const adminToken = "bench-admin-token-0123456789";
  const baseBindings = {
    UPSTASH_REDIS_REST_URL: proxyUrl,
    UPSTASH_REDIS_REST_TOKEN: proxyToken,
    ADMIN_TOKEN: adminToken,
    HASH_SECRET: "bench-hash-secret-0123456789",
    ...extraBindings,
  };
  const main = await startBuiltWorker({ outdir, bindings: baseBindings });
  const workers = [main];
  const stats = async () => {
    const res = await fetch(`${proxyUrl}/__stats`, { headers: { authorization: `Bearer ${proxyToken}` } });
    return (await res.json()) as { requests: number; commands: number };
  };
  return {
    workerUrl: main.url,
    proxyUrl,
    proxyToken,
    adminToken,
    async proxyRequests() {
      return (await stats()).requests;
    },
    proxyStats: stats,
    async startWorker(bindings, options = {}) {
      const worker = await startBuiltWorker({
        outdir: options.outdir ?? outdir,
        bindings: { ...baseBindings, ...bindings },
        inspectorPort: options.inspectorPort,
      });
      workers.push(worker);
      return worker.url;
    },
    async stop() {
      for (const worker of workers) await worker.mf.dispose();
      proxy.kill("SIGTERM");
      await redis.stop();
    },
  };
}

function waitForLine(child: ChildProcess): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error("the proxy did not start within 15 s")), 15_000);
    child.stdout?.once("data", () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.once("exit", (code) => reject(new Error(`the proxy exited with code ${code}`)));
  });
}

export const hasBuild = () => existsSync(join(root, "bench/.build"));
