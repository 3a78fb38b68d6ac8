import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningProxy, startProxy } from "../../../proxy/server.ts";
import { buildWorker, startBuiltWorker } from "../../../scripts/built-worker.ts";
import { type RunningRedisServer, startRedisServer } from "../../../scripts/redis-server.ts";

const ADMIN_TOKEN = "jobs-cron-admin-token-0123456789";
const PROXY_TOKEN = "jobs-cron-proxy-token";
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

// The built Worker (src/index.ts bundled by wrangler) in workerd through Miniflare, fired by
// Miniflare's own scheduled trigger, delivering to a receiver in this process.
let outdir = "";
let redis: RunningRedisServer;
let proxy: RunningProxy;
let mf: Miniflare;
let workerUrl = "";
let receiverUrl = "";
const received: { headers: IncomingMessage["headers"]; body: string }[] = [];
const receiver = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk: Buffer) => {
    body += chunk.toString("utf8");
  });
  req.on("end", () => {
    received.push({ headers: req.headers, body });
    res.writeHead(200).end();
  });
});

beforeAll(async () => {
  outdir = buildWorker(mkdtempSync(join(tmpdir(), "edgekit-jobs-cron-")));
  redis = await startRedisServer();
  proxy = await startProxy({ tokens: [{ token: PROXY_TOKEN, redisUrl: redis.url }], port: 0 });
  await new Promise<void>((done) => receiver.listen(0, "127.0.0.1", done));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  ({ mf, url: workerUrl } = await startBuiltWorker({
    outdir,
    bindings: {
      UPSTASH_REDIS_REST_URL: proxy.url,
      UPSTASH_REDIS_REST_TOKEN: PROXY_TOKEN,
      ADMIN_TOKEN,
      HASH_SECRET: "jobs-cron-hash-secret-0123456789",
      JOBS_ALLOW_PRIVATE_TARGETS: "true",
    },
  }));
}, 120_000);

afterAll(async () => {
  await mf?.dispose();
  await proxy?.close();
  await redis?.stop();
  receiver.close();
  rmSync(outdir, { recursive: true, force: true });
});

const api = (method: string, path: string, body: unknown) =>
  fetch(`${workerUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("the built Worker's Cron Trigger", () => {
  it("delivers a due job when Miniflare fires the scheduled event", async () => {
    expect((await api("PUT", "/api/queues/cron", { secret: SECRET })).status).toBe(201);
    // Delayed, so the enqueue's own first attempt leaves it to the tick.
    const res = await api("POST", "/api/queues/cron/jobs", { target: receiverUrl, body: { n: 1 }, delay: 50 });
    const { id } = (await res.json()) as { id: string };
    await new Promise((done) => setTimeout(done, 100));
    expect(received).toHaveLength(0);

    // Fetcher.scheduled() exists at run time; Miniflare's Node-side type leaves it out.
    const worker = (await mf.getWorker()) as unknown as {
      scheduled(options: { cron: string; scheduledTime: Date }): Promise<{ outcome: string }>;
    };
    const result = await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    expect(result.outcome).toBe("ok");
    expect(received.map((r) => [r.headers["webhook-id"], r.body])).toEqual([[id, '{"n":1}']]);
    expect(String(received[0]?.headers["webhook-signature"])).toMatch(/^v1,/);
  });
});
