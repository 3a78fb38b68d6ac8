import type { Config } from "../../env.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import source from "./bloom.lua";
import { byResult, perId } from "./decode.ts";
import { dedupKeys } from "./keys.ts";

const bloomScript = defineScript(source, (reply) => reply);

/** A Bloom filter's shape for `capacity` ids per window at false-positive rate `errorRate`. */
export function bloomShape(capacity: number, errorRate: number): { bits: number; hashes: number } {
  const bits = Math.ceil((-capacity * Math.log(errorRate)) / Math.LN2 ** 2);
  return { bits, hashes: Math.max(1, Math.round((bits / capacity) * Math.LN2)) };
}

/** The k bit positions of an id: SHA-256 double hashing (h1 + i*h2 mod m). */
async function positions(id: string, bits: number, hashes: number): Promise<number[]> {
  const digest = new DataView(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(id)));
  const h1 = digest.getUint32(0);
  const h2 = (digest.getUint32(4) | 1) >>> 0; // odd, unsigned
  return Array.from({ length: hashes }, (_, i) => (h1 + i * h2) % bits);
}

/**
 * Memory-bounded dedup (one round trip): a Bloom filter on Redis bitmaps, in generations of
 * `ttlMs` each; an id is remembered for at least one window and at most two. `bits / 8` bytes per
 * generation whatever the number of ids (1.2 MB for a million ids at 1 %). `new` is always right;
 * `seen` is wrong at about `errorRate` when a window holds `capacity` ids, and more beyond it:
 * a false positive DROPS A REAL EVENT. Use it where that is harmless (views, analytics).
 */
export async function bloomSeen(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  input: { namespace: string; ids: string[]; ttlMs: number; now: number; capacity: number; errorRate: number },
): Promise<{ new: string[]; seen: string[] }> {
  const { bits, hashes } = bloomShape(input.capacity, input.errorRate);
  const keys = dedupKeys(config, input.namespace);
  const generation = Math.floor(input.now / input.ttlMs);
  const all = await Promise.all(input.ids.map((id) => positions(id, bits, hashes)));
  const reply = await bloomScript.run(
    redis,
    [keys.bloom(bits, hashes, generation), keys.bloom(bits, hashes, generation - 1)],
    [hashes, input.ttlMs * 2, ...all.flat()],
  );
  return byResult(input.ids, perId(reply, input.ids.length), ["seen", "new"] as const);
}
