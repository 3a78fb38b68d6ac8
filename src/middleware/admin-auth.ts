import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "hono/utils/buffer";
import { sha256 } from "hono/utils/crypto";
import type { AppEnv } from "../env.ts";
import { AppError } from "../lib/errors.ts";

const BEARER = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/i;

/** The token of an `Authorization: Bearer <token>` header, else undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return BEARER.exec(authorization ?? "")?.[1];
}

/**
 * Requires `Authorization: Bearer <ADMIN_TOKEN>`, the root credential, and nothing less: for the
 * few things no API key may do. Management routes use `secured(scope)` (./authorize.ts), which
 * takes the root token or an API key holding the scope. The compare is constant-time (both sides are
 * hashed first, so neither content nor length leaks through timing; see `tokenMatches`).
 *
 * @example
 * createRoute({ ..., security: [{ bearerAuth: [] }], middleware: [adminAuth()] })
 */
export function adminAuth() {
  return createMiddleware<AppEnv>(async function adminAuth(c, next) {
    const match = BEARER.exec(c.req.header("authorization") ?? "");
    if (!match?.[1] || !(await tokenMatches(match[1], c.get("config").ADMIN_TOKEN))) throw adminRequired();
    await next();
  });
}

/** The 401 of a route that needs a credential (also for routes that check it themselves). */
export function adminRequired(): AppError {
  return new AppError("unauthorized", "This route needs `Authorization: Bearer <API key or ADMIN_TOKEN>`.", {
    headers: { "www-authenticate": 'Bearer realm="edgekit"' },
  });
}

/** True when the request carries the admin token (for routes that are public but say more to admins). */
export async function isAdmin(authorization: string | undefined, adminToken: string): Promise<boolean> {
  const match = BEARER.exec(authorization ?? "");
  return Boolean(match?.[1] && (await tokenMatches(match[1], adminToken)));
}

/** SHA-256 hex of the configured token, once per isolate (one token per deploy). */
const adminTokenHashes = new Map<string, Promise<string | null>>();

/**
 * Constant-time: the SHA-256 digests of both sides are compared with `timingSafeEqual`, so neither
 * content nor length leaks. Same as `timingSafeEqual(presented, adminToken)`, which hashes both
 * sides on every call, but the configured token is hashed once: an admin request checks the token
 * twice (rate limit, then this middleware), and the four digests were a tenth of its CPU.
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
