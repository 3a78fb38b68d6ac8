/**
 * Small helpers shared by the chart builders. Charts are built as strings (they are returned to
 * hono/jsx through `raw()`), so every piece of text that enters them goes through `escapeXml`.
 */

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text made safe for SVG/XML element content and attribute values. */
export function escapeXml(text: string): string {
  // Control characters other than tab and newlines are not allowed in XML 1.0 at all.
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
      .replace(/[&<>"']/g, (ch) => XML_ESCAPES[ch] ?? ch)
  );
}

/** A number short enough for an axis label: 950, 1.2k, 34k, 1.5M. */
export function compactNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1_000_000) return `${trim(value / 1_000_000)}M`;
  if (abs >= 1_000) return `${trim(value / 1_000)}k`;
  return trim(value);
}

const trim = (value: number) =>
  Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 1 : 0).replace(/\.0$/, "");

/** Rounds a coordinate to 0.1 so the markup stays short. */
export const px = (value: number): string => String(Math.round(value * 10) / 10);

/**
 * Evenly spaced axis ticks from 0 to a "nice" maximum at or above `max` (steps of 1, 2, 2.5 or 5
 * times a power of ten).
 *
 * @example
 * niceTicks(37) // [0, 10, 20, 30, 40]
 * niceTicks(0)  // [0, 1]
 */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  // Whole counts never get fractional ticks (nor the odd-looking 0, 3, 6, 9 of a rounded 2.5).
  const counts = Number.isInteger(max);
  const fits = (m: number) => m * power >= rough && (!counts || Number.isInteger(m * power));
  const step = Math.max(counts ? 1 : 0, ([1, 2, 2.5, 5, 10].find(fits) ?? 10) * power);
  const ticks: number[] = [];
  for (let t = 0; t < max + step; t += step) ticks.push(Math.round(t * 1e9) / 1e9);
  if (ticks.length < 2) ticks.push(step);
  return ticks;
}

/** Opens an SVG that scales to its container's width and is announced as one image. */
export function svgOpen(width: number, height: number, label: string, className: string): string {
  const text = escapeXml(label);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="${className}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${text}"><title>${text}</title>`;
}
