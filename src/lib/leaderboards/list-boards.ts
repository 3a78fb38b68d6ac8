import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { decodeBoard } from "./board-store.ts";
import { boardIndexKey, boardKeys } from "./keys.ts";
import type { Board } from "./schema.ts";

/** Every board, by key (the index, then one auto-pipelined HMGET per board). */
export async function listBoards(redis: RedisClient, config: Pick<Config, "KEY_PREFIX">): Promise<Board[]> {
  const keys = ((await redis.zrange(boardIndexKey(config), 0, -1)) as unknown as string[]).sort();
  const boards = await Promise.all(
    keys.map(async (key) => {
      const reply = (await redis.hmget(boardKeys(config, key).board, "def", "createdAt")) as unknown;
      const [def, createdAt] = Array.isArray(reply) ? reply : [];
      return decodeBoard(def, createdAt);
    }),
  );
  return boards.filter((board): board is Board => board !== null);
}
