import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { type Fence, fenceNotFound, toFence } from "./fence.ts";
import { setKeys } from "./keys.ts";
import { hashPairs } from "./record.ts";

/** Every fence of a set, by id (one HGETALL). */
export async function listFences(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  set: string,
): Promise<Fence[]> {
  const pairs = hashPairs(await redis.hgetall(setKeys(config, set).fences));
  return pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, raw]) => toFence(id, raw));
}

/** One fence, or a 404 (one HGET). */
export async function getFence(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  input: { set: string; id: string },
): Promise<Fence> {
  const raw = await redis.hget<string>(setKeys(config, input.set).fences, input.id);
  if (typeof raw !== "string") throw fenceNotFound(input.set, input.id);
  return toFence(input.id, raw);
}
