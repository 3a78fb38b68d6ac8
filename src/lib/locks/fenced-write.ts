import type { Config } from "../../env.ts";
import { AppError } from "../errors.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import source from "./fenced-write.lua";
import { fencedKey } from "./keys.ts";
import { integers } from "./lease.ts";

const fencedWriteScript = defineScript(source, integers);

export interface FencedWrite {
  /** The resource's name (NAME_PATTERN). */
  resource: string;
  /** The writer's fence, from its lease. */
  fence: number;
  value: string;
  /** Time to live of the resource in ms; none when absent. */
  ttlMs?: number;
}

/**
 * Kleppmann's resource-side check for Redis-held state: writes `value` only if `fence` is not
 * older than the highest fence the resource has seen (one round trip, atomic). A holder whose
 * lease lapsed while it was paused carries an older fence than the one who took over, so its late
 * write is refused with a 409 `stale-fence` problem instead of overwriting the newer one.
 *
 * @example
 * const lease = await acquireLock(redis, config, { name: "report", owner: "cron", ttlMs: 30_000, now });
 * await fencedWrite(redis, config, { resource: "report", fence: lease.fence, value: JSON.stringify(report) });
 */
export async function fencedWrite(redis: RedisClient, config: Pick<Config, "KEY_PREFIX">, write: FencedWrite) {
  const [written = 0, fence = 0] = await fencedWriteScript.run(
    redis,
    [fencedKey(config, write.resource)],
    [write.fence, write.value, write.ttlMs ?? 0],
  );
  if (written !== 1) {
    throw new AppError(
      "stale_fence",
      `Fence ${write.fence} is older than ${fence}, the newest "${write.resource}" has seen: a newer holder wrote since.`,
      { extensions: { fence: write.fence, seen: fence } },
    );
  }
}

/** A fenced resource's value and the fence that wrote it, or null. */
export async function readFenced(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  resource: string,
): Promise<{ value: string; fence: number } | null> {
  // Without automatic deserialization the client returns HMGET's array as Redis sent it.
  const [fence, value] = (await redis.hmget(fencedKey(config, resource), "fence", "value")) as unknown as [
    string | null,
    string | null,
  ];
  return fence === null || value === null ? null : { value, fence: Number(fence) };
}
