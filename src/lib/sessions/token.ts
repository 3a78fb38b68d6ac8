/**
 * Session tokens: what the cookie carries.
 *
 *   token = <userTag>.<secret>
 *   userTag = base64url(SHA-256("edgekit:session-user:" + userId)[0..16])   22 chars
 *   secret  = base64url(32 bytes from crypto.getRandomValues)                43 chars
 *
 * The secret is the credential (256 bits, no meaning). The user tag only routes the token to the
 * user's hash slot, so that a session, its user's index and "log out everywhere" share one slot
 * (see keys.ts); it is a hash, so the cookie does not show the user id (often an email).
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

/** The 22-character tag naming a user's hash slot. */
export async function userTag(userId: string): Promise<string> {
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
