import { type LimitedScript, limitedScript, type ScriptLimit } from "../ratelimit/limited-script.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import commitSource from "./commit.lua";
import failSource from "./fail.lua";
import type { NamespaceKeys } from "./keys.ts";
import lookupSource from "./lookup.lua";

/** What one lookup saw. Times are ms since the epoch, as the Worker wrote them. */
export interface Lookup {
  /** The entry id looked up (its lease is the one granted). */
  id: string;
  /** This caller holds the fill lease (`token`), and must commit, fail or release it. */
  lead: boolean;
  token: string;
  /** Epoch and counter at the grant: the commit's fence. */
  epoch: string;
  seq: string;
  /** Lease time left when another caller holds it (ms), 0 otherwise. */
  leasePttl: number;
  /** The stored entry, when one is live. */
  entry?: StoredEntry;
  /** The origin's error backoff lasts until then (0 when none). */
  backoffUntil: number;
  /** Set when the stored Vary names differ from the caller's: look up again keyed with these. */
  rekey?: string;
  /** The tag ids the stored hash is indexed under (live or not): a commit unindexes those it drops. */
  indexedTagIds: string[];
}

export interface StoredEntry {
  value: string;
  meta: string;
  /** Fresh until, stale-while-revalidate until, stale-if-error until, kept (for revalidation) until. */
  freshUntil: number;
  swrUntil: number;
  sieUntil: number;
  keptUntil: number;
  tags: string[];
  negative: boolean;
}

/** The state a lookup's entry is in at `now` (RFC 9111 / 5861 windows). */
export type EntryState = "fresh" | "stale" | "stale-if-error" | "expired" | "none";

export function entryState(entry: StoredEntry | undefined, now: number): EntryState {
  if (!entry) return "none";
  if (now < entry.freshUntil) return "fresh";
  if (now < entry.swrUntil) return "stale";
  if (now < entry.sieUntil) return "stale-if-error";
  return "expired";
}

const str = (value: unknown) => (value === null || value === undefined ? "" : String(value));
const num = (value: unknown) => Number(value ?? 0) || 0;

const lookupScript: LimitedScript<unknown[]> = limitedScript(lookupSource, (reply) =>
  Array.isArray(reply) ? reply : [],
);

/**
 * The one round trip of a cache read: the entry, and the fill lease for at most one caller
 * (a miss, a stale entry, or a fresh one XFetch picked for early refresh). `limit` folds the
 * request's rate-limit check into the same script.
 */
export async function lookupEntry(
  redis: RedisClient,
  keys: NamespaceKeys,
  id: string,
  input: { now: number; beta: number; leaseMs: number; vary: string; limit?: ScriptLimit },
): Promise<Lookup> {
  const token = crypto.randomUUID();
  const r = (crypto.getRandomValues(new Uint32Array(1))[0] ?? 0) / 2 ** 32;
  const reply = await lookupScript.run(
    redis,
    [keys.entry(id), keys.lease(id), keys.epoch, keys.seq],
    [input.now, 1 - r, input.beta, Math.max(1, Math.round(input.leaseMs)), token, input.vary],
    input.limit,
  );
  const [lead, epoch, seq, pttl, v, m, fr, sw, se, ke, eb, vy, tg, neg, ti] = reply;
  const result: Lookup = {
    id,
    lead: num(lead) === 1,
    token,
    epoch: str(epoch),
    seq: str(seq),
    leasePttl: Math.max(0, num(pttl)),
    backoffUntil: num(eb),
    ...(num(lead) === 2 ? { rekey: str(vy) } : {}),
    indexedTagIds: str(ti) === "" ? [] : str(ti).split(","),
  };
  if (num(ke) > 0) {
    result.entry = {
      value: str(v),
      meta: str(m),
      freshUntil: num(fr),
      swrUntil: num(sw),
      sieUntil: num(se),
      keptUntil: num(ke),
      tags: str(tg) === "" ? [] : str(tg).split("\n"),
      negative: str(neg) === "1",
    };
  }
  return result;
}

/** A fill to store: the value, its windows (absolute ms), and its tags (ids, from `hashId`). */
export interface Fill {
  value: string;
  meta?: string;
  freshUntil: number;
  swrUntil: number;
  sieUntil: number;
  keptUntil: number;
  /** How long the fill took (ms): XFetch's delta. */
  duration: number;
  negative?: boolean;
  /** Vary names ("" for none) and, with names, the URL's own entry id for the marker. */
  vary?: string;
  markerId?: string;
  /** Tag labels (stored for reading back) and their ids (hashed, for keys). */
  tags?: string[];
  tagIds?: string[];
  /** Keep the stored value, replace the rest (a 304 revalidation). */
  keepValue?: boolean;
}

export type CommitOutcome = { stored: true } | { stored: false; fenced: "lease" | "epoch" | "tag" | "gone" };

const commitScript = defineScript(commitSource, (reply): CommitOutcome => {
  const [ok, why] = Array.isArray(reply) ? reply : [];
  return num(ok) === 1 ? { stored: true } : { stored: false, fenced: (str(why) || "lease") as "lease" };
});

/**
 * Stores a fill under the lease `lookup` granted; fenced (nothing written) after a purge. When
 * the fill goes to the id looked up, the indexes of tags the stored entry had and the fill has
 * not are left in the same script, so a purge of an old tag no longer finds the entry.
 */
export function commitEntry(
  redis: RedisClient,
  keys: NamespaceKeys,
  id: string,
  lookup: Pick<Lookup, "id" | "token" | "epoch" | "seq"> & Partial<Pick<Lookup, "indexedTagIds">>,
  fill: Fill,
  now: number,
): Promise<CommitOutcome> {
  const tagIds = fill.tagIds ?? [];
  const kept = new Set(tagIds);
  const dropped = id === lookup.id ? [...new Set(lookup.indexedTagIds ?? [])].filter((tag) => !kept.has(tag)) : [];
  const marker = fill.vary && fill.markerId ? keys.entry(fill.markerId) : keys.entry(id);
  return commitScript.run(
    redis,
    [
      keys.entry(id),
      keys.lease(lookup.id),
      keys.epoch,
      marker,
      ...tagIds.map(keys.tagMarker),
      ...tagIds.map(keys.tagIndex),
      ...dropped.map(keys.tagIndex),
    ],
    [
      lookup.token,
      lookup.epoch,
      lookup.seq,
      now,
      Math.round(fill.freshUntil),
      Math.round(fill.swrUntil),
      Math.round(fill.sieUntil),
      Math.round(Math.max(fill.keptUntil, now + 1)),
      Math.max(0, Math.round(fill.duration)),
      fill.value,
      fill.meta ?? "",
      fill.negative ? "1" : "",
      fill.vary ?? "",
      (fill.tags ?? []).join("\n"),
      id,
      tagIds.length,
      fill.keepValue ? "1" : "",
      dropped.length,
      tagIds.join(","),
    ],
  );
}

const failScript = defineScript(failSource, (reply) => num(reply) === 1);

/**
 * Gives the lease back. With `backoffMs` (the origin failed), no caller anywhere gets a lease for
 * this key until then: at most one origin attempt per key per backoff window.
 */
export function releaseLease(
  redis: RedisClient,
  keys: NamespaceKeys,
  id: string,
  token: string,
  now: number,
  backoffMs = 0,
): Promise<boolean> {
  return failScript.run(redis, [keys.entry(id), keys.lease(id)], [token, now, Math.max(0, Math.round(backoffMs))]);
}
