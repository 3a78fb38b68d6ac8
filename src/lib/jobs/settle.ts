import type { Config } from "../../env.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { queueKeys } from "./keys.ts";
import type { Attempt } from "./schema.ts";
import source from "./settle.lua";

/** How long operational events stay readable. */
export const EVENTS_RETENTION_MS = 30 * 86_400_000;

/** What the Worker decided for one attempt. */
export interface Outcome {
  id: string;
  entry: string;
  /** The attempt number the claim handed out: a stale settle (the claim lapsed) only acks. */
  attempt: number;
  result: "done" | "retry" | "dead" | "disable";
  retryAt?: number;
  reason?: string;
  record: Attempt;
}

const settle = defineScript(source, (reply) => (Array.isArray(reply) ? reply.map(Number) : []));

/** Applies a batch of outcomes in one script (settle.lua); 1 per applied outcome, 0 per stale one. */
export function settleBatch(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  queue: string,
  now: number,
  outcomes: Outcome[],
  disableAfterMs: number,
): Promise<number[]> {
  const k = queueKeys(config, queue);
  return settle.run(
    redis,
    [k.stream, k.state, k.due, k.endpoints, k.dlq, k.done, k.events],
    [now, JSON.stringify(outcomes), disableAfterMs, EVENTS_RETENTION_MS],
  );
}
