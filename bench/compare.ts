/**
 * Two builds of the bench Worker side by side on one stack (same proxy, same Redis, same records):
 * this tree's and another's, e.g. an older commit's, to tell what a change saved when the machine
 * is too loaded for two separate `npm run bench` runs to be compared. For each case, slices of the
 * two builds alternate (ABBA); reported per case: the median Worker CPU per request of each and
 * the median of the slices' ratios (this tree over the other).
 *
 *   git archive <commit> | tar -x -C /tmp/old && ln -s "$PWD/node_modules" /tmp/old/node_modules
 *   (cd /tmp/old && npx wrangler deploy bench/worker.ts --dry-run --outdir /tmp/old-build)
 *   COMPARE_WITH=/tmp/old-build npx tsx bench/compare.ts
 *
 *   COMPARE_WITH    the other build's folder (required); BENCH_SECONDS per slice (default 2),
 *   BENCH_SLICES    slices per build and case (default 6); BENCH_CASES as for `npm run bench`
 */
import { loadavg } from "node:os";
import { BENCH_RATE_LIMITS, hotPaths } from "./hot-paths.ts";
import { type LoadCase, type LoadResult, load } from "./load.ts";
import { median } from "./report.ts";
import { startStack } from "./stack.ts";

const other = process.env.COMPARE_WITH;
if (!other) throw new Error("COMPARE_WITH=<folder of the other build> is required");
const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const sliceCount = Math.max(2, Number(process.env.BENCH_SLICES ?? 6));
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const only = (process.env.BENCH_CASES ?? "").split(",").filter(Boolean);

const loadBefore = loadavg();
const stack = await startStack({ RATE_LIMITS: BENCH_RATE_LIMITS });
const lines: string[] = [];
try {
  const otherUrl = await stack.startWorker({}, { outdir: other });
  const cases: LoadCase[] = [
    { name: "baseline: one raw fetch", path: "/__bench/fetch" },
    ...(await hotPaths(stack, stack.workerUrl)).filter((c) => !c.name.includes("cache cold")),
  ].filter((c) => only.length === 0 || only.some((word) => c.name.includes(word)));
  for (const c of cases) {
    const ours: LoadResult[] = [];
    const theirs: LoadResult[] = [];
    for (let i = 0; i < sliceCount; i++) {
      const opts = { seconds, connections, warmupSeconds: i < 2 ? 1 : 0 };
      const run = (url: string) => load(url, { ...c, baseUrl: url }, opts, stack.proxyStats);
      // ABBA: each build goes first in every other slice.
      if (i % 2 === 0) {
        ours.push(await run(stack.workerUrl));
        theirs.push(await run(otherUrl));
      } else {
        theirs.push(await run(otherUrl));
        ours.push(await run(stack.workerUrl));
      }
    }
    const ratio = median(ours.map((r, i) => r.cpuUs / ((theirs[i] as LoadResult).cpuUs || 1)));
    const line = `| ${c.name} | ${Math.round(median(theirs.map((r) => r.cpuUs)))} | ${Math.round(median(ours.map((r) => r.cpuUs)))} | ${ratio.toFixed(2)}x |`;
    lines.push(line);
    console.error(line);
  }
} finally {
  await stack.stop();
}
const fmt = (avg: number[]) => avg.map((n) => n.toFixed(2)).join(", ");
console.log(
  [
    `Worker CPU per request, ${sliceCount} slices of ${seconds} s per build and case, ABBA; load average ${fmt(loadBefore)} before, ${fmt(loadavg())} after.`,
    "",
    `| path | other build µs/req | this tree µs/req | this tree / other (median of slices) |`,
    "| --- | ---: | ---: | ---: |",
    ...lines,
  ].join("\n"),
);
