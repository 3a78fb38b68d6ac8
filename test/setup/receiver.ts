import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

/** One programmed answer of the receiver. */
export interface ReceiverAnswer {
  status: number;
  headers?: Record<string, string>;
  /** Wait this long before answering (for timeouts and parallelism). */
  delayMs?: number;
}

interface Bucket {
  answers: ReceiverAnswer[];
  requests: { method: string; path: string; headers: Record<string, string>; body: string; at: number }[];
  inFlight: number;
  maxInFlight: number;
}

/**
 * A webhook receiver for the jobs tests, reachable from workerd: a Node HTTP server that answers
 * what a test programmed, and logs every request it got. Each test uses its own bucket (the
 * first path segment):
 * - `POST /__program/<bucket>` with a JSON array of answers appends them (200 once they run out);
 * - `GET /__log/<bucket>` returns `{requests, maxInFlight}`;
 * - any other request to `/<bucket>/...` is a delivery.
 */
export default async function setup(project: TestProject) {
  const buckets = new Map<string, Bucket>();
  const bucket = (name: string) => {
    let b = buckets.get(name);
    if (!b) {
      b = { answers: [], requests: [], inFlight: 0, maxInFlight: 0 };
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
    const url = new URL(req.url ?? "/", "http://receiver");
    const parts = url.pathname.split("/").filter(Boolean);
    const body = await read(req);
    if (parts[0] === "__program" && parts[1]) {
      bucket(parts[1]).answers.push(...(JSON.parse(body) as ReceiverAnswer[]));
      res.writeHead(204).end();
      return;
    }
    if (parts[0] === "__log" && parts[1]) {
      const b = bucket(parts[1]);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ requests: b.requests, maxInFlight: b.maxInFlight }));
      return;
    }
    const b = bucket(parts[0] ?? "");
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    b.requests.push({ method: req.method ?? "", path: url.pathname, headers, body, at: Date.now() });
    b.inFlight++;
    b.maxInFlight = Math.max(b.maxInFlight, b.inFlight);
    const answer = b.answers.shift() ?? { status: 200 };
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    b.inFlight--;
    res.writeHead(answer.status, answer.headers ?? {}).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  project.provide("receiverUrl", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
