import type { RedisClient } from "../redis.ts";

/** What the gateway counts per route. */
export const COUNTERS = ["hits", "staleHits", "misses", "fills", "fencedFills", "originErrors", "bypasses"] as const;
export type Counter = (typeof COUNTERS)[number];

/** How long per-minute stats are kept (s), and how often an isolate flushes its counts (ms). */
export const STATS_RETENTION_S = 2 * 86_400;
export const stats = { flushEveryMs: 10_000 };

/**
 * Counts per isolate, flushed to Redis at most once per `flushEveryMs` per isolate, in waitUntil
 * after a response (one pipelined round trip of HINCRBYs), never on a request's own path: a hit
 * costs no Redis write. Counts of an isolate that dies before its next flush are lost (at most
 * `flushEveryMs` of one isolate's traffic): the figures are exact per flushed minute, a floor.
 *
 * Key: {prefix}cache:stats:<minute> hash, field "<route>|<counter>".
 */
const pending = new Map<string, number>();
let lastFlush = Date.now();

export function count(route: string, counter: Counter, by = 1): void {
  const field = `${route}|${counter}`;
  pending.set(field, (pending.get(field) ?? 0) + by);
}

export function statsKey(prefix: string, minute: number): string {
  return `${prefix}cache:stats:${minute}`;
}

/** Sends the isolate's counts when due (or when `force`); resolves once written. */
export async function flushStats(redis: RedisClient, prefix: string, now: number, force = false): Promise<void> {
  if (pending.size === 0 || (!force && now - lastFlush < stats.flushEveryMs)) return;
  lastFlush = now;
  const key = statsKey(prefix, Math.floor(now / 60_000));
  const entries = [...pending];
  pending.clear();
  await Promise.all([
    ...entries.map(([field, by]) => redis.hincrby(key, field, by)),
    redis.expire(key, STATS_RETENTION_S),
  ]).catch(() => {
    // Redis is down: the counts are dropped rather than kept growing.
  });
}

/** HGETALL's reply as field -> value (without deserialization the client may answer a flat array). */
function pairs(reply: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  } else if (reply && typeof reply === "object") {
    for (const [field, value] of Object.entries(reply)) out[field] = String(value);
  }
  return out;
}

export type RouteStats = Record<Counter, number>;

/** Per-route totals over the last `minutes`, and per minute (oldest first), in one round trip. */
export async function readStats(
  redis: RedisClient,
  prefix: string,
  now: number,
  minutes: number,
): Promise<{ routes: Record<string, RouteStats>; series: { minute: number; routes: Record<string, RouteStats> }[] }> {
  const last = Math.floor(now / 60_000);
  const wanted = Array.from({ length: minutes }, (_, i) => last - minutes + 1 + i);
  const hashes = await Promise.all(wanted.map((minute) => redis.hgetall(statsKey(prefix, minute)).then(pairs)));
  // Null-prototype records: route names are configuration, and may be "__proto__".
  const routes: Record<string, RouteStats> = Object.create(null);
  const empty = (): RouteStats => Object.fromEntries(COUNTERS.map((c) => [c, 0])) as RouteStats;
  const series = wanted.map((minute, i) => {
    const perRoute: Record<string, RouteStats> = Object.create(null);
    for (const [field, value] of Object.entries(hashes[i] ?? {})) {
      const cut = field.lastIndexOf("|");
      const route = field.slice(0, cut);
      const counter = field.slice(cut + 1) as Counter;
      if (!COUNTERS.includes(counter)) continue;
      perRoute[route] ??= empty();
      perRoute[route][counter] += Number(value) || 0;
      routes[route] ??= empty();
      routes[route][counter] += Number(value) || 0;
    }
    return { minute: minute * 60_000, routes: perRoute };
  });
  return { routes, series };
}
