import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { queueKeys } from "./keys.ts";
import { asArray, type QueueSettings } from "./schema.ts";

/** A queue's stored settings, or undefined when the queue does not exist. */
export async function readSettings(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  queue: string,
): Promise<QueueSettings | undefined> {
  const raw = await redis.get<string>(queueKeys(config, queue).cfg);
  if (raw === null || raw === undefined) return undefined;
  const settings = JSON.parse(String(raw)) as QueueSettings;
  return { ...settings, secrets: asArray(settings.secrets), retrySchedule: asArray(settings.retrySchedule) };
}
