import type { LatLon } from "./geo.ts";

/** Most vertices a polygon fence may have. */
export const MAX_POLYGON_POINTS = 100;

type Point = [x: number, y: number];

/** > 0 when c is left of a→b, < 0 when right, 0 when the three are collinear. */
const orient = (a: Point, b: Point, c: Point) => (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);

/** c lies within the box of a→b (for collinear points: on the segment). */
const within = (a: Point, b: Point, c: Point) =>
  Math.min(a[0], b[0]) <= c[0] &&
  c[0] <= Math.max(a[0], b[0]) &&
  Math.min(a[1], b[1]) <= c[1] &&
  c[1] <= Math.max(a[1], b[1]);

/** Segments p1→p2 and q1→q2 share at least one point (touching and overlapping included). */
function segmentsMeet(p1: Point, p2: Point, q1: Point, q2: Point): boolean {
  const d1 = orient(q1, q2, p1);
  const d2 = orient(q1, q2, p2);
  const d3 = orient(p1, p2, q1);
  const d4 = orient(p1, p2, q2);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  return (
    (d1 === 0 && within(q1, q2, p1)) ||
    (d2 === 0 && within(q1, q2, p2)) ||
    (d3 === 0 && within(p1, p2, q1)) ||
    (d4 === 0 && within(p1, p2, q2))
  );
}

/**
 * The vertices of a polygon fence without a closing repeat of the first point (GeoJSON-style rings
 * repeat it; both spellings are accepted).
 */
export function openRing(points: LatLon[]): LatLon[] {
  const first = points[0];
  const last = points[points.length - 1];
  if (points.length > 1 && first && last && first.lat === last.lat && first.lon === last.lon) {
    return points.slice(0, -1);
  }
  return points;
}

/**
 * Why a ring of vertices is not a simple polygon, or undefined when it is one. Edges are straight
 * lines in longitude/latitude (as the update script's point-in-polygon test sees them), so the
 * checks run in that plane: at least 3 distinct vertices, no repeated consecutive vertex, no edge
 * that crosses, touches or runs back along another, a non-zero area, and no more than 180° of
 * longitude (a wider ring is ambiguous across the antimeridian).
 */
export function polygonProblem(ring: LatLon[]): string | undefined {
  const n = ring.length;
  if (n < 3) return "must have at least 3 distinct points";
  if (n > MAX_POLYGON_POINTS) return `must have at most ${MAX_POLYGON_POINTS} points`;
  const pts: Point[] = ring.map((p) => [p.lon, p.lat]);
  const lons = ring.map((p) => p.lon);
  if (Math.max(...lons) - Math.min(...lons) > 180) {
    return "must span at most 180° of longitude (split a fence that crosses the antimeridian in two)";
  }
  for (let i = 0; i < n; i++) {
    const a = pts[i] as Point;
    const b = pts[(i + 1) % n] as Point;
    if (a[0] === b[0] && a[1] === b[1]) return `points ${i} and ${(i + 1) % n} are the same; remove one`;
  }
  for (let i = 0; i < n; i++) {
    const a1 = pts[i] as Point;
    const a2 = pts[(i + 1) % n] as Point;
    for (let j = i + 1; j < n; j++) {
      const b1 = pts[j] as Point;
      const b2 = pts[(j + 1) % n] as Point;
      const adjacent = j === i + 1 || (i === 0 && j === n - 1);
      if (adjacent) {
        // They share one vertex; they may meet nowhere else (no edge doubling back along the other).
        const shared = j === i + 1 ? a2 : a1;
        const otherA = j === i + 1 ? a1 : a2;
        const otherB = j === i + 1 ? b2 : b1;
        if (
          orient(shared, otherA, otherB) === 0 &&
          (within(shared, otherA, otherB) || within(shared, otherB, otherA))
        ) {
          return `edges ${i} and ${j} overlap (the outline doubles back on itself)`;
        }
      } else if (segmentsMeet(a1, a2, b1, b2)) {
        return `edges ${i} and ${j} cross; a fence must not cross itself`;
      }
    }
  }
  let twiceArea = 0;
  for (let i = 0; i < n; i++) {
    const a = pts[i] as Point;
    const b = pts[(i + 1) % n] as Point;
    twiceArea += a[0] * b[1] - b[0] * a[1];
  }
  if (twiceArea === 0) return "must enclose an area (the points are all on one line)";
  return undefined;
}
