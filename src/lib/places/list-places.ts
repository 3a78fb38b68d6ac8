import type { Config } from "../../env.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { setKeys } from "./keys.ts";
import source from "./list-places.lua";
import { asList, decodeRecord, jsonReply, type Place, toPlace } from "./record.ts";

const listScript = defineScript(source, jsonReply<{ places: unknown }>("list-places.lua"));

/** Up to `count` live places of a set with the fences they are inside, by id (one round trip). */
export async function listPlaces(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  input: { set: string; count: number; now: number },
): Promise<(Place & { fences: string[] })[]> {
  const keys = setKeys(config, input.set);
  const reply = await listScript.run(redis, [keys.geo, keys.data, keys.expiry, keys.inside], [input.now, input.count]);
  return asList<[string, unknown, unknown]>(reply.places)
    .flatMap(([id, record, inside]) =>
      typeof record === "string"
        ? [
            {
              ...toPlace(id, decodeRecord(record)),
              fences: typeof inside === "string" ? (JSON.parse(inside) as string[]) : [],
            },
          ]
        : [],
    )
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
