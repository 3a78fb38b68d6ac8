import type { Config } from "../../env.ts";
import { limitedScript, type ScriptLimit } from "../ratelimit/limited-script.ts";
import type { RedisClient } from "../redis.ts";
import { indexKey, setKeys } from "./keys.ts";
import { asList, encodeRecord, jsonReply, type Place, type PlaceRecord, toPlace } from "./record.ts";
import type { PlaceInput } from "./schema.ts";
import source from "./upsert-places.lua";

/** Stream entries kept per set (XADD MAXLEN ~): enough for a consumer that reads every few seconds. */
export const EVENTS_KEPT = 1000;
/** Most expired positions one update prunes (the rest go at the next update; reads skip them anyway). */
export const PRUNE_BATCH = 500;

export type FenceEventType = "enter" | "leave";

export interface FenceEvent {
  type: FenceEventType;
  fence: string;
}

export interface UpsertResult {
  /** How many of the places were new (or had expired). */
  created: number;
  /** Expired live positions removed by this call. */
  pruned: number;
  /** Per place, in input order: the place as stored and the fences it entered or left. */
  places: { place: Place; events: FenceEvent[] }[];
}

const upsertScript = limitedScript(
  source,
  jsonReply<{ created: number; pruned: number; events: unknown }>("upsert-places.lua"),
);

/**
 * Writes places of one set in ONE round trip (up to LIMITS.bulk of them), pruning expired live
 * positions and computing each written place's enter/leave events against the set's fences in the
 * same script. Inputs are validated by the caller (placeInputSchema / bulkInputSchema). A repeated
 * id in one call is written twice, in order: the second write wins and sees the first's fences.
 *
 * @example
 * const { places } = await upsertPlaces(redis, config, "drivers", [{ id: "d42", lat, lon, ttlSeconds: 60 }], now);
 * places[0].events // [{ type: "enter", fence: "depot" }]
 */
export async function upsertPlaces(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  set: string,
  places: (PlaceInput & { id: string })[],
  now: number,
  limit?: ScriptLimit,
): Promise<UpsertResult> {
  const keys = setKeys(config, set);
  const records: PlaceRecord[] = places.map((p) => ({
    lat: p.lat,
    lon: p.lon,
    data: p.data ?? {},
    updatedAt: now,
    expiresAt: p.ttlSeconds === undefined ? null : now + p.ttlSeconds * 1000,
  }));
  const args: (string | number)[] = [now, set, EVENTS_KEPT, PRUNE_BATCH];
  places.forEach((p, i) => {
    const record = records[i] as PlaceRecord;
    args.push(p.id, p.lon, p.lat, encodeRecord(record), record.expiresAt ?? 0);
  });
  const reply = await upsertScript.run(
    redis,
    [
      keys.geo,
      keys.data,
      keys.expiry,
      keys.inside,
      keys.fences,
      keys.fenceGeo,
      keys.fenceRadius,
      keys.events,
      indexKey(config),
    ],
    args,
    limit,
  );
  const result = places.map((p, i) => ({
    place: toPlace(p.id, records[i] as PlaceRecord),
    events: [] as FenceEvent[],
  }));
  for (const [index, type, fence] of asList<[number, FenceEventType, string]>(reply.events)) {
    result[index]?.events.push({ type, fence });
  }
  return { created: reply.created, pruned: reply.pruned, places: result };
}
