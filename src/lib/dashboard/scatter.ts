import { escapeXml, px, svgOpen } from "./svg.ts";

export interface ScatterPoint {
  lat: number;
  lon: number;
  label: string;
  /** A live position (with a ttl), drawn apart from places kept until deleted. */
  live: boolean;
}

export type ScatterShape =
  | { type: "circle"; lat: number; lon: number; radius: number; label: string }
  | { type: "polygon"; points: { lat: number; lon: number }[]; label: string };

const METRES_PER_DEGREE = 111_320;

/**
 * Positions on a plain equirectangular plot (longitude scaled by the cosine of the middle latitude,
 * so shapes look right away from the equator), with fences as outlines. No map tiles: it shows
 * where things are relative to each other, which is what checking a set needs.
 *
 * @example
 * scatterPlot([{ lat: 52.5, lon: 13.4, label: "berlin", live: false }], [], "Places of set stores")
 */
export function scatterPlot(
  points: ScatterPoint[],
  shapes: ScatterShape[],
  label: string,
  width = 640,
  height = 400,
): string {
  const pad = 24;
  const corners: { lat: number; lon: number }[] = [...points];
  for (const s of shapes) {
    if (s.type === "polygon") corners.push(...s.points);
    else {
      const dLat = s.radius / METRES_PER_DEGREE;
      const dLon = dLat / Math.max(0.01, Math.cos((s.lat * Math.PI) / 180));
      corners.push({ lat: s.lat - dLat, lon: s.lon - dLon }, { lat: s.lat + dLat, lon: s.lon + dLon });
    }
  }
  const lats = corners.map((p) => p.lat);
  const lons = corners.map((p) => p.lon);
  const parts = [svgOpen(width, height, label, "chart scatter")];
  parts.push(`<rect x="0.5" y="0.5" width="${width - 1}" height="${height - 1}" fill="none" class="axis"/>`);
  if (lats.length === 0) {
    parts.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle">No positions</text></svg>`);
    return parts.join("");
  }
  const [south, north] = [Math.min(...lats), Math.max(...lats)];
  const middle = (south + north) / 2;
  const squeeze = Math.max(0.01, Math.cos((middle * Math.PI) / 180));
  const [west, east] = [Math.min(...lons), Math.max(...lons)];
  // One scale for both axes (after the squeeze), at least ~100 m across, centred.
  const spanX = Math.max((east - west) * squeeze, 0.001);
  const spanY = Math.max(north - south, 0.001);
  const scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY);
  const cx = (west + east) / 2;
  const x = (lon: number) => width / 2 + (lon - cx) * squeeze * scale;
  const y = (lat: number) => height / 2 - (lat - middle) * scale;

  for (const s of shapes) {
    const title = `<title>${escapeXml(s.label)}</title>`;
    if (s.type === "circle") {
      const ry = (s.radius / METRES_PER_DEGREE) * scale;
      parts.push(
        `<circle cx="${px(x(s.lon))}" cy="${px(y(s.lat))}" r="${px(Math.max(ry, 1))}" fill="#2b6cb0" fill-opacity="0.08" stroke="#2b6cb0" class="fence">${title}</circle>`,
      );
    } else {
      const ring = s.points.map((p) => `${px(x(p.lon))},${px(y(p.lat))}`).join(" ");
      parts.push(
        `<polygon points="${ring}" fill="#2b6cb0" fill-opacity="0.08" stroke="#2b6cb0" class="fence">${title}</polygon>`,
      );
    }
  }
  for (const p of points) {
    const colour = p.live ? "#dd6b20" : "#2f855a";
    parts.push(
      `<circle cx="${px(x(p.lon))}" cy="${px(y(p.lat))}" r="4" fill="${colour}" class="place"><title>${escapeXml(p.label)}</title></circle>`,
    );
  }
  parts.push(
    `<text x="${pad}" y="${height - 6}">${escapeXml(`${west.toFixed(4)}°, ${south.toFixed(4)}°`)}</text>`,
    `<text x="${width - pad}" y="16" text-anchor="end">${escapeXml(`${east.toFixed(4)}°, ${north.toFixed(4)}°`)}</text>`,
    "</svg>",
  );
  return parts.join("");
}
