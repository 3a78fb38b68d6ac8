import type { Config } from "../../env.ts";
import { namespace } from "../keys.ts";

/** How long per-day click counters are kept, in days (stats can look this far back). */
export const RETENTION_DAYS = 90;

/**
 * Every Redis key of the links primitive is built here and nowhere else. Slugs reach this file only
 * after validation (`[A-Za-z0-9_-]{1,64}`). The keys of one link share the hash tag `{slug}`, so a
 * script on one link lands in one cluster slot:
 *
 *   {ns}link:{abc1234}                  hash    the record (url, createdAt, password hash, ...)
 *   {ns}link:{abc1234}:counts           hash    redirects served: `humans`, `bots` (maxClicks counts both)
 *   {ns}link:{abc1234}:day:2026-01-31   string  human clicks that UTC day; expires after RETENTION_DAYS
 *   {ns}link:{abc1234}:uniques          HLL     unique human visitors (daily-rotating visitor ids)
 *   {ns}link:{abc1234}:referrers        zset    human clicks per referrer host (capped top list)
 *   {ns}link:{abc1234}:countries        zset    human clicks per country
 *   {ns}link:{abc1234}:guesses          string  wrong passwords in the current window (PX the window)
 *   {ns}links                           zset    the index, SHARED by all links: every member scores 0
 *                                               and reads `${13-digit reversed createdAt}:${slug}`,
 *                                               so lexical order is newest first
 */
export function linkKeys(config: Pick<Config, "KEY_PREFIX">, slug: string) {
  const base = `${namespace(config)}link:{${slug}}`;
  return {
    record: base,
    counts: `${base}:counts`,
    day: (day: string) => `${base}:day:${day}`,
    uniques: `${base}:uniques`,
    referrers: `${base}:referrers`,
    countries: `${base}:countries`,
    guesses: `${base}:guesses`,
  };
}

/** The shared newest-first index of every link. */
export function indexKey(config: Pick<Config, "KEY_PREFIX">): string {
  return `${namespace(config)}links`;
}

const REVERSE_FROM = 9_999_999_999_999;

/**
 * The link's member in the index: reversed creation time, zero-padded, then the slug. delete-link.lua
 * rebuilds the same string from the record's createdAt; keep the two in step.
 */
export function indexMember(createdAt: number, slug: string): string {
  return `${String(REVERSE_FROM - createdAt).padStart(13, "0")}:${slug}`;
}

/** UTC days from `now` backwards, newest first: ["2026-01-31", "2026-01-30", ...]. */
export function lastDays(now: number, count: number): string[] {
  const days: string[] = [];
  for (let i = 0; i < count; i++) days.push(new Date(now - i * 86_400_000).toISOString().slice(0, 10));
  return days;
}

/** Every per-day key a link can still have at `now` (older ones have expired). */
export function retainedDayKeys(config: Pick<Config, "KEY_PREFIX">, slug: string, now: number): string[] {
  const keys = linkKeys(config, slug);
  return lastDays(now, RETENTION_DAYS + 2).map(keys.day);
}
