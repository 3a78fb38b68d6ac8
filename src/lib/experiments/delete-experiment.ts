import type { Config } from "../../env.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import source from "./delete-experiment.lua";
import { experimentKeys, indexKey } from "./keys.ts";
import { notFound } from "./not-found.ts";

const deleteScript = defineScript(source, (reply) => Array.isArray(reply) && Number(reply[0]) === 1);

/** Deletes an experiment with its assignments and counters, in one script. Throws 404 when absent. */
export async function deleteExperiment(redis: RedisClient, config: Pick<Config, "KEY_PREFIX">, key: string) {
  const keys = experimentKeys(config, key);
  const deleted = await deleteScript.run(
    redis,
    [keys.definition, keys.assignments, keys.units, keys.conversions, keys.converted, indexKey(config), keys.daily],
    [key],
  );
  if (!deleted) throw notFound(key);
}
