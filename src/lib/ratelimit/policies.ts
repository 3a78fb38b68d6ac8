import { z } from "zod";
import { jsonVariable } from "../json-variable.ts";

/** The algorithms of `@upstash/ratelimit` a policy may pick. */
export const ALGORITHMS = ["slidingWindow", "fixedWindow", "tokenBucket"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/**
 * One named limit. `limit` requests per `window` seconds; for a token bucket `limit` is the bucket
 * size (the burst) and `refill` tokens come back every `window` seconds.
 */
export interface Policy {
  algorithm: Algorithm;
  limit: number;
  /** Seconds. */
  window: number;
  /** Token bucket only: tokens added per window (defaults to `limit`). */
  refill: number;
  /**
   * What a request gets when Redis is slow or down: "open" lets it through (reads, counters: an
   * outage must not take the site down), "closed" refuses it with a 503 (creation: an outage must
   * not become a free-for-all for spammers).
   */
  onRedisFailure: "open" | "closed";
}

/** The built-in policies. RATE_LIMITS overrides any field of any of them, without code changes. */
export const DEFAULT_POLICIES = {
  default: { algorithm: "slidingWindow", limit: 120, window: 60, refill: 120, onRedisFailure: "open" },
  redirect: { algorithm: "slidingWindow", limit: 600, window: 60, refill: 600, onRedisFailure: "open" },
  // Counted per isolate in fixed windows (routes.ts: spend "local"); the algorithm field is not used.
  "evaluate-flags": { algorithm: "fixedWindow", limit: 600, window: 60, refill: 600, onRedisFailure: "open" },
  "unlock-link": { algorithm: "slidingWindow", limit: 10, window: 60, refill: 10, onRedisFailure: "closed" },
  "count-view": { algorithm: "slidingWindow", limit: 300, window: 60, refill: 300, onRedisFailure: "open" },
  "create-link": { algorithm: "slidingWindow", limit: 20, window: 60, refill: 20, onRedisFailure: "closed" },
  // One unit per link: two full bulks of 100 an hour.
  "bulk-create-links": { algorithm: "slidingWindow", limit: 200, window: 3600, refill: 200, onRedisFailure: "closed" },
  // Per user id (POST /api/sessions counts per user, not per backend): a burst of 10 sign-ins,
  // then one every 6 s.
  "create-session": { algorithm: "tokenBucket", limit: 10, window: 60, refill: 10, onRedisFailure: "closed" },
  // Per end-user address, when the backend forwards it in Edgekit-Client-IP: 60 sign-ins a minute.
  "create-session-address": { algorithm: "slidingWindow", limit: 60, window: 60, refill: 60, onRedisFailure: "closed" },
  // Ten tries per ten minutes per client.
  "admin-login": { algorithm: "slidingWindow", limit: 10, window: 600, refill: 10, onRedisFailure: "closed" },
  // A sliding window, so the check folds into convert.lua (only sliding windows can be folded).
  conversions: { algorithm: "slidingWindow", limit: 60, window: 60, refill: 60, onRedisFailure: "open" },
  // Folded into submit-score.lua. Server submits all count as the one "admin" client, hence the size.
  "leaderboard-submit": { algorithm: "slidingWindow", limit: 3000, window: 60, refill: 3000, onRedisFailure: "open" },
  // Folded into hit.lua; admin only, so one client for the whole backend too.
  "trending-hit": { algorithm: "slidingWindow", limit: 6000, window: 60, refill: 6000, onRedisFailure: "open" },
  // Public store-locator searches, per client; sliding windows, so the check folds into nearby.lua.
  "places-nearby": { algorithm: "slidingWindow", limit: 120, window: 60, refill: 120, onRedisFailure: "open" },
  // Position updates and bulks (admin: one shared quota for the whole fleet feeding them).
  "places-write": { algorithm: "slidingWindow", limit: 6000, window: 60, refill: 6000, onRedisFailure: "open" },
  // Folded into publish.lua (admin: one shared quota for the whole backend publishing).
  "channels-publish": { algorithm: "slidingWindow", limit: 6000, window: 60, refill: 6000, onRedisFailure: "open" },
  // SSE stream opens, counted per isolate (routes.ts: spend "local"): a reconnect costs no extra
  // round trip, so an idle connection stays at SUBSCRIBE + one history read per rotation.
  "channels-subscribe": { algorithm: "fixedWindow", limit: 120, window: 60, refill: 120, onRedisFailure: "open" },
  // Folded into beat.lua: per user (a tab beats every 15 s), or "admin" for server-sent beats.
  "presence-beat": { algorithm: "slidingWindow", limit: 6000, window: 60, refill: 6000, onRedisFailure: "open" },
  // The gateway's routes (GATEWAY_ROUTES), per client; sliding windows, so the check folds into the
  // cache lookup script: a cached hit stays one round trip.
  gateway: { algorithm: "slidingWindow", limit: 600, window: 60, refill: 600, onRedisFailure: "open" },
} as const satisfies Record<string, Policy>;

export type PolicyName = keyof typeof DEFAULT_POLICIES;
export const POLICY_NAMES = Object.keys(DEFAULT_POLICIES) as PolicyName[];
export type Policies = Record<PolicyName, Policy>;

const overrideSchema = z.strictObject({
  algorithm: z.enum(ALGORITHMS).optional(),
  limit: z.number().int().min(1).max(1_000_000).optional(),
  window: z
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .optional(),
  refill: z.number().int().min(1).max(1_000_000).optional(),
  onRedisFailure: z.enum(["open", "closed"]).optional(),
});

const overridesSchema = z.partialRecord(z.enum(POLICY_NAMES as [PolicyName, ...PolicyName[]]), overrideSchema);

/**
 * RATE_LIMITS: a JSON object of per-policy overrides, merged field by field over the defaults.
 *
 * @example RATE_LIMITS='{"create-link":{"limit":50},"default":{"algorithm":"fixedWindow","window":10,"limit":30}}'
 */
export const rateLimitsSchema = jsonVariable("RATE_LIMITS", overridesSchema).transform((overrides): Policies => {
  const policies = {} as Policies;
  for (const name of POLICY_NAMES) {
    const override = overrides[name] ?? {};
    const merged: Policy = { ...DEFAULT_POLICIES[name], ...override };
    // A bucket whose size was overridden refills to that size unless told otherwise.
    if (override.limit !== undefined && override.refill === undefined) merged.refill = merged.limit;
    policies[name] = merged;
  }
  return policies;
});
