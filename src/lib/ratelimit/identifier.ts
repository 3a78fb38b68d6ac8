import { z } from "zod";

import { clientAddress } from "./ip-identifier.ts";

export { clientAddress, ipIdentifier, ipv6Prefix, storedIdentifier } from "./ip-identifier.ts";

/**
 * Who a request is counted against, in order of trust:
 * - `admin`: the request carries the admin token;
 * - `key:<id>`: it carries an API key (each key has its own budget);
 * - `user:<id>`: a session was loaded for it (ids outside a safe alphabet are hashed);
 * - `ip:hmac-<hash>`: `CF-Connecting-IP`, which Cloudflare sets; IPv6 by its /64, since one client
 *   commonly holds a whole /64. Never `X-Forwarded-For`: on Workers the client writes that one.
 *   The address itself never reaches Redis: see `ipIdentifier` (ip-identifier.ts).
 *
 * The schema is what an admin may write (`ip:<address>`, readable); `storedIdentifier` turns
 * it into the identifier the keys hold.
 */
const IDENTIFIER =
  /^(admin|key:key_[0-9A-Za-z]{11}|user:[A-Za-z0-9_.@+-]{1,128}|ip:(unknown|[0-9.]{7,15}|[0-9a-f:]{2,39}\/64))$/;

export const identifierSchema = z
  .string()
  .max(160)
  .regex(IDENTIFIER, "Use admin, key:<key id>, user:<id> or ip:<address> (IPv6 as its /64, e.g. ip:2001:db8:0:1::/64)")
  // The pattern lets through shapes that are no address (ip:999.1.1.1); they would name the
  // shared ip:unknown bucket, so a typo would peek at or reset every unidentified client.
  .refine(
    (value) =>
      !IDENTIFIER.test(value) || // already refused, once is enough
      !value.startsWith("ip:") ||
      value === "ip:unknown" ||
      clientAddress(value.slice(3).replace(/\/64$/, "")) !== "unknown",
    "Use admin, key:<key id>, user:<id> or ip:<address> (IPv6 as its /64, e.g. ip:2001:db8:0:1::/64)",
  );

/** `user:<id>`; ids outside the key-safe alphabet are replaced by a SHA-256 prefix of themselves. */
export async function userIdentifier(userId: string): Promise<string> {
  if (/^[A-Za-z0-9_.@+-]{1,100}$/.test(userId)) return `user:${userId}`;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(userId));
  const hex = [...new Uint8Array(digest, 0, 16)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `user:sha256-${hex}`;
}
