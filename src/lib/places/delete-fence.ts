import type { Config } from "../../env.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import source from "./delete-fence.lua";
import { fenceNotFound } from "./fence.ts";
import { setKeys } from "./keys.ts";

const deleteScript = defineScript(source, (reply) => Number(reply) === 1);

/** Deletes a fence, or a 404. One round trip. */
export async function deleteFence(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  input: { set: string; id: string },
): Promise<void> {
  const keys = setKeys(config, input.set);
  if (!(await deleteScript.run(redis, [keys.fences, keys.fenceGeo, keys.fenceRadius], [input.id]))) {
    throw fenceNotFound(input.set, input.id);
  }
}
