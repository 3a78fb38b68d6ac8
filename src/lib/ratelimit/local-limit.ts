import type { LimitOutcome } from "./check-limit.ts";
import type { Policy, PolicyName } from "./policies.ts";

/**
 * In-isolate fixed windows, for routes whose answer costs no Redis at all: a warm OpenFeature
 * evaluation is served from the flag cache, and a Redis check would turn its zero round trips into
 * one. The count is per isolate (each Cloudflare location runs its own), so the limit is
 * approximate, like Cloudflare's own rate limiting binding; it still stops a flood at the isolate
 * that receives it. Key: policy + identifier -> the window's start and the units spent in it.
 */
const windows = new Map<string, { start: number; spent: number }>();

/** Above this many entries the map is emptied: distinct clients must not grow memory without bound. */
const MAX_ENTRIES = 10_000;

function windowOf(name: PolicyName, identifier: string, windowMs: number, now: number) {
  if (windows.size > MAX_ENTRIES) windows.clear();
  const key = `${name}\u0000${identifier}`;
  const start = Math.floor(now / windowMs) * windowMs;
  let entry = windows.get(key);
  if (!entry || entry.start !== start) {
    entry = { start, spent: 0 };
    windows.set(key, entry);
  }
  return entry;
}

/** Spends `cost` units in this isolate's window; a refused request spends nothing. */
export function localLimit(
  name: PolicyName,
  policy: Pick<Policy, "limit" | "window">,
  identifier: string,
  cost: number,
  now: number,
): LimitOutcome {
  const windowMs = policy.window * 1000;
  const entry = windowOf(name, identifier, windowMs, now);
  const allowed = entry.spent + cost <= policy.limit;
  if (allowed) entry.spent += cost;
  return {
    status: allowed ? "allowed" : "blocked",
    limit: policy.limit,
    remaining: Math.max(0, policy.limit - entry.spent),
    reset: entry.start + windowMs,
    cached: true,
    pending: Promise.resolve(),
  };
}

/** What `identifier` has left in this isolate's window, spending nothing. */
export function localRemaining(
  name: PolicyName,
  policy: Pick<Policy, "limit" | "window">,
  identifier: string,
  now: number,
): { remaining: number; reset: number } {
  const windowMs = policy.window * 1000;
  const entry = windowOf(name, identifier, windowMs, now);
  return { remaining: Math.max(0, policy.limit - entry.spent), reset: entry.start + windowMs };
}

/** Forgets `identifier`'s windows under every policy in this isolate (the admin reset). */
export function resetLocal(identifier: string): void {
  for (const key of windows.keys()) if (key.endsWith(`\u0000${identifier}`)) windows.delete(key);
}
