import type { Config } from "../../env.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { checkActor, DEFAULT_ACTOR, decodeWriteReply, HISTORY_LIMIT } from "./audit.ts";
import { invalidateFlagSet } from "./cache.ts";
import source from "./delete-flag.lua";
import { flagKeys } from "./keys.ts";
import { flagNotFound } from "./not-found.ts";
import { FLAG_KEY } from "./schema.ts";

const deleteScript = defineScript(source, decodeWriteReply);

/** Deletes a flag and records who did; its history stays readable. 404 when there is no such flag. */
export async function deleteFlag(
  redis: RedisClient,
  config: Config,
  now: number,
  key: string,
  actor: string = DEFAULT_ACTOR,
): Promise<{ version: number }> {
  if (!FLAG_KEY.test(key)) throw flagNotFound(key);
  checkActor(actor);
  const keys = flagKeys(config, key);
  const reply = await deleteScript.run(
    redis,
    [keys.flags, keys.version, keys.history],
    [key, Math.floor(now), JSON.stringify(actor), HISTORY_LIMIT],
  );
  invalidateFlagSet(config);
  if (!reply.changed) throw flagNotFound(key);
  return { version: reply.version };
}
