import type { LimitOutcome } from "./check-limit.ts";
import type { Policy, PolicyName } from "./policies.ts";

/** Whole seconds until `reset` (ms since the epoch), rounded up, never negative. */
export function secondsUntil(reset: number, now: number): number {
  return Math.max(0, Math.ceil((reset - now) / 1000));
}

/**
 * The response headers for one limit decision, following the IETF draft "RateLimit header fields
 * for HTTP" (structured fields) plus the common X-RateLimit-* trio:
 *
 *   RateLimit-Policy: "default";q=120;w=60     quota q per window w seconds
 *   RateLimit: "default";r=119;t=37            r units left; t seconds until the quota resets
 *   X-RateLimit-Limit: 120
 *   X-RateLimit-Remaining: 119
 *   X-RateLimit-Reset: 37                      seconds until reset (a delta, like t; not an epoch)
 *   Retry-After: 37                            on 429 only; never earlier than t, at least 1
 *   RateLimit-Status: fail-open | fail-closed  only when Redis failed and the policy decided
 *
 * For a token bucket q is the bucket size and t the time to the next refill. When Redis failed
 * nothing is known about the quota, so only the policy is stated, with RateLimit-Status.
 */
export function rateLimitHeaders(
  name: PolicyName | (string & {}),
  policy: Pick<Policy, "limit" | "window">,
  outcome: LimitOutcome,
  now: number,
): Record<string, string> {
  const headers: Record<string, string> = {
    "ratelimit-policy": `"${name}";q=${policy.limit};w=${policy.window}`,
    "x-ratelimit-limit": String(policy.limit),
  };
  if ("cause" in outcome) {
    headers["ratelimit-status"] = outcome.status;
    return headers;
  }
  const t = secondsUntil(outcome.reset, now);
  headers.ratelimit = `"${name}";r=${outcome.remaining};t=${t}`;
  headers["x-ratelimit-remaining"] = String(outcome.remaining);
  headers["x-ratelimit-reset"] = String(t);
  if (outcome.status === "blocked") headers["retry-after"] = String(Math.max(1, t));
  return headers;
}
