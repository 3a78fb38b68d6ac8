import { defineScript, type RedisClient } from "../redis.ts";
import source from "./commit.lua";
import type { IdempotencyKeys } from "./keys.ts";
import type { StoredResponse } from "./stored-response.ts";

const commitScript = defineScript(source, (reply) => Number(reply) === 1);

/** How long a tombstone answers 410 after a record's retention ends (7 days). */
export const TOMBSTONE_MS = 7 * 86_400_000;

/**
 * Stores the response of a claimed request for replay (one round trip). False when the claim is
 * no longer this attempt's: its lease lapsed and a retry took over, so this late result is
 * refused (fencing) and the retry's result is the one that stands.
 */
export function commitResponse(
  redis: RedisClient,
  keys: IdempotencyKeys,
  input: { owner: string; now: number; retentionMs: number; response: StoredResponse },
): Promise<boolean> {
  const { response } = input;
  return commitScript.run(
    redis,
    [keys.record, keys.tombstone],
    [
      input.owner,
      input.now,
      response.status,
      JSON.stringify(response.headers),
      response.body,
      input.retentionMs,
      TOMBSTONE_MS,
    ],
  );
}
