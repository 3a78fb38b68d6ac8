import type { Config } from "../../env.ts";
import type { ClientInfo } from "../client-info.ts";
import { AppError, validationError } from "../errors.ts";
import { limitedScript, type ScriptLimit } from "../ratelimit/limited-script.ts";
import type { RedisClient } from "../redis.ts";
import { utcDay, visitorId } from "../visitor.ts";
import { pageAllowed } from "./allowed-pages.ts";
import source from "./count-view.lua";
import { toCounts } from "./decode.ts";
import { dayKeysExpireAt, pageKeys, topKeys } from "./keys.ts";
import { pageKeyOf } from "./page-id.ts";

const DAY_MS = 86_400_000;

export type ViewsConfig = Pick<
  Config,
  | "KEY_PREFIX"
  | "HASH_SECRET"
  | "VIEWS_DEDUP_SECONDS"
  | "VIEWS_RETENTION_DAYS"
  | "VIEWS_MAX_PAGES_PER_DAY"
  | "VIEWS_ALLOWED_PAGES"
>;

/** Pages kept in each day's top list: enough for any top list, bounded against made-up page ids. */
export const TOP_PAGES_KEPT = 1000;

export interface CountedView {
  /** Human views of the page, all time. */
  views: number;
  /** Distinct visitors of the page today (UTC), HyperLogLog estimate. */
  uniquesToday: number;
  /** False for a bot, or for a repeat view inside the dedup window. */
  counted: boolean;
}

// limitedScript: the count-view rate-limit check can run inside this script (#5).
const countScript = limitedScript(source, (reply) => {
  const [views, uniquesToday, counted, refused] = toCounts(reply, 4) as [number, number, number, number];
  return { views, uniquesToday, counted: counted === 1, refused: refused === 1 };
});

/**
 * Counts one view of a validated page id in one EVALSHA. The visitor id is computed here from the
 * client's IP and user agent and only that id reaches Redis; a bot's hit is counted apart.
 * Public writers cannot grow storage without bound: a page outside VIEWS_ALLOWED_PAGES is refused
 * with a 422 (before Redis is asked), and a page not yet seen today once VIEWS_MAX_PAGES_PER_DAY
 * pages were is refused with a 429 until the next UTC day (nothing is written).
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
  if (!pageAllowed(config.VIEWS_ALLOWED_PAGES, page)) {
    throw validationError([{ path: "page", message: "is not one this site counts (VIEWS_ALLOWED_PAGES)" }]);
  }
  const day = utcDay(now);
  const keys = pageKeys(config, await pageKeyOf(page));
  // A bot needs no visitor id (it never enters the HyperLogLog or a dedup key).
  const visitor = client.bot
    ? ""
    : await visitorId({ secret: config.HASH_SECRET, now, ip: client.ip, userAgent: client.userAgent, scope: page });
  const top = topKeys(config);
  const { refused, ...counted } = await countScript.run(
    redis,
    [
      keys.total,
      keys.bots,
      keys.day(day),
      keys.botsDay(day),
      keys.uniques(day),
      keys.seen(visitor),
      top.day(day),
      top.pagesOn(day),
    ],
    [
      client.bot ? 1 : 0,
      visitor,
      config.VIEWS_DEDUP_SECONDS * 1000,
      dayKeysExpireAt(now, config.VIEWS_RETENTION_DAYS),
      page,
      now,
      config.VIEWS_MAX_PAGES_PER_DAY,
      TOP_PAGES_KEPT,
    ],
    input.limit,
  );
  if (refused) {
    const retryAfter = Math.max(1, Math.ceil((DAY_MS - (now % DAY_MS)) / 1000));
    throw new AppError(
      "quota_exceeded",
      `Views of ${config.VIEWS_MAX_PAGES_PER_DAY} distinct pages were counted today (VIEWS_MAX_PAGES_PER_DAY): new pages are counted again from the next UTC day.`,
      { headers: { "retry-after": String(retryAfter) }, extensions: { policy: "views-pages-per-day" } },
    );
  }
  return counted;
}
