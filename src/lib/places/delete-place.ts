import type { Config } from "../../env.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import source from "./delete-place.lua";
import { setKeys } from "./keys.ts";
import { placeNotFound } from "./record.ts";
import { EVENTS_KEPT } from "./upsert-places.ts";

const deleteScript = defineScript(source, (reply) => Number(reply) === 1);

/** Deletes one place (a leave event per fence it was inside goes to the set's stream), or a 404. One round trip. */
export async function deletePlace(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  input: { set: string; id: string; now: number },
): Promise<void> {
  const keys = setKeys(config, input.set);
  const deleted = await deleteScript.run(
    redis,
    [keys.geo, keys.data, keys.expiry, keys.inside, keys.events],
    [input.id, input.now, EVENTS_KEPT],
  );
  if (!deleted) throw placeNotFound(input.set, input.id);
}
