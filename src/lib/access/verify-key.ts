import type { Config } from "../../env.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { type ApiKeyRecord, decodeRecord, decodeRevocation, type Revocation } from "./api-key.ts";
import { CredentialCache } from "./cache.ts";
import { accessKeys } from "./storage.ts";
import { isKeySecret, secretHash } from "./token.ts";
import source from "./verify.lua";

/** Last used is written at most this often per key (folded into the verification script). */
export const LAST_USED_EVERY_MS = 60_000;

export type KeyVerdict =
  | { status: "valid"; record: ApiKeyRecord }
  | { status: "expired"; record: ApiKeyRecord }
  | { status: "revoked"; record: ApiKeyRecord; revocation: Revocation }
  | { status: "unknown" };

interface Stored {
  record: ApiKeyRecord;
  revocation: Revocation | null;
}

const verify = defineScript(source, (reply): Stored | undefined => {
  if (!Array.isArray(reply) || reply.length === 0) return undefined;
  return { record: decodeRecord(reply[0]), revocation: decodeRevocation(reply[1]) };
});

/** Keys verified lately in this isolate, by keys hash and secret hash. */
export const verifiedKeys = new CredentialCache<Stored>();
/**
 * Well-formed secrets Redis did not know, kept apart so that a flood of made-up keys can neither
 * cost a round trip each nor push real keys out. Safe to remember: a secret is 256 random bits,
 * so none is ever tried before it exists.
 */
const unknownKeys = new CredentialCache<true>();

export type AccessConfig = Pick<Config, "KEY_PREFIX" | "API_KEYS_CACHE_SECONDS">;

/**
 * Checks a presented secret: malformed or with a wrong checksum is unknown without asking Redis;
 * a key verified in this isolate less than API_KEYS_CACHE_SECONDS ago costs nothing; otherwise one
 * script, which also writes last-used when it is a minute old. Expiry is judged at `now` every
 * time (the cache never stretches it); a revocation elsewhere is seen once the entry lapses.
 *
 * @example
 * const verdict = await verifyKey(redis, config, bearer, clock.now());
 * if (verdict.status === "valid") principal = keyPrincipal(verdict.record);
 */
export async function verifyKey(
  redis: RedisClient,
  config: AccessConfig,
  secret: string,
  now: number,
): Promise<KeyVerdict> {
  if (!isKeySecret(secret)) return { status: "unknown" };
  const hash = await secretHash(secret);
  const key = accessKeys(config).keys;
  const cacheKey = `${key}\n${hash}`;
  let stored = verifiedKeys.get(cacheKey, now);
  if (!stored) {
    if (unknownKeys.get(cacheKey, now)) return { status: "unknown" };
    stored = await verify.run(redis, [key], [hash, now, LAST_USED_EVERY_MS]);
    if (!stored) {
      unknownKeys.set(cacheKey, true, now, config.API_KEYS_CACHE_SECONDS * 1000);
      return { status: "unknown" };
    }
    verifiedKeys.set(cacheKey, stored, now, config.API_KEYS_CACHE_SECONDS * 1000);
  }
  return verdictOf(stored, now);
}

export function verdictOf({ record, revocation }: Stored, now: number): KeyVerdict {
  if (revocation) return { status: "revoked", record, revocation };
  if (record.expiresAt !== null && record.expiresAt <= now) return { status: "expired", record };
  return { status: "valid", record };
}

const byId = new CredentialCache<Stored | null>();

/**
 * A key by id (a dashboard session signed in with a key names it so), cached like `verifyKey`;
 * undefined for an id Redis does not know.
 */
export async function keyById(redis: RedisClient, config: AccessConfig, id: string, now: number): Promise<KeyVerdict> {
  const key = accessKeys(config).keys;
  const cacheKey = `${key}\n${id}`;
  let stored = byId.get(cacheKey, now);
  if (stored === undefined) {
    // One pipeline of two HGETs (HMGET's reply shape depends on the client's deserialization).
    const [record, revocation] = await redis
      .pipeline()
      .hget(key, `k:${id}`)
      .hget(key, `r:${id}`)
      .exec<[string | null, string | null]>();
    stored = record ? { record: decodeRecord(record), revocation: decodeRevocation(revocation) } : null;
    byId.set(cacheKey, stored, now, config.API_KEYS_CACHE_SECONDS * 1000);
  }
  return stored ? verdictOf(stored, now) : { status: "unknown" };
}

/** Forgets this isolate's copies of a key (after revoking it here). */
export function forgetKey(id: string): void {
  verifiedKeys.deleteWhere((stored) => stored.record.id === id);
  byId.deleteWhere((stored) => stored?.record.id === id);
}
