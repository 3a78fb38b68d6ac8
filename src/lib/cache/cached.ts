import type { RedisClient } from "../redis.ts";
import { hashId, namespaceKeys } from "./keys.ts";
import { pollDelay, sleep } from "./poll.ts";
import { MAX_LEASE_MS } from "./purge.ts";
import { commitEntry, entryState, type Lookup, lookupEntry, releaseLease } from "./store.ts";

/** How a value was served, as RFC 9211 Cache-Status would say it. */
export type CacheOutcome =
  | "hit" // fresh from the cache
  | "stale" // stale while revalidating (one caller refreshes in the background)
  | "stale-if-error" // the origin failed (or is in backoff): stale served
  | "miss" // this caller filled the entry
  | "wait-hit" // another caller's fill, waited for
  | "uncached"; // waited past waitMs, or fenced: fetched without storing

export interface FetchContext<T> {
  /** The stale value, when refreshing one. */
  stale?: T;
  /** True when the fill runs in waitUntil after the response (SWR, early refresh). */
  background: boolean;
  /** Tags of the entry: the fetcher may push tags it discovers (they fence like the others). */
  tags: string[];
}

export interface CachedOptions<T> {
  /** Fresh for this long (ms). */
  ttl: number;
  /** After `ttl`, served stale for this long while one caller refreshes in the background (ms). */
  staleWhileRevalidate?: number;
  /** After `ttl`, served stale for this long when the fetcher fails (ms). */
  staleIfError?: number;
  /** Tags for `purgeTag`. At most 64, each at most 256 characters. */
  tags?: string[];
  /** Cache a "not found" (the fetcher resolved undefined) for this long (ms); default: not cached. */
  negative?: number;
  /** Namespace (`purgeNamespace` clears it in O(1)); default "default". */
  namespace?: string;
  /** Key prefix (edgekit passes `{KEY_PREFIX}edgekit:`); default "edgekit:". */
  prefix?: string;
  /** The fill lease (ms, default 10 s, capped at 5 min): a fetcher slower than that is fenced. */
  leaseMs?: number;
  /** How long a caller waits for another's fill before fetching itself (ms, default 5 s). */
  waitMs?: number;
  /** XFetch eagerness (default 1; 0 = no early refresh). */
  beta?: number;
  /** After a failure, no caller anywhere retries the fetcher for this long (ms, default 5 s). */
  errorBackoffMs?: number;
  /** Which errors count as failures (stale-if-error and backoff); default every error. */
  isFailure?: (error: unknown) => boolean;
  /** Keeps background refreshes alive after the response (`ctx.waitUntil`). */
  waitUntil?: (promise: Promise<unknown>) => void;
  now?: () => number;
  serialize?: (value: T) => string;
  deserialize?: (text: string) => T;
  /** Largest serialized value stored (bytes, default 1 MiB): a larger one throws, never silently. */
  maxBytes?: number;
  /** Told how each call was served (for metrics). */
  onOutcome?: (outcome: CacheOutcome) => void;
}

/** The fetcher's value serialized to more than `maxBytes`: not stored (the lease is given back). */
export class CacheEntryTooLargeError extends Error {
  override readonly name = "CacheEntryTooLargeError";
  constructor(
    readonly size: number,
    readonly maxBytes: number,
  ) {
    super(`cached(): the value is ${size} bytes serialized, over maxBytes ${maxBytes}; not stored.`);
  }
}

/** A failure while the key is in error backoff and nothing stale is left: the fetcher was not run. */
export class CacheBackoffError extends Error {
  override readonly name = "CacheBackoffError";
  constructor(readonly retryAt: number) {
    super("The fetcher failed recently; not retried before the backoff ends.");
  }
}

/**
 * Cache-aside with one fill worldwide: a lookup is ONE Redis round trip (one Lua script) that
 * answers fresh, stale or miss and grants the fill lease to exactly one caller across every
 * isolate; the others serve stale, or wait for the fill with jittered polling (up to `waitMs`).
 * Hot keys refresh early (XFetch) in `waitUntil`. A failed fetch serves stale inside
 * `staleIfError` and blocks every other attempt for `errorBackoffMs`. A fill that started before
 * a purge (`purgeTag`, `purgeKey`, `purgeNamespace`) never commits.
 *
 * @example
 * const user = await cached(redis, `user:${id}`, () => loadUser(id), {
 *   ttl: 60_000, staleWhileRevalidate: 300_000, tags: [`user:${id}`], waitUntil: (p) => ctx.waitUntil(p),
 * });
 */
export async function cached<T>(
  redis: RedisClient,
  key: string,
  fetcher: (context: FetchContext<T>) => Promise<T | undefined>,
  options: CachedOptions<T>,
): Promise<T | undefined> {
  const { value, outcome } = await cachedWithOutcome(redis, key, fetcher, options);
  options.onOutcome?.(outcome);
  return value;
}

