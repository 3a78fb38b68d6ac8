import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { decodeList } from "./decode.ts";
import { listIndexKey, listKeys } from "./keys.ts";
import type { TrendingList } from "./schema.ts";

/** Every trending list's settings, by key (the index, then one auto-pipelined HMGET per list). */
export async function listLists(redis: RedisClient, config: Pick<Config, "KEY_PREFIX">): Promise<TrendingList[]> {
  const keys = ((await redis.zrange(listIndexKey(config), 0, -1)) as unknown as string[]).sort();
  const lists = await Promise.all(
    keys.map(async (key) => {
      const reply = (await redis.hmget(listKeys(config, key).list, "def", "createdAt", "landmark")) as unknown;
      const [def, createdAt, landmark] = Array.isArray(reply) ? reply : [];
      return decodeList(def, createdAt, landmark);
    }),
  );
  return lists.filter((list): list is TrendingList => list !== null);
}
