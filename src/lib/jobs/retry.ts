/** Jitter around each scheduled delay: ±20%, so retries of a burst do not arrive together. */
export const JITTER = 0.2;

/** The longest Retry-After honoured (a day): a receiver cannot park a job forever. */
export const MAX_RETRY_AFTER_MS = 86_400_000;

/**
 * The delay before the retry that follows attempt `attempt` (1-based): `schedule[attempt - 1]`
 * (the last entry repeats when maxAttempts outruns the schedule), with ±20% jitter, and never
 * sooner than the receiver's Retry-After.
 *
 * @example retryDelay(1, [5000, 300000], () => 0.5) === 5000 // the middle of 4000..6000
 */
export function retryDelay(
  attempt: number,
  schedule: readonly number[],
  random: () => number,
  retryAfterMs?: number,
): number {
  const base = schedule.length === 0 ? 0 : (schedule[Math.min(attempt, schedule.length) - 1] ?? 0);
  const jittered = Math.round(base * (1 - JITTER + 2 * JITTER * random()));
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

/** A Retry-After header (delay-seconds or an HTTP date) as milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
