import { escapeXml, px, svgOpen } from "./svg.ts";

/**
 * A tiny line of values for a table cell, e.g. a link's clicks per day. No axes: the label (read by
 * screen readers and shown as a tooltip) says what it is; the last point is marked.
 *
 * @example
 * sparkline([0, 3, 1, 4], "Clicks per day, last 4 days")
 */
export function sparkline(values: readonly number[], label: string, width = 120, height = 28): string {
  const pad = 3;
  const max = Math.max(1, ...values);
  const stepX = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0;
  const points = values.map((v, i) => [pad + i * stepX, height - pad - (Math.max(0, v) / max) * (height - 2 * pad)]);
  const last = points[points.length - 1];
  const line = points.map(([x, y]) => `${px(x ?? 0)},${px(y ?? 0)}`).join(" ");
  return [
    svgOpen(width, height, label, "spark"),
    `<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" class="axis"/>`,
    points.length > 0 ? `<polyline points="${line}" class="line"/>` : "",
    last
      ? `<circle cx="${px(last[0] ?? 0)}" cy="${px(last[1] ?? 0)}" r="2" class="dot"><title>${escapeXml(String(values[values.length - 1]))}</title></circle>`
      : "",
    "</svg>",
  ].join("");
}
