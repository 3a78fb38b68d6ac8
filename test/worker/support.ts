import { env } from "cloudflare:workers";
import { inject } from "vitest";
import { createApp } from "../../src/app.ts";
import type { Bindings } from "../../src/env.ts";
import { type Clock, manualClock } from "../../src/lib/clock.ts";

/** The admin token the test bindings carry. */
export const ADMIN_TOKEN = inject("adminToken");

export const adminHeaders = (extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${ADMIN_TOKEN}`,
  ...extra,
});

export const jsonHeaders = (extra: Record<string, string> = {}) => ({ "content-type": "application/json", ...extra });

/**
 * Bindings for one test file: its own KEY_PREFIX, so files never see each other's keys.
 * `overrides` lets a test break a binding on purpose.
 */
export function testBindings(file: string, overrides: Partial<Bindings> = {}): Bindings {
  const id = crypto.randomUUID().slice(0, 8);
  return { ...(env as Bindings), KEY_PREFIX: `t-${file}-${id}:`, ...overrides };
}

/**
 * An app plus the bindings and clock it runs with. Requests go through the full middleware stack
 * inside workerd, exactly as in production; only the clock is the test's.
 *
 * @example
 * const t = testApp("links");
 * const res = await t.request("/api/links", { method: "POST", body: ... });
 */
export function testApp(file: string, options: { clock?: Clock; bindings?: Partial<Bindings> } = {}) {
  const clock = options.clock ?? manualClock(Date.now());
  const bindings = testBindings(file, options.bindings);
  const app = createApp({ clock });
  const request = async (path: string, init?: RequestInit): Promise<Response> =>
    app.request(path.startsWith("http") ? path : `http://edgekit.test${path}`, init, bindings);
  return { app, bindings, clock, request };
}

/** Sends one command to the proxy, outside the app (for assertions on what Redis holds). */
export async function redisCommand<T = unknown>(...command: (string | number)[]): Promise<T> {
  const res = await fetch(inject("restUrl"), {
    method: "POST",
    headers: { authorization: `Bearer ${inject("restToken")}` },
    body: JSON.stringify(command),
  });
  const body = (await res.json()) as { result?: T; error?: string };
  if (body.error) throw new Error(body.error);
  return body.result as T;
}

/** Every key under a prefix (SCAN, so it is safe on a shared server). */
export async function keysWithPrefix(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redisCommand<[string, string[]]>("SCAN", cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== "0");
  return keys;
}

/** Deletes every key of a test file. */
export async function cleanup(prefix: string): Promise<void> {
  const keys = await keysWithPrefix(prefix);
  for (let i = 0; i < keys.length; i += 500) await redisCommand("DEL", ...keys.slice(i, i + 500));
}

/** HTTP requests the proxy has served so far (its `/__stats` counter). */
export async function proxyRequests(): Promise<number> {
  const res = await fetch(`${inject("restUrl")}/__stats`, {
    headers: { authorization: `Bearer ${inject("restToken")}` },
  });
  const stats = (await res.json()) as { requests: number };
  return stats.requests;
}

/**
 * Runs `fn` and counts the HTTP requests the proxy served meanwhile: the Redis round trips `fn`
 * cost. Worker test files run one at a time, so no other file's traffic is counted.
 */
export async function countRoundTrips<T>(fn: () => Promise<T>): Promise<{ result: T; roundTrips: number }> {
  const before = await proxyRequests();
  const result = await fn();
  const after = await proxyRequests();
  return { result, roundTrips: after - before };
}

/**
 * A whole problem+json body, for tables that compare error responses with `toEqual`.
 * `code` is the problem type's last segment ("validation-failed", "conflict", ...).
 */
export const problemBody = (
  status: number,
  code: string,
  title: string,
  detail: string,
  instance: string,
  extra: Record<string, unknown> = {},
) => ({
  type: `https://edgekit.dev/problems/${code}`,
  title,
  status,
  detail,
  instance,
  ...extra,
});
