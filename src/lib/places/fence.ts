import { AppError } from "../errors.ts";
import { boundingCircle, type LatLon } from "./geo.ts";
import { openRing } from "./polygon.ts";
import type { FenceInput } from "./schema.ts";

/** A fence as stored (JSON in the set's fences hash) and read by upsert-places.lua. */
export type StoredFence = (
  | { type: "circle"; lat: number; lon: number; radius: number }
  | { type: "polygon"; points: LatLon[]; bounds: LatLon & { radius: number } }
) & { updatedAt: number };

/** A fence as the API returns it. */
export type Fence = (
  | { type: "circle"; lat: number; lon: number; radius: number }
  | { type: "polygon"; points: LatLon[]; bounds: LatLon & { radius: number } }
) & { id: string; updatedAt: string };

/** The stored form of a validated fence: a polygon gains its bounding circle, loses a closing repeat. */
export function toStoredFence(input: FenceInput, now: number): StoredFence {
  if (input.type === "circle") {
    return { type: "circle", lat: input.lat, lon: input.lon, radius: input.radius, updatedAt: now };
  }
  const points = openRing(input.points).map((p) => ({ lat: p.lat, lon: p.lon }));
  return { type: "polygon", points, bounds: boundingCircle(points), updatedAt: now };
}

/** The circle the update script's GEOSEARCH pre-filter uses for a fence. */
export const preFilterCircle = (fence: StoredFence) => (fence.type === "circle" ? fence : fence.bounds);

export function toFence(id: string, raw: string): Fence {
  const { updatedAt, ...shape } = JSON.parse(raw) as StoredFence;
  return { id, ...shape, updatedAt: new Date(updatedAt).toISOString() };
}

export function fenceNotFound(set: string, fence: string): AppError {
  return new AppError("not_found", `There is no fence "${fence}" in set "${set}".`);
}
