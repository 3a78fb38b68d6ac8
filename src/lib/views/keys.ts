import type { Config } from "../../env.ts";
import { namespace } from "../keys.ts";

/** Extra days a per-day key outlives the retention period, so a range read at midnight is whole. */
export const RETENTION_MARGIN_DAYS = 2;

const DAY_MS = 86_400_000;

/**
 * Every Redis key of the views primitive is built here and nowhere else. A page id is up to 256
 * characters of user input, so keys carry `pageKey(page)` instead: the first 32 hex digits of its
 * SHA-256 (bounded, brace-free, safe). The human page id lives only in the top-pages members.
 * The keys of one page share the hash tag `{pageKey}`, so its script lands in one cluster slot:
 *
 *   {ns}view:{9f86d081884c7d65...}:total              string  human views          (expires, from the last hit)
 *   {ns}view:{9f86d081884c7d65...}:bots               string  bot hits             (expires, from the last hit)
 *   {ns}view:{9f86d081884c7d65...}:day:2026-01-31     string  human views that UTC day   (expires)
 *   {ns}view:{9f86d081884c7d65...}:bots:2026-01-31    string  bot hits that UTC day      (expires)
 *   {ns}view:{9f86d081884c7d65...}:uniques:2026-01-31 HLL     visitor ids that UTC day   (expires)
 *   {ns}view:{9f86d081884c7d65...}:seen:<visitorId>   string  ms time of the last counted view
 *                                                             (PX VIEWS_DEDUP_SECONDS)
 *   {ns}views:{top}:2026-01-31                        zset    SHARED by all pages: page id ->
 *                                                             human views that UTC day (expires)
 *   {ns}views:{top}:pages:2026-01-31                  string  SHARED: distinct pages counted that
 *                                                             UTC day, against VIEWS_MAX_PAGES_PER_DAY
 *
 * "Expires" means at the end of the day plus VIEWS_RETENTION_DAYS + RETENTION_MARGIN_DAYS. The
 * totals expire the same way, counted from the page's last hit: a page nobody views for the
 * whole retention period is forgotten.
 */
export function pageKeys(config: Pick<Config, "KEY_PREFIX">, pageKey: string) {
  const base = `${namespace(config)}view:{${pageKey}}`;
  return {
    total: `${base}:total`,
    bots: `${base}:bots`,
    day: (day: string) => `${base}:day:${day}`,
    botsDay: (day: string) => `${base}:bots:${day}`,
    uniques: (day: string) => `${base}:uniques:${day}`,
    /** `visitorId` is our own base64url HMAC, never user input. */
    seen: (visitorId: string) => `${base}:seen:${visitorId}`,
  };
}

/** The shared per-day top-pages keys; they share the hash tag `{top}` so a union stays in one slot. */
export function topKeys(config: Pick<Config, "KEY_PREFIX">) {
  const base = `${namespace(config)}views:{top}`;
  return {
    day: (day: string) => `${base}:${day}`,
    pagesOn: (day: string) => `${base}:pages:${day}`,
  };
}

/** UTC days from `now` backwards, newest first: ["2026-01-31", "2026-01-30", ...]. */
export function lastDays(now: number, count: number): string[] {
  const days: string[] = [];
  for (let i = 0; i < count; i++) days.push(new Date(now - i * DAY_MS).toISOString().slice(0, 10));
  return days;
}

/** Unix seconds at which the per-day keys of `now`'s UTC day expire. */
export function dayKeysExpireAt(now: number, retentionDays: number): number {
  const startOfDay = now - (now % DAY_MS);
  return Math.floor((startOfDay + (1 + retentionDays + RETENTION_MARGIN_DAYS) * DAY_MS) / 1000);
}
