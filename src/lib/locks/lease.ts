/**
 * Leases with fencing tokens: the building block of locks, semaphores, the idempotency claim and
 * (later) the cache's fill lease and the jobs' visibility timeout. A lease is held by a random
 * token until its deadline; while held it can be extended, and a fence, which rises strictly
 * across grants, lets the resource refuse a write from a holder whose lease has lapsed.
 *
 * Lease code takes its keys from the caller, so each primitive keeps its own key layout (and hash
 * tag) and reuses the scripts: see acquire-lease.ts, extend-lease.ts, release-lease.ts.
 */

/** The three keys of one lease; they must share a hash tag. */
export interface LeaseKeys {
  /** zset: token -> lease deadline (ms since the epoch). */
  holders: string;
  /** hash: token -> "<fence>:<owner>". */
  owners: string;
  /** The fence counter: never expires, never reset by a release. */
  fence: string;
}

/** A granted lease. */
export interface Lease {
  token: string;
  fence: number;
  /** Lease deadline, ms since the epoch. */
  expiresAt: number;
}

export type AcquireOutcome = ({ granted: true } & Lease) | { granted: false; retryAfterMs: number };

/** 128 random bits, base64url: the secret that proves a holder. */
export function leaseToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Integer replies of the lease scripts, checked. */
export function integers(reply: unknown): number[] {
  if (!Array.isArray(reply)) throw new Error(`lease script: unexpected reply ${JSON.stringify(reply)}`);
  return reply.map(Number);
}