/** `cached`, also saying how the value was served. */
export async function cachedWithOutcome<T>(
  redis: RedisClient,
  key: string,
  fetcher: (context: FetchContext<T>) => Promise<T | undefined>,
  options: CachedOptions<T>,
): Promise<{ value: T | undefined; outcome: CacheOutcome }> {
  checkOptions(options);
  const now = options.now ?? Date.now;
  const serialize = options.serialize ?? JSON.stringify;
  const deserialize = options.deserialize ?? ((text: string) => JSON.parse(text) as T);
  const keys = namespaceKeys(options.prefix ?? "edgekit:", options.namespace ?? "default");
  const id = await hashId(key);
  const leaseMs = Math.min(options.leaseMs ?? 10_000, MAX_LEASE_MS);
  const waitMs = options.waitMs ?? 5_000;
  const isFailure = options.isFailure ?? (() => true);
  const read = (text: string, negative: boolean) => (negative ? undefined : deserialize(text));

  const fill = async (lookup: Lookup, stale: T | undefined, background: boolean): Promise<T | undefined> => {
    const tags = [...(options.tags ?? [])];
    const started = now();
    let value: T | undefined;
    try {
      value = await fetcher({ ...(stale !== undefined ? { stale } : {}), background, tags });
    } catch (error) {
      const backoff = isFailure(error) ? (options.errorBackoffMs ?? 5_000) : 0;
      await releaseLease(redis, keys, id, lookup.token, now(), backoff).catch(() => false);
      throw error;
    }
    const at = now();
    const negative = value === undefined;
    if (negative && options.negative === undefined) {
      await releaseLease(redis, keys, id, lookup.token, at);
      return value;
    }
    const ttl = negative ? (options.negative ?? 0) : options.ttl;
    const freshUntil = at + ttl;
    const swrUntil = freshUntil + (negative ? 0 : (options.staleWhileRevalidate ?? 0));
    const sieUntil = Math.max(swrUntil, freshUntil + (negative ? 0 : (options.staleIfError ?? 0)));
    const text = negative ? "" : serialize(value as T);
    const size = new TextEncoder().encode(text).byteLength;
    const maxBytes = options.maxBytes ?? 1024 * 1024;
    if (size > maxBytes) {
      await releaseLease(redis, keys, id, lookup.token, at);
      throw new CacheEntryTooLargeError(size, maxBytes);
    }
    const tagIds = await Promise.all(tags.map(hashId));
    await commitEntry(
      redis,
      keys,
      id,
      lookup,
      {
        value: text,
        freshUntil,
        swrUntil,
        sieUntil,
        keptUntil: sieUntil,
        duration: at - started,
        negative,
        tags,
        tagIds,
      },
      at,
    );
    return value;
  };
  const inBackground = (promise: Promise<unknown>) => {
    const quiet = promise.catch(() => {});
    if (options.waitUntil) options.waitUntil(quiet);
  };

  // Real time: the wait is for another caller's fill, measured here.
  const startedAt = Date.now();
  for (let attempt = 0; ; attempt++) {
    const lookup = await lookupEntry(redis, keys, id, { now: now(), beta: options.beta ?? 1, leaseMs, vary: "" });
    const entry = lookup.entry;
    const state = entryState(entry, now());
    const stored = entry ? read(entry.value, entry.negative) : undefined;
    if (state === "fresh") {
      if (lookup.lead) inBackground(fill(lookup, stored, true));
      return { value: stored, outcome: attempt > 0 ? "wait-hit" : "hit" };
    }
    if (state === "stale") {
      if (lookup.lead) inBackground(fill(lookup, stored, true));
      return { value: stored, outcome: "stale" };
    }
    if (state === "stale-if-error") {
      if (!lookup.lead) return { value: stored, outcome: "stale-if-error" };
      try {
        return { value: await fill(lookup, stored, false), outcome: "miss" };
      } catch (error) {
        if (isFailure(error)) return { value: stored, outcome: "stale-if-error" };
        throw error;
      }
    }
    if (lookup.lead) return { value: await fill(lookup, undefined, false), outcome: "miss" };
    if (lookup.backoffUntil > now()) throw new CacheBackoffError(lookup.backoffUntil);
    const waited = Date.now() - startedAt;
    if (waited >= waitMs) {
      const value = await fetcher({ background: false, tags: [...(options.tags ?? [])] });
      return { value, outcome: "uncached" };
    }
    await sleep(pollDelay(lookup.leasePttl, waitMs - waited));
  }
}

function checkOptions<T>(options: CachedOptions<T>): void {
  const ms = (name: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0))
      throw new RangeError(`cached(): ${name} must be a number of ms >= 0, got ${value}`);
  };
  ms("ttl", options.ttl);
  ms("staleWhileRevalidate", options.staleWhileRevalidate);
  ms("staleIfError", options.staleIfError);
  ms("negative", options.negative);
  const tags = options.tags ?? [];
  if (tags.length > 64 || tags.some((tag) => tag.length === 0 || tag.length > 256))
    throw new RangeError("cached(): at most 64 tags, each 1-256 characters");
}
