import type { Config } from "../../env.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { setKeys } from "./keys.ts";
import source from "./read-place.lua";
import { decodeRecord, jsonReply, type Place, placeNotFound, toPlace } from "./record.ts";

const readScript = defineScript(
  source,
  jsonReply<{ found: number; record?: string; inside?: string | false }>("read-place.lua"),
);

/** One place with the fences it is inside, or a 404 (also for an expired live position). One round trip. */
export async function getPlace(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  input: { set: string; id: string; now: number },
): Promise<Place & { fences: string[] }> {
  const keys = setKeys(config, input.set);
  const reply = await readScript.run(redis, [keys.data, keys.expiry, keys.inside], [input.id, input.now]);
  if (!reply.found || !reply.record) throw placeNotFound(input.set, input.id);
  const fences = typeof reply.inside === "string" ? (JSON.parse(reply.inside) as string[]) : [];
  return { ...toPlace(input.id, decodeRecord(reply.record)), fences };
}
