import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { experimentKeys } from "./keys.ts";
import { notFound } from "./not-found.ts";
import { readDefinition } from "./read-experiment.ts";
import type { Experiment } from "./schema.ts";

/** One experiment as stored (one HMGET). Throws 404 when there is none. */
export async function getExperiment(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  key: string,
): Promise<Experiment> {
  const experiment = await readDefinition(redis, experimentKeys(config, key).definition);
  if (!experiment) throw notFound(key);
  return experiment;
}
