import type { Config } from "../../env.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import listSource from "./dlq-list.lua";
import purgeSource from "./dlq-purge.lua";
import replaySource from "./dlq-replay.lua";
import { queueKeys } from "./keys.ts";
import { asArray, type JobSpec, type JobState } from "./schema.ts";

/** Replay and purge look at this many dead letters per call, oldest first. */
export const DLQ_BATCH = 1000;

export interface DeadLetter {
  /** The dead-letter stream entry (a cursor for the next page). */
  entry: string;
  id: string;
  reason: string;
  at: number;
  spec: JobSpec | null;
  state: JobState | null;
}

const list = defineScript(listSource, (reply) =>
  asArray<[string, string, string, number, string, string]>(JSON.parse(String(reply))).map(
    ([entry, id, reason, at, spec, state]): DeadLetter => ({
      entry,
      id,
      reason,
      at: Number(at),
      spec: JSON.parse(spec) as JobSpec | null,
      state: JSON.parse(state) as JobState | null,
    }),
  ),
);
const replay = defineScript(replaySource, (reply) => asArray<string>(reply).map(String));
const purge = defineScript(purgeSource, Number);

/** Dead letters, newest first; `before` is the last page's final `entry`. */
export function listDeadLetters(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  queue: string,
  options: { limit: number; before?: string },
): Promise<DeadLetter[]> {
  const k = queueKeys(config, queue);
  return list.run(redis, [k.dlq, k.jobs, k.state], [options.limit, options.before ? `(${options.before}` : "+"]);
}

/** Replays dead letters (`ids`, or all of them) with fresh attempts and the same job ids. */
export function replayDeadLetters(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  queue: string,
  ids: string[] | "all",
  now: number,
): Promise<string[]> {
  const k = queueKeys(config, queue);
  return replay.run(redis, [k.dlq, k.state, k.stream], [now, ids === "all" ? "*" : JSON.stringify(ids), DLQ_BATCH]);
}

/** Deletes dead letters (`ids`, or all of them) and their records. */
export function purgeDeadLetters(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  queue: string,
  ids: string[] | "all",
): Promise<number> {
  const k = queueKeys(config, queue);
  return purge.run(redis, [k.dlq, k.jobs, k.state], [ids === "all" ? "*" : JSON.stringify(ids), DLQ_BATCH]);
}
