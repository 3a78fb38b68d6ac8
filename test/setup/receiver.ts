import type { TestProject } from "vitest/node";
import { headersOf, type LoggedRequest, startProgrammableServer } from "./programmable-server.ts";

/** One programmed answer of the receiver. */
export interface ReceiverAnswer {
  status: number;
  headers?: Record<string, string>;
  /** Wait this long before answering (for timeouts and parallelism). */
  delayMs?: number;
}

interface Delivery extends LoggedRequest {
  path: string;
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
  const server = await startProgrammableServer<ReceiverAnswer, Delivery>({
    fallback: () => ({ status: 200 }),
    program: (bucket, answers) => bucket.answers.push(...(answers as ReceiverAnswer[])),
    log: (bucket) => ({ requests: bucket.requests, maxInFlight: bucket.maxInFlight }),
    record: (req, url, body) => ({
      method: req.method ?? "",
      path: url.pathname,
      headers: headersOf(req),
      body,
      at: Date.now(),
    }),
    reply: (_req, res, answer) => res.writeHead(answer.status, answer.headers ?? {}).end(),
  });
  project.provide("receiverUrl", server.url);
  return server.close;
}
