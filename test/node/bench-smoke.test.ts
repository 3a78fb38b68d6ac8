import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/**
 * `npm run bench` itself is too slow for CI (about two minutes); this runs the same harness for
 * one second on two cases, with its own build and output directories, to prove it still works:
 * the stack starts, the records are set up through the API, load runs, round trips are counted.
 */
const root = resolve(import.meta.dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "bench-smoke-"));

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the benchmark harness", () => {
  it("loads the constant baseline and the redirect, and counts 0 and 1 round trips per request", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "bench/run.ts"], {
      cwd: root,
      encoding: "utf8",
      env: {
        ...process.env,
        BENCH_SECONDS: "1",
        BENCH_CONNECTIONS: "10",
        BENCH_CASES: "constant,redirect",
        BENCH_PROXY: "0",
        BENCH_STARTUP: "0",
        BENCH_OUT: join(work, "results"),
        BENCH_BUILD: join(work, "build"),
      },
      timeout: 55_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const latest = JSON.parse(readFileSync(join(work, "results/latest.json"), "utf8")) as {
      results: { name: string; requests: number; errors: number; roundTrips: number }[];
    };
    expect(latest.results.map((r) => [r.name, r.errors, r.roundTrips])).toEqual([
      ["baseline: constant", 0, 0],
      ["redirect", 0, 1],
    ]);
    expect(latest.results.every((r) => r.requests > 100)).toBe(true);
    expect(readFileSync(join(work, "results/latest.md"), "utf8")).toContain("| redirect |");
  }, 60_000);

  it("measures the cold start of edgekit beside an empty Worker", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "bench/startup.ts"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, STARTUP_RUNS: "1", STARTUP_BUILD: join(work, "startup") },
      timeout: 55_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\| edgekit's overhead over the empty Worker \| -?[\d.]+ \| -?[\d.]+ \|/);
    expect(run.stdout).toMatch(/\| edgekit: start to a first redirect \(real proxy and Redis\) \| [\d.]+ \| [\d.]+ \|/);
    expect(run.stdout).toMatch(/\| first `\/openapi.json` on a fresh isolate \| [\d.]+ \|/);
  }, 60_000);
});
