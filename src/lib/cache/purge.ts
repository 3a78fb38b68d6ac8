import { defineScript, type RedisClient } from "../redis.ts";
import invalidateSource from "./invalidate-tag.lua";
import { hashId, type NamespaceKeys } from "./keys.ts";
import purgeKeySource from "./purge-key.lua";
import sweepSource from "./sweep.lua";

export type PurgeMode = "soft" | "hard";

/** Entries per sweep script: a tag with n entries costs ceil(n / SWEEP_BATCH) + 1 round trips. */
export const SWEEP_BATCH = 256;
/** A tag's invalidation marker lives this long: longer than any lease (leases are capped to it). */
export const MAX_LEASE_MS = 300_000;

const list = (reply: unknown) => (Array.isArray(reply) ? reply.map(String) : []);
const invalidateScript = defineScript(invalidateSource, list);
const sweepScript = defineScript(sweepSource, list);
const purgeKeyScript = defineScript(purgeKeySource, (reply) => Number(reply) === 1);

/**
 * Purges every entry carrying `tag`, in time proportional to those entries: never a SCAN, and
 * lookups never read tag keys. The first script fences in-flight fills with the tag at once
 * (they will not commit); the sweeps then purge the indexed entries batch by batch. Done for
 * every location when the promise resolves. Resolves to the number of entries purged.
 */
export async function purgeTag(
  redis: RedisClient,
  keys: NamespaceKeys,
  tag: string,
  mode: PurgeMode,
  now: number,
): Promise<number> {
  const id = await hashId(tag);
  const index = keys.tagIndex(id);
  const [seq = "0", ...first] = await invalidateScript.run(
    redis,
    [keys.seq, keys.tagMarker(id), index],
    [MAX_LEASE_MS, now, SWEEP_BATCH],
  );
  let batch = first;
  let offset = 0;
  let purged = 0;
  while (batch.length > 0) {
    const [count = "0", skipped = "0", ...next] = await sweepScript.run(
      redis,
      [index, ...batch.map(keys.entry)],
      [seq, mode, now, offset, SWEEP_BATCH, id, ...batch],
    );
    purged += Number(count);
    offset += Number(skipped);
    // A short batch was the last one.
    batch = batch.length < SWEEP_BATCH ? [] : next;
  }
  return purged;
}

/** Purges one entry by id and takes its lease away (an in-flight fill of it never commits). */
export function purgeEntry(redis: RedisClient, keys: NamespaceKeys, id: string, mode: PurgeMode): Promise<boolean> {
  return purgeKeyScript.run(redis, [keys.entry(id), keys.lease(id)], [mode]);
}

/**
 * Purges the whole namespace in O(1) (always hard): a new epoch, which every lookup reads and
 * every commit checks. One plain INCR, so no script.
 */
export function purgeNamespace(redis: RedisClient, keys: NamespaceKeys): Promise<number> {
  return redis.incr(keys.epoch);
}
