import type { Config } from "../../env.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { listNotFound } from "./decode.ts";
import source from "./delete-list.lua";
import { listIndexKey, scriptKeys } from "./keys.ts";

const deleteScript = defineScript(source, (reply) => Array.isArray(reply) && Number(reply[0]) === 1);

/** Deletes a trending list with its items and undo records, in one script. 404 when absent. */
export async function deleteList(redis: RedisClient, config: Pick<Config, "KEY_PREFIX">, key: string): Promise<void> {
  const deleted = await deleteScript.run(redis, [...scriptKeys(config, key), listIndexKey(config)], [key]);
  if (!deleted) throw listNotFound(key);
}
