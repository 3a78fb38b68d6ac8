import { defineScript, type RedisClient } from "../redis.ts";
import type { ViewsConfig } from "./count-view.ts";
import { lastDays, topKeys } from "./keys.ts";
import top from "./top-pages.lua";

export const TOP_PERIODS = { day: 1, "7d": 7, "30d": 30 } as const;
export type TopPeriod = keyof typeof TOP_PERIODS;

export interface TopPage {
  page: string;
  views: number;
}

const topScript = defineScript(top, (reply): TopPage[] => {
  if (typeof reply !== "string") throw new TypeError(`top-pages.lua replied ${JSON.stringify(reply)}`);
  return JSON.parse(reply) as TopPage[];
});

/**
 * The most viewed pages (human views) over today, the last 7 or the last 30 UTC days, in one
 * read-only EVALSHA_RO: several days are summed with ZUNION, nothing is written.
 */
export async function topPages(
  redis: RedisClient,
  config: Pick<ViewsConfig, "KEY_PREFIX">,
  input: { period: TopPeriod; limit: number; now: number },
): Promise<{ period: TopPeriod; from: string; to: string; pages: TopPage[] }> {
  const keys = topKeys(config);
  const days = lastDays(input.now, TOP_PERIODS[input.period]);
  const pages = await topScript.run(redis, days.map(keys.day), [input.limit]);
  return { period: input.period, from: days[days.length - 1] as string, to: days[0] as string, pages };
}
