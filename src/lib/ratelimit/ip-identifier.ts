/**
 * Client addresses as rate-limit identifiers. Kept apart from identifier.ts (and free of zod) so
 * that lib code can hash an address without loading the admin routes' schema.
 */
import { ipv6Groups } from "../ipv6.ts";

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The /64 of an IPv6 address, as `a:b:c:d::/64`, or undefined if it is not one. */
export function ipv6Prefix(address: string): string | undefined {
  if (!/^[0-9A-Fa-f:]{2,39}$/.test(address)) return undefined;
  const groups = ipv6Groups(address);
  if (!groups) return undefined;
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":")}::/64`;
}

/** The address a `CF-Connecting-IP` value names (IPv6 as its /64), or "unknown". */
export function clientAddress(header: string | undefined): string {
  // An IPv4 client written as an IPv4-mapped IPv6 address is that IPv4 client.
  const address = (header ?? "").trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  if (IPV4.test(address)) return address;
  return ipv6Prefix(address) ?? "unknown";
}

const encoder = new TextEncoder();
const ipKeys = new Map<string, Promise<CryptoKey>>();
/** Hashes already computed (address to hash) under `hashesSecret`: a client asks again and again. */
const hashes = new Map<string, string>();
let hashesSecret: string | undefined;
const MAX_REMEMBERED = 4096;

/**
 * HMAC-SHA256 of the address under HASH_SECRET, 128 bits in base64url. Keyed and stable (not the
 * views' daily rotation): a limit must count one client the same way for a whole window, and
 * without the secret nobody can walk the IPv4 space to turn a key back into an address.
 * Remembered per isolate (up to MAX_REMEMBERED addresses): a WebCrypto HMAC costs far more CPU
 * than the map lookup, and most requests come from clients seen a moment ago.
 */
async function addressHash(address: string, secret: string): Promise<string> {
  if (hashesSecret !== secret) {
    hashes.clear();
    hashesSecret = secret;
  }
  const remembered = hashes.get(address);
  if (remembered !== undefined) return remembered;
  let key = ipKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    ipKeys.clear(); // one secret per deploy
    ipKeys.set(secret, key);
  }
  const mac = await crypto.subtle.sign("HMAC", await key, encoder.encode(`ratelimit-ip\u0000${address}`));
  let binary = "";
  for (const byte of new Uint8Array(mac, 0, 16)) binary += String.fromCharCode(byte);
  const hash = btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  if (hashes.size >= MAX_REMEMBERED) hashes.clear(); // bounded; a full cache starts over
  if (hashesSecret === secret) hashes.set(address, hash);
  return hash;
}

/**
 * `ip:hmac-<hash>` for a `CF-Connecting-IP` value, so no client address is ever written to Redis;
 * anything that is not an address shares `ip:unknown`.
 *
 * @example
 * await ipIdentifier("203.0.113.9", config.HASH_SECRET) // "ip:hmac-3q2-7w..." (22 characters)
 */
export async function ipIdentifier(header: string | undefined, secret: string): Promise<string> {
  const address = clientAddress(header);
  return address === "unknown" ? "ip:unknown" : `ip:hmac-${await addressHash(address, secret)}`;
}

/**
 * The identifier the keys hold for one an admin wrote (validated by `identifierSchema`):
 * `ip:<address>` is hashed exactly as the middleware hashes that client; others are unchanged.
 */
export async function storedIdentifier(identifier: string, secret: string): Promise<string> {
  // An IPv6 /64 as the schema writes it ("2001:db8:0:1::/64") is read as its first address.
  return identifier.startsWith("ip:") ? ipIdentifier(identifier.slice(3).replace(/\/64$/, ""), secret) : identifier;
}
