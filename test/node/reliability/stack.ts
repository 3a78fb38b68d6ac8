import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningProxy, startProxy } from "../../../proxy/server.ts";
import { buildWorker, startBuiltWorker } from "../../../scripts/built-worker.ts";
import { freePort, type RunningRedisServer, startRedisServer } from "../../../scripts/redis-server.ts";

export const ADMIN_TOKEN = "reliability-admin-token-0123456789";
const PROXY_TOKEN = "reliability-proxy-token";

/**
 * The real Worker (src/index.ts, bundled by wrangler) in workerd through Miniflare, the proxy in
 * this process and a redis-server, each of which a test can stop and start again on the SAME port:
 * what a Redis restart or a proxy redeploy looks like to a running Worker.
 */
export interface OutageStack {
  workerUrl: string;
  /** A request to the Worker; `path` starts with "/". */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** One command straight to the proxy (for assertions on what Redis holds). */
  redis<T = unknown>(...command: (string | number)[]): Promise<T>;
  stopRedis(): Promise<void>;
  startRedis(): Promise<void>;
  /** Freezes redis-server (SIGSTOP): connections stay open and nothing answers, as on a hung host. */
  pauseRedis(): void;
  resumeRedis(): void;
  stopProxy(): Promise<void>;
  startProxy(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the Worker once (a few seconds) and starts the three pieces on free ports. */
export async function startOutageStack(bindings: Record<string, string> = {}): Promise<OutageStack> {
  const outdir = buildWorker(mkdtempSync(join(tmpdir(), "edgekit-reliability-")));
  const redisPort = await freePort();
  // Persisted (append-only file), so a restarted redis-server comes back with the data, as in production.
  const dataDir = join(outdir, "redis");
  let redis: RunningRedisServer | undefined = await startRedisServer({ port: redisPort, dataDir });
  const proxyPort = await freePort();
  const proxyOptions = { tokens: [{ token: PROXY_TOKEN, redisUrl: redis.url }], port: proxyPort, strict: true };
  let proxy: RunningProxy | undefined = await startProxy(proxyOptions);
  const proxyUrl = `http://127.0.0.1:${proxyPort}`;

  const { mf, url: workerUrl } = await startBuiltWorker({
    outdir,
    bindings: {
      UPSTASH_REDIS_REST_URL: proxyUrl,
      UPSTASH_REDIS_REST_TOKEN: PROXY_TOKEN,
      ADMIN_TOKEN,
      HASH_SECRET: "reliability-hash-secret-0123456789",
      ...bindings,
    },
    // The Worker logs every 503 with its cause; an outage test provokes hundreds on purpose.
    quiet: true,
  });

  return {
    workerUrl,
    request: (path, init) => fetch(`${workerUrl}${path}`, { redirect: "manual", ...init }),
    async redis<T>(...command: (string | number)[]) {
      const res = await fetch(proxyUrl, {
        method: "POST",
        headers: { authorization: `Bearer ${PROXY_TOKEN}` },
        body: JSON.stringify(command),
      });
      const body = (await res.json()) as { result?: T; error?: string };
      if (body.error) throw new Error(body.error);
      return body.result as T;
    },
    async stopRedis() {
      await redis?.stop();
      redis = undefined;
    },
    async startRedis() {
      redis = await startRedisServer({ port: redisPort, dataDir });
    },
    pauseRedis() {
      redis?.process.kill("SIGSTOP");
    },
    resumeRedis() {
      redis?.process.kill("SIGCONT");
    },
    async stopProxy() {
      await proxy?.close();
      proxy = undefined;
    },
    async startProxy() {
      proxy = await startProxy(proxyOptions);
    },
    async stop() {
      redis?.process.kill("SIGCONT"); // a frozen process would never act on the SIGTERM
      await mf.dispose();
      await proxy?.close();
      await redis?.stop();
      rmSync(outdir, { recursive: true, force: true });
    },
  };
}

/** Retries `fn` every 100 ms until it returns true or `ms` pass; returns the last answer. */
export async function eventually(fn: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await fn().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
