import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One test's share of a programmable server: its queued answers, what it got, how many at once. */
export interface Bucket<Answer, Logged> {
  /** Used once each, in order. */
  answers: Answer[];
  /** Answers every request once `answers` has run out. */
  fallback: Answer;
  requests: Logged[];
  inFlight: number;
  maxInFlight: number;
}

/** What every log keeps of a request (each server adds where it went). */
export interface LoggedRequest {
  method: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

/** What one kind of programmable server does its own way. */
export interface ProgrammableServerSpec<Answer extends { delayMs?: number }, Logged> {
  /** A new bucket's fallback answer. */
  fallback: () => Answer;
  /** Applies the parsed JSON body of `POST /__program/<bucket>` to the bucket. */
  program(bucket: Bucket<Answer, Logged>, program: unknown): void;
  /** The JSON body of `GET /__log/<bucket>`. */
  log(bucket: Bucket<Answer, Logged>): unknown;
  /** Which bucket a request belongs to (default: its first path segment). */
  bucketOf?(parts: string[], known: (name: string) => boolean): string;
  /** What the log keeps of one request. */
  record(req: IncomingMessage, url: URL, body: string): Logged;
  /** Sends the answer, once its `delayMs` has passed. */
  reply(req: IncomingMessage, res: ServerResponse, answer: Answer): void;
  /** How long an idle keep-alive connection stays open (ms; default Node's). */
  keepAliveTimeoutMs?: number;
}

/** The request's headers as one string each, as the logs show them. */
export const headersOf = (req: IncomingMessage): Record<string, string> =>
  Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });

/**
 * A Node HTTP server on 127.0.0.1 (reachable from workerd) that answers what each test
 * programmed and logs what it got, one bucket per test:
 * - `POST /__program/<bucket>` hands its JSON body to `spec.program`;
 * - `GET /__log/<bucket>` answers `spec.log(bucket)`;
 * - any other request is logged in its bucket and answered with the bucket's next answer (after
 *   them, its fallback), counting how many are in flight at once.
 */
export async function startProgrammableServer<Answer extends { delayMs?: number }, Logged>(
  spec: ProgrammableServerSpec<Answer, Logged>,
): Promise<{ url: string; close(): Promise<void> }> {
  const buckets = new Map<string, Bucket<Answer, Logged>>();
  const bucket = (name: string) => {
    let b = buckets.get(name);
    if (!b) {
      b = { answers: [], fallback: spec.fallback(), requests: [], inFlight: 0, maxInFlight: 0 };
      buckets.set(name, b);
    }
    return b;
  };
  const bucketOf = spec.bucketOf ?? ((parts: string[]) => parts[0] ?? "");
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const parts = url.pathname.split("/").filter(Boolean);
    const body = await read(req).catch(() => "");
    if (parts[0] === "__program" && parts[1]) {
      spec.program(bucket(parts[1]), JSON.parse(body));
      res.writeHead(204).end();
      return;
    }
    if (parts[0] === "__log" && parts[1]) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(spec.log(bucket(parts[1]))));
      return;
    }
    const b = bucket(bucketOf(parts, (name) => buckets.has(name)));
    b.requests.push(spec.record(req, url, body));
    b.inFlight++;
    b.maxInFlight = Math.max(b.maxInFlight, b.inFlight);
    const answer = b.answers.shift() ?? b.fallback;
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    b.inFlight--;
    spec.reply(req, res, answer);
  });
  if (spec.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = spec.keepAliveTimeoutMs;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
