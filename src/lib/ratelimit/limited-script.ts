import type { Config } from "../../env.ts";
import { defineScript, type RedisClient, type ScriptArg } from "../redis.ts";
import { blockCache } from "./block-cache.ts";
import type { LimitOutcome } from "./check-limit.ts";
import { blockCacheKey } from "./keys.ts";
import type { Policies, PolicyName } from "./policies.ts";
import prologue from "./sliding-window.lua";

/**
 * A rate-limit check to fold into a route's own script: the route's hot path then costs ONE
 * round trip, check included, and a refused request has no side effect (no click, no view),
 * because the check runs first inside the same atomic script.
 *
 * Why not share a /pipeline with a separate check (auto-pipelining)? Both commands would run,
 * so a refused redirect would still count its click and consume maxClicks.
 */
export interface ScriptLimit {
  /** Current and previous window counters (the keys @upstash/ratelimit's slidingWindow uses). */
  keys: [string, string];
  args: [limit: number, now: number, windowMs: number, cost: number];
  /** Receives the decision; throws the 429 problem when it refuses. */
  settle(outcome: LimitOutcome): void;
}

/** A route script that can run with or without a folded rate-limit check. */
export interface LimitedScript<T> {
  run(redis: RedisClient, keys: string[], args: ScriptArg[], limit?: ScriptLimit): Promise<T>;
}

/**
 * Like `defineScript`, plus an optional `limit` from `c.var.rateLimit.forScript()` (passed down
 * by the route to its lib function). With it, the script becomes
 * `local function route(KEYS, ARGV) <source> end` followed by the sliding-window prologue
 * (sliding-window.lua), which shifts KEYS and ARGV so the route's script sees its own unchanged.
 *
 * @example
 * const follow = limitedScript(source, decodeFollow);
 * const result = await follow.run(redis, [key], [now], limit); // throws 429 before any side effect
 */
export function limitedScript<T>(source: string, decode: (reply: unknown) => T): LimitedScript<T> {
  // A shebang is only valid on a script's first line: it is hoisted above the wrapper.
  const eol = source.indexOf("\n");
  const shebang = source.startsWith("#!") && eol !== -1 ? source.slice(0, eol + 1) : "";
  const body = source.slice(shebang.length);
  const plain = defineScript(source, decode);
  const wrapped = defineScript(`${shebang}local function route(KEYS, ARGV)\n${body}\nend\n${prologue}`, (reply) =>
    Array.isArray(reply) ? reply : [],
  );
  return {
    async run(redis, keys, args, limit) {
      if (!limit) return plain.run(redis, keys, args);
      const reply = await wrapped.run(redis, [...limit.keys, ...keys], [...limit.args, ...args]);
      const [remaining, max] = [Number(reply[0]), Number(reply[1])];
      const [, now, windowMs] = limit.args;
      const reset = (Math.floor(now / windowMs) + 1) * windowMs;
      const blocked = remaining < 0;
      limit.settle({
        status: blocked ? "blocked" : "allowed",
        limit: max,
        remaining: Math.max(0, remaining),
        reset,
        cached: false,
        pending: Promise.resolve(),
      });
      return decode(reply[2] ?? null);
    },
  };
}

/**
 * The folded check for one request, or undefined when the policy's algorithm cannot be folded
 * (only slidingWindow can; the caller then checks separately). When this isolate's block cache
 * already holds the identifier, `settle` is called at once with the cached refusal (and throws).
 */
export function scriptLimit(
  config: Pick<Config, "KEY_PREFIX"> & { RATE_LIMITS: Policies },
  name: PolicyName,
  identifier: string,
  cost: number,
  now: number,
  settle: (outcome: LimitOutcome) => void,
): ScriptLimit | undefined {
  const policy = config.RATE_LIMITS[name];
  if (policy.algorithm !== "slidingWindow") return undefined;
  const cacheKey = blockCacheKey(config, name, identifier);
  const cache = blockCache();
  const blockedUntil = cache.get(cacheKey);
  if (blockedUntil !== undefined && blockedUntil > now) {
    settle({
      status: "blocked",
      limit: policy.limit,
      remaining: 0,
      reset: blockedUntil,
      cached: true,
      pending: Promise.resolve(),
    });
  }
  const windowMs = policy.window * 1000;
  const window = Math.floor(now / windowMs);
  return {
    keys: [`${cacheKey}:${window}`, `${cacheKey}:${window - 1}`],
    args: [policy.limit, now, windowMs, cost],
    settle(outcome) {
      // Remember a refusal here too, as the library does, so the flood that follows costs nothing.
      if (outcome.status === "blocked") cache.set(cacheKey, outcome.reset);
      settle(outcome);
    },
  };
}
