import type { Config } from "../../env.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import source from "./claim.lua";
import { queueKeys } from "./keys.ts";
import { asArray, type JobSpec, type JobState, type QueueSettings } from "./schema.ts";

/** How long succeeded jobs stay readable through GET /api/jobs/{id}. */
export const DONE_RETENTION_MS = 7 * 86_400_000;

export interface ClaimedJob {
  /** The stream entry, acked by settle. Empty for none. */
  entry: string;
  id: string;
  spec: JobSpec;
  state: JobState;
}

export type ClaimResult =
  | { missing: true }
  | { missing: false; settings: QueueSettings; jobs: ClaimedJob[]; throttled: number; dead: number };

const claim = defineScript(source, (reply): ClaimResult => {
  const body = JSON.parse(String(reply)) as {
    missing?: boolean;
    settings?: string;
    jobs?: unknown;
    throttled?: number;
    dead?: number;
  };
  if (body.missing) return { missing: true };
  const settings = JSON.parse(String(body.settings)) as QueueSettings;
  return {
    missing: false,
    settings: { ...settings, secrets: asArray(settings.secrets), retrySchedule: asArray(settings.retrySchedule) },
    jobs: asArray<[string, string, string, string]>(body.jobs).map(([entry, id, spec, state]) => {
      const decoded = JSON.parse(state) as JobState;
      return {
        entry,
        id,
        spec: JSON.parse(spec) as JobSpec,
        state: { ...decoded, history: asArray(decoded.history) },
      };
    }),
    throttled: Number(body.throttled ?? 0),
    dead: Number(body.dead ?? 0),
  };
});

/** Claims up to `size` due jobs of a queue in one script (claim.lua). */
export function claimBatch(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  queue: string,
  now: number,
  size: number,
): Promise<ClaimResult> {
  const k = queueKeys(config, queue);
  return claim.run(
    redis,
    [k.cfg, k.stream, k.state, k.jobs, k.due, k.endpoints, k.dlq, k.done],
    [now, size, DONE_RETENTION_MS],
  );
}
