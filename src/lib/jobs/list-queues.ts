import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { queuesIndexKey } from "./keys.ts";

/** Every queue's name, sorted. */
export async function listQueues(redis: RedisClient, config: Pick<Config, "KEY_PREFIX">): Promise<string[]> {
  const names = await redis.smembers(queuesIndexKey(config));
  return names.map(String).sort();
}
