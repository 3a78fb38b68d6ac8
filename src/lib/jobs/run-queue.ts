import type { Config } from "../../env.ts";
import type { Clock } from "../clock.ts";
import type { RedisClient } from "../redis.ts";
import { claimBatch } from "./claim.ts";
import { attemptJob } from "./deliver.ts";
import type { JobHandlers } from "./handlers.ts";
import { type Outcome, settleBatch } from "./settle.ts";

/** A Worker keeps at most 6 connections open at once; more fetches would wait, timers running. */
export const PARALLEL_FETCHES = 6;

export interface RunOptions {
  clock: Clock;
  handlers: JobHandlers;
  /** Stop after this many attempts (a cron tick's subrequest budget). */
  maxJobs: number;
  /** Jobs per claim script (default 12: two waves of 6 fetches). */
  batchSize?: number;
  random?: () => number;
}

export interface RunReport {
  /** False when the queue does not exist. */
  found: boolean;
  batches: number;
  attempted: number;
  succeeded: number;
  failed: number;
  /** Retries scheduled (part of failed). */
  retried: number;
  /** Sent to the dead-letter stream: exhausted, or their endpoint disabled. */
  dead: number;
  /** Put back for later by flow control (not attempted). */
  throttled: number;
}

async function inWaves<T, R>(items: T[], width: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

/**
 * Pulls a queue: claims a batch (one script), attempts its jobs (at most 6 at a time), settles
 * the batch (one script), and repeats until nothing is due or `maxJobs` attempts were made.
 * Two Redis round trips per batch, whatever its size.
 */
export async function runQueue(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  queue: string,
  options: RunOptions,
): Promise<RunReport> {
  const report: RunReport = {
    found: true,
    batches: 0,
    attempted: 0,
    succeeded: 0,
    failed: 0,
    retried: 0,
    dead: 0,
    throttled: 0,
  };
  const size = options.batchSize ?? 12;
  while (report.attempted < options.maxJobs) {
    const batch = await claimBatch(
      redis,
      config,
      queue,
      options.clock.now(),
      Math.min(size, options.maxJobs - report.attempted),
    );
    if (batch.missing) return { ...report, found: false };
    report.batches++;
    report.throttled += batch.throttled;
    report.dead += batch.dead;
    if (batch.jobs.length === 0) break;
    const outcomes: Outcome[] = await inWaves(batch.jobs, PARALLEL_FETCHES, (job) =>
      attemptJob(job, batch.settings, {
        now: () => options.clock.now(),
        handlers: options.handlers,
        ...(options.random ? { random: options.random } : {}),
      }),
    );
    await settleBatch(redis, config, queue, options.clock.now(), outcomes, batch.settings.disableAfterMs);
    report.attempted += outcomes.length;
    for (const outcome of outcomes) {
      if (outcome.result === "done") report.succeeded++;
      else report.failed++;
      if (outcome.result === "retry") report.retried++;
      if (outcome.result === "dead" || outcome.result === "disable") report.dead++;
    }
  }
  return report;
}
