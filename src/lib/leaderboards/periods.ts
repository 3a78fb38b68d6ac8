import type { Window } from "./schema.ts";

/**
 * Calendar periods of a board's windows, in the board's IANA time zone, computed with Intl (so
 * DST and historical offsets come from the runtime's tz database). Ids sort as their periods do:
 *
 *   day    2026-11-23   the local calendar day
 *   week   2026-W48     the ISO 8601 week (Monday to Sunday; the year is the ISO week-year)
 *   month  2026-11      the local calendar month
 *   all    all          one period that never ends
 *
 * A period ends at the first instant whose local date belongs to a later period: the board's
 * local midnight, or the first instant of the new day where DST skips midnight. The scripts get
 * these instants as arguments; Lua never sees a time zone.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface Period {
  window: Window;
  id: string;
  /** When the period ends (ms), or null for "all". */
  endsAt: number | null;
  /** When its keys expire (ms): the end of the period after it, or null for "all". */
  expiresAt: number | null;
}

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    if (formatters.size >= 512) formatters.clear();
    formatters.set(timeZone, format);
  }
  return format;
}

/** The wall clock at `at` in `timeZone`, as if it were UTC (ms, whole seconds). */
function wallClock(at: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(at)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const { year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

function localDate(at: number, timeZone: string): LocalDate {
  const wall = new Date(wallClock(at, timeZone));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** The ISO week-year and week of a calendar date. */
function isoWeek(date: LocalDate): { year: number; week: number } {
  const utc = Date.UTC(date.year, date.month - 1, date.day);
  const weekday = (new Date(utc).getUTCDay() + 6) % 7; // Monday = 0
  const thursday = utc + (3 - weekday) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  return { year, week: 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) };
}

function periodIdOf(window: Window, date: LocalDate): string {
  switch (window) {
    case "all":
      return "all";
    case "day":
      return `${date.year}-${pad(date.month)}-${pad(date.day)}`;
    case "month":
      return `${date.year}-${pad(date.month)}`;
    case "week": {
      const { year, week } = isoWeek(date);
      return `${year}-W${pad(week)}`;
    }
  }
}

/** The id of the period of `window` that holds the instant `at`. */
export function periodId(window: Window, timeZone: string, at: number): string {
  return window === "all" ? "all" : periodIdOf(window, localDate(at, timeZone));
}

/** The wall-clock (as UTC ms) first day of the period after the one holding `date`. */
function nextStartWall(window: Exclude<Window, "all">, date: LocalDate): number {
  if (window === "day") return Date.UTC(date.year, date.month - 1, date.day + 1);
  if (window === "month") return Date.UTC(date.year, date.month, 1);
  const utc = Date.UTC(date.year, date.month - 1, date.day);
  const weekday = (new Date(utc).getUTCDay() + 6) % 7;
  return utc + (7 - weekday) * DAY_MS;
}

const ends = new Map<string, number>();

/**
 * The first instant after `at` that belongs to a later period of `window`. A guess from the
 * current UTC offset, then a binary search to the millisecond between a point still inside the
 * period and one past it, so a DST change near the boundary cannot move it. Remembered per
 * (zone, window, period): the search runs once per period per isolate.
 */
function periodEnd(window: Exclude<Window, "all">, timeZone: string, at: number): number {
  const date = localDate(at, timeZone);
  const current = periodIdOf(window, date);
  const cacheKey = `${timeZone}|${window}|${current}`;
  const known = ends.get(cacheKey);
  if (known !== undefined) return known;
  const later = (t: number) => periodId(window, timeZone, t) > current;
  const offset = wallClock(at, timeZone) - at;
  let hi = Math.max(at + 1, nextStartWall(window, date) - offset);
  for (let i = 0; i < 64 && !later(hi); i++) hi += HOUR_MS;
  let lo = at;
  const near = hi - 3 * HOUR_MS;
  if (near > lo && !later(near)) lo = near;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (later(mid)) hi = mid;
    else lo = mid;
  }
  if (ends.size >= 2048) ends.clear();
  ends.set(cacheKey, hi);
  return hi;
}

/**
 * The last period seen per (zone, window), with the instant it was first seen at: an instant
 * between that and the period's end needs no Intl call at all (formatToParts costs tens of µs,
 * and a submit needs three periods).
 */
const spans = new Map<string, { from: number; period: Period }>();

/** The period of `window` holding `at`, with its end and its keys' expiry. */
export function periodAt(window: Window, timeZone: string, at: number): Period {
  if (window === "all") return { window, id: "all", endsAt: null, expiresAt: null };
  const spanKey = `${timeZone}|${window}`;
  const span = spans.get(spanKey);
  if (span?.period.endsAt && at >= span.from && at < span.period.endsAt) return span.period;
  const endsAt = periodEnd(window, timeZone, at);
  const period = { window, id: periodId(window, timeZone, at), endsAt, expiresAt: periodEnd(window, timeZone, endsAt) };
  if (spans.size >= 2048) spans.clear();
  spans.set(spanKey, { from: at, period });
  return period;
}

const PERIOD_FORMATS: Record<Exclude<Window, "all">, RegExp> = {
  day: /^(\d{4})-(\d{2})-(\d{2})$/,
  week: /^(\d{4})-W(\d{2})$/,
  month: /^(\d{4})-(\d{2})$/,
};

export const PERIOD_HINT = "a day is 2026-11-23, an ISO week 2026-W48, a month 2026-11; the all window has none";

/**
 * The named period of `window` (a past one, say), or undefined when `id` is not a valid period
 * id for that window. Its end is found from an instant near its local noon.
 */
export function namedPeriod(window: Window, timeZone: string, id: string): Period | undefined {
  if (window === "all") return id === "all" ? periodAt("all", timeZone, 0) : undefined;
  const match = PERIOD_FORMATS[window].exec(id);
  if (!match) return undefined;
  const [year, second, third] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 1)];
  let wall: number;
  if (window === "week") {
    if (second < 1 || second > 53) return undefined;
    const jan4 = Date.UTC(year, 0, 4);
    const monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
    wall = monday + (second - 1) * 7 * DAY_MS;
  } else {
    wall = Date.UTC(year, second - 1, third);
  }
  const noon = wall + 12 * HOUR_MS;
  const inside = noon - (wallClock(noon, timeZone) - noon);
  const period = periodAt(window, timeZone, inside);
  // Rejects 2026-02-30, 2027-W53 (2027 has 52 ISO weeks) and days a zone skipped.
  return period.id === id ? period : undefined;
}
