import { hashId } from "../cache/keys.ts";
import { commitEntry, type Lookup, type StoredEntry } from "../cache/store.ts";
import { cacheKeyOf } from "./cache-key.ts";
import { gatewayKeys } from "./namespace.ts";
import type { GatewayRequest } from "./serve.ts";

/** How long a response found not storable sends its URL straight to the origin ("hit-for-pass"). */
export const PASS_MS = 30_000;

/**
 * Remembers that the URL's response cannot be stored, so that for PASS_MS its requests go
 * straight to the origin instead of queueing behind a lease one after another.
 */
export async function markPass(g: GatewayRequest, lookup: Lookup, reason: string, now: number): Promise<void> {
  const keys = gatewayKeys(g.prefix);
  await commitEntry(
    g.redis,
    keys,
    lookup.id,
    lookup,
    {
      value: "",
      meta: JSON.stringify({ pass: reason }),
      freshUntil: now + PASS_MS,
      swrUntil: now + PASS_MS,
      sieUntil: now + PASS_MS,
      keptUntil: now + PASS_MS,
      duration: 0,
      tagIds: [await hashId(`u:${cacheKeyOf(g.url)}`)],
    },
    now,
  ).catch(() => undefined);
}

/** The pass marker's reason, when the entry is one. */
export function passReason(entry: StoredEntry | undefined): string | undefined {
  if (!entry?.meta.startsWith('{"pass"')) return undefined;
  try {
    return String((JSON.parse(entry.meta) as { pass: unknown }).pass);
  } catch {
    return undefined;
  }
}
