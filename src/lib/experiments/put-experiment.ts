import type { Config } from "../../env.ts";
import { AppError, validationError } from "../errors.ts";
import { fieldErrorsOf } from "../field-errors.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { decodeOutcome } from "./decode.ts";
import { experimentKeys, indexKey } from "./keys.ts";
import source from "./put-experiment.lua";
import { type Definition, type Experiment, type ExperimentInput, experimentInputSchema } from "./schema.ts";

type PutReply =
  | { outcome: "ok"; created: boolean; createdAt: number }
  | { outcome: "variant_in_use"; variant: string; units: number };

const putScript = defineScript(source, (reply) => decodeOutcome<PutReply>(reply));

/**
 * Creates or replaces an experiment: validated whole first, then one script writes it (and adds
 * it to the index when new). Weights, coverage, status and goals may change at any time: stored
 * assignments never move. Removing a variant that already holds units is refused (409).
 *
 * @example
 * await putExperiment(redis, config, now, "checkout", {
 *   variants: [{ name: "control", weight: 1 }, { name: "one-page", weight: 1 }],
 *   status: "running", goals: ["purchase"],
 * });
 */
export async function putExperiment(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  now: number,
  key: string,
  input: ExperimentInput,
): Promise<{ experiment: Experiment; created: boolean }> {
  const keys = experimentKeys(config, key); // validates the key first
  const parsed = experimentInputSchema.safeParse(input);
  if (!parsed.success) {
    throw validationError(fieldErrorsOf(parsed.error));
  }
  const { winner, salt, ...rest } = parsed.data;
  // Built field by field so the stored JSON has no null or undefined (the Lua side decodes it).
  const definition: Definition = { key, ...rest, salt: salt ?? key, ...(winner === undefined ? {} : { winner }) };
  const at = Math.floor(now);
  const reply = await putScript.run(
    redis,
    [keys.definition, keys.units, indexKey(config)],
    [JSON.stringify(definition), definition.variants.map((v) => v.name).join(","), key, at],
  );
  if (reply.outcome === "variant_in_use") {
    throw new AppError(
      "conflict",
      `Variant "${reply.variant}" already holds ${reply.units} units: variants may be added or reweighted, not removed.`,
      { extensions: { variant: reply.variant, units: reply.units } },
    );
  }
  return { experiment: { ...definition, createdAt: reply.createdAt, updatedAt: at }, created: reply.created };
}
