import { compactNumber, escapeXml, niceTicks, px, svgOpen } from "./svg.ts";

export interface DailyPoint {
  /** A UTC day, `YYYY-MM-DD`. */
  day: string;
  value: number;
}

const WIDTH = 640;
const HEIGHT = 240;
const LEFT = 44;
const RIGHT = 12;
const TOP = 12;
const BOTTOM = 34;

/**
 * A bar chart of one value per day with a y axis (ticks and grid lines), day labels under the
 * bars (thinned to about eight so they never overlap) and each bar's exact value as its tooltip.
 *
 * @example
 * dailyChart([{ day: "2026-01-01", value: 3 }, { day: "2026-01-02", value: 5 }], "Clicks per day")
 */
export function dailyChart(points: readonly DailyPoint[], label: string, unit = "clicks"): string {
  const ticks = niceTicks(Math.max(0, ...points.map((p) => p.value)));
  const top = ticks[ticks.length - 1] ?? 1;
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const y = (v: number) => TOP + plotH - (Math.max(0, v) / top) * plotH;
  const slot = plotW / Math.max(1, points.length);
  const barW = Math.max(1, slot * 0.7);
  const every = Math.max(1, Math.ceil(points.length / 8));
  const parts = [svgOpen(WIDTH, HEIGHT, label, "chart")];
  for (const tick of ticks) {
    parts.push(
      `<line x1="${LEFT}" y1="${px(y(tick))}" x2="${WIDTH - RIGHT}" y2="${px(y(tick))}" class="grid"/>`,
      `<text x="${LEFT - 6}" y="${px(y(tick) + 4)}" text-anchor="end" class="tick">${compactNumber(tick)}</text>`,
    );
  }
  points.forEach((point, i) => {
    const x = LEFT + i * slot + (slot - barW) / 2;
    const tip = `${point.day}: ${point.value} ${unit}`;
    parts.push(
      `<rect x="${px(x)}" y="${px(y(point.value))}" width="${px(barW)}" height="${px(TOP + plotH - y(point.value))}" class="bar"><title>${escapeXml(tip)}</title></rect>`,
    );
    if ((points.length - 1 - i) % every === 0) {
      parts.push(
        `<text x="${px(x + barW / 2)}" y="${HEIGHT - BOTTOM + 16}" text-anchor="middle" class="tick">${escapeXml(point.day.slice(5))}</text>`,
      );
    }
  });
  parts.push(
    `<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + plotH}" class="axis"/>`,
    `<line x1="${LEFT}" y1="${TOP + plotH}" x2="${WIDTH - RIGHT}" y2="${TOP + plotH}" class="axis"/>`,
    `<text x="${WIDTH - RIGHT}" y="${HEIGHT - 4}" text-anchor="end" class="caption">UTC day (MM-DD)</text>`,
    `<text x="4" y="${HEIGHT - 4}" class="caption">${escapeXml(unit)}</text>`,
    "</svg>",
  );
  return parts.join("");
}
