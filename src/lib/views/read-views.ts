import { validationError } from "../errors.ts";
import type { RedisClient } from "../redis.ts";
import type { ViewsConfig } from "./count-view.ts";
import { toCount } from "./decode.ts";
import { lastDays, pageKeys } from "./keys.ts";
import { pageKeyOf } from "./page-id.ts";

export interface DayViews {
  day: string;
  views: number;
  uniques: number;
  bots: number;
}

export interface PageViews {
  page: string;
  /** Human views, all time. */
  views: number;
  /** Bot hits, all time. */
  bots: number;
  range: {
    days: number;
    from: string;
    to: string;
    views: number;
    bots: number;
    /** PFCOUNT over every day's HyperLogLog: a true union, not the sum of the days. */
    uniques: number;
  };
  /** Newest day first. */
  perDay: DayViews[];
}

/**
 * Reads a page's counts over the last `days` UTC days (today included) in one round trip: the
 * commands are issued in one tick, so auto-pipelining sends them as one /pipeline request.
 */
export async function readViews(
  redis: RedisClient,
  config: Pick<ViewsConfig, "KEY_PREFIX" | "VIEWS_RETENTION_DAYS">,
  input: { page: string; days: number; now: number },
): Promise<PageViews> {
  const { page, days, now } = input;
  if (days > config.VIEWS_RETENTION_DAYS) {
    throw validationError([
      { path: "query.days", message: `must be at most ${config.VIEWS_RETENTION_DAYS} (VIEWS_RETENTION_DAYS)` },
    ]);
  }
  const keys = pageKeys(config, await pageKeyOf(page));
  const dayList = lastDays(now, days);
  const uniqueKeys = dayList.map(keys.uniques);
  const [totals, dayViews, dayBots, union, ...dayUniques] = await Promise.all([
    redis.mget<unknown[]>(keys.total, keys.bots),
    redis.mget<unknown[]>(...dayList.map(keys.day)),
    redis.mget<unknown[]>(...dayList.map(keys.botsDay)),
    redis.pfcount(uniqueKeys[0] as string, ...uniqueKeys.slice(1)),
    ...uniqueKeys.map((key) => redis.pfcount(key)),
  ]);
  const perDay = dayList.map((day, i) => ({
    day,
    views: toCount(dayViews[i]),
    uniques: toCount(dayUniques[i]),
    bots: toCount(dayBots[i]),
  }));
  return {
    page,
    views: toCount(totals[0]),
    bots: toCount(totals[1]),
    range: {
      days,
      from: dayList[dayList.length - 1] as string,
      to: dayList[0] as string,
      views: perDay.reduce((sum, d) => sum + d.views, 0),
      bots: perDay.reduce((sum, d) => sum + d.bots, 0),
      uniques: toCount(union),
    },
    perDay,
  };
}

/** A page's all-time human views, one GET (for the badge). */
export async function readTotal(
  redis: RedisClient,
  config: Pick<ViewsConfig, "KEY_PREFIX">,
  page: string,
): Promise<number> {
  return toCount(await redis.get(pageKeys(config, await pageKeyOf(page)).total));
}
