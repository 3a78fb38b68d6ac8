import type { Config } from "../../env.ts";
import { namespace } from "../keys.ts";

/** Queue names: lowercase letters, digits and dashes (they go into keys and job ids). */
export const QUEUE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Dedup ids: what a caller may use to make an enqueue idempotent. */
export const DEDUP_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Job ids are `{queue}_{random}`, so a job id alone finds its queue. */
export const JOB_ID = /^([a-z0-9][a-z0-9-]{0,62})_([A-Za-z0-9]{20})$/;

/** The consumer group every queue's stream is read through, and its one consumer name. */
export const GROUP = "w";

/**
 * Every Redis key of the jobs primitive is built here and nowhere else. The keys of one queue share
 * the hash tag `{name}`, so every script on a queue lands in one cluster slot, and every key a
 * script touches is known before it runs (Upstash's allow-key-locking):
 *
 *   {ns}q:{orders}:cfg        string  the queue's settings as JSON (signing secrets, flow control, retries)
 *   {ns}q:{orders}:s          stream  work: one entry `id = <job id>` per delivery due now (group "w")
 *   {ns}q:{orders}:jobs       hash    job id -> what to do (spec JSON: target, headers, body / type, payload)
 *   {ns}q:{orders}:st         hash    job id -> state JSON (status, attempts, last 10 attempts, due time)
 *   {ns}q:{orders}:due        zset    job id -> when it is due (ms): delayed jobs and retries
 *   {ns}q:{orders}:done       zset    job id -> when it succeeded (ms), for retention
 *   {ns}q:{orders}:dlq        stream  dead letters: `id`, `reason`, `at`
 *   {ns}q:{orders}:ep         hash    endpoint origin -> state JSON (in flight, rate tokens, failing since, disabled)
 *   {ns}q:{orders}:ev         stream  operational events: endpoint.disabled, message.attempt.exhausted
 *   {ns}q:{orders}:dd:<id>    string  dedup id -> job id, expiring after the queue's dedup window
 *   {ns}queues                set     the names of every queue, SHARED (the cron handler walks it)
 */
export function queueKeys(config: Pick<Config, "KEY_PREFIX">, queue: string) {
  const base = `${namespace(config)}q:{${queue}}`;
  return {
    cfg: `${base}:cfg`,
    stream: `${base}:s`,
    jobs: `${base}:jobs`,
    state: `${base}:st`,
    due: `${base}:due`,
    done: `${base}:done`,
    dlq: `${base}:dlq`,
    endpoints: `${base}:ep`,
    events: `${base}:ev`,
    /** Without a dedup id the slot still carries a key (never touched), so KEYS keep their places. */
    dedup: (dedupId: string | undefined) => `${base}:dd:${dedupId ?? ""}`,
  };
}

export type QueueKeys = ReturnType<typeof queueKeys>;

/** The shared set of queue names. */
export function queuesIndexKey(config: Pick<Config, "KEY_PREFIX">): string {
  return `${namespace(config)}queues`;
}

/** The queue a job id belongs to, or undefined for a malformed id. */
export function queueOfJob(id: string): string | undefined {
  return JOB_ID.exec(id)?.[1];
}
