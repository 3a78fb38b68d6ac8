import type { Config } from "../../env.ts";
import { limitedScript, type ScriptLimit } from "../ratelimit/limited-script.ts";
import type { RedisClient } from "../redis.ts";
import { decodeList, decodeReply } from "./decode.ts";
import { listKeys } from "./keys.ts";
import source from "./read-trending.lua";
import { MIN_HEAT, type TrendingList } from "./schema.ts";

export interface Trending {
  list: TrendingList;
  /** Items above the lowest heat kept. */
  total: number;
  items: { item: string; heat: number; rank: number }[];
}

type ReadReply = {
  outcome: "ok";
  def: string;
  createdAt: string;
  landmark: string;
  total: number;
  items: { item: string; heat: string }[] | Record<string, never>;
};

const readScript = limitedScript(source, (reply) => reply);

/** The hottest items with their heat now, in one round trip. */
export async function readTrending(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  input: { list: string; limit: number; now: number; rateLimit?: ScriptLimit },
): Promise<Trending> {
  const keys = listKeys(config, input.list);
  const raw = await readScript.run(
    redis,
    [keys.list, keys.items],
    [input.limit, Math.floor(input.now), MIN_HEAT],
    input.rateLimit,
  );
  const reply = decodeReply<ReadReply>(raw, input.list);
  const list = decodeList(reply.def, reply.createdAt, reply.landmark) as TrendingList;
  const items = Array.isArray(reply.items) ? reply.items : [];
  return {
    list,
    total: reply.total,
    items: items.map((row, i) => ({ item: row.item, heat: Number(row.heat), rank: i + 1 })),
  };
}
