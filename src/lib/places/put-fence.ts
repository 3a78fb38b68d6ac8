import type { Config } from "../../env.ts";
import { AppError } from "../errors.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { type Fence, preFilterCircle, toFence, toStoredFence } from "./fence.ts";
import { indexKey, setKeys } from "./keys.ts";
import source from "./put-fence.lua";
import { type FenceInput, LIMITS } from "./schema.ts";

const putScript = defineScript(source, (reply) => Number(reply));

/**
 * Creates or replaces a fence of a set (one round trip); 409 when the set already holds
 * LIMITS.fences others. Places are judged against it from their next position update on.
 */
export async function putFence(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  input: { set: string; id: string; fence: FenceInput; now: number },
): Promise<{ created: boolean; fence: Fence }> {
  const keys = setKeys(config, input.set);
  const stored = toStoredFence(input.fence, input.now);
  const circle = preFilterCircle(stored);
  const json = JSON.stringify(stored);
  const status = await putScript.run(
    redis,
    [keys.fences, keys.fenceGeo, keys.fenceRadius, indexKey(config)],
    [input.id, json, circle.lon, circle.lat, circle.radius, LIMITS.fences, input.now, input.set],
  );
  if (status < 0) {
    throw new AppError(
      "conflict",
      `Set "${input.set}" already holds ${LIMITS.fences} fences, the most a set may hold; delete one first.`,
    );
  }
  return { created: status === 1, fence: toFence(input.id, json) };
}
