/**
 * The one bucketing function, shared by feature flags and experiments, so that every SDK or service
 * that hashes the same way splits users the same way.
 *
 * bucket = murmur3_x86_32(`${salt}:${unitId}`, seed 0) mod 10000   (UTF-8 bytes)
 *
 * A unit in bucket b is inside a rollout of p percent when b < p * 100. Raising p only adds units;
 * lowering it only removes them; a per-flag salt shuffles which units come first.
 */
export const BUCKETS = 10_000;

const encoder = new TextEncoder();

/** MurmurHash3 x86 32-bit of the UTF-8 bytes of `text`. */
export function murmur3(text: string, seed = 0): number {
  const bytes = encoder.encode(text);
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = bytes.length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k =
      (bytes[i] as number) |
      ((bytes[i + 1] as number) << 8) |
      ((bytes[i + 2] as number) << 16) |
      ((bytes[i + 3] as number) << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  switch (bytes.length & 3) {
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: murmur3's tail falls through by design
    case 3:
      k ^= (bytes[blocks + 2] as number) << 16;
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: murmur3's tail falls through by design
    case 2:
      k ^= (bytes[blocks + 1] as number) << 8;
    case 1:
      k ^= bytes[blocks] as number;
      k = Math.imul(k, c1);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, c2);
      h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The unit's bucket in 0..9999 for a given salt. */
export function bucketOf(salt: string, unitId: string): number {
  return murmur3(`${salt}:${unitId}`) % BUCKETS;
}

/** True when the unit falls inside a rollout of `percentage` (0..100, two decimals honoured). */
export function inRollout(salt: string, unitId: string, percentage: number): boolean {
  return bucketOf(salt, unitId) < Math.round(percentage * 100);
}

/**
 * Picks a variant by weight: the bucket's position in [0, 1) is matched against the cumulative
 * weights (normalised), so the same unit always gets the same variant for the same weights.
 * `position` defaults to the unit's bucket / 10000.
 */
export function pickWeighted<T extends { weight: number }>(items: readonly T[], position: number): T | undefined {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  if (total <= 0) return undefined;
  let cumulative = 0;
  for (const item of items) {
    cumulative += item.weight / total;
    if (position < cumulative) return item;
  }
  return items[items.length - 1];
}
