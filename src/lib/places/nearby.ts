import type { Config } from "../../env.ts";
import { AppError } from "../errors.ts";
import { limitedScript, type ScriptLimit } from "../ratelimit/limited-script.ts";
import type { RedisClient } from "../redis.ts";
import { initialBearing, type LatLon, type Unit } from "./geo.ts";
import { setKeys } from "./keys.ts";
import source from "./nearby.lua";
import { asList, decodeRecord, jsonReply, type Place, toPlace } from "./record.ts";

export type SearchArea =
  | { by: "radius"; radius: number; unit: Unit }
  | { by: "box"; width: number; height: number; unit: Unit };

export interface NearbyPlace extends Place {
  /** From the search's centre, in the search's unit (Redis's haversine; 4 decimals). */
  distance: number;
  /** Initial great-circle bearing from the centre, degrees clockwise from north. */
  bearing: number;
}

const nearbyScript = limitedScript(source, jsonReply<{ denied?: number; results?: unknown }>("nearby.lua"));

/**
 * The live places of a set nearest `centre`, nearest first, in ONE round trip: GEOSEARCH, the
 * expiry filter and the records in one read-only script (plus a folded rate-limit check when
 * `limit` is given). An admin-only set answers 401 unless `admin`.
 *
 * @example
 * const places = await findNearby(redis, config, { set: "stores", centre, area: { by: "radius", radius: 5, unit: "km" }, count: 10, now, admin: false });
 */
export async function findNearby(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  input: { set: string; centre: LatLon; area: SearchArea; count: number; now: number; admin: boolean },
  limit?: ScriptLimit,
): Promise<NearbyPlace[]> {
  const { set, centre, area } = input;
  const keys = setKeys(config, set);
  const [mode, a, b] = area.by === "radius" ? ["radius", area.radius, ""] : ["box", area.width, area.height];
  const reply = await nearbyScript.run(
    redis,
    [keys.settings, keys.geo, keys.data, keys.expiry],
    [input.admin ? 1 : 0, input.now, mode, centre.lon, centre.lat, a, b, area.unit, input.count],
    limit,
  );
  if (reply.denied) {
    throw new AppError(
      "unauthorized",
      `Nearby searches of set "${set}" need \`Authorization: Bearer <ADMIN_TOKEN>\` (its settings say nearby: "admin").`,
      { headers: { "www-authenticate": 'Bearer realm="edgekit"' } },
    );
  }
  return asList<[string, string, unknown]>(reply.results).flatMap(([id, distance, raw]) => {
    if (typeof raw !== "string") return []; // a position without a record: never written so by our scripts
    const place = toPlace(id, decodeRecord(raw));
    return [{ ...place, distance: Number(distance), bearing: initialBearing(centre, place) }];
  });
}
