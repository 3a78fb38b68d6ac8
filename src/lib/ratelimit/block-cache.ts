/**
 * The in-isolate cache of blocked identifiers that `@upstash/ratelimit` keeps (`ephemeralCache`):
 * key -> the time (ms) the block ends. While an identifier is blocked, `limit()` answers from this
 * map without calling Redis, so a flood from one client costs no Redis round trip.
 *
 * Why a module-level Map and not a module-level Ratelimit: a Ratelimit holds its Redis client, and
 * Workers forbid using one request's I/O objects (the client's fetches) in another request. So each
 * request builds a fresh Ratelimit around its own client, and all of them share this one Map.
 */
const blocked = new Map<string, number>();

/** Above this many entries the map is emptied: a flood of distinct clients must not grow memory without bound. */
const MAX_ENTRIES = 10_000;

export function blockCache(): Map<string, number> {
  if (blocked.size > MAX_ENTRIES) blocked.clear();
  return blocked;
}
