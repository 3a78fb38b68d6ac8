import { expect } from "vitest";
import type { Clock } from "../../../src/lib/clock.ts";
import { POLICY_NAMES } from "../../../src/lib/ratelimit/policies.ts";
import { adminHeaders, jsonHeaders, keysWithPrefix, redisCommand, testApp } from "../support.ts";

export type TestApp = ReturnType<typeof testApp>;

/** Every policy at a million per window: these files test the primitives, not the limiter. */
export const NO_LIMITS = JSON.stringify(Object.fromEntries(POLICY_NAMES.map((name) => [name, { limit: 1_000_000 }])));

/** The origin the tests' requests use (sessions check Origin against it). */
export const ORIGIN = "http://edgekit.test";

/** A test app whose rate limits never interfere, unless `bindings` says otherwise. */
export function reliabilityApp(name: string, options: { clock?: Clock; bindings?: Record<string, string> } = {}) {
  return testApp(`rel-${name}`, { clock: options.clock, bindings: { RATE_LIMITS: NO_LIMITS, ...options.bindings } });
}

/** A JSON request, with the admin token when `admin`. */
export function send(t: TestApp, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return t.request(path, {
    method,
    headers: jsonHeaders(headers),
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

export const asAdmin = (t: TestApp, method: string, path: string, body?: unknown) =>
  send(t, method, path, body, adminHeaders());

/** Sends a request and fails the test unless it answers `status`; returns the parsed body. */
export async function expectStatus<T = Record<string, unknown>>(res: Promise<Response>, status: number): Promise<T> {
  const response = await res;
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return (text ? JSON.parse(text) : undefined) as T;
}

export const BROWSER =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

/** Headers of a person's browser at `ip`. */
export const browser = (ip: string, extra: Record<string, string> = {}) => ({
  "user-agent": BROWSER,
  "cf-connecting-ip": ip,
  ...extra,
});

/** The session cookie's value in a Set-Cookie header. */
export function sessionToken(res: Response): string {
  const cookie = res.headers.get("set-cookie") ?? "";
  const match = /^[^=]+=([^;]*)/.exec(cookie);
  if (!match?.[1]) throw new Error(`no session cookie in ${JSON.stringify(cookie)}`);
  return match[1];
}

/** The session cookie's name (`__Host-session` on https, `session` on plain http). */
export function sessionCookieName(res: Response): string {
  return (res.headers.get("set-cookie") ?? "").split("=")[0] ?? "";
}

/** Every key under `prefix` with its whole value as text (strings, hashes, sets, zsets, lists, streams). */
export async function dumpPrefix(prefix: string): Promise<Map<string, string>> {
  const dump = new Map<string, string>();
  for (const key of await keysWithPrefix(prefix)) {
    const type = await redisCommand<string>("TYPE", key);
    const read: Record<string, (string | number)[]> = {
      string: ["GET", key],
      hash: ["HGETALL", key],
      set: ["SMEMBERS", key],
      zset: ["ZRANGE", key, 0, -1, "WITHSCORES"],
      list: ["LRANGE", key, 0, -1],
      stream: ["XRANGE", key, "-", "+"],
    };
    const command = read[type];
    // HyperLogLogs are strings whose bytes are registers, never raw input; read them all the same.
    dump.set(key, command ? JSON.stringify(await redisCommand(...command)) : `<${type}>`);
  }
  return dump;
}
