import type { Config } from "../../env.ts";
import { limitedScript, type ScriptLimit } from "../ratelimit/limited-script.ts";
import type { RedisClient } from "../redis.ts";
import source from "./enqueue.lua";
import { queueKeys } from "./keys.ts";
import type { JobSpec, JobState } from "./schema.ts";

/** A job ready to be written: its id, and the keys and arguments of the enqueue step. */
export interface PreparedJob {
  id: string;
  keys: string[];
  args: string[];
  dueAt: number;
}

export type EnqueueResult =
  | { outcome: "enqueued"; id: string; dueAt: number }
  | { outcome: "duplicate"; id: string }
  | { outcome: "no_queue" };

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A new job id: `{queue}_` and 20 random characters (119 bits). It is the webhook-id, too. */
export function newJobId(queue: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return `${queue}_${Array.from(bytes, (b) => ALPHABET[b % 62]).join("")}`;
}

/**
 * The enqueue step's keys and arguments for one job (six of each, in the order enqueue.lua's
 * header lists).
 */
export function prepareJob(
  config: Pick<Config, "KEY_PREFIX">,
  queue: string,
  job: { spec: JobSpec; dueAt: number; now: number; endpoint?: string; dedupId?: string },
): PreparedJob {
  const keys = queueKeys(config, queue);
  const id = newJobId(queue);
  const state: JobState = {
    status: job.dueAt > job.now ? "scheduled" : "queued",
    attempts: 0,
    ...(job.endpoint ? { endpoint: job.endpoint } : {}),
    createdAt: job.now,
    updatedAt: job.now,
    dueAt: job.dueAt,
    history: [],
    ...(job.dedupId ? { dedupId: job.dedupId } : {}),
  };
  return {
    id,
    dueAt: job.dueAt,
    keys: [keys.cfg, keys.jobs, keys.state, keys.stream, keys.due, keys.dedup(job.dedupId)],
    args: [
      id,
      JSON.stringify(job.spec),
      JSON.stringify(state),
      String(job.dueAt),
      String(job.now),
      job.dedupId ? "1" : "0",
    ],
  };
}

/** Decodes the enqueue step's reply ({1, id}, {0, id} or {-1, ""}). */
export function decodeEnqueue(reply: unknown, dueAt: number): EnqueueResult {
  const [code, id] = Array.isArray(reply) ? reply : [];
  if (Number(code) === 1) return { outcome: "enqueued", id: String(id), dueAt };
  if (Number(code) === 0) return { outcome: "duplicate", id: String(id) };
  if (Number(code) === -1) return { outcome: "no_queue" };
  throw new Error(`enqueue.lua: unexpected reply ${JSON.stringify(reply)}`);
}

const START = "-- enqueue-step:start\n";
const END = "-- enqueue-step:end\n";

/**
 * The Lua function `enqueue_job(keys, args, ko, ao)`, to put into another primitive's script: it
 * enqueues a job inside that script, so the script's own write and the job are one atomic step.
 */
export const ENQUEUE_STEP = source.slice(source.indexOf(START) + START.length, source.indexOf(END));

/**
 * `source` with `enqueue_job` defined after its shebang line. The script passes a PreparedJob's six
 * keys after its own KEYS and its six args after its own ARGV, and calls
 * `enqueue_job(KEYS, ARGV, <its own KEYS count>, <its own ARGV count>)`.
 *
 * @example
 * const outbox = defineScript(withEnqueueStep(myLua), decode);
 * const job = prepareJob(config, "orders", { spec, dueAt: now, now });
 * await outbox.run(redis, [myKey, ...job.keys], [myArg, ...job.args]);
 */
export function withEnqueueStep(script: string): string {
  const eol = script.indexOf("\n");
  if (!script.startsWith("#!") || eol === -1) return `${ENQUEUE_STEP}${script}`;
  return `${script.slice(0, eol + 1)}${ENQUEUE_STEP}${script.slice(eol + 1)}`;
}

const enqueueScript = limitedScript(source, (reply) => reply);

/** Writes a prepared job: one round trip, the rate-limit check folded in when `limit` is given. */
export async function enqueueJob(redis: RedisClient, job: PreparedJob, limit?: ScriptLimit): Promise<EnqueueResult> {
  return decodeEnqueue(await enqueueScript.run(redis, job.keys, job.args, limit), job.dueAt);
}
