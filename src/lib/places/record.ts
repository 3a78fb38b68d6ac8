import { AppError } from "../errors.ts";
import type { LatLon } from "./geo.ts";

/** A place as stored in the set's data hash (JSON): exact input coordinates, not the geohash's. */
export interface PlaceRecord extends LatLon {
  data: Record<string, unknown>;
  /** ms since the epoch. */
  updatedAt: number;
  /** ms since the epoch, or null for a place kept until deleted. */
  expiresAt: number | null;
}

/** A place as the API returns it. */
export interface Place extends LatLon {
  id: string;
  data: Record<string, unknown>;
  updatedAt: string;
  expiresAt: string | null;
}

export function encodeRecord(record: PlaceRecord): string {
  return JSON.stringify(record);
}

export function decodeRecord(raw: unknown): PlaceRecord {
  if (typeof raw !== "string") throw new TypeError(`Not a place record: ${JSON.stringify(raw)}`);
  return JSON.parse(raw) as PlaceRecord;
}

export function toPlace(id: string, record: PlaceRecord): Place {
  return {
    id,
    lat: record.lat,
    lon: record.lon,
    data: record.data,
    updatedAt: new Date(record.updatedAt).toISOString(),
    expiresAt: record.expiresAt === null ? null : new Date(record.expiresAt).toISOString(),
  };
}

/** A script's one-JSON-string reply, parsed. */
export function jsonReply<T>(script: string) {
  return (reply: unknown): T => {
    if (typeof reply !== "string") throw new TypeError(`${script} replied ${JSON.stringify(reply)}`);
    return JSON.parse(reply) as T;
  };
}

/** cjson encodes an empty Lua table as `{}`: a list that may be empty is read through this. */
export const asList = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

export function placeNotFound(set: string, id: string): AppError {
  return new AppError("not_found", `There is no place "${id}" in set "${set}" (or it expired).`);
}

/** An HGETALL reply (a flat array with deserialization off, or an object) as field/value pairs. */
export function hashPairs(reply: unknown): [string, string][] {
  const pairs: [string, string][] = [];
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) pairs.push([String(reply[i]), String(reply[i + 1])]);
  } else if (reply && typeof reply === "object") {
    for (const [field, value] of Object.entries(reply)) pairs.push([field, String(value)]);
  }
  return pairs;
}
