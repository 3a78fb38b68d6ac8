import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { checkContext } from "./context.ts";
import { type Evaluation, type EvaluationFailure, evaluate, evaluationFailure } from "./evaluate.ts";
import { loadFlag, loadFlagSet, type StoredFlag } from "./flag-set.ts";
import { FLAG_KEY } from "./schema.ts";

type FlagsConfig = Pick<Config, "UPSTASH_REDIS_REST_URL" | "KEY_PREFIX" | "FLAGS_CACHE_TTL_MS">;

/**
 * Evaluates one flag for a context from the wire. Never throws for a client's mistake: a bad
 * context is INVALID_CONTEXT, an unknown key FLAG_NOT_FOUND (neither costs a round trip). At most
 * one round trip; none while the isolate cache is warm.
 *
 * @example
 * await evaluateFlag(redis, config, now, "new-checkout", { targetingKey: "user-1" })
 */
export async function evaluateFlag(
  redis: RedisClient,
  config: FlagsConfig,
  now: number,
  key: string,
  context: unknown,
): Promise<Evaluation> {
  const checked = checkContext(context);
  if (!checked.ok) return evaluationFailure(key, "INVALID_CONTEXT", checked.details);
  if (!FLAG_KEY.test(key)) return evaluationFailure(key, "FLAG_NOT_FOUND", `There is no flag "${key}".`);
  const stored = await loadFlag(redis, config, now, key);
  if (!stored) return evaluationFailure(key, "FLAG_NOT_FOUND", `There is no flag "${key}".`);
  return evaluateStored(stored, checked.context);
}

export type BulkEvaluation = { ok: true; flags: Evaluation[] } | { ok: false; failure: EvaluationFailure };

/**
 * Evaluates every flag, sorted by key (so equal answers serialize equally, for the ETag). One
 * HGETALL when the cache is cold, none when warm. A bad context fails the whole request.
 */
export async function evaluateFlags(
  redis: RedisClient,
  config: FlagsConfig,
  now: number,
  context: unknown,
): Promise<BulkEvaluation> {
  const checked = checkContext(context);
  if (!checked.ok) return { ok: false, failure: evaluationFailure("", "INVALID_CONTEXT", checked.details) };
  const set = await loadFlagSet(redis, config, now);
  const keys = [...set.flags.keys()].sort();
  return { ok: true, flags: keys.map((key) => evaluateStored(set.flags.get(key) as StoredFlag, checked.context)) };
}

function evaluateStored(stored: StoredFlag, context: Parameters<typeof evaluate>[1]): Evaluation {
  if (!stored.ok) return evaluationFailure(stored.key, "PARSE_ERROR", stored.details);
  return evaluate(stored.flag, context);
}
