import type { Config } from "../../env.ts";
import type { ClientInfo } from "../client-info.ts";
import { limitedScript, type ScriptLimit } from "../ratelimit/limited-script.ts";
import type { RedisClient } from "../redis.ts";
import { utcDay, visitorId } from "../visitor.ts";
import source from "./count-view.lua";
import { toCounts } from "./decode.ts";
import { dayKeysExpireAt, pageKeys, topKeys } from "./keys.ts";
import { pageKeyOf } from "./page-id.ts";

export type ViewsConfig = Pick<Config, "KEY_PREFIX" | "HASH_SECRET" | "VIEWS_DEDUP_SECONDS" | "VIEWS_RETENTION_DAYS">;

export interface CountedView {
  /** Human views of the page, all time. */
  views: number;
  /** Distinct visitors of the page today (UTC), HyperLogLog estimate. */
  uniquesToday: number;
  /** False for a bot, or for a repeat view inside the dedup window. */
  counted: boolean;
}

// limitedScript: the count-view rate-limit check can run inside this script (#5).
const countScript = limitedScript(source, (reply): CountedView => {
  const [views, uniquesToday, counted] = toCounts(reply, 3) as [number, number, number];
  return { views, uniquesToday, counted: counted === 1 };
});

/**
 * Counts one view of a validated page id in one EVALSHA. The visitor id is computed here from the
 * client's IP and user agent and only that id reaches Redis; a bot's hit is counted apart.
 *
 * @example
 * const result = await countView(redis, config, { page, client: clientInfo(c.req.raw), now });
 */
export async function countView(
  redis: RedisClient,
  config: ViewsConfig,
  input: {
    page: string;
    client: Pick<ClientInfo, "ip" | "userAgent" | "bot">;
    now: number;
    /** The rate-limit check to fold in (`await c.var.rateLimit.forScript()`): still one round trip, no view counted when refused. */
    limit?: ScriptLimit;
  },
): Promise<CountedView> {
  const { page, client, now } = input;
  const day = utcDay(now);
  const keys = pageKeys(config, await pageKeyOf(page));
  // A bot needs no visitor id (it never enters the HyperLogLog or a dedup key).
  const visitor = client.bot
    ? ""
    : await visitorId({ secret: config.HASH_SECRET, now, ip: client.ip, userAgent: client.userAgent, scope: page });
  return countScript.run(
    redis,
    [
      keys.total,
      keys.bots,
      keys.day(day),
      keys.botsDay(day),
      keys.uniques(day),
      keys.seen(visitor),
      topKeys(config).day(day),
    ],
    [
      client.bot ? 1 : 0,
      visitor,
      config.VIEWS_DEDUP_SECONDS * 1000,
      dayKeysExpireAt(now, config.VIEWS_RETENTION_DAYS),
      page,
      now,
    ],
    input.limit,
  );
}
