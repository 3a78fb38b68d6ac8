import type { Config } from "../../env.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { queueKeys } from "./keys.ts";
import source from "./queue-stats.lua";
import { asArray } from "./schema.ts";

export interface QueueStats {
  /** Due now and not yet claimed: unread stream entries plus delayed jobs now due. */
  due: number;
  /** Claimed and not settled (in flight, or a crashed claim waiting for the visibility timeout). */
  pending: number;
  /** Waiting for a later time (delays, retries, throttled). */
  delayed: number;
  dlq: number;
  /** Jobs whose record is kept (any status). */
  jobs: number;
  /** How late the most overdue delayed job is, ms (0 when none is overdue). */
  lagMs: number;
  disabledEndpoints: { endpoint: string; disabledAt: number; reason: string }[];
}

const stats = defineScript(source, (reply) => JSON.parse(String(reply)) as Record<string, unknown>);

/** A queue's counters in one read-only script, or undefined when the queue does not exist. */
export async function queueStats(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  queue: string,
  now: number,
): Promise<QueueStats | undefined> {
  const k = queueKeys(config, queue);
  const raw = await stats.run(redis, [k.stream, k.due, k.dlq, k.endpoints, k.state, k.cfg], [now]);
  if (!raw.found) return undefined;
  const n = (field: string) => Number(raw[field] ?? 0);
  const oldest = raw.oldestDueAt === null || raw.oldestDueAt === undefined ? undefined : Number(raw.oldestDueAt);
  return {
    // Settled entries are deleted, so the stream holds exactly the unclaimed and the pending ones.
    due: Math.max(0, n("stream") - n("pending")) + n("dueDelayed"),
    pending: n("pending"),
    delayed: n("delayed") - n("dueDelayed"),
    dlq: n("dlq"),
    jobs: n("jobs"),
    lagMs: oldest !== undefined && oldest <= now ? now - oldest : 0,
    disabledEndpoints: asArray<[string, number, string]>(raw.disabled).map(([endpoint, disabledAt, reason]) => ({
      endpoint,
      disabledAt: Number(disabledAt),
      reason,
    })),
  };
}
