import { AppError, validationError } from "../errors.ts";
import { type LatLon, MAX_LATITUDE, MAX_LONGITUDE } from "./geo.ts";

/** The centre of a nearby search, and where it came from. */
export interface SearchCentre extends LatLon {
  /** "query": the caller's `lat`/`lon`; "cf": the visitor's location from `request.cf`. */
  source: "query" | "cf";
  /** `request.cf.city` / `country`, when the centre came from there and they were present. */
  city?: string;
  country?: string;
}

/** The fields of Cloudflare's `request.cf` read here (all strings, all optional). */
export interface CfLocation {
  latitude?: unknown;
  longitude?: unknown;
  city?: unknown;
  country?: unknown;
}

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value.slice(0, 128) : undefined);

const degrees = (value: unknown, max: number) => {
  if (typeof value !== "string" || !/^-?\d{1,3}(\.\d+)?$/.test(value.trim())) return undefined;
  const n = Number(value);
  return Math.abs(n) <= max ? n : undefined;
};

/**
 * The centre of a search: the caller's coordinates when given, else the visitor's location that
 * Cloudflare put in `request.cf` (city-level, see docs/places.md), else a 400 that says how to pass one.
 * A latitude beyond Redis's GEO limit (the far north or south) counts as no location.
 */
export function searchCentre(query: { lat?: number; lon?: number }, cf: CfLocation | undefined): SearchCentre {
  if (query.lat !== undefined && query.lon !== undefined) return { lat: query.lat, lon: query.lon, source: "query" };
  if (query.lat !== undefined || query.lon !== undefined) {
    const missing = query.lat === undefined ? "lat" : "lon";
    throw validationError([{ path: `query.${missing}`, message: "lat and lon go together: pass both, or neither" }]);
  }
  const lat = degrees(cf?.latitude, MAX_LATITUDE);
  const lon = degrees(cf?.longitude, MAX_LONGITUDE);
  if (lat !== undefined && lon !== undefined) {
    const city = text(cf?.city);
    const country = text(cf?.country);
    return { lat, lon, source: "cf", ...(city ? { city } : {}), ...(country ? { country } : {}) };
  }
  throw new AppError(
    "bad_request",
    "No location: pass ?lat=<decimal degrees>&lon=<decimal degrees>, or call from a request that carries the visitor's location (Cloudflare's request.cf.latitude/longitude; it is absent for some requests and in local development).",
  );
}
