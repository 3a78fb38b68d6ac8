import { timingSafeEqual } from "hono/utils/buffer";
import { sha256 } from "hono/utils/crypto";
import { AppError } from "../lib/errors.ts";

const BEARER = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/i;

/** The token of an `Authorization: Bearer <token>` header, else undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return BEARER.exec(authorization ?? "")?.[1];
}

/** The 401 of a route that needs a credential (also for routes that check it themselves). */
export function adminRequired(): AppError {
  return new AppError("unauthorized", "This route needs `Authorization: Bearer <API key or ADMIN_TOKEN>`.", {
    headers: { "www-authenticate": 'Bearer realm="edgekit"' },
  });
}

/** SHA-256 hex of the configured token, once per isolate (one token per deploy). */
const adminTokenHashes = new Map<string, Promise<string | null>>();

/**
 * Constant-time: the SHA-256 digests of both sides are compared with `timingSafeEqual`, so neither
 * content nor length leaks. Same as `timingSafeEqual(presented, adminToken)`, which hashes both
 * sides on every call, but the configured token is hashed once per isolate (the four digests were
 * a tenth of an admin request's CPU).
 */
export async function tokenMatches(presented: string, adminToken: string): Promise<boolean> {
  let expected = adminTokenHashes.get(adminToken);
  if (!expected) {
    expected = sha256(adminToken);
    adminTokenHashes.clear();
    adminTokenHashes.set(adminToken, expected);
  }
  const [actual, wanted] = await Promise.all([sha256(presented), expected]);
  // The digests are compared as they are (an identity "hash"): hashing them again adds nothing.
  return actual !== null && wanted !== null && (await timingSafeEqual(actual, wanted, async (hex: string) => hex));
}
