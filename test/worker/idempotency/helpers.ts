import type { Clock } from "../../../src/lib/clock.ts";
import { AppError } from "../../../src/lib/errors.ts";
import { NO_LIMITS } from "../reliability/helpers.ts";
import { adminHeaders, jsonHeaders, testApp } from "../support.ts";

/** Headers the test handler sets on its 201: the allowed ones and some that must never be replayed. */
export const HANDLER_HEADERS = {
  location: "/api/things/1",
  etag: '"v1"',
  "last-modified": "Tue, 01 Dec 2026 09:00:00 GMT",
  link: '</api/things>; rel="collection"',
  "set-cookie": "tracker=abc; Path=/; HttpOnly",
  "x-custom": "not replayed",
  "cache-control": "no-store",
};

/**
 * A test app with test routes under /api/_test/idem/ that count their runs:
 * - POST /api/_test/idem/things: 201 with HANDLER_HEADERS and `{run, attempt, body}`;
 * - POST /api/_test/idem/status/{code}: answers `code`;
 * - POST /api/_test/idem/problem/404: throws a 404 problem;
 * - POST /api/_test/idem/throw: throws a plain Error (a 500);
 * - POST /api/_test/idem/gate: waits until the test calls `open()`, then answers 201.
 */
export function idemApp(name: string, options: { clock?: Clock; bindings?: Record<string, string> } = {}) {
  const t = testApp(`idem-${name}`, {
    clock: options.clock,
    // 200 requests at once on a shared 2-core machine: a slow reply is not an outage here.
    bindings: { RATE_LIMITS: NO_LIMITS, REDIS_TIMEOUT_MS: "10000", ...options.bindings },
  });
  let runs = 0;
  let gates: (() => void)[] = [];
  t.app.post("/api/_test/idem/things", async (c) => {
    runs++;
    const body = await c.req.text();
    return c.json({ run: runs, attempt: c.get("idempotency")?.attempt ?? null, body }, 201, HANDLER_HEADERS);
  });
  t.app.post("/api/_test/idem/status/:code", (c) => {
    runs++;
    return c.json({ run: runs }, Number(c.req.param("code")) as 200);
  });
  t.app.post("/api/_test/idem/problem/404", () => {
    runs++;
    throw new AppError("not_found", "No such thing.");
  });
  t.app.post("/api/_test/idem/throw", () => {
    runs++;
    throw new Error("boom");
  });
  t.app.post("/api/_test/idem/gate", async (c) => {
    runs++;
    const run = runs;
    await new Promise<void>((resolve) => gates.push(resolve));
    return c.json({ run, attempt: c.get("idempotency")?.attempt ?? null }, 201);
  });
  /** A JSON POST with an Idempotency-Key (none when `key` is undefined). */
  const post = (path: string, key: string | undefined, body: unknown = {}, headers: Record<string, string> = {}) =>
    t.request(path, {
      method: "POST",
      headers: jsonHeaders({ ...(key === undefined ? {} : { "idempotency-key": key }), ...headers }),
      body: JSON.stringify(body),
    });
  const asAdmin = (method: string, path: string, key: string | undefined, body?: unknown) =>
    t.request(path, {
      method,
      headers: adminHeaders(
        jsonHeaders(key === undefined ? {} : { "idempotency-key": key }) as unknown as Record<string, string>,
      ),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return {
    ...t,
    post,
    asAdmin,
    runs: () => runs,
    /** Lets every waiting gate handler answer. */
    open: () => {
      for (const resolve of gates) resolve();
      gates = [];
    },
    waiting: () => gates.length,
  };
}

/** Resolves once `check` holds (polling), for a handler that must have started. */
export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
