/** Spherical geometry on the same sphere as Redis's GEO commands, so our numbers agree with its. */

/** Redis's earth radius (src/geohash_helper.c), in metres. */
export const EARTH_RADIUS_M = 6372797.560856;

/** Redis's GEO limits: the latitudes a 52-bit geohash can encode, and every longitude. */
export const MAX_LATITUDE = 85.05112878;
export const MAX_LONGITUDE = 180;

/** The distance units GEOSEARCH takes, in metres (Redis's own factors). */
export const UNITS = { m: 1, km: 1000, mi: 1609.34, ft: 0.3048 } as const;
export type Unit = keyof typeof UNITS;

export interface LatLon {
  lat: number;
  lon: number;
}

const rad = (degrees: number) => (degrees * Math.PI) / 180;
const deg = (radians: number) => (radians * 180) / Math.PI;

/** Great-circle distance in metres (haversine, as GEODIST computes it). */
export function haversineMeters(a: LatLon, b: LatLon): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The initial great-circle bearing from `from` to `to`, in degrees clockwise from north, [0, 360),
 * rounded to 0.1. A place at the origin itself has bearing 0.
 */
export function initialBearing(from: LatLon, to: LatLon): number {
  const φ1 = rad(from.lat);
  const φ2 = rad(to.lat);
  const Δλ = rad(to.lon - from.lon);
  const y = Math.sin(Δλ) * Math.cos(φ2);
  const x = Math.cos(φ1) * Math.sin(φ2) - Math.sin(φ1) * Math.cos(φ2) * Math.cos(Δλ);
  if (x === 0 && y === 0) return 0;
  const bearing = Math.round(((deg(Math.atan2(y, x)) + 360) % 360) * 10) / 10;
  return bearing === 360 ? 0 : bearing;
}

/**
 * A circle around every point: centred on the middle of their bounding box, with a margin of 1%
 * plus 10 m. It is the polygon's pre-filter in the update script (GEOSEARCH finds the fences whose
 * circle holds a point; only those run the point-in-polygon test), so it must never be too small:
 * the margin covers the geohash's rounding (under 1 m) and the bulge of a straight lon/lat edge.
 */
export function boundingCircle(points: LatLon[]): LatLon & { radius: number } {
  const lats = points.map((p) => p.lat);
  const lons = points.map((p) => p.lon);
  const centre = {
    lat: (Math.min(...lats) + Math.max(...lats)) / 2,
    lon: (Math.min(...lons) + Math.max(...lons)) / 2,
  };
  // Edge midpoints too: a long edge's middle can lie farther from the centre than its ends.
  const probes = points.flatMap((p, i) => {
    const q = points[(i + 1) % points.length] as LatLon;
    return [p, { lat: (p.lat + q.lat) / 2, lon: (p.lon + q.lon) / 2 }];
  });
  const farthest = Math.max(...probes.map((p) => haversineMeters(centre, p)));
  return { ...centre, radius: Math.ceil(farthest * 1.01 + 10) };
}
