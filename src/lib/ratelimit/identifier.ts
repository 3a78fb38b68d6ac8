import { z } from "zod";

/**
 * Who a request is counted against, in order of trust:
 * - `admin`: the request carries the admin token;
 * - `user:<id>`: a session was loaded for it (ids outside a safe alphabet are hashed);
 * - `ip:<address>`: `CF-Connecting-IP`, which Cloudflare sets; IPv6 by its /64, since one client
 *   commonly holds a whole /64. Never `X-Forwarded-For`: on Workers the client writes that one.
 */
export const identifierSchema = z
  .string()
  .max(160)
  .regex(
    /^(admin|user:[A-Za-z0-9_.@+-]{1,128}|ip:(unknown|[0-9.]{7,15}|[0-9a-f:]{2,39}\/64))$/,
    "Use admin, user:<id> or ip:<address> (IPv6 as its /64, e.g. ip:2001:db8:0:1::/64)",
  );

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The /64 of an IPv6 address, as `a:b:c:d::/64`, or undefined if it is not one. */
export function ipv6Prefix(address: string): string | undefined {
  if (!/^[0-9A-Fa-f:]{2,39}$/.test(address)) return undefined;
  const halves = address.toLowerCase().split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return undefined;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/** `ip:<address>` for a `CF-Connecting-IP` value; anything that is not an address shares `ip:unknown`. */
export function ipIdentifier(header: string | undefined): string {
  // An IPv4 client written as an IPv4-mapped IPv6 address is that IPv4 client.
  const address = (header ?? "").trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  if (IPV4.test(address)) return `ip:${address}`;
  const prefix = ipv6Prefix(address);
  return prefix ? `ip:${prefix}` : "ip:unknown";
}

/** `user:<id>`; ids outside the key-safe alphabet are replaced by a SHA-256 prefix of themselves. */
export async function userIdentifier(userId: string): Promise<string> {
  if (/^[A-Za-z0-9_.@+-]{1,100}$/.test(userId)) return `user:${userId}`;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(userId));
  const hex = [...new Uint8Array(digest, 0, 16)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `user:sha256-${hex}`;
}
