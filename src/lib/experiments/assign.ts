import type { Config } from "../../env.ts";
import { namespace } from "../keys.ts";
import { limitedScript, type ScriptLimit } from "../ratelimit/limited-script.ts";
import type { RedisClient } from "../redis.ts";
import { utcDay } from "../visitor.ts";
import source from "./assign.lua";
import { rememberSalt, saltFor, unitBuckets } from "./buckets.ts";
import { decodeOutcome } from "./decode.ts";
import { experimentKeys } from "./keys.ts";
import { notFound } from "./not-found.ts";

export interface Assignment {
  variant: string;
  /** True when the unit is counted in the experiment (a stored assignment). */
  inExperiment: boolean;
  /** True when the variant came from the unit's stored assignment (a returning unit). */
  sticky: boolean;
  /** Why: new | assigned | outside_coverage | draft | paused | completed. */
  reason: "new" | "assigned" | "outside_coverage" | "draft" | "paused" | "completed";
}

type AssignReply = ({ outcome: "ok" } & Assignment) | { outcome: "not_found" } | { outcome: "salt"; salt: string };

// limitedScript: the assignment route's rate-limit check can run inside this script (#5).
const assignScript = limitedScript(source, (reply) => decodeOutcome<AssignReply>(reply));

/**
 * Assigns a unit of a validated experiment key in ONE EVALSHA: the script reads the definition,
 * returns the stored assignment if any, else picks the variant from the buckets computed here
 * (weights are read inside the script, so no definition cache can be stale), stores it and counts
 * the exposure, atomically. Throws 404 when there is no such experiment.
 *
 * @example
 * const { variant } = await assignUnit(redis, config, { key: "checkout", unitId: "user-42", limit });
 */
export async function assignUnit(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  input: { key: string; unitId: string; limit?: ScriptLimit; now?: number },
): Promise<Assignment> {
  const { key, unitId } = input;
  // The day a new unit's exposure is counted on (the results' daily chart).
  const day = utcDay(input.now ?? Date.now());
  const keys = experimentKeys(config, key);
  const scope = namespace(config);
  const run = (salt: string, limit?: ScriptLimit) => {
    const buckets = unitBuckets(salt, unitId);
    return assignScript.run(
      redis,
      [keys.definition, keys.assignments, keys.units, keys.daily],
      [unitId, salt, buckets.coverage, buckets.variant, day],
      limit,
    );
  };
  let reply = await run(saltFor(scope, key), input.limit);
  if (reply.outcome === "salt") {
    // The limit was spent by the first run; the retry must not spend it again.
    rememberSalt(scope, key, reply.salt);
    reply = await run(reply.salt);
  }
  if (reply.outcome === "not_found") throw notFound(key);
  if (reply.outcome !== "ok") throw new Error(`experiments: the salt of "${key}" changed twice during one assignment`);
  return { variant: reply.variant, inExperiment: reply.inExperiment, sticky: reply.sticky, reason: reply.reason };
}
