import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { experimentKeys, indexKey } from "./keys.ts";
import { readDefinition } from "./read-experiment.ts";
import type { Experiment } from "./schema.ts";

/**
 * Every experiment, oldest first: the index (one ZRANGE), then every definition in one tick
 * (auto-pipelined into one request). Two round trips; an admin route, not a hot path.
 */
export async function listExperiments(redis: RedisClient, config: Pick<Config, "KEY_PREFIX">): Promise<Experiment[]> {
  const keys = (await redis.zrange(indexKey(config), 0, -1)) as string[];
  const experiments = await Promise.all(
    keys.map((key) => readDefinition(redis, experimentKeys(config, key).definition)),
  );
  return experiments.filter((e): e is Experiment => e !== undefined);
}
