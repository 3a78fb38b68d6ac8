import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

/** One programmed answer of the test origin. */
export interface OriginAnswer {
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: string;
  /** A body of this many bytes ("x" repeated), instead of `body`. */
  bodyBytes?: number;
  /** Wait this long before answering (ms). */
  delayMs?: number;
  /** Answer 304 (same headers, no body) when If-None-Match equals this answer's ETag. */
  revalidate?: boolean;
  /** Drop the connection instead of answering. */
  hangUp?: boolean;
}

interface Bucket {
  answers: OriginAnswer[];
  fallback: OriginAnswer;
  requests: { method: string; url: string; headers: Record<string, string>; body: string; at: number }[];
  inFlight: number;
  maxInFlight: number;
}

/**
 * The gateway tests' origin: a real Node HTTP server that counts requests and answers what each
 * test programmed. Each test uses its own bucket (the first path segment):
 * - `POST /__program/<bucket>` with `{"answers": [...], "fallback": {...}}` appends answers, used
 *   once each, in order; after them the fallback (default 200 "ok") answers every request;
 * - `GET /__log/<bucket>` returns `{count, requests, maxInFlight}`;
 * - any other request to `/<bucket>/...` is an origin request.
 */
export default async function setup(project: TestProject) {
  const buckets = new Map<string, Bucket>();
  const bucket = (name: string) => {
    let b = buckets.get(name);
    if (!b) {
      b = { answers: [], fallback: { status: 200, body: "ok" }, requests: [], inFlight: 0, maxInFlight: 0 };
      buckets.set(name, b);
    }
    return b;
  };
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      req.on("error", reject);
    });
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://origin");
    const parts = url.pathname.split("/").filter(Boolean);
    const body = await read(req).catch(() => "");
    if (parts[0] === "__program" && parts[1]) {
      const program = JSON.parse(body) as { answers?: OriginAnswer[]; fallback?: OriginAnswer };
      const b = bucket(parts[1]);
      b.answers.push(...(program.answers ?? []));
      if (program.fallback) b.fallback = program.fallback;
      res.writeHead(204).end();
      return;
    }
    if (parts[0] === "__log" && parts[1]) {
      const b = bucket(parts[1]);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ count: b.requests.length, requests: b.requests, maxInFlight: b.maxInFlight }));
      return;
    }
    // The bucket is the first path segment naming one (gateway routes put their own prefix first).
    const b = bucket(parts.find((part) => buckets.has(part)) ?? parts[0] ?? "");
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    b.requests.push({ method: req.method ?? "", url: req.url ?? "", headers, body, at: Date.now() });
    b.inFlight++;
    b.maxInFlight = Math.max(b.maxInFlight, b.inFlight);
    const answer = b.answers.shift() ?? b.fallback;
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    b.inFlight--;
    if (answer.hangUp) {
      req.socket.destroy();
      return;
    }
    const etag = answer.headers?.etag;
    if (answer.revalidate && etag && req.headers["if-none-match"] === etag) {
      res.writeHead(304, answer.headers ?? {}).end();
      return;
    }
    const text = answer.bodyBytes !== undefined ? "x".repeat(answer.bodyBytes) : (answer.body ?? "");
    res.writeHead(answer.status ?? 200, answer.headers ?? {});
    res.end(req.method === "HEAD" ? undefined : text);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  project.provide("originUrl", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}
