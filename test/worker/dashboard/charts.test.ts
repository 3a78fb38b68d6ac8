import { describe, expect, it } from "vitest";
import {
  barList,
  compactNumber,
  dailyChart,
  escapeXml,
  niceTicks,
  sparkline,
} from "../../../src/lib/dashboard/index.ts";
import { xmlProblems } from "./xml.ts";

const NASTY = `<script>alert("x")</script> & 'quotes' ]]> \u0001`;
const days = (values: number[]) =>
  values.map((value, i) => ({ day: `2026-01-${String(i + 1).padStart(2, "0")}`, value }));

describe("the well-formedness check itself", () => {
  it("finds unclosed tags, stray brackets and bare ampersands", () => {
    expect(xmlProblems("<svg><g></svg>")).not.toEqual([]);
    expect(xmlProblems("<svg><text>a < b</text></svg>")).not.toEqual([]);
    expect(xmlProblems("<svg><text>a & b</text></svg>")).not.toEqual([]);
    expect(xmlProblems('<svg><rect x="1"/><text>a &amp; b</text></svg>')).toEqual([]);
  });
});

describe("escapeXml", () => {
  it("escapes the five XML specials and drops control characters XML forbids", () => {
    expect(escapeXml(`<a href="x">'&'</a>\u0001\t`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\t");
  });
});

describe("niceTicks", () => {
  it.each([
    [0, [0, 1]],
    [1, [0, 1]],
    [3, [0, 1, 2, 3]],
    [37, [0, 10, 20, 30, 40]],
    [100, [0, 25, 50, 75, 100]],
    [1234, [0, 500, 1000, 1500]],
  ])("gives round ticks reaching at least %i", (max, expected) => {
    expect(niceTicks(max)).toEqual(expected);
  });
});

describe("compactNumber", () => {
  it.each([
    [950, "950"],
    [1200, "1.2k"],
    [34_000, "34k"],
    [1_500_000, "1.5M"],
  ])("writes %i as %s", (value, text) => {
    expect(compactNumber(value)).toBe(text);
  });
});

describe("sparkline", () => {
  it("is well-formed SVG with one point per value and an escaped label", () => {
    const svg = sparkline([0, 3, 1, 4], NASTY);
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; ]]&gt;");
    expect(svg.match(/points="([^"]*)"/)?.[1]?.split(" ")).toHaveLength(4);
  });

  it("draws nothing broken for no values or all zeros", () => {
    expect(xmlProblems(sparkline([], "none"))).toEqual([]);
    expect(sparkline([0, 0], "zeros")).not.toContain("NaN");
  });
});

describe("dailyChart", () => {
  it("has axes, a labelled tick per grid line, a bar per day and day labels", () => {
    const svg = dailyChart(days([2, 0, 5, 9]), "Clicks per day");
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg.match(/<rect /g)).toHaveLength(4);
    expect(svg.match(/class="grid"/g)).toHaveLength(niceTicks(9).length);
    expect(svg).toContain(">10</text>");
    expect(svg).toContain(">01-04</text>");
    expect(svg).toContain("<title>2026-01-03: 5 clicks</title>");
    expect(svg).not.toContain("NaN");
  });

  it("thins the day labels of a long range so they do not overlap", () => {
    const svg = dailyChart(days(Array.from({ length: 30 }, (_, i) => i % 7)), "30 days");
    const labels = svg.match(/>\d\d-\d\d<\/text>/g) ?? [];
    expect(labels.length).toBeGreaterThan(4);
    expect(labels.length).toBeLessThanOrEqual(8);
    expect(svg).toContain(">01-30</text>");
  });

  it("escapes the label and the unit", () => {
    const svg = dailyChart(days([1]), NASTY, NASTY);
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).not.toContain("<script>");
  });
});

describe("barList", () => {
  it("draws one row per item, scaled to the largest, with escaped labels cut to fit", () => {
    const svg = barList(
      [
        { label: NASTY, value: 10 },
        { label: "example.com", value: 5, text: "5 (50%)" },
      ],
      "Top referrers",
    );
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).not.toContain("<script>");
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg).toContain('width="260"');
    expect(svg).toContain('width="130"');
    expect(svg).toContain(">5 (50%)</text>");
  });

  it("says so when there is nothing to show", () => {
    const svg = barList([], "Top countries");
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain("No data yet");
  });
});
