import type { Config } from "../../env.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { linkNotFound } from "./get-link.ts";
import { lastDays, linkKeys } from "./keys.ts";
import source from "./link-stats.lua";

/** Entries in the top referrer and country lists. */
const TOP = 10;

export interface LinkStats {
  slug: string;
  /** Human clicks (redirects served to clients that are not bots). */
  clicks: number;
  /** Clicks by bots and scripts (link previews, crawlers, no user agent): served, counted apart. */
  botClicks: number;
  /** Distinct human visitors (HyperLogLog estimate, ~0.8% error; exact for small counts). */
  uniqueVisitors: number;
  /** Human clicks per UTC day, oldest first, the last `days` days including today. */
  daily: { day: string; clicks: number }[];
  referrers: { host: string; clicks: number }[];
  countries: { country: string; clicks: number }[];
}

interface Reply {
  found: number;
  humans: number;
  bots: number;
  uniques: number;
  days: number[] | Record<string, never>;
  referrers: string[] | Record<string, never>;
  countries: string[] | Record<string, never>;
}

const statsScript = defineScript(source, (reply) => {
  if (typeof reply !== "string") throw new Error("link-stats.lua: expected a JSON string reply");
  return JSON.parse(reply) as Reply;
});

// cjson encodes an empty Lua table as {}: read it as an empty list.
const list = <T>(value: T[] | Record<string, never>): T[] => (Array.isArray(value) ? value : []);

function pairs(flat: string[]): [string, number][] {
  const out: [string, number][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] as string, Number(flat[i + 1])]);
  return out;
}

/** A link's click statistics over the last `days` days (one round trip); a 404 problem when absent. */
export async function linkStats(
  redis: RedisClient,
  config: Config,
  input: { slug: string; days: number; now: number },
): Promise<LinkStats> {
  const keys = linkKeys(config, input.slug);
  const days = lastDays(input.now, input.days);
  const reply = await statsScript.run(
    redis,
    [keys.record, keys.counts, keys.uniques, keys.referrers, keys.countries, ...days.map(keys.day)],
    [TOP],
  );
  if (reply.found !== 1) throw linkNotFound(input.slug);
  const counts = list(reply.days);
  return {
    slug: input.slug,
    clicks: reply.humans,
    botClicks: reply.bots,
    uniqueVisitors: reply.uniques,
    daily: days.map((day, i) => ({ day, clicks: counts[i] ?? 0 })).reverse(),
    referrers: pairs(list(reply.referrers)).map(([host, clicks]) => ({ host, clicks })),
    countries: pairs(list(reply.countries)).map(([country, clicks]) => ({ country, clicks })),
  };
}
