import { validationError } from "../errors.ts";
import { UNITS, type Unit } from "./geo.ts";
import type { SearchArea } from "./nearby.ts";
import { LIMITS } from "./schema.ts";

/** The radius or box of a search (default: 5 km), checked against what the earth allows. */
export function searchArea(query: { radius?: number; width?: number; height?: number; unit: Unit }): SearchArea {
  const { unit } = query;
  const fail = (field: string, message: string) => validationError([{ path: `query.${field}`, message }]);
  const tooFar = (field: "radius" | "width" | "height", max: number) => {
    const value = query[field];
    if (value !== undefined && value * UNITS[unit] > max) {
      throw fail(field, `must be at most ${Math.floor(max / UNITS[unit])} ${unit}`);
    }
  };
  tooFar("radius", LIMITS.searchMeters);
  tooFar("width", 2 * LIMITS.searchMeters);
  tooFar("height", 2 * LIMITS.searchMeters);
  const box = query.width !== undefined || query.height !== undefined;
  if (box && query.radius !== undefined) throw fail("radius", "pass either radius, or width and height (a box)");
  if (!box) return { by: "radius", radius: query.radius ?? 5000 / UNITS[unit], unit };
  if (query.width === undefined) throw fail("width", "a box needs both width and height");
  if (query.height === undefined) throw fail("height", "a box needs both width and height");
  return { by: "box", width: query.width, height: query.height, unit };
}
