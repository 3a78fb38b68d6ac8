import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/env.ts";
import type { ClientInfo } from "../../../src/lib/client-info.ts";
import { AppError } from "../../../src/lib/errors.ts";
import { followLink } from "../../../src/lib/links/follow-link.ts";
import type { LimitOutcome } from "../../../src/lib/ratelimit/check-limit.ts";
import { scriptLimit } from "../../../src/lib/ratelimit/limited-script.ts";
import { createRedis } from "../../../src/lib/redis.ts";
import { cleanup, countRoundTrips, redisCommand } from "../support.ts";
import { BROWSER, linksApp } from "./helpers.ts";

const t = linksApp("follow");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));
const config = loadConfig(t.bindings);
const redis = createRedis(config);
const client: ClientInfo = { ip: "203.0.113.5", userAgent: BROWSER, country: "NL", referrer: undefined, bot: false };

describe("followLink", () => {
  it("costs exactly one round trip: one script does lookup, checks and counting", async () => {
    await t.create({ url: "https://example.com/one", slug: "one-trip" });
    const now = t.clock.now();
    await followLink(redis, config, { slug: "one-trip", now, client, query: "" });
    const { result, roundTrips } = await countRoundTrips(() =>
      followLink(redis, config, { slug: "one-trip", now, client, query: "" }),
    );
    expect(result).toEqual({
      kind: "redirect",
      location: "https://example.com/one",
      status: 302,
      cacheControl: "no-store",
    });
    expect(roundTrips).toBe(1);
  });

  it("stays one round trip with a rate-limit check folded in, and counts no click when refused", async () => {
    await t.create({ url: "https://example.com/lim", slug: "limited" });
    const outcomes: LimitOutcome[] = [];
    const limitFor = (now: number) =>
      scriptLimit(config, "redirect", `test:${now}`, 1, now, (outcome) => {
        outcomes.push(outcome);
        if (outcome.status === "blocked") throw new AppError("quota_exceeded", "over");
      });
    const now = Date.now();
    // The first call loads the wrapped script into Redis (EVALSHA, NOSCRIPT, EVAL): warm it up.
    await followLink(redis, config, { slug: "limited", now, client, query: "", limit: limitFor(now - 1) });
    outcomes.length = 0;
    const { roundTrips } = await countRoundTrips(() =>
      followLink(redis, config, { slug: "limited", now, client, query: "", limit: limitFor(now) }),
    );
    expect(roundTrips).toBe(1);
    expect(outcomes[0]?.status).toBe("allowed");
    // A policy of one redirect: the first passes, the second is refused before it counts anything.
    const tight = {
      ...config,
      RATE_LIMITS: { ...config.RATE_LIMITS, redirect: { ...config.RATE_LIMITS.redirect, limit: 1 } },
    };
    const once = scriptLimit(tight, "redirect", "test:tight", 1, now, () => undefined);
    await followLink(redis, tight, { slug: "limited", now, client, query: "", limit: once });
    const refused = scriptLimit(tight, "redirect", "test:tight", 1, now, (outcome) => {
      if (outcome.status === "blocked") throw new AppError("quota_exceeded", "over");
    });
    await expect(followLink(redis, tight, { slug: "limited", now, client, query: "", limit: refused })).rejects.toThrow(
      "over",
    );
    const counts = await redisCommand<string[]>("HGETALL", `${t.bindings.KEY_PREFIX}edgekit:link:{limited}:counts`);
    expect(counts).toEqual(["humans", "3"]);
  });

  it("keeps per-day counters for the retention period only", async () => {
    await t.create({ url: "https://example.com/ttl", slug: "ttl" });
    const now = t.clock.now();
    await followLink(redis, config, { slug: "ttl", now, client, query: "" });
    const day = new Date(now).toISOString().slice(0, 10);
    const ttl = await redisCommand<number>("TTL", `${t.bindings.KEY_PREFIX}edgekit:link:{ttl}:day:${day}`);
    expect(ttl).toBeGreaterThan(90 * 86_400);
    expect(ttl).toBeLessThanOrEqual(91 * 86_400);
  });
});
