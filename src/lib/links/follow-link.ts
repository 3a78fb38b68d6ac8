import type { Config } from "../../env.ts";
import type { ClientInfo } from "../client-info.ts";
import { limitedScript, type ScriptLimit } from "../ratelimit/limited-script.ts";
import type { RedisClient } from "../redis.ts";
import { utcDay, visitorId } from "../visitor.ts";
import source from "./follow-link.lua";
import { linkKeys, RETENTION_DAYS } from "./keys.ts";
import { SLUG_PATTERN } from "./slug.ts";
import { referrerHost, withForwardedQuery } from "./target-url.ts";

/** Referrer hosts kept per link: enough for a top list, bounded against made-up Referer headers. */
const REFERRERS_KEPT = 500;

type ScriptReply =
  | { r: "ok"; url: string; status: number; fq: number; limited: number }
  | { r: "missing" | "password" }
  | { r: "expired" | "exhausted"; fallback: string };

const followLinkScript = limitedScript(source, (reply) => {
  if (typeof reply !== "string") throw new Error("follow-link.lua: expected a JSON string reply");
  return JSON.parse(reply) as ScriptReply;
});

export type FollowOutcome =
  | { kind: "redirect"; location: string; status: 301 | 302 | 307 | 308; cacheControl: string }
  /** Expired or out of clicks: `location` is the link's expiredUrl when it has one. */
  | { kind: "gone"; reason: "expired" | "exhausted"; location: string | null }
  | { kind: "password" }
  | { kind: "missing" };

export interface FollowInput {
  slug: string;
  now: number;
  client: ClientInfo;
  /** The short URL's raw query string without "?", forwarded when the link says so. */
  query: string;
  /** For password links: the stored hash the caller has verified the visitor's password against. */
  verifiedPasswordHash?: string;
  /**
   * A rate-limit check to fold into the same script (`await c.var.rateLimit.forScript()`): still one
   * round trip, and a refused request counts no click (the check runs first and throws a 429).
   */
  limit?: ScriptLimit;
  /** Answer what the link would do without counting a click or spending maxClicks (HEAD). */
  peek?: boolean;
}

/**
 * Follows a link in ONE round trip (one script): expiry, max clicks (exact under concurrency),
 * password gate, click counting (bots apart), target. The caller turns the outcome into a response.
 *
 * @example
 * const outcome = await followLink(redis, config, { slug, now, client: clientInfo(req), query });
 * if (outcome.kind === "redirect") return c.redirect(outcome.location, outcome.status);
 */
export async function followLink(redis: RedisClient, config: Config, input: FollowInput): Promise<FollowOutcome> {
  // Anything that is not a slug cannot be a link; it never reaches a key.
  if (!SLUG_PATTERN.test(input.slug)) return { kind: "missing" };
  const { client, now } = input;
  const keys = linkKeys(config, input.slug);
  const day = utcDay(now);
  const dayEnds = Date.parse(`${day}T00:00:00Z`) + 86_400_000;
  const ttlSeconds = Math.ceil((dayEnds - now) / 1000) + RETENTION_DAYS * 86_400;
  const visitor = client.bot
    ? ""
    : await visitorId({
        secret: config.HASH_SECRET,
        now,
        ip: client.ip,
        userAgent: client.userAgent,
        scope: `link:${input.slug}`,
      });
  const reply = await followLinkScript.run(
    redis,
    [keys.record, keys.counts, keys.day(day), keys.uniques, keys.referrers, keys.countries],
    [
      now,
      ttlSeconds,
      visitor,
      referrerHost(client.referrer),
      client.country,
      client.bot ? "1" : "0",
      input.verifiedPasswordHash ?? "",
      REFERRERS_KEPT,
      input.peek ? "1" : "0",
    ],
    input.limit,
  );
  switch (reply.r) {
    case "ok": {
      const status = reply.status as 301 | 302 | 307 | 308;
      // Browsers keep permanent redirects, and a cached redirect is a click nobody counts: only an
      // unlimited 301/308 may be cached, and only briefly, by the browser alone.
      const cacheable = (status === 301 || status === 308) && reply.limited === 0;
      return {
        kind: "redirect",
        location: reply.fq === 1 ? withForwardedQuery(reply.url, input.query) : reply.url,
        status,
        cacheControl: cacheable ? "private, max-age=300" : "no-store",
      };
    }
    case "expired":
    case "exhausted":
      return { kind: "gone", reason: reply.r, location: reply.fallback || null };
    case "password":
      return { kind: "password" };
    default:
      return { kind: "missing" };
  }
}
