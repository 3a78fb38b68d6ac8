import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { hashOf } from "./decode.ts";
import { experimentKeys } from "./keys.ts";
import { notFound } from "./not-found.ts";
import { experimentFromHash } from "./read-experiment.ts";
import type { Experiment } from "./schema.ts";

/** One experiment as stored (one HGETALL). Throws 404 when there is none. */
export async function getExperiment(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  key: string,
): Promise<Experiment> {
  const experiment = experimentFromHash(hashOf(await redis.hgetall(experimentKeys(config, key).definition)));
  if (!experiment) throw notFound(key);
  return experiment;
}
