import { escapeXml, px, svgOpen } from "./svg.ts";

export interface BarItem {
  label: string;
  value: number;
  /** What is printed after the bar; defaults to the value. */
  text?: string;
}

const WIDTH = 480;
const ROW = 26;
const LABEL_W = 150;
const VALUE_W = 70;

/**
 * Horizontal bars, one row per item: the label on the left (cut to fit, whole in the tooltip), the
 * bar scaled to the largest value (or to `max`), the value on the right. For top referrers,
 * countries, pages, and conversion rates per variant.
 *
 * @example
 * barList([{ label: "news.ycombinator.com", value: 12 }], "Top referrers")
 */
export function barList(items: readonly BarItem[], label: string, max?: number): string {
  const height = Math.max(1, items.length) * ROW + 4;
  const scale = max ?? Math.max(1, ...items.map((i) => i.value));
  const barSpace = WIDTH - LABEL_W - VALUE_W;
  const parts = [svgOpen(WIDTH, height, label, "bars")];
  if (items.length === 0) {
    parts.push(`<text x="0" y="18" class="caption">No data yet</text>`);
  }
  items.forEach((item, i) => {
    const top = 2 + i * ROW;
    const shown = item.label.length > 22 ? `${item.label.slice(0, 21)}…` : item.label;
    const w = scale > 0 ? (Math.max(0, item.value) / scale) * barSpace : 0;
    parts.push(
      `<g><title>${escapeXml(`${item.label}: ${item.text ?? item.value}`)}</title>`,
      `<text x="0" y="${top + 17}" class="label">${escapeXml(shown)}</text>`,
      `<rect x="${LABEL_W}" y="${top + 4}" width="${px(Math.max(w, 1))}" height="${ROW - 8}" rx="2" class="bar"/>`,
      `<text x="${WIDTH}" y="${top + 17}" text-anchor="end" class="value">${escapeXml(item.text ?? String(item.value))}</text></g>`,
    );
  });
  parts.push("</svg>");
  return parts.join("");
}
