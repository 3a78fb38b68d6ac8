import type { LoadResult } from "./load.ts";

/** The one-round-trip baseline every hot path is compared with. */
export const ONE_FETCH = "baseline: one raw fetch";
/** Targets from issue #11: 1.00 round trips per request (0 warm flags), ≥ 0.85x the baseline. */
export const TARGET_RATIO = 0.85;
/** Issue #22: a hot path's Worker CPU per request at most 1.25x the one-fetch route's, same run. */
export const TARGET_CPU = 1.25;
/** The hot paths of DESIGN.md (redirect, view count, flags, assignment, session read, rate limit). */
const HOT = ["redirect", "view count", "flags, bulk", "experiment assignment", "session read", "rate-limited API read"];
export const isHotPath = (name: string) => HOT.some((hot) => name.startsWith(hot));

export interface Row extends LoadResult {
  /** req/s over the one-raw-fetch baseline's: the median of the paired slices' ratios. */
  ratio: number;
  /**
   * Worker CPU per request over the one-fetch baseline's, the median of the paired slices' ratios
   * (issue #22: at most 1.25x for a hot path). Steadier than `ratio` on a shared machine.
   */
  cpuVsOneFetch: number;
  /** The lowest and highest CPU ratio over the slices. */
  cpuRange: [number, number];
  /** Slices of this path measured, each beside a slice of the one-fetch baseline. */
  slices: number;
  /** Round trips this path should cost, when it is a hot path. */
  targetRoundTrips?: number;
  /** Which targets it misses ("round trips", "CPU", "throughput"); empty when none or not a hot path. */
  misses: string[];
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return 0;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const r2 = (n: number) => Math.round(n * 100) / 100;

/**
 * One row from a path's slices and the one-fetch slices run beside them (slice i of the path next
 * to slice i of the baseline): every figure is the median over the slices, each ratio the median
 * of the per-pair ratios. On a shared machine the load swings by a factor of two within a minute;
 * a ratio between two slices taken seconds apart swings far less.
 */
export function pairedRow(slices: LoadResult[], baseline: LoadResult[]): Row {
  const first = slices[0] as LoadResult;
  const pairs = slices.map((s, i) => [s, baseline[i] ?? (baseline[0] as LoadResult)] as const);
  const cpu = pairs.map(([s, b]) => (b.cpuUs > 0 ? s.cpuUs / b.cpuUs : 0));
  const row: Row = {
    name: first.name,
    note: first.note,
    requests: slices.reduce((sum, s) => sum + s.requests, 0),
    errors: slices.reduce((sum, s) => sum + s.errors, 0),
    rps: Math.round(median(slices.map((s) => s.rps))),
    p50: median(slices.map((s) => s.p50)),
    p99: median(slices.map((s) => s.p99)),
    roundTrips: r2(median(slices.map((s) => s.roundTrips))),
    commands: r2(median(slices.map((s) => s.commands))),
    cpuUs: Math.round(median(slices.map((s) => s.cpuUs))),
    ratio: r2(median(pairs.map(([s, b]) => (b.rps > 0 ? s.rps / b.rps : 0)))),
    cpuVsOneFetch: r2(median(cpu)),
    cpuRange: [r2(Math.min(...cpu)), r2(Math.max(...cpu))],
    slices: slices.length,
    misses: [],
  };
  if (row.name.startsWith("baseline") || row.name.startsWith("reference")) return row;
  // An Idempotency-Key's first run: the claim and the store around the route's own trip.
  // A gateway miss: its lookup, then its fill's commit.
  const targetRoundTrips = row.name.includes("cache warm")
    ? 0
    : row.name.includes("idempotent") && row.name.includes("first run")
      ? 3
      : row.name.includes("miss with its fill")
        ? 2
        : 1;
  const misses = [
    ...(row.roundTrips > targetRoundTrips + 0.005 ? ["round trips"] : []),
    ...(isHotPath(row.name) && row.cpuVsOneFetch > TARGET_CPU ? ["CPU"] : []),
    ...(row.ratio < TARGET_RATIO ? ["throughput"] : []),
    ...(row.errors > 0 ? ["errors"] : []),
  ];
  return { ...row, targetRoundTrips, misses };
}

/** The Markdown table of one run. */
export function markdownTable(rows: Row[]): string {
  const cell = (r: Row) =>
    r.misses.length ? `misses: ${r.misses.join(", ")}` : r.targetRoundTrips === undefined ? "" : "ok";
  return [
    `| path | req/s | p50 ms | p99 ms | errors | round trips/req | target | req/s vs one fetch | Worker CPU µs/req | CPU vs one fetch (hot paths ≤ ${TARGET_CPU}x) | CPU ratio, lowest-highest slice | verdict |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.roundTrips.toFixed(2)} | ${r.targetRoundTrips ?? ""} | ${r.ratio.toFixed(2)}x | ${r.cpuUs} | ${r.cpuVsOneFetch.toFixed(2)}x | ${r.cpuRange[0].toFixed(2)}-${r.cpuRange[1].toFixed(2)} | ${cell(r)} |`,
    ),
  ].join("\n");
}

/** What each row measures, as a list under the table. */
export function notes(rows: Row[]): string {
  return rows
    .filter((r) => r.note)
    .map((r) => `- ${r.name}: ${r.note}.`)
    .join("\n");
}
