import type { Config } from "../../env.ts";
import { AppError, type FieldError, validationError } from "../errors.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { queueKeys, queuesIndexKey } from "./keys.ts";
import source from "./put-queue.lua";
import { readSettings } from "./read-settings.ts";
import { DEFAULT_SETTINGS, type QueueSettings, type QueueSettingsInput } from "./schema.ts";
import { generateSecret, secretProblem } from "./signature.ts";
import { endpointOf } from "./target.ts";

/** How long a rotated-out secret keeps signing beside the new one. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

/** A queue's settings as the API shows them: secrets are never shown again, only counted. */
export interface PublicSettings extends Omit<QueueSettings, "secrets"> {
  name: string;
  signingSecrets: { current: boolean; expiresAt: number | null }[];
}

export const publicSettings = (name: string, settings: QueueSettings): PublicSettings => {
  const { secrets, ...rest } = settings;
  return {
    name,
    ...rest,
    signingSecrets: secrets.map((s) => ({ current: s.expiresAt === null, expiresAt: s.expiresAt })),
  };
};

export interface PutQueueResult {
  created: boolean;
  settings: PublicSettings;
  /** Only when edgekit generated the secret: shown this once. */
  secret?: string;
}

const putScript = defineScript(source, Number);

function merge(current: QueueSettings | undefined, input: QueueSettingsInput, now: number): QueueSettings {
  const base = current ?? { ...DEFAULT_SETTINGS, secrets: [], createdAt: now, updatedAt: now };
  const next: QueueSettings = {
    ...base,
    ...(input.parallelism !== undefined ? { parallelism: input.parallelism } : {}),
    ...(input.rate !== undefined
      ? { rate: input.rate && { limit: input.rate.limit, periodMs: input.rate.periodSeconds * 1000 } }
      : {}),
    ...(input.timeoutMs !== undefined ? { timeoutMs: input.timeoutMs } : {}),
    ...(input.visibilityTimeoutMs !== undefined ? { visibilityTimeoutMs: input.visibilityTimeoutMs } : {}),
    ...(input.maxAttempts !== undefined ? { maxAttempts: input.maxAttempts } : {}),
    ...(input.retrySchedule !== undefined ? { retrySchedule: input.retrySchedule } : {}),
    ...(input.disableAfterHours !== undefined ? { disableAfterMs: input.disableAfterHours * 3_600_000 } : {}),
    ...(input.dedupWindowSeconds !== undefined ? { dedupWindowMs: input.dedupWindowSeconds * 1000 } : {}),
    // Never the same number twice, so the compare-and-set in put-queue.lua sees every change.
    updatedAt: Math.max(now, (current?.updatedAt ?? 0) + 1),
  };
  // Rotated-out secrets that have expired are dropped.
  next.secrets = base.secrets.filter((s) => s.expiresAt === null || s.expiresAt > now);
  return next;
}

/**
 * Creates a queue or changes its settings (PUT /api/queues/{queue}). A new `secret` becomes the
 * current one and the previous one keeps signing for {@link ROTATION_OVERLAP_MS}; a queue without
 * any secret gets a generated one, returned once.
 */
export async function putQueue(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  queue: string,
  input: QueueSettingsInput,
  now: number,
): Promise<PutQueueResult> {
  const errors: FieldError[] = [];
  const problem = input.secret !== undefined ? secretProblem(input.secret) : undefined;
  if (problem) errors.push({ path: "secret", message: problem });
  const enable = (input.enableEndpoints ?? []).map((target, i) => {
    try {
      return endpointOf(target);
    } catch {
      errors.push({ path: `enableEndpoints.${i}`, message: "must be an absolute http(s) URL" });
      return "";
    }
  });
  if (errors.length > 0) throw validationError(errors);
  const keys = queueKeys(config, queue);
  for (let tries = 0; tries < 5; tries++) {
    const current = await readSettings(redis, config, queue);
    const next = merge(current, input, now);
    if (next.visibilityTimeoutMs <= next.timeoutMs) {
      throw validationError([{ path: "visibilityTimeoutMs", message: "must be longer than timeoutMs" }]);
    }
    let generated: string | undefined;
    if (input.secret !== undefined) {
      if (!next.secrets.some((s) => s.key === input.secret)) {
        next.secrets = [
          { key: input.secret, expiresAt: null },
          ...next.secrets.map((s) => (s.expiresAt === null ? { ...s, expiresAt: now + ROTATION_OVERLAP_MS } : s)),
        ];
      }
    } else if (!next.secrets.some((s) => s.expiresAt === null)) {
      generated = generateSecret();
      next.secrets = [{ key: generated, expiresAt: null }, ...next.secrets];
    }
    const written = await putScript.run(
      redis,
      [keys.cfg, queuesIndexKey(config), keys.endpoints],
      [current ? String(current.updatedAt) : "", JSON.stringify(next), queue, JSON.stringify(enable)],
    );
    if (written !== 0) {
      return {
        created: written === 1,
        settings: publicSettings(queue, next),
        ...(generated ? { secret: generated } : {}),
      };
    }
  }
  throw new AppError("conflict", "The queue's settings kept changing while they were written; try again.");
}
