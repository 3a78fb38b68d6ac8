/**
 * Cookie-less visitor ids, the Plausible way: an HMAC of IP + user agent (+ a scope such as the
 * page) under a key that changes every UTC day and is derived from HASH_SECRET. The key is never
 * stored, so yesterday's ids cannot be recomputed from today's, and no IP is ever written to Redis.
 */
const encoder = new TextEncoder();
const dayKeys = new Map<string, CryptoKey>();

async function hmacKey(raw: ArrayBuffer | Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** The day's key: HMAC(HASH_SECRET, "visitor:" + day), cached per isolate for that day only. */
async function dailyKey(secret: string, day: string): Promise<CryptoKey> {
  const cacheKey = `${day}\u0000${secret}`;
  const cached = dayKeys.get(cacheKey);
  if (cached) return cached;
  const root = await hmacKey(encoder.encode(secret));
  const derived = await crypto.subtle.sign("HMAC", root, encoder.encode(`visitor:${day}`));
  const key = await hmacKey(new Uint8Array(derived));
  dayKeys.clear(); // only one day is ever needed at a time
  dayKeys.set(cacheKey, key);
  return key;
}

const DAY_MS = 86_400_000;
let lastDay: { index: number; text: string } | undefined;

/** UTC day as YYYY-MM-DD. (Remembers the last day: `toISOString` on every request is measurable.) */
export function utcDay(ms: number): string {
  const index = Math.floor(ms / DAY_MS);
  if (lastDay?.index !== index) lastDay = { index, text: new Date(ms).toISOString().slice(0, 10) };
  return lastDay.text;
}

export interface VisitorInput {
  secret: string;
  now: number;
  ip: string;
  userAgent: string;
  /** What the id is unique within (a page, a link); ids of one visitor differ across scopes. */
  scope: string;
}

/** A 128-bit base64url visitor id, stable for one visitor, scope and UTC day. */
export async function visitorId({ secret, now, ip, userAgent, scope }: VisitorInput): Promise<string> {
  const key = await dailyKey(secret, utcDay(now));
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${ip}\u0000${userAgent}\u0000${scope}`));
  let binary = "";
  for (const byte of new Uint8Array(mac, 0, 16)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
