import type { Config } from "../../env.ts";
import type { Clock } from "../clock.ts";
import type { RedisClient } from "../redis.ts";
import type { JobHandlers } from "./handlers.ts";
import { listQueues } from "./list-queues.ts";
import { type RunReport, runQueue } from "./run-queue.ts";

export interface TickReport {
  queues: Record<string, RunReport>;
  attempted: number;
}

/**
 * One cron tick: every queue in turn, until `budget` attempts were made in all (a Worker's
 * subrequests per invocation are limited). The queue to start with rotates every minute, so a
 * busy queue cannot starve the ones after it. Idle cost: 1 SMEMBERS + 1 claim script per queue.
 */
export async function runTick(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  options: { clock: Clock; handlers: JobHandlers; budget: number },
): Promise<TickReport> {
  const names = await listQueues(redis, config);
  const start = names.length === 0 ? 0 : Math.floor(options.clock.now() / 60_000) % names.length;
  const ordered = [...names.slice(start), ...names.slice(0, start)];
  const report: TickReport = { queues: {}, attempted: 0 };
  for (const queue of ordered) {
    const left = options.budget - report.attempted;
    if (left <= 0) break;
    const run = await runQueue(redis, config, queue, {
      clock: options.clock,
      handlers: options.handlers,
      maxJobs: left,
    });
    report.queues[queue] = run;
    report.attempted += run.attempted;
  }
  return report;
}
