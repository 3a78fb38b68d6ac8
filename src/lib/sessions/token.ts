/**
 * Session tokens: what the cookie carries.
 *
 *   token   = <tag>.<secret>
 *   tag     = base64url(HMAC-SHA256(HASH_SECRET, "session-user\0" + userId)[0..16])     22 chars
 *             (dashboard sessions: HMAC-SHA256(HASH_SECRET, "session-dashboard\0")[0..16])
 *   secret  = base64url(32 bytes from crypto.getRandomValues)                          43 chars
 *
 * The secret is the credential (256 bits, no meaning). The tag only routes the token to the
 * user's hash slot, so that a session, its user's index and "log out everywhere" share one slot
 * (see keys.ts). It is keyed with HASH_SECRET: without the secret, neither a cookie nor a Redis
 * dump confirms a guessed user id (often an email), and no two deployments share a tag. The
 * dashboard's tag comes from another input than any user's, so POST /api/sessions cannot mint a
 * token that reads as a dashboard session (see `isDashboardTag`).
 * Redis stores only `handle = base64url(SHA-256(token))`: a dump of Redis hands out no live cookie.
 */
const encoder = new TextEncoder();
const TOKEN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** The HMAC key of HASH_SECRET, imported once per isolate (one secret per deploy). */
const keys = new Map<string, Promise<CryptoKey>>();

async function keyedTag(secret: string, input: string): Promise<string> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.clear();
    keys.set(secret, key);
  }
  const mac = await crypto.subtle.sign("HMAC", await key, encoder.encode(input));
  return base64url(new Uint8Array(mac, 0, 16));
}

/** The 22-character tag naming a user's hash slot, keyed with HASH_SECRET. */
export function userTag(secret: string, userId: string): Promise<string> {
  return keyedTag(secret, `session-user\u0000${userId}`);
}

const dashboardTags = new Map<string, Promise<string>>();

/** The tag of every dashboard session: no user id hashes to it. */
export function dashboardTag(secret: string): Promise<string> {
  let tag = dashboardTags.get(secret);
  if (!tag) {
    tag = keyedTag(secret, "session-dashboard\u0000");
    dashboardTags.clear();
    dashboardTags.set(secret, tag);
  }
  return tag;
}

/**
 * The unkeyed tag of sessions created before tags were keyed. Only "log out everywhere" and the
 * session listing still look there, until the last such session has passed its absolute timeout.
 */
export async function legacyUserTag(userId: string): Promise<string> {
  return base64url((await sha256(`edgekit:session-user:${userId}`)).slice(0, 16));
}

/** A new token in a user's slot (a fresh secret every call). */
export function newToken(tag: string): string {
  return `${tag}.${base64url(crypto.getRandomValues(new Uint8Array(32)))}`;
}

/** What Redis knows a session by. */
export async function tokenHandle(token: string): Promise<string> {
  return base64url(await sha256(token));
}

/** A token's parts when it is well formed, else undefined (checked before Redis is asked). */
export function parseToken(token: string): { tag: string } | undefined {
  const match = TOKEN.exec(token);
  return match?.[1] ? { tag: match[1] } : undefined;
}
