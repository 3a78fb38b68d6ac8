import type { LoadResult } from "./load.ts";

/** The one-round-trip baseline every hot path is compared with. */
export const ONE_FETCH = "baseline: one raw fetch";
/** Targets from issue #11: 1.00 round trips per request (0 warm flags), ≥ 0.85x the baseline. */
export const TARGET_RATIO = 0.85;

export interface Row extends LoadResult {
  /** req/s over the one-raw-fetch baseline's. */
  ratio: number;
  /** The one-fetch baseline's Worker CPU per request over this path's: steadier than `ratio`. */
  cpuRatio: number;
  /** Round trips this path should cost, when it is a hot path. */
  targetRoundTrips?: number;
  /** Which targets it misses ("round trips", "throughput"); empty when none or not a hot path. */
  misses: string[];
}

/** Adds the ratio to the one-fetch baseline (the mean of its runs) and the targets each hot path misses. */
export function toRows(results: LoadResult[]): Row[] {
  // Measured at the start and again at the end of the run: their mean.
  const baselines = results.filter((r) => r.name.startsWith(ONE_FETCH));
  const oneFetch = baselines.reduce((sum, r) => sum + r.rps, 0) / baselines.length || 1;
  const oneFetchCpu = baselines.reduce((sum, r) => sum + r.cpuUs, 0) / baselines.length || 1;
  return results.map((r) => {
    const ratio = Math.round((r.rps / oneFetch) * 100) / 100;
    const cpuRatio = r.cpuUs > 0 ? Math.round((oneFetchCpu / r.cpuUs) * 100) / 100 : 0;
    if (r.name.startsWith("baseline") || r.name.startsWith("reference")) return { ...r, ratio, cpuRatio, misses: [] };
    // An Idempotency-Key's first run: the claim and the store around the route's own trip.
    // A gateway miss: its lookup, then its fill's commit.
    const targetRoundTrips = r.name.includes("cache warm")
      ? 0
      : r.name.includes("idempotent") && r.name.includes("first run")
        ? 3
        : r.name.includes("miss with its fill")
          ? 2
          : 1;
    const misses = [
      ...(r.roundTrips > targetRoundTrips + 0.005 ? ["round trips"] : []),
      ...(ratio < TARGET_RATIO ? ["throughput"] : []),
      ...(r.errors > 0 ? ["errors"] : []),
    ];
    return { ...r, ratio, cpuRatio, targetRoundTrips, misses };
  });
}

/** The Markdown table of one run. */
export function markdownTable(rows: Row[]): string {
  const cell = (r: Row) =>
    r.misses.length ? `misses: ${r.misses.join(", ")}` : r.targetRoundTrips === undefined ? "" : "ok";
  return [
    "| path | req/s | p50 ms | p99 ms | errors | round trips/req | target | vs one-fetch baseline (mean) | Worker CPU µs/req | one-fetch CPU / path CPU | verdict |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.roundTrips.toFixed(2)} | ${r.targetRoundTrips ?? ""} | ${r.ratio.toFixed(2)}x | ${r.cpuUs} | ${r.cpuRatio.toFixed(2)}x | ${cell(r)} |`,
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
