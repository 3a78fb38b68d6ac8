import type { Config } from "../../env.ts";
import { AppError, validationError } from "../errors.ts";
import { limitedScript, type ScriptLimit } from "../ratelimit/limited-script.ts";
import type { RedisClient } from "../redis.ts";
import { utcDay } from "../visitor.ts";
import source from "./convert.lua";
import { decodeOutcome } from "./decode.ts";
import { experimentKeys } from "./keys.ts";
import { notFound } from "./not-found.ts";

export interface Conversion {
  /** The unit's stored variant, which the conversion is attributed to. */
  variant: string;
  /** False when the unit had converted on this goal before (nothing was counted). */
  counted: boolean;
}

type ConvertReply =
  | ({ outcome: "ok" } & Conversion)
  | { outcome: "not_found" | "unknown_goal" | "completed" | "not_assigned" };

// limitedScript: the conversions route's rate-limit check runs inside this script (#5), so a
// conversion costs one round trip and a refused one counts nothing.
const convertScript = limitedScript(source, (reply) => decodeOutcome<ConvertReply>(reply));

/**
 * Counts a conversion once per unit and goal, for the unit's stored variant, in ONE EVALSHA.
 * A unit that was never assigned gets a 409 and nothing is counted; an unknown goal is a 422.
 *
 * @example
 * await recordConversion(redis, config, { key: "checkout", unitId: "user-42", goal: "purchase", value: 59.9 });
 */
export async function recordConversion(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  input: { key: string; unitId: string; goal: string; value?: number; limit?: ScriptLimit; now?: number },
): Promise<Conversion> {
  const { key, unitId, goal, value } = input;
  const keys = experimentKeys(config, key);
  const reply = await convertScript.run(
    redis,
    [keys.definition, keys.assignments, keys.converted, keys.conversions, keys.daily],
    [unitId, goal, value === undefined ? "" : String(value), utcDay(input.now ?? Date.now())],
    input.limit,
  );
  switch (reply.outcome) {
    case "ok":
      return { variant: reply.variant, counted: reply.counted };
    case "not_found":
      throw notFound(key);
    case "unknown_goal":
      throw validationError([{ path: "goal", message: `"${goal}" is not a goal of experiment "${key}"` }]);
    case "completed":
      throw new AppError("conflict", `Experiment "${key}" is completed: its results are final.`);
    case "not_assigned":
      throw new AppError(
        "conflict",
        `Unit "${unitId}" was never assigned in experiment "${key}": assign it first (POST /api/experiments/${key}/assignment).`,
      );
  }
}
