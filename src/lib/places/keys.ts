import type { Config } from "../../env.ts";
import { namespace } from "../keys.ts";

/**
 * Every Redis key of the places primitive is built here and nowhere else. Set names reach this
 * file only after validation (`[A-Za-z0-9_-]{1,64}`, no braces). The keys of one set share the
 * hash tag `{set}`, so every script on a set lands in one cluster slot:
 *
 *   {ns}place:{stores}:geo        GEO zset  place id -> position (52-bit geohash, about 0.6 m)
 *   {ns}place:{stores}:data       hash      place id -> record JSON {lat, lon, data, updatedAt, expiresAt}
 *   {ns}place:{stores}:expiry     zset      place id -> ms at which it expires (live positions only)
 *   {ns}place:{stores}:inside     hash      place id -> JSON array of the fence ids it is inside
 *   {ns}place:{stores}:settings   hash      nearby = "public" | "admin"
 *   {ns}place:{stores}:fences     hash      fence id -> definition JSON (circle or polygon)
 *   {ns}place:{stores}:fencegeo   GEO zset  fence id -> the centre of its bounding circle
 *   {ns}place:{stores}:fencer     zset      fence id -> the radius of its bounding circle (m)
 *   {ns}place:{stores}:events     stream    enter/leave events, capped (MAXLEN ~ EVENTS_KEPT)
 *   {ns}places:{index}            zset      SHARED by all sets: set name -> ms of its last write
 */
export function setKeys(config: Pick<Config, "KEY_PREFIX">, set: string) {
  const base = `${namespace(config)}place:{${set}}`;
  return {
    geo: `${base}:geo`,
    data: `${base}:data`,
    expiry: `${base}:expiry`,
    inside: `${base}:inside`,
    settings: `${base}:settings`,
    fences: `${base}:fences`,
    fenceGeo: `${base}:fencegeo`,
    fenceRadius: `${base}:fencer`,
    events: `${base}:events`,
  };
}

export type SetKeys = ReturnType<typeof setKeys>;

/** Every key a set owns, for deleting the set. */
export const allSetKeys = (keys: SetKeys): string[] => Object.values(keys);

/** The shared index of sets (for the dashboard). */
export function indexKey(config: Pick<Config, "KEY_PREFIX">): string {
  return `${namespace(config)}places:{index}`;
}
