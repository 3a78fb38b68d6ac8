import { createHash, timingSafeEqual } from "node:crypto";
import type { ProxyToken } from "./options.ts";

interface Entry {
  digest: Buffer;
  token: ProxyToken;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/**
 * Finds the configured token matching a presented one in constant time: every candidate is
 * compared (no early exit) on SHA-256 digests, so neither length nor prefix leaks.
 */
export function createTokenMatcher(tokens: ProxyToken[]): (presented: string | null) => ProxyToken | null {
  const entries: Entry[] = tokens.map((token) => ({ digest: digest(token.token), token }));
  return (presented) => {
    if (!presented) return null;
    const probe = digest(presented);
    let found: ProxyToken | null = null;
    for (const entry of entries) {
      if (timingSafeEqual(entry.digest, probe) && found === null) found = entry.token;
    }
    return found;
  };
}

/** The token from `Authorization: Bearer <t>`, else from `?_token=<t>`. */
export function presentedToken(authorization: string | undefined, query: URLSearchParams | null): string | null {
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    return match?.[1] ?? null;
  }
  return query?.get("_token") ?? null;
}
