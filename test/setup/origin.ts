import type { TestProject } from "vitest/node";
import { headersOf, type LoggedRequest, startProgrammableServer } from "./programmable-server.ts";

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

interface OriginRequest extends LoggedRequest {
  url: string;
}

/**
 * The gateway tests' origin: a real Node HTTP server that counts requests and answers what each
 * test programmed. Each test uses its own bucket (the first path segment naming one):
 * - `POST /__program/<bucket>` with `{"answers": [...], "fallback": {...}}` appends answers, used
 *   once each, in order; after them the fallback (default 200 "ok") answers every request;
 * - `GET /__log/<bucket>` returns `{count, requests, maxInFlight}`;
 * - any other request to `/<bucket>/...` is an origin request.
 */
export default async function setup(project: TestProject) {
  const server = await startProgrammableServer<OriginAnswer, OriginRequest>({
    fallback: () => ({ status: 200, body: "ok" }),
    program(bucket, program) {
      const { answers, fallback } = program as { answers?: OriginAnswer[]; fallback?: OriginAnswer };
      bucket.answers.push(...(answers ?? []));
      if (fallback) bucket.fallback = fallback;
    },
    log: (bucket) => ({ count: bucket.requests.length, requests: bucket.requests, maxInFlight: bucket.maxInFlight }),
    // Gateway routes put their own prefix first, so the bucket is the first segment naming one.
    bucketOf: (parts, known) => parts.find(known) ?? parts[0] ?? "",
    record: (req, _url, body) => ({
      method: req.method ?? "",
      url: req.url ?? "",
      headers: headersOf(req),
      body,
      at: Date.now(),
    }),
    reply(req, res, answer) {
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
    },
    keepAliveTimeoutMs: 1000,
  });
  project.provide("originUrl", server.url);
  return server.close;
}
