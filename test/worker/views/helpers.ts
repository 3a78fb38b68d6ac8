import { loadConfig } from "../../../src/env.ts";
import { createRedis } from "../../../src/lib/redis.ts";
import type { PageViews } from "../../../src/lib/views/read-views.ts";
import type { testApp } from "../support.ts";

export type TestApp = ReturnType<typeof testApp>;

export const HUMAN_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";
export const BOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

/** A distinct, valid IPv4 address per number (TEST-NET-free, so collisions with real data are moot). */
export const ipOf = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

/** POSTs one view of `page` (already percent-encoded as needed) from a client. */
export async function view(t: TestApp, page: string, client: { ip?: string; ua?: string } = {}) {
  const res = await t.request(`/api/views/${page}`, {
    method: "POST",
    headers: { "cf-connecting-ip": client.ip ?? "10.0.0.1", "user-agent": client.ua ?? HUMAN_UA },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Reads a page's counts over the last `days` days. */
export async function read(t: TestApp, page: string, days = 30) {
  const res = await t.request(`/api/views/${page}?days=${days}`);
  return { status: res.status, body: (await res.json()) as PageViews };
}

/** The config and a Redis client for lib-level calls in the test's key prefix. */
export function libContext(t: TestApp) {
  const config = loadConfig(t.bindings);
  return { config, redis: createRedis(config) };
}

const DAY_MS = 86_400_000;

/**
 * A time on today's UTC date (minus `daysAgo`). Redis expires keys by its own clock, so a test clock
 * far from the real one would see day keys expire at once (EXPIREAT in the past deletes).
 */
export const todayAt = (hour: number, daysAgo = 0) => {
  const now = Date.now();
  return now - (now % DAY_MS) - daysAgo * DAY_MS + hour * 3_600_000;
};

/** The UTC date `days` after (or before, if negative) `ms`, as YYYY-MM-DD. */
export const dayOf = (ms: number, days = 0) => new Date(ms + days * DAY_MS).toISOString().slice(0, 10);
