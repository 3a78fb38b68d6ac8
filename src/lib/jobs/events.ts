import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { queueKeys } from "./keys.ts";
import { asArray } from "./schema.ts";

/** An operational event: `endpoint.disabled` (endpoint, reason) or `message.attempt.exhausted` (id, attempts). */
export interface QueueEvent {
  entry: string;
  type: string;
  at: number;
  [field: string]: string | number;
}

/** The queue's events, newest first (kept 30 days). */
export async function readEvents(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  queue: string,
  limit: number,
): Promise<QueueEvent[]> {
  // The client hands back the raw reply (automaticDeserialization is off): [[entry, [field, value, ...]], ...].
  const entries = (await redis.xrevrange(queueKeys(config, queue).events, "+", "-", limit)) as unknown;
  return asArray<[string, string[]]>(entries).map(([entry, fields]) => {
    const event: QueueEvent = { entry, type: "", at: 0 };
    for (let i = 0; i + 1 < fields.length; i += 2) event[String(fields[i])] = String(fields[i + 1]);
    event.at = Number(event.at);
    return event;
  });
}
