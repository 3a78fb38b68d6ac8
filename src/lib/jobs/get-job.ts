import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { queueKeys, queueOfJob } from "./keys.ts";
import { type Attempt, asArray, type JobSpec, type JobState, type JobStatus } from "./schema.ts";

export interface JobView {
  id: string;
  queue: string;
  status: JobStatus;
  attempts: number;
  kind: "webhook" | "job";
  target?: string;
  type?: string;
  createdAt: number;
  updatedAt: number;
  dueAt: number;
  deadReason?: string;
  replays: number;
  /** The last 10 attempts, oldest first. */
  history: Attempt[];
}

/** A job's status and last 10 attempts, or undefined when no such job is kept. */
export async function getJob(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  id: string,
): Promise<JobView | undefined> {
  const queue = queueOfJob(id);
  if (!queue) return undefined;
  const k = queueKeys(config, queue);
  const [spec, state] = await Promise.all([redis.hget<string>(k.jobs, id), redis.hget<string>(k.state, id)]);
  if (!spec || !state) return undefined;
  const s = JSON.parse(String(spec)) as JobSpec;
  const st = JSON.parse(String(state)) as JobState;
  return {
    id,
    queue,
    status: st.status,
    attempts: st.attempts,
    kind: s.kind,
    ...(s.kind === "webhook" ? { target: s.target } : { type: s.type }),
    createdAt: st.createdAt,
    updatedAt: st.updatedAt,
    dueAt: st.dueAt,
    ...(st.deadReason ? { deadReason: st.deadReason } : {}),
    replays: st.replays ?? 0,
    history: asArray(st.history),
  };
}
