import type { Config } from "../../env.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { allSetKeys, indexKey, setKeys } from "./keys.ts";
import source from "./read-set.lua";
import { DEFAULT_SETTINGS, type SetSettings } from "./schema.ts";

export interface SetInfo {
  set: string;
  settings: SetSettings;
  /** Places stored, expired live positions not yet pruned included. */
  places: number;
  /** Places with a ttl whose position has not expired. */
  live: number;
  fences: number;
  /** Entries in the set's event stream (capped). */
  events: number;
}

const readScript = defineScript(source, (reply) => {
  if (!Array.isArray(reply) || reply.length !== 5) throw new TypeError(`read-set.lua replied ${JSON.stringify(reply)}`);
  return reply as [unknown, unknown, unknown, unknown, unknown];
});

/** Writes a set's settings and lists the set in the index (one /pipeline). */
export async function putSettings(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  input: { set: string; settings: SetSettings; now: number },
): Promise<SetSettings> {
  await Promise.all([
    redis.hset(setKeys(config, input.set).settings, { nearby: input.settings.nearby }),
    redis.zadd(indexKey(config), { score: input.now, member: input.set }),
  ]);
  return input.settings;
}

/** A set's settings (defaults when never set) and counts, in one read-only script. */
export async function readSet(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  input: { set: string; now: number },
): Promise<SetInfo> {
  const keys = setKeys(config, input.set);
  const [nearby, places, live, fences, events] = await readScript.run(
    redis,
    [keys.settings, keys.geo, keys.expiry, keys.fences, keys.events],
    [input.now],
  );
  return {
    set: input.set,
    settings: { nearby: nearby === "public" ? "public" : DEFAULT_SETTINGS.nearby },
    places: Number(places),
    live: Number(live),
    fences: Number(fences),
    events: Number(events),
  };
}

/** Deletes a set whole: places, fences, settings, events, and its index entry (one /pipeline). */
export async function deleteSet(redis: RedisClient, config: Pick<Config, "KEY_PREFIX">, set: string): Promise<void> {
  await Promise.all([redis.del(...allSetKeys(setKeys(config, set))), redis.zrem(indexKey(config), set)]);
}

/** The sets in the index, most recently written first, with that time (ms). One ZRANGE. */
export async function listSets(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  count = 100,
): Promise<{ set: string; writtenAt: number }[]> {
  const flat = await redis.zrange<string[]>(indexKey(config), 0, count - 1, { rev: true, withScores: true });
  const sets: { set: string; writtenAt: number }[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) sets.push({ set: String(flat[i]), writtenAt: Number(flat[i + 1]) });
  return sets;
}
