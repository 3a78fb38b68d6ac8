import { namespaceKeys } from "../cache/keys.ts";
import { type PurgeMode, purgeNamespace, purgeTag } from "../cache/purge.ts";
import type { RedisClient } from "../redis.ts";
import { originTag, prefixTag, urlTag } from "./cache-key.ts";
import { GATEWAY_NAMESPACE } from "./namespace.ts";

export interface GatewayPurge {
  urls?: string[];
  prefixes?: string[];
  tags?: string[];
  all?: boolean;
  mode: PurgeMode;
}

/**
 * Purges gateway entries by URL (every Vary variant), path prefix, origin tag (Cache-Tag /
 * Surrogate-Key) or all of them. Each is a tag purge (O(entries it tags), never a SCAN); `all`
 * is one INCR, always hard. Done for every location when the promise resolves; fills in flight
 * for what was purged never commit.
 */
export async function purgeGateway(
  redis: RedisClient,
  prefix: string,
  input: GatewayPurge,
  now: number,
): Promise<{ purged: number; all: boolean }> {
  const keys = namespaceKeys(prefix, GATEWAY_NAMESPACE);
  const tags = [
    ...(input.urls ?? []).map((url) => urlTag(new URL(url))),
    ...(input.prefixes ?? []).map((url) => prefixTag(new URL(url))),
    ...(input.tags ?? []).map(originTag),
  ];
  const counts = await Promise.all([...new Set(tags)].map((tag) => purgeTag(redis, keys, tag, input.mode, now)));
  if (input.all) await purgeNamespace(redis, keys);
  return { purged: counts.reduce((sum, n) => sum + n, 0), all: input.all === true };
}
